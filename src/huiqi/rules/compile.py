"""Compile a document's incentives (奖补条款) into executable rules (规则).

Each incentive is read once more, this time against the qualification vocabulary:

* **trigger** — the 认定 or 事项 kinds its subject names (falling back to the whole clause for a
  tier row whose subject is only the band, ``购买数量为11~50台(套)的``); a mention inside a
  parenthesis is an aside and does not count.
* **level** — the alias's own level (中华老字号), else the extracted level if the kind has it;
  for events the level words of the vocabulary (国际标准, 境外).
* **first grant or 复核** — 复核/动态复核 in the subject selects re-examinations, anything else
  first grants; **window** — 上年度, 当年, else the document's validity.
* **bands** — quantity and amount bands of tiered clauses (:mod:`huiqi.rules.conditions`).
* **open conditions** — words the registry cannot check (且…, 符合条件, 达到…, 择优) make the
  rule 需申报 and are quoted in the reason.

An incentive that cannot be compiled is returned as :class:`Uncompiled` with the reason.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from huiqi.rules.conditions import Band, amount_band, amount_band_name, quantity_band
from huiqi.rules.figures import MetricTest, read_tests
from huiqi.rules.model import Limit, Rule, Table, Uncompiled, Window
from huiqi.rules.syntax import ConditionSyntaxError, parse_condition
from huiqi.rules.vocabulary import LEVEL_WORDS, Mention, Vocabulary, load_vocabulary, squash

_FIRST_GRANT = re.compile(r"新认定|新入选|新获得|首次|新列入|新评定|新确定|新通过|新获评|新晋")
_REVIEW = re.compile(r"复核|复评")
_PREVIOUS_YEAR = re.compile(r"上年度|上一年度|上年")
_SAME_YEAR = re.compile(r"当年|本年度")
_OPEN = re.compile(
    r"符合条件|符合产业|且|达到|超过|成效|择优|总部|注册地|结算地|纳税|并获得|经评估|经组织评估|"
    r"一定标准|视同|运营较好|明显|不低于|以上|共同研发|并被|主导|牵头|第一起草|非首次"
)
# A title is rewarded when the subject says it was granted (somewhere in the subject, so
# 首台(套)数控装备,经认定 counts) or when the subject is the title itself (省级工业设计研究院).
_GRANTED = re.compile(r"认定|入选|获得|获评|评定|评为|列入|确定为|通过|获批|命名|首次|荣获|授予|属于|称号")
# Verbs that grant a title when they come before it: 获省级…, 成功创建国家级工业设计中心, 新建成
# 院士专家工作站, 新确认为…; after a title they tell of something else (该项目建成后).
_GRANTED_BEFORE = re.compile(
    r"获|评上|列为|确认为|新创|创建|创成|建成|新建|建立|组建|新增|入围|当选|核定|晋升|升格|取得|成为"
)
# Where the subject is the title itself, only generic words or more listed titles may follow it
# (省级见习基地, 专精特新小巨人企业的, 省级工业设计研究院,市级工业设计中心、…); a title followed
# by what it does (博士后工作站招收博士后研究人员的, 院士专家工作站条件改善) sets another reward.
_TITLE_TAIL = re.compile(
    r"的?(?:示范|试点)?(?:企业|单位|建站单位|创建单位|获得单位|称号|名单|项目|产品)?的?|[、,和及或与].*"
)
# Before a title inside a clause a bare 省 or 市 also states a level (省首台(套), 市专利奖).
_LEVEL_WORD = {**LEVEL_WORDS, "省": "省级", "市": "市级"}
_LEVEL_BEFORE = re.compile("(" + "|".join(sorted(_LEVEL_WORD, key=len, reverse=True)) + ")$")
_ONE_YEAR = re.compile(r"(?:^|对)(20\d\d)年(?!底|前|以来|起|末)")
_DRAFT = re.compile(r"征求意见稿|送审稿|草案")
_PER_UNIT = {"辆", "台", "套", "台套", "台(套)"}
# Units an amount can be counted in from the registry: one entitlement per fact (项, 件), per
# enterprise (家, 个), or the event's recorded quantity (辆, 台套). Any other (人, 平方米, 吨,
# 标箱) is a count the registry does not hold.
_COUNTED_PER = _PER_UNIT | {"项", "件", "家", "个"}
# An amount per unit of money (每进口1美元资助0.05元, 0.05元/美元) the extractor left as a flat sum.
_PER_MONEY = re.compile(r"每[^,;。]{0,4}?1?(美元|美金|欧元)|元/(美元|美金|欧元)")
# Tiers paid as running totals (分别给予累计5万元、10万元): reaching a higher tier pays the
# difference, not the tier's whole amount on top of the lower one's.
_CUMULATIVE = re.compile(r"(?:分别|分档)(?:给予|奖励|补助|资助|补贴)?累计(?:给予|奖励|补助|资助|补贴)?\d")
# An amount paid on top of what the clause before pays (再给予, 另行奖励) has that clause's
# recipient and conditions as well, which the clause itself does not repeat.
_ON_TOP = re.compile(r"再(?:给予|奖励|补助|补贴|资助|一次性)|另行?(?:给予|奖励|补助)")
# A condition on figures names who it is about (企业, 商场, 批发业) or relies on a heading or the
# clause before to say it.
_RECIPIENT = re.compile(
    r"企业|公司|单位|工厂|商户|个体|市场|综合体|园区|基地|平台|项目|机构|中心|门店|商场|超市|酒店|饭店|"
    r"景区|行业|业户|主体|总部|[工商物建农]业"
)
_LEVEL_PAYER = {"国家级": "国家级", "省级": "省级", "市级": "市级", "区县级": "区级"}
_ASIDE = re.compile(r"\([^()]*\)")
# A kind named as the object of another act is not a fact the enterprise holds: hoped for
# (拟上市), treated as (视同省级技术改造重点项目), bought (收购…知名商号), entered (入驻科技企业
# 孵化器), or rated among its holders (优秀众创空间, 先进商业特色街); nor is a kind followed by
# its candidate list or an application for it (隐形冠军培育企业, 孵化器(含众创空间)培育对象,
# 省海外工程师申报条件).
_NOT_HELD_BEFORE = re.compile(
    r"(?:拟|计划|争取|视同|参照|优秀|先进)(?:国家级|省级|市级|区县级|区级|县级|国家|省|市)?$"
    r"|(?:收购|兼并|并购|入驻)[^,;、]{0,8}$"
)
_NOT_HELD_AFTER = re.compile(r"^(?:\([^()]*\))?(?:培育|后备|储备|申报)")
# An explicit level word right before a kind that does not exist at that level means another
# title (省级高新技术企业 is not the national 高新技术企业).
_STATED_LEVEL = re.compile(r"(国家级|省级|市级|区县级|区级|县级)$")
# A list of events (报会受理和过会, 管理体系认证、产品认证) names several facts; a rule needs one.
_LISTED = re.compile(r"^(?:[、,和及与或]|以及|各类|各种){1,3}$")
# Recipients that are not enterprises of the registry: persons (人才, 毕业生, 导游员, 团队) and
# other bodies (银行, 中介组织, 院校, 协会, 乡镇), named first or as the head noun at the end. A
# person an enterprise newly takes on (新招用高校毕业生, 每招收一名博士后研究人员) is not the recipient,
# nor are persons named beside enterprises (企业或个人).
_OTHER_BODY = (
    r"银行|科技支行|金融机构|保险机构|证券期货机构|担保机构|融资性担保|商业担保|专业融资中介|中介组织|券商|投资机构|"
    r"高校|高等院校|大专院校|职业院校|科研院所|院校|学校|医院|行业协会|协会|商会|行政村|村集体|乡镇|街道"
)
_PERSON = r"人才|人员|个人|毕业生|大学生|博士|硕士|研究生|专家|导游员?|劳动者|创业者|领衔人|负责人|高管|团队|工匠|院士"
_NOT_AN_ENTERPRISE = re.compile(
    rf"^(?:对)?(?:[^,、]{{0,6}}?的)?(?:各类|各)?(?:{_OTHER_BODY}|在校大学生|大学生|高校毕业生|毕业生|城乡劳动者|"
    rf"重点人群|就业困难人员|旅游从业人员|(?:高层次)?人才(?=参加|取得|获得|购买|在|到|来))"
    rf"|(?<!企业或)(?<!企业和)(?<!企业及)(?:{_OTHER_BODY})的?$"
    rf"|^(?!.*(?:新招用|新招收|每(?:招收|招用|引进|聘用|吸纳)))(?!.*(?:企业|单位)[或和及]个人的?$).*(?:{_PERSON})的?$"
)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _outside_asides(text: str, mentions: list[Mention]) -> list[Mention]:
    """Drop mentions lying inside a parenthesis that is not part of the alias itself, and those
    the enterprise does not hold (see ``_NOT_HELD_BEFORE``)."""
    asides = [m.span() for m in _ASIDE.finditer(text)]
    return [
        m
        for m in mentions
        if not any(start < m.start and m.end <= end for start, end in asides)
        and not _NOT_HELD_BEFORE.search(text[: m.start])
        and not _NOT_HELD_AFTER.search(text[m.end :])
    ]


def _mentions(vocab: Vocabulary, text: str, table: Table, level: str | None = None) -> list[Mention]:
    squashed = squash(text)
    found = _outside_asides(squashed, vocab.find(text, table, level))
    if table == "recognition":
        found = [m for m in found if _level_fits(vocab, m, squashed)]
    return found


def _level_fits(vocab: Vocabulary, mention: Mention, text: str) -> bool:
    """Whether an explicit level word right before a 认定 is one its kind exists at."""
    stated = _STATED_LEVEL.search(text[max(0, mention.start - 3) : mention.start])
    level = LEVEL_WORDS[stated.group(1)] if stated else place_level(text[: mention.start])
    return level is None or level in vocab.info("recognition", mention.kind).levels


_PLACE_TIER = {"province": "省级", "city": "市级", "county": "区县级"}


@functools.cache
def _place_tiers() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Every division name, full (浙江省, 义乌市) and short (浙江, 义乌; two characters or more),
    with the tiers (province, city, county …) of the divisions it names."""
    from huiqi.registry.codes import region_level, regions

    data = regions()
    full: dict[str, set[str]] = {}
    for code, name in data.names.items():
        full.setdefault(name, set()).add(region_level(code))
    short = {
        name: {region_level(c) for c in codes} for name, codes in data.by_short.items() if len(name) >= 2
    }
    return full, short


