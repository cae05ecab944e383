"""Reading one grant (奖补金额): verbs, amounts, kinds, caps, rate bases, units and payers.

``incentives.py`` decides which comma parts of a clause are grants and whom they pay; this module
reads what a single part says about money:

>>> g = read_grant(0, "按照不高于设备购置款的10%给予补贴")
>>> [(a.kind, a.ratio, a.ratio_is_max) for a in amounts_of(g, "按照不高于设备购置款的10%给予补贴", None)]
[('ratio', 0.1, True)]
>>> base_of("按照不高于设备购置款的10%给予补贴", "")
'设备购置款'
>>> cap_of("单个项目补贴不超过500万元").value_wan
500.0
>>> [(p.payer, p.share) for p in payers_from("市、区各承担30%和70%", None)]
[('市级', 0.3), ('区级', 0.7)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from huiqi.extract.lexicon import LEXICON
from huiqi.extract.model import Payer
from huiqi.text.money import NUMBER, Money, Ratio, find_money, find_ratios, money_to_wan
from huiqi.text.places import place_tier

GRANT_VERB = LEXICON.pattern("grant_verb")
TAX_TREATMENT = LEXICON.pattern("tax_treatment")
UNSPEC_HINT = LEXICON.pattern("unspecified_hint")
NON_MONEY_GRANT = LEXICON.pattern("non_money_grant")
PAYER = LEXICON.pattern("payer").pattern
_TAIL_MODIFIERS = [
    re.compile(
        r"(?:分别|一次性|最高|再|还可|还|可|均|相应配套|相应|配套|另行|额外|另外|并|直接|先|其|累计|不超过|不高于|最多)$"
    ),
    re.compile(
        r"(?:每家|每场次|每场|每个|每户|每项|每件|每台\(套\)|每台套|每辆|每人|每年|每次)(?:企业|单位|机构|摊位|展位)?$"
    ),
    re.compile(r"按(?:照)?(?:[^,()()]|[((][^()()]*[))])*$"),
    # How it is given (通过“一事一议”, 综合采取…方式, 依据…规定), not who gets it (通过省级认定的企业).
    re.compile(r"(?:通过|采取|综合采取|采用)[^,]*?(?:方式|一事一议”?|办法|形式)$"),
    re.compile(r"(?:依据|根据|参照|依照)[^,]*?(?:规定|办法|标准|情况|政策)$"),
    re.compile(r"在建设阶段$|在[\u4e00-\u9fff]{0,10}(?:期限内|期间|期内)$"),
    re.compile(r"(?:择优|积极|依法|视情|酌情|统筹|实施分阶段|实施|分阶段|进行|将)$"),
    re.compile(rf"{PAYER}$"),
    re.compile(r"各[\u4e00-\u9fff()()]{1,12}?(?:区|县|市|旗)[))]?$"),  # 各县级市(区)按照…给予
    re.compile(r"(?:园区|高新区|开发区|管委会|分档|按档|分类|连续三年|结合[\u4e00-\u9fff]{1,8})$"),
]
_CAP_QUALIFIER = re.compile(LEXICON.alternation("cap"))
_MIN_QUALIFIER = re.compile(LEXICON.alternation("floor"))
_PER_UNIT_HEAD = re.compile(
    r"^(?:单|每|同一|最高|累计|上述|以上|合计|共计|本项|本条|本款|当年|年度|年|月)[^,]{0,10}?$"
    r"|^(?:金额|额度|资金|总额)?(?:累计|合计|共计)?$"
)
# 对同一项目投资给予的奖励(最高…): a per-unit ceiling introduced with 对
_DUI_CAP_HEAD = re.compile(
    r"^对(?:同一|单个|每个|每家|一家|单家|单一|每一|每项)[^,]{0,20}?的(?:奖励|补助|资助|补贴|奖补)(?:金额|额度|资金)?$"
)
_OWN_CAP = LEXICON.pattern("own_grant_cap")
AGGREGATE_BUDGET = LEXICON.pattern("aggregate_budget")
PAYER_SHARE = LEXICON.pattern("payer_share")
RECIPIENT = re.compile(
    r"(?:给予|予以)(?:其|每家|每个)?(?P<who>[\u4e00-\u9fff、和及]{0,16}?"
    + LEXICON.alternation("recipient")
    + r")(?:[((][^()()]{1,12}[))]|(?=最高|不超过|不高于|\d|[一二三四五六七八九十]|分别|一次性|按|全额|本人))"
)
_SHARE_LIST = re.compile(
    r"(?P<who>[市省区县](?:、[市省区县])+)(?:两级|三级)?(?:财政)?各(?:承担|负担|分担)(?P<shares>[\d.%和、:]+)"
)
_PAIR_SPLIT = re.compile(
    r"(?P<who>省市|市县|市区|县乡|区镇|省县)(?:两级)?(?:财政)?按(?:照)?(?P<x>\d+):(?P<y>\d+)"
)
_SOLE_PAYER = re.compile(rf"(?:所需资金)?(?P<who>{PAYER})(?:全额|全部)?(?:承担|负担|列支)")
_RATIO_SPLIT = re.compile(r"由(?P<a>[^,和]+?)(?:财政)?和(?P<b>[^,]+?)(?:财政)?按照?(?P<x>\d+):(?P<y>\d+)")


# Who pays may stand before 对: 市财政, 省制造强省建设专项资金, 高新区管委会.
FUNDING = r"[\u4e00-\u9fff]{2,14}?(?:专项资金|财政资金|资金|财政|政府|管委会)"
SUBJECT_START = re.compile(
    rf"^(?P<payer>{PAYER}|{FUNDING})?(?:再|还|将|另|并|同时)?对(?:于)?"
    r"(?!接(?!入)|外|内|标|口|比|照|应|象|策|话|称|冲|立|手|此|其)"
)


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
    remarks: list[str] = field(default_factory=list)  # bracketed remarks that change the amount


def payer_level(text: str) -> str | None:
    """Which budget level a payer phrase names (市政府 → 市级, 我区 → 区级, 省上 → 省级)."""
    if text.startswith("各") and re.search(r"区|县|旗", text):
        return "区县级"  # 各县级市(区), 各区县: the level below the document's
    return next((level for word, level in LEXICON.payers if word in text), None)


def level_of(subject: str) -> str | None:
    """The level (国家级/省级/市级/区县级) of the qualification a subject names, if it has one.

    A subject that names several levels (国家和省绿色工厂, 省级研究院、市级设计中心) has none.

    A place's own name before a title gives the level of that place (宁波市知名商标 → 市级), and a
    county-level city's name with 级 is 区县级 (乐清市级 → 区县级).

    >>> level_of("新认定的国家级专精特新企业"), level_of("新获得“山东老字号”认定的企业"), level_of("国家和省绿色工厂")
    ('国家级', '省级', None)
    >>> level_of("新评为宁波市知名商标的企业"), level_of("认定为乐清市级企业技术中心的企业")
    ('市级', '区县级')
    """
    explicit = set(re.findall(r"国家级|自治区级|省级|盟市级|市级|州级|旗县级|区级|县级", subject))
    if len(explicit) > 1 or re.search(r"(?:国家|省)(?:和|、|及|或)(?:省|市)(?!场)", subject):
        return None
    best = _place_level(subject)
    for pattern, level in LEXICON.level_patterns:
        m = pattern.search(subject)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), level)
    return best[1] if best else None


_TIER_LEVEL = {"province": "省级", "city": "市级", "county": "区县级"}


def _place_level(subject: str) -> tuple[int, str] | None:
    """(start, level) of a place's own name before a title or 级 (宁波市知名商标, 乐清市级)."""
    for m in re.finditer(r"(?:省|市|县|区)(?=级|知名|著名|名牌|老字号|质量奖|“)", subject):
        for length in (2, 3, 4):
            start = m.start() - length
            if start < 0:
                break
            tier = place_tier(subject[start : m.end()])
            if tier:
                return start, _TIER_LEVEL[tier]
    return None


