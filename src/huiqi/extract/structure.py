"""Document structure (文件结构): numbered headings, measures (措施) and their 责任单位.

A policy document numbers its parts in a few printed styles, outermost first::

    一、  (一)  1.  (1)        and, in regulations, 第一章 … 第一条

``parse_structure`` turns the document's lines into ``Section`` nodes and ``Paragraph`` s that
know the section they sit in. A section that names responsible units, in a trailing
parenthesis such as ``(责任单位:市工信局、市财政局)``, ``(市发展改革委按职责分工负责)`` or a bare
list of units, is a task. Task ids are the printed number, with the parents' numbers joined
by ``.`` when that level's numbering restarts somewhere in the document (``三.一``, ``二.三.1``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from huiqi.text.clauses import split_top
from huiqi.text.money import parse_number

_CN = "一二三四五六七八九十百零〇"
# Outermost first. An article (第X条) stands above the (一) and 1. items it may hold, and below a
# 一、 part that may group articles.
ARTICLE = 2
_HEADINGS: list[tuple[int, re.Pattern[str]]] = [
    (0, re.compile(rf"^第(?P<num>[{_CN}\d]+)章\s*(?P<rest>.*)$")),
    (1, re.compile(rf"^(?P<num>[{_CN}]{{1,3}})\s*、\s*(?P<rest>.*)$")),
    (ARTICLE, re.compile(rf"^第(?P<num>[{_CN}\d]+)条\s*(?P<rest>.*)$")),
    (3, re.compile(rf"^[((]\s*(?P<num>[{_CN}]{{1,3}})\s*[))]\s*(?P<rest>.*)$")),
    (4, re.compile(r"^(?P<num>\d{1,3})\s*(?:[.、．](?!\d)|\s)\s*(?P<rest>.*)$")),
    (5, re.compile(r"^[((]\s*(?P<num>\d{1,2})\s*[))]\s*(?P<rest>.*)$")),
    (5, re.compile(r"^(?P<num>\d{1,2})\s*[))]\s*(?P<rest>.*)$")),
]
_NUMBERED = 4  # the level of 1. items, the ones a glued number (19加强组织领导) continues
_GRADE_LIST = re.compile(r"^(?:[一二三四五六七八九十]、)*[一二三四五六七八九十](?:、|等奖|等次|星级|级)")
# "19加强组织领导": an Arabic number glued to the heading; accepted only when it continues the count.
_GLUED = re.compile(r"^(?P<num>\d{1,3})(?P<rest>[\u4e00-\u9fff].*)$")

_TRAILING_PAREN = re.compile(
    r"(?:[((](?P<inner>[^()()]*(?:[((][^()()]*[))][^()()]*)*)[))]"
    r"|[\[【](?P<square>[^\[\]【】]*)[\]】])\s*[。.;;]?\s*$"
)
_LABEL = re.compile(r"^(?:责任单位|牵头单位|负责单位|责任部门|牵头部门|配合单位|参与单位|实施单位)\s*[::]\s*")
_DUTY_SUFFIX = re.compile(
    r"(?:按职责分工负责|按职责负责|分工负责|共同负责|牵头负责|配合负责|负责|牵头|配合|落实)$"
)
ORG_SUFFIX = re.compile(
    r"(?:局|委|办|部|会|厅|府|中心|支行|分行|分局|公司|办公室|管委会|部门|单位|院|所|营管部|中支|机关|小组|署|处|室|"
    r"组|站|队|集团|协会|联合会|商会|银行|街道|办事处|乡镇|镇|监管局|委员会|政府)$"
)


@dataclass(eq=False)
class Section:
    """A numbered part of the document (章、部分、条目、措施)."""

    level: int
    number: str
    heading: str
    parent: Section | None = None
    responsible: list[str] = field(default_factory=list)
    id: str = ""
    title: str = ""

    @property
    def is_task(self) -> bool:
        """A section is a task (任务) when it names its responsible units."""
        return bool(self.responsible)

    def ancestors(self) -> list[Section]:
        """This section and its parents, innermost first."""
        out, node = [], self
        while node is not None:
            out.append(node)
            node = node.parent
        return out

    def task(self) -> Section | None:
        """The innermost task this section is part of, if any."""
        return next((s for s in self.ancestors() if s.is_task), None)


@dataclass
class Paragraph:
    """One paragraph of text and the section it belongs to (None before the first heading)."""

    text: str
    section: Section | None
    index: int
    heading: bool = False  # the paragraph starts with its section's heading (标题句)


@dataclass
class Structure:
    """The parsed document: its sections in order and its paragraphs in order."""

    sections: list[Section]
    paragraphs: list[Paragraph]

    @property
    def tasks(self) -> list[Section]:
        return [s for s in self.sections if s.is_task]


def _to_int(number: str) -> int | None:
    try:
        return int(parse_number(number))
    except ValueError:
        return None


def looks_like_org(name: str) -> bool:
    """Whether ``name`` reads like a government body or unit (市财政局, 各区县政府, 市直有关部门)."""
    name = name.strip()
    if not name or len(name) > 40 or re.search(r"[,。;:的]|给予|支持|推动|加强|下同", name):
        return False
    return bool(ORG_SUFFIX.search(_DUTY_SUFFIX.sub("", name)))


def parse_units(inner: str) -> list[str] | None:
    """Read the responsible units out of a parenthesis, or None when it is not such a list.

    >>> parse_units("责任单位:市工信局、市财政局,各县市区人民政府。以下任务均需各县市区落实")
    ['市工信局', '市财政局', '各县市区人民政府']
    >>> parse_units("市发展改革委、市科技局按职责分工负责")
    ['市发展改革委', '市科技局']
    >>> parse_units("含税") is None
    True
    """
    inner = inner.strip()
    labelled = bool(_LABEL.match(inner))
    units: list[str] = []
    for segment in split_top(inner, ";;"):
        segment = _LABEL.sub("", segment.strip())
        segment = split_top(segment, "。")[0] if segment else segment
        for unit in split_top(segment, "、,,"):
            unit = _DUTY_SUFFIX.sub("", unit.strip()).strip()
            if unit:
                units.append(unit)
    if not units:
        return None
    units = _merge_fragments(units)
    if labelled:
        # (责任单位:A、B,排在首位的为牵头单位,下同): keep the bodies, drop the remarks.
        return [u for u in units if looks_like_org(u)] or units
    if all(looks_like_org(u) for u in units):
        return units
    if re.search(r"牵头|配合|负责", inner) and sum(map(looks_like_org, units)) * 3 >= len(units) * 2:
        return [u for u in units if looks_like_org(u)]
    return None


def _merge_fragments(units: list[str]) -> list[str]:
    """各州、市人民政府 is one unit split at its 、: join a fragment that is not a body to the next."""
    out: list[str] = []
    for unit in units:
        if out and not looks_like_org(out[-1]) and len(out[-1]) <= 3 and looks_like_org(unit):
            out[-1] = f"{out[-1]}、{unit}"
        else:
            out.append(unit)
    return out


def _match_heading(line: str, last_number: dict[int, int]) -> tuple[int, str, str] | None:
    for level, pattern in _HEADINGS:
        m = pattern.match(line)
        if m is None:
            continue
        value = _to_int(m.group("num"))
        if value is None or value > 300:  # "2022年…" is a year, not item 2022
            continue
        if level == 1 and _GRADE_LIST.match(m.group("rest")):
            continue  # 一、二等奖的,每项…: a list of grades, not part 一
        return level, m.group("num"), m.group("rest").strip()
    m = _GLUED.match(line)
    if m and _to_int(m.group("num")) == last_number.get(_NUMBERED, -99) + 1:
        return _NUMBERED, m.group("num"), m.group("rest").strip()
    return None


# A heading that exhorts (鼓励…, 支持…, 加快…) glued to the sentence that grants under it:
# 鼓励专业市场建立统一经营的市场机制对统一管理的专业市场…给予…奖励.
_EXHORTATION = re.compile(r"^(?:鼓励|支持|加快|推动|推进|促进|加大|加强|提升|实施|建立|培育|引导|扶持|大力)")
_GLUED_SUBJECT = re.compile(
    r"(?<=[\u4e00-\u9fff)”])(?=对(?:于)?(?!接|外|内|象|此|其|标|口|照|应)[^。]{2,80}?(?:给予|予以|奖励|补助|补贴|资助))"
)


def _split_glued_heading(rest: str) -> str:
    """Put a full stop between an exhorting heading and the grant sentence glued to it."""
    if not _EXHORTATION.match(rest) or (re.match(r"[^。,;:]*[,;:]", rest[:40]) is None and "。" in rest[:8]):
        return rest
    m = _GLUED_SUBJECT.search(rest, 4)
    if m is None or m.start() > 40 or re.search(r"[,。;:]", rest[: m.start()]):
        return rest
    return rest[: m.start()] + "。" + rest[m.start() :]


def _title_of(heading: str) -> str:
    heading = _TRAILING_PAREN.sub("", heading).strip()
    first = split_top(heading, "。")
    title = first[0] if first else heading
    return re.sub(r"[。;;,,\s]+$", "", title)


# "…(责任单位:市经信局)(三)全力推进…": a heading glued after a responsible-unit parenthesis.
_GLUED_HEADING = re.compile(
    r"(?<=[))])(?=(?:[((][一二三四五六七八九十]{1,3}[))]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.、])[\u4e00-\u9fff])"
)


def _split_glued(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        pieces, start = [], 0
        for m in _GLUED_HEADING.finditer(line):
            before = line[start : m.start()]
            if re.search(r"[((][^()()]*(?:责任单位|负责|牵头)[^()()]*[))]$", before):
                pieces.append(before)
                start = m.start()
        pieces.append(line[start:])
        out.extend(pieces)
    return out


def _assign_ids(sections: list[Section], restarts: set[int]) -> None:
    """Ids as printed, with the parents' numbers joined where a level's numbering restarts."""
    for section in sections:
        parts, node = [section.number], section
        while node.level in restarts and node.parent is not None:
            node = node.parent
            parts.insert(0, node.number)
        section.id = ".".join(parts)


def parse_structure(lines: list[str]) -> Structure:
    """Parse normalised, boilerplate-free lines into sections and paragraphs."""
    lines = _split_glued(lines)
    sections: list[Section] = []
    paragraphs: list[Paragraph] = []
    open_by_level: dict[int, Section] = {}
    last_number: dict[int, int] = {}
    restarts: set[int] = set()
    current: Section | None = None

    for raw in lines:
        is_heading = False
        line = raw.strip()
        if not line:
            continue
        heading = _match_heading(line, last_number)
        if heading:
            level, number, rest = heading
            value = _to_int(number)
            if value is not None:
                if level in last_number and value <= last_number[level]:
                    restarts.add(level)
                last_number[level] = value
            parent = next(
                (open_by_level[lv] for lv in sorted(open_by_level, reverse=True) if lv < level), None
            )
            for lv in [lv for lv in open_by_level if lv >= level]:
                del open_by_level[lv]
            # 第三条 自持奖励对…: a short heading glued to the sentence it introduces.
            rest = re.sub(r"^([\u4e00-\u9fff]{2,10}?(?:奖励|补助|补贴|支持|扶持|资助))(?=对)", r"\1。", rest)
            rest = _split_glued_heading(rest)
            current = Section(level, number, rest, parent, title=_title_of(rest))
            open_by_level[level] = current
            sections.append(current)
            line = rest
            is_heading = True
            if not line:
                continue
        # A trailing (or whole-line) parenthesis naming responsible units marks a task;
        # so does a whole line that starts with the label (责任单位:市人社局、市工信局).
        if current is not None and _LABEL.match(line) and (units := parse_units(line)):
            current.responsible.extend(u for u in units if u not in current.responsible)
            continue
        m = _TRAILING_PAREN.search(line)
        if m and current is not None:
            units = parse_units(m.group("inner") or m.group("square") or "")
            if units:
                for unit in units:
                    if unit not in current.responsible:
                        current.responsible.append(unit)
                line = line[: m.start()].rstrip()
        if line:
            paragraphs.append(Paragraph(line, current, len(paragraphs), heading=is_heading))

    _assign_ids(sections, restarts)
    for section in sections:
        if not section.title:
            first = next((p.text for p in paragraphs if p.section is section), "")
            section.title = _title_of(first)
    return Structure(sections, paragraphs)
