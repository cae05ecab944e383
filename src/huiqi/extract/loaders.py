"""Loading a policy document's raw text (读取文件原文) from .txt, .html, .docx and .pdf files.

:func:`load_text` is the only entry point. It returns the article text one paragraph per line,
without blank lines, *not yet normalised*: the caller runs :func:`huiqi.text.normalize.normalize`
(and, for web pages, :func:`huiqi.extract.boilerplate.strip_boilerplate`) itself.

Every failure is reported as one of the :mod:`huiqi.errors` document errors with a reason in
Chinese; no exception from a parsing library ever escapes.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from huiqi.errors import (
    DocumentError,
    EmptyDocumentError,
    UnreadableDocumentError,
    UnsupportedFormatError,
)
from huiqi.text.normalize import to_simplified

TEXT_SUFFIXES = frozenset({".txt", ".text"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".shtml", ".xhtml"})
DOCX_SUFFIXES = frozenset({".docx"})
PDF_SUFFIXES = frozenset({".pdf"})
SUPPORTED_HINT = "支持 .txt .html .docx .pdf"
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | DOCX_SUFFIXES | PDF_SUFFIXES


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files to read: each file as given, and each directory's supported files (sorted, not recursive)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
            )
        else:
            out.append(path)
    return out


# Old binary office formats that users commonly have: tell them how to convert.
_LEGACY_OFFICE = {
    ".doc": "旧版 Word 文件",
    ".wps": "WPS 文字文件",
    ".rtf": "RTF 文件",
}

# Magic numbers of binary formats that must never be decoded as text (文件头签名).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF 文件"),
    (b"PK\x03\x04", "压缩包或 Office 文件(如 .docx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Office 文件(如 .doc)"),
    (b"\x89PNG", "图片"),
    (b"\xff\xd8\xff", "图片"),
    (b"GIF8", "图片"),
    (b"Rar!", "压缩包"),
    (b"7z\xbc\xaf", "压缩包"),
    (b"\x1f\x8b", "压缩包"),
)

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Share of a decoding's non-ASCII characters that must be common Chinese for it to be believed.
_PLAUSIBLE = 0.85
_GB_ALIASES = frozenset(
    {"gb2312", "gbk", "gb_2312-80", "gb_2312", "x-gbk", "cp936", "ms936", "euc-cn", "gb18030"}
)


# --------------------------------------------------------------------------------------------
# entry point


def load_text(path: Path) -> str:
    """Return the raw article text of the document at ``path``, one paragraph per line.

    Raises :class:`~huiqi.errors.DocumentError` (file missing, a directory, unreadable),
    :class:`~huiqi.errors.EmptyDocumentError` (文件为空), :class:`~huiqi.errors.UnsupportedFormatError`
    (不支持的文件类型) or :class:`~huiqi.errors.UnreadableDocumentError` (损坏、加密、扫描件、编码无法识别).
    """
    path = Path(path)
    data = _read_bytes(path)
    suffix = path.suffix.lower()
    reader = _reader_for(path, suffix)
    if not data.strip():
        raise EmptyDocumentError(path, "文件为空")
    if reader in (_read_txt, _read_html):
        _refuse_binary(path, suffix, data)
    text = _tidy(reader(path, data))
    if not text:
        raise EmptyDocumentError(path, "文件为空")
    return text


MAX_FILE_BYTES = 50 * 1024 * 1024
"""The largest file read (50 MB): a policy .docx or .pdf with its images stays far below it."""


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise DocumentError(path, "文件不存在")
    if path.is_dir():
        raise DocumentError(path, "是目录而不是文件")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DocumentError(
                path, f"文件过大({size / 1024 / 1024:.0f} MB),超过 {MAX_FILE_BYTES // 1024 // 1024} MB 的上限"
            )
        return path.read_bytes()
    except PermissionError as exc:
        raise UnreadableDocumentError(path, "没有读取该文件的权限") from exc
    except OSError as exc:
        raise UnreadableDocumentError(path, f"无法读取文件: {exc.strerror or exc}") from exc


def _reader_for(path: Path, suffix: str) -> Callable[[Path, bytes], str]:
    if suffix in TEXT_SUFFIXES:
        return _read_txt
    if suffix in HTML_SUFFIXES:
        return _read_html
    if suffix in DOCX_SUFFIXES:
        return _read_docx
    if suffix in PDF_SUFFIXES:
        return _read_pdf
    if suffix in _LEGACY_OFFICE:
        raise UnsupportedFormatError(
            path,
            f"不支持{_LEGACY_OFFICE[suffix]} {suffix},请用 Word 或 WPS 另存为 .docx 后再试({SUPPORTED_HINT})",
        )
    shown = suffix or "(没有扩展名)"
    raise UnsupportedFormatError(path, f"不支持的文件类型 {shown}({SUPPORTED_HINT})")


def _refuse_binary(path: Path, suffix: str, data: bytes) -> None:
    """Refuse a text/HTML file whose bytes are really a binary format (二进制文件冒充文本)."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise UnsupportedFormatError(
                path, f"文件扩展名是 {suffix},但内容其实是{kind},请改成正确的扩展名后再试({SUPPORTED_HINT})"
            )
    head = data[:8192]
    if b"\x00" in head and not head.startswith(_UTF16_BOMS) and _decode_utf16_without_bom(data) is None:
        raise UnsupportedFormatError(path, f"文件扩展名是 {suffix},但内容不是文字(可能是二进制文件)")


