"""Incentive rows (奖补条款): every payable benefit, one row per recipient, tier and amount.

The reading works clause by clause (a sentence split at ``;``), each clause split into comma
parts. A part is one of

* a *grant*: it holds a grant verb (给予、奖励、补助、补贴、资助、奖补 …) followed by an amount
  or a rate (``给予最高200万元奖励``, ``按照不高于设备购置款的10%给予补贴``);
* a *cap*: a ceiling on the grant before it (``单个项目补贴不超过500万元``, ``最高不超过100万元``);
* a *payer share*: ``市、区各承担30%和70%``;
* an *aggregate budget*: a ceiling on a programme, not on a recipient (``试点期间…财政补贴金额不超过1000万元``);
* a *condition*: anything else; conditions from ``对`` up to the grant make the row's subject.

Several grants in one clause make several rows; a grant whose own words end in ``的``
(``融资额10亿元以下的奖补200万元``) is a tier of the clause's subject; ``分别`` pairs amounts with
a list in the subject (see ``lists.py``); an uneven pairing is kept but flagged for review.
A clause with a grant verb and no amount becomes an ``unspecified`` row when its wording is
about money (给予一定资金奖励、择优给予支持、按有关规定给予奖励).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from huiqi.extract.lists import find_lists, level_lists, recipient_members
from huiqi.extract.model import Incentive, Payer
from huiqi.extract.structure import Structure
from huiqi.text.clauses import split_clauses, split_parts, split_sentences, split_top
from huiqi.text.money import Money, Ratio, find_money, find_ratios

GRANT_VERB = re.compile(r"给予|予以|奖励|补助|补贴|资助|奖补|补偿|贴息|享受")
TAX_TREATMENT = re.compile(r"抵扣|应纳税所得额|税前摊销|加计扣除|减免税|免征|退税|税收优惠|通行费优惠|\d折")
MONEY_WORD = re.compile(r"奖励|补助|补贴|资助|奖补|贴息|补偿|资金|经费")
UNSPEC_HINT = re.compile(r"一定|择优|一事一议|专项|资金|奖补|贴息")
NON_MONEY_GRANT = re.compile(r"^(?:优先)?(?:给予|予以)?(?:股权投资|立项|政策|用地|要素|优先)")
PAYER = (
    r"(?:由)?(?:中央财政|中央|国家|省上|省里|我[市区县]|市县两级|市、区两级|区、县两级|"
    r"[市省区县](?:级)?(?:人民)?(?:政府|财政)(?:资金)?|[市省区县]级)"
)
_SUBJECT_START = re.compile(
    rf"^(?P<payer>{PAYER})?(?:再|还|将)?对(?:于)?(?!接(?!入)|外|内|标|口|比|照|应|象|策|话|称|冲|立|手|此)"
)
_LEGAL_BASIS = re.compile(r"^(?:按照|依据|根据|依照|参照)[^,]*(?:规定|办法|政策|要求|精神|通知|意见)$")
_OTHER_LEVELS_GRANT = re.compile(r"^除.*外$")
_PREAMBLE = re.compile(r"^(?:支持|鼓励|推进|推动|加快|落实|积极|贯彻|引导|加大|完善|深入)")
_TAIL_MODIFIERS = [
    re.compile(r"(?:分别|一次性|最高|再|还可|还|可|均|相应配套|相应|配套|另行|并|直接|先|其)$"),
    re.compile(
        r"(?:每家|每场次|每场|每个|每户|每项|每台\(套\)|每台套|每辆|每人|每年|每次)(?:企业|单位|机构)?$"
    ),
    re.compile(r"按(?:照)?[^,]*$"),
    re.compile(r"(?:通过|采取|综合采取|采用|依据|根据|参照|依照|在建设阶段)[^,]*$"),
    re.compile(r"(?:择优|积极|依法|视情|酌情|统筹|实施分阶段|实施|分阶段|进行|将)$"),
    re.compile(rf"{PAYER}$"),
]
_CAP_QUALIFIER = re.compile(r"最高|不超过|不高于|最多|上限|封顶|以内")
_MIN_QUALIFIER = re.compile(r"不少于|不低于|至少")
_PER_UNIT_HEAD = re.compile(
    r"^(?:单个|单项|单户|单家|每个|每家|每户|每项|每台|每辆|每人|同一|最高|累计)[^,]{0,8}?$|^$"
)
_AGGREGATE = re.compile(r"期间|总额|总量|总规模|年度|累计|财政补贴金额|资金规模")
_PAYER_SHARE = re.compile(r"承担|分担|按照\d+:\d+")
_PER = [
    (re.compile(r"每场次|每场|/场"), "场"),
    (re.compile(r"每台\(套\)|每台套|/台\(套\)|/台套|每台"), "台套"),
    (re.compile(r"每辆|/辆"), "辆"),
    (re.compile(r"每家|/家"), "家"),
    (re.compile(r"单户|每户|/户"), "户"),
    (re.compile(r"单个项目|每个项目|每项|/项"), "项"),
    (re.compile(r"每人|/人"), "人"),
]
_RECIPIENT = re.compile(
    r"(?:给予|予以)(?:其|每家|每个)?(?P<who>[\u4e00-\u9fff、和及]{0,16}?"
    r"(?:单位|企业|组织方|机构|主体|专利权人|权利人|平台|个人|团队))(?=最高|不超过|不高于|\d|[一二三四五六七八九十]|分别|一次性|按|全额)"
)
_SHARE_LIST = re.compile(
    r"(?P<who>[市省区县](?:、[市省区县])+)(?:两级|三级)?(?:财政)?各(?:承担|负担|分担)(?P<shares>[\d.%和、:]+)"
)
_SOLE_PAYER = re.compile(rf"(?:所需资金)?(?P<who>{PAYER})(?:全额|全部)?(?:承担|负担|列支)")
_RATIO_SPLIT = re.compile(r"由(?P<a>[^,和]+?)(?:财政)?和(?P<b>[^,]+?)(?:财政)?按照?(?P<x>\d+):(?P<y>\d+)")


@dataclass
class Grant:
    """One grant part of a clause, read."""

    index: int
    own: str
    payer: str | None
    moneys: list[Money]
    ratios: list[Ratio]
    after_verb: str
    before_verb: str
    unspecified: bool = False


@dataclass
class _Context:
    """What a clause may inherit from the clauses before it in the same sentence."""

    subject: str | None = None
    core: str | None = None
    payers: list[Payer] | None = None
    sentence_payer: str | None = None
    rows: list[Incentive] = field(default_factory=list)


def payer_level(text: str) -> str | None:
    """Which budget level a payer phrase names (市政府 → 市级, 我区 → 区级, 省上 → 省级)."""
    if re.search(r"中央|国家", text):
        return "国家级"
    if "省" in text:
        return "省级"
    if re.search(r"区|县", text) and "市" not in text:
        return "区级" if "区" in text else "县级"
    if "市" in text:
        return "市级"
    return None


def level_of(subject: str) -> str | None:
    """The level (国家级/省级/市级/区县级) of the qualification a subject names, if it has one."""
    patterns = [
        (r"国家级|国家|国内(?!外)|全国|中国|中华|工业和信息化部|国务院", "国家级"),
        (
            r"省级|省内|[\u4e00-\u9fff]{2,3}省(?!市)|(?:列入|入选|认定为|确定为|获评|评为|认定的|新认定)省",
            "省级",
        ),
        (r"市级|(?:列入|入选|认定为|确定为|获评|评为)市(?!场)", "市级"),
        (r"区级|县级|区县级", "区县级"),
    ]
    best: tuple[int, str] | None = None
    for pattern, level in patterns:
        m = re.search(pattern, subject)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), level)
    return best[1] if best else None


def _strip_tail(text: str) -> tuple[str, str | None]:
    """Remove grant modifiers from the end of the words before a grant verb; return the rest and a payer."""
    payer = None
    changed = True
    while changed and text:
        changed = False
        for pattern in _TAIL_MODIFIERS:
            m = pattern.search(text)
            if m and m.group(0):
                if pattern.pattern.startswith("(?:由)?") or re.fullmatch(PAYER, m.group(0)):
                    payer = payer or payer_level(m.group(0))
                payer_in = re.search(PAYER, m.group(0))
                if payer_in and payer is None and not m.group(0).startswith("按"):
                    payer = payer_level(payer_in.group(0))
                text = text[: m.start()]
                changed = True
    return text.strip(), payer


def _valid_ratios(part: str, verb_at: int) -> list[Ratio]:
    """Rates that are the grant's own: after the verb, or inside an 按… phrase before it."""
    keep = []
    for r in find_ratios(part):
        if r.start >= verb_at or (
            re.search(r"按(?:照)?[^,]*$", part[: r.start]) and not re.match(r"以上|以下", part[r.end :])
        ):
            keep.append(r)
    return keep


