"""Repairing line structure (断行修复): text copied from a PDF or a web page breaks sentences.

In Chinese prose a line normally ends a paragraph with 。 ; : or a closing bracket. When most
prose lines of a document end mid-sentence, the text was hard-wrapped, and each such line is
joined to the next one, never across a heading (一、 (一) 1. 第一条), and never in the header
above the first prose line or the signature block below the last sentence. Spaces next to Chinese
characters inside prose (县财 政, 给 予 100 万元) are closed up in every document.

>>> wrapped = ["某市若干政策", "一、支持创新", "对新认定为国家级企业技术中心的企业,给予", "100万元奖励;对新认定为省级企业技",
...            "术中心的企业,给予50万元奖励。对新认定为市级企业技术中心", "的企业,给予20万元奖励,所需资金由", "市级财政承担。", "某市人民政府"]
>>> unwrap_lines(wrapped)[2:]
['对新认定为国家级企业技术中心的企业,给予100万元奖励;对新认定为省级企业技术中心的企业,给予50万元奖励。对新认定为市级企业技术中心的企业,给予20万元奖励,所需资金由市级财政承担。', '某市人民政府']
>>> close_cjk_spaces("分别给予 100 万元、30 万元奖励,县财 政承担。")
'分别给予100万元、30万元奖励,县财政承担。'
"""

from __future__ import annotations

import re

_TERMINAL = "。;;::!?!?))】"
# The start of a numbered heading in any printed style: 一、 (一) (1) 1. 第一条 第一章.
HEADING_START = (
    r"(?:[一二三四五六七八九十]{1,3}、(?!(?:[一二三四五六七八九十]、)*[一二三四五六七八九十](?:、|等奖|等次|星级|级))"
    r"|[((][一二三四五六七八九十\d]{1,3}[))]|\d{1,3}[.、．](?!\d)"
    r"|第[一二三四五六七八九十百\d]+[条章])"
)
_HEADING = re.compile(f"^{HEADING_START}")
_PROSE = re.compile(r"[,,。;]")
_SPACE_BY_HANZI = re.compile(
    r"(?<=[\u4e00-\u9fff\d%“”、,。])[ \t]+(?=[\u4e00-\u9fff\d“”])|(?<=[\u4e00-\u9fff])[ \t]+(?=[A-Za-z%])"
    r"|(?<=[A-Za-z])[ \t]+(?=[\u4e00-\u9fff])"
)


_LEADING_JUNK = re.compile(r"^[??*·•■□◆◇>]+\s*(?=[\u4e00-\u9fff((\d])")
_PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])\([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]{1,6}\)")


def drop_page_noise(line: str) -> str:
    """Remove a reposting site's noise: a stray mark before a heading, pinyin after a character.

    >>> drop_page_noise("?第一条 高新技(jì)术企业奖励。")
    '第一条 高新技术企业奖励。'
    """
    return _PINYIN.sub("", _LEADING_JUNK.sub("", line))


def close_cjk_spaces(line: str) -> str:
    """Remove spaces beside Chinese characters in a prose line; other lines are returned as they are."""
    if " " not in line and "\t" not in line:
        return line
    return _SPACE_BY_HANZI.sub("", line) if _PROSE.search(line) else line


def is_hard_wrapped(lines: list[str]) -> bool:
    """Whether most prose lines end mid-sentence, as text copied from a PDF does."""
    prose = [line for line in lines if len(line) >= 12 and _PROSE.search(line)]
    if len(prose) < 4:
        return False
    open_ended = sum(1 for line in prose if line[-1] not in _TERMINAL)
    return open_ended / len(prose) > 0.5


_INLINE_HEADING = re.compile(rf"(?<=[。;;])\s*(?={HEADING_START})")


def split_flattened(line: str) -> list[str]:
    """A page that prints its whole body on one line: start a new line at each numbered heading.

    >>> split_flattened("为促进发展,制定本措施。" * 30 + "一、总则。(一)支持创新。对企业给予奖励。")[-2:]
    ['一、总则。', '(一)支持创新。对企业给予奖励。']
    """
    if len(line) < 300:
        return [line]
    return [piece for piece in _INLINE_HEADING.split(line) if piece]


def _unclosed(line: str) -> bool:
    return line.count("(") > line.count(")") or line.count("“") > line.count("”")