_BLANK_RUN = re.compile(r"[ \u3000\u00a0]+")


def _tidy(text: str) -> str:
    """One paragraph per line: unify line ends, trim each line, drop blank lines (tabs inside a
    line, which separate table cells, are kept)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\v", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n").replace("\ufeff", "")
    lines = (_BLANK_RUN.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


# --------------------------------------------------------------------------------------------
# plain text and encodings


def _read_txt(path: Path, data: bytes) -> str:
    text = decode_text(data)
    if text is None:
        raise UnreadableDocumentError(path, "无法识别文件编码(请另存为 UTF-8 编码的文本)")
    return text


def decode_text(data: bytes) -> str | None:
    """Decode the bytes of a Chinese text file, or return ``None`` when no encoding fits.

    Order: a byte-order mark (UTF-8/UTF-16); strict UTF-8; strict GB18030 (a superset of GBK and
    GB2312) when the result reads as Chinese; then Big5 and charset-normalizer's best guess,
    keeping whichever candidate reads most like Chinese text.
    """
    if data.startswith(codecs.BOM_UTF8):
        decoded = _strict(data[len(codecs.BOM_UTF8) :], "utf-8")
        if decoded is not None:
            return decoded
    if data.startswith(_UTF16_BOMS):
        decoded = _strict(data, "utf-16")
        if decoded is not None:
            return decoded
    utf8 = _strict(data, "utf-8")
    gb = _strict(data, "gb18030")
    if utf8 is not None and (utf8.isascii() or gb is None or _chinese_score(utf8) >= _chinese_score(gb)):
        return utf8
    if gb is not None and _chinese_score(gb) >= _PLAUSIBLE:
        return gb
    guess = _guess(data)
    if guess is None and b"\x00" in data:
        guess = _decode_utf16_without_bom(data)
    candidates = [c for c in (utf8, gb, _strict(data, "big5hkscs"), guess) if c is not None]
    if not candidates:
        return None
    best = max(candidates, key=_chinese_score)
    if _chinese_score(best) < _PLAUSIBLE and guess is not None:
        best = guess  # not Chinese in any encoding: trust the detector over a GB18030 misreading
    return best if _looks_like_text(best) else None


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _decode_utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text saved without a byte-order mark (its NUL bytes would otherwise look binary)."""
    for encoding in ("utf-16-le", "utf-16-be"):
        text = _strict(data[: len(data) - len(data) % 2], encoding)
        if text is not None and _looks_like_text(text) and _chinese_score(text) >= _PLAUSIBLE:
            return text
    return None