@functools.cache
def _place_names() -> tuple[re.Pattern[str], dict[str, str]]:
    """A place name at the end of a text, and the level of the titles it prefixes: names that
    are one tier only (a short name shared with a county is left out)."""
    full, short = _place_tiers()
    tiers = {name: {_PLACE_TIER.get(t, "") for t in found} for name, found in full.items()}
    for name, found in short.items():
        if "county" not in found:
            tiers.setdefault(name, set()).update(_PLACE_TIER.get(t, "") for t in found)
    levels = {name: next(iter(t)) for name, t in tiers.items() if len(t) == 1 and "" not in t}
    pattern = re.compile("(?:" + "|".join(map(re.escape, sorted(levels, key=len, reverse=True))) + ")$")
    return pattern, levels


def place_level(before: str) -> str | None:
    """The level a place name written right before a title gives it: a prefecture's title
    (宁波市著名商标, 台州名牌产品) is 市级, a province's (浙江省知名商号) 省级, a county's 区县级.

    >>> place_level("新认定为宁波市"), place_level("获得浙江省"), place_level("新获得")
    ('市级', '省级', None)
    """
    pattern, levels = _place_names()
    found = pattern.search(before)
    return levels[found.group(0)] if found else None


def not_an_enterprise(subject: str) -> bool:
    """Whether the subject's recipient is a person or a body outside the registry (银行, 人才 …)."""
    return bool(_NOT_AN_ENTERPRISE.search(_ASIDE.sub("", squash(subject))))