def strip_tail(text: str) -> tuple[str, str | None]:
    """Remove grant modifiers from the end of the words before a grant verb; return the rest and a payer."""
    payer = None
    changed = True
    while changed and text:
        changed = False
        for pattern in _TAIL_MODIFIERS:
            m = pattern.search(text)
            if (
                m
                and m.group(0)
                and text[m.start() - 1 : m.start()] == "、"
                and re.fullmatch(r"[市省区县]级", m.group(0))
            ):
                continue  # 国家级、省级、市级分别给予…: the last member of a list of levels, not a payer
            if m and m.group(0):
                named = re.search(PAYER, m.group(0))
                if payer is None and m.group(0).startswith("各"):
                    payer = payer_level(m.group(0))
                elif payer is None and named and not m.group(0).startswith("按"):
                    payer = payer_level(named.group(0))
                text = text[: m.start()]
                changed = True
    return text.strip(), payer


_RATE_PHRASE = re.compile(r"(?:按|以)(?:照)?[^,]*$")


_PAREN = re.compile(r"[((][^()()]*[))]")
_PAREN_CAP = re.compile(
    r"^[((](?:单个|每个|每家|单家)?[\u4e00-\u9fff]{0,6}?(?:最高|不超过|不高于|最多)[^()()]*元"
)
_ADJUSTS = re.compile(r"按[^()()]*(?:\d%|倍)[^()()]*执行|减半|加倍|上浮|下浮|翻倍|扣减|核减")


