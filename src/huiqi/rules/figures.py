"""Conditions on an enterprise's figures (指标条件), read from a clause.

Real policies reward figures as often as titles: 年主营业务收入首次突破1亿元, 税收较上年增长20%
以上, 研发投入占营业收入比重达到5%, 亩均税收达到30万元, 新增税收500万元以上. Each becomes a
:class:`MetricTest` over the annual metrics of the registry:

* ``measure`` — an indicator of the vocabulary (``[indicator.*]``: 营业收入, 税收 …), a ratio of
  two (``研发投入/营业收入``), or a figure per 亩 of land (``税收/用地面积``);
* ``test`` — ``level`` (the year's figure is in the band), ``first`` (it reaches the band for the
  first time in the registry's history: 首次突破, 晋级), ``growth`` (the rate of growth over
  the year before is in the band) or ``increase`` (the amount added over the year before is);
* ``band`` — the figure's range, in the indicator's unit (万元, 人 …), or a fraction for rates
  and ratios. Following the law's own reading (民法典 第1259条), 以上/以下/以内/达到/不低于
  include the figure; 超过/高于/低于/不足 do not;
* ``offset`` — which year's figures, relative to the year the condition is checked for: 0, or
  −1 for 上年度 when the clause contrasts it with the current year.

>>> [t.describe() for t in read_tests("年主营业务收入首次突破1亿元的工业企业")]
['营业收入首次达到1亿元以上']
>>> [t.describe() for t in read_tests("研发投入占营业收入比重达到5%且税收较上年增长20%以上的企业")]
['研发投入/营业收入5%以上', '税收较上年增长20%以上']
>>> [t.describe() for t in read_tests("亩均税收超过30万元的企业")]
['税收/用地面积超过30万元']
>>> read_tests("新认定的国家级专精特新小巨人企业")
()
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from huiqi.rules.conditions import Band
from huiqi.rules.vocabulary import Vocabulary, load_vocabulary, squash
from huiqi.text.money import NUMBER, money_to_wan, parse_number

Test = Literal["level", "first", "growth", "increase"]
TEST_ZH = {"level": "", "first": "首次达到", "growth": "较上年增长", "increase": "较上年增加"}
PER_MU = "用地面积"


@dataclass(frozen=True)
class MetricTest:
    """One condition on figures (see the module docstring)."""

    measure: str
    test: Test
    band: Band
    offset: int = 0
    text: str = ""
    start: int = 0
    end: int = 0
    converted: str = ""  # the band was written in another currency: how it was turned into 元

    @property
    def parts(self) -> tuple[str, ...]:
        """The indicators the measure is computed from (one, or numerator and denominator)."""
        return tuple(self.measure.split("/"))

    @property
    def is_rate(self) -> bool:
        """Whether the band holds a fraction (a ratio of two figures, or a growth rate)."""
        return self.test == "growth" or (len(self.parts) == 2 and self.parts[1] != PER_MU)

    def unit(self, vocab: Vocabulary | None = None) -> str:
        if self.is_rate:
            return "%"
        vocab = vocab or load_vocabulary()
        info = vocab.indicators.get(self.parts[0])
        return info.unit if info else ""

    def describe(self) -> str:
        """The test in Chinese, e.g. ``营业收入首次达到1亿元以上``."""
        band = self.band

        def show(value: float) -> str:
            return _show(value, self.unit())

        if band.low is not None and band.high is not None:
            text = f"{show(band.low)}至{show(band.high)}"
        elif band.low is not None:
            text = f"{show(band.low)}以上" if band.low_inclusive else f"超过{show(band.low)}"
        else:
            high = show(band.high or 0.0)
            text = f"{high}以下" if band.high_inclusive else f"低于{high}"
        year = "上年度" if self.offset == -1 else ""
        if self.converted:
            text += f"({self.converted})"
        if self.test == "first":
            return f"{year}{self.measure}首次" + (text if text.startswith("超过") else f"达到{text}")
        return f"{year}{self.measure}{TEST_ZH[self.test]}{text}"


def _show(value: float, unit: str) -> str:
    """A figure with its unit; money from 1亿 up in 亿元.

    >>> _show(10000.0, "万元"), _show(0.05, "%"), _show(300.0, "万元")
    ('1亿元', '5%', '300万元')
    """
    if unit == "%":
        return f"{value * 100:g}%"
    if unit == "万元" and value >= 10000:
        return f"{value / 10000:g}亿元"
    return f"{value:g}{unit}"


# --- reading ---------------------------------------------------------------------------------

_MONEY_UNIT = "万亿元|千万元|百万元|十万元|亿元|万元|千元|元|亿|万"
_COUNT_UNIT = "万人|人|家|个|项|台|套|吨标准煤|万千瓦时|千瓦时|亩|平方米"
_VALUE = rf"(?P<num>{NUMBER})\s*(?P<unit>%|‰|{_MONEY_UNIT}|{_COUNT_UNIT})?"
_RANGE_VALUE = rf"(?P<lo>{NUMBER})\s*(?P<lounit>%|{_MONEY_UNIT})?\s*(?:\(含\))?\s*[-—–~～至到]\s*" + _VALUE
_BEFORE = r"(?P<verb>首次突破|首次达到|首次超过|首次迈上|首次跨越|首次进入|首度突破|首次|晋级达到|晋级|突破|达到|超过|高于|不低于|不少于|不足|低于|少于|在|达|为|实现|迈上)?"
_AFTER = r"(?P<inc>\(含\))?(?P<after>以上|及以上|以下|及以下|以内|台阶)?"
_GROWTH = r"(?P<growth>(?:较上年|比上年|较上一年|比上一年|比去年同期|较去年同期|同比|年均)?(?:增长率?|增幅|增速|增加额|增加|新增|增量|提高))"
_INCREASE = ("增加", "增加额", "新增", "增量")
# a second condition on the same figure, joined without naming it again: 营业收入超过1亿元且同比增长10%以上
_AGAIN = re.compile(
    r"(?:\(含\))?的?[,，、]?(?:且|并且|同时|并|和)(?=(?:较上年|比上年|比去年同期|较去年同期|同比|年均)?(?:增长|增幅|增速|增加|新增))"
)
# money in another currency: never read as 元 (better no condition than a wrong one), unless the
# vocabulary states a rate for it ([currency.*]); a band so converted says so in the test
_FOREIGN = re.compile(r"美元|美金|欧元|日元|英镑|港元|港币")
_FOREIGN_VALUE = re.compile(
    rf"(?P<num>{NUMBER})\s*(?P<scale>亿|千万|百万|万)?(?P<currency>美元|美金|欧元|日元|英镑|港元|港币)"
)
_SCALE = {"亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4, None: 1.0}
# a second condition on the numerator of a share, not named again: 占比超过20%,且首次超过500万元
_AGAIN_AMOUNT = re.compile(r"(?:\(含\))?的?[,，、]?(?:且|并且|同时)(?=首次|超过|达到|突破|在|不低于|不少于)")
# a round figure written without its number, after a verb: 首次突破亿元, 迈上千万元台阶
_BARE = {"百亿元": 1_000_000.0, "十亿元": 100_000.0, "亿元": 10_000.0, "千万元": 1000.0, "百万元": 100.0}
_BARE_VALUE = rf"{_BEFORE}(?P<bare>百亿元|十亿元|千万元|百万元|亿元)" + _AFTER


_NAMES: dict[int, tuple[re.Pattern[str], dict[str, str]]] = {}


def _names(vocab: Vocabulary) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern matching any indicator name, and name → canonical indicator (kept per vocabulary)."""
    if (known := _NAMES.get(id(vocab))) is not None:
        return known
    names: dict[str, str] = {}
    for info in vocab.indicators.values():
        for alias in (info.name, *info.aliases):
            names.setdefault(squash(alias), info.name)
    ordered = sorted(names, key=len, reverse=True)
    _NAMES[id(vocab)] = (re.compile("|".join(re.escape(n) for n in ordered)), names)
    return _NAMES[id(vocab)]


