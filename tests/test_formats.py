"""The same policy in every supported file format reads to the same data.

A seed document is written at test time as GB18030 text, an HTML page with site furniture, a
.docx and a PDF (paragraphs wrapped across lines and pages); each must give the incentives,
tasks and document fields the UTF-8 text gives.
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from docx import Document

from huiqi.extract.pipeline import extract_file

SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seeds" / "000_2e8ad184d2b3b81a.txt"

pytestmark = pytest.mark.seeds


def _lines() -> list[str]:
    return [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]


def _fingerprint(path: Path) -> tuple:
    doc = extract_file(path)
    return (
        doc.document.title,
        doc.document.doc_number,
        doc.document.issued_on,
        [(t.id, tuple(t.responsible)) for t in doc.tasks],
        [(r.task, r.kind, r.amount_wan, r.cap_wan, r.ratio, r.subject) for r in doc.incentives],
    )


@pytest.fixture(scope="module")
def expected() -> tuple:
    return _fingerprint(SEED)


def test_gb18030_text(tmp_path: Path, expected: tuple) -> None:
    path = tmp_path / "policy.txt"
    path.write_bytes("\n".join(_lines()).encode("gb18030"))
    assert _fingerprint(path) == expected


def test_html_page_with_site_furniture(tmp_path: Path, expected: tuple) -> None:
    lines = _lines()
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in lines[1:])
    page = f"""<!DOCTYPE html><html><head><meta charset="gbk"><title>{lines[1]}_某市政府门户网站</title></head>
<body><div class="nav"><a href="/">首页</a> &gt; <a href="/zc">政策文件</a></div>
<ul class="menu"><li>机构设置</li><li>政务公开</li><li>办事服务</li></ul>
<div class="article"><h1>{html.escape(lines[1])}</h1>{body}</div>
<div class="footer">版权所有:某市人民政府办公厅 联系电话:0531-12345678 网站标识码1234567890</div>
<script>var counter = 1;</script></body></html>"""
    path = tmp_path / "policy.html"
    path.write_bytes(page.encode("gb18030"))
    assert _fingerprint(path) == expected


def test_docx(tmp_path: Path, expected: tuple) -> None:
    document = Document()
    for line in _lines():
        document.add_paragraph(line)
    path = tmp_path / "policy.docx"
    document.save(str(path))
    assert _fingerprint(path) == expected


def test_pdf_with_wrapped_lines(tmp_path: Path, expected: tuple) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "policy.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    size, margin = 11, 60
    width, height = A4
    measure = width - 2 * margin
    y = height - margin

    def wrap(text: str, first_indent: float) -> list[tuple[float, str]]:
        """Fill each line to the measure, as a typesetter does (the first line indented)."""
        out, line, indent = [], "", first_indent
        for ch in text:
            if pdfmetrics.stringWidth(line + ch, "STSong-Light", size) > measure - indent:
                out.append((indent, line))
                line, indent = "", 0.0
            line += ch
        out.append((indent, line))
        return out

    pdf.setFont("STSong-Light", size)
    for line in _lines():
        indent = 2 * size if pdfmetrics.stringWidth(line, "STSong-Light", size) > measure else 0.0
        for x, chunk in wrap(line, indent):
            if y < margin:
                pdf.showPage()
                pdf.setFont("STSong-Light", size)
                y = height - margin
            pdf.drawString(margin + x, y, chunk)
            y -= size * 1.6
    pdf.save()
    assert _fingerprint(path) == expected