def _guess(data: bytes) -> str | None:
    """charset-normalizer's best decoding, used only when UTF-8 and GB18030 do not fit."""
    try:
        from charset_normalizer import from_bytes

        match = from_bytes(data).best()
    except Exception:  # a detector failure only means "no guess"
        return None
    return None if match is None else str(match)


@lru_cache(maxsize=1)
def _common_hanzi() -> frozenset[str]:
    """The 6,763 characters of GB2312 (常用汉字): almost every character of a real document."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xF8):
        for trail in range(0xA1, 0xFF):
            char = bytes((lead, trail)).decode("gb2312", errors="ignore")
            chars.update(char)
    return frozenset(chars)


def _is_common(char: str) -> bool:
    code = ord(char)
    return (
        char in _common_hanzi()
        or 0x3000 <= code <= 0x303F  # CJK punctuation 、。〔〕《》
        or 0xFF00 <= code <= 0xFFEF  # full-width forms ,:()
        or 0x2010 <= code <= 0x206F  # general punctuation “”—…
        or code == 0x00B7  # middle dot ·
    )


def _chinese_score(text: str) -> float:
    """Share of non-ASCII characters that are common Chinese characters or punctuation.

    Traditional characters are simplified first, so a Big5 or traditional GB18030 file scores
    as well as a simplified one, while a wrong decoding (乱码) scores low.
    """
    sample = text[:20000]
    others = [c for c in to_simplified(sample) if not c.isascii() and not c.isspace()]
    if not others:
        return 1.0
    return sum(_is_common(c) for c in others) / len(others)


def _looks_like_text(text: str) -> bool:
    controls = sum(1 for c in text if (ord(c) < 32 and c not in "\t\n\r\f\v") or 0x7F <= ord(c) <= 0x9F)
    return controls <= max(2, len(text) // 1000)


# --------------------------------------------------------------------------------------------
# web pages


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article"}
    | {"blockquote", "pre", "ul", "ol", "dd", "dt", "center"}
)
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "nav", "aside", "footer", "svg")
_DROP_TAGS_ALL = (*_DROP_TAGS, "input", "select", "button", "textarea", "object", "embed")
# class/id words of page furniture (导航、菜单、面包屑、分享、页脚、广告 …).
_FURNITURE_WORDS = frozenset(
    {"nav", "navbar", "navi", "menu", "menus", "submenu", "breadcrumb", "breadcrumbs", "crumb", "crumbs"}
    | {"footer", "foot", "copyright", "share", "bshare", "sharebox", "sidebar", "toolbar", "topbar"}
    | {"ad", "ads", "advert", "adv", "banner", "related", "relate", "friendlink", "links"}
    | {"position", "location", "dqwz", "weizhi", "qrcode", "ewm", "erweima"}
)
_CLASS_SPLIT = re.compile(r"[\s_\-]+")
_TITLE_SPLIT = re.compile("\\s*(?:_|\\||\uff5c|--|\u2014|\u2013|\\s-\\s)\\s*")


def _read_html(path: Path, data: bytes) -> str:
    markup = decode_html(data)
    if markup is None:
        raise UnreadableDocumentError(path, "无法识别网页编码")
    try:
        text, title, date_line = _html_article(markup)
    except Exception as exc:  # lxml / trafilatura failures on broken markup
        raise UnreadableDocumentError(path, f"文件已损坏或无法打开: 网页无法解析({_short(exc)})") from exc
    if not text.strip():
        raise EmptyDocumentError(path, "网页中没有找到正文")
    return _with_date_line(_with_title(text, title), date_line, title)


def decode_html(data: bytes) -> str | None:
    """Decode a web page: BOM, then the declared charset (GB2312/GBK read as GB18030), then
    UTF-8, then GB18030 and the other guesses of :func:`decode_text`."""
    if data.startswith((codecs.BOM_UTF8, *_UTF16_BOMS)):
        return decode_text(data)
    declared = _declared_charset(data[:4096])
    if declared is not None:
        decoded = _strict(data, declared)
        if decoded is not None:
            return decoded
    return decode_text(data)


def _declared_charset(head: bytes) -> str | None:
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if match is None:
        return None
    name = match.group(1).decode("ascii", errors="ignore").strip().lower()
    if name in _GB_ALIASES:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _html_article(markup: str) -> tuple[str, str | None, str | None]:
    """Return a page's article text, its title (h1 or <title>) and its date line (发布日期)."""
    import lxml.html

    markup = _strip_xml_declaration(markup)
    if not markup.strip():
        return "", None, None
    tree = lxml.html.fromstring(markup)
    title, meta = _page_title(tree), _page_date_line(tree)
    _drop_furniture(tree)
    _unwrap_layout_tables(tree)
    cleaned = lxml.html.tostring(tree, encoding="unicode")
    text = _trafilatura_text(cleaned)
    if not text or not text.strip():
        text = _largest_block_text(tree)
    return text, title, meta


