"""Chinese numbers, money and rates (数字、金额、比例) as they are printed in policy documents.

Money is returned in 万元 (10,000 CNY), the unit of the interchange format; rates are fractions.

>>> money_to_wan("500", "万元")
500.0
>>> money_to_wan("一千二百", "万元")
1200.0
>>> money_to_wan("3000", "元")
0.3
>>> [m.value_wan for m in find_money("最高奖励1.5亿元,单个项目不超过五百万元,补助3000元")]
[15000.0, 500.0, 0.3]
>>> [r.value for r in find_ratios("按10%给予补贴,8‰的比例,全额补助,万分之零点二")]
[0.1, 0.008, 1.0, 2e-05]
>>> [m.value_wan for m in find_money("最高不超过30万。新增就业1万。")]
[30.0]
>>> [(m.low_wan, m.value_wan) for m in find_money("给予10万元—100万元、20-50万元支持")]
[(10.0, 100.0), (20.0, 50.0)]
>>> [(r.low, r.value) for r in find_ratios("给予5%-20%奖励")]
[(0.05, 0.2)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import cn2an

CN_DIGITS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
NUMBER = rf"(?:\d+(?:\.\d+)?|[{CN_DIGITS}]+(?:点[{CN_DIGITS}]+)?)"

_WAN_PER_UNIT = {
    "元": 0.0001,
    "千元": 0.1,
    "万元": 1.0,
    "万": 1.0,
    "亿": 10000.0,
    "十万元": 10.0,
    "百万元": 100.0,
    "千万元": 1000.0,
    "亿元": 10000.0,
    "万亿元": 100000000.0,
}

# 万/亿 without 元 count as money only where money is plainly meant: 100万、200万元, 给予100万奖励.
_UNIT = "万亿元|千万元|百万元|十万元|亿元|万元|千元|元|万(?=[、,和及~～—\\-至]|奖|补|资助|的|支持|元)|亿(?=[、,和及]|奖|补|的)"
# 万 at the end of a clause is money only after a word of a ceiling (最高不超过30万。), never a
# count (新增就业1万。).
_CAP_WAN = re.compile(rf"(?:最高|不超过|不高于|最多|上限为?|封顶)(?:为)?(?P<num>{NUMBER})\s*万(?=[。;,)]|$)")
_DASH = r"\s*[-—–~～至到]\s*"
# A range prints the lower bound first, with or without its own unit: 10万元—100万元, 20—50万元.
MONEY_RE = re.compile(
    rf"(?:(?P<low>{NUMBER})\s*(?P<lowunit>{_UNIT})?(?:\((?:含|不含)\))?{_DASH})?(?P<num>{NUMBER})\s*(?P<unit>{_UNIT})"
)
RATIO_RE = re.compile(
    rf"(?:(?:(?P<low>{NUMBER})\s*(?P<lowsign>%|‰)?{_DASH})?(?P<num>{NUMBER})\s*(?P<sign>%|‰)"
    rf"|百分之(?P<cnpct>[{CN_DIGITS}点]+)|(?P<per>千|万)分之(?P<cnper>{NUMBER})|(?P<full>全额))"
)


@lru_cache(maxsize=4096)
def parse_number(text: str) -> float:
    """Read an Arabic or Chinese numeral (``500``, ``1.5``, ``五百``, ``一千二百``, ``两``).

    Raises ``ValueError`` when the text is not a number.

    >>> parse_number("二十"), parse_number("0.5"), parse_number("十")
    (20.0, 0.5, 10.0)
    """
    text = text.strip()
    if not text:
        raise ValueError("empty number")
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return float(cn2an.cn2an(text.replace("〇", "零"), "smart"))
    except (ValueError, KeyError, IndexError, TypeError) as exc:  # cn2an raises ValueError mostly
        raise ValueError(f"not a number: {text!r}") from exc


def money_to_wan(number: str, unit: str) -> float:
    """Convert an amount printed as ``number`` + ``unit`` (元, 万元, 亿元 …) to 万元."""
    value = parse_number(number) * _WAN_PER_UNIT[unit]
    return round(value, 6)


@dataclass(frozen=True)
class Money:
    """An amount of money found in text, with its position."""

    value_wan: float
    unit: str
    start: int
    end: int
    text: str
    low_wan: float | None = None  # the lower bound of a range (10万元—100万元), else None


@dataclass(frozen=True)
class Ratio:
    """A rate found in text (``10%`` → 0.1, ``8‰`` → 0.008, ``全额`` → 1.0), with its position."""

    value: float
    start: int
    end: int
    text: str
    low: float | None = None  # the lower bound of a range (5%-20%), else None


def find_money(text: str) -> list[Money]:
    """Every amount of money in ``text``, in order; numbers that cannot be read are skipped."""
    return list(_find_money(text))


@lru_cache(maxsize=8192)
def _find_money(text: str) -> tuple[Money, ...]:
    found = []
    for m in MONEY_RE.finditer(text):
        try:
            value = money_to_wan(m.group("num"), m.group("unit"))
            low = (
                money_to_wan(m.group("low"), m.group("lowunit") or m.group("unit"))
                if m.group("low")
                else None
            )
        except ValueError:
            continue
        if low is not None and low >= value:  # not a range after all (a date, a code)
            found.append(
                Money(
                    value, m.group("unit"), m.start("num"), m.end(), m.group(0)[m.start("num") - m.start() :]
                )
            )
            continue
        found.append(Money(value, m.group("unit"), m.start(), m.end(), m.group(0), low))
    if "万" in text:
        for m in _CAP_WAN.finditer(text):
            if not any(f.start <= m.start("num") < f.end for f in found):
                value = money_to_wan(m.group("num"), "万")
                found.append(
                    Money(value, "万", m.start("num"), m.end(), m.group(0)[m.start("num") - m.start() :])
                )
        found.sort(key=lambda f: f.start)
    return tuple(found)


def find_ratios(text: str) -> list[Ratio]:
    """Every rate in ``text``, in order (percent, per mille, 百分之…, 全额)."""
    return list(_find_ratios(text))


@lru_cache(maxsize=8192)
def _find_ratios(text: str) -> tuple[Ratio, ...]:
    found = []
    for m in RATIO_RE.finditer(text):
        try:
            if m.group("full"):
                value = 1.0
            elif m.group("cnpct"):
                value = parse_number(m.group("cnpct")) / 100
            elif m.group("cnper"):  # 千分之五, 万分之零点二
                value = parse_number(m.group("cnper")) / (1000 if m.group("per") == "千" else 10000)
            else:
                scale = 100 if m.group("sign") == "%" else 1000
                value = parse_number(m.group("num")) / scale
            low = parse_number(m.group("low")) / scale if m.group("low") else None
        except ValueError:
            continue
        if low is not None and low >= value:
            found.append(
                Ratio(round(value, 9), m.start("num"), m.end(), m.group(0)[m.start("num") - m.start() :])
            )
            continue
        found.append(
            Ratio(round(value, 9), m.start(), m.end(), m.group(0), None if low is None else round(low, 9))
        )
    return tuple(found)