def find_trigger(
    vocab: Vocabulary, subject: str, level: str | None = None
) -> tuple[Table, list[Mention]] | None:
    """Which table and kinds a subject names: 认定 first; for 事项 the last one (the head noun)."""
    text = squash(subject)
    if found := _mentions(vocab, subject, "recognition", level):
        head = text[: found[0].start]
        tail = _ASIDE.sub("", text[found[-1].end :])
        title_only = not _LEVEL_BEFORE.sub(
            "", re.sub(r"^(?:对|我市|我区|本市)?(?:当年度|本年度|当年|年度)?新?", "", head)
        )
        granted = _GRANTED.search(text) or _GRANTED_BEFORE.search(head)
        if granted or (title_only and _TITLE_TAIL.fullmatch(tail)):
            return "recognition", found
    if found := _mentions(vocab, subject, "event"):
        kinds = {m.kind for m in found}
        for before, after in itertools.pairwise(found):
            if after.kind != before.kind and _LISTED.match(text[before.end : after.start]):
                listed = "、".join(sorted(kinds))
                raise AmbiguousLevel(f"对象列出多个事项({listed}),未说明适用哪一个")
        return "event", found[-1:]
    return None


class AmbiguousLevel(ValueError):
    """The clause lists several event levels and the subject does not say which one applies."""


# Items of a list that share the head noun written after the last of them: 新评定为国家三星级、
# 四星级、五星级旅游饭店的 (three grades of 旅游饭店), 新认定为国家级、省级企业研究院的.
_ITEM = re.compile(
    r"(?:国家级|国家|全国|省级|省|[\u4e00-\u9fff]{0,3}市级|[\u4e00-\u9fff]{0,3}[省市]|县级|区级|县|区)?"
    r"(?:[一二三四五]星级?|A{1,5}级?|[1-5]A级?|白金宿级?|[金银](?:宿|鼎|叶)级?|[十百]强|五十强|[一二三]等奖)?"
)


def _item_at_end(element: str) -> str:
    """The level or grade an element of a list ends with ('' when it ends with a noun)."""
    match = re.search(_ITEM.pattern + "$", element)
    return match.group(0) if match else ""


def shared_head(subject: str, text: str) -> tuple[str, int, int] | None:
    """The subject completed with the head noun its list item shares with the items after it
    (新评定为四星级的, in 新评定为国家三星级、四星级、五星级旅游饭店的 → 新评定为四星级旅游饭店的),
    and where the head went in; None when the subject is not such an item."""
    wanted = squash(subject)
    for part in re.split(r"[,;。]", squash(text)):
        first, *others = part.split("、")
        elements = [first] + [element.split("的")[0] for element in others]  # the head ends at 的
        if len(elements) < 2:
            continue
        for j, element in enumerate(elements[:-1]):
            item = _item_at_end(element)
            if not item or item not in wanted or (j and item != element):
                continue
            for later in elements[j + 1 :]:
                if _item_at_end(later) == later:
                    continue  # another bare item: the head comes further on
                lead = _ITEM.match(later)
                head = re.split(r"[和及与或]", later[lead.end() :])[0] if lead and lead.end() else ""
                if not head or head in wanted:
                    break
                at = wanted.rindex(item) + len(item)
                return wanted[:at] + head + wanted[at:], at, at + len(head)
    return None


_GRADE_GAP = re.compile(r"((?:[一二三四五]|[1-5])星(?:级)?|A{1,5}级|[1-5]A级)的")


def close_grade_gap(subject: str) -> str:
    """The subject with a grade joined to its noun (新评定为五星级的旅游饭店 → 五星级旅游饭店,
    被评为四星的农家乐经营户 → 四星级农家乐经营户): grades are named as one word with the noun.

    >>> close_grade_gap("新评定为五星级的旅游饭店"), close_grade_gap("新被评为四星的农家乐经营户")
    ('新评定为五星级旅游饭店', '新被评为四星级农家乐经营户')
    """

    def joined(match: re.Match[str]) -> str:
        grade = match.group(1)
        return grade + "级" if grade.endswith("星") else grade

    return _GRADE_GAP.sub(joined, squash(subject))


def _event_level(vocab: Vocabulary, kind: str, subject: str, text: str) -> str | None:
    words = vocab.info("event", kind).level_words
    named = _levels_named(words, squash(subject))
    if len(named) > 1:
        raise AmbiguousLevel(f"对象列出多个{kind}级别({'、'.join(sorted(named))}),未说明适用哪一个")
    if level := vocab.event_level(kind, subject):
        # 省级及以上 names a lowest level, which a rule cannot require: any level, on application
        bare = _ASIDE.sub("", squash(subject))
        at_least = any(re.search(re.escape(w) + "及?以上", bare) for w in words[level])
        return None if at_least else level
    in_text = {lv for lv, ws in words.items() if any(w in squash(text) for w in ws)}
    if len(in_text) > 1:
        raise AmbiguousLevel(f"条款列出多个{kind}级别({'、'.join(sorted(in_text))}),对象未说明适用哪一个")
    return in_text.pop() if in_text else None


def _levels_named(words: dict[str, tuple[str, ...]], text: str) -> set[str]:
    """The event levels whose words occur in ``text``, longest words first, without overlaps
    (国家级 and 国家 are one level; 省科学技术一等奖 inside 浙江省科学技术一等奖 is counted once)."""
    taken: list[tuple[int, int]] = []
    named: set[str] = set()
    for word, level in sorted(((w, lv) for lv, ws in words.items() for w in ws), key=lambda p: -len(p[0])):
        for match in re.finditer(re.escape(word), text):
            if not any(match.start() < end and start < match.end() for start, end in taken):
                taken.append(match.span())
                named.add(level)
    return named


def _level(
    vocab: Vocabulary, table: Table, mentions: list[Mention], incentive: dict, subject: str
) -> str | None:
    if table == "event":
        return _event_level(vocab, mentions[0].kind, subject, incentive["text"])
    levels = _kind_levels(vocab, mentions, incentive, subject)
    return levels[0] if len(set(levels)) == 1 else None