def _strip_xml_declaration(markup: str) -> str:
    # lxml refuses str input that carries an encoding declaration.
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", markup, count=1)


def _trafilatura_text(markup: str) -> str | None:
    import trafilatura

    return trafilatura.extract(
        markup,
        include_comments=False,
        favor_recall=True,
        include_tables=True,
        include_images=False,
        include_links=False,
        include_formatting=False,
        deduplicate=False,
        with_metadata=False,
        config=_trafilatura_config(),
    )


@lru_cache(maxsize=1)
def _trafilatura_config():
    """trafilatura's defaults, except a lower "too short" threshold: Chinese is dense, and a
    notice of 200 characters is a whole document (below the threshold trafilatura falls back
    to a cruder extractor that lets menus through)."""
    from copy import deepcopy

    from trafilatura.settings import DEFAULT_CONFIG

    config = deepcopy(DEFAULT_CONFIG)
    config["DEFAULT"]["MIN_EXTRACTED_SIZE"] = "60"
    config["DEFAULT"]["EXTRACTION_TIMEOUT"] = "0"
    return config


def _text_of(element) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


def _page_title(tree) -> str | None:
    """The article title: the <h1> that the <title> repeats, else the longest h1, else the
    longest part of <title> once the site name (``_政策文件_某市人民政府``) is split off."""
    head_title = ""
    for element in tree.iter("title"):
        head_title = _text_of(element)
        break
    headings = [_text_of(h) for h in tree.iter("h1")]
    headings = [h for h in headings if len(h) >= 4]
    for heading in headings:
        if head_title and _compact(heading) in _compact(head_title):
            return heading
    long_headings = [h for h in headings if len(h) >= 8]
    if long_headings:
        return max(long_headings, key=len)
    parts = [p for p in _TITLE_SPLIT.split(head_title) if p]
    return max(parts, key=len) if parts else None


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _with_title(text: str, title: str | None) -> str:
    """Prepend the title line when the extractor dropped it (标题行)."""
    if not title:
        return text
    head = _compact("".join(text.strip().split("\n")[:6]))
    if _compact(title) in head:
        return text
    return f"{title}\n{text}"


_DATE_LABEL = re.compile(
    r"(?:发布|发文|成文|印发|公开|更新)?(?:日期|时间)\s*[:\uff1a]?\s*(\d{4}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2})"
)
_LINE_TAGS = ("div", "p", "td", "li", "dd", "span", "em", "h2", "h3", "h4", "h5", "h6", "font")


def _page_date_line(tree) -> str | None:
    """The page's publication line (发布日期:2023-05-06 信息来源:…): the smallest element whose
    text carries a labelled date. trafilatura often drops this line, and it may be the only date."""
    best: str | None = None
    for element in tree.iter(*_LINE_TAGS):
        text = _text_of(element)
        if len(text) <= 120 and _DATE_LABEL.search(text) and (best is None or len(text) < len(best)):
            best = text
            if element.tag != "span":
                break
    return best


def _with_date_line(text: str, date_line: str | None, title: str | None) -> str:
    """Put the date line back, under the title line, when the extractor dropped its date."""
    if not date_line:
        return text
    found = _DATE_LABEL.search(date_line)
    if found is None or _compact(found.group(1)) in _compact(text):
        return text
    lines = text.strip().split("\n")
    at = 0
    if title:
        heads = [i for i, line in enumerate(lines[:6]) if _compact(title) in _compact(line)]
        at = heads[0] + 1 if heads else 0
    return "\n".join([*lines[:at], date_line, *lines[at:]])