def _number(match: re.Match[str], rate: bool) -> float | None:
    unit = match.group("unit") or ""
    try:
        if unit in ("%", "‰"):
            return parse_number(match.group("num")) / (100.0 if unit == "%" else 1000.0)
        if rate:
            return None  # a growth rate or a ratio needs a percentage
        if unit and re.fullmatch(_MONEY_UNIT, unit):
            return money_to_wan(match.group("num"), unit)
        value = parse_number(match.group("num"))
    except (ValueError, KeyError):
        return None
    return value * 10000.0 if unit == "万人" else value


def _band(verb: str, value: float, inc: bool, after: str) -> Band:
    if after in ("以下", "及以下", "以内") or verb in ("不足", "低于", "少于"):
        return Band(None, value, True, after in ("以下", "及以下", "以内") or inc)
    exclusive = verb in ("超过", "高于", "首次超过") and after not in ("以上", "及以上") and not inc
    return Band(value, None, not exclusive, True)


def read_tests(text: str, vocab: Vocabulary | None = None) -> tuple[MetricTest, ...]:
    """Every condition on figures in ``text``, in order (an empty tuple when there is none).

    >>> [t.describe() for t in read_tests("年销售收入超过1亿元且同比增长10%以上的企业")]
    ['营业收入超过1亿元', '营业收入较上年增长10%以上']
    >>> [t.describe() for t in read_tests("工业总产值首次突破亿元的企业")]
    ['工业总产值首次达到1亿元以上']
    >>> [t.describe() for t in read_tests("出口额达到500万美元的企业")]  # at the vocabulary's rate, said
    ['出口额3500万元以上(按1美元=7元折算)']
    >>> read_tests("出口额达到500万欧元的企业")  # a currency without a rate: no condition, not a wrong one
    ()
    """
    vocab = vocab or load_vocabulary()
    clause = squash(text)
    pattern, names = _names(vocab)
    tests: list[MetricTest] = []
    taken = 0
    for found in _name_matches(clause, pattern):
        if found.start() < taken:
            continue
        test = _read_at(clause, names[found.group(0)], found.start(), found.end(), names, pattern, vocab)
        while test is not None:
            tests.append(test)
            taken = test.end
            again = _AGAIN.match(clause, test.end)
            test = (
                _read_at(clause, test.measure, test.end, again.end(), names, pattern, vocab)
                if again
                else None
            )
            if test is not None and test.test not in ("growth", "increase"):
                test = None
            if test is None and (amount := _AGAIN_AMOUNT.match(clause, tests[-1].end)):
                # 软件业务收入占比超过20%,且首次超过500万元: the amount is the share's numerator's
                measure = tests[-1].parts[0]
                test = _read_at(clause, measure, tests[-1].end, amount.end(), names, pattern, vocab)
                if test is None or test.is_rate or len(test.parts) > 1:
                    test = None
                else:
                    tests.append(test)
                    taken = test.end
                    test = None
    return tuple(tests)