def remark_spans(part: str) -> list[tuple[int, int]]:
    """Brackets inside a grant part that hold a remark or a condition (5万元以上,以合同和发票为准;
    如…不足1亿元的,奖励额度按50%执行), not the grant's own amount; a bracketed cap (最高不超过50万元)
    is the grant's own."""
    return [(m.start(), m.end()) for m in _PAREN.finditer(part) if not _PAREN_CAP.match(m.group(0))]


def grant_remarks(part: str) -> list[str]:
    """Bracketed remarks that change the amount of a grant (奖励额度按50%执行, 减半): flagged for review."""
    return [m.group(0) for m in _PAREN.finditer(part) if _ADJUSTS.search(m.group(0))]


def _outside(spans: list[tuple[int, int]], start: int) -> bool:
    return not any(a <= start < b for a, b in spans)


def _valid_ratios(part: str, verb_at: int) -> list[Ratio]:
    """Rates that are the grant's own: after the verb, inside an 按…/以… phrase before it, or
    right before the verb (场地租金总额的50%予以补贴)."""
    keep = []
    spans = remark_spans(part)
    for r in find_ratios(part):
        if not _outside(spans, r.start):
            continue
        tail = part[r.end :]
        if re.match(r"以上|以下|及以上|以内的(?![\u4e00-\u9fff]{0,4}(?:补助|补贴|奖励|资助|奖补))", tail):
            continue
        if re.search(
            r"(?:(?<!不)超过|达到|达|增速|增幅|增长)$", part[max(0, r.start - 3) : r.start]
        ) and re.match(r"(?:的)?部分|的(?!比例)", tail):
            continue  # 同比增速超过10%部分给予全额奖励: 10% is where the part begins, not the rate
        if (
            r.start >= verb_at
            or _RATE_PHRASE.search(part[: r.start])
            or re.match(r"(?:的比例)?(?:予以|给予|进行)", tail)
            or re.match(r"(?:的)?(?:贴息|补贴|补助|奖励|资助)", tail)  # 实行50%贴息
        ):
            keep.append(r)
    return keep


_THRESHOLD_BEFORE = re.compile(
    r"(?:达到|达|(?<!不)超过|突破|满|不足|(?<!不)低于|(?<!不)高于|总额在|额在|在|首次)$"
)
_THRESHOLD_AFTER = re.compile(
    r"(?:\((?:含|不含)\))?(?:以上|以下|及以上|及以下|[-—~至到])"
    r"|(?:\((?:含|不含)\))?的[\u4e00-\u9fff]{0,6}?(?:企业|项目|单位|机构|园区|平台|团队|主体)"
    r"(?!资助|补助|奖励|补贴|经费|扶持|支持|奖补)"
)


