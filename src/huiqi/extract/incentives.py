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

from huiqi.extract.lists import CoordList, find_lists, level_lists, recipient_members
from huiqi.extract.model import Incentive, Payer
from huiqi.extract.structure import Structure
from huiqi.text.clauses import split_clauses, split_parts, split_sentences
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
_SUBJECT_START = re.compile(rf"^(?P<payer>{PAYER})?(?:再|还|将)?对(?:于)?(?!接(?!入))")
_PREAMBLE = re.compile(r"^(?:支持|鼓励|推进|推动|加快|落实|积极|贯彻|引导|加大|完善|深入)")
_TAIL_MODIFIERS = [
    re.compile(r"(?:分别|一次性|最高|再|还可|还|可|均|相应配套|相应|配套|另行|并|直接|先|其)$"),
    re.compile(r"(?:每家|每场次|每场|每个|每户|每项|每台\(套\)|每台套|每辆|每人|每年|每次)$"),
    re.compile(r"按(?:照)?[^,]*$"),
    re.compile(r"(?:通过|采取|综合采取|采用|依据|根据|参照|依照|在建设阶段)[^,]*$"),
    re.compile(r"(?:择优|积极|依法|视情|酌情|统筹|实施分阶段|实施|分阶段|进行)$"),
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
    (re.compile(r"单个项目|每个项目|每项|/项|单项"), "项"),
    (re.compile(r"每人|/人"), "人"),
]
_RECIPIENT = re.compile(
    r"(?:给予|予以)(?:其|每家|每个)?(?P<who>[\u4e00-\u9fff、和及]{0,16}?"
    r"(?:单位|企业|组织方|机构|主体|专利权人|权利人|平台|个人|团队))(?=最高|不超过|不高于|\d|[一二三四五六七八九十]|分别|一次性|按|全额)"
)
_SHARE_LIST = re.compile(r"(?P<who>[市省区县](?:、[市省区县])+)(?:两级|三级)?各承担(?P<shares>[\d.%和、]+)")
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
        (r"省级|省内|[\u4e00-\u9fff]{2,3}省(?!市)|(?:列入|入选|认定为|确定为|获评|评为|认定的|新认定)省", "省级"),
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
        if r.start >= verb_at:
            keep.append(r)
        elif re.search(r"按(?:照)?[^,]*$", part[: r.start]) and not re.match(r"以上|以下", part[r.end :]):
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
            return Grant(index, own, payer, moneys, ratios, part[at:], part[:at])
    return None


def _unspecified_grant(index: int, part: str) -> Grant | None:
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
    if fallback:
        return [Payer(payer=fallback, share=1.0)]
    return None


def _sentence_payer(sentence: str) -> str | None:
    m = re.search(r"(?:落实|争取|贯彻落实|执行)(?P<who>国家|中央|省级|省|市级)[^,。]*?(?:政策|资金)", sentence)
    return payer_level(m.group("who")) if m else None


def _per_of(text: str) -> str | None:
    for pattern, unit in _PER:
        if pattern.search(text):
            return unit
    return None


def _base_of(grant_text: str, subject: str) -> str | None:
    m = re.search(r"按(?:照)?(?:其)?(?:不高于|不超过|最高)?(?P<base>[^,%]+?)(?:的)?(?:分别给予[^,]*?)?\d+(?:\.\d+)?[%‰]", grant_text)
    if m and not re.fullmatch(r"[\d.]*", m.group("base")):
        base = re.sub(r"(?:分别给予.*|的)$", "", m.group("base"))
        if base and not re.search(r"比例|不高于|不超过", base):
            return base
    m = re.search(r"(?:给予|享受)(?:最高)?(?P<base>[\u4e00-\u9fff()]{2,12}?)(?:的)?\d+(?:\.\d+)?[%‰]", grant_text)
    if m:
        return m.group("base")
    m = re.search(r"\d+(?:\.\d+)?[%‰](?P<base>税收|利息|保费|费用)", grant_text)
    if m:
        return m.group("base")
    m = re.search(r"(?:一个)?(?P<base>[\u4e00-\u9fff]{2,10})的全额", grant_text)
    if m:
        return re.sub(r"^一个", "", m.group("base"))
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
    if grant.ratios:
        caps = [m for m in grant.moneys]
        cap_value = caps[0].value_wan if caps else (cap.value_wan if cap else None)
        out = []
        for r in grant.ratios:
            window = part[max(0, r.start - 8) : r.start]
            out.append(_Amount("ratio", None, cap_value, r.value, bool(_CAP_QUALIFIER.search(window))))
        return out
    out = []
    prev_end = len(grant.before_verb)
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


def _pair_rows(
    subject: str, amounts: list[_Amount], grant: Grant, make, notes: list[str]
) -> list[tuple[str, _Amount | None, list[str], bool]]:
    """Pair amounts with the members of a list in the subject (分别)."""
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
                subjects = [
                    lst.substitute(s, i) for s in subjects for i in range(len(lst)) if lst.start < len(s)
                ]
        return [(s, amounts[0] if amounts else None, notes, False) for s in subjects]
    lists = find_lists(subject)
    same = [lst for lst in lists if len(lst) == k]
    if same:
        chosen = same[0]
        parallel = [lst for lst in same if lst.kind == chosen.kind and lst is not chosen and lst.start > chosen.end]
        out = []
        for i in range(k):
            s = subject
            for lst in reversed(parallel):
                s = lst.substitute(s, i)
            out.append((chosen.substitute(s, i), amounts[i], notes, False))
        return out
    for lst in lists:
        for sep in ("和", "及", "与", "以及"):
            groups = lst.groups(sep)
            if len(groups) == k and len(lst) > k:
                note = (
                    f"分别所列对象{len(lst)}项与金额{k}个数目不一致,已按“{sep}”分组配对,请核对"
                )
                return [
                    (lst.substitute(subject, i), amounts[g], [*notes, note], True)
                    for g, members in enumerate(groups)
                    for i in members
                ]
    note = f"有{k}个金额但未找到与之对应的{k}项对象,各金额暂用同一对象,请核对"
    return [(subject, a, [*notes, note], True) for a in amounts]