def _kind_levels(
    vocab: Vocabulary, mentions: list[Mention], incentive: dict, subject: str
) -> tuple[str | None, ...]:
    """Each mentioned 认定 kind's level: a level word right before it (省级工业设计研究院,
    市级工业设计中心), else the alias's own level, else the extracted level if the kind has it."""
    text = squash(subject)
    out: list[str | None] = []
    for m in mentions:
        own = vocab.info("recognition", m.kind).levels
        before = _LEVEL_BEFORE.search(text[max(0, m.start - 3) : m.start]) if m.end else None
        place = place_level(text[: m.start]) if m.end else None
        # a bare 市 or 省 after a place is the place's own level (玉环市 is a county-level city)
        bare = before is not None and before.group(1) in ("省", "市")
        stated = (
            place if place and (bare or not before) else (_LEVEL_WORD[before.group(1)] if before else None)
        )
        if stated in own:
            out.append(stated)
        elif m.level:
            out.append(m.level)
        else:
            level = incentive.get("level")
            out.append(level if level in own and len(own) > 1 else None)
    return tuple(out)


def _window(subject: str, text: str) -> Window:
    if _PREVIOUS_YEAR.search(subject) or (_PREVIOUS_YEAR.search(text) and not _SAME_YEAR.search(subject)):
        return "previous_year"
    if _SAME_YEAR.search(subject):
        return "same_year"
    return "validity"


# Words of a subject that name no condition: who is addressed, how a title was granted, when and
# where, levels, particles. What is left of a subject once these, the titles and events found and
# the conditions on figures read are taken out is a restriction the rule does not check.
_FILLER_WORDS = (
    "被认定为 认定为 新认定的 新认定 认定的 认定 首次被认定为 首次认定 被评为 评为 评定为 获评 获得 取得 荣获 "
    "新获得 新获评 列入 新列入 入选 新入选 通过 命名为 授予 获批 确定为 称号 荣誉称号 资格 "
    "评定 评选 认证 确认为 被确认为 动态复核 复核 复评 通过验收 验收 "
    "成功 顺利 正式 实施 开展 进行 完成 采用 购买 购置 参加 "
    "专利权人 权利人 依托单位 承建单位 建设单位 运营单位 项目单位 所在企业 所属企业 "
    "首次 初次 新 当年度 当年 本年度 年度 上年度 上一年度 每年 年 "
    "我市 本市 全市 市内 我区 本区 全区 区内 我县 本县 全县 县内 辖区内 区域内 境内 本地 省内 国内外 "
    "国家级 省级 市级 区县级 区级 县级 国家 中国 国内外 国内 省 市 及以上 以上 级 "
    "企业 单位 公司 工业企业 制造业企业 生产企业 经营主体 主体 "
    "对于 对 凡 经 被 在 于 为 是 属 属于 者 的 之 了 和 与 及 以及 或 或者 并 等 其 该 缴纳 实缴 "
)
_FILLER = re.compile(
    "|".join(re.escape(w) for w in sorted(set(_FILLER_WORDS.split()), key=len, reverse=True))
)
_NOT_WORDS = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]")
# Who grants a title says its level, not a condition: 经工业和信息化部认定, 省科技厅公布.
_ISSUER = re.compile(
    r"(?:工业和信息化部|工信部|科学技术部|科技部|商务部|国家发展改革委|国家发改委|发展改革委|发改委|财政部|"
    r"人力资源和社会保障部|市场监管总局|知识产权局|(?:省|市|区|县)?(?:科技|经信|工信|商务|发改|人社|财政|市场监管|文旅|文化和旅游)(?:厅|局|委))"
)


@functools.cache
def _places() -> re.Pattern[str]:
    """Province and prefecture names, full or short (浙江省, 浙江, 泉州市, 泉州): where, not who."""
    names = {n for table in _place_tiers() for n, tiers in table.items() if tiers & {"province", "city"}}
    return re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))


def residue(
    subject: str,
    mentions: list[Mention],
    tests: tuple[MetricTest, ...],
    words: tuple[str, ...] = (),
    aliases: tuple[str, ...] = (),
) -> str:
    """What a subject says beyond the titles and events found, the conditions on figures read
    and words that name no condition (``words`` adds the level words of the kinds found: 国际标准,
    境外; ``aliases`` every name of the kinds found, for a kind named twice): a restriction the
    rule would not check (主辅分离后成立的, 专业餐饮, 规上). Empty when the rule accounts for the
    whole subject.

    >>> residue("新认定的国家级专精特新小巨人企业", [Mention("专精特新小巨人", 7, 14, None)], ())
    ''
    >>> residue("专业餐饮企业新评定为五星级饭店的", [Mention("五星级饭店", 10, 15, None)], ())
    '专业餐饮'
    """
    text = squash(subject)
    spans = [(m.start, m.end) for m in mentions if m.end > m.start]
    spans += [(t.start, t.end) for t in tests]
    kept = "".join(ch for i, ch in enumerate(text) if not any(a <= i < b for a, b in spans))
    for word in sorted({squash(w) for w in (*aliases, *words)}, key=len, reverse=True):
        kept = kept.replace(word, "")
    for band in (
        r"\d+(?:\.\d+)?\s*[~～\-至到]\s*\d+(?:台\(套\)|台套|台|套|辆|项|件)?",
        r"\d+(?:\.\d+)?(?:万|亿)?元?(?:\(含\))?(?:以上|以下|以内)",
        r"\d+(?:\.\d+)?(?:万|亿)?元?(?:\(含\))?[~～\-至到]\d+(?:\.\d+)?(?:万|亿)?元",
        r"\d+(?:\.\d+)?(?:台\(套\)|台套|台|套|辆|项|件)(?:以内|以下|以上|及以上)?",
        r"(?:融资额|募集资金|投资额|合同额|购置额|销售额|发票总价|数量|购买数量)(?:为|达|在)?",
        r"20\d\d年?",
        r"\([^()]*\)",
    ):
        kept = re.sub(band, "", kept)
    kept = _places().sub("", _ISSUER.sub("", kept))
    kept = _FILLER.sub("", kept)
    return _NOT_WORDS.sub("", kept)