def read_grant(index: int, part: str) -> Grant | None:
    """Read a comma part as a grant, or None when it grants nothing countable."""
    verbs = list(GRANT_VERB.finditer(part))
    if not verbs:
        return None
    for verb in verbs:
        at = verb.start()
        moneys = [m for m in find_money(part) if m.start >= at]
        ratios = _valid_ratios(part, at)
        if moneys or ratios:
            before = part[:at]
            if ratios and ratios[0].start < at:
                before = part[: min(at, ratios[0].start)]
            own, payer = _strip_tail(before)
            if m := _SUBJECT_START.match(own):
                own = own[m.end() :]
                payer = payer or (payer_level(m.group("payer")) if m.group("payer") else None)
            return Grant(index, own, payer, moneys, ratios, part[at:], part[:at])
    return None


_INCLUDE_IN_SCOPE = re.compile(
    r"^将(?P<who>.+?)(?:纳入|列入)[^,]{0,12}?(?:贴息|补贴|补助|奖励|资助|奖补)(?:资金)?(?:支持|政策)?范围"
)


def _unspecified_grant(index: int, part: str) -> Grant | None:
    scope = _INCLUDE_IN_SCOPE.search(part)
    if scope:
        return Grant(index, scope.group("who"), None, [], [], part[scope.end("who") :], "", unspecified=True)
    m = re.search(
        r"(?:给予|予以)(?:一定|适当)?(?:的)?(?:资金)?(?P<noun>奖励|补助|补贴|资助|扶持|支持|奖补|贴息)|"
        r"(?P<verb>奖励|补助|补贴|资助|奖补)$",
        part,
    )
    if not m:
        return None
    after = part[m.start() :]
    if NON_MONEY_GRANT.search(part[m.start() + 2 :]) or re.search(r"优先(?:给予|予以)", part):
        return None
    noun = m.group("noun") or m.group("verb") or ""
    if noun in ("支持", "扶持") and not UNSPEC_HINT.search(part):
        return None
    own, payer = _strip_tail(part[: m.start()])
    return Grant(index, own, payer, [], [], after, part[: m.start()], unspecified=True)


