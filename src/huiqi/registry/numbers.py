"""Numbers as officials type them into spreadsheet cells (数字、金额、数量).

* Thousands separators are accepted only where they group thousands: ``1,234,567.5`` is a
  number, ``1,2,3`` and ``12,34`` are refused rather than read as 123 or 1234.
* Money is read into 万元 the same way whatever unit is written: ``350`` and ``350万`` and
  ``350万元`` are 350; ``1.2亿`` is 12,000; ``￥5000``, ``5000元`` and ``5千元`` are 0.5.
* Counts may carry a measure word (``3台``) and 万 (``1万件`` is 10,000).
* Every number is finite and inside the bounds its column can store; a number too large for
  the database (``99999999999`` units, ``1e400``) is a row error, never a failed import.

>>> parse_money_wan("1,200.5万元"), parse_money_wan("1.2亿"), parse_money_wan("￥5,000")
(1200.5, 12000.0, 0.5)
>>> parse_count("1万"), parse_count("3台")
(10000, 3)
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

MAX_MONEY_WAN = 1e8  # 1万亿元: more than any single invoice, contract or figure of one enterprise
MAX_COUNT = 1_000_000_000  # fits a 32-bit integer column with room to spare
MAX_METRIC = 1e12

_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_PLAIN = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$", re.IGNORECASE)
_LEADING_NUMBER = re.compile(r"^([+-]?[\d,]*\.?\d+(?:e[+-]?\d+)?)(.*)$", re.IGNORECASE)
_CURRENCY = ("¥", "￥", "RMB", "rmb", "CNY", "cny")
# Unit written after a money figure → factor into 万元.
MONEY_UNITS: dict[str, float] = {
    "": 1.0,
    "万": 1.0,
    "万元": 1.0,
    "亿": 1e4,
    "亿元": 1e4,
    "元": 1e-4,
    "千元": 1e-1,
    "百万": 1e2,
    "百万元": 1e2,
}
_MEASURE_WORD = re.compile(r"^[\u4e00-\u9fff]{1,3}$")


def _text(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")


def _number(text: str) -> float:
    """A bare number; a comma must group thousands."""
    if "," in text:
        if not _GROUPED.match(text):
            raise ValueError("数字中的逗号位置不对(千分位应每三位一个逗号,如1,234,567)")
        text = text.replace(",", "")
    elif not _PLAIN.match(text):
        raise ValueError("应为数字")
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("数字过大")
    return number


def split_number(value: Any) -> tuple[float, str]:
    """A number and the unit text written after it: ``"1,520.5 万元"`` → (1520.5, '万元').

    >>> split_number("1,520.5 万元"), split_number(3)
    ((1520.5, '万元'), (3.0, ''))
    """
    if isinstance(value, bool):
        raise ValueError("应为数字")
    if isinstance(value, int | float):
        if not math.isfinite(float(value)):
            raise ValueError("数字过大")
        return float(value), ""
    text = _text(value)
    match = _LEADING_NUMBER.match(text)
    if not match:
        raise ValueError("应为数字")
    return _number(match.group(1)), match.group(2)


def _bounded(number: float, high: float, what: str = "数字") -> float:
    if abs(number) > high:
        raise ValueError(f"{what}过大(超过{high:,.0f}),请检查")
    return number


def parse_money_wan(value: Any) -> float:
    """An amount of money in 万元, not negative, whatever unit was written."""
    if isinstance(value, str):
        text = _text(value)
        for sign in _CURRENCY:
            if text.startswith(sign):
                number, unit = split_number(text[len(sign) :])
                if unit not in ("", "元"):
                    raise ValueError("金额的单位写法不对")
                return _money(number * 1e-4)
        number, unit = split_number(text)
        if unit not in MONEY_UNITS:
            raise ValueError("金额单位应为万元、亿元或元")
        return _money(number * MONEY_UNITS[unit])
    number, _ = split_number(value)
    return _money(number)


def _money(number: float) -> float:
    if number < 0:
        raise ValueError("不能为负数")
    return round(_bounded(number, MAX_MONEY_WAN, "金额"), 6)


def parse_count(value: Any) -> int:
    """A count (台套, 辆, 场): a whole number, a measure word or 万 after it allowed."""
    number, unit = split_number(value)
    if unit.startswith("万"):
        number, unit = number * 1e4, unit[1:]
    if unit and not _MEASURE_WORD.match(unit):
        raise ValueError("应为整数")
    if not float(number).is_integer() or number < 0:
        raise ValueError("应为不小于0的整数")
    return int(_bounded(number, MAX_COUNT, "数量"))


def bounded_metric(number: float) -> float:
    """A metric figure inside what the database stores."""
    return _bounded(number, MAX_METRIC, "数值")