def _metric_window(subject: str) -> Window:
    """A condition on figures reads a year's figures and pays the year after (上年度), unless the
    clause pays in the year itself (当年)."""
    return (
        "same_year" if _SAME_YEAR.search(subject) and not _PREVIOUS_YEAR.search(subject) else "previous_year"
    )


def _without_tests(subject: str, tests: tuple[MetricTest, ...]) -> str:
    """The subject less the conditions on figures already read (so 达到, 以上, 且 between them
    are not taken for conditions left to check)."""
    text = squash(subject)
    for test in sorted(tests, key=lambda t: -t.start):
        text = text[: test.start] + text[test.end :]
    return re.sub(r"^且|且(?=[,的])|且$", "", text)


def _same_amount(base: str, amount: str) -> bool:
    """Whether a rate's base (展位费用, 设备投入额) is the amount the event records (展位费(万元)):
    one contains the other or they share three characters in a row, and the base says little
    more (募集资金投资在本市的实际投资额 is a part of 募集资金, not all of it)."""
    own = squash(amount).split("(")[0]
    written = _ASIDE.sub("", squash(base))
    if not own or len(written) > len(own) + 4:
        return False
    if own in written or written in own:
        return True
    match = SequenceMatcher(None, own, written).find_longest_match()
    return match.size >= min(3, len(own))


# Names a clause gives an amount band that mean the event's recorded amount under another name.
_BAND_NAMES = {"募集资金": "融资额"}

_INCREASE = re.compile(r"新增|增量|增加部分|增长部分|超过上年部分|比上年增加|较上年增加")


def _figure_base(base: str | None, vocab: Vocabulary) -> tuple[str, bool, int] | None:
    """(indicator, increase over the year before, year offset) when a rate's base is a figure of
    the registry: 新增税收 → (税收, True, 0), 上年度研发投入 → (研发投入, False, −1)."""
    if not base:
        return None
    for alias, name in sorted(vocab.indicator_names().items(), key=lambda item: -len(item[0])):
        if alias in squash(base).lower():
            offset = -1 if _PREVIOUS_YEAR.search(base) else 0
            return name, bool(_INCREASE.search(base)), offset
    return None


def _open_conditions(subject: str, needs_review: bool, notes: list[str], text: str = "") -> str | None:
    cleaned = subject
    for band in (
        r"\d+(?:\.\d+)?\s*[~～\-至到]\s*\d+",
        r"(?:达到|达)?\d+(?:\.\d+)?(?:万|亿)?元?\(含\)?(?:以上|以下|以内)",
    ):
        cleaned = re.sub(band, "", cleaned)
    cleaned = re.sub(r"(台\(套\)|台套|台|辆)(以内|以下|以上)", "", cleaned)
    parts = []
    if _OPEN.search(cleaned):
        parts.append(f"需核实条件“{subject}”")
    elif "符合条件" in text:
        parts.append("条款要求“符合条件”,需核实")
    if needs_review:
        parts.append("提取结果待核对" + (f"({';'.join(notes)})" if notes else ""))
    return ";".join(parts) or None


@dataclass(frozen=True)
class _Reading:
    """What qualifies for an incentive, however it was obtained (read from the clause or written
    by an officer)."""

    table: Table
    kinds: tuple[str, ...]
    level: str | None
    kind_levels: tuple[str | None, ...]
    review: bool | None
    window: Window
    tests: tuple[MetricTest, ...]
    quantity: Band | None
    amount: Band | None
    open_conditions: str | None
    hand_written: bool = False


def compile_incentive(
    incentive: dict,
    index: int,
    doc: dict,
    version_id: int,
    region_code: str | None,
    vocab: Vocabulary,
    previous: Rule | None = None,
) -> Rule | Uncompiled:
    """One incentive → a :class:`Rule`, or :class:`Uncompiled` with the reason.

    ``previous`` is the rule compiled from the clause before: a tier row whose subject is only
    its band (``购买数量为11~50台(套)的``) takes its trigger from there. An officer's written
    ``condition`` (:mod:`huiqi.rules.syntax`) replaces the reading of the clause.
    """
    title = doc["document"].get("title") or "(无标题)"
    subject, text = incentive["subject"], incentive["text"]
    written = incentive.get("condition")
    if not written and not_an_enterprise(subject):
        reason = f"对象“{subject}”是个人或企业以外的机构,不是企业库中的企业(可由经办人员另行核定)"
        return Uncompiled(version_id, title, index, subject, text, reason)
    try:
        reading = _written(written, subject, vocab) if written else _read(incentive, vocab, previous)
    except (AmbiguousLevel, ConditionSyntaxError) as error:
        return Uncompiled(version_id, title, index, subject, text, str(error))
    if reading is None:
        reason = f"对象“{subject}”未对应到资格词表中的认定、事项或指标条件(可在词表 vocabulary.toml 中补充)"
        return Uncompiled(version_id, title, index, subject, text, reason)
    return _rule(reading, incentive, index, doc, version_id, region_code, vocab)


