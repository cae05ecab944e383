"""Numeric conditions inside a subject: quantity bands and amount bands of the triggering event.

Tiered clauses state their band in the subject: ``购买数量为11~50台(套)的``,
``融资额10亿元(含)至20亿元的``. Bands are half-open where the text makes the next tier
start at the same figure ("10亿元以下" and "10亿元(含)至20亿元"), closed where it says 以内.

>>> quantity_band("购买数量为11~50台(套)的")
Band(low=11.0, high=50.0, low_inclusive=True, high_inclusive=True)
>>> quantity_band("本地企业采用示范产品的,购买数量为10台(套)以内的")
Band(low=None, high=10.0, low_inclusive=True, high_inclusive=True)
>>> amount_band("融资额10亿元(含)至20亿元的成功上市企业")
Band(low=100000.0, high=200000.0, low_inclusive=True, high_inclusive=False)
>>> amount_band("融资额10亿元以下的成功上市企业")
Band(low=None, high=100000.0, low_inclusive=True, high_inclusive=False)
>>> amount_band("融资额20亿元(含)以上的成功上市企业").low
200000.0
>>> amount_band("年交易额达50亿元以上的平台") is None  # not the event's own amount
True
>>> amount_band("服务外包费用500万元以上1000万元以下的")
Band(low=500.0, high=1000.0, low_inclusive=True, high_inclusive=False)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from huiqi.text.money import find_money

_UNIT = r"(?:台\(套\)|台套|台|套|辆|项|件)"
_NUM = r"(\d+(?:\.\d+)?)"
_RANGE = re.compile(_NUM + r"\s*[~～\-至到]\s*" + _NUM + _UNIT)
_UP_TO = re.compile(_NUM + _UNIT + r"(以内|以下|及以下)")
_FROM = re.compile(_NUM + _UNIT + r"(\(含\))?(以上|及以上)")
_MONEY = r"(\d+(?:\.\d+)?(?:万|亿)?元)"
# The event's own amount is named as 融资额 / 投资额 / 合同额 / 购置额 right before the figure.
_AMOUNT_NAME = (
    r"(?P<name>融资额|募集资金|投资额|设备投入额?|合同额|购置额|销售额|发票总价|费用)(?:为|达到|达|在)?"
)
_MONEY_RANGE = re.compile(_AMOUNT_NAME + _MONEY + r"(\(含\))?\s*[~～\-至到]\s*" + _MONEY)
_MONEY_UP_TO = re.compile(_AMOUNT_NAME + _MONEY + r"(以内|以下|及以下)")
_MONEY_FROM = re.compile(_AMOUNT_NAME + _MONEY + r"(\(含\))?(以上|及以上)")
# 500万元以上1000万元以下, 1000万元及以上不足1亿元: a band written as a floor and a ceiling
_MONEY_BETWEEN = re.compile(
    _AMOUNT_NAME
    + _MONEY
    + r"(?:\(含\))?(?:以上|及以上)[、,]?(不足|低于|不到)?"
    + _MONEY
    + r"(\(含\)|以内|以下)?"
)


def to_wan(text: str) -> float:
    """The single amount of money in ``text`` in 万元."""
    return find_money(text)[0].value_wan


@dataclass(frozen=True)
class Band:
    """``low``..``high`` with inclusiveness; None is open on that side."""

    low: float | None
    high: float | None
    low_inclusive: bool = True
    high_inclusive: bool = True

    def holds(self, value: float | None) -> bool:
        """Whether ``value`` lies in the band (a missing value never does)."""
        if value is None:
            return False
        if self.low is not None and (value < self.low or (value == self.low and not self.low_inclusive)):
            return False
        return self.high is None or value < self.high or (value == self.high and self.high_inclusive)

    def describe(self, unit: str) -> str:
        """The band in Chinese, e.g. ``11~50台套``; money from 1亿 up in 亿元.

        >>> Band(100000.0, 200000.0, True, False).describe("万元")
        '10~20亿元'
        """
        scale = (
            10000.0
            if unit == "万元" and max(v for v in (self.low, self.high) if v is not None) >= 10000
            else 1.0
        )
        unit = "亿元" if scale > 1 else unit
        low = None if self.low is None else self.low / scale
        high = None if self.high is None else self.high / scale
        if low is not None and high is not None:
            return f"{low:g}~{high:g}{unit}"
        if high is not None:
            return f"{high:g}{unit}{'以内' if self.high_inclusive else '以下'}"
        return f"{low:g}{unit}以上"


def quantity_band(subject: str) -> Band | None:
    """The band a count must fall in (台套, 辆, 项), if the subject states one."""
    if m := _RANGE.search(subject):
        return Band(float(m.group(1)), float(m.group(2)))
    if m := _UP_TO.search(subject):
        return Band(None, float(m.group(1)), high_inclusive=m.group(2) != "以下")
    if m := _FROM.search(subject):
        return Band(float(m.group(1)), None)
    return None


def amount_band(subject: str) -> Band | None:
    """The band the event's own amount (万元) must fall in, if the subject states one."""
    if m := _MONEY_RANGE.search(subject):
        return Band(to_wan(m.group(2)), to_wan(m.group(4)), True, False)
    if m := _MONEY_BETWEEN.search(subject):
        return Band(to_wan(m.group(2)), to_wan(m.group(4)), True, m.group(5) in ("(含)", "以内"))
    if m := _MONEY_UP_TO.search(subject):
        return Band(None, to_wan(m.group(2)), high_inclusive=m.group(3) != "以下")
    if m := _MONEY_FROM.search(subject):
        return Band(to_wan(m.group(2)), None)
    return None


def amount_band_name(subject: str) -> str | None:
    """The name the subject gives the amount its band bounds (投资额, 设备投入, 费用).

    >>> amount_band_name("投资额达到200万元以上的工业投资项目"), amount_band_name("新认定的企业")
    ('投资额', None)
    """
    for pattern in (_MONEY_RANGE, _MONEY_BETWEEN, _MONEY_UP_TO, _MONEY_FROM):
        if m := pattern.search(subject):
            return m.group("name")
    return None