def _continues(previous: str, line: str) -> str | None:
    """Why ``line`` continues ``previous`` (a clause ended with ;, a number or an open bracket
    broken at the line end), or None when it starts a paragraph of its own."""
    if _HEADING.match(line):
        return None
    if line[0].isdigit() or line[0] == ".":
        if previous.endswith(":") and previous[-2:-1].isdigit():
            return "number"  # 按1:\n1配套: a ratio broken at its colon
        if previous[-1].isdigit() and _PROSE.search(previous):
            return "number"  # 给予10\n0万元
    if previous[-1] in ";,、" and _PROSE.search(previous):
        return "clause"
    if _unclosed(previous) and len(previous) < 400:
        return "bracket"
    return None


def join_continued(lines: list[str], repairs: list[str] | None = None) -> list[str]:
    """Join lines that do not end a paragraph: a clause ended with ; (the collector broke the
    sentence there), an open bracket, a number broken at the line end (1:\n1, 10\n0万元). A
    repaired number is reported in ``repairs`` (the joined characters around it) for review.

    >>> join_continued(["对A企业给予10万元奖励;", "对B企业给予5万元奖励。", "二、附则"])
    ['对A企业给予10万元奖励;对B企业给予5万元奖励。', '二、附则']
    >>> repairs = []
    >>> join_continued(["按国家资助额给予1:", "1配套补助。"], repairs), repairs
    (['按国家资助额给予1:1配套补助。'], ['助额给予1:1配套补助。'])
    """
    out: list[str] = []
    for line in lines:
        why = _continues(out[-1], line) if out else None
        if why is None:
            out.append(line)
            continue
        if why == "number" and repairs is not None:
            repairs.append(out[-1][-6:] + line[:6])
        out[-1] += line
    return out


# A number before a unit of money printed with letters a scan mistook for digits (IOo万元, 1O0万元,
# l5%): I and l read as 1, O and o as 0. Only inside a token that touches the unit and holds no other
# letter, so that words (ERP, CMMI) and codes are never touched.
_OCR_NUMBER = re.compile(r"(?<![A-Za-z\d.])(?P<n>[\dIlOo][\dIlOo.]*)(?=\s*(?:万元|亿元|元|万|%))")
_OCR_DIGITS = str.maketrans("IlOo", "1100")
_OCR_LETTER = re.compile(r"[IlOo][\dIlOo.]*\s*(?:万元|亿元|元|万|%)|\d[IlOo]")


def repair_ocr_digits(line: str, repairs: list[str] | None = None) -> str:
    """Read letters inside a number of money as the digits they stand for (IOo万元 → 100万元).

    >>> repairs = []
    >>> repair_ocr_digits("给予IOo万元奖励,按l5%补助,ERP系统", repairs), repairs
    ('给予100万元奖励,按15%补助,ERP系统', ['IOo→100', 'l5→15'])
    """

    def fix(m: re.Match[str]) -> str:
        token = m.group("n")
        if token.isdigit() or not re.search(r"[IlOo]", token):
            return token
        digits = token.translate(_OCR_DIGITS)
        if len(digits) > 1 and digits.startswith("0") and not digits.startswith("0."):
            return token  # O5万元 is no number a scan would make
        if repairs is not None:
            repairs.append(f"{token}→{digits}")
        return digits

    if not _OCR_LETTER.search(line):
        return line
    return _OCR_NUMBER.sub(fix, line)


def unwrap_lines(lines: list[str]) -> list[str]:
    """Join the lines of a hard-wrapped document back into paragraphs; close CJK spaces."""
    lines = [piece for line in lines for piece in split_flattened(line.strip())]
    lines = [close_cjk_spaces(drop_page_noise(line.strip())) for line in lines if line.strip()]
    if not is_hard_wrapped(lines):
        return lines
    first = next((i for i, line in enumerate(lines) if _PROSE.search(line)), len(lines))
    last = max((i for i, line in enumerate(lines) if _PROSE.search(line)), default=-1) + 1
    out: list[str] = lines[:first]
    for i in range(first, len(lines)):
        line = lines[i]
        joinable = (
            out
            and first < i <= last
            and out[-1][-1] not in _TERMINAL
            and not _HEADING.match(line)
            and not (_HEADING.match(out[-1]) and len(out[-1]) < 30 and not _PROSE.search(out[-1]))
        )
        if joinable:
            out[-1] += line
        else:
            out.append(line)
    return [close_cjk_spaces(line) for line in out]