def _join_of(subject: str, recipient: str) -> str:
    """Attach a recipient to what qualifies it: 推介会 + 组织方 → 推介会的组织方."""
    return f"{subject}{recipient}" if subject.endswith("的") else f"{subject}的{recipient}"


def _recipient_suffix(grant: Grant) -> str:
    who = _RECIPIENT.search(grant.after_verb)
    if not who:
        return ""
    name = who.group("who")
    if name in ("企业", "单位") or len(recipient_members(name)) > 1:
        return ""
    return name


def _rows_for_clause(clause: str, ctx: _Context, task: str | None, text: str) -> list[Incentive]:
    if TAX_TREATMENT.search(clause):
        return []
    clause_payers = None
    for m in re.finditer(r"[((](?P<inner>[^()()]*(?:承担|分担)[^()()]*)[))]", clause):
        clause_payers = _payers_from(m.group("inner"), None)
    clause = re.sub(r"[((][^()()]*(?:承担|分担)[^()()]*[))]", "", clause)
    parts = split_parts(clause)

    start = None
    start_payer = None
    for i, part in enumerate(parts):
        m = _SUBJECT_START.match(part)
        if m:
            start, start_payer = i, payer_level(m.group("payer")) if m.group("payer") else None
            parts[i] = part[m.end() :]
            break
    grants: list[tuple[Grant, Money | None]] = []
    pending: list[str] = []
    subjects: list[tuple[Grant, str, Money | None]] = []
    first_index = start if start is not None else 0
    for i, part in enumerate(parts):
        if i < first_index:
            continue
        if _PAYER_SHARE.search(part) and not GRANT_VERB.search(part):
            clause_payers = _payers_from(part, None) or clause_payers
            continue
        if subjects and (cap := _is_cap(part)):
            g, s, _ = subjects[-1]
            subjects[-1] = (g, s, cap)
            continue
        if subjects and _AGGREGATE.search(part) and find_money(part) and not GRANT_VERB.search(part[:2]):
            continue
        grant = read_grant(i, part)
        if grant is None:
            if i > first_index and _SUBJECT_START.match("对" + part) and part.startswith("对"):
                pending = []
            pending.append(part)
            continue
        own = grant.own
        if not subjects:
            if start is None and len(pending) > 1:
                pending = [p for p in pending if not _PREAMBLE.match(p)] or pending[-1:]
            elif start is None and pending and _PREAMBLE.match(pending[0]):
                pending[0] = _PREAMBLE.sub("", pending[0])
            subject = _clean_subject(",".join([*pending, own] if own else pending))
            if not subject:
                subject = ctx.subject or ""
            if ctx.core and own.endswith("的") and not pending:
                subject = own + ctx.core
            ctx.subject = ctx.subject or subject
            ctx.core = ctx.core or _core(subject)
        elif own.endswith("的"):
            subject = own + (ctx.core or "")
        elif own:
            subject = _clean_subject(own)
        else:
            subject = ctx.subject or ""
        subjects.append((grant, subject, None))
        pending = []
        grants.append((grant, None))

    if not subjects:
        # No amount anywhere: an unspecified benefit, when the words are about money.
        for i, part in enumerate(parts):
            if i < first_index:
                continue
            grant = _unspecified_grant(i, part)
            if grant is None:
                continue
            pre = [p for p in parts[first_index:i]]
            if start is None and len(pre) > 1:
                pre = [p for p in pre if not _PREAMBLE.match(p)] or pre[-1:]
            elif start is None and pre and _PREAMBLE.match(pre[0]):
                pre[0] = _PREAMBLE.sub("", pre[0])
            subject = _clean_subject(",".join([*pre, grant.own] if grant.own else pre))
            if not subject and ctx.subject:
                subject = ctx.subject
            if not subject:
                return []
            ctx.subject = ctx.subject or subject
            ctx.core = ctx.core or _core(subject)
            builder = _Builder(task, text)
            payer = grant.payer or start_payer or ctx.sentence_payer
            row = builder.row(
                subject, None, payers=_payers_from(clause, payer) if payer else None, one_time="一次性" in clause
            )
            return [row]
        if start is not None and not ctx.subject:
            ctx.subject = _clean_subject(",".join(parts[start:]))
            ctx.core = _core(ctx.subject)
        return []

    rows: list[Incentive] = []
    builder = _Builder(task, text)
    for grant, subject, cap in subjects:
        part = parts[grant.index]
        amounts = _amounts(grant, part, cap)
        if not amounts:
            continue
        recipient = _recipient_suffix(grant)
        if recipient:
            subject = _join_of(subject, recipient.removeprefix("其"))
        payer = grant.payer or start_payer or ctx.sentence_payer
        payers = clause_payers or _payers_from(part, payer) or ctx.payers
        per_text = part + ("," + cap.text if cap else "")
        if cap:
            head = clause[max(0, clause.find(cap.text) - 10) : clause.find(cap.text)]
            per_text += head
        per = _per_of(per_text)
        base = _base_of(part, subject) if any(a.kind == "ratio" for a in amounts) else None
        for row_subject, amount, notes, review in _pair_rows(subject, amounts, grant, None, []):
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
