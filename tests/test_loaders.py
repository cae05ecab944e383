"""Tests of huiqi.extract.loaders.load_text on fixture files built in tmp_path."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from huiqi.errors import (
    DocumentError,
    EmptyDocumentError,
    UnreadableDocumentError,
    UnsupportedFormatError,
)
from huiqi.extract import loaders
from huiqi.extract.loaders import decode_text, load_text
from huiqi.text.normalize import normalize

TITLE = "临川市人民政府关于支持中小企业专精特新发展的若干措施"
DOC_NUMBER = "临政发〔2023〕12号"
MEASURE_1 = (
    "一、加大财政奖励力度。对新认定的国家级专精特新“小巨人”企业,给予一次性奖励100万元;"
    "对新认定的省级专精特新中小企业,给予一次性奖励20万元。(责任单位:市工业和信息化局、市财政局)"
)
MEASURE_2 = (
    "二、强化融资支持。对专精特新企业获得的银行贷款,按贷款市场报价利率的50%给予贴息,"
    "每家企业每年最高50万元。(责任单位:市财政局、市地方金融监管局)"
)
CLOSING = "三、本措施自印发之日起施行,有效期至2025年12月31日。"
POLICY_LINES = [TITLE, DOC_NUMBER, "各县(区)人民政府,市直各部门:", MEASURE_1, MEASURE_2, CLOSING]
POLICY_TEXT = "\n".join(POLICY_LINES)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------------------------
# plain text and encodings


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b""), ("utf-16", b"")],
    ids=["utf-8", "utf-8-bom", "gb18030", "utf-16-bom"],
)
def test_txt_encodings_round_trip(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    path = write(tmp_path, "policy.txt", prefix + POLICY_TEXT.encode(encoding))
    assert load_text(path) == POLICY_TEXT


def test_gb18030_file_is_not_misread(tmp_path: Path) -> None:
    # 𠀀 exists only in GB18030 (a four-byte sequence), not in GBK or GB2312.
    text = "关于印发《临川市工业发展专项资金管理办法》的通知\n资金用于支持𠀀字号企业技术改造。"
    data = text.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert load_text(write(tmp_path, "gb.txt", data)) == text


def test_short_gb18030_file(tmp_path: Path) -> None:
    assert load_text(write(tmp_path, "short.txt", "通知".encode("gb18030"))) == "通知"


def test_utf8_file_is_not_read_as_gb18030(tmp_path: Path) -> None:
    data = POLICY_TEXT.encode("utf-8")
    assert data.decode("gb18030", errors="replace") != POLICY_TEXT
    assert load_text(write(tmp_path, "u.txt", data)) == POLICY_TEXT


def test_big5_file_is_detected(tmp_path: Path) -> None:
    text = "關於支持中小企業發展的若干措施。對新認定的企業給予一次性獎勵。"
    assert load_text(write(tmp_path, "big5.txt", text.encode("big5"))) == text


def test_traditional_text_loads_and_normalizes_to_simplified(tmp_path: Path) -> None:
    text = "關於支持中小企業發展的若干措施\n對新認定的企業給予獎勵補助,最高５００萬元。"
    loaded = load_text(write(tmp_path, "trad.txt", text.encode("utf-8")))
    assert loaded == text  # load_text does not normalise
    assert normalize(loaded) == "关于支持中小企业发展的若干措施\n对新认定的企业给予奖励补助,最高500万元。"


def test_txt_blank_lines_and_indentation_are_tidied(tmp_path: Path) -> None:
    raw = "\r\n\u3000\u3000第一段。  \r\n\r\n\r\n\t第二段。\r\n   \r\n"
    assert load_text(write(tmp_path, "a.txt", raw.encode("utf-8"))) == "第一段。\n第二段。"


def test_undecodable_text(tmp_path: Path) -> None:
    with pytest.raises(UnreadableDocumentError, match="无法识别文件编码"):
        load_text(write(tmp_path, "x.txt", bytes(range(0x80, 0x100)) * 20))


def test_decode_text_rejects_random_bytes() -> None:
    assert decode_text(bytes(range(0x80, 0x100)) * 4) is None


# --------------------------------------------------------------------------------------------
# web pages

NAV_WORDS = ["政民互动", "办事服务", "您的位置", "加盟热线", "分享到", "版权所有", "网站标识码", "统计代码"]


def gov_page(charset: str = "gb2312", h1_in_article: bool = True, layout_table: bool = False) -> str:
    heading = f"<h1>{TITLE}</h1>"
    body = "".join(f"<p>{line}</p>" for line in POLICY_LINES[1:])
    body += '<p style="text-align:right">临川市人民政府</p><p style="text-align:right">2023年5月6日</p>'
    if layout_table:
        body = f'<table width="100%"><tr><td class="bt_content">{body}</td></tr></table>'
    article = (
        f'<div class="main">{heading if h1_in_article else ""}'
        '<div class="info">发布日期:2023-05-06 信息来源:市工业和信息化局 浏览次数:1024 【打印】【关闭】</div>'
        f'<div class="content TRS_Editor">{body}</div></div>'
    )
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{TITLE}_政策文件_临川市人民政府</title>
<script>var _hmt = []; document.write("统计代码");</script>
<style>.nav {{ color: red }}</style>
</head><body>
<div class="header"><div class="logo">临川市人民政府</div>
<ul class="nav menu"><li><a href="/">首页</a></li><li><a href="/hd">政民互动</a></li>
<li><a href="/fw">办事服务</a></li></ul></div>
<div class="crumb">您的位置:<a href="/">首页</a> &gt; <a href="/zw">政务公开</a> &gt; 政策文件</div>
<div class="ad"><a href="/ad">加盟热线:138-0000-1234 广告位招租</a></div>
{"" if h1_in_article else f'<div class="titlebox">{heading}</div>'}
{article}
<div class="share">分享到: 微信 微博</div>
<div class="related"><h3>相关阅读</h3><ul><li><a href="/a1">市领导调研企业技术改造工作</a></li></ul></div>
<div class="footer"><p>主办单位:临川市人民政府办公室 网站标识码:9999000001</p>
<p>Copyright &copy; 2023 临川市人民政府 版权所有 备案号:赣ICP备12345678号</p></div>
</body></html>"""


