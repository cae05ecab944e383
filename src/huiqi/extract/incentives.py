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
from dataclasses import dataclass, field, replace
from itertools import pairwise

from huiqi.extract.amounts import (
    AGGREGATE_BUDGET,
    GRANT_VERB,
    PAYER_SHARE,
    PAYMENT_SCHEDULE,
    RECIPIENT,
    SUBJECT_START,
    TAX_TREATMENT,
    UNSPEC_HINT,
    Amount,
    Grant,
    amounts_of,
    base_of,
    cap_of,
    caps_of,
    is_threshold,
    level_of,
    payer_level,
    payers_from,
    per_money_ratios,
    per_of,
    read_grant,
    remark_spans,
    sentence_payer,
    unspecified_grant,
)
from huiqi.extract.lexicon import LEXICON
from huiqi.extract.lists import LEVEL_WORD, find_lists, level_lists, recipient_members
from huiqi.extract.model import Incentive, Payer
from huiqi.extract.stacking import without_limits
from huiqi.extract.structure import Structure
from huiqi.text.clauses import split_clauses, split_parts, split_sentences, split_top
from huiqi.text.money import NUMBER, Money, find_money, find_ratios, money_to_wan

_GOVERNMENT = re.compile(r"(?:县|区|市|旗|开发区|政府|管委会)[))]?$|旗县区|县市区|区县")
_RATE_ONLY = re.compile(
    r"^(?:分别)?(?:按|以)(?:照)?[^,]*\d(?:\.\d+)?%(?:的比例)?$"
    # 按20万元/家的标准,给予孵化器一次性奖励: an amount per unit stated before the grant
    r"|^(?:按|以)(?:照)?[^,%]*?\d(?:\.\d+)?\s*(?:万元|元)(?:/[\u4e00-\u9fff]{1,2})?的(?:标准|额度)$"
)
_CARRIED_BASE = re.compile(r"^按(?:照)?(?:其)?(?P<base>[^,%]{2,20}?)(?:给予|予以|实施|计算)(?!.*\d)")
# A tier narrows by a quantity (融资额10亿元以下的, 购买10台(套)及以上的); a recognition is its own subject.
_QUANTITY_CONDITION = re.compile(
    r"\d|以上|以下|不足|超过|低于|高于|[一二三四五六七八九十百千万]+(?:台|套|家|个|亿|万)"
)
_LEGAL_BASIS = re.compile(
    r"^(?:按照|依据|根据|依照|参照)[^,]*(?:规定|办法|政策|要求|精神|通知|意见)$|^以[^,]*为(?:依据|基数|标准)$"
)
_OTHER_LEVELS_GRANT = re.compile(r"^除.*外$")
_CAP_WORD = re.compile(r"最高|不超过|不高于|最多|上限|封顶|限额")
_SHARE_SPLIT = re.compile(r"^(?:其中)?\d+(?:\.\d+)?%(?:奖励|补助|补贴|给予|用于|归)[\u4e00-\u9fff]{1,12}$")
_BARE_RECIPIENT = re.compile(
    r"^(?:其|该)?"
    + LEXICON.alternation("recipient").replace("(?:", "(?:引进方|", 1)
    + r"(?=给予|予以|分别|一次性)"
)
_BACK_LIMIT = re.compile(
    r"^(?:该|上述|此|以上)(?:项)?(?:奖励|补助|补贴|奖补|资金|费用)+[^,]{0,6}(?:不超过|不高于|最高|不得超过)"
)
DERIVED = LEXICON.pattern("derived_amount")
_NO_GRANT = LEXICON.pattern("no_grant")
_PAREN_REMARK = re.compile(r"[((][^()()]*[))]")
# A benefit that is not money, named beside the grant (由市政府给予表彰,并…奖励): not who qualifies.
_OTHER_BENEFIT = re.compile(
    r"(?:给予|予以)(?:通报)?(?:表彰|表扬|授牌|命名)|(?:给予|予以)(?:最长|最多)?[\d一二三四五六七八九十]+(?:年|个月)$"
)
_PROCEDURAL = re.compile(
    r"经(?:有关部门|主管部门|相关部门)?(?:认定|评审|审核|核定|批准|评估|考核|确认|备案)(?:后|合格)?"
    r"|在[\u4e00-\u9fff]{0,10}(?:期限内|期间|期内)"
)
_PREAMBLE = re.compile(
    r"^(?:支持|鼓励|推进|推动|加快|落实|积极|贯彻|引导|加大|完善|深入|加强|强化|提高|提升|促进|大力)"
)


@dataclass
class _Context:
    """What a clause may inherit from the clauses before it in the same sentence."""

    subject: str | None = None
    core: str | None = None
    payers: list[Payer] | None = None
    sentence_payer: str | None = None
    base: str | None = None  # 按其年度地方经济贡献额给予五年奖励,其中前三年给予80%…
    topic: str | None = None  # the section's heading (技术改造补助): who qualifies when nothing else says


_DISCOURSE = re.compile(r"^(?:具体|另外|此外|同时)(?=$|按|,)")
_ON_TOP_OF = re.compile(r"在[^,]*?(?:的)?基础上,?")
_TRAILING_VERB = re.compile(r"(?:给予|予以)[\u4e00-\u9fff]{0,6}$")
_LEADING_DUI = re.compile(r"^(?:对于|对)")
_TRAILING_DENG = re.compile(r"(?:等|,)$")


def _clean_subject(text: str) -> str:
    if "基础上" in text:
        text = _ON_TOP_OF.sub("", text)
    text = _TRAILING_VERB.sub("", text)
    text = _LEADING_DUI.sub("", text.strip(" ,"))
    text = _DISCOURSE.sub("", text)
    text = _TRAILING_DENG.sub("", text.strip())
    return text.strip(" ,")


def _core(subject: str) -> str:
    """The head of a subject for tiers: 成功上市企业再按照融资额实施奖补 → 成功上市企业."""
    m = re.search(r"再|按照|按|实施|通过|给予|积极|争取", subject)
    return subject[: m.start()] if m and m.start() > 0 else subject


def _row(task: str | None, text: str, subject: str, amount: Amount | None, **extra) -> Incentive:
    """One incentive row; ``amount`` None makes it ``unspecified``."""
    kind = amount.kind if amount else "unspecified"
    return Incentive(
        task=task,
        text=text,
        subject=subject,
        level=level_of(subject),
        kind=kind,
        amount_wan=amount.amount if amount and kind in ("fixed", "min") else None,
        cap_wan=amount.cap if amount else None,
        ratio=amount.ratio if amount else None,
        ratio_is_max=bool(amount and amount.ratio_is_max),
        amount_min_wan=amount.amount_min if amount else None,
        ratio_min=amount.ratio_min if amount else None,
        **extra,
    )


def _segment_tiers(part: str, k: int) -> list[str] | None:
    """Conditions of tiers listed inside one part: 属于国内首台(套)的按60%、属于省内首台(套)的按30%."""
    segments = split_top(part, "、")
    if len(segments) != k:
        return None
    conditions = []
    for seg in segments:
        amounts = [m for m in find_money(seg) if not is_threshold(seg, m.start, m.end)]
        if len(amounts) + len(find_ratios(seg)) != 1:
            return None
        # 属于国内首台(套)的按60%; 1000万元以下部分按10% (progressive bands: each rate on its part)
        m = re.match(
            r"^(?:.*?对)?(?:按(?:照)?)?(?P<cond>[^,]*?(?:的|部分))(?=按|给予|予以|奖励|补助|补贴|一次性|分别|最高|\d)",
            seg,
        )
        if not m:
            # 国家级循环经济示范企业奖励50万元、省级循环经济示范企业奖励15万元: the words before the verb
            m = re.match(
                r"^(?:.*?对)?(?P<cond>[\u4e00-\u9fff()“”]{4,30}?)(?=(?:一次性)?(?:奖励|补助|补贴|给予))", seg
            )
            if not m or not re.search(r"企业|单位|项目|机构|产品|中心|基地|平台", m.group("cond")):
                return None
        conditions.append(m.group("cond"))
    return conditions