def _is_cap(part: str) -> Money | None:
    """A part that only caps the grant before it: returns the cap, else None."""
    moneys = find_money(part)
    if len(moneys) != 1 or find_ratios(part) or "对" in part[:2]:
        return None
    head = part[: moneys[0].start]
    q = _CAP_QUALIFIER.search(head)
    if not q:
        return None
    words = GRANT_VERB.sub("", head[: q.start()])
    if _PER_UNIT_HEAD.match(words.strip()):
        return moneys[0]
    return None


def _payers_from(text: str, fallback: str | None) -> list[Payer] | None:
    m = _SHARE_LIST.search(text)
    if m:
        who = m.group("who").split("、")
        shares = [float(s) / 100 for s in re.findall(r"(\d+(?:\.\d+)?)%", m.group("shares"))]
        if len(shares) == 1:  # 市、区两级财政各承担50%
            shares = shares * len(who)
        if len(who) == len(shares):
            return [Payer(payer=payer_level(w) or w, share=s) for w, s in zip(who, shares, strict=True)]
    m = _RATIO_SPLIT.search(text)
    if m:
        x, y = float(m.group("x")), float(m.group("y"))
        a, b = m.group("a").strip(), m.group("b").strip()
        return [
            Payer(payer=payer_level(a) or a, share=round(x / (x + y), 6)),
            Payer(payer=payer_level(b) or b.replace("财政", ""), share=round(y / (x + y), 6)),
        ]
    m = _SOLE_PAYER.search(text)
    if m and (level := payer_level(m.group("who"))):
        return [Payer(payer=level, share=1.0)]
    if fallback:
        return [Payer(payer=fallback, share=1.0)]
    return None


