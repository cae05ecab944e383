"""Targets (目标): dated quantitative goals such as 到2025年,规上工业企业数量力争突破3000家.

A clause is a target when it holds a quantity (a number with a unit, or a bare number
followed by 左右/以上) and a time frame: a year in the clause, a year earlier in the same
paragraph or in a goals section (发展目标), a year later in the same paragraph, 全年 (the
document's year), or 每年 / 年均 (a yearly goal, ``by`` null). Clauses that grant money are
incentives, not targets. ``分别`` lists give one target per number.
"""

from __future__ import annotations

import re

from huiqi.extract.lists import find_lists
from huiqi.extract.model import Target
from huiqi.extract.structure import Structure
from huiqi.text.clauses import split_clauses, split_parts, split_sentences

UNITS = (
    r"万亿元|万亿|亿元|万元|亿美元|万美元|万千瓦时|万吨标准煤|吨标准煤|万吨|万辆|万台|万个|万家|万户|万人|万平方米|"
    r"平方米|亿|家|个百分点|个|%|‰|台|套|项|人|所|座|条|辆|吨|件|款|场|次|名|户|座|亩|公里|处|批"
)
_QUANTITY = re.compile(
    rf"(?P<num>\d+(?:\.\d+)?)(?:\s*[-~—至到]\s*(?P<max>\d+(?:\.\d+)?))?\s*(?P<unit>{UNITS})?"
    r"(?P<qual>左右|以上|以下|以内|余)?"
)
_YEAR = re.compile(r"(?:到|至|截至|截止到|在)?(?P<y>20\d{2})年(?:底|末|前)?")
_TARGET_VERB = re.compile(
    r"达到|突破|超过|稳定在|保持在|控制在|完成|实现|建成|建设|培育|打造|创建|新增|引进|实施|提供|降低|下降|"
    r"提高|提升|增长|增加|不低于|不少于|覆盖|优选|推动|争创|入库|形成|储备|谋划|拥有|高于|低于|增幅|增速|降至|降到|增至|提高至|提升至|压减到|压减至|控制到|达(?=\d)"
)
_GRANT = re.compile(r"给予|奖励\d|补助\d|补贴\d|资助|奖补\d|元奖励|元补助|元补贴")
_GOALS_SECTION = re.compile(r"目标")


def _comparator(clause: str, qual: str | None) -> str:
    if qual == "左右" or "左右" in clause:
        return "~"
    if qual in ("以下", "以内") or re.search(r"不超过|控制在|降至|降到|(?<!级)以下|以内", clause):
        return "<="
    if qual in ("以上", "余") or re.search(
        r"达到|达(?=\d)|突破|超过|不低于|不少于|提高到|提升到|提高至|提升至", clause
    ):
        return ">="
    return "="


def _indicator(clause: str, start: int) -> str:
    head = clause[:start]
    head = re.sub(r"^(?:——)?(?:到|至)?(?:20\d{2}年(?:底|末)?)[,,]?", "", head)
    head = re.sub(
        r"(?:力争|争取|努力|计划|累计)?(?:达到|突破|超过|稳定在|保持在|控制在|完成|实现|比20\d{2}年降低|降低|提高到|提升到)$",
        "",
        head,
    )
    head = re.sub(r"^(?:力争|争取|全市|全区)", "", head).strip(" ,")
    head = re.sub(r"(?:达|为|共)$", "", head)
    head = re.sub(r"[和及、]+$", "", head)
    bare = re.sub(
        r"(?:每年|重点|力争|争取|累计|新|培育形成|培育|打造|建成|建设|新增|实现|推动|引进|创建|形成|不少于|不低于|和|、)+",
        "",
        head,
    )
    if len(bare) >= 2:
        return head
    # 培育形成2个千亿级产业集群: the number stands before what it counts.
    tail = re.split(r"[,、;和]", clause[start:])[0]
    tail = _QUANTITY.sub("", tail, count=1).strip(" 的")
    if len(tail) >= 2:
        return tail[:40]
    if len(head) >= 2:
        return head
    tail = re.sub(_QUANTITY.pattern, "", clause[start:], count=1)
    return (tail.strip(" 的,") or clause)[:40]


def _quantities(clause: str) -> list[re.Match[str]]:
    out = []
    for m in _QUANTITY.finditer(clause):
        num = m.group("num")
        if not m.group("unit") and m.group("qual") not in ("左右", "以上"):
            continue
        if m.group("unit") is None and m.group("qual") == "以上" and clause[m.end() : m.end() + 1] == "的":
            continue
        after = clause[m.end() : m.end() + 1]
        if re.match(r"\d", after) or re.match(r"年|月|日|号|〕|\]", clause[m.end("num") : m.end("num") + 1]):
            continue
        if m.start() > 0 and clause[m.start() - 1] in "〔[第":
            continue
        if len(num) == 4 and num.startswith("20") and not m.group("unit"):
            continue
        out.append(m)
    # 产值超10亿元、50亿元工业企业分别达到100家、15家: the numbers after 分别 are the goals.
    split = clause.find("分别")
    if split > 0 and any(m.start() > split for m in out):
        out = [m for m in out if m.start() > split]
    # 纳税过1亿元的企业达30家: a threshold followed by 的 qualifies what is counted; it is no goal.
    threshold = [
        m
        for m in out
        if clause[m.end() : m.end() + 1] == "的"
        and not m.group("qual")
        and re.search(r"(?:过|超过|突破|超)$", clause[: m.start()])
    ]
    return [m for m in out if m not in threshold]