_STANDARD_LIST = re.compile(r"^按(?:照)?(?P<items>[^,]+?)的(?:标准|额度)(?P<rest>.*)$")


def _standard_items(parts: list[str]) -> list[str]:
    """A schedule printed inside 按…的标准 (按博士每人8万元、硕士每人5万元的标准,给予机构补贴):
    each item becomes a grant part of its own (博士每人给予8万元), the rest stays as printed."""
    out: list[str] = []
    for part in parts:
        m = _STANDARD_LIST.match(part)
        items = split_top(m.group("items"), "、") if m else []
        if len(items) < 2 or not all(_ITEM_AMOUNT.match(item) for item in items):
            out.append(part)
            continue
        for item in items:
            money = find_money(item)[0]
            out.append(item[: money.start] + "给予" + item[money.start :])
        if rest := m.group("rest").strip(","):
            out.append(rest)
    return out


_OWN_THRESHOLD = re.compile(r"(?:达到|超过|突破|达)\d")
_THRESHOLD_END = re.compile(r"(?:以上|以下)(?:\((?:含|不含)\))?")


def _threshold_alternatives(subject: str) -> list[str] | None:
    """Members of a 、 list that each state their own threshold, with the words after the last
    member's threshold shared by all (且实现正增长的企业), or None."""
    segments = split_top(subject, "、")
    if len(segments) < 2 or not all(_OWN_THRESHOLD.search(seg) for seg in segments):
        return None
    ends = list(_THRESHOLD_END.finditer(segments[-1]))
    if not ends or not all(_THRESHOLD_END.search(seg) for seg in segments[:-1]):
        return None
    shared = segments[-1][ends[-1].end() :]
    # The words before the first member's clause are shared too (对年度…,| 出口额达到…).
    marks = list(re.finditer(r",", segments[0]))
    prefix = segments[0][: marks[-1].end()] if marks else ""
    middle = [prefix + seg + shared for seg in segments[1:-1]]
    return [segments[0] + shared, *middle, prefix + segments[-1]]


_BASIS_PART = re.compile(r"根据|依据|依照")
# 500万元安家补贴 | 60万元科研经费补助 · 科研经费10万元: an amount beside the name of its own benefit
_NAME_AFTER_AMOUNT = re.compile(
    r"(?:的)?[\u4e00-\u9fff]{0,6}?(?:补贴|补助|奖励|资助|经费|津贴)(?=及|和|以及|并|,|。|;|$)"
)
_NAME_BEFORE_AMOUNT = re.compile(r"(?:补贴|补助|资助|经费|津贴)$")


def _each_amount_named(part: str, k: int) -> bool:
    """Whether each of the part's k amounts stands beside a benefit name of its own (最高500万元安家补贴
    及最高60万元科研经费补助, 一次性科研经费10万元和每年8万元的生活补助): two benefits of one recipient."""
    moneys = find_money(part)
    if len(moneys) != k or k < 2:
        return False
    return all(
        _NAME_AFTER_AMOUNT.match(part, m.end) or _NAME_BEFORE_AMOUNT.search(part, 0, m.start) for m in moneys
    )


# 获得授权后, 通过验收时: a stage of the item named before (博士后 is a person, not a stage)
_LATER_STAGE = re.compile(r"(?:获得|取得|通过|完成|授权|验收|认定|投产)[\u4e00-\u9fff]{0,4}(?:后|时)$")
# 鼓励人才中介组织引进和引荐人才: an organisation a preamble asks to act, paid for what it does
_PREAMBLE_ACTOR = re.compile(
    r"^(?:鼓励|支持|引导)(?P<who>[\u4e00-\u9fff]{2,10}?(?:组织|机构|协会|商会|联盟))(?=引进|引荐|开展|举办|参与|提供|组织)"
)
# 连续3年, 前三年: a time, not who is paid
_DURATION_ONLY = re.compile(r"^(?:连续|前|后|每年|近)?[\d一二三四五六七八九十两]+(?:个)?(?:年|月)(?:内)?$")
# An item of a 其中 list: a short name and its amount, nothing else (本科生2万元, 博士每人5万元).
_ITEM_AMOUNT = re.compile(
    rf"^(?!.*(?:不低于|不少于|不超过|不高于|最高|最多|达到|超过|低于|高于|以上|以下|总额|合计|累计))"
    rf"[\u4e00-\u9fff]{{1,12}}?(?:每人|每家|每个)?{NUMBER}\s*(?:万元|元)$"
)


_TITLE_VERB = re.compile(r"(?:评为|获评|评定为|认定为|获得|荣获|入选|授予|命名为)$")


def _titles_sharing_one_amount(subject: str) -> list[str] | None:
    """The subjects of a list of titles after 评为/获得… that one amount is granted to (被评为中华
    老字号、国家特级酒家及获得特许经营权的), one per title; None when the list is not one of titles
    (研发、生产高端装备的 lists activities; 国家级、省级示范企业 levels of one title)."""
    for lst in find_lists(subject):
        if (
            lst.kind in ("general", "quoted")
            and len(lst) > 1
            # a list printed with 、 (a lone 和/或 often joins the parts of one name: 其他国家或地区)
            and "、" in lst.separators
            and set(lst.separators) <= {"、", "和", "及", "以及"}
            and _TITLE_VERB.search(subject[: lst.start])
            and subject[lst.end :].startswith("的")
            and all(len(m) >= 3 and not re.fullmatch(LEVEL_WORD, m) for m in lst.members)
            and not level_lists(subject[lst.start : lst.end])
        ):
            verb = _TITLE_VERB.search(subject[: lst.start])
            before = subject[: verb.start()].removesuffix("被")
            return [
                # …及获得特许经营权的: a member with a verb of its own takes it instead of 评为
                before + lst.members[i] + subject[lst.end :]
                if re.match(r"(?:被)?" + _TITLE_VERB.pattern.removesuffix("$"), lst.members[i])
                else lst.substitute(subject, i)
                for i in range(len(lst))
            ]
    return None