def _sentence_payer(sentence: str) -> str | None:
    m = re.search(
        r"(?:落实|争取|贯彻落实|执行)(?P<who>国家|中央|省级|省|市级)[^,。]*?(?:政策|资金)", sentence
    )
    return payer_level(m.group("who")) if m else None


def _per_of(text: str) -> str | None:
    for pattern, unit in _PER:
        if pattern.search(text):
            return unit
    return None


_QUALIFIER_TAIL = re.compile(r"(?:最高|不超过|不高于|不低于|最多|的)+$")


def _base_of(grant_text: str, subject: str) -> str | None:
    """What a rate applies to: 按设备购置款的10% → 设备购置款; 给予评估费用最高50% → 评估费用."""
    ratios = [r for r in find_ratios(grant_text) if r.text != "全额"]
    if ratios:
        before, after = grant_text[: ratios[0].start], grant_text[ratios[0].end :]
        m = re.search(
            r"按(?:照)?(?:其)?(?:不高于|不超过|最高)?(?P<base>[^,按]+?)(?:分别给予[^,]*?)?$", before
        )
        if not m:
            m = re.search(r"(?:给予|享受)(?:最高)?(?P<base>[\u4e00-\u9fff()()]{2,16})$", before)
        if m:
            base = _QUALIFIER_TAIL.sub("", re.sub(r"分别给予.*$", "", m.group("base")))
            if base and not re.search(r"比例|不高于|不超过|^[\d.]+$", base):
                return base
        m = re.match(r"(?:的)?(?P<base>税收|利息|保费|费用)", after)
        if m:
            return m.group("base")
    m = re.search(r"(?:给予|予以)?(?P<before>[\u4e00-\u9fff]{2,16}?)的全额", grant_text)
    if m:
        # 给予企业一个标准展位费的全额补助 → 标准展位费
        base = re.split(r"一个|一次|其|企业|单位", m.group("before"))[-1]
        return base or None
    m = re.search(r"的(?P<base>[\u4e00-\u9fff]{1,8}(?:费用|费|款|额|投入|价格|价款|收入|税收))$", subject)
    if m:
        return m.group("base")
    return None


def _qualifier_kind(window: str) -> str:
    if _MIN_QUALIFIER.search(window):
        return "min"
    if _CAP_QUALIFIER.search(window):
        return "max"
    return "fixed"


@dataclass
class _Amount:
    kind: str
    amount: float | None = None
    cap: float | None = None
    ratio: float | None = None
    ratio_is_max: bool = False


def _amounts(grant: Grant, part: str, cap: Money | None) -> list[_Amount]:
    """The amounts a grant pays, one per 分别 member."""
    if grant.unspecified:
        return [_Amount("max", cap=cap.value_wan)] if cap else []
    if grant.ratios:
        caps = [m for m in grant.moneys]
        cap_value = caps[0].value_wan if caps else (cap.value_wan if cap else None)
        out = []
        for r in grant.ratios:
            window = part[max(0, r.start - 8) : r.start]
            out.append(_Amount("ratio", None, cap_value, r.value, bool(_CAP_QUALIFIER.search(window))))
        return out
    out = []
    # 最高补贴5.04万元: the qualifier may stand just before the verb.
    prev_end = max(0, len(grant.before_verb) - 4)
    kinds = []
    for m in grant.moneys:
        kinds.append(_qualifier_kind(part[prev_end : m.start]))
        prev_end = m.end
    if kinds and kinds[0] != "fixed" and all(k == "fixed" for k in kinds[1:]):
        kinds = [kinds[0]] * len(kinds)
    for kind, m in zip(kinds, grant.moneys, strict=True):
        if kind == "max":
            out.append(_Amount("max", cap=m.value_wan))
        else:
            out.append(_Amount(kind, amount=m.value_wan, cap=cap.value_wan if cap else None))
    return out


def _clean_subject(text: str) -> str:
    text = re.sub(r"在[^,]*?(?:的)?基础上,?", "", text)
    text = re.sub(r"(?:给予|予以)[\u4e00-\u9fff]{0,6}$", "", text)
    text = re.sub(r"^(?:对于|对)", "", text.strip(" ,"))
    text = re.sub(r"(?:等|,)$", "", text.strip())
    return text.strip(" ,")