def _drop_furniture(tree) -> None:
    """Remove scripts, styles, navigation, menus, footers and ads before extraction."""
    doomed = [el for el in tree.iter(*_DROP_TAGS_ALL)]
    doomed += [el for el in tree.iter() if isinstance(el.tag, str) and _is_furniture(el)]
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()


def _is_furniture(element) -> bool:
    if element.tag in ("html", "body", "h1"):
        return False
    if element.tag == "header":
        return next(element.iter("h1"), None) is None
    names = f"{element.get('class', '')} {element.get('id', '')}".lower()
    words = set(_CLASS_SPLIT.split(names))
    return bool(words & _FURNITURE_WORDS) and next(element.iter("h1"), None) is None


def _unwrap_layout_tables(tree) -> None:
    """Turn layout tables (一整篇正文放在表格单元格里) into plain blocks, so their paragraphs stay
    separate lines instead of one table row; real data tables are left alone."""
    for table in list(tree.iter("table")):
        if _is_layout_table(table):
            for element in table.iter("table", "tbody", "thead", "tfoot", "tr", "td", "th"):
                element.tag = "div"


def _is_layout_table(table) -> bool:
    for cell in table.iter("td", "th"):
        blocks = sum(1 for el in cell.iter("p", "div", "br", "table") if el is not cell)
        if blocks >= 3 or len(cell.text_content()) > 300:
            return True
    return False


def _largest_block_text(tree) -> str:
    """Fallback extractor: the text of the element holding the most direct paragraph text."""
    best, best_size = None, 0
    for element in tree.iter("div", "article", "section", "main", "td", "body"):
        size = _direct_text_size(element)
        if size > best_size:
            best, best_size = element, size
    return "" if best is None else _block_text(best)


def _direct_text_size(element) -> int:
    size = len((element.text or "").strip())
    for child in element:
        if isinstance(child.tag, str) and child.tag in ("p", "span", "font", "strong", "b", "br", "h1", "h2"):
            size += len(child.text_content().strip())
        size += len((child.tail or "").strip())
    return size


def _block_text(element) -> str:
    """Text of an element with a line break at every block element and <br>."""
    parts: list[str] = []

    def walk(node) -> None:
        is_block = isinstance(node.tag, str) and node.tag in _BLOCK_TAGS
        if is_block:
            parts.append("\n")
        if node.text and isinstance(node.tag, str):
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if is_block:
            parts.append("\n")

    walk(element)
    return "".join(parts)


# --------------------------------------------------------------------------------------------
# Word


def _read_docx(path: Path, data: bytes) -> str:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnsupportedFormatError(
            path, "文件是旧版 Word(.doc)格式或已加密,请用 Word 或 WPS 另存为 .docx(不设密码)后再试"
        )
    try:
        import docx

        document = docx.Document(str(path))
        return "\n".join(_docx_blocks(document))
    except Exception as exc:
        raise UnreadableDocumentError(path, f"文件已损坏或无法打开: {_short(exc)}") from exc


def _docx_blocks(document) -> list[str]:
    """Paragraphs and table rows in document order; a row's cells are joined by a tab."""
    from docx.table import Table

    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_docx_table_rows(block))
        else:
            lines.append(block.text)
    return lines


def _docx_table_rows(table) -> list[str]:
    rows: list[str] = []
    for row in table.rows:
        seen: set[int] = set()
        cells: list[str] = []
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is returned once per grid column it spans
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
        rows.append("\t".join(c for c in cells if c))
    return rows


# --------------------------------------------------------------------------------------------
# PDF


_PAGE_NUMBER = re.compile(r"^[-—–\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*/\s*(?:共\s*)?\d{1,4}\s*页?)?[-—–\s]*$")
# 。！？；：…”」』）】 and their half-width forms (the text is not normalised yet).
_SENTENCE_END = tuple("\u3002\uff01\uff1f\uff1b\uff1a\u2026\u201d\u300d\u300f\uff09\u3011!?;:)")
_HEADING_START = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇\d]+[章条节部分]|[一二三四五六七八九十]+、|[(\uff08][一二三四五六七八九十\d]+[)\uff09]"
    r"|\d+[.、\uff0e](?!\d)|附件|附表)"
)