def _pair_rows(
    subject: str, base_subject: str, amounts: list[Amount], grant: Grant, part: str, base: str | None = None
) -> list[tuple[str, Amount | None, list[str], bool] | tuple[str, Amount | None, list[str], bool, str]]:
    """Pair amounts with the members of a list in the subject (分别), or with tiers in the part;
    a row may carry its own rate base as a fifth item (按软件、硬件投入分别给予30%、20%)."""
    k = len(amounts)
    if k <= 1:
        subjects = [subject]
        if "分别" in grant.after_verb or "分别" in grant.before_verb:
            who = RECIPIENT.search(grant.after_verb)
            if who and len(recipient_members(who.group("who"))) > 1:
                members = recipient_members(who.group("who"))
                subjects = [_join_of(s, m) for s in subjects for m in members]
            levels = level_lists(subject)
            wider = [
                lst
                for lst in find_lists(subject)
                if levels
                and lst.kind == "general"
                and len(lst) > len(levels[0])
                and lst.start <= levels[0].start < levels[0].end <= lst.end
            ]
            if wider and not who:
                # 国家级、省级重点企业研究院、省级企业研究院,分别增加10万元: the levels are part of a
                # longer list, each of whose members gets the amount
                subjects = [wider[0].substitute(subject, i) for i in range(len(wider[0]))]
            elif levels and who:
                lst = levels[0]
                subjects = [lst.substitute(s, i) for s in subjects for i in range(len(lst))]
            elif len(subjects) == 1 and (lists := [lst for lst in find_lists(subject) if len(lst) > 1]):
                # 获得国家级QC成果三等奖、省级一等奖的,每项分别奖励0.5万元: each member gets it.
                lst = lists[0]
                subjects = [lst.substitute(subject, i) for i in range(len(lst))]
        elif titles := _titles_sharing_one_amount(subject):
            # 被评为浙江老字号、国家一级酒店的,给予8万元: every holder of each title gets the amount
            subjects = titles
        elif alternatives := _threshold_alternatives(subject):
            # 加工贸易额达到1000万美元以上、农产品贸易额达到200万美元以上且实现正增长的企业,每家
            # 给予10万元: each member is a qualification of its own with its own threshold
            subjects = alternatives
        elif quoted := [
            lst
            for lst in find_lists(subject)
            if lst.kind == "quoted"
            and len(lst) > 1
            and all(re.fullmatch(r"“[^”]+(?:奖|称号)”", m) for m in lst.members)
        ]:
            # 设立“创新奖”、“工匠奖”,给予每人2万元奖励: each named award is a qualification of its own
            subjects = [quoted[0].substitute(subject, i) for i in range(len(quoted[0]))]
        return [(s, amounts[0] if amounts else None, [], False) for s in subjects]
    if conditions := _segment_tiers(part, k):
        # 1000万元以下部分按10%、以上部分按5%: progressive bands, each rate on its own part of the base
        note = (
            ["分段累进:每档比例只计入落在该档的部分"] if all(c.endswith("部分") for c in conditions) else []
        )
        return [
            (_join_tier(c, base_subject) if c.endswith(("的", "部分")) else c, a, list(note), False)
            for c, a in zip(conditions, amounts, strict=True)
        ]
    if qualifiers := _bracketed_qualifiers(part, grant, k):
        # 每个摊位补助0.3万元(市内)、0.5万元(市外省内)、1万元(省外): the bracket names the case
        return [(f"{subject}({q})", a, [], False) for q, a in zip(qualifiers, amounts, strict=True)]
    if phases := _phases(part, k):
        # 给予地方财政贡献前5年100%后5年50%的奖励: one rate per period
        return [(f"{subject}({p})", a, [], False) for p, a in zip(phases, amounts, strict=True)]
    if recipients := _recipients_with_amounts(grant.after_verb, k):
        # 分别给予研发单位最高50万元、使用单位最高30万元: each recipient printed with its amount
        head = subject.removesuffix(recipients[0]).removesuffix("的") if subject != recipients[0] else ""
        return [
            (_join_of(head, who) if head else who, a, [], False)
            for who, a in zip(recipients, amounts, strict=True)
        ]
    if "分别" not in part and _each_amount_named(part, k):
        # 最高500万元安家补贴及最高60万元科研经费补助: two benefits of one recipient, each named
        return [(subject, a, [], False) for a in amounts]
    segments = split_top(subject, "、")
    if len(segments) == k and all("“" in seg for seg in segments):
        # 年销售收入达到100亿元的“航母之星”工业企业、…的“航母”工业企业: one named kind per amount.
        return [(seg, a, [], False) for seg, a in zip(segments, amounts, strict=True)]
    # A list inside a legal basis (根据国家、省鼓励进口技术和产品目录) names where the rule comes from,
    # not who is paid.
    lists = [
        lst
        for lst in find_lists(subject)
        if not _BASIS_PART.match(subject, subject.rfind(",", 0, lst.start + 1) + 1)
    ]
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
    for lst in lists:
        # 中国驰名商标、浙江省著名商标或名牌产品、宁波市知名商标或名牌产品 + three amounts: the
        # members are what 、 separates; 或 joins alternatives inside one member.
        groups = lst.groups("、")
        if len(groups) == k and len(lst) > k and all(sep in "、或" for sep in lst.separators):
            return [(lst.substitute_group(subject, g), amounts[i], [], False) for i, g in enumerate(groups)]
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
    if base and (base_lists := [lst for lst in find_lists(base) if len(lst) == k]):
        # 按网络软件、硬件实际投入分别给予30%、20%: the rates pair with what they apply to.
        lst = base_lists[0]
        return [
            (_join_of(subject, lst.substitute(base, i)), a, [], False, lst.substitute(base, i))
            for i, a in enumerate(amounts)
        ]
    if labels := _labelled_amounts(part, grant, k):
        # 每个摊位市内最高5000元、市外最高1万元: the word before each amount names the case
        return [(f"{subject}({label})", a, [], False) for label, a in zip(labels, amounts, strict=True)]
    note = f"有{k}个金额但未找到与之对应的{k}项对象,各金额暂用同一对象,请核对"
    return [(subject, a, [note], True) for a in amounts]


_RECIPIENT_WITH_AMOUNT = re.compile(
    r"^(?:其|每家|每个)?(?P<who>[\u4e00-\u9fff]{0,10}?"
    + LEXICON.alternation("recipient")
    + r")(?=最高|不超过|不高于|一次性|\d)"
)


def _bracketed_qualifiers(part: str, grant: Grant, k: int) -> list[str] | None:
    """The bracket printed after each amount (0.3万元(市内)、0.5万元(市外省内)), one per amount, or None."""
    found = []
    for m in [*grant.moneys, *grant.ratios]:
        q = re.match(r"\s*[((](?P<q>[^()()]{2,12})[))]", part[m.end :])
        if not q or (re.search(r"\d|含", q.group("q")) and not _RANK.fullmatch(q.group("q"))):
            return None
        found.append(q.group("q"))
    return found if len(found) == k else None


# A place in a list of winners (1-2名, 第3名, 前5名): the case an amount in brackets is paid for.
_RANK = re.compile(r"(?:第|前)?\d+(?:\s*[-－—~～至]\s*\d+)?名(?:以内)?")
_LABEL_BETWEEN = re.compile(
    r"、(?P<label>[\u4e00-\u9fff]{2,4}?)(?:最高|不超过|不高于)?(?:奖励|补助|补贴|资助)?"
)
_LABEL_TAIL = re.compile(r"(?:最高|不超过|不高于)?(?:奖励|补助|补贴|资助)?$")


def _labelled_amounts(part: str, grant: Grant, k: int) -> list[str] | None:
    """The short label printed before each amount (每个摊位市内最高5000元、市外最高1万元), one per
    amount, or None. The labels are alike (市内/市外, 省内/省外) and as long as one another; the
    first one is read back from its amount by that length."""
    found = sorted([*grant.moneys, *grant.ratios], key=lambda m: m.start)
    if len(found) != k or k < 2:
        return None
    labels = []
    for before, after in pairwise(found):
        m = _LABEL_BETWEEN.fullmatch(part[before.end : after.start])
        if not m:
            return None
        labels.append(m.group("label"))
    n = len(labels[0])
    head = _LABEL_TAIL.sub("", part[: found[0].start])
    first = head[-n:]
    if (
        len(head) <= n
        or any(len(label) != n for label in labels)
        or not re.fullmatch(r"[\u4e00-\u9fff]+", first)
        or GRANT_VERB.search(first)
        or "每" in first
        or not all(set(first) & set(label) for label in labels)
    ):
        return None
    return [first, *labels]