def _core(subject: str) -> str:
    """The head of a subject for tiers: 成功上市企业再按照融资额实施奖补 → 成功上市企业."""
    m = re.search(r"再|按照|按|实施|通过|给予", subject)
    return subject[: m.start()] if m and m.start() > 0 else subject


class _Builder:
    def __init__(self, task: str | None, clause_text: str) -> None:
        self.task = task
        self.text = clause_text

    def row(self, subject: str, amount: _Amount | None, **extra) -> Incentive:
        kind = amount.kind if amount else "unspecified"
        return Incentive(
            task=self.task,
            text=self.text,
            subject=subject,
            level=level_of(subject),
            kind=kind,
            amount_wan=amount.amount if amount and kind in ("fixed", "min") else None,
            cap_wan=amount.cap if amount and kind in ("max", "ratio", "fixed", "min") else None,
            ratio=amount.ratio if amount else None,
            ratio_is_max=bool(amount and amount.ratio_is_max),
            **extra,
        )


def _segment_tiers(part: str, k: int) -> list[str] | None:
    """Conditions of tiers listed inside one part: 属于国内首台(套)的按60%、属于省内首台(套)的按30%."""
    segments = split_top(part, "、")
    if len(segments) != k:
        return None
    conditions = []
    for seg in segments:
        if len(find_money(seg)) + len(find_ratios(seg)) != 1:
            return None
        m = re.match(r"^(?:.*?对)?(?P<cond>[^,]*?的)(?=按|给予|予以|奖励|补助|补贴|\d)", seg)
        if not m:
            return None
        conditions.append(m.group("cond"))
    return conditions


def _pair_rows(
    subject: str, base_subject: str, amounts: list[_Amount], grant: Grant, part: str
) -> list[tuple[str, _Amount | None, list[str], bool]]:
    """Pair amounts with the members of a list in the subject (分别), or with tiers in the part."""
    k = len(amounts)
    if k <= 1:
        subjects = [subject]
        if "分别" in grant.after_verb or "分别" in grant.before_verb:
            who = _RECIPIENT.search(grant.after_verb)
            if who and len(recipient_members(who.group("who"))) > 1:
                members = recipient_members(who.group("who"))
                subjects = [_join_of(s, m) for s in subjects for m in members]
            levels = level_lists(subject)
            if levels and who:
                lst = levels[0]
                subjects = [lst.substitute(s, i) for s in subjects for i in range(len(lst))]
        return [(s, amounts[0] if amounts else None, [], False) for s in subjects]
    lists = find_lists(subject)
    same = [lst for lst in lists if len(lst) == k]
    if same:
        chosen = same[0]
        parallel = [
            lst for lst in same if lst.kind == chosen.kind and lst is not chosen and lst.start > chosen.end
        ]
        out = []
        for i in range(k):
            s = subject
            for lst in reversed(parallel):
                s = lst.substitute(s, i)
            out.append((chosen.substitute(s, i), amounts[i], [], False))
        return out
    if conditions := _segment_tiers(part, k):
        return [(_join_tier(c, base_subject), a, [], False) for c, a in zip(conditions, amounts, strict=True)]
    for lst in lists:
        for sep in ("和", "及", "与", "以及"):
            groups = lst.groups(sep)
            if len(groups) == k and len(lst) > k:
                note = f"分别所列对象{len(lst)}项与金额{k}个数目不一致,已按“{sep}”分组配对,请核对"
                return [
                    (lst.substitute(subject, i), amounts[g], [note], True)
                    for g, members in enumerate(groups)
                    for i in members
                ]
    note = f"有{k}个金额但未找到与之对应的{k}项对象,各金额暂用同一对象,请核对"
    return [(subject, a, [note], True) for a in amounts]


def _join_of(subject: str, recipient: str) -> str:
    """Attach a recipient to what qualifies it: 推介会 + 组织方 → 推介会的组织方."""
    return f"{subject}{recipient}" if subject.endswith("的") else f"{subject}的{recipient}"


def _join_tier(condition: str, core: str) -> str:
    """A tier's condition before the subject it narrows: 融资额10亿元以下的 + 成功上市企业.

    A core without a head noun (首次认定为高新技术企业的) cannot be narrowed; the condition stands alone.
    """
    if not core or core.endswith("的"):
        return condition
    return condition + core if condition.endswith("的") else f"{condition}的{core}"