def _read_pdf(path: Path, data: bytes) -> str:
    if not data.lstrip().startswith(b"%PDF"):
        raise UnreadableDocumentError(path, "文件已损坏或无法打开: 不是有效的 PDF 文件")
    try:
        pages = _pdf_page_lines(path)
    except Exception as exc:
        if type(exc).__name__ in ("PDFPasswordIncorrect", "PDFEncryptionError", "PDFEncryptionWarning"):
            raise UnreadableDocumentError(path, "PDF 已加密,请先解除密码保护") from exc
        raise UnreadableDocumentError(path, f"文件已损坏或无法打开: {_short(exc)}") from exc
    if not pages:
        raise EmptyDocumentError(path, "文件为空")
    if not any(line for page in pages for line, _ in page):
        raise UnreadableDocumentError(path, "PDF 没有文字层(可能是扫描件),请先做文字识别")
    return "\n".join(_reflow(pages))


def _pdf_page_lines(path: Path) -> list[list[tuple[str, bool]]]:
    """Each page's text lines, with whether the line fills the text width (写满一行)."""
    import pdfplumber

    raw: list[list[dict]] = []
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            lines = page.extract_text_lines()
            raw.append([ln for ln in lines if ln["text"].strip() and not _PAGE_NUMBER.match(ln["text"])])
    found = [ln for page in raw for ln in page]
    if not found:
        return [[] for _ in raw]
    left = min(ln["x0"] for ln in found)
    right = max(ln["x1"] for ln in found)
    height = sorted(ln["bottom"] - ln["top"] for ln in found)[len(found) // 2]

    def fills_width(line: dict) -> bool:
        # A paragraph's lines start at the left margin (the first one indented by two
        # characters) and reach the right margin; centred titles and signatures do not.
        return line["x1"] >= right - 1.5 * height and line["x0"] <= left + 2.5 * height

    return [[(_unspace_cjk(ln["text"]), fills_width(ln)) for ln in page] for page in raw]


def _reflow(pages: list[list[tuple[str, bool]]]) -> list[str]:
    """Join the visual lines of a PDF into paragraphs (段落): a line that fills the width and
    does not end a sentence continues on the next line, also across a page break."""
    paragraphs: list[str] = []
    open_paragraph = False
    for page in pages:
        for text, full in page:
            if open_paragraph and paragraphs and not _HEADING_START.match(text):
                paragraphs[-1] += text
            else:
                paragraphs.append(text)
            open_paragraph = full and not text.rstrip().endswith(_SENTENCE_END)
    return paragraphs


_CJK = "\u3400-\u9fff\uf900-\ufaff"
_SPACED_PAIR = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")
_TIGHT_PAIR = re.compile(f"[{_CJK}](?=[{_CJK}])")


def _unspace_cjk(line: str) -> str:
    """Remove the spaces a PDF's justified text puts between Chinese characters (关 于 印 发),
    but only when most characters of the line are spaced that way, so that real gaps (two
    issuers on one line) survive."""
    spaced = len(_SPACED_PAIR.findall(line))
    tight = len(_TIGHT_PAIR.findall(line))
    if spaced >= 3 and spaced > tight:
        return _SPACED_PAIR.sub("", line)
    return line


# --------------------------------------------------------------------------------------------


def _short(exc: BaseException) -> str:
    """A short reason for the user, from a library exception."""
    if isinstance(exc, zipfile.BadZipFile):
        return "压缩结构损坏,不是有效的 Office 文件"
    if type(exc).__name__ == "PackageNotFoundError":
        return "不是有效的 .docx 文件"
    if isinstance(exc, KeyError):
        return "缺少文档内容部分"
    if type(exc).__name__ in ("PDFSyntaxError", "PSEOF", "PdfminerException"):
        return "PDF 结构损坏"
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    message = message[:80]
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