_PHASE = re.compile(r"(?:前|后|第)[\d一二三四五六七八九十两]+(?:个)?(?:完整)?(?:年度|年)(?:内)?")


def _phases(part: str, k: int) -> list[str] | None:
    """Periods printed before each rate (前5年100%后5年50%), one per amount, or None."""
    phases = [m.group(0) for m in _PHASE.finditer(part)]
    rates = find_ratios(part)
    if len(phases) != k or len(rates) != k:
        return None
    for phase, rate in zip(_PHASE.finditer(part), rates, strict=True):
        if phase.end() > rate.start or not re.fullmatch(
            r"[\u4e00-\u9fff]{0,4}", part[phase.end() : rate.start]
        ):
            return None
    return phases


def _recipients_with_amounts(after_verb: str, k: int) -> list[str] | None:
    """The recipients of 分别给予A最高X、B最高Y, one per amount, or None."""
    body = re.sub(r"^(?:分别)?(?:给予|予以)(?:分别)?", "", after_verb)
    segments = split_top(body, "、")
    if len(segments) != k:
        return None
    found = [m.group("who") for seg in segments if (m := _RECIPIENT_WITH_AMOUNT.match(seg))]
    return found if len(found) == k else None


def _join_of(subject: str, recipient: str) -> str:
    """Attach a recipient to what qualifies it: 推介会 + 组织方 → 推介会的组织方."""
    return f"{subject}{recipient}" if subject.endswith("的") else f"{subject}的{recipient}"


def _join_tier(condition: str, core: str) -> str:
    """A tier's condition before the subject it narrows: 融资额10亿元以下的 + 成功上市企业.

    A core without a head noun (首次认定为高新技术企业的) cannot be narrowed; the condition stands alone.
    """
    if not core or core.endswith("的"):
        return condition
    if (level := LEXICON.level_word(condition.removesuffix("的"))) and (lists := level_lists(core)):
        # 对国家、省、市级科技计划项目…配套,对国家级的给予100%: the tier picks its member of the list
        lst = lists[0]
        for i, member in enumerate(lst.members):
            if LEXICON.level_word(member) == level or LEXICON.level_word(member + "级") == level:
                return lst.substitute(core, i)
    return condition + core if condition.endswith("的") else f"{condition}的{core}"


def _recipient_suffix(grant: Grant) -> str:
    who = RECIPIENT.search(grant.after_verb)
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
    parts = [
        p
        for p in pending
        if not _LEGAL_BASIS.match(p) and not _OTHER_LEVELS_GRANT.match(p) and not _OTHER_BENEFIT.search(p)
    ]
    if not opened_by_dui and parts:
        kept = [p for p in parts if not _PREAMBLE.match(p)]
        preambles = [p for p in parts if _PREAMBLE.match(p)]
        if preambles and all(_PROCEDURAL.fullmatch(p) for p in kept):
            kept = []  # 鼓励小微企业组织管理培训,经认定,按…: the preamble names who, 经认定 only how
        parts = kept or [_PREAMBLE.sub("", (preambles or parts)[-1])]
    if (
        own
        and parts
        and _FEE_ITEM.fullmatch(own)
        and not own.startswith("其")
        and not parts[-1].endswith("的")
    ):
        # 发明专利,申请费资助1000元/件: the fee of the item named before (发明专利申请费)
        return _clean_subject(",".join(parts) + own)
    return _clean_subject(",".join([*parts, own] if own else parts))


_NAMED_BENEFIT = re.compile(r"(?:万元|元)(?P<name>(?:(?!标准|发放|给予|予以|进行|的)[\u4e00-\u9fff]){2,8})$")
# 申请费, 代理费, 年费: a fee of the item before it
_FEE_ITEM = re.compile(r"[\u4e00-\u9fff]{1,3}费")


@dataclass
class _Slot:
    """A grant with the subject it pays and the cap that follows it."""

    grant: Grant
    subject: str
    base_subject: str
    text: str = ""  # the parts from this grant's subject to its amount, for 一次性 and the unit
    cap: Money | None = None
    caps: list[Money] = field(default_factory=list)


def _find_subject_start(parts: list[str]) -> tuple[int | None, str | None]:
    for i, part in enumerate(parts):
        m = SUBJECT_START.match(part)
        if m:
            parts[i] = part[m.end() :]
            return i, payer_level(m.group("payer")) if m.group("payer") else None
    return None, None


_BRACKETED_SHARE = re.compile(r"[((](?P<inner>[^()()]*(?:承担|分担)[^()()]*)[))]")
_NEW_GRANT_AFTER_AMOUNT = re.compile(r"(?<=元)(?=对(?!接|外|其))")
_JOINED_BY_BING = re.compile(r"(?<=奖励|补助|补贴|资助|奖补)并(?=对|按|给予)")
_AMOUNT_SIGN = re.compile(r"元|%|‰|全额|倍|\d:\d|[\dIlOo]万")
_UNSPECIFIED_SIGN = re.compile(
    r"(?:给予|予以)[^,;]{0,10}(?:奖励|补助|补贴|资助|扶持|支持|奖补|贴息)|一事一议|"
    r"(?:纳入|列入)[^,;]{0,16}(?:贴息|补贴|补助|奖励|资助|奖补)|(?:奖励|补助|补贴|资助|奖补)(?:,|$)"
)
_ANY_GRANT = re.compile(r"给予|予以|奖|补|资助|扶持|支持|贴息|一事一议|纳入|列入|享受|领取|匹配|配套")
_ENTERPRISE_CAP = re.compile(r"^(?:每家|同一|单个|每个)企业[^,]{0,30}(?:累计|合计|总额|最高限额)")


def _resolve_subject(
    own: str, pending: list[str], fresh: bool, opened: bool, ctx: _Context
) -> tuple[str, str]:
    """Whom a grant pays, and the subject a later tier of it would narrow.

    ``own`` is the grant part's own words before its verb, ``pending`` the condition parts since
    the last grant, ``fresh`` whether this grant starts a new subject (the first grant, or a new
    对 part came), ``opened`` whether the subject was opened by 对.
    """
    if not fresh:
        if own.endswith("的"):  # 融资额10亿元(含)至20亿元的奖补700万元: a tier of the clause's subject
            return _join_tier(own, ctx.core or ""), ctx.core or ""
        if _LATER_STAGE.search(own) and not pending and ctx.core and not _LATER_STAGE.search(ctx.core):
            # 发明专利,申请费资助1000元/件,获得授权后资助8000元/件: a later stage of the same item
            subject = ctx.core + own
            return subject, subject
        # Conditions listed since the last grant name this grant's own recipients.
        subject = _subject_from(pending, own, True) or ctx.subject or ""
        return subject, subject
    base = _subject_from(pending, "", opened)
    if own.endswith("的") and (base or ctx.core):
        subject = _join_tier(own, _core(base) if base else ctx.core or "")
    else:
        # Never lose a grant for want of a subject: fall back to the raw conditions.
        subject = (
            _subject_from(pending, own, opened)
            or ctx.subject
            or _clean_subject(",".join(pending))
            or ctx.topic
            or ""
        )
        if not opened and ctx.core and subject.endswith("的") and _QUANTITY_CONDITION.search(subject):
            subject = _join_tier(subject, ctx.core)
    base = base or subject
    ctx.subject = ctx.subject or subject
    ctx.core = ctx.core or _core(_without_tier(pending, opened) or base)
    return subject, base