def is_threshold(part: str, start: int, end: int) -> bool:
    """Whether the number at ``part[start:end]`` is a condition (产值达到2亿元, 1000万元以上的企业)."""
    return bool(
        _THRESHOLD_BEFORE.search(part[max(0, start - 4) : start])
        or _THRESHOLD_AFTER.match(part[end : end + 8])
        or re.match(r"以上|以下|及以上|及以下", part[end:])
    )


def _valid_moneys(part: str, verb_at: int) -> list[Money]:
    """Money that is the grant's own: after the verb, or inside an 按… phrase (按每家20万元给予资助),
    or right before a grant word (每人每月1500元住房补贴)."""
    keep = []
    spans = remark_spans(part)
    for m in find_money(part):
        if not _outside(spans, m.start):
            continue
        tail = part[m.end : m.end + 8]
        if _THRESHOLD_BEFORE.search(part[max(0, m.start - 4) : m.start]) or _THRESHOLD_AFTER.match(tail):
            continue  # 产值达到2亿元, 总额在1000万元(含)-2000万元: a condition, not the grant
        own = (
            m.start >= verb_at
            or re.search(r"按(?:照)?每[^,]*$", part[: m.start])
            # 按年租金的50%且最高不超过1万元的标准给予: a cap inside the rate phrase
            or re.search(r"按(?:照)?[^,]*(?:最高|不超过|不高于)$", part[: m.start])
            # 按100元/吨标准煤进行补助: an amount per unit inside the rate phrase
            or (re.search(r"按(?:照)?[^,]*$", part[: m.start]) and re.match(r"/|每", part[m.end :]))
        )
        named = (
            re.match(r"[\u4e00-\u9fff]{0,4}(?:补贴|补助|奖励|资助)", tail)
            and not re.match(r"以上|以下|的", tail)
        ) or (
            # 累计不超过10万元的创业补贴: a ceiling named by the benefit it caps
            re.match(r"的[\u4e00-\u9fff]{0,4}(?:补贴|补助|奖励|资助)", tail)
            and re.search(r"(?:最高|不超过|不高于)$", part[: m.start])
        )
        if own or named:
            keep.append(m)
    return keep


PAYMENT_SCHEDULE = LEXICON.pattern("payment_schedule")


_MATCHING = re.compile(
    r"(?P<base>[\u4e00-\u9fff]{2,12}?)(?P<x>\d+):(?P<y>\d+)(?:的比例)?(?:给予|予以|进行)?(?:资金)?配套"
)


_TIMES = re.compile(r"(?P<n>\d+(?:\.\d+)?)倍")
_SAME_AMOUNT = LEXICON.pattern("same_amount")
# 按…的5%对新型研发机构给予奖励: who receives, named between the rate and the verb
_RECIPIENT_BEFORE_VERB = re.compile(r"[%倍]对(?P<who>[^,对]{1,24}?)$")
# 给予国家级、省级优秀教育人才…等高层次教育人才最高500万元: whom a sentence opening with 给予 pays
_LEADING_RECIPIENT = re.compile(
    r"(?P<who>[^,;。\d]{2,60}?(?:"
    + LEXICON.alternation("recipient")
    + r"))(?=最高|不超过|不高于|一次性|每人|\d)"
)
# 按申报单位申请…的100%: the applicant a guide names inside its rate phrase
_APPLICANT_IN_RATE = re.compile(r"^按(?:照)?(?P<who>申报单位|申请单位|申报企业|申请企业|申请人|申报人)")