def _name_matches(clause: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    """Every indicator name in ``clause``, longest first at each place, and also the names that
    begin inside a longer one (缴纳增值税税额达…: 缴纳增值税 is followed by no figure, 增值税税额 is)."""
    found: list[re.Match[str]] = []
    pos = 0
    while (match := pattern.search(clause, pos)) is not None:
        found.append(match)
        pos = match.start() + 1
    return found


def _read_at(
    clause: str,
    measure: str,
    start: int,
    pos: int,
    names: dict[str, str],
    pattern: re.Pattern[str],
    vocab: Vocabulary,
) -> MetricTest | None:
    """The condition on ``measure`` (named at ``clause[start:pos]``) that follows it, if any."""
    head = clause[max(0, start - 4) : start]
    offset = -1 if re.search(r"上年度?|上一年度?", head) else 0
    if clause[max(0, start - 2) : start].endswith("亩均") and measure != PER_MU:
        start, measure = start - 2, f"{measure}/{PER_MU}"
    rest = clause[pos:]
    # 研发投入占(企业)(当年)营业收入(的)比重/比例
    if share := re.match(r"(?:总额|额)?占(?:企业)?(?:当年|同期|年度)?", rest):
        other = pattern.match(rest, share.end())
        tail = (
            re.match(r"(?:总额|额)?(?:的)?(?:比重|比例|比率|之比)?", rest[other.end() :]) if other else None
        )
        if other and tail is not None and "%" in rest[other.end() : other.end() + tail.end() + 12]:
            measure = f"{measure}/{names[other.group(0)]}"
            pos += other.end() + tail.end()
            rest = clause[pos:]
        elif (
            other is None
            and (bare_share := re.match(r"(?:比重|比例|比)", rest[share.end() :]))
            and (whole := _share_of(vocab, measure))
            and "%" in rest[: share.end() + bare_share.end() + 12]
        ):
            # 软件业务收入占比超过20%: a share of the figure the vocabulary names as its whole
            measure = f"{measure}/{whole}"
            pos += share.end() + bare_share.end()
            rest = clause[pos:]
    test: Test = "level"
    if growth := re.match(_GROWTH, rest):
        test = "increase" if growth.group("growth").endswith(_INCREASE) else "growth"
        pos += growth.end()
        rest = clause[pos:]
    elif re.search(r"新增$", clause[max(0, start - 2) : start]):
        test = "increase"
    rate = rate_test(test, measure)
    if ranged := re.match(rf"(?:在|为|达到|达)?{_RANGE_VALUE}{_AFTER}", rest):
        high = _number(ranged, rate)
        low_unit = ranged.group("lounit") or ranged.group("unit") or ""
        try:
            low = parse_number(ranged.group("lo"))
        except ValueError:
            return None
        if low_unit == "%":
            low /= 100.0
        elif low_unit and re.fullmatch(_MONEY_UNIT, low_unit):
            low = money_to_wan(ranged.group("lo"), low_unit)
        if high is None:
            return None
        band = Band(low, high, True, bool(ranged.group("inc")) or ranged.group("after") in ("以下", "以内"))
        end = pos + ranged.end()
        verb = ""
    elif (bare := re.match(_BARE_VALUE, rest)) and bare.group("verb") and not rate:
        verb = bare.group("verb")
        band = _band(verb, _BARE[bare.group("bare")], bool(bare.group("inc")), bare.group("after") or "")
        end = pos + bare.end()
    else:
        value = re.match(rf"{_BEFORE}{_VALUE}{_AFTER}", rest)
        if value is None or not value.group("num") or (value.group("unit") is None and not rate):
            return None
        number = _number(value, rate)
        if number is None:
            return None
        verb = value.group("verb") or ""
        band = _band(verb, number, bool(value.group("inc")), value.group("after") or "")
        end = pos + value.end()
    converted = ""
    if currency := _FOREIGN.match(clause, end):
        yuan = vocab.currencies.get(currency.group(0))
        if yuan is None or rate:
            return None
        after = re.match(_AFTER, clause[currency.end() :])
        if after and after.group(0) and band.high is None:
            band = _band(verb, band.low or 0.0, bool(after.group("inc")), after.group("after") or "")
        elif after and after.group(0) and band.low is None:
            band = Band(None, band.high, True, (after.group("after") or "") in ("以下", "及以下", "以内"))
        band = Band(
            None if band.low is None else band.low * yuan,
            None if band.high is None else band.high * yuan,
            band.low_inclusive,
            band.high_inclusive,
        )
        converted = f"按1{currency.group(0)}={yuan:g}元折算"
        end = currency.end() + (after.end() if after else 0)
    elif _FOREIGN.match(clause, end - (2 if clause[end - 2 : end] == "以上" else 0)):
        return None
    first = verb.startswith(("首次", "首度", "晋级")) or re.search(
        r"首次|首度", clause[max(0, start - 3) : start]
    )
    if test == "level" and (first or re.search(r"台阶", clause[end - 2 : end])):
        test = "first"
    return MetricTest(measure, test, band, offset, clause[start:end], start, end, converted)


def rate_test(test: Test, measure: str) -> bool:
    """Whether a test's band is a fraction (a growth rate or a ratio), which no currency fits."""
    return test == "growth" or ("/" in measure and not measure.endswith(PER_MU))


def _share_of(vocab: Vocabulary, measure: str) -> str | None:
    """The whole a bare 占比 of ``measure`` is a share of (``share_of`` of the indicator)."""
    info = vocab.indicators.get(measure)
    return info.share_of if info and info.share_of else None