def _rows_for_clause(clause: str, ctx: _Context, task: str | None, text: str) -> list[Incentive]:
    """Read one clause (a sentence up to ;) into incentive rows; ``ctx`` carries the sentence's subject."""
    if "对" not in clause and not _ANY_GRANT.search(clause):
        return []  # no subject opened and no word of a grant: nothing to read (most clauses)
    if not _AMOUNT_SIGN.search(clause) and not _UNSPECIFIED_SIGN.search(clause):
        # Nothing payable here; a subject it opens (对新认定的企业;…) is still the sentence's.
        if not ctx.subject and (m := SUBJECT_START.match(clause)):
            ctx.subject = _core(
                _clean_subject(split_parts(clause[m.end() :])[0] if clause[m.end() :] else "")
            )
            ctx.core = ctx.core or ctx.subject
        return []
    if TAX_TREATMENT.search(clause) or _ENTERPRISE_CAP.search(clause):
        return []
    if (limit := _ACTUAL_COST.search(clause)) and not _AMOUNT_SIGN.search(
        clause[: limit.start()] + clause[limit.end() :]
    ):
        return []  # 如实际租金小于50元的,按实际租金予以补贴: the grant before is bounded by the cost paid
    clause_payers = None
    if "担" in clause:
        for m in _BRACKETED_SHARE.finditer(clause):
            clause_payers = payers_from(m.group("inner"), None)
        clause = _BRACKETED_SHARE.sub("", clause)
    clause = _NEW_GRANT_AFTER_AMOUNT.sub(",", clause)  # …500万元对完成目标的县区…: a new grant
    # 给予10万元奖励并对其新增地方财政贡献给予全额奖励: a second grant joined by 并
    clause = _JOINED_BY_BING.sub(",", clause)
    parts = _standard_items(split_parts(clause))
    start, start_payer = _find_subject_start(parts)
    if start and any(read_grant(i, parts[i]) for i in range(start)):
        # 设立工作站的,每年给予最高40万元资助,对促成成果转化的,按…给予补助: the 对 opens a second grant
        parts[start] = "对" + parts[start]
        start, start_payer = None, None
    first_index = start if start is not None else 0
    opened = start is not None

    slots: list[_Slot] = []
    pending: list[str] = []
    clause_notes: list[
        str
    ] = []  # doubts about the whole clause (a limit stated as a share, a derived amount)
    if start and _BARE_RECIPIENT.match(parts[start]):
        # 引进…的区域性、全国性商贸会展,经认定的,对引进方给予5万元、10万元: who qualifies is before 对
        pending = [p for p in parts[:start] if not _PREAMBLE.match(p)] or parts[:start]
    lead_in = ""  # parts before the first grant: 按级别给予一次性补贴,其中…
    itemised = False  # after 其中, items that print a name and an amount only (本科生2万元)
    fresh = True  # the next grant starts a new subject (no grant yet, or a new 对 part came)
    for i in range(first_index, len(parts)):
        part = parts[i]
        if PAYER_SHARE.search(part) and not GRANT_VERB.search(part):
            clause_payers = payers_from(part, None) or clause_payers
            continue
        if slots and not fresh and (caps := caps_of(part)):
            slots[-1].caps = caps  # 最高分别不超过200万元和1000万元
            continue
        if slots and not fresh and (cap := cap_of(part)):
            # 前三年给予80%…后两年给予50%…,每年最高不超过5000万元: one cap for the whole schedule.
            for slot in reversed(slots):
                if slot.cap is not None or (slot is not slots[-1] and not slot.grant.ratios):
                    break
                slot.cap = cap
                slot.text += "," + part  # …最高不超过100万元的一次性奖励
            continue
        if slots and AGGREGATE_BUDGET.search(part) and find_money(part) and not GRANT_VERB.search(part[:2]):
            continue
        if slots and _BACK_LIMIT.match(part):
            # 该奖励费用不超过其新建投资额的5%: a limit on the grant before, stated as a share
            clause_notes.append(f"另有上限“{part}”未计入,请核对")
            continue
        if DERIVED.search(_PAREN_REMARK.sub("", part)):
            # 奖励比例与限额分别再提高1个百分点和100万元, 减半奖励: amounts derived from another grant
            clause_notes.append(f"另有按其他标准增减的金额“{part}”未计算,请核对")
            continue
        if (derived := _PAREN_REMARK.search(part)) and DERIVED.search(derived.group(0)):
            clause_notes.append(f"另有按其他标准增减的金额“{derived.group(0)}”未计算,请核对")
        if _OTHER_LEVELS_GRANT.match(part):
            continue
        if m := _CARRIED_BASE.search(part):
            ctx.base = ctx.base or m.group("base")
        if (
            _RATE_ONLY.match(part)
            and i + 1 < len(parts)
            and (
                read_grant(i + 1, parts[i + 1])
                or re.match(r"(?:给予|予以|奖励|补助|补贴|资助|奖补)", parts[i + 1])
                # 按其…利率的100%,对该企业给予贴息补助: the rate of a grant to the subject named before
                or re.match(r"对(?:其|该)[\u4e00-\u9fff]{0,4}(?:给予|予以)", parts[i + 1])
            )
        ):
            # 按照实际投资额的1.5%,最高给予100万元奖补: the rate belongs to the grant that follows.
            parts[i + 1] = part + parts[i + 1]
            continue
        if slots and _SHARE_SPLIT.match(part):
            continue  # 其中60%奖励设计机构,40%奖励制造企业: how one grant is divided, not a new grant
        if part.startswith("其中"):
            parts[i] = part = re.sub(r"^其中[::,]?", "", part)
            pending, fresh = [], True  # 其中获省级称号企业奖励10万元: recipients within the category
            itemised = bool(_ITEM_AMOUNT.match(part)) and not GRANT_VERB.search(part)
        if itemised and _ITEM_AMOUNT.match(part) and not GRANT_VERB.search(part):
            # 发放住房补贴,其中本科生2万元,硕士研究生4万元: each item names its own amount
            money = find_money(part)[0]
            parts[i] = part = part[: money.start] + "给予" + part[money.start :]
            pending, fresh = [], True
        grant = read_grant(i, part)
        if grant is None and not slots and i + 1 < len(parts) and cap_of(parts[i + 1]):
            grant = unspecified_grant(i, part)  # 给予一定资金补助,最高不超过30万元
        if grant is None:
            if not slots:
                lead_in += part
            if i > first_index and (m := SUBJECT_START.match(part)):
                parts[i] = part = part[m.end() :]
                pending, fresh, opened = [], True, True
            pending.append(part)
            continue
        subject, base = _resolve_subject(grant.own, pending, fresh, opened, ctx)
        slots.append(_Slot(grant, subject, base, ",".join([*pending, part])))
        pending, fresh = [], False

    if slots and fresh and pending:
        # …每年给予最高40万元资助,对促成成果转化的,按一定比例给予补助: a later grant without a number
        i = parts.index(pending[-1], first_index)
        if (grant := unspecified_grant(i, pending[-1])) is not None:
            subject = _subject_from(pending[:-1], grant.own, True)
            if subject:
                slots.append(_Slot(grant, subject, subject, ",".join(pending)))

    if not slots:
        if clause_notes:
            return []  # only a derived amount: nothing of its own to pay
        return _unspecified_rows(parts, first_index, opened, start_payer, clause, ctx, task, text)

    rows: list[Incentive] = []
    for slot in [s for s in slots if s.subject or _recipient_suffix(s.grant)]:
        grant, part, cap = slot.grant, parts[slot.grant.index], slot.cap
        amounts = amounts_of(grant, part, cap)
        if not amounts and not grant.unspecified:
            continue
        if len(amounts) == 1 and slot.caps:
            amounts = [replace(amounts[0], cap=c.value_wan) for c in slot.caps]
        elif len(amounts) == len(slot.caps):  # 分别按50%、30%…,最高分别不超过20万元、10万元
            amounts = [replace(a, cap=c.value_wan) for a, c in zip(amounts, slot.caps, strict=True)]
        subject = slot.subject
        if (
            not grant.own
            and subject
            and subject == ctx.topic
            and (named := _NAMED_BENEFIT.search(grant.before_verb))
        ):
            # (一)最高2000万元落户奖励: an item that names its benefit after the amount
            subject = f"{subject}{named.group('name')}{grant.after_verb[:2]}"
        if recipient := _recipient_suffix(grant):
            recipient = recipient.removeprefix("其")
            subject = _join_of(subject, recipient) if subject else recipient
        payer = grant.payer or start_payer or ctx.sentence_payer
        payers = clause_payers or payers_from(part, payer) or ctx.payers
        per = per_of(part)  # the amount's own unit first (每吨标准煤150元), then the cap's (单个项目最高)
        if per is None and cap:
            at = clause.find(cap.text)
            per = per_of(clause[max(0, at - 10) : at])
        base = (base_of(part, subject) or ctx.base) if any(a.kind == "ratio" for a in amounts) else None
        if not amounts:
            rows.append(_row(task, text, subject, None, payers=payers, one_time="一次性" in slot.text))
            continue
        paired = _pair_rows(subject, slot.base_subject, amounts, grant, part, base)
        for row_subject, amount, notes, review, *own_base in paired:
            rows.append(
                _row(
                    task,
                    text,
                    row_subject,
                    amount,
                    base=own_base[0] if own_base else base,
                    per=per,
                    payers=payers,
                    one_time="一次性" in lead_in + slot.text,
                    needs_review=review or bool(grant.remarks),
                    notes=notes + [f"括号内另有调整金额的条件{r},未计入,请核对" for r in grant.remarks],
                )
            )
    ctx.payers = ctx.payers or (rows[0].payers if rows else None)
    actor = next((m for p in parts[:first_index] if (m := _PREAMBLE_ACTOR.match(p))), None)
    for row in rows:
        if actor and row.subject.endswith("的"):
            # 鼓励人才中介组织引进人才,对成功引进院士的,给予…: the organisation is who is paid
            row.subject = row.subject + actor.group("who")
            row.level = level_of(row.subject)
        if _DURATION_ONLY.match(row.subject):
            row.needs_review = True
            row.notes.append(f"未找到受益对象,“{row.subject}”只是期限,请核对")
    _flag_leftovers(clause, parts, rows)
    for row in rows if clause_notes else []:
        row.needs_review = True
        row.notes.extend(clause_notes)
    return rows