def _matching_ratios(part: str, verb_at: int) -> list[Ratio]:
    """给予省级补助资金1:1配套奖励 → 100% of the provincial grant; 给予2倍资金支持 → 200% of the base."""
    in_rate_phrase = re.compile(r"按(?:照)?[^,]*$")
    out = [
        Ratio(float(m.group("n")), m.start(), m.end(), m.group(0))
        for m in _TIMES.finditer(part)
        # 按国家奖金的2倍给予奖励, 按照…给予2倍资金支持: a multiple of the base the 按 phrase names
        if in_rate_phrase.search(part[: min(m.start(), verb_at)])
    ]
    for m in _MATCHING.finditer(part):
        if m.start() < verb_at and not in_rate_phrase.search(part[: m.start("x")]) and m.end() < verb_at:
            continue
        x, y = float(m.group("x")), float(m.group("y"))
        if x > 0:
            out.append(Ratio(round(y / x, 9), m.start("x"), m.end(), m.group(0)[m.start("x") - m.start() :]))
    out += per_money_ratios(part)
    # 以其获得的上级补助为标准,再给予相同额度资金奖励: as much again as the grant named before
    out += [
        Ratio(1.0, m.start(), m.end(), m.group(0))
        for m in _SAME_AMOUNT.finditer(part)
        if m.start() >= verb_at
    ]
    return out


_PER_MONEY = re.compile(
    rf"每(?:增加|新增|多)?(?P<x>{NUMBER})\s*(?P<ux>万元|亿元|元)[^,\d]{{0,6}}?(?:给予|奖励|补助|补贴|奖补|资助)"
    rf"[^,\d]{{0,4}}?(?P<y>{NUMBER})\s*(?P<uy>万元|亿元|元)"
)


def per_money_ratios(part: str) -> list[Ratio]:
    """An amount per amount is a rate: 增加部分每100万元给予5万元 → 5% of the increase.

    >>> [r.value for r in per_money_ratios("按地方贡献增加部分每100万元给予5万元的专项奖励")]
    [0.05]
    """
    out = []
    for m in _PER_MONEY.finditer(part):
        try:
            x = money_to_wan(m.group("x"), m.group("ux"))
            y = money_to_wan(m.group("y"), m.group("uy"))
        except ValueError:
            continue
        if x > 0:
            out.append(Ratio(round(y / x, 9), m.start(), m.end(), m.group(0)))
    return out


_NOUN_USE = re.compile(r"政策|办法|细则|对象|范围|条件|名单|资格|申报|申请|程序")


def read_grant(index: int, part: str) -> Grant | None:
    """Read a comma part as a grant, or None when it grants nothing countable."""
    verbs = list(GRANT_VERB.finditer(part))
    if not verbs:
        return None
    if PAYMENT_SCHEDULE.search(part):
        return None  # 奖补资金50%待企业达产后兑现: when money is paid, not how much
    for verb in verbs:
        if part[verb.end() : verb.end() + 1] == "的":
            continue  # 获得省知识产权质押融资补助的企业: the word names a title, it grants nothing here
        if _NOUN_USE.match(part, verb.end()):
            continue  # 高管奖励政策, 补助对象: the word names a policy or its scope, it grants nothing
        at = verb.start()
        ratios = _valid_ratios(part, at) + _matching_ratios(part, at)
        spans = [(r.start, r.end) for r in per_money_ratios(part)]
        moneys = [m for m in _valid_moneys(part, at) if not any(a <= m.start < b for a, b in spans)]
        if moneys or ratios:
            before = part[:at]
            first = min([r.start for r in ratios] + [m.start for m in moneys])
            if first < at:
                before = part[:first]
            own, payer = strip_tail(before)
            if own.startswith("对其"):
                own = ""  # 对其…租金总额的50%予以补贴: 其 is the subject already named
            if (not own or own.startswith(("按", "以"))) and (
                who := _RECIPIENT_BEFORE_VERB.search(part[:at])
            ):
                # 按其…收入的5%对新型研发机构给予奖励: the recipient stands after the rate
                own = "" if who.group("who").startswith(("其", "该")) else who.group("who")
            elif (
                not own
                and not part[:at]
                and not RECIPIENT.search(part)
                and (who := _LEADING_RECIPIENT.match(part, verb.end()))
                and re.search(r"、|等", who.group("who"))
            ):
                own = who.group(
                    "who"
                )  # 给予…等高层次教育人才最高500万元安家补贴: the sentence opens with its grant
            elif not own and (who := _APPLICANT_IN_RATE.match(part)):
                own = who.group("who")  # 按申报单位申请…的100%给予贴息补助 (a guide's own wording)
            if m := SUBJECT_START.match(own):
                own = own[m.end() :]
                payer = payer or (payer_level(m.group("payer")) if m.group("payer") else None)
            return Grant(index, own, payer, moneys, ratios, part[at:], part[:at], remarks=grant_remarks(part))
    return None