def _read(incentive: dict, vocab: Vocabulary, previous: Rule | None) -> _Reading | None:
    """The qualification as the clause states it, or None when it names nothing the registry knows."""
    subject, text = incentive["subject"], incentive["text"]
    found = find_trigger(vocab, subject, incentive.get("level"))
    if found is None and (completed := shared_head(subject, text)):
        whole, start, end = completed
        found = find_trigger(vocab, whole, incentive.get("level"))
        if found and any(m.start < end and start < m.end for m in found[1]):  # the kind is the head's
            subject = whole
        else:
            found = None
    closed = close_grade_gap(subject) if found is None else ""
    if (
        closed
        and closed != squash(subject)
        and (found := find_trigger(vocab, closed, incentive.get("level")))
    ):
        subject = closed
    tests = read_tests(subject, vocab)
    banded = quantity_band(subject) or amount_band(subject)
    carried: tuple[MetricTest, ...] = ()
    if (
        found is None
        and banded
        and previous
        and previous.table != "metric"
        and (previous.quantity or previous.amount)
    ):
        found = (previous.table, [Mention(k, 0, 0, previous.level) for k in previous.fact_kinds])  # type: ignore[list-item]
    elif found is None and not tests and previous and (step := _next_tier(subject, previous, vocab)):
        found, tests, carried = step
    if found is None and not tests:
        return None
    if found is None:
        table: Table = "metric"
        kinds, level, kind_levels = (tests[0].measure,), None, (None,)
        window = _metric_window(subject)
    else:
        table, mentions = found
        level = _level(vocab, table, mentions, incentive, subject)
        if table == "recognition":
            unique = list({m.kind: m for m in mentions}.values())
            kinds = tuple(m.kind for m in unique)
            kind_levels = _kind_levels(vocab, unique, incentive, subject)
        else:
            kinds, kind_levels = (mentions[0].kind,), (level,)
        window = _window(subject, text)
    open_conditions = _open_conditions(
        _without_tests(subject, tests), incentive.get("needs_review", False), incentive.get("notes", [])
    )
    level_words = tuple(
        w for k in kinds if table == "event" for ws in vocab.info("event", k).level_words.values() for w in ws
    )
    names = (
        tuple(a.text for a in vocab.clause_aliases.get(table, []) if a.kind in kinds)
        if table != "metric"
        else ()
    )
    if open_conditions is None and (
        rest := residue(subject, found[1] if found else [], tests, level_words, names)
    ):
        open_conditions = f"需核实条件“{rest}”(对象中还有规则未能核对的限定)"
    fact_bands = table != "metric"  # on a metric rule a figure's band is one of its tests
    # an amount band bounds the event's own amount; an event that records none has no such band
    amount_bands = fact_bands and (table != "event" or bool(vocab.info("event", kinds[0]).amount))
    doubts = [f"“{t.text}”{t.converted},需按实际汇率核实" for t in tests if t.converted]
    doubts += _unstated_levels(vocab, table, kinds, kind_levels, level, incentive["text"])
    if carried:
        doubts.append(
            "对象只写了分档的条件,其余条件("
            + "且".join(t.describe() for t in carried)
            + ")承接上一条款,需核实"
        )
    if amount_bands and table == "event" and (band_name := amount_band_name(subject)):
        own = vocab.info("event", kinds[0]).amount
        written = _BAND_NAMES.get(band_name, band_name)
        if not _same_amount(written, own):  # a band on another amount is no band on the event's
            amount_bands = False
            doubts.append(f"金额条件的“{band_name}”不是事项记录的金额({own}),需核定")
    for doubt in doubts:
        open_conditions = f"{open_conditions};{doubt}" if open_conditions else doubt
    return _Reading(
        table,
        kinds,
        level,
        kind_levels,
        bool(_REVIEW.search(subject)) and not _FIRST_GRANT.search(subject),
        window,
        tests,
        quantity_band(subject) if fact_bands else None,
        amount_band(subject) if amount_bands else None,
        open_conditions,
    )


# Level words in a clause that make a rule's "any level" doubtful (bare 市 is in every clause).
_LEVELS_IN_TEXT = re.compile(r"国家|省|市级|区级|县级|区县级")


def _unstated_levels(
    vocab: Vocabulary,
    table: Table,
    kinds: tuple[str, ...],
    kind_levels: tuple[str | None, ...],
    level: str | None,
    text: str,
) -> list[str]:
    """A doubt when a rule would match a kind at any level although levels matter: an event
    kind with levels (专利获奖: 金奖, 优秀奖 …) whose level the clause does not name, or a title
    that exists at several levels where the clause speaks of levels but the rule found none for
    it (列入国家绿色工厂、绿色供应链管理企业 … : the level of the second item is the first's)."""
    info = vocab.info("event", kinds[0]) if table == "event" else None
    if info and level is None and info.level_words:
        words = [w for ws in info.level_words.values() for w in ws]
        # a graded outcome (an award, a standard, a rating: no amount) or a clause that names levels
        if not info.amount or any(w in squash(text) for w in words):
            return [f"条款未写明{kinds[0]}的级别(或写的是最低级别),任何级别的都会匹配,需核实"]
    if table != "recognition" or not _LEVELS_IN_TEXT.search(squash(text)):
        return []
    loose = [
        k
        for k, lv in zip(kinds, kind_levels, strict=True)
        if lv is None and len(vocab.info("recognition", k).levels) > 1
    ]
    if loose:
        return [f"对象未写明{'、'.join(loose)}的级别,条款中写有级别,任何级别的都会匹配,需核实"]
    return []


def _next_tier(
    subject: str, previous: Rule, vocab: Vocabulary
) -> tuple[tuple[Table, list[Mention]] | None, tuple[MetricTest, ...], tuple[MetricTest, ...]] | None:
    """The next row of a tiered list that states only its own tier, read with the clause before.

    A row naming only a level of the event before it (通过CMMI二级的企业 …, 通过三级的企业) is
    that event at this level; a row stating only a band of the figure the rule before tests
    (…增值税200万元以上,且同比增幅达12%~20%的; 同比增幅达20%~30%的) replaces that test and keeps
    the others, which are returned as carried (the rule quotes them as a doubt). None when the
    subject says anything more.
    """
    text = squash(subject)
    if previous.table == "event" and len(previous.fact_kinds) == 1:
        kind = previous.fact_kinds[0]
        words = tuple(w for ws in vocab.info("event", kind).level_words.values() for w in ws)
        if vocab.event_level(kind, text) and not residue(subject, [], (), words):
            return ("event", [Mention(kind, 0, 0, None)]), (), ()
        return None
    for index, old in enumerate(previous.tests):
        if len(old.parts) > 1:
            continue
        read = read_tests(old.measure + text, vocab)
        if len(read) != 1 or read[0].test != old.test or read[0].start != 0:
            continue
        shift = len(old.measure)
        new = replace(read[0], text=read[0].text[shift:], start=0, end=max(0, read[0].end - shift))
        kept = tuple(replace(t, start=0, end=0) for t in previous.tests if t is not old)
        if residue(subject, [], (new,)):
            return None
        tests = (*previous.tests[:index], new, *previous.tests[index + 1 :])
        tests = tuple(t if t is new else replace(t, start=0, end=0) for t in tests)
        if previous.table != "metric":
            found = (previous.table, [Mention(k, 0, 0, previous.level) for k in previous.fact_kinds])
            return found, tests, kept  # type: ignore[return-value]
        return None, tests, kept
    return None