def _recipient_suffix(grant: Grant) -> str:
    who = _RECIPIENT.search(grant.after_verb)
    if not who:
        return ""
    name = who.group("who")
    if name in ("企业", "单位") or len(recipient_members(name)) > 1:
        return ""
    return name


def _without_tier(pending: list[str], opened_by_dui: bool) -> str:
    """The subject without a trailing tier condition (购买不足10台(套)的), for later tiers to narrow."""
    if len(pending) > 1 and pending[-1].endswith("的") and not re.match(r"且|并且|同时|并", pending[-1]):
        return _subject_from(pending[:-1], "", opened_by_dui)
    return ""


def _subject_from(pending: list[str], own: str, opened_by_dui: bool) -> str:
    """The subject: condition parts before the grant (without preambles and legal bases) + own words."""
    parts = [p for p in pending if not _LEGAL_BASIS.match(p) and not _OTHER_LEVELS_GRANT.match(p)]
    if not opened_by_dui and parts:
        kept = [p for p in parts if not _PREAMBLE.match(p)]
        parts = kept or [_PREAMBLE.sub("", parts[-1])]
    return _clean_subject(",".join([*parts, own] if own else parts))


@dataclass
class _Slot:
    """A grant with the subject it pays and the cap that follows it."""

    grant: Grant
    subject: str
    base_subject: str
    cap: Money | None = None


def _find_subject_start(parts: list[str]) -> tuple[int | None, str | None]:
    for i, part in enumerate(parts):
        m = _SUBJECT_START.match(part)
        if m:
            parts[i] = part[m.end() :]
            return i, payer_level(m.group("payer")) if m.group("payer") else None
    return None, None


_ENTERPRISE_CAP = re.compile(r"^(?:每家|同一|单个|每个)企业[^,]{0,30}(?:累计|合计|总额|最高限额)")


def _rows_for_clause(clause: str, ctx: _Context, task: str | None, text: str) -> list[Incentive]:
    if TAX_TREATMENT.search(clause) or _ENTERPRISE_CAP.search(clause):
        return []
    clause_payers = None
    for m in re.finditer(r"[((](?P<inner>[^()()]*(?:承担|分担)[^()()]*)[))]", clause):
        clause_payers = _payers_from(m.group("inner"), None)
    clause = re.sub(r"[((][^()()]*(?:承担|分担)[^()()]*[))]", "", clause)
    parts = split_parts(clause)
    start, start_payer = _find_subject_start(parts)
    first_index = start if start is not None else 0
    opened = start is not None

    slots: list[_Slot] = []
    pending: list[str] = []
    fresh = True  # the next grant starts a new subject (no grant yet, or a new 对 part came)
    for i in range(first_index, len(parts)):
        part = parts[i]
        if _PAYER_SHARE.search(part) and not GRANT_VERB.search(part):
            clause_payers = _payers_from(part, None) or clause_payers
            continue
        if slots and (cap := _is_cap(part)):
            slots[-1].cap = cap
            continue
        if slots and _AGGREGATE.search(part) and find_money(part) and not GRANT_VERB.search(part[:2]):
            continue
        if _OTHER_LEVELS_GRANT.match(part):
            continue
        grant = read_grant(i, part)
        if grant is None and i + 1 < len(parts) and _is_cap(parts[i + 1]):
            grant = _unspecified_grant(i, part)  # 给予一定资金补助,最高不超过30万元
        if grant is None:
            if i > first_index and (m := _SUBJECT_START.match(part)):
                parts[i] = part = part[m.end() :]
                pending, fresh, opened = [], True, True
            pending.append(part)
            continue
        own = grant.own
        if fresh:
            base = _subject_from(pending, "", opened)
            if own.endswith("的") and (base or ctx.core):
                subject = _join_tier(own, _core(base) if base else ctx.core or "")
            else:
                subject = _subject_from(pending, own, opened) or ctx.subject or ""
                if not opened and ctx.core and subject.endswith("的") and subject != ctx.core:
                    subject = _join_tier(subject, ctx.core)
            base = base or subject
            ctx.subject = ctx.subject or subject
            ctx.core = ctx.core or _core(_without_tier(pending, opened) or base)
        elif own.endswith("的"):
            subject, base = _join_tier(own, ctx.core or ""), ctx.core or ""
        else:
            subject = (_clean_subject(own) if own else "") or ctx.subject or ""
            base = subject
        slots.append(_Slot(grant, subject, base))
        pending, fresh = [], False

    if not slots:
        return _unspecified_rows(parts, first_index, opened, start_payer, clause, ctx, task, text)

    rows: list[Incentive] = []
    builder = _Builder(task, text)
    for slot in [s for s in slots if s.subject]:
        grant, part, cap = slot.grant, parts[slot.grant.index], slot.cap
        amounts = _amounts(grant, part, cap)
        if not amounts:
            continue
        subject = slot.subject
        if recipient := _recipient_suffix(grant):
            subject = _join_of(subject, recipient.removeprefix("其"))
        payer = grant.payer or start_payer or ctx.sentence_payer
        payers = clause_payers or _payers_from(part, payer) or ctx.payers
        per_text = part
        if cap:
            at = clause.find(cap.text)
            per_text += "," + clause[max(0, at - 10) : at]
        per = _per_of(per_text)
        base = _base_of(part, subject) if any(a.kind == "ratio" for a in amounts) else None
        for row_subject, amount, notes, review in _pair_rows(
            subject, slot.base_subject, amounts, grant, part
        ):
            rows.append(
                builder.row(
                    row_subject,
                    amount,
                    base=base,
                    per=per,
                    payers=payers,
                    one_time="一次性" in clause,
                    needs_review=review,
                    notes=notes,
                )
            )
    ctx.payers = ctx.payers or (rows[0].payers if rows else None)
    return rows