_INCLUDE_IN_SCOPE = re.compile(
    r"^将(?P<who>.+?)(?:纳入|列入)[^,]{0,12}?(?:贴息|补贴|补助|奖励|资助|奖补)(?:资金)?(?:支持|政策)?范围"
)


_PROCEDURE = LEXICON.pattern("procedure")
_NO_GRANT = LEXICON.pattern("no_grant")
_CASE_BY_CASE = LEXICON.pattern("case_by_case")


def unspecified_grant(index: int, part: str) -> Grant | None:
    """A grant about money with no number (给予一定资金奖励, 一事一议), or None."""
    if _NO_GRANT.search(part):
        return None  # 延续认定的,不再予以奖励; 不再享受本政策: a grant withheld
    scope = _INCLUDE_IN_SCOPE.search(part)
    if scope:
        return Grant(index, scope.group("who"), None, [], [], part[scope.end("who") :], "", unspecified=True)
    case = _CASE_BY_CASE.search(part)
    if (
        case
        and re.search(r"实行|拟行|施行|执行|采取|采用|给予|予以|通过|按", part)
        and not _PROCEDURE.search(part)
    ):
        head = re.search(r"(?:实行|拟行|施行|执行|采取|采用|给予|予以|通过|按)[^,]*$", part[: case.start()])
        at = head.start() if head else case.start()
        own, payer = strip_tail(part[:at])
        return Grant(index, own, payer, [], [], part[at:], part[:at], unspecified=True)
    m = re.search(
        r"(?:给予|予以)(?:一定|适当|重点|相应)?(?:额度|金额|数额)?(?:的)?(?:资金|经费|政策|社保|岗位|场租|租金|培训|生活|运营|房租)?"
        r"(?P<noun>奖励|补助|补贴|资助|扶持|支持|奖补|贴息)|"
        r"(?P<verb>奖励|补助|补贴|资助|奖补)$",
        part,
    )
    if not m:
        return None
    after = part[m.start() :]
    if NON_MONEY_GRANT.search(part[m.start() + 2 :]) or re.search(r"优先(?:给予|予以)", part):
        return None
    if _PROCEDURE.search(part[: m.start() + 2]):
        return None  # 用于…奖励, 申请奖励, 兑付奖励: how money moves, not a benefit
    noun = m.group("noun") or m.group("verb") or ""
    if noun in ("支持", "扶持") and not UNSPEC_HINT.search(part):
        return None
    own, payer = strip_tail(part[: m.start()])
    return Grant(index, own, payer, [], [], after, part[: m.start()], unspecified=True)


def cap_of(part: str) -> Money | None:
    """A part that only caps the grant before it: returns the cap, else None."""
    moneys = find_money(part)
    if len(moneys) != 1 or find_ratios(part):
        return None
    head = part[: moneys[0].start]
    q = _CAP_QUALIFIER.search(head)
    if not q:
        return None
    if _OWN_CAP.search(part):
        return moneys[0]  # 每个机构单一年度该项奖励金额合计不超过200万元
    if "对" in part[:2]:
        # 对同一项目投资给予的奖励最高100万元: a ceiling per unit, stated with 对
        return moneys[0] if _DUI_CAP_HEAD.match(head[: q.start()]) else None
    words = GRANT_VERB.sub("", head[: q.start()])
    if _PER_UNIT_HEAD.match(words.strip()):
        return moneys[0]
    return None