def assert_article(text: str) -> None:
    lines = text.split("\n")
    assert lines[0] == TITLE
    for line in POLICY_LINES[1:]:
        assert line in lines  # each paragraph is its own line
    assert "临川市人民政府" in lines and "2023年5月6日" in lines
    for word in NAV_WORDS:
        assert word not in text
    assert "document.write" not in text and "color: red" not in text


def test_html_gbk_page_keeps_only_the_article(tmp_path: Path) -> None:
    path = write(tmp_path, "page.html", gov_page("gb2312").encode("gb18030"))
    text = load_text(path)
    assert_article(text)
    assert any(line.startswith("发布日期:2023-05-06") for line in text.split("\n"))


def test_html_title_is_restored_when_extractor_drops_it(tmp_path: Path) -> None:
    path = write(tmp_path, "page.htm", gov_page("gbk", h1_in_article=False).encode("gbk"))
    text = load_text(path)
    assert_article(text)
    assert text.split("\n")[1].startswith("发布日期:2023-05-06")  # date line kept under the title


def test_html_layout_table_keeps_paragraph_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "page.html", gov_page("utf-8", layout_table=True).encode("utf-8"))
    assert_article(load_text(path))


def test_html_without_charset_is_utf8_then_gb18030(tmp_path: Path) -> None:
    page = gov_page("").replace("; charset=", "")
    assert_article(load_text(write(tmp_path, "u.html", page.encode("utf-8"))))
    assert_article(load_text(write(tmp_path, "g.html", page.encode("gb18030"))))


def test_html_with_wrong_charset_declaration(tmp_path: Path) -> None:
    page = gov_page("utf-8")  # declared UTF-8, saved as GBK
    assert_article(load_text(write(tmp_path, "wrong.html", page.encode("gb18030"))))


def test_html_title_from_title_tag_without_h1(tmp_path: Path) -> None:
    page = gov_page("utf-8").replace(f"<h1>{TITLE}</h1>", "")
    text = load_text(write(tmp_path, "noh1.html", page.encode("utf-8")))
    assert text.split("\n")[0] == TITLE  # site name after "_" is cut off


def test_html_fallback_extractor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loaders, "_trafilatura_text", lambda markup: None)
    text = load_text(write(tmp_path, "page.html", gov_page("gb2312").encode("gb18030")))
    assert text.split("\n")[0] == TITLE
    for line in POLICY_LINES[1:]:
        assert line in text.split("\n")
    assert "政民互动" not in text and "版权所有" not in text


def test_html_without_article(tmp_path: Path) -> None:
    page = '<html><head><meta charset="utf-8"></head><body><script>var a = 1;</script></body></html>'
    with pytest.raises(EmptyDocumentError):
        load_text(write(tmp_path, "empty.html", page.encode("utf-8")))


# --------------------------------------------------------------------------------------------
# Word


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph(TITLE)
    document.add_paragraph(DOC_NUMBER)
    document.add_paragraph("")
    document.add_paragraph(MEASURE_1)
    table = document.add_table(rows=3, cols=3)
    for cell, text in zip(table.rows[0].cells, ["序号", "奖励事项", "责任单位"], strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["1", "小巨人企业奖励", "市工业和信息化局"], strict=True):
        cell.text = text
    merged = table.cell(2, 0).merge(table.cell(2, 2))
    merged.text = "以上奖励由市财政统一拨付"
    document.add_paragraph(CLOSING)
    document.save(str(path))
    return path


