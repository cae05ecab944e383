"""A realistic synthetic enterprise population (合成企业库) for demos, tests and benchmarks.

:func:`generate` builds the four registry tables of ``shared/spec/registry-csv.md`` —
enterprises, recognitions (认定), events (事项) and metrics (指标) — for the cities the seed
documents come from: 济南市, 潍坊市, 滨州市 and 泉州市鲤城区. Everything is drawn column-wise with
Polars expressions (no Python loop per enterprise), so a million enterprises take seconds.

* Enterprises sit in the real county-level divisions of those cities (:data:`DISTRICTS`, GB/T
  2260 as of 2023), carry a valid 统一社会信用代码 (GB 32100-2015, with the district's code inside
  and a valid GB 11714 organisation code), a plausible name, a GB/T 4754-2017 industry code
  (manufacturing-heavy, with each city's specialities), 规上/规下 and 大/中/小/微 sizes derived from
  revenue and head count, and a founding date between 1990 and the year before ``end_year``.
* Recognitions and events use the canonical kinds and levels of the qualification vocabulary
  (``huiqi/data/vocabulary.toml``) at believable rates; larger and stronger enterprises collect
  more of them. Titles with 动态复核 (专精特新, 小巨人, 单项冠军) get re-examination rows
  (``review``) three years after a first grant. With ``n >= 1000`` every kind at every level
  (and every event kind and level) appears in every chosen city, so a demo exercises every
  incentive of the seed documents; 数控一代产品采购 only happens in 鲤城.
* Metrics: annual 营业收入 (also read as 主营业务收入), 利润总额, 税收, 研发投入 (R&D intensity
  mostly 1–8% of revenue), 工业总产值, 工业增加值, 固定资产投资 (lumpy: some years carry a big
  project), 出口额 (exporters only), 用电量, 综合能耗, 用地面积 and 从业人员 for every enterprise
  and every year from ``start_year`` to ``end_year`` (output, value added, energy and land for
  industrial enterprises only). Growth is believable (about 6% a year, spread ±6%); with
  ``ensure_all`` one enterprise crosses each of 2000万/1亿/5亿/10亿 for the first time inside
  the window. A few enterprises leave 综合能耗 or 研发投入 of the last year out.
* Monthly 营业收入, 工业增加值, 用电量 and 税收 for the last ``months`` months (default 24) of
  规上 enterprises and of 规下 ones from 1200万元 (the 小升规 pool), with planted 波动 cases of
  each monitoring rule in the last months (:data:`MONTHLY_CASES`: sharp falls, surges, a slow
  slide of several months, and enterprises that stop reporting).
* Status events (:data:`STATUS_EVENTS`): 升规纳统 the year after revenue first reaches 2000万元,
  新设落户 for enterprises founded inside the window and a few that move in. They reach the CSV
  files once the vocabulary knows those kinds (:func:`not_importable`).

Randomness comes from hashing row numbers with a key derived from ``seed``: the same seed gives
the same population on the same Polars version (Polars does not promise its hash stays the
same across versions).

>>> pop = generate(300, seed=1, annual=False, monthly=False)
>>> pop.enterprises.height, pop.enterprises.columns
(300, ['uscc', 'name', 'region_code', 'industry_code', 'scale', 'size', 'established_on'])
>>> pop.enterprises["region_code"].str.slice(0, 4).is_in(["3701", "3707", "3716", "3505"]).all()
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from huiqi.catalog.synthetic import TABLE_COLUMNS as CATALOG_COLUMNS
from huiqi.catalog.synthetic import products_and_demands
from huiqi.rules.vocabulary import Vocabulary, load_vocabulary

# --------------------------------------------------------------------------------------------
# Places


@dataclass(frozen=True)
class District:
    """A county-level division (区/县/县级市) enterprises register in."""

    code: str  # GB/T 2260 行政区划代码 (2023)
    name: str
    city: str  # one of ALL_CITIES
    short: str | None  # the place word used in company names (None: use the city's)
    weight: float  # relative share of the city's enterprises


# Real county-level codes (checked against the 2023 national list). Weights roughly follow
# each district's number of industrial enterprises.
DISTRICTS: tuple[District, ...] = (
    District("370102", "历下区", "济南市", "历下", 10),
    District("370103", "市中区", "济南市", None, 8),
    District("370104", "槐荫区", "济南市", "槐荫", 7),
    District("370105", "天桥区", "济南市", "天桥", 8),
    District("370112", "历城区", "济南市", "历城", 15),
    District("370113", "长清区", "济南市", "长清", 6),
    District("370114", "章丘区", "济南市", "章丘", 12),
    District("370115", "济阳区", "济南市", "济阳", 6),
    District("370116", "莱芜区", "济南市", "莱芜", 10),
    District("370117", "钢城区", "济南市", "钢城", 4),
    District("370124", "平阴县", "济南市", "平阴", 4),
    District("370126", "商河县", "济南市", "商河", 4),
    District("370702", "潍城区", "潍坊市", "潍城", 7),
    District("370703", "寒亭区", "潍坊市", "寒亭", 6),
    District("370704", "坊子区", "潍坊市", "坊子", 6),
    District("370705", "奎文区", "潍坊市", "奎文", 8),
    District("370724", "临朐县", "潍坊市", "临朐", 6),
    District("370725", "昌乐县", "潍坊市", "昌乐", 6),
    District("370781", "青州市", "潍坊市", "青州", 10),
    District("370782", "诸城市", "潍坊市", "诸城", 11),
    District("370783", "寿光市", "潍坊市", "寿光", 12),
    District("370784", "安丘市", "潍坊市", "安丘", 8),
    District("370785", "高密市", "潍坊市", "高密", 9),
    District("370786", "昌邑市", "潍坊市", "昌邑", 7),
    District("371602", "滨城区", "滨州市", "滨城", 22),
    District("371603", "沾化区", "滨州市", "沾化", 8),
    District("371621", "惠民县", "滨州市", "惠民", 10),
    District("371622", "阳信县", "滨州市", "阳信", 8),
    District("371623", "无棣县", "滨州市", "无棣", 9),
    District("371625", "博兴县", "滨州市", "博兴", 15),
    District("371681", "邹平市", "滨州市", "邹平", 28),
    District("350502", "鲤城区", "泉州市鲤城区", "鲤城", 1),
)

# Share of the population by city (by economic size; 鲤城 is one district of 泉州).
CITY_WEIGHTS: dict[str, float] = {"济南市": 40, "潍坊市": 36, "滨州市": 16, "泉州市鲤城区": 8}
ALL_CITIES: tuple[str, ...] = tuple(CITY_WEIGHTS)
_CITY_WORD = {"济南市": "济南", "潍坊市": "潍坊", "滨州市": "滨州", "泉州市鲤城区": "泉州"}
_PROVINCE_WORD = {"济南市": "山东", "潍坊市": "山东", "滨州市": "山东", "泉州市鲤城区": "福建"}
_CITY_NAMES = {
    "济南": "济南市",
    "济南市": "济南市",
    "潍坊": "潍坊市",
    "潍坊市": "潍坊市",
    "滨州": "滨州市",
    "滨州市": "滨州市",
    "鲤城": "泉州市鲤城区",
    "鲤城区": "泉州市鲤城区",
    "泉州鲤城": "泉州市鲤城区",
    "泉州市鲤城区": "泉州市鲤城区",
}
LICHENG = "泉州市鲤城区"


def resolve_city(name: str) -> str:
    """The canonical city name for 济南/潍坊/滨州/鲤城 and their full forms.

    >>> resolve_city("鲤城"), resolve_city("潍坊市")
    ('泉州市鲤城区', '潍坊市')
    """
    city = _CITY_NAMES.get(name.strip())
    if city is None:
        raise ValueError(f"未知城市 {name}(可选:{'、'.join(ALL_CITIES)})")
    return city


def districts_of(cities: Sequence[str] = ALL_CITIES) -> tuple[District, ...]:
    """The districts of the given cities (short names accepted)."""
    wanted = {resolve_city(c) for c in cities}
    return tuple(d for d in DISTRICTS if d.city in wanted)


# --------------------------------------------------------------------------------------------
# Industries: GB/T 4754-2017 classes. (code, name word, weight, log-revenue shift,
# electricity intensity in 万千瓦时 per 万元 of revenue, revenue per 亩 of land in 万元)

_INDUSTRIES: tuple[tuple[str, str, float, float, float, float], ...] = (
    ("C1312", "面粉", 1.0, 0.2, 0.03, 500),
    ("C1329", "饲料", 1.5, 0.3, 0.02, 600),
    ("C1353", "食品", 1.5, 0.1, 0.03, 450),
    ("C1391", "淀粉", 0.6, 0.3, 0.06, 400),
    ("C1495", "生物", 0.6, 0.0, 0.05, 350),
    ("C1512", "酒业", 0.5, 0.0, 0.02, 300),
    ("C1711", "纺织", 1.5, 0.2, 0.10, 300),
    ("C1713", "印染", 0.8, 0.0, 0.12, 280),
    ("C1819", "服饰", 2.0, -0.3, 0.01, 350),
    ("C1952", "鞋业", 0.8, -0.1, 0.01, 400),
    ("C1953", "鞋材", 0.5, -0.2, 0.03, 350),
    ("C2110", "家具", 1.2, -0.3, 0.02, 250),
    ("C2221", "纸业", 0.6, 0.4, 0.15, 350),
    ("C2231", "包装", 1.2, -0.2, 0.04, 300),
    ("C2319", "印务", 1.0, -0.4, 0.03, 250),
    ("C2511", "石化", 0.4, 1.5, 0.05, 900),
    ("C2614", "化工", 1.5, 0.6, 0.12, 500),
    ("C2619", "化学", 0.8, 0.4, 0.15, 450),
    ("C2641", "涂料", 0.6, 0.0, 0.03, 400),
    ("C2651", "新材料", 0.6, 0.5, 0.10, 500),
    ("C2669", "精细化工", 0.8, 0.2, 0.08, 450),
    ("C2720", "药业", 0.8, 0.3, 0.04, 450),
    ("C2761", "生物制药", 0.4, 0.2, 0.05, 400),
    ("C2770", "医疗用品", 0.5, -0.1, 0.03, 350),
    ("C2911", "轮胎", 0.4, 0.8, 0.10, 450),
    ("C2922", "塑业", 1.2, -0.1, 0.06, 300),
    ("C2927", "塑胶", 0.8, -0.3, 0.05, 280),
    ("C3021", "建材", 1.0, -0.1, 0.08, 200),
    ("C3130", "钢铁", 0.6, 1.0, 0.20, 600),
    ("C3216", "铝业", 0.3, 1.8, 0.90, 800),
    ("C3252", "铝材", 0.6, 0.8, 0.12, 550),
    ("C3311", "钢结构", 2.0, 0.0, 0.04, 300),
    ("C3321", "工具", 0.6, -0.2, 0.04, 300),
    ("C3391", "铸造", 1.0, 0.0, 0.15, 250),
    ("C3412", "动力", 0.8, 0.6, 0.03, 500),
    ("C3421", "机床", 1.0, 0.1, 0.03, 350),
    ("C3441", "泵业", 0.7, 0.0, 0.03, 350),
    ("C3444", "液压", 0.6, 0.0, 0.03, 350),
    ("C3451", "轴承", 0.6, 0.1, 0.04, 350),
    ("C3452", "传动", 0.6, 0.0, 0.04, 350),
    ("C3484", "机械", 3.0, -0.2, 0.04, 300),
    ("C3511", "矿山机械", 0.6, 0.2, 0.03, 350),
    ("C3551", "纺机", 0.6, -0.1, 0.03, 300),
    ("C3571", "农业装备", 0.4, 0.6, 0.03, 400),
    ("C3572", "农机", 0.8, -0.1, 0.03, 300),
    ("C3612", "新能源汽车", 0.2, 1.2, 0.03, 600),
    ("C3670", "汽车部件", 1.5, 0.2, 0.04, 400),
    ("C3811", "电机", 0.6, 0.1, 0.03, 400),
    ("C3824", "电气", 0.7, 0.1, 0.03, 450),
    ("C3841", "新能源", 0.3, 0.8, 0.05, 600),
    ("C3976", "光电", 0.4, 0.4, 0.06, 600),
    ("C3984", "声学", 0.4, 0.4, 0.03, 650),
    ("C3985", "电子材料", 0.4, 0.2, 0.08, 500),
    ("C4011", "自动化", 0.6, 0.0, 0.02, 500),
    ("C4190", "制品", 1.0, -0.4, 0.03, 200),
    ("D4411", "热电", 0.2, 1.0, 0.08, 600),
    ("F5174", "五金", 1.5, -0.2, 0.005, 2000),
    ("F5292", "电子商务", 0.8, -0.5, 0.003, 3000),
    ("G5431", "物流", 1.2, -0.2, 0.01, 500),
    ("I6513", "软件", 2.0, -0.5, 0.005, 3000),
    ("I6531", "信息技术", 1.2, -0.4, 0.005, 3000),
    ("M7320", "科技研发", 0.6, -0.6, 0.01, 1500),
    ("M7491", "工业设计", 0.3, -0.8, 0.005, 2000),
)
# Each city's specialities multiply the base weights.
_CITY_INDUSTRY_BOOST: dict[str, dict[str, float]] = {
    "济南市": {"I6513": 3, "I6531": 2.5, "C2720": 2, "C3421": 2, "C3612": 3, "C3130": 2, "C4011": 2},
    "潍坊市": {"C3412": 4, "C3571": 5, "C3572": 3, "C3984": 4, "C3976": 3, "C2614": 2, "C2911": 2},
    "滨州市": {"C3216": 8, "C3252": 6, "C1711": 4, "C1713": 3, "C2614": 2, "C1312": 2, "C2511": 3},
    LICHENG: {"C1952": 8, "C1953": 6, "C1819": 4, "C3551": 5, "C3421": 3, "C2927": 2, "F5292": 2},
}
_SIZES = ("大", "中", "小", "微")
_TRADE_1 = "恒泰华鑫宏金盛瑞达丰隆德信新源海正宇鼎润嘉佳汇通安康永昌兴利远明辉晨创博晟力科众联中天富捷精诚和万光凯豪腾龙凤星航振启泓"
_TRADE_2 = (
    "泰华达丰源盛昌利通信诚和兴隆德远宇晟力科鑫辉明光峰创瑞邦宏威翔韵锦亿祥顺豪实益佳正格程特拓骏航杰硕聚美天"
)
_TRADE_3 = "新创联合盛宏信嘉德源通达顺和泰丰安康"

# --------------------------------------------------------------------------------------------
# Recognitions and events: rates and shapes. Kinds come from the vocabulary; a kind added there
# without an entry here gets a small default rate.

# Multipliers of the propensity by size (大, 中, 小, 微).
_PROFILES: dict[str, tuple[float, float, float, float]] = {
    "general": (8, 3, 1, 0.3),
    "big": (60, 6, 0.5, 0.02),
    "sme": (0, 4, 2, 0.4),
    "scale": (10, 6, 1.5, 0.2),
    "flat": (1, 1, 1, 1),
}
_MFG = {"C": 1.0, "": 0.1}
_IT = {"I": 10.0, "C": 1.0, "": 0.2}
_LOGISTICS = {"G": 200.0, "": 0.05}
_LEVEL_WEIGHTS = {"国家级": 1.0, "省级": 4.0, "市级": 10.0, "区县级": 10.0}
_LEVEL_SHIFT = {"国家级": 0, "省级": -35, "市级": -70, "区县级": -90}


@dataclass(frozen=True)
class _Rec:
    rate: float  # share of enterprises first granted the title within the window
    profile: str = "general"
    levels: dict[str, float] | None = None
    valid_years: int | None = None
    sectors: dict[str, float] | None = None
    batch_day: int = 200  # day of year the (国家级) list is usually published


_RECOGNITIONS: dict[str, _Rec] = {
    "专精特新小巨人": _Rec(0.006, "sme", valid_years=3, sectors=_MFG, batch_day=210),
    "专精特新中小企业": _Rec(
        0.04, "sme", valid_years=3, sectors={"C": 1.0, "I": 0.8, "": 0.2}, batch_day=240
    ),
    "制造业单项冠军": _Rec(0.003, "big", {"国家级": 1, "省级": 3}, 3, _MFG, 320),
    "高新技术企业": _Rec(
        0.10, "general", valid_years=3, sectors={"C": 1.0, "I": 2.0, "M": 2.0, "": 0.3}, batch_day=330
    ),
    "企业技术中心": _Rec(0.02, "general", {"国家级": 0.3, "省级": 3, "市级": 7}, sectors=_MFG, batch_day=300),
    "工程研究中心": _Rec(0.005, "general", {"国家级": 0.3, "省级": 3, "市级": 7}, batch_day=290),
    "智能工厂": _Rec(0.004, "scale", {"国家级": 0.5, "省级": 3.5, "市级": 6}, sectors=_MFG, batch_day=250),
    "智能制造优秀场景": _Rec(0.003, "scale", {"国家级": 1, "省级": 4}, sectors=_MFG, batch_day=250),
    "数字化车间": _Rec(0.01, "scale", {"省级": 4, "市级": 6}, sectors=_MFG, batch_day=250),
    "智能制造系统解决方案供应商": _Rec(0.001, "general", sectors=_IT, batch_day=260),
    "绿色工厂": _Rec(0.008, "scale", {"国家级": 1, "省级": 3}, sectors=_MFG, batch_day=60),
    "首台套": _Rec(0.003, "scale", {"国家级": 1, "省级": 4}, sectors=_MFG, batch_day=150),
    "工业设计中心": _Rec(
        0.004, "general", {"国家级": 0.3, "省级": 3, "市级": 7}, sectors=_MFG, batch_day=280
    ),
    "工业设计研究院": _Rec(0.0002, "general", sectors={"M": 100.0, "C": 1.0, "": 0.1}, batch_day=280),
    "5G产业试点示范项目": _Rec(0.003, "general", {"省级": 4, "市级": 6}, batch_day=230),
    "5A级旅游景区": _Rec(0.00005, "big", batch_day=120),
    "4A级旅游景区": _Rec(0.0002, "general", batch_day=120),
    "3A级旅游景区": _Rec(0.0004, "general", batch_day=120),
    "工业旅游示范基地": _Rec(0.001, "general", {"国家级": 1, "省级": 3, "市级": 6}, batch_day=140),
    "工业遗产": _Rec(0.0003, "flat", {"国家级": 1, "省级": 3, "市级": 6}, batch_day=340),
    "国家知识产权示范企业": _Rec(0.001, "general", batch_day=310),
    "国家知识产权优势企业": _Rec(0.004, "general", batch_day=310),
    "标准化示范试点": _Rec(0.001, "general", {"国家级": 1, "省级": 3}, batch_day=190),
    "世界品牌500强": _Rec(0.00002, "big", batch_day=350),
    "中国品牌500强": _Rec(0.0001, "big", batch_day=180),
    "老字号": _Rec(0.001, "flat", {"国家级": 1.5, "省级": 4, "市级": 4.5}, batch_day=100),
    "工业互联网平台": _Rec(0.001, "general", {"国家级": 1.5, "省级": 8.5}, sectors=_IT, batch_day=270),
    "服务型制造示范": _Rec(0.003, "scale", {"国家级": 1, "省级": 3, "市级": 6}, sectors=_MFG, batch_day=300),
    "先进制造业集群": _Rec(0.00005, "big", batch_day=330),
    "特色产业集群": _Rec(0.0001, "big", batch_day=330),
    "独角兽企业": _Rec(0.0001, "sme", batch_day=160),
    "瞪羚企业": _Rec(0.005, "sme", batch_day=160),
    "中小企业公共服务示范平台": _Rec(0.0005, "general", {"国家级": 1, "省级": 4}, batch_day=260),
    "中国驰名商标": _Rec(0.001, "big", batch_day=170),
    "中国名牌产品": _Rec(0.001, "big", batch_day=170),
    "省名牌产品": _Rec(0.006, "general", valid_years=3, batch_day=350),
    "政府质量奖": _Rec(0.0005, "big", {"省级": 3, "市级": 7}, batch_day=40),
    "商业模式创新典型示范企业": _Rec(0.0005, "general", batch_day=200),
    "5A级物流企业": _Rec(0.0001, "big", sectors=_LOGISTICS, batch_day=110),
    "4A级物流企业": _Rec(0.0005, "general", sectors=_LOGISTICS, batch_day=110),
    "3A级物流企业": _Rec(0.001, "general", sectors=_LOGISTICS, batch_day=110),
}
# Titles that pass a dynamic re-examination (动态复核) some years after the first grant.
REVIEW_KINDS: tuple[str, ...] = ("专精特新小巨人", "专精特新中小企业", "制造业单项冠军")
REVIEW_AFTER_YEARS = 3
_REVIEW_SHARE = 0.15  # target share of review rows among rows of review kinds


@dataclass(frozen=True)
class _Event:
    per_year: float  # expected events per enterprise-year at average propensity
    profile: str = "general"
    levels: dict[str, float] | None = None
    sectors: dict[str, float] | None = None
    city: str | None = None  # only enterprises of this city


_EVENTS: dict[str, _Event] = {
    "设备购置": _Event(0.06, "scale", sectors={"C": 1.0, "D": 1.0, "": 0.1}),
    "参展": _Event(0.05, "general", {"本地": 5, "外地": 3.5, "境外": 1.5}),
    "上市": _Event(0.00002, "big"),
    "挂牌": _Event(0.0002, "sme", {"新三板": 6, "区域股权市场": 4}),
    "标准制定": _Event(
        0.004, "general", {"国际标准": 0.3, "国家标准": 2.5, "行业标准": 3.7, "地方标准": 3.5}
    ),
    "专利获奖": _Event(
        0.001,
        "general",
        {
            "中国专利金奖": 0.2,
            "中国专利优秀奖": 2,
            "中国外观设计金奖": 0.2,
            "省专利特等奖": 0.4,
            "省专利一等奖": 1.4,
            "省专利二等奖": 2.8,
            "市专利重大发明奖": 3,
        },
    ),
    "专利授权": _Event(0.05, "general", sectors={"C": 1.0, "I": 1.5, "M": 3.0, "": 0.1}),
    "首台套销售": _Event(0.0),  # one per 首台套 recognition, near its grant
    "数控一代产品采购": _Event(0.03, "scale", sectors={"C": 1.0, "": 0.05}, city=LICHENG),
    "新能源汽车推广": _Event(
        0.0005, "general", {"公共领域": 3.5, "非公共领域": 6.5}, {"G": 20.0, "C": 1.0, "": 0.5}
    ),
    "贷款": _Event(0.15, "general"),
    "融资": _Event(0.002, "sme"),
}
# 数控一代 purchases span the tiers of the 鲤城 policy: ≤10, 11–50 and 51–100 台(套).
_CNC_TIERS = ((1, 10, 0.6), (11, 50, 0.3), (51, 100, 0.1))
# 万元 raised at listing: under 10亿, 10亿 to 20亿, 20亿 and more (004's tiers)
_LISTING_BANDS = ((20000, 99999), (100000, 199999), (200000, 300000))

# --------------------------------------------------------------------------------------------
# Metrics

ANNUAL_INDICATORS: dict[str, str] = {
    "营业收入": "万元",
    "利润总额": "万元",
    "税收": "万元",
    "研发投入": "万元",
    "工业总产值": "万元",
    "工业增加值": "万元",
    "固定资产投资": "万元",
    "出口额": "万元",
    "用电量": "万千瓦时",
    "综合能耗": "吨标准煤",
    "用地面积": "亩",
    "从业人员": "人",
}
MONTHLY_INDICATORS: dict[str, str] = {
    "营业收入": "万元",
    "工业增加值": "万元",
    "用电量": "万千瓦时",
    "税收": "万元",
}
# Sections whose enterprises report industrial output, value added, energy use and land.
INDUSTRIAL_SECTIONS: tuple[str, ...] = ("B", "C", "D")
SCALE_LINE_WAN = 2000  # 规模以上工业: annual revenue of 2000万元 and more
CULTIVATION_FROM_WAN = 1200  # 规下 enterprises from here report monthly (小升规培育库)
# Revenue marks conditions name (2000万, 1亿, 5亿, 10亿): one enterprise crosses each in the window.
REVENUE_MARKS_WAN: tuple[int, ...] = (2000, 10000, 50000, 100000)
# Share of monthly reporters planted with each 波动 pattern in the last months.
MONTHLY_CASES: dict[str, float] = {"下滑": 0.03, "异常增长": 0.015, "持续下滑": 0.02, "未报送": 0.01}
# Events that follow from figures and founding dates rather than from a rate of their own.
STATUS_EVENTS: tuple[str, ...] = ("升规纳统", "新设落户")
_SEASON = (0.88, 0.72, 1.0, 1.01, 1.02, 1.05, 0.98, 0.97, 1.03, 1.0, 1.06, 1.28)
_MISSING_SHARE = 0.02  # enterprises that leave 综合能耗 out of the last year (R&D: half as many)
_RELOCATION_SHARE = 0.004  # older enterprises that move into the region inside the window

# --------------------------------------------------------------------------------------------
# Output

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "enterprises": ("uscc", "name", "region_code", "industry_code", "scale", "established_on"),
    "recognitions": ("uscc", "kind", "level", "granted_on", "review", "expires_on"),
    "events": ("uscc", "kind", "occurred_on", "amount_wan", "quantity", "level", "detail"),
    "metrics": ("uscc", "period", "indicator", "value", "unit"),
    **CATALOG_COLUMNS,  # products and demands (huiqi.catalog.synthetic)
}


@dataclass
class Population:
    """The four registry tables of a synthetic population.

    ``enterprises`` keeps 规上/规下 (``scale``) and 大/中/小/微 (``size``) apart, as the database
    does; :func:`write_csv` writes them as one 规模 cell (``规上 中型``) the way the spec reads.
    """

    enterprises: pl.DataFrame
    recognitions: pl.DataFrame
    events: pl.DataFrame
    metrics: pl.DataFrame
    products: pl.DataFrame | None = None  # the product platform's tables (huiqi.catalog.synthetic)
    demands: pl.DataFrame | None = None

    def tables(self) -> dict[str, pl.DataFrame]:
        tables = {
            "enterprises": self.enterprises,
            "recognitions": self.recognitions,
            "events": self.events,
            "metrics": self.metrics,
        }
        return tables | {
            k: v for k, v in (("products", self.products), ("demands", self.demands)) if v is not None
        }

    def row_counts(self) -> dict[str, int]:
        return {name: frame.height for name, frame in self.tables().items()}


def csv_frame(pop: Population, table: str) -> pl.DataFrame:
    """One table exactly as written to CSV: the spec's columns, in the spec's order.

    Rows the registry importer cannot take yet — an indicator or an event kind it does not
    know (see :func:`not_importable`) — are left out, so the files always import cleanly;
    they appear as soon as the importer's schema or the vocabulary names them.
    """
    frame = pop.tables()[table]
    if table == "enterprises":
        frame = frame.with_columns(
            scale=pl.concat_str(pl.col("scale"), pl.lit(" "), pl.col("size"), pl.lit("型"))
        )
    left_out = not_importable(pop).get(table)
    if left_out:
        column = "indicator" if table == "metrics" else "kind"
        frame = frame.filter(~pl.col(column).is_in(left_out))
    return frame.select(TABLE_COLUMNS[table])


def not_importable(pop: Population) -> dict[str, list[str]]:
    """Indicators (metrics) and event kinds (events) of ``pop`` the registry importer rejects.

    >>> left_out = not_importable(generate(50, seed=1, annual=False, monthly=False))
    >>> set(left_out) <= {"metrics", "events"}
    True
    """
    from huiqi.registry.validate import parse_indicator

    def known_indicator(name: str) -> bool:
        try:
            parse_indicator(name)
        except ValueError:
            return False
        return True

    vocab = load_vocabulary()
    out: dict[str, list[str]] = {}
    indicators = [i for i in pop.metrics["indicator"].unique().sort().to_list() if not known_indicator(i)]
    kinds = [k for k in pop.events["kind"].unique().sort().to_list() if vocab.resolve(k, "event") is None]
    if indicators:
        out["metrics"] = indicators
    if kinds:
        out["events"] = kinds
    return out


def write_csv(pop: Population, folder: str | Path) -> dict[str, Path]:
    """Write ``enterprises.csv`` … ``metrics.csv`` (UTF-8 with BOM, English headers, ISO dates).

    Only rows the importer takes today are written (:func:`csv_frame`).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for table in (t for t in TABLE_COLUMNS if t in pop.tables()):
        path = folder / f"{table}.csv"
        csv_frame(pop, table).write_csv(path, include_bom=True, date_format="%Y-%m-%d")
        paths[table] = path
    return paths