def caps_of(part: str) -> list[Money]:
    """Caps listed with 分别 for the members of a list: 最高分别不超过200万元和1000万元."""
    moneys = find_money(part)
    if len(moneys) < 2 or "分别" not in part or find_ratios(part) or not _CAP_QUALIFIER.search(part):
        return []
    head = GRANT_VERB.sub("", part[: moneys[0].start])
    head = re.sub(r"分别|最高|不超过|不高于|最多|给予|补助|奖励", "", head)
    return moneys if _PER_UNIT_HEAD.match(head.strip()) else []


def payers_from(text: str, fallback: str | None) -> list[Payer] | None:
    m = _SHARE_LIST.search(text)
    if m:
        who = m.group("who").split("、")
        shares = [float(s) / 100 for s in re.findall(r"(\d+(?:\.\d+)?)%", m.group("shares"))]
        if len(shares) == 1:  # 市、区两级财政各承担50%
            shares = shares * len(who)
        if len(who) == len(shares):
            return [Payer(payer=payer_level(w) or w, share=s) for w, s in zip(who, shares, strict=True)]
    m = _PAIR_SPLIT.search(text)
    if m:
        x, y = float(m.group("x")), float(m.group("y"))
        a, b = m.group("who")
        return [
            Payer(payer=payer_level(a) or a, share=round(x / (x + y), 6)),
            Payer(payer=payer_level(b) or b, share=round(y / (x + y), 6)),
        ]
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


def sentence_payer(sentence: str) -> str | None:
    """A budget level named for the whole sentence: 落实省级补贴政策, 争取省级技改专项资金."""
    m = re.search(
        r"(?:落实|争取|贯彻落实|执行)(?P<who>国家|中央|省级|省|市级)[^,。]*?(?:补贴|奖励|补助|资助|奖补|专项)[^,。]*?(?:政策|资金)",
        sentence,
    )
    return payer_level(m.group("who")) if m else None


def per_of(text: str) -> str | None:
    """The unit an amount is counted in (每场 → 场, /辆 → 辆), from the lexicon's per-units."""
    return LEXICON.per_unit(text)


_QUALIFIER_TAIL = re.compile(r"(?:最高|不超过|不高于|不低于|最多|一次性|的)+$")


def base_of(grant_text: str, subject: str) -> str | None:
    """What a rate applies to: 按设备购置款的10% → 设备购置款; 给予评估费用最高50% → 评估费用."""
    verb = GRANT_VERB.search(grant_text)
    ratios = [r for r in find_ratios(grant_text) if r.text != "全额"]
    ratios += _matching_ratios(grant_text, verb.start() if verb else 0)
    if ratios:
        before, after = grant_text[: ratios[0].start], grant_text[ratios[0].end :]
        before = _PAREN.sub("", before)  # 按其咨询服务费(5万元以上,以合同和发票为准)50%
        # 按设备投资额1000万元以下部分按10%: the band is not the base
        before = re.sub(r"[\d.]+(?:万元|亿元|元)?(?:以下|以上|及以下|及以上)?部分(?:按(?:照)?)?$", "", before)
        m = re.search(
            r"按(?:照)?(?:其)?(?:不高于|不超过|最高)?(?P<base>[^,按]+?)(?:分别给予[^,]*?)?$", before
        )
        if not m:
            m = re.search(r"(?:给予|享受|为)(?:最高)?(?P<base>[\u4e00-\u9fff()()]{2,16})$", before)
        if not m:
            m = re.search(r"对其(?:[^,]*的)?(?P<base>[^,的]{2,12})的?$", before)
        if not m:
            m = re.search(r"比例(?:不超过|不高于|最高|为)?(?P<base>[\u4e00-\u9fff()()]{2,16}?)的?$", before)
        if m:
            base = re.split(r"分别给予|给予|予以|给(?=企业|其|项目)", m.group("base"))[0]
            base = _QUALIFIER_TAIL.sub("", re.sub(r"^(?:不超过|不高于|最高|不低于|按)+", "", base))
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


_CAP_AFTER = re.compile(r"\s*(?:以内|之内|以下)(?!的(?:企业|项目|单位))")


def _qualifier_kind(window: str) -> str:
    if _MIN_QUALIFIER.search(window):
        return "min"
    if _CAP_QUALIFIER.search(window):
        return "max"
    return "fixed"