def test_docx_paragraphs_and_tables_in_order(tmp_path: Path) -> None:
    lines = load_text(make_docx(tmp_path / "policy.docx")).split("\n")
    assert lines == [
        TITLE,
        DOC_NUMBER,
        MEASURE_1,
        "序号\t奖励事项\t责任单位",
        "1\t小巨人企业奖励\t市工业和信息化局",
        "以上奖励由市财政统一拨付",  # a merged cell appears once
        CLOSING,
    ]


def test_docx_without_text_is_empty(tmp_path: Path) -> None:
    import docx

    path = tmp_path / "blank.docx"
    docx.Document().save(str(path))
    with pytest.raises(EmptyDocumentError, match="文件为空"):
        load_text(path)


def _zip_without_document() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a word document")
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["garbage-zip", "zip-without-document", "truncated", "plain-text"])
def test_damaged_docx(tmp_path: Path, kind: str) -> None:
    if kind == "garbage-zip":
        data = b"PK\x03\x04" + b"\x00damaged" * 50
    elif kind == "zip-without-document":
        data = _zip_without_document()
    elif kind == "truncated":
        data = make_docx(tmp_path / "good.docx").read_bytes()[:3000]
    else:
        data = "这不是一个 Word 文件".encode()
    with pytest.raises(UnreadableDocumentError, match=r"^.*: 文件已损坏或无法打开: .+"):
        load_text(write(tmp_path, "damaged.docx", data))


def test_old_word_file_renamed_to_docx(tmp_path: Path) -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    with pytest.raises(UnsupportedFormatError, match=r"另存为 \.docx"):
        load_text(write(tmp_path, "old.docx", data))


# --------------------------------------------------------------------------------------------
# PDF


