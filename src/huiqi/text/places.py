"""Place names (地名) the rules need: China's provincial-level divisions.

>>> is_province("山东"), is_province("济南")
(True, False)
"""

from __future__ import annotations

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