def _flag_leftovers(clause: str, parts: list[str], rows: list[Incentive]) -> None:
    """Flag the rows of a clause that holds an amount or a rate none of them accounts for (a second
    cap for another case, an amount the reading could not place): the officer must look."""
    if not rows:
        return
    used = set()
    for row in rows:
        for value in (row.amount_wan, row.cap_wan, row.ratio, row.amount_min_wan, row.ratio_min):
            if value is not None:
                used.add(round(value, 6))
    left = []
    for part in parts:
        if not (find_money(part) or find_ratios(part)):
            continue
        if (
            AGGREGATE_BUDGET.search(part)
            or _BACK_LIMIT.match(part)
            or DERIVED.search(part)
            or PAYMENT_SCHEDULE.search(part)
            or PAYER_SHARE.search(part)
            or _SHARE_SPLIT.match(part)
            or not (_CAP_WORD.search(part) or GRANT_VERB.search(part))
        ):
            continue
        spans = [(r.start, r.end) for r in per_money_ratios(part)] + remark_spans(part)
        found = sorted([*find_money(part), *find_ratios(part)], key=lambda m: m.start)
        condition = [is_threshold(part, m.start, m.end) for m in found]
        # 达到8亿元、5亿元、2亿元的: members of a list of thresholds are thresholds too.
        for _ in range(2):
            for i in range(len(found) - 1):
                joined = re.fullmatch(
                    r"[、和及或与,\s]*(?:\((?:含|不含)\))?[、和及或与,\s]*",
                    part[found[i].end : found[i + 1].start],
                )
                if joined and (condition[i] or condition[i + 1]):
                    condition[i] = condition[i + 1] = True
        verb = GRANT_VERB.search(part)
        for m, is_condition in zip(found, condition, strict=True):
            if is_condition or any(a <= m.start < b for a, b in spans):
                continue
            if (
                verb
                and m.start < verb.start()
                and not re.search(r"按|最高|不超过|不高于|每", part[: m.start])
            ):
                continue  # 200(含)—400万元给予…: what qualifies, before the grant
            if round(m.value_wan if isinstance(m, Money) else m.value, 6) not in used:
                left.append(m.text)
    if left:
        note = f"条款中还有{'、'.join(dict.fromkeys(left))}未能对应到奖补行,请核对"
        for row in rows:
            row.needs_review = True
            row.notes.append(note)


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
    if AGGREGATE_BUDGET.search(clause) and find_money(clause):
        return []  # 当补助总额超过500万元时,以500万元除以…作为补助标准: how a budget is shared
    if _NO_GRANT.search(clause):
        return []  # 对采取一事一议的项目,不再享受本政策: a benefit withheld, not granted
    if len(parts) == 1 and _TOPIC_SENTENCE.fullmatch(clause.rstrip("。")):
        return []  # 对获得专利奖的资助。: a topic naming the grants that follow, no grant itself
    for i in range(first_index, len(parts)):
        grant = unspecified_grant(i, parts[i])
        if grant is None:
            continue
        if not opened and len(parts) == 1 and not re.search(r"给予|予以|可|将|按|实行|采取|一事一议", clause):
            return []  # 2017年度企业入统奖励, □零售业奖励: a label (a title, a form's box), not a grant
        subject = _subject_from(parts[first_index:i], grant.own, opened) or ctx.subject or ctx.topic
        if not subject:
            return []
        if _GOVERNMENT.search(subject) and not opened:
            return []  # 鼓励具备条件的旗县区给予配套奖补: asks another government to pay
        ctx.subject = ctx.subject or subject
        ctx.core = ctx.core or _core(subject)
        payer = grant.payer or start_payer or ctx.sentence_payer
        row = _row(
            task,
            text,
            subject,
            None,
            payers=payers_from(clause, payer) if payer else None,
            one_time="一次性" in clause,
        )
        if "分别" in parts[i] and not UNSPEC_HINT.search(parts[i]):
            # 按获奖名单排名分别给予奖励: 分别 with no amounts — they are listed elsewhere (the
            # sentences after it), so this row may only announce them
            row.needs_review = True
            row.notes.append("“分别给予”而未列金额,金额或在其后各句,请核对")
        return [row]
    if opened and not ctx.subject:
        ctx.subject = _core(_clean_subject(parts[first_index]))
        ctx.core = ctx.subject
    return []


_GRANT_SENTENCE = re.compile(r"\d:\d|给予|予以|^对")