@dataclass
class Amount:
    kind: str
    amount: float | None = None
    cap: float | None = None
    ratio: float | None = None
    ratio_is_max: bool = False
    amount_min: float | None = None  # lower bound of a range, in 万元
    ratio_min: float | None = None  # lower bound of a rate range


def amounts_of(grant: Grant, part: str, cap: Money | None) -> list[Amount]:
    """The amounts a grant pays, one per 分别 member."""
    if grant.unspecified:
        return [Amount("max", cap=cap.value_wan)] if cap else []
    if len(grant.ratios) == 1 and len(grant.moneys) > 1 and "分别" in part:
        # 按固定资产投资的5%分别给予最高1000万元、500万元支持: one rate, a cap per member.
        r = grant.ratios[0]
        # 最高 here qualifies the caps; the rate is a ceiling only when 不高于/不超过 stands right before it.
        is_max = bool(re.search(r"(?:不高于|不超过|最高)$", part[: r.start]))
        return [Amount("ratio", None, m.value_wan, r.value, is_max, ratio_min=r.low) for m in grant.moneys]
    if grant.ratios:
        cap_value = grant.moneys[0].value_wan if grant.moneys else (cap.value_wan if cap else None)
        out = []
        prev_end = 0
        # 50%、30%以内: a qualifier printed once after a list of rates bounds each of them.
        shared_max = len(grant.ratios) > 1 and bool(_CAP_AFTER.match(part, grant.ratios[-1].end))
        for r in grant.ratios:
            # The qualifier stands between the 按/给予 that opens the rate phrase and the rate.
            openers = list(re.finditer(r"按照?|给予|予以|享受", part[: r.start]))
            start = max(openers[-1].start() - 3, 0) if openers else 0
            window = _PAREN.sub("", part[max(start, prev_end) : r.start])
            prev_end = r.end
            is_max = (
                bool(_CAP_QUALIFIER.search(window))
                or r.low is not None
                or shared_max
                or bool(_CAP_AFTER.match(part, r.end))
            )
            floor = r.value if _MIN_QUALIFIER.search(window) else r.low  # 不低于10%: at least 10%
            out.append(Amount("ratio", None, cap_value, r.value, is_max, ratio_min=floor))
        return out
    out = []
    # 最高补贴5.04万元: the qualifier may stand just before the verb.
    prev_end = max(0, len(grant.before_verb) - 4)
    kinds = []
    for m in grant.moneys:
        # 累计不超过10万元的创业补贴: an amount before its verb has its qualifier before it
        before_verb = m.start < len(grant.before_verb)  # 按每平方米每月最高40元给予补贴
        window = (
            part[max(0, m.start - 6) : m.start]
            if before_verb or m.start < prev_end
            else part[prev_end : m.start]
        )
        kind = _qualifier_kind(window)
        kinds.append("max" if kind == "fixed" and _CAP_AFTER.match(part, m.end) else kind)
        prev_end = m.end
    if kinds and kinds[0] != "fixed" and all(k == "fixed" for k in kinds[1:]):
        kinds = [kinds[0]] * len(kinds)
    if (
        len(grant.moneys) == 2
        and kinds == ["fixed", "max"]
        and re.fullmatch(
            r"[\u4e00-\u9fff/()]{0,6}?(?:限额|最高|不超过)", part[grant.moneys[0].end : grant.moneys[1].start]
        )
    ):
        # 按增量给予100元/标箱限额50万元的奖励: the second amount caps the first
        first, second = grant.moneys
        return [Amount("fixed", amount=first.value_wan, cap=second.value_wan)]
    for kind, m in zip(kinds, grant.moneys, strict=True):
        if kind == "max" or m.low_wan is not None:  # 给予10万元—100万元: up to 100, at least 10
            out.append(Amount("max", cap=m.value_wan, amount_min=m.low_wan))
        else:
            out.append(Amount(kind, amount=m.value_wan, cap=cap.value_wan if cap else None))
    return out