def _written(condition: str, subject: str, vocab: Vocabulary) -> _Reading:
    """The qualification an officer wrote (:func:`huiqi.rules.syntax.parse_condition`)."""
    q = parse_condition(condition, vocab)
    level = q.kind_levels[0] if len(set(q.kind_levels)) == 1 else None
    window = _metric_window(subject) if q.table == "metric" else _window(subject, "")
    return _Reading(
        q.table,  # type: ignore[arg-type]
        q.kinds,
        level,
        q.kind_levels,
        q.review,
        window,
        q.tests,
        q.quantity,
        q.amount,
        None,
        hand_written=True,
    )


def _rule(
    reading: _Reading,
    incentive: dict,
    index: int,
    doc: dict,
    version_id: int,
    region_code: str | None,
    vocab: Vocabulary,
) -> Rule:
    meta = doc["document"]
    subject, text = incentive["subject"], incentive["text"]
    table = reading.table
    year = _ONE_YEAR.search(subject) or _ONE_YEAR.search(text)
    base = _figure_base(incentive.get("base"), vocab)
    base_event = None
    if table == "recognition" and incentive.get("base") and base is None:
        events = _mentions(vocab, incentive["base"], "event")
        base_event = events[0].kind if events else None
    per = incentive.get("per")
    stacking = doc.get("stacking", [])
    payers = incentive.get("payers") or [{"payer": _LEVEL_PAYER.get(meta.get("level") or "", "本级")}]
    ends = _date(meta.get("expires_on")) or _date(meta.get("horizon_end"))
    open_conditions = reading.open_conditions
    if ends is None and meta.get("plan"):
        unbounded = "行动方案未载明实施期限,事实是否在方案期内需核实"
        open_conditions = f"{open_conditions};{unbounded}" if open_conditions else unbounded
    if not reading.hand_written:
        for doubt in _context_doubts(table, subject, text, per):
            open_conditions = f"{open_conditions};{doubt}" if open_conditions else doubt
    written_base = incentive.get("base")
    if table == "event" and incentive["kind"] == "ratio" and base is None:
        own = vocab.info("event", reading.kinds[0]).amount
        other = None
        if written_base and not _same_amount(written_base, own):
            other = f"比例的基数“{written_base}”不是事项记录的金额({own or '无'}),需核定"
        elif not written_base and not own:
            other = "比例未载明基数,该事项也不记录金额,需核定"
        if other:
            open_conditions = f"{open_conditions};{other}" if open_conditions else other
    return Rule(
        rule_id=f"{version_id}:{index}",
        document_version_id=version_id,
        document=meta.get("title") or "(无标题)",
        region=meta.get("region"),
        region_code=region_code,
        starts=_date(meta.get("effective_from"))
        or _date(meta.get("issued_on"))
        or _date(meta.get("horizon_start")),
        ends=ends,
        supersedes=any(r["rule"] == "supersedes" for r in stacking),
        limits=_limits(version_id, stacking, incentive.get("section")),
        incentive_index=index,
        subject=subject,
        text=text,
        table=table,
        fact_kinds=reading.kinds,
        level=reading.level,
        kind_levels=reading.kind_levels,
        review=reading.review,
        window=reading.window,
        year_only=int(year.group(1)) if year else None,
        kind=incentive["kind"],
        amount_wan=incentive.get("amount_wan"),
        cap_wan=incentive.get("cap_wan"),
        ratio=incentive.get("ratio"),
        ratio_is_max=bool(incentive.get("ratio_is_max")),
        base_event=base_event,
        base_text=incentive.get("base"),
        per_quantity=table == "event" and per in _PER_UNIT and incentive["kind"] in ("fixed", "max"),
        per_unit=per,
        quantity=reading.quantity,
        amount=reading.amount,
        payers=tuple((p["payer"], 1.0 if p.get("share") is None else p["share"]) for p in payers),
        open_conditions=open_conditions,
        grant_key=f"{version_id}:" + hashlib.sha1(f"{text}|{subject}".encode()).hexdigest()[:12],
        tests=reading.tests,
        base_measure=base[0] if base else None,
        base_increase=base[1] if base else False,
        base_offset=base[2] if base else 0,
        hand_written=reading.hand_written,
        section=incentive.get("section"),
        exclusive=_exclusive(version_id, stacking, incentive.get("section")),
    )


def _context_doubts(table: Table, subject: str, text: str, per: str | None) -> list[str]:
    """What a clause leaves to its context, each a reason the rule is 需申报: an amount per unit
    the registry does not count, an amount given on top of the clause before (再给予), a
    condition on figures that does not say which enterprises it is about.

    >>> _context_doubts("metric", "年度收入达到1亿元以上的", "对年度收入达到1亿元以上的,再给予200万元的奖励", None)
    ['金额是在上文奖励之外再给予的,适用对象和条件承接上文,需核实', '对象只有指标条件,未写明适用于哪类企业(可能由上文或标题限定),需核实']
    >>> _context_doubts("event", "实施节能项目的", "实施节能项目的,按400元/吨给予补助", "吨")
    ['金额按每吨计算,企业库不记录吨数,需核定数量']
    """
    doubts = []
    if per and per not in _COUNTED_PER:
        doubts.append(f"金额按每{per}计算,企业库不记录{per}数,需核定数量")
    elif not per and (money := _PER_MONEY.search(text)):
        doubts.append(f"金额按每{money.group(1) or money.group(2)}计算(“{money.group(0)}”),需核定数额")
    if _CUMULATIVE.search(text):
        doubts.append("金额是分档累计的数额,已按较低档享受的部分需扣除,需核定")
    if _ON_TOP.search(text):
        doubts.append("金额是在上文奖励之外再给予的,适用对象和条件承接上文,需核实")
    if table == "metric" and not _RECIPIENT.search(_ASIDE.sub("", squash(subject))):
        doubts.append("对象只有指标条件,未写明适用于哪类企业(可能由上文或标题限定),需核实")
    return doubts