def _unspecified_rows(
    parts: list[str],
    first_index: int,
    opened: bool,
    start_payer: str | None,
    clause: str,
    ctx: _Context,
    task: str | None,
    text: str,
) -> list[Incentive]:
    """A clause with no amount: one unspecified row when its grant words are about money."""
    for i in range(first_index, len(parts)):
        grant = _unspecified_grant(i, parts[i])
        if grant is None:
            continue
        subject = _subject_from(parts[first_index:i], grant.own, opened) or ctx.subject
        if not subject:
            return []
        ctx.subject = ctx.subject or subject
        ctx.core = ctx.core or _core(subject)
        payer = grant.payer or start_payer or ctx.sentence_payer
        row = _Builder(task, text).row(
            subject, None, payers=_payers_from(clause, payer) if payer else None, one_time="一次性" in clause
        )
        return [row]
    if opened and not ctx.subject:
        ctx.subject = _clean_subject(",".join(parts[first_index:]))
        ctx.core = _core(ctx.subject)
    return []


def _merge_detail(previous: str, detail: str) -> str:
    return f"{previous}。{detail}"


def extract_incentives(structure: Structure) -> list[Incentive]:
    """All incentive rows of a parsed document, in document order."""
    rows: list[Incentive] = []
    for para in structure.paragraphs:
        task_section = para.section.task() if para.section else None
        task = task_section.id if task_section else None
        sentences = split_sentences(para.text)
        previous_sentence = ""
        previous_subject: str | None = None
        previous_rows: list[Incentive] = []
        for sentence in sentences:
            ctx = _Context(sentence_payer=_sentence_payer(sentence))
            sentence_rows: list[Incentive] = []
            clauses = split_clauses(sentence)
            for ci, clause in enumerate(clauses):
                text = clause
                if ci == 0 and re.match(r"^其中[::,]?", clause) and previous_sentence:
                    detail = re.sub(r"^其中[::,]?", "", clause)
                    ctx.subject, ctx.core = previous_subject, previous_subject
                    ctx.sentence_payer = _sentence_payer(previous_sentence) or ctx.sentence_payer
                    text = _merge_detail(previous_sentence, clause)
                    found = _rows_for_clause(detail, ctx, task, text)
                    if found:
                        for r in found:
                            r.subject = previous_subject or r.subject
                            r.level = level_of(r.subject)
                        rows[:] = [r for r in rows if not any(r is p for p in previous_rows)]
                    sentence_rows.extend(found)
                    continue
                sentence_rows.extend(_rows_for_clause(clause, ctx, task, text))
            rows.extend(sentence_rows)
            previous_sentence = sentence
            previous_subject = ctx.subject
            previous_rows = sentence_rows
    return rows