_GOAL_VERBS = re.compile(
    r"(?:每年|重点|力争|争取|累计|新|培育形成|培育|打造|建成|建设|新增|实现|推动|引进|创建|形成|不少于|不低于|到20\d{2}年|,)+"
)


def _noun_follows(part: str, q: re.Match[str]) -> bool:
    """Whether only goal verbs stand before the number, so the thing counted comes after it."""
    return len(_GOAL_VERBS.sub("", part[: q.start()])) < 2


def _noun_after(part: str, q: re.Match[str]) -> str:
    return re.split(r"[,、;和及]", part[q.end() :])[0].strip(" 的")[:40] or part[:40]


def _per_indicator(part: str, quantities: list[re.Match[str]]) -> list[tuple[re.Match[str], str]]:
    """Pair each number with its indicator; one number shared by a list with 均 gives one target each.

    ``工业增加值、工业投资、技改投资增幅均高于全市平均水平3-5个百分点`` → three targets.
    """
    respectively = part.find("分别")
    if len(quantities) > 1 and respectively > 0:
        head = part[:respectively]
        same = [lst for lst in find_lists(head) if len(lst) == len(quantities)]
        if same:
            lst = same[0]
            return [
                (q, _indicator(lst.substitute(head, i), len(lst.substitute(head, i))))
                for i, q in enumerate(quantities)
            ]
    shared = re.search(r"均(?:高于|低于|达到|超过|不低于|保持在|增长)", part)
    if len(quantities) == 1 and shared:
        head = part[: shared.start()]
        lists = [lst for lst in find_lists(head) if lst.kind == "general"]
        if lists:
            lst = lists[-1]
            q = quantities[0]
            return [
                (q, _indicator(lst.substitute(head, i), len(lst.substitute(head, i))))
                for i in range(len(lst))
            ]
    if len(quantities) > 1 and _noun_follows(part, quantities[0]):
        # 培育形成2个千亿级产业集群和6个五百亿级产业集群: each number's noun follows it.
        return [(q, _noun_after(part, q)) for q in quantities]
    if len(quantities) > 1:
        pairs, start = [], 0
        for q in quantities:
            pairs.append(
                (q, _indicator(part[start:], q.start() - start) if start else _indicator(part, q.start()))
            )
            start = q.end() + (1 if part[q.end() : q.end() + 1] in "、," else 0)
        return pairs
    return [(q, _indicator(part, q.start())) for q in quantities]


_DIGIT = re.compile(r"\d")
_BUDGET = re.compile(r"(?:安排|预算|列支|统筹)[^,]*元|元[^,]*(?:资金|预算)")


def extract_targets(structure: Structure, doc_year: int | None, plan_year: int | None = None) -> list[Target]:
    """Every dated quantitative goal in the document, in order.

    ``plan_year`` is the year a plan's title names (…2017年工作推进方案): the goals under its
    工作目标 heading are due that year when they print no year of their own.
    """
    targets: list[Target] = []
    goals_year: dict[int, int] = {}
    for para in structure.paragraphs:
        if not _DIGIT.search(para.text):
            continue  # no number, no goal (and nothing that would date the goals after it)
        section = para.section
        top = section.ancestors()[-1] if section else None
        in_goals = bool(section and any(_GOALS_SECTION.search(s.heading) for s in section.ancestors()))
        years_here = [int(m.group("y")) for m in _YEAR.finditer(para.text)]
        carried = (goals_year.get(id(top)) or plan_year) if in_goals else None
        task = section.task().id if section and section.task() else None
        current_year = carried
        for sentence in split_sentences(para.text):
            for clause in split_clauses(sentence):
                if _GRANT.search(clause):
                    continue
                for part in split_parts(clause):
                    if ((ym := _YEAR.search(part)) and re.match(r"到|至|截至|截止到", ym.group(0) or "")) or (
                        ym and part.startswith(ym.group(0))
                    ):
                        current_year = int(ym.group("y"))
                    quantities = _quantities(part)
                    if not quantities or not _TARGET_VERB.search(part) or _BUDGET.search(part):
                        continue
                    yearly = re.search(r"每年|年均", part)
                    by: int | None
                    period = None
                    if yearly:
                        by, period = None, yearly.group(0)
                    elif re.search(r"全年", part) and doc_year:
                        by = doc_year
                    else:
                        by = current_year or (years_here[0] if years_here else None)
                    if by is None and not period:
                        continue
                    for q, indicator in _per_indicator(part, quantities):
                        value = float(q.group("num"))
                        targets.append(
                            Target(
                                text=part,
                                indicator=indicator,
                                value=value,
                                unit=q.group("unit"),
                                comparator=_comparator(part, q.group("qual")),
                                by=by,
                                task=task,
                                period=period,
                                value_max=float(q.group("max")) if q.group("max") else None,
                            )
                        )
        if in_goals and (current_year or years_here):
            goals_year[id(top)] = current_year or years_here[-1]
    return targets