def _is_heading_only(sentence: str, para) -> bool:
    """A section's heading sentence that states no amount (a topic such as 企业升规奖励)."""
    title = para.section.title if para.section else ""
    if _GRANT_SENTENCE.search(sentence):
        return False  # a whole grant sentence printed as the item's first line
    return sentence.strip() == title.strip() and not find_money(sentence) and not find_ratios(sentence)


_CAP_ONLY = re.compile(
    rf"^(?P<head>[^,;。]*?)(?:{'|'.join(['最高', '不超过', '不高于', '最多', '上限为', '封顶'])})[^,;。\d]{{0,8}}?"
    rf"(?P<num>{NUMBER})\s*(?P<unit>万元|亿元|元)(?:的?[\u4e00-\u9fff]{{0,4}}(?:奖励|补助|补贴|资助|奖补))?$"
)
_CAP_HEAD = re.compile(
    r"单个|每个|每家|单家|同一|每项|单项|每户|单户|本项|本条|本款|上述|以上|(?:补贴|补助|奖励|资助|奖补)(?:金额|额度|资金|额)"
)


_PERIOD_REMARK = re.compile(
    r"(?:期限|时间|期)(?:为|最长)?(?:不超过)?[\d一二三四五六七八九十两]+(?:个)?(?:年|月)"
)


def cap_only(clause: str) -> float | None:
    """A clause that only caps the grants before it (单个项目最高不超过1000万元, 用于…的单个项目补贴
    金额最高不超过500万元): its ceiling in 万元, else None.

    >>> cap_only("单个项目最高不超过1000万元"), cap_only("对新认定的企业最高奖励50万元")
    (1000.0, None)
    """
    clause = clause.strip()
    parts = split_top(clause, ",")
    with_money = [i for i, p in enumerate(parts) if find_money(p)]
    at = with_money[0] if len(with_money) == 1 else None
    if (
        len(parts) > 1
        and at is not None
        # before the ceiling only how long (补贴期限为3年), after it only who may apply
        and all(_PERIOD_REMARK.search(p) for p in parts[:at])
        and not any(find_ratios(p) or GRANT_VERB.search(p) for p in parts[at + 1 :])
    ):
        # 原则上单个项目最高配套额度为500万元,每个机构每年可申请一项 · 补贴期限为3年,且每年最高补贴
        # 金额不超过300万元: the other parts only say who may apply or for how long
        clause = re.sub(r"^(?:且|并且|同时)", "", parts[at])
    m = _CAP_ONLY.match(clause)
    if not m or re.match(r"对|给予|予以|按", m.group("head")) or find_ratios(clause):
        return None
    if not _CAP_HEAD.search(clause) and m.group("head"):
        return None  # a bare 最高不超过10万元 has no head: it can only cap what stands before it
    try:
        return money_to_wan(m.group("num"), m.group("unit"))
    except ValueError:
        return None


_LIMITS_OF_ABOVE = re.compile(
    r"^(?:以上|上述)(?:各项|所列各项|(?:所列)?(?:政策|奖励|补助|资助|补贴|扶持|条款))[^。]*(?:最多|最高|不超过|不得超过)"
)
_PER_PERSON_CAP = re.compile(
    rf"每人[^,]{{0,8}}?(?:最高|不超过)(?:不超过)?(?P<num>{NUMBER})\s*(?P<unit>万元|元)"
)


_ACTUAL_COST = LEXICON.pattern("actual_cost_limit")
_TOPIC_SENTENCE = re.compile(
    r"对(?:(?!给予|予以|进行|实行)[^,;。]){1,30}的(?:资助|奖励|补助|补贴|支持|扶持|奖补)"
)
_FORM_CELL = re.compile(r"^(?:申请|申报)[^,。;]{0,30}?(?:奖励|补助|补贴|资助|奖补)\s+\d")


def _limit_rows_above(sentence: str, rows: list[Incentive]) -> None:
    """Apply a sentence of limits on the grants above it: 每人…最高N caps the grants of staff costs
    (人员费) that have no cap; every other limit is left to the officer on each row it may touch."""
    per_person = _PER_PERSON_CAP.search(sentence)
    for row in rows:
        if (
            per_person
            and row.cap_wan is None
            and row.kind in ("ratio", "max")
            and "人员" in row.subject + (row.base or "")
        ):
            row.cap_wan = money_to_wan(per_person.group("num"), per_person.group("unit"))
            continue
        row.needs_review = True
        row.notes.append(f"其后另有限制“{sentence}”未计入,请核对")


def _apply_cap(rows: list[Incentive], cap: float) -> bool:
    """Cap the rows that have none (an unspecified grant becomes 最高 cap); whether any took it."""
    took = False
    for row in rows:
        if row.cap_wan is not None or row.kind in ("fixed", "min"):
            continue
        row.cap_wan = cap
        if row.kind == "unspecified":
            row.kind = "max"
        took = True
    return took


# A lead-in that announces amounts listed after it (标准为:, 分类确定支持额度:), or a section
# titled as a schedule (补贴标准和期限): amounts printed there without a grant verb are grants.
_LEAD_IN = re.compile(r"(?:标准|额度|金额|如下|下列|以下)[^:。]{0,12}:$")
_GRANT_WORD = re.compile(r"奖励|补助|补贴|资助|奖补|扶持|支持|资金|贴息")
_SCHEDULE_TITLE = re.compile(r"(?:奖励|补助|补贴|资助|支持|扶持|奖补|贴息)(?:的)?(?:标准|额度)|^标准")


def _implicit_grants(sentence: str) -> str | None:
    """A sentence of a schedule (A类30万元;B类20万元) with a grant word put before each amount, or
    None when it already grants with a verb or holds no amount."""
    if not find_money(sentence):
        return None
    out, changed = [], False
    for clause in split_clauses(sentence):
        if GRANT_VERB.search(clause) or not find_money(clause):
            out.append(clause)
            continue
        changed = True
        parts = []
        for part in split_parts(clause):
            money = find_money(part)
            # A loan or a guarantee limit (可申请不超过30万元的创业担保贷款) is no money paid.
            lending = _LENDING.search(part)
            parts.append(
                part[: money[0].start] + "给予" + part[money[0].start :]
                if len(money) == 1 and not lending
                else part
            )
        out.append(",".join(parts))
    return ";".join(out) if changed else None


_LENDING = re.compile(r"贷款|担保|授信|融资额度")


# Headings that only label a part of a guide (资助标准, 申报条件, 补贴标准和期限): never a subject.
_LABEL_TITLE = re.compile(
    r"^(?:[\u4e00-\u9fff]{0,4}(?:标准|条件|对象|材料|程序|流程|期限|依据|时间|方式|要求|内容|范围|说明)(?:和|及|与)?)+:?$"
)


def _topic(para) -> str | None:
    """The heading of the section a paragraph sits in, as a subject of last resort (技术改造补助);
    a heading that only labels a part of a guide (补贴标准和期限) gives way to the one above it."""
    for section in para.section.ancestors() if para.section else []:
        title = section.title.strip(" :")
        if title and len(title) <= 30 and not find_money(title) and not _LABEL_TITLE.match(title):
            return _clean_subject(title)
    return None


def _schedule_section(para) -> bool:
    title = para.section.title if para.section else ""
    return bool(_SCHEDULE_TITLE.search(title))