def _cjk_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def make_pdf(path: Path, paragraphs: int = 16) -> Path:
    """An A4 document like a printed 红头文件: a centred title, long measures wrapped at the right
    margin (one of them across a page break), a right-aligned signature and page numbers."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    font, size, leading, left, right = _cjk_font(), 12, 20, 72.0, A4[0] - 72.0
    pdf = canvas.Canvas(str(path), pagesize=A4)
    state = {"y": A4[1] - 72.0, "page": 1}

    def new_line() -> float:
        if state["y"] < 72:
            pdf.setFont(font, 10)
            pdf.drawCentredString(A4[0] / 2, 30, f"- {state['page']} -")
            pdf.showPage()
            state["y"], state["page"] = A4[1] - 72.0, state["page"] + 1
        pdf.setFont(font, size)
        y = state["y"]
        state["y"] -= leading
        return y

    def paragraph(text: str, indent: float = 2 * size) -> None:
        line, x0 = "", left + indent
        for char in text:
            if stringWidth(line + char, font, size) > right - x0:
                pdf.drawString(x0, new_line(), line)
                line, x0 = "", left
            line += char
        pdf.drawString(x0, new_line(), line)

    pdf.setFont(font, size)
    pdf.drawCentredString(A4[0] / 2, new_line(), TITLE)
    pdf.drawCentredString(A4[0] / 2, new_line(), DOC_NUMBER)
    paragraph("各县(区)人民政府:", indent=0)
    for number in range(1, paragraphs + 1):
        paragraph(measure_text(number))
    pdf.drawRightString(right, new_line(), "临川市人民政府")
    pdf.drawRightString(right, new_line(), "2023年5月6日")
    pdf.setFont(font, 10)
    pdf.drawCentredString(A4[0] / 2, 30, f"- {state['page']} -")
    pdf.save()
    return path


def measure_text(number: int) -> str:
    return (
        f"{number}.第{number}项措施。对新认定的国家级专精特新“小巨人”企业,给予一次性奖励100万元;对新认定的省级"
        "专精特新中小企业,给予一次性奖励20万元,奖励资金由市、区两级财政按比例分担。(责任单位:市工业和信息化局)"
    )


def test_pdf_text_layer_is_extracted_and_reflowed(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "policy.pdf")
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        first_page = (pdf.pages[0].extract_text() or "").split("\n")
        assert len(pdf.pages) >= 2
    assert first_page[0] == TITLE  # the CID font's Chinese text layer extracts
    assert first_page[-1] == "- 1 -"
    assert not first_page[-2].endswith("。") and not first_page[-2].endswith(")")  # a measure is split
    lines = load_text(path).split("\n")
    assert lines[:3] == [TITLE, DOC_NUMBER, "各县(区)人民政府:"]
    assert lines[3:-2] == [measure_text(i) for i in range(1, 17)]  # wrapped lines joined again
    assert lines[-2:] == ["临川市人民政府", "2023年5月6日"]  # signature not glued together
    assert not any(line.startswith("- ") for line in lines)  # page numbers dropped


def test_pdf_spaced_out_characters(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "spaced.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.setFont(_cjk_font(), 14)
    pdf.drawString(72, 760, "关 于 印 发 若 干 措 施 的 通 知")
    pdf.drawString(72, 730, "临川市发展和改革委员会    临川市工业和信息化局")
    pdf.save()
    lines = load_text(path).split("\n")
    assert lines[0] == "关于印发若干措施的通知"
    assert lines[1].split() == ["临川市发展和改革委员会", "临川市工业和信息化局"]


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.drawImage(ImageReader(Image.new("RGB", (200, 100), "white")), 72, 600, width=400, height=200)
    pdf.showPage()
    pdf.showPage()  # and an empty page
    pdf.save()
    with pytest.raises(UnreadableDocumentError, match=r"PDF 没有文字层.*扫描件"):
        load_text(path)


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", b"not a pdf at all, just words"],
    ids=["broken", "not-pdf"],
)
def test_damaged_pdf(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(UnreadableDocumentError, match=r"文件已损坏或无法打开: .+"):
        load_text(write(tmp_path, "broken.pdf", data))


# --------------------------------------------------------------------------------------------
# errors common to all formats


@pytest.mark.parametrize("name", ["a.txt", "a.html", "a.docx", "a.pdf"])
def test_zero_bytes_is_empty(tmp_path: Path, name: str) -> None:
    with pytest.raises(EmptyDocumentError, match="文件为空"):
        load_text(write(tmp_path, name, b""))


def test_whitespace_only_is_empty(tmp_path: Path) -> None:
    with pytest.raises(EmptyDocumentError, match="文件为空"):
        load_text(write(tmp_path, "a.txt", b" \r\n\t\n" + "\u3000".encode()))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="文件不存在") as caught:
        load_text(tmp_path / "nope.txt")
    assert type(caught.value) is DocumentError
    assert caught.value.path == tmp_path / "nope.txt"


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with pytest.raises(DocumentError, match="是目录而不是文件") as caught:
        load_text(folder)
    assert type(caught.value) is DocumentError


def test_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormatError) as caught:
        load_text(write(tmp_path, "a.xyz", "正文".encode()))
    assert caught.value.reason == "不支持的文件类型 .xyz(支持 .txt .html .docx .pdf)"


def test_old_doc_suffix_suggests_docx(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormatError, match=r"\.doc.*另存为 \.docx"):
        load_text(write(tmp_path, "a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100))


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40, "压缩包"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "图片"),
        (bytes(range(256)) * 8, "不是文字"),
    ],
    ids=["pdf", "zip", "png", "binary"],
)
@pytest.mark.parametrize("suffix", [".txt", ".html"])
def test_binary_disguised_as_text(tmp_path: Path, data: bytes, kind: str, suffix: str) -> None:
    with pytest.raises(UnsupportedFormatError, match=kind):
        load_text(write(tmp_path, f"disguised{suffix}", data))


@pytest.mark.parametrize("suffix", [".txt", ".text", ".html", ".htm", ".docx", ".pdf"])
@pytest.mark.parametrize(
    "data",
    [b"\x00", b"\xff" * 300, b"<html><body><p>\xff\xfe\x00</p>", b"PK\x03\x04", b"%PDF-"],
    ids=["nul", "ff", "broken-html", "zip-head", "pdf-head"],
)
def test_no_library_exception_escapes(tmp_path: Path, suffix: str, data: bytes) -> None:
    path = write(tmp_path, f"odd{suffix}", data)
    try:
        load_text(path)
    except DocumentError as exc:
        assert exc.reason  # a reason for the user, in Chinese
        assert any("\u4e00" <= char <= "\u9fff" for char in exc.reason)


def test_a_file_beyond_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    from huiqi.extract.loaders import MAX_FILE_BYTES

    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # a sparse file: no 50 MB written to the disk
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(DocumentError, match=r"文件过大\(50 MB\),超过 50 MB 的上限"):
        load_text(path)


def test_a_text_beyond_any_real_policy_is_refused_with_a_chinese_reason(tmp_path: Path) -> None:
    from huiqi.extract.pipeline import MAX_TEXT_CHARS, extract_file

    sentence = "对新认定的企业给予10万元奖励。\n"
    path = write(tmp_path, "dump.txt", (sentence * (MAX_TEXT_CHARS // len(sentence) + 1)).encode())
    with pytest.raises(DocumentError, match=r"正文过长.*超过一份政策文件200万字的上限"):
        extract_file(path)