_DISTRICT_WORDS = ("区级", "县级", "区县级", "区", "县")


def covers(sections: list[str], section: str | None) -> str | None:
    """The listed section that holds ``section`` (itself or a section above it), else None;
    an empty list holds every section.

    >>> covers(["四", "七"], "四.2"), covers(["四"], "十四"), covers([], None)
    ('四', None, '')
    """
    if not sections:
        return ""
    for listed in sections:
        if section and (section == listed or section.startswith(listed + ".")):
            return listed
    return None


def _limits(version_id: int, stacking: list[dict], section: str | None) -> tuple[Limit, ...]:
    """The document's per-enterprise limits (每家企业限额) that cover an incentive of ``section``."""
    out = []
    for index, item in enumerate(stacking):
        if item["rule"] != "cap_per_enterprise" or covers(item.get("sections") or [], section) is None:
            continue
        basis = item.get("basis") or ("fixed" if item.get("limit_wan") is not None else "unknown")
        if basis == "fixed" and item.get("limit_wan") is None:
            basis = "unknown"
        payer = item.get("payer")
        district = (payer, *(w for w in _DISTRICT_WORDS[:3] if w != payer))
        payers = district if payer in _DISTRICT_WORDS else ((payer,) if payer else ())
        out.append(
            Limit(
                f"{version_id}:{index}",
                basis if basis in ("fixed", "new_tax_retained", "tax_retained") else "unknown",  # type: ignore[arg-type]
                item.get("limit_wan"),
                item.get("period") or "year",
                payers,
                item["text"],
            )
        )
    return tuple(out)


def _exclusive(version_id: int, stacking: list[dict], section: str | None) -> tuple[tuple[str, str], ...]:
    """The exclusivity groups (不得同时享受) the incentive's article belongs to, with the article."""
    out = []
    for index, item in enumerate(stacking):
        if item["rule"] != "exclusive" or len(item.get("sections") or []) < 2:
            continue
        member = covers(item["sections"], section)
        if member:
            out.append((f"{version_id}:{index}", member))
    return tuple(out)


_SIGNATURE_FIELDS = (
    "text", "subject", "level", "kind", "amount_wan", "cap_wan", "ratio", "base", "per", "payers",
    "amount_min_wan", "ratio_min", "ratio_is_max", "one_time",
)  # fmt: skip


def _grant_signature(incentive: dict) -> str:
    """What makes two rows of one document the same grant: every field that states it."""
    return repr([incentive.get(f) for f in _SIGNATURE_FIELDS])


def _jurisdiction(
    region: str | None, place_code: Callable[[str], str | None]
) -> tuple[str | None, str | None]:
    """The document's region as a 行政区划代码, and a doubt to check when it had to be guessed.

    A region that is no division of its own (嘉兴港区, a development zone) is matched as the
    division its name starts with (嘉兴 → 嘉兴市), and one that cannot be placed at all (a name
    several divisions share) as anywhere; either way every rule of the document is 需申报 until
    an officer checks that the enterprise lies in the document's jurisdiction.

    >>> _jurisdiction("鲤城区", lambda p: {"鲤城区": "350502"}.get(p))
    ('350502', None)
    """
    if not region:
        return None, None
    if code := place_code(region):
        return code, None
    for size in range(len(region) - 1, 1, -1):
        if code := place_code(region[:size]):
            return code, f"文件地区“{region}”不是行政区划,按{region[:size]}匹配,需核实企业是否在辖区内"
    return None, f"文件地区“{region}”无法确定对应的行政区划,需核实企业是否在辖区内"


def compile_document(
    version_id: int,
    doc: dict,
    place_code: Callable[[str], str | None],
    vocab: Vocabulary | None = None,
) -> tuple[list[Rule], list[Uncompiled]]:
    """All incentives of one stored extraction (``PolicyDoc`` as JSON) → rules and leftovers.

    ``place_code`` maps the document's region name (济南市, 鲤城区) to its 行政区划代码.
    """
    vocab = vocab or load_vocabulary()
    meta = doc["document"]
    title = meta.get("title") or "(无标题)"
    region = meta.get("region")
    region_code, doubt = _jurisdiction(region, place_code)
    rules: list[Rule] = []
    leftovers: list[Uncompiled] = []
    previous: Rule | None = None
    refusal = "征求意见稿等未定稿文件,尚未生效" if _DRAFT.search(title) else None
    seen: dict[str, int] = {}
    for index, incentive in enumerate(doc.get("incentives", [])):
        if refusal:
            leftovers.append(
                Uncompiled(version_id, title, index, incentive["subject"], incentive["text"], refusal)
            )
            continue
        same = seen.setdefault(_grant_signature(incentive), index)
        if same != index:  # the same sentence twice (a restated measure, a pasted duplicate)
            reason = f"与本文件第{same + 1}条奖补条款完全相同(同一句重复出现),只计一次"
            leftovers.append(
                Uncompiled(version_id, title, index, incentive["subject"], incentive["text"], reason)
            )
            continue
        compiled = compile_incentive(incentive, index, doc, version_id, region_code, vocab, previous)
        if isinstance(compiled, Rule) and doubt:
            joined = f"{compiled.open_conditions};{doubt}" if compiled.open_conditions else doubt
            compiled = replace(compiled, open_conditions=joined)
        if isinstance(compiled, Rule):
            rules.append(compiled)
            previous = compiled
        else:
            leftovers.append(compiled)
            previous = None
    return rules, leftovers