# --------------------------------------------------------------------------------------------
# Randomness: uniforms from hashed row numbers, one stream per draw.

_U64 = (1 << 64) - 1
_MASK52 = (1 << 52) - 1


def _splitmix(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _U64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _U64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _U64
    return x ^ (x >> 31)


class _Rng:
    """Column-wise random draws: each call is a fresh stream over the rows of its frame."""

    def __init__(self, seed: int) -> None:
        self._base = _splitmix(seed & _U64)
        self._stream = 0
        self.py = random.Random(_splitmix(self._base))  # the few dozen guaranteed picks

    def fork(self, name: str) -> _Rng:
        """An independent generator for one named part: a vocabulary kind without a profile here
        draws from its own streams, so growing the vocabulary leaves every other draw as it was."""
        child = _Rng(0)
        child._base = _splitmix(self._base ^ int.from_bytes(hashlib.sha256(name.encode()).digest()[:8]))
        child.py = random.Random(_splitmix(child._base))
        return child

    def u(self) -> pl.Expr:
        """Uniform in [0, 1), one per row."""
        self._stream += 1
        key = _splitmix(self._base ^ _splitmix(self._stream))
        return (pl.int_range(pl.len(), dtype=pl.UInt64).hash(key) & _MASK52).cast(pl.Float64) * 2.0**-52

    def normal(self) -> pl.Expr:
        u1, u2 = self.u(), self.u()
        return (-2.0 * (1.0 - u1).log()).sqrt() * (2.0 * math.pi * u2).cos()

    def integers(self, low: int | pl.Expr, high: int | pl.Expr) -> pl.Expr:
        """Integers in [low, high], both inclusive."""
        low = pl.lit(low) if isinstance(low, int) else low
        high = pl.lit(high) if isinstance(high, int) else high
        return low + (self.u() * (high - low + 1)).floor().cast(pl.Int64)

    def log_uniform(self, low: float, high: float) -> pl.Expr:
        return (self.u() * math.log(high / low)).exp() * low

    def choice(self, weights: Sequence[float], u: pl.Expr | None = None) -> pl.Expr:
        """Index of a category drawn with the given weights."""
        return _pick(weights, self.u() if u is None else u)


def _pick(weights: Sequence[float], u: pl.Expr) -> pl.Expr:
    total = float(sum(weights))
    cumulative, acc = [], 0.0
    for w in weights:
        acc += w / total
        cumulative.append(acc)
    cumulative[-1] = 2.0
    return pl.lit(pl.Series(cumulative, dtype=pl.Float64)).search_sorted(u, side="right").cast(pl.Int64)


def _gather(values: Sequence, index: pl.Expr, dtype: pl.DataType | None = None) -> pl.Expr:
    return pl.lit(pl.Series(list(values), dtype=dtype)).gather(index)


def _date(year: pl.Expr, day_of_year: pl.Expr) -> pl.Expr:
    return (pl.date(year, 1, 1).cast(pl.Int32) + day_of_year.cast(pl.Int32)).cast(pl.Date)


# --------------------------------------------------------------------------------------------
# Generation


def generate(
    n: int,
    cities: Sequence[str] = ALL_CITIES,
    seed: int = 7,
    start_year: int = 2019,
    end_year: int = 2025,
    *,
    annual: bool = True,
    monthly: bool = True,
    months: int = 24,
    ensure_all: bool | None = None,
) -> Population:
    """A synthetic population of ``n`` enterprises in ``cities``, deterministic for ``seed``.

    ``annual`` / ``monthly`` turn the metrics off for benchmarks; ``months`` is how many months
    (ending with December of ``end_year``) the monthly figures cover. ``ensure_all`` (default:
    ``n >= 1000``) puts every recognition kind at every level, and every event kind and level,
    in every chosen city at least once.
    """
    if n < 1:
        raise ValueError("n must be positive")
    if end_year < start_year:
        raise ValueError("end_year must not precede start_year")
    chosen = list(dict.fromkeys(resolve_city(c) for c in cities))
    if not chosen:
        raise ValueError("no city chosen")
    vocab = load_vocabulary()
    rng = _Rng(seed)
    ensure = n >= 1000 if ensure_all is None else ensure_all
    firms = _enterprises(n, chosen, rng, start_year, end_year)
    uscc = firms["uscc"]
    recognitions, grants = _recognitions(firms, vocab, rng, start_year, end_year, ensure)
    events = _events(firms, chosen, grants, vocab, rng, start_year, end_year, ensure)
    metrics, status = _metrics(firms, rng, start_year, end_year, annual, monthly, months, ensure)
    events = pl.concat([events, status]).sort(["idx", "occurred_on"], maintain_order=True)
    enterprises = firms.select(
        "uscc", "name", "region_code", "industry_code", "scale", "size", "established_on"
    )
    recognitions = recognitions.select(
        pl.lit(uscc).gather(pl.col("idx")).alias("uscc"),
        "kind",
        "level",
        "granted_on",
        "review",
        "expires_on",
    )
    events = events.select(
        pl.lit(uscc).gather(pl.col("idx")).alias("uscc"),
        "kind",
        "occurred_on",
        "amount_wan",
        "quantity",
        "level",
        "detail",
    ).unique(["uscc", "kind", "occurred_on"], keep="first", maintain_order=True)
    # (one event per enterprise, kind and day: the registry's natural key of an event)
    return Population(
        enterprises, recognitions, events, metrics, *products_and_demands(firms, seed, end_year)
    )


def _enterprises(n: int, cities: list[str], rng: _Rng, start_year: int, end_year: int) -> pl.DataFrame:
    """Enterprise rows plus the hidden traits later tables draw on (revenue, quality, ...)."""
    districts = [d for d in DISTRICTS if d.city in cities]
    city_total = {c: sum(d.weight for d in districts if d.city == c) for c in cities}
    d_weights = [CITY_WEIGHTS[d.city] * d.weight / city_total[d.city] for d in districts]
    d_city = [cities.index(d.city) for d in districts]
    codes = [d.code for d in districts]

    frame = pl.select(idx=pl.int_range(n, dtype=pl.Int64)).with_columns(district=rng.choice(d_weights))
    frame = frame.with_columns(
        city=_gather(d_city, pl.col("district"), pl.Int64),
        region_code=_gather(codes, pl.col("district"), pl.String),
    )

    # Industry: base weights times the city's specialities.
    u_ind = rng.u()
    industry = pl.lit(None, dtype=pl.Int64)
    for i, city in reversed(list(enumerate(cities))):
        boost = _CITY_INDUSTRY_BOOST.get(city, {})
        weights = [w * boost.get(code, 1.0) for code, _, w, *_ in _INDUSTRIES]
        industry = pl.when(pl.col("city") == i).then(_pick(weights, u_ind)).otherwise(industry)
    frame = frame.with_columns(industry=industry)
    frame = frame.with_columns(
        industry_code=_gather([t[0] for t in _INDUSTRIES], pl.col("industry"), pl.String),
        word=_gather([t[1] for t in _INDUSTRIES], pl.col("industry"), pl.String),
        rev_shift=_gather([t[3] for t in _INDUSTRIES], pl.col("industry"), pl.Float64),
        power=_gather([t[4] for t in _INDUSTRIES], pl.col("industry"), pl.Float64),
        land_yield=_gather([t[5] for t in _INDUSTRIES], pl.col("industry"), pl.Float64),
    ).with_columns(section=pl.col("industry_code").str.slice(0, 1))

    # Founded 1990 .. end_year-1, more of them recently.
    last = max(end_year - 1, 1991)
    years = list(range(1990, last + 1))
    frame = frame.with_columns(
        est_year=pl.lit(1990, pl.Int64) + rng.choice([math.exp(0.07 * (y - 1990)) for y in years]),
        est_day=rng.integers(0, 364),
    ).with_columns(established_on=_date(pl.col("est_year"), pl.col("est_day")))

    # Revenue of end_year (万元): log-normal, older firms and heavy industries larger.
    frame = frame.with_columns(
        revenue=(
            math.log(650.0)
            + pl.col("rev_shift")
            + 1.7 * rng.normal()
            + 0.02 * (end_year - pl.col("est_year") - 12)
        )
        .clip(math.log(5.0), math.log(3_000_000.0))
        .exp(),
        productivity=40.0 * (0.4 * rng.normal()).exp(),  # 万元 per employee
        quality=(0.8 * rng.normal()).exp(),  # innovation/management latent
        growth=0.06 + 0.06 * rng.normal(),
    )
    frame = frame.with_columns(
        employees=(pl.col("revenue") / pl.col("productivity")).round().clip(1, 200_000).cast(pl.Int64)
    )
    frame = frame.with_columns(
        scale=pl.when(pl.col("revenue") >= 2000).then(pl.lit("规上")).otherwise(pl.lit("规下")),
        size_i=pl.when((pl.col("employees") >= 1000) & (pl.col("revenue") >= 40000))
        .then(0)
        .when((pl.col("employees") >= 300) & (pl.col("revenue") >= 2000))
        .then(1)
        .when((pl.col("employees") >= 20) & (pl.col("revenue") >= 300))
        .then(2)
        .otherwise(3),
    ).with_columns(size=_gather(_SIZES, pl.col("size_i"), pl.String))

    frame = _with_uscc(frame, codes, rng)
    return _with_names(frame, districts, cities, rng)


# GB 32100 (USCC) and GB 11714 (organisation code) check-digit arithmetic.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - 55


def _with_uscc(frame: pl.DataFrame, codes: list[str], rng: _Rng) -> pl.DataFrame:
    """Unique, valid 统一社会信用代码: 9 + 1 + district code + organisation code + check.

    Firms founded since 2015 get the new-style organisation code (``MA`` + 6 characters), older
    ones an 8-digit one; both are unique by construction (an affine permutation of the rank).
    """
    py = rng.py
    digit_space, ma_space = 10**8, 31**6
    a1 = py.randrange(10**7, digit_space) | 1
    while a1 % 5 == 0:
        a1 += 2
    a2 = py.randrange(31**5, ma_space)
    if a2 % 31 == 0:
        a2 += 1
    b1, b2 = py.randrange(digit_space), py.randrange(ma_space)
    prefix_sum = [
        sum(int(c) * w for c, w in zip("91" + code, _USCC_WEIGHTS[:8], strict=True)) for code in codes
    ]
    org_values = [_org_value(c) for c in _USCC_ALPHABET]

    pairs = [a + b for a in _USCC_ALPHABET for b in _USCC_ALPHABET]  # base-31 digit pairs

    work = pl.DataFrame({"district": frame["district"], "ma": frame["est_year"] >= 2015})
    work = work.with_columns(rank=pl.int_range(pl.len(), dtype=pl.Int64).over("ma")).with_columns(
        body=pl.when(pl.col("ma"))
        .then((pl.col("rank") * a2 + b2) % ma_space)
        .otherwise((pl.col("rank") * a1 + b1) % digit_space)
        .cast(pl.Int32)
    )
    # Per body position: the character's index in the USCC alphabet and its GB 11714 value.
    uscc_sum: pl.Expr = pl.lit(0, pl.Int64)
    org_sum: pl.Expr = pl.lit(0, pl.Int64)
    for j in range(8):
        digit = (pl.col("body") // 10 ** (7 - j)) % 10
        if j < 2:
            ma_index = pl.lit(_USCC_ALPHABET.index("MA"[j]), pl.Int32)
        else:
            ma_index = (pl.col("body") // 31 ** (7 - j)) % 31
        index = pl.when(pl.col("ma")).then(ma_index).otherwise(digit).cast(pl.Int64)
        uscc_sum = uscc_sum + index * _USCC_WEIGHTS[8 + j]
        org_sum = org_sum + _gather(org_values, index, pl.Int64) * _ORG_WEIGHTS[j]
    org_check = 11 - org_sum % 11  # 10 → X, 11 → 0
    org_index = (
        pl.when(org_check == 10)
        .then(_USCC_ALPHABET.index("X"))
        .when(org_check == 11)
        .then(0)
        .otherwise(org_check)
    )
    work = work.with_columns(org_index=org_index.cast(pl.Int64), uscc_sum=uscc_sum)
    total = (
        _gather(prefix_sum, pl.col("district"), pl.Int64)
        + pl.col("uscc_sum")
        + pl.col("org_index") * _USCC_WEIGHTS[16]
    )
    body = (
        pl.when(pl.col("ma"))
        .then(
            pl.concat_str(
                pl.lit("MA"),
                _gather(pairs, (pl.col("body") // 31**4) % 961, pl.String),
                _gather(pairs, (pl.col("body") // 31**2) % 961, pl.String),
                _gather(pairs, pl.col("body") % 961, pl.String),
            )
        )
        .otherwise(pl.col("body").cast(pl.String).str.zfill(8))
    )
    uscc = work.select(
        pl.concat_str(
            pl.lit("91"),
            _gather(codes, pl.col("district"), pl.String),
            body,
            _gather(_USCC_ALPHABET, pl.col("org_index"), pl.String),
            _gather(_USCC_ALPHABET, (31 - total % 31) % 31, pl.String),
        ).alias("uscc")
    )
    return frame.with_columns(uscc["uscc"])


def _with_names(frame: pl.DataFrame, districts: list[District], cities: list[str], rng: _Rng) -> pl.DataFrame:
    """城市/区县 + 字号 + 行业词 + 有限公司, made unique where a few retries allow."""
    city_word = [_CITY_WORD[c] for c in cities]
    province_word = [_PROVINCE_WORD[c] for c in cities]
    district_word = [d.short or _CITY_WORD[d.city] for d in districts]
    u_place = rng.u()
    big = pl.col("size_i") == 0
    p_province = pl.when(big).then(0.5).otherwise(0.1)
    place = (
        pl.when(u_place < p_province)
        .then(_gather(province_word, pl.col("city"), pl.String))
        .when(u_place < p_province + 0.3)
        .then(_gather(district_word, pl.col("district"), pl.String))
        .otherwise(_gather(city_word, pl.col("city"), pl.String))
    )
    u_suffix = rng.u()
    suffix = (
        pl.when(big & (u_suffix < 0.4))
        .then(pl.lit("集团有限公司"))
        .when(big & (u_suffix < 0.8))
        .then(pl.lit("股份有限公司"))
        .when((pl.col("size_i") == 1) & (u_suffix < 0.2))
        .then(pl.lit("股份有限公司"))
        .when(u_suffix > 0.95)
        .then(pl.lit("有限责任公司"))
        .otherwise(pl.lit("有限公司"))
    )
    trade = pl.concat_str(
        _gather(list(_TRADE_1), rng.integers(0, len(_TRADE_1) - 1), pl.String),
        _gather(list(_TRADE_2), rng.integers(0, len(_TRADE_2) - 1), pl.String),
    )
    frame = frame.with_columns(place=place, trade=trade, suffix=suffix)
    name = pl.concat_str("place", "trade", "word", "suffix")
    frame = frame.with_columns(name=name)
    extra = _gather(list(_TRADE_3), rng.integers(0, len(_TRADE_3) - 1), pl.String)
    for _ in range(3):  # a third (then fourth) 字号 character for repeated names
        frame = frame.with_columns(later=~pl.col("name").is_first_distinct())
        if not frame["later"].any():
            break
        again = (
            frame.filter("later").with_columns(trade=pl.concat_str("trade", extra)).with_columns(name=name)
        )
        frame = frame.update(again.select("idx", "trade", "name"), on="idx")
    return frame.drop("place", "trade", "suffix", "later")


def _propensity(profile: str, sectors: dict[str, float] | None) -> pl.Expr:
    """How much more likely than average an enterprise is to hold a title or do a thing."""
    sizes = _gather(_PROFILES[profile], pl.col("size_i"), pl.Float64)
    weight = sizes * pl.col("quality") if profile != "flat" else sizes
    if sectors:
        default = sectors.get("", 1.0)
        factor = pl.lit(default)
        for section, mult in sectors.items():
            if section:
                factor = pl.when(pl.col("section") == section).then(mult).otherwise(factor)
        weight = weight * factor
    return weight / weight.mean()


def _level_weights(levels: Sequence[str], wanted: dict[str, float] | None) -> list[float]:
    table = wanted or _LEVEL_WEIGHTS
    return [table.get(level, _LEVEL_WEIGHTS.get(level, 1.0)) for level in levels]


_FIRM_TRAITS = ("idx", "city", "section", "size_i", "quality", "est_year", "established_on", "revenue")


def _recognitions(
    firms: pl.DataFrame, vocab: Vocabulary, rng: _Rng, start_year: int, end_year: int, ensure: bool
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Recognition rows (idx, kind, level, granted_on, review, expires_on) and the first grants."""
    kinds = vocab.kinds_of("recognition")
    traits = firms.select(_FIRM_TRAITS)
    can_review = start_year + REVIEW_AFTER_YEARS <= end_year
    eligible_years = max(0, end_year - REVIEW_AFTER_YEARS - start_year + 1) / (end_year - start_year + 1)
    review_rate = min(1.0, _REVIEW_SHARE / (1 - _REVIEW_SHARE) / eligible_years) if eligible_years else 0.0

    parts: list[pl.DataFrame] = []
    for k, kind in enumerate(kinds):
        spec = _RECOGNITIONS.get(kind, _Rec(0.0005))
        draw = rng if kind in _RECOGNITIONS else rng.fork(kind)
        levels = vocab.info("recognition", kind).levels
        chosen = traits.with_columns(p=(spec.rate * _propensity(spec.profile, spec.sectors)).clip(0, 0.95))
        chosen = chosen.filter(draw.u() < pl.col("p"))
        level = (
            _gather(levels, draw.choice(_level_weights(levels, spec.levels)), pl.String)
            if levels
            else pl.lit(None, pl.String)
        )
        first_year = pl.max_horizontal(pl.col("est_year") + 1, pl.lit(start_year))
        parts.append(
            chosen.select(
                "idx",
                "city",
                kind_i=pl.lit(k, pl.Int64),
                level=level,
                year=draw.integers(first_year, end_year),
                forced=pl.lit(False),
            )
        )
    grants = pl.concat(parts)
    review_kind_ids = [kinds.index(k) for k in REVIEW_KINDS if k in kinds]
    grants = grants.with_columns(
        reviewed=pl.col("kind_i").is_in(review_kind_ids)
        & (pl.col("year") + REVIEW_AFTER_YEARS <= end_year)
        & (rng.u() < review_rate)
    )

    if ensure:
        extra = _ensure_recognitions(grants, traits, kinds, vocab, rng, start_year, end_year)
        extra = extra.with_columns(reviewed=pl.col("forced") & can_review)
        grants = pl.concat([grants, extra.select(grants.columns)])

    reviews = grants.filter("reviewed").with_columns(pl.col("year") + REVIEW_AFTER_YEARS)
    rows = pl.concat([grants.with_columns(review=pl.lit(False)), reviews.with_columns(review=pl.lit(True))])
    batch_day = [_RECOGNITIONS.get(kind, _Rec(0.0)).batch_day for kind in kinds]
    valid = [_RECOGNITIONS.get(kind, _Rec(0.0)).valid_years or 0 for kind in kinds]
    jitter = (pl.col("kind_i") * 37 + pl.col("year") * 11) % 29 - 14
    shift = pl.col("level").replace_strict(_LEVEL_SHIFT, default=0, return_dtype=pl.Int64)
    day = (_gather(batch_day, pl.col("kind_i"), pl.Int64) + shift + jitter).clip(0, 364)
    years_valid = _gather(valid, pl.col("kind_i"), pl.Int64)
    rows = rows.with_columns(granted_on=_date(pl.col("year"), day)).with_columns(
        expires_on=pl.when(years_valid > 0).then(
            (
                pl.date(pl.col("year") + years_valid, 1, 1).cast(pl.Int32)
                + pl.col("granted_on").dt.ordinal_day().cast(pl.Int32)
                - 2
            ).cast(pl.Date)
        ),
        kind=_gather(kinds, pl.col("kind_i"), pl.String),
    )
    rows = rows.unique(["idx", "kind_i", "level", "granted_on", "review"], keep="first", maintain_order=True)
    rows = rows.sort(["idx", "granted_on", "kind_i", "review"], maintain_order=True)
    firsts = rows.filter(~pl.col("review")).select("idx", "kind", "level", "granted_on")
    return rows.select("idx", "kind", "level", "granted_on", "review", "expires_on"), firsts


class _Pools:
    """Enterprises of a city that fit a profile (all of the city's when none fit), cached."""

    def __init__(self, traits: pl.DataFrame) -> None:
        self._by_city = traits.select("idx", "city", "size_i", "section", "est_year").partition_by(
            "city", as_dict=True, include_key=False
        )
        self._cache: dict[tuple, pl.Series] = {}

    def get(self, city: int, profile: str, sectors: dict[str, float] | None) -> pl.Series:
        best = None
        if sectors:
            best = max((s for s in sectors if s), key=lambda s: sectors[s], default=None)
            if best and sectors[best] <= sectors.get("", 1.0):
                best = None
        key = (city, profile if profile in ("sme", "big", "scale") else "", best)
        if key not in self._cache:
            in_city = self._by_city[(city,)]
            fitting = in_city
            if profile == "sme":
                fitting = fitting.filter(pl.col("size_i") > 0)
            elif profile in ("big", "scale"):
                fitting = fitting.filter(pl.col("size_i") <= 1)
            if best:
                fitting = fitting.filter(pl.col("section") == best)
            self._cache[key] = (fitting if fitting.height else in_city)["idx"]
        return self._cache[key]


def _ensure_recognitions(
    grants: pl.DataFrame,
    traits: pl.DataFrame,
    kinds: list[str],
    vocab: Vocabulary,
    rng: _Rng,
    start_year: int,
    end_year: int,
) -> pl.DataFrame:
    """First grants so that every (city, kind, level) exists, and a 复核 of every review kind."""
    forks: dict[str, random.Random] = {}
    pools = _Pools(traits)
    have = set(grants.select("city", "kind_i", "level").unique().iter_rows())
    reviewed = set(grants.filter("reviewed").select("city", "kind_i", "level").unique().iter_rows())
    can_review = start_year + REVIEW_AFTER_YEARS <= end_year
    est_year = traits["est_year"]
    rows = []
    for city in sorted(traits["city"].unique().to_list()):
        for k, kind in enumerate(kinds):
            spec = _RECOGNITIONS.get(kind, _Rec(0.0005))
            py = rng.py if kind in _RECOGNITIONS else forks.setdefault(kind, rng.fork(kind).py)
            review_kind = kind in REVIEW_KINDS and can_review
            for level in vocab.info("recognition", kind).levels or (None,):
                key = (city, k, level)
                if key in have and (not review_kind or key in reviewed):
                    continue
                pool = pools.get(city, spec.profile, spec.sectors)
                idx = int(pool[py.randrange(pool.len())])
                for _ in range(20 if review_kind else 0):  # a firm old enough for a 复核 in the window
                    if est_year[idx] < start_year:
                        break
                    idx = int(pool[py.randrange(pool.len())])
                first = max(start_year, int(est_year[idx]) + 1)
                forced = review_kind and first == start_year
                year = start_year if forced else py.randint(min(first, end_year), end_year)
                rows.append((idx, city, k, level, year, forced))
    schema = {
        "idx": pl.Int64,
        "city": pl.Int64,
        "kind_i": pl.Int64,
        "level": pl.String,
        "year": pl.Int64,
        "forced": pl.Boolean,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


_EVENT_SCHEMA = {
    "idx": pl.Int64,
    "kind_i": pl.Int64,
    "occurred_on": pl.Date,
    "level": pl.String,
    "quantity": pl.Int64,
}


def _poisson(frame: pl.DataFrame, lam: str, rng: _Rng, k_max: int = 12) -> pl.DataFrame:
    """Add ``count``: a Poisson draw per row with mean ``lam`` (inverse CDF, column-wise)."""
    frame = frame.with_columns(_u=rng.u(), _p=(-pl.col(lam)).exp())
    # most rows draw 0: keep the others, then walk up the CDF on those only
    frame = frame.filter(pl.col("_u") > pl.col("_p")).with_columns(_c=pl.col("_p"), count=pl.lit(0, pl.Int64))
    top = frame[lam].max() if frame.height else 0.0
    k = 0
    while frame.height and k < k_max:
        frame = frame.with_columns(count=pl.col("count") + (pl.col("_u") > pl.col("_c")).cast(pl.Int64))
        k += 1
        frame = frame.with_columns(_p=pl.col("_p") * pl.col(lam) / k).with_columns(
            _c=pl.col("_c") + pl.col("_p")
        )
        if math.exp(-top) * sum(top**i / math.factorial(i) for i in range(k + 1)) > 1 - 1e-12:
            break
    return frame.drop("_u", "_p", "_c")


def _events(
    firms: pl.DataFrame,
    cities: list[str],
    grants: pl.DataFrame,
    vocab: Vocabulary,
    rng: _Rng,
    start_year: int,
    end_year: int,
    ensure: bool,
) -> pl.DataFrame:
    kinds = vocab.kinds_of("event")
    traits = firms.select(*_FIRM_TRAITS, "district")
    window_start = dt.date(start_year, 1, 1)
    window_end = dt.date(end_year, 12, 31)
    first_day = pl.max_horizontal(pl.col("established_on"), pl.lit(window_start))
    traits = traits.with_columns(
        active_years=((pl.lit(window_end) - first_day).dt.total_days() + 1).clip(1, None) / 365.25
    )
    city_ids = sorted(traits["city"].unique().to_list())
    licheng = cities.index(LICHENG) if LICHENG in cities else None
    window = (window_start, window_end)
    pools = _Pools(traits)

    parts: list[pl.DataFrame] = []
    for k, kind in enumerate(kinds):
        if kind in STATUS_EVENTS:  # they follow from the figures (see _metrics)
            continue
        spec = _EVENTS.get(kind, _Event(0.001))
        draw = rng if kind in _EVENTS else rng.fork(kind)
        levels = list(vocab.info("event", kind).levels)
        if kind == "首台套销售":
            base = _sales_from_first_sets(grants, k, rng)
        elif spec.per_year > 0 and (spec.city is None or licheng is not None):
            lam = spec.per_year * pl.col("active_years") * _propensity(spec.profile, spec.sectors)
            if spec.city is not None:
                lam = pl.when(pl.col("city") == licheng).then(lam).otherwise(0.0)
            drawn = _poisson(traits.with_columns(lam=lam), "lam", draw).filter(pl.col("count") > 0)
            base = (
                drawn.select(pl.col("idx").repeat_by("count"))
                .explode("idx")
                .select(
                    "idx",
                    kind_i=pl.lit(k, pl.Int64),
                    occurred_on=pl.lit(None, pl.Date),
                    level=pl.lit(None, pl.String),
                    quantity=pl.lit(None, pl.Int64),
                )
            )
        else:
            base = pl.DataFrame(schema=_EVENT_SCHEMA)
        if ensure:
            base = pl.concat(
                [base, _ensure_events(base, traits, pools, k, kind, levels, spec, licheng, city_ids, draw)]
            )
        if base.height:
            parts.append(_event_attributes(base, traits, cities, kind, levels, spec, draw, window))
    if not parts:
        return pl.DataFrame(
            schema={
                "idx": pl.Int64,
                "kind": pl.String,
                "occurred_on": pl.Date,
                "amount_wan": pl.Float64,
                "quantity": pl.Int64,
                "level": pl.String,
                "detail": pl.String,
            }
        )
    events = pl.concat(parts)
    return events.sort(["idx", "occurred_on"], maintain_order=True)


def _sales_from_first_sets(grants: pl.DataFrame, k: int, rng: _Rng) -> pl.DataFrame:
    """A first sale (首台套销售) for every 首台套 title, in the months before its grant."""
    firsts = grants.filter(pl.col("kind") == "首台套")
    if not firsts.height:
        return pl.DataFrame(schema=_EVENT_SCHEMA)
    before = rng.integers(0, 150)
    day = pl.max_horizontal(
        pl.col("granted_on").cast(pl.Int32) - before.cast(pl.Int32),
        pl.date(pl.col("granted_on").dt.year(), 1, 1).cast(pl.Int32),
    )
    return firsts.select(
        "idx",
        kind_i=pl.lit(k, pl.Int64),
        occurred_on=day.cast(pl.Date),
        level=pl.lit(None, pl.String),
        quantity=pl.lit(None, pl.Int64),
    )


def _ensure_events(
    base: pl.DataFrame,
    traits: pl.DataFrame,
    pools: _Pools,
    k: int,
    kind: str,
    levels: list[str],
    spec: _Event,
    licheng: int | None,
    city_ids: list[int],
    rng: _Rng,
) -> pl.DataFrame:
    """Rows so that every event kind (and level) happens in every city it can happen in."""
    if kind == "首台套销售":
        return pl.DataFrame(schema=_EVENT_SCHEMA)
    py = rng.py
    city_of = traits["city"]
    have_levels = set(
        base.with_columns(city=pl.lit(city_of).gather(pl.col("idx")))
        .select("city", "level")
        .unique()
        .iter_rows()
    )
    have_cities = {city for city, _ in have_levels}
    rows = []
    for city in city_ids:
        if spec.city is not None and city != licheng:
            continue
        pool = pools.get(city, spec.profile, spec.sectors)
        if kind == "数控一代产品采购":
            # one purchase in each quantity tier of the 鲤城 policy
            for low, high, _ in _CNC_TIERS:
                rows.append((int(pool[py.randrange(pool.len())]), k, None, None, py.randint(low, high)))
            continue
        if kind == "上市":
            # one listing in each band of amount raised (the 滨州 tiers); the band rides in
            # ``quantity`` until _event_attributes turns it into an amount and clears it
            for band in range(1, len(_LISTING_BANDS) + 1):
                rows.append((int(pool[py.randrange(pool.len())]), k, None, None, band))
            continue
        for level in levels or [None]:
            present = (city, level) in have_levels if level else city in have_cities
            if not present:
                rows.append((int(pool[py.randrange(pool.len())]), k, None, level, None))
    return pl.DataFrame(rows, schema=_EVENT_SCHEMA, orient="row")


_EQUITY_CENTRE = {"山东": "齐鲁股权交易中心挂牌", "福建": "海峡股权交易中心挂牌"}
_EXPOS = {
    "外地": (
        "中国国际工业博览会(上海)",
        "中国国际中小企业博览会(广州)",
        "中国国际机床展览会(北京)",
        "中国国际进口博览会(上海)",
    ),
    "境外": (
        "德国汉诺威工业博览会",
        "美国拉斯维加斯消费电子展",
        "日本东京国际机床展",
        "迪拜五大行业展",
        "俄罗斯国际工业展",
    ),
}


def _event_attributes(
    base: pl.DataFrame,
    traits: pl.DataFrame,
    cities: list[str],
    kind: str,
    levels: list[str],
    spec: _Event,
    rng: _Rng,
    window: tuple[dt.date, dt.date],
) -> pl.DataFrame:
    """Date, level, amount (万元), quantity and detail of one kind's events."""
    frame = base.with_columns(
        pl.lit(traits["established_on"]).gather(pl.col("idx")).alias("established_on"),
        pl.lit(traits["revenue"]).gather(pl.col("idx")).alias("revenue"),
        pl.lit(traits["city"]).gather(pl.col("idx")).alias("city"),
    )
    lo = pl.max_horizontal(pl.col("established_on"), pl.lit(window[0])).cast(pl.Int32)
    hi = pl.lit(window[1]).cast(pl.Int32)
    frame = frame.with_columns(
        occurred_on=pl.coalesce(pl.col("occurred_on"), rng.integers(lo, hi).cast(pl.Int32).cast(pl.Date))
    )
    if levels:
        drawn = _gather(levels, rng.choice(_level_weights(levels, spec.levels)), pl.String)
        frame = frame.with_columns(level=pl.coalesce(pl.col("level"), drawn))
    revenue = pl.col("revenue")
    level = pl.col("level")
    amount: pl.Expr = pl.lit(None, pl.Float64)
    quantity: pl.Expr = pl.lit(None, pl.Int64)
    detail: pl.Expr = pl.lit(None, pl.String)
    if kind == "设备购置":
        # 50万 and up, heavier tails for larger firms: 50 × exp(Exp(1) × spread)
        spread = (0.6 + 0.25 * (revenue / 650).log10()).clip(0.3, 1.5)
        amount = (50 * (-(1.0 - rng.u()).log() * spread).exp()).clip(50, 5000).round(2)
        quantity = rng.log_uniform(1, 40).floor().cast(pl.Int64)
        detail = _gather(
            ("技术改造新增生产设备", "智能化改造新增设备", "数字化改造新增设备", "绿色化改造新增设备"),
            rng.choice((5, 2, 2, 1)),
            pl.String,
        )
    elif kind == "参展":
        u = rng.u()
        amount = (
            pl.when(level == "境外")
            .then(3 * (u * math.log(20 / 3)).exp())
            .when(level == "外地")
            .then(1 * (u * math.log(8)).exp())
            .otherwise(0.5 * (u * math.log(3 / 0.5)).exp())
            .round(2)
        )
        quantity = pl.lit(1, pl.Int64)
        u_expo = rng.u()
        local = pl.concat_str(
            _gather([_CITY_WORD[c] for c in cities], pl.col("city"), pl.String), pl.lit("工业产品展销会")
        )
        detail = (
            pl.when(level == "境外")
            .then(_gather(_EXPOS["境外"], _pick([1] * len(_EXPOS["境外"]), u_expo), pl.String))
            .when(level == "外地")
            .then(_gather(_EXPOS["外地"], _pick([1] * len(_EXPOS["外地"]), u_expo), pl.String))
            .otherwise(local)
        )
    elif kind == "上市":
        amount = rng.log_uniform(20000, 300000)
        for band, (low, high) in enumerate(_LISTING_BANDS, start=1):
            amount = pl.when(pl.col("quantity") == band).then(rng.log_uniform(low, high)).otherwise(amount)
        frame = frame.with_columns(listing_amount=amount.round(0)).with_columns(
            quantity=pl.lit(None, pl.Int64)
        )
        amount = pl.col("listing_amount")
        detail = _gather(
            (
                "上海证券交易所主板",
                "深圳证券交易所主板",
                "深圳证券交易所创业板",
                "上海证券交易所科创板",
                "北京证券交易所",
            ),
            rng.choice((3, 2, 3, 2, 1)),
            pl.String,
        )
    elif kind == "挂牌":
        amount = rng.log_uniform(200, 5000).round(0)
        detail = (
            pl.when(level == "新三板")
            .then(pl.lit("全国中小企业股份转让系统(新三板)挂牌"))
            .otherwise(
                _gather([_EQUITY_CENTRE[_PROVINCE_WORD[c]] for c in cities], pl.col("city"), pl.String)
            )
        )
    elif kind == "标准制定":
        lead = rng.u() < 0.4
        detail = pl.concat_str(
            pl.when(lead).then(pl.lit("主导制定(第一起草单位)")).otherwise(pl.lit("参与制定")), level
        )
    elif kind == "专利获奖":
        detail = pl.concat_str(pl.lit("获"), level)
    elif kind == "专利授权":
        quantity = rng.log_uniform(1, 12).floor().cast(pl.Int64)
        detail = pl.lit("发明专利授权")
    elif kind == "首台套销售":
        amount = rng.log_uniform(100, 5000).round(2)
        quantity = rng.integers(1, 5)
        detail = pl.lit("首台(套)技术装备首次销售合同")
    elif kind == "数控一代产品采购":
        tier = rng.choice([w for _, _, w in _CNC_TIERS])
        u = rng.u()
        drawn = pl.lit(0, pl.Int64)
        for t, (low, high, _) in enumerate(_CNC_TIERS):
            drawn = (
                pl.when(tier == t).then(low + (u * (high - low + 1)).floor().cast(pl.Int64)).otherwise(drawn)
            )
        frame = frame.with_columns(quantity=pl.coalesce(pl.col("quantity"), drawn))
        amount = (pl.col("quantity") * rng.log_uniform(3, 40)).round(2)
        quantity = pl.col("quantity")
        detail = pl.lit("采购泉州“数控一代”示范项目产品")
    elif kind == "新能源汽车推广":
        quantity = rng.log_uniform(1, 200).floor().cast(pl.Int64)
        detail = pl.lit("推广应用新能源汽车")
    elif kind == "贷款":
        amount = ((revenue * 0.15 * (0.7 * rng.normal()).exp()).clip(10, 100000) / 10).round(0) * 10
        detail = _gather(
            ("流动资金贷款", "技术改造项目贷款", "固定资产贷款", "科技成果转化贷款"),
            rng.choice((5, 2, 2, 1)),
            pl.String,
        )
    elif kind == "融资":
        amount = rng.log_uniform(500, 50000).round(0)
        detail = _gather(
            ("天使轮融资", "A轮股权融资", "B轮股权融资", "战略投资", "Pre-IPO融资"),
            rng.choice((2, 3, 2, 2, 1)),
            pl.String,
        )
    return frame.select(
        "idx",
        kind=pl.lit(kind),
        occurred_on="occurred_on",
        amount_wan=amount.cast(pl.Float64),
        quantity=pl.coalesce(pl.col("quantity"), quantity.cast(pl.Int64)),
        level="level",
        detail=detail.cast(pl.String),
    )


def _metrics(
    firms: pl.DataFrame,
    rng: _Rng,
    start_year: int,
    end_year: int,
    annual: bool,
    monthly: bool,
    months: int,
    ensure: bool,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The metrics (long format) and the status events that follow from them (升规纳统, 新设落户).

    Annual figures for every enterprise; monthly 营业收入/工业增加值/用电量/税收 for 规上
    enterprises and for 规下 ones close to the 2000万元 line (the 小升规 cultivation pool), with
    the planted 波动 cases of :data:`MONTHLY_CASES`. A year the monthly window covers in full
    has annual 营业收入, 工业增加值, 用电量 and 税收 equal to the sum of its months.
    """
    schema = {
        "uscc": pl.String,
        "period": pl.String,
        "indicator": pl.String,
        "value": pl.Float64,
        "unit": pl.String,
    }
    base = _metric_traits(firms, rng, start_year, end_year, ensure)
    parts: list[pl.DataFrame] = []
    month_sums = None
    if monthly and months > 0:
        month_rows = _monthly(base, rng, end_year, months)
        full_years = [
            y for y in range(end_year - months // 12 + 1, end_year + 1) if (end_year - y + 1) * 12 <= months
        ]
        if full_years:
            month_sums = (
                month_rows.filter(pl.col("year").is_in(full_years))
                .group_by("idx", "year")
                .agg(
                    m_rev=pl.col("营业收入").sum(),
                    m_va=pl.col("工业增加值").sum(),
                    m_power=pl.col("用电量").sum(),
                    m_tax=pl.col("税收").sum(),
                )
            )
        shown = month_rows.filter(~pl.col("silent"))
        parts.append(_long(shown.drop("year", "silent"), MONTHLY_INDICATORS))
    status = _new_registrations(base, rng, start_year, end_year)
    if annual:
        yearly = _annual(base, month_sums, rng, start_year, end_year)
        parts.append(_long(yearly.drop("year"), ANNUAL_INDICATORS))
        status = pl.concat([status, _upgrades(yearly, base, rng, end_year)])
    if not parts:
        return pl.DataFrame(schema=schema), status
    metrics = pl.concat(parts)
    order = {name: i for i, name in enumerate(ANNUAL_INDICATORS)}
    metrics = metrics.sort(
        ["idx", "period", pl.col("indicator").replace_strict(order, return_dtype=pl.Int64)],
        maintain_order=True,
    )
    return metrics.select(pl.col("uscc"), "period", "indicator", "value", "unit"), status


def _metric_traits(
    firms: pl.DataFrame, rng: _Rng, start_year: int, end_year: int, ensure: bool
) -> pl.DataFrame:
    """Per-enterprise ratios the figures are drawn from (margin, tax rate, R&D intensity …)."""
    industrial = pl.col("section").is_in(INDUSTRIAL_SECTIONS)
    base = firms.select(
        "idx",
        "uscc",
        "scale",
        "section",
        "quality",
        "est_year",
        "established_on",
        "revenue",
        "employees",
        "growth",
        "power",
        "land_yield",
    ).with_columns(
        margin=0.06 + 0.05 * rng.normal(),
        tax_rate=0.035 * (0.3 * rng.normal()).exp(),
        power_rate=pl.col("power") * (0.4 * rng.normal()).exp(),
        land=pl.when(industrial).then(
            (pl.col("revenue") / (pl.col("land_yield") * (0.5 * rng.normal()).exp()))
            .clip(0.5, 20000)
            .round(1)
        ),
        output_ratio=(0.97 + 0.04 * rng.normal()).clip(0.85, 1.1),
        va_rate=(0.27 * (0.15 * rng.normal()).exp()).clip(0.12, 0.45),
        energy_coef=1.229 * (1.0 + 0.8 * rng.u()),  # 吨标准煤 per 万千瓦时: electricity plus fuel
        rd_rate=(0.025 * pl.col("quality").pow(0.6) * (0.35 * rng.normal()).exp()).clip(0.003, 0.12),
        exporter=rng.u() < pl.when(pl.col("section") == "C").then(0.3).otherwise(0.05),
        export_share=0.05 + 0.5 * rng.u(),
        invest_rate=0.05 * (0.5 * rng.normal()).exp(),
        # a few enterprises leave a figure of the last year out (亩产效益 lists them as missing)
        no_energy=rng.u() < _MISSING_SHARE,
        no_rd=rng.u() < _MISSING_SHARE / 2,
        monthly=(pl.col("scale") == "规上") | (pl.col("revenue") >= CULTIVATION_FROM_WAN),
    )
    if ensure and end_year - start_year >= 2:
        base = _plant_first_crossings(base, rng, start_year, end_year)
    return base


def _plant_first_crossings(base: pl.DataFrame, rng: _Rng, start_year: int, end_year: int) -> pl.DataFrame:
    """For each of :data:`REVENUE_MARKS_WAN`, one older enterprise whose revenue grows across it
    inside the window (年营业收入首次突破), so conditions on first crossings have cases."""
    py = rng.py
    chosen: dict[int, float] = {}
    span = end_year - start_year
    for mark in REVENUE_MARKS_WAN:
        pool = base.filter(
            pl.col("revenue").is_between(1.2 * mark, 1.8 * mark)
            & (pl.col("est_year") < start_year)
            & ~pl.col("idx").is_in(list(chosen))
        )["idx"]
        if not pool.len():
            continue
        idx = int(pool[py.randrange(pool.len())])
        revenue = float(base["revenue"][idx])
        chosen[idx] = math.log(revenue / (0.7 * mark)) / span
    if not chosen:
        return base
    planted = pl.DataFrame({"idx": list(chosen), "planted_growth": list(chosen.values())})
    return (
        base.join(planted, on="idx", how="left", maintain_order="left")
        .with_columns(growth=pl.coalesce("planted_growth", "growth"))
        .drop("planted_growth")
    )


def _monthly(base: pl.DataFrame, rng: _Rng, end_year: int, months: int) -> pl.DataFrame:
    """The last ``months`` months to December of ``end_year``, wide (one column per indicator).

    ``silent`` marks the rows a 未报送 enterprise did not send (kept here for the annual sums).
    """
    periods = []
    for back in range(months - 1, -1, -1):
        year, month = end_year - back // 12, 12 - back % 12
        periods.append((len(periods), year, month, f"{year:04d}-{month:02d}", _SEASON[month - 1]))
    calendar = pl.DataFrame(
        periods,
        schema={
            "pos": pl.Int64,
            "year": pl.Int64,
            "month": pl.Int64,
            "period": pl.String,
            "season": pl.Float64,
        },
        orient="row",
    ).with_columns(pl.col("season") / (sum(_SEASON) / 12))
    last = months - 1
    u = rng.u()
    cases = list(MONTHLY_CASES.values())
    bounds = [sum(cases[: i + 1]) for i in range(len(cases))]
    firms = (
        base.filter("monthly")
        .with_columns(
            case=pl.when(u < bounds[0])
            .then(pl.lit("下滑"))
            .when(u < bounds[1])
            .then(pl.lit("异常增长"))
            .when(u < bounds[2])
            .then(pl.lit("持续下滑"))
            .when(u < bounds[3])
            .then(pl.lit("未报送"))
            .otherwise(pl.lit(None, pl.String)),
            case_from=last - rng.integers(0, 2),
            fall=0.35 + 0.35 * rng.u(),
            fall_spread=0.8 + 0.45 * rng.u(),
            surge=1.6 + 0.9 * rng.u(),
            slide=0.05 + 0.07 * rng.u(),
            slide_from=last - rng.integers(3, 5),
        )
        .with_columns(power_fall=(pl.col("fall") * pl.col("fall_spread")).clip(None, 0.9))
    )
    frame = firms.join(calendar, how="cross").sort(["idx", "pos"], maintain_order=True)
    frame = frame.filter(pl.date(pl.col("year"), pl.col("month"), 28) >= pl.col("established_on"))
    case = pl.col("case")
    pos = pl.col("pos")
    factor = (
        pl.when((case == "下滑") & (pos >= pl.col("case_from")))
        .then(pl.col("fall"))
        .when((case == "异常增长") & (pos >= pl.col("case_from")))
        .then(pl.col("surge"))
        .when((case == "持续下滑") & (pos >= pl.col("slide_from")))
        .then((-pl.col("growth")).exp() * (1 - pl.col("slide")))
        .otherwise(1.0)
    )
    power_factor = (
        pl.when((case == "下滑") & (pos >= pl.col("case_from"))).then(pl.col("power_fall")).otherwise(factor)
    )
    # years before the middle of end_year: growth is smooth across January
    t = (end_year - pl.col("year")) + (6.5 - pl.col("month")) / 12
    level = pl.col("revenue") * (-pl.col("growth") * t).exp() / 12 * pl.col("season")
    quiet = pl.when(case == "持续下滑").then(0.3).otherwise(1.0)  # planted slides stay readable
    frame = frame.with_columns(
        common=0.04 * rng.normal() * quiet,
        rev_m=level * (0.03 * rng.normal() * quiet).exp() * factor,
    ).with_columns(rev_m=pl.col("rev_m") * pl.col("common").exp())
    industrial = pl.col("section").is_in(INDUSTRIAL_SECTIONS)
    return frame.select(
        "idx",
        "uscc",
        "year",
        "period",
        silent=case.eq_missing("未报送") & (pos == last),
        营业收入=pl.col("rev_m").round(2),
        工业增加值=pl.when(industrial).then(
            (
                pl.col("rev_m") * pl.col("output_ratio") * pl.col("va_rate") * (0.02 * rng.normal()).exp()
            ).round(2)
        ),
        用电量=(
            level
            * pl.col("power_rate")
            * (pl.col("common") + 0.03 * rng.normal() * quiet).exp()
            * power_factor
        ).round(2),
        税收=(pl.col("rev_m") * pl.col("tax_rate") * (0.06 * rng.normal() * quiet).exp()).round(2),
    )


def _annual(
    base: pl.DataFrame, month_sums: pl.DataFrame | None, rng: _Rng, start_year: int, end_year: int
) -> pl.DataFrame:
    """One row per enterprise and year after its founding year, one column per indicator."""
    years = pl.DataFrame({"year": list(range(start_year, end_year + 1))}, schema={"year": pl.Int64})
    frame = base.join(years, how="cross").filter(pl.col("year") > pl.col("est_year"))
    frame = frame.sort(["idx", "year"], maintain_order=True)
    behind = end_year - pl.col("year")
    frame = frame.with_columns(
        rev=pl.col("revenue")
        * (-pl.col("growth") * behind + pl.when(behind == 0).then(0.0).otherwise(0.08 * rng.normal())).exp()
    )
    industrial = pl.col("section").is_in(INDUSTRIAL_SECTIONS)
    frame = frame.with_columns(
        power_y=pl.col("rev") * pl.col("power_rate") * (0.1 * rng.normal()).exp(),
        tax_y=pl.col("rev") * pl.col("tax_rate") * (0.1 * rng.normal()).exp(),
        va_noise=(0.05 * rng.normal()).exp(),
        m_va=pl.lit(None, pl.Float64),
    )
    if month_sums is not None:
        frame = frame.drop("m_va").join(month_sums, on=["idx", "year"], how="left", maintain_order="left")
        summed = pl.col("m_rev").is_not_null()
        frame = frame.with_columns(
            rev=pl.when(summed).then(pl.col("m_rev")).otherwise(pl.col("rev")),
            power_y=pl.when(summed).then(pl.col("m_power")).otherwise(pl.col("power_y")),
            tax_y=pl.when(summed).then(pl.col("m_tax")).otherwise(pl.col("tax_y")),
        )
    frame = frame.with_columns(
        output_y=pl.when(industrial).then(
            pl.col("rev") * pl.col("output_ratio") * (0.02 * rng.normal()).exp()
        )
    ).with_columns(
        va_y=pl.coalesce("m_va", pl.col("output_y") * pl.col("va_rate") * pl.col("va_noise")),
    )
    last = pl.col("year") == end_year
    big_project = rng.u() < 0.1
    return frame.select(
        "idx",
        "uscc",
        "year",
        period=pl.col("year").cast(pl.String),
        营业收入=pl.col("rev").round(2),
        利润总额=(pl.col("rev") * (pl.col("margin") + 0.03 * rng.normal())).round(2),
        税收=pl.col("tax_y").round(2),
        研发投入=pl.when(~(last & pl.col("no_rd"))).then(
            (pl.col("rev") * pl.col("rd_rate") * (0.15 * rng.normal()).exp()).round(2)
        ),
        工业总产值=pl.col("output_y").round(2),
        工业增加值=pl.col("va_y").round(2),
        固定资产投资=(
            pl.col("rev")
            * pl.col("invest_rate")
            * pl.when(big_project).then(4.0 + 4.0 * rng.u()).otherwise(1.0)
        ).round(2),
        出口额=pl.when(pl.col("exporter")).then(
            (pl.col("rev") * pl.col("export_share") * (0.1 * rng.normal()).exp()).round(2)
        ),
        用电量=pl.col("power_y").round(2),
        综合能耗=pl.when(industrial & ~(last & pl.col("no_energy"))).then(
            (pl.col("power_y") * pl.col("energy_coef") * (0.05 * rng.normal()).exp()).round(2)
        ),
        用地面积=pl.col("land"),
        从业人员=(
            pl.col("employees") * (pl.col("rev") / pl.col("revenue")).sqrt() * (0.05 * rng.normal()).exp()
        )
        .round()
        .clip(1, None),
    )


def _upgrades(yearly: pl.DataFrame, base: pl.DataFrame, rng: _Rng, end_year: int) -> pl.DataFrame:
    """升规纳统: an enterprise counted as 规上 from the year after its revenue first reached 2000万元.

    Only crossings seen inside the window count (an enterprise founded above the line, or
    above it since before the window, has no event), and only for enterprises 规上 today.
    """
    revenue = yearly.select("idx", "year", rev="营业收入").sort(["idx", "year"])
    above = pl.col("rev") >= SCALE_LINE_WAN
    crossed = (
        revenue.with_columns(
            before=above.cast(pl.Int64).cum_sum().over("idx") - above.cast(pl.Int64),
            first_row=pl.col("year") == pl.col("year").min().over("idx"),
        )
        .filter(above & (pl.col("before") == 0) & ~pl.col("first_row") & (pl.col("year") < end_year))
        .join(base.select("idx", "scale"), on="idx")
        .filter(pl.col("scale") == "规上")
    )
    return crossed.select(
        "idx",
        kind=pl.lit("升规纳统"),
        occurred_on=_date(pl.col("year") + 1, rng.integers(15, 75)),
        amount_wan=pl.lit(None, pl.Float64),
        quantity=pl.lit(None, pl.Int64),
        level=pl.lit(None, pl.String),
        detail=pl.format("{}年营业收入首次达到2000万元,纳入规模以上工业统计", pl.col("year")),
    )


def _new_registrations(base: pl.DataFrame, rng: _Rng, start_year: int, end_year: int) -> pl.DataFrame:
    """新设落户: every enterprise founded inside the window, and a few older ones moving in."""
    window_start = dt.date(start_year, 1, 1)
    span = (dt.date(end_year, 12, 31) - window_start).days
    frame = base.select(
        "idx",
        "established_on",
        moved=rng.u() < _RELOCATION_SHARE,
        moved_on=(pl.lit(window_start).cast(pl.Int32) + rng.integers(0, span)).cast(pl.Date),
    )
    new = frame.filter(pl.col("established_on") >= window_start)
    moved = frame.filter((pl.col("established_on") < window_start) & pl.col("moved"))
    none = pl.lit(None)
    return pl.concat(
        [
            new.select(
                "idx",
                kind=pl.lit("新设落户"),
                occurred_on="established_on",
                amount_wan=none.cast(pl.Float64),
                quantity=none.cast(pl.Int64),
                level=none.cast(pl.String),
                detail=pl.lit("新设立"),
            ),
            moved.select(
                "idx",
                kind=pl.lit("新设落户"),
                occurred_on="moved_on",
                amount_wan=none.cast(pl.Float64),
                quantity=none.cast(pl.Int64),
                level=none.cast(pl.String),
                detail=pl.lit("外地迁入"),
            ),
        ]
    )


def _long(frame: pl.DataFrame, indicators: dict[str, str]) -> pl.DataFrame:
    long = frame.unpivot(list(indicators), index=["idx", "uscc", "period"], variable_name="indicator")
    return long.filter(pl.col("value").is_not_null()).with_columns(
        value=pl.col("value").cast(pl.Float64),
        unit=pl.col("indicator").replace_strict(indicators, return_dtype=pl.String),
    )