def _flag_repairs(rows: list[Incentive], repairs: list[str], ocr: list[str]) -> None:
    """Rows whose sentence holds a number the reader repaired (joined across a line break, letters
    read as digits) are flagged."""
    for row in rows:
        for snippet in repairs:
            if snippet in row.text:
                row.needs_review = True
                row.notes.append(f"原文数字跨行断开,已拼接为“{snippet}”,请核对")
        for fix in ocr:
            digits = fix.partition("→")[2]
            if re.search(rf"(?<![\d.]){re.escape(digits)}(?![\d.])", row.text):
                row.needs_review = True
                row.notes.append(f"原文数字疑有识别错误,“{fix}”已按数字读取,请核对")


def extract_incentives(
    structure: Structure, repairs: list[str] | tuple[str, ...] = (), ocr: list[str] | tuple[str, ...] = ()
) -> list[Incentive]:
    """All incentive rows of a parsed document, in document order.

    ``repairs`` are the snippets where the line reader joined a number broken across lines, ``ocr``
    the numbers it read from letters (IOo→100); the rows whose sentence holds one are flagged.
    """
    rows: list[Incentive] = []
    placed: list[tuple[Incentive, object]] = []  # each row with the section it was read in
    lead_in: tuple[object, str] | None = None  # a sentence ending in ":" and the subject it opened
    schedule: object = None  # the section whose lead-in announced a schedule of amounts
    section_rows: list[Incentive] = []
    current: object = None
    for para in structure.paragraphs:
        task_section = para.section.task() if para.section else None
        task = task_section.id if task_section else None
        section = para.section.id if para.section else None
        if para.section is not current:
            current, section_rows = para.section, []
        sentences = split_sentences(para.text)
        previous_sentence = ""
        previous_subject: str | None = None
        previous_rows: list[Incentive] = []
        for si, sentence in enumerate(sentences):
            if si == 0 and para.heading and _is_heading_only(sentence, para):
                if _schedule_section(para):
                    schedule = para.section
                continue  # "(四)企业科技创新奖励补助": a heading names a topic, it grants nothing
            if (
                "对" not in sentence
                and "元" not in sentence
                and "%" not in sentence
                and not _ANY_GRANT.search(sentence)
                and not _LEAD_IN.search(sentence)
            ):
                previous_sentence, previous_subject, previous_rows = sentence, None, []
                continue  # no subject, no grant word, no lead-in: nothing to read here
            sentence = without_limits(sentence)
            if not sentence or _FORM_CELL.match(sentence):
                continue  # 申请企业入统奖励 20万元: a row of an application form, the sum applied for
            if (cap := cap_only(sentence)) is not None and _apply_cap(previous_rows or section_rows, cap):
                continue  # 单个项目最高不超过1000万元 stated once for the grants before it
            if (
                cap is not None
                and (previous_rows or section_rows)
                and not re.search(r"对|给予|予以", sentence)
            ):
                # 补贴期限为3年,且每年最高补贴金额不超过300万元 after rows that have their own ceiling:
                # a second limit, shown to the officer on those rows
                for row in previous_rows or section_rows:
                    row.needs_review = True
                    row.notes.append(f"另有上限“{sentence}”未计入,请核对")
                continue
            if _LIMITS_OF_ABOVE.match(sentence) and "对" not in sentence and section_rows:
                # 以上政策同一企业最多资助4个展位,每人资助金额最高不超过2万元: limits on the grants
                # above, not a grant; a cap per person caps the grants of staff costs, the rest is shown.
                _limit_rows_above(sentence, section_rows)
                continue
            if _LEAD_IN.search(sentence) and _GRANT_WORD.search(sentence) and not find_money(sentence):
                schedule = para.section
                continue
            read_as = sentence
            in_schedule = (
                schedule is not None and para.section is not None and schedule in para.section.ancestors()
            )
            if in_schedule and (implicit := _implicit_grants(sentence)):
                read_as = implicit
            if previous_rows and PAYER_SHARE.search(sentence) and not find_money(sentence):
                # 补助资金市县按1:1比例承担: who pays the grants of the sentence before.
                if shares := payers_from(sentence, None):
                    for row in previous_rows:
                        row.payers = row.payers if row.payers and len(row.payers) > 1 else shares
                continue
            topic = _topic(para)
            if (
                lead_in
                and para.section is not None
                and para.section is not lead_in[0]
                and lead_in[0] in para.section.ancestors()
            ):
                topic = lead_in[1]  # (一)最高2000万元落户奖励 under 对新型研发机构…经费构成包括:
            ctx = _Context(sentence_payer=sentence_payer(sentence), topic=topic)
            sentence_rows: list[Incentive] = []
            clauses = split_clauses(read_as)
            originals = split_clauses(sentence)
            if len(originals) != len(clauses):
                originals = clauses
            for ci, clause in enumerate(clauses):
                text = originals[ci]
                if ci > 0 and (cap := cap_only(clause)) is not None and sentence_rows:
                    if not _apply_cap(sentence_rows, cap):
                        # …分别给予1万元、3万元、5万元的奖励;奖励金额最高不超过15万元: a ceiling on the
                        # sum of fixed grants, not a grant of its own; shown to the officer on each
                        for row in sentence_rows:
                            row.needs_review = True
                            row.notes.append(f"另有上限“{clause}”未计入,请核对")
                    continue  # …给予一定的奖励;单个项目补贴金额最高不超过500万元
                if ci == 0 and re.match(r"^其中[::,]?", clause) and previous_sentence:
                    detail = re.sub(r"^其中[::,]?", "", clause)
                    ctx.subject, ctx.core = previous_subject, previous_subject
                    ctx.sentence_payer = sentence_payer(previous_sentence) or ctx.sentence_payer
                    text = f"{previous_sentence}。{clause}"
                    found = _rows_for_clause(detail, ctx, task, text)
                    if found:
                        for r in found:
                            r.subject = previous_subject or r.subject
                            r.level = level_of(r.subject)
                        rows[:] = [r for r in rows if not any(r is p for p in previous_rows)]
                    sentence_rows.extend(found)
                    continue
                sentence_rows.extend(_rows_for_clause(clause, ctx, task, text))
            for row in sentence_rows:
                row.section = section
                placed.append((row, para.section))
            rows.extend(sentence_rows)
            section_rows.extend(sentence_rows)
            previous_sentence = sentence
            previous_subject = ctx.subject
            previous_rows = sentence_rows
            if sentence.rstrip().endswith(":") and ctx.subject:
                lead_in = (para.section, ctx.subject)  # the items under it are paid to this subject
    rows = _without_detailed_lead_ins(rows, placed)
    _flag_repairs(rows, list(repairs), list(ocr))
    return rows


# 根据企业实缴注册资本给予…, 按照纳税总额给予…, …分类给予奖励: an amount that depends on a measure
_BY_MEASURE = re.compile(r"根据|按照|(?<![\u4e00-\u9fff])按|分类|分档|如下|以下标准|:$")


def _without_detailed_lead_ins(
    rows: list[Incentive], placed: list[tuple[Incentive, object]]
) -> list[Incentive]:
    """Drop a grant without a number whose amounts are listed in the items under it: (一)根据企业
    实缴注册资本给予落户奖励。 followed by 1.…(1)…的,奖励300万元 is a schedule's lead-in, not a row."""
    detailed = set()
    for i, (row, section) in enumerate(placed):
        if row.kind != "unspecified" or section is None or not _BY_MEASURE.search(row.text):
            continue
        following = [(other, inner) for other, inner in placed[i + 1 :] if inner is not section][:1]
        if any(
            other.kind != "unspecified" and inner is not None and section in inner.ancestors()
            for other, inner in following
        ):
            detailed.add(id(row))
    return [row for row in rows if id(row) not in detailed]
