"""The extraction pipeline: file → text → PolicyDoc.

``extract_text`` is a pure function of the text and never raises; ``extract_file`` adds the
file loading and the checks that turn a bad input into a ``DocumentError`` with a reason.
"""

from __future__ import annotations

import re
from pathlib import Path

from huiqi.errors import DocumentError, NotAPolicyError
from huiqi.extract.boilerplate import strip_boilerplate
from huiqi.extract.document import (
    DOC_NUMBER,
    DOC_TYPES,
    extract_document,
    glued_title,
    is_salutation,
    read_horizon,
)
from huiqi.extract.incentives import extract_incentives
from huiqi.extract.loaders import load_text
from huiqi.extract.model import PolicyDoc
from huiqi.extract.stacking import extract_stacking
from huiqi.extract.structure import parse_structure
from huiqi.extract.targets import extract_targets
from huiqi.text.lines import join_continued, repair_ocr_digits, unwrap_lines
from huiqi.text.normalize import normalize

_POLICY_MARKERS = re.compile(
    rf"{DOC_TYPES}|责任单位|给予[^。]{{0,20}}(?:奖励|补助|补贴|资助)|政策措施|各[\u4e00-\u9fff]{{1,10}}人民政府"
)
_MONEY_WORD = r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十百千两]+)\s*(?:万元|亿元|千元|元|万|%|‰)"
# A benefit sentence: a grant word near an amount or a rate, or a grant of money without a number.
_BENEFIT = re.compile(
    rf"(?:给予|予以|奖励|补助|补贴|资助|奖补|贴息|扶持)[^。;\n]{{0,40}}{_MONEY_WORD}"
    rf"|{_MONEY_WORD}[^。;\n]{{0,12}}(?:奖励|补助|补贴|资助|奖补|津贴|扶持)"
    rf"|{_MONEY_WORD}[^。;\n]{{0,30}}(?:给予|予以)"  # 按20万元/家的标准,给予孵化器一次性奖励
    r"|(?:给予|予以)(?:一定|适当|相应|全额)?(?:额度|金额|数额)?(?:的)?(?:资金|财政)?(?:奖励|补助|补贴|资助|奖补|贴息)"
    r"|(?:给予|予以)(?:一定|适当|相应)?(?:的)?资金支持|一事一议|一企一策"
)
MAX_TEXT_CHARS = 2_000_000
"""The longest text read as one document (200万字): far above any real policy (the longest
documents in the corpus are under 60,000 characters), low enough that a pasted data dump or a
concatenated archive is refused before it yields a hundred thousand rows."""
MAX_INCENTIVES = 1000
"""Above this many incentive rows a document is flagged for review: the longest real policies
hold a few hundred."""


def looks_like_policy(text: str) -> bool:
    """Whether normalised text carries any sign of policy at all (政策信号).

    A single benefit sentence is enough (an officer may paste one clause: 对…给予10万元奖励);
    otherwise the text must be mostly Chinese prose with at least two signs of a policy: a
    document type word (意见、方案、通知 …), 责任单位, a 文号, a grant, or a salutation.
    """
    hanzi = len(re.findall(r"[\u4e00-\u9fff]", text))
    if hanzi >= 6 and _BENEFIT.search(text):
        return True
    if hanzi < 30:
        return False
    signs = len(_POLICY_MARKERS.findall(text)) + len(DOC_NUMBER.findall(text))
    return signs >= 2


def _doc_year(doc_number: str | None, issued_on: str | None, text: str) -> int | None:
    for source in (doc_number or "", issued_on or ""):
        if m := re.search(r"(?:19|20)\d{2}", source):
            return int(m.group(0))
    years = re.findall(r"(20\d{2})年", text)
    return max(map(int, years)) if years else None


def _plan_year(title: str | None) -> int | None:
    """The year a plan is for, when its title names one (…2017年工作推进方案)."""
    m = re.search(r"(20\d{2})年(?:度)?[^年]*(?:计划|方案|要点|目标|任务)", title or "")
    return int(m.group(1)) if m else None


def extract_text(text: str, source: str | None = None) -> PolicyDoc:
    """Read a policy document's text into the interchange format. Never raises."""
    return _extract_normalized(normalize(text), source)


def _extract_normalized(normal: str, source: str | None) -> PolicyDoc:
    raw_lines = [line.strip() for line in normal.split("\n") if line.strip()]
    repairs: list[str] = []
    ocr: list[str] = []
    lines = [repair_ocr_digits(line, ocr) for line in unwrap_lines(strip_boilerplate(normal).split("\n"))]
    lines = join_continued(lines, repairs)
    clean = "\n".join(lines)
    document = extract_document(raw_lines, lines, clean)
    body = lines
    if document.title:
        # The title and the header lines above the body are not part of any measure.
        for i, line in enumerate(lines[:12]):
            if document.title.replace(" ", "") in line.replace(" ", ""):
                body = lines[i + 1 :]
                # A preamble or the first article printed on the title's own line is body text.
                glued = glued_title(line)
                if glued and glued[1] and not is_salutation(glued[1]) and not DOC_NUMBER.match(glued[1]):
                    body = [glued[1], *body]
                break
    structure = parse_structure(body)
    incentives = extract_incentives(structure, repairs, ocr)
    year = _doc_year(document.doc_number, document.issued_on, clean)
    read_horizon(document, clean, year)
    if len(incentives) > MAX_INCENTIVES:
        document.needs_review = True
        document.notes.append(
            f"读出奖补条款{len(incentives)}条,远超一份政策文件的通常数量(几十至几百条),"
            "请确认这是否为单份政策文件"
        )
    return PolicyDoc(
        document=document,
        tasks=[{"id": s.id, "title": s.title, "responsible": s.responsible} for s in structure.tasks],
        incentives=incentives,
        targets=extract_targets(structure, year, _plan_year(document.title)),
        stacking=extract_stacking(structure, {i.section for i in incentives if i.section}),
        source=source,
    )


def extract_file(path: Path | str) -> PolicyDoc:
    """Load, check and read one document file; raises a ``DocumentError`` subclass on bad input."""
    path = Path(path)
    text = load_text(path)
    if len(text) > MAX_TEXT_CHARS:
        raise DocumentError(
            path,
            f"正文过长(约{len(text) // 10000}万字),超过一份政策文件{MAX_TEXT_CHARS // 10000}万字的上限,"
            "请确认文件内容或拆分后再读",
        )
    normal = normalize(text)
    if not looks_like_policy(normal):
        raise NotAPolicyError(path, "内容不像政策文件(没有找到奖补条款、文件标题或责任单位)")
    return _extract_normalized(normal, str(path))
