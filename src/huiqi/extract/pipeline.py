"""The extraction pipeline: file → text → PolicyDoc.

``extract_text`` is a pure function of the text and never raises; ``extract_file`` adds the
file loading and the checks that turn a bad input into a ``DocumentError`` with a reason.
"""

from __future__ import annotations

import re
from pathlib import Path

from huiqi.errors import NotAPolicyError
from huiqi.extract.boilerplate import strip_boilerplate
from huiqi.extract.document import DOC_NUMBER, DOC_TYPES, extract_document
from huiqi.extract.incentives import extract_incentives
from huiqi.extract.loaders import load_text
from huiqi.extract.model import PolicyDoc
from huiqi.extract.stacking import extract_stacking
from huiqi.extract.structure import parse_structure
from huiqi.extract.targets import extract_targets
from huiqi.text.lines import unwrap_lines
from huiqi.text.normalize import normalize

_POLICY_MARKERS = re.compile(
    rf"{DOC_TYPES}|责任单位|给予[^。]{{0,20}}(?:奖励|补助|补贴|资助)|政策措施|各[\u4e00-\u9fff]{{1,10}}人民政府"
)


def looks_like_policy(text: str) -> bool:
    """Whether normalised text reads like a policy document (政策文件) at all.

    It must be mostly Chinese prose and show at least two signs of a policy: a document
    type word (意见、方案、通知 …), 责任单位, a 文号, a grant (给予…奖励), or a salutation.
    """
    hanzi = len(re.findall(r"[\u4e00-\u9fff]", text))
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
    lines = unwrap_lines(strip_boilerplate(normal).split("\n"))
    clean = "\n".join(lines)
    document = extract_document(raw_lines, lines, clean)
    body = lines
    if document.title:
        # The title and the header lines above the body are not part of any measure.
        for i, line in enumerate(lines[:12]):
            if document.title.replace(" ", "") in line.replace(" ", ""):
                body = lines[i + 1 :]
                break
    structure = parse_structure(body)
    return PolicyDoc(
        document=document,
        tasks=[{"id": s.id, "title": s.title, "responsible": s.responsible} for s in structure.tasks],
        incentives=extract_incentives(structure),
        targets=extract_targets(
            structure, _doc_year(document.doc_number, document.issued_on, clean), _plan_year(document.title)
        ),
        stacking=extract_stacking(structure),
        source=source,
    )


def extract_file(path: Path | str) -> PolicyDoc:
    """Load, check and read one document file; raises a ``DocumentError`` subclass on bad input."""
    path = Path(path)
    normal = normalize(load_text(path))
    if not looks_like_policy(normal):
        raise NotAPolicyError(path, "内容不像政策文件(没有找到文件标题、责任单位或奖补条款)")
    return _extract_normalized(normal, str(path))
