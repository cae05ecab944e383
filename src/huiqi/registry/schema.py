"""The registry tables (名录表) and their columns, as officials hand them over.

``enterprises`` (企业), ``recognitions`` (认定), ``events`` (事项) and ``metrics`` (指标), and for
the product platform (:mod:`huiqi.catalog`) ``products`` (产品) and ``demands`` (需求); see
``shared/spec/registry-csv.md``. Each column has an English name, the Chinese header of the
spec, the other headers people commonly write for it, whether it is required and its type.

>>> table_spec("认定").name, column_for_header("recognitions", "信用代码")
('recognitions', 'uscc')
>>> column_for_header("events", " 金额（万元） "), column_for_header("metrics", "UNIT")
('amount_wan', 'unit')
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Literal

from huiqi.registry.errors import UnknownTableKindError
from huiqi.rules.vocabulary import load_vocabulary

TableName = Literal["enterprises", "recognitions", "events", "metrics", "products", "demands"]
ColumnType = Literal[
    "uscc", "text", "region", "industry", "scale", "date", "kind", "level", "bool", "amount", "count",
    "period", "indicator", "number", "unit", "certifications",
]  # fmt: skip


@dataclass(frozen=True)
class Column:
    """One column: ``name`` (English), ``zh`` (the spec's Chinese header) and its meaning."""

    name: str
    zh: str
    type: ColumnType
    required: bool = False
    synonyms: tuple[str, ...] = ()
    help: str = ""
    example: str = ""


@dataclass(frozen=True)
class TableSpec:
    """A table kind: names, columns in template order, and the natural key (duplicates)."""

    name: TableName
    zh: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # the natural key (a row with a 记录编号 is keyed by it instead)
    vocab_table: Literal["recognition", "event"] | None = None

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)


USCC = Column(
    "uscc",
    "统一社会信用代码",
    "uscc",
    required=True,
    synonyms=("信用代码", "社会信用代码", "统一代码", "统一信用代码", "社会统一信用代码",
              "统一社会信用码", "纳税人识别号", "税号", "credit code", "credit_code"),
    help="18位,末位为校验码(GB 32100-2015);请把该列设为文本,以免被Excel改成数字",
)  # fmt: skip

ENTERPRISES = TableSpec(
    "enterprises",
    "企业",
    (
        USCC,
        Column(
            "name",
            "企业名称",
            "text",
            required=True,
            synonyms=("名称", "单位名称", "公司名称", "企业名", "企业全称", "enterprise", "company"),
            help="营业执照上的登记名称",
            example="丰原精密机械有限公司",
        ),
        Column(
            "region_code",
            "行政区划代码",
            "region",
            required=True,
            synonyms=(
                "所属区县代码",
                "区划代码",
                "区县代码",
                "行政区划",
                "所属区县",
                "区县",
                "注册地区划代码",
                "地区代码",
                "所在区县",
                "region",
            ),
            help="注册地所在区县的6位代码(GB/T 2260);也可填写不重名的区县名称",
            example="370116",
        ),
        Column(
            "industry_code",
            "行业代码",
            "industry",
            synonyms=(
                "国民经济行业代码",
                "国民经济行业分类代码",
                "国民经济行业分类",
                "行业分类代码",
                "所属行业代码",
                "行业类别代码",
                "行业",
                "industry",
            ),
            help="国民经济行业分类(GB/T 4754-2017)代码,门类字母可省略",
            example="C3311",
        ),
        Column(
            "scale",
            "规模",
            "scale",
            synonyms=("企业规模", "规模类型", "是否规上", "规上规下", "规模以上", "size"),
            help="规上或规下,可附大/中/小/微型",
            example="规上 中型",
        ),
        Column(
            "established_on",
            "成立日期",
            "date",
            synonyms=("成立时间", "注册日期", "注册时间", "登记日期", "established", "founded"),
            example="2015-06-18",
        ),
    ),
    key=("uscc",),
)

RECOGNITIONS = TableSpec(
    "recognitions",
    "认定",
    (
        USCC,
        Column(
            "kind",
            "认定类型",
            "kind",
            required=True,
            synonyms=(
                "认定名称",
                "认定称号",
                "称号",
                "荣誉称号",
                "资质",
                "资质名称",
                "资质类型",
                "认定",
                "类型",
                "recognition",
            ),
            help="认定、称号或资质的名称,按资格词表归并",
            example='专精特新"小巨人"',
        ),
        Column(
            "level",
            "级别",
            "level",
            synonyms=("认定级别", "等级", "层级", "认定层级"),
            help="国家级/省级/市级/区县级;类型本身已定级别或不分级别的可留空",
            example="国家级",
        ),
        Column(
            "granted_on",
            "认定日期",
            "date",
            required=True,
            synonyms=("认定时间", "获评日期", "获得日期", "批准日期", "发文日期", "公布日期", "granted"),
            help="首次认定或最近一次复核通过的日期",
            example="2024-03-01",
        ),
        Column(
            "review",
            "复核",
            "bool",
            synonyms=("是否复核", "动态复核", "复核通过", "是否为复核", "reexamination"),
            help="本行是动态复核通过(而非首次认定)时填“是”",
            example="否",
        ),
        Column(
            "expires_on",
            "有效期至",
            "date",
            synonyms=("有效期", "有效期截止", "有效期截止日期", "到期日期", "到期日", "截止日期", "expires"),
            example="2027-02-28",
        ),
        Column(
            "record_id",
            "记录编号",
            "text",
            synonyms=("记录号", "记录id", "证书编号", "认定编号", "record id"),
            help="可选:本单位给这条记录的编号(如证书编号)。填写后更正日期等只需保持编号不变再导入;"
            "不填时按企业+认定类型+认定日期+复核识别同一条记录",
            example="GR202437000123",
        ),
    ),
    key=("uscc", "kind", "granted_on", "review"),
    vocab_table="recognition",
)

EVENTS = TableSpec(
    "events",
    "事项",
    (
        USCC,
        Column(
            "kind",
            "事项类型",
            "kind",
            required=True,
            synonyms=("事项", "事项名称", "类型", "项目类型", "event"),
            help="企业做了什么,按资格词表归并",
            example="设备购置",
        ),
        Column(
            "occurred_on",
            "日期",
            "date",
            required=True,
            synonyms=("发生日期", "事项日期", "时间", "发生时间", "发票日期", "合同日期", "签约日期", "date"),
            example="2024-05-20",
        ),
        Column(
            "amount_wan",
            "金额/万元",
            "amount",
            synonyms=("金额万元", "金额", "金额(万)", "amount"),
            help="计算奖补的基数,单位万元(发票额、合同额、展位费、融资额、贷款额等)",
            example="350",
        ),
        Column(
            "quantity",
            "数量",
            "count",
            synonyms=("台套数", "数量台套", "件数", "场次"),
            help="台套、辆、场等计数",
            example="2",
        ),
        Column(
            "level",
            "级别",
            "level",
            synonyms=("事项级别", "等级"),
            help="事项分级别时填写(国际标准/国家标准/行业标准;境外/外地/本地等)",
            example="境外",
        ),
        Column(
            "detail",
            "说明",
            "text",
            synonyms=("备注", "详情", "描述", "内容", "摘要", "note"),
            example="德国汉诺威工业博览会展位",
        ),
        Column(
            "record_id",
            "记录编号",
            "text",
            synonyms=("记录号", "记录id", "合同编号", "发票号", "发票号码", "项目编号", "record id"),
            help="可选:本单位给这条记录的编号(如合同编号)。填写后更正日期、金额等只需保持编号不变再导入;"
            "不填时按企业+事项类型+日期识别同一条记录",
            example="HT-2024-0056",
        ),
    ),
    key=("uscc", "kind", "occurred_on"),
    vocab_table="event",
)

METRICS = TableSpec(
    "metrics",
    "指标",
    (
        USCC,
        Column(
            "period",
            "期间",
            "period",
            required=True,
            synonyms=("统计期间", "报告期", "所属期", "所属期间", "年月", "年度", "统计期", "时期"),
            help="月度填YYYY-MM,年度填YYYY",
            example="2024-03",
        ),
        Column(
            "indicator",
            "指标",
            "indicator",
            required=True,
            synonyms=("指标名称", "统计指标", "项目"),
            example="营业收入",
        ),
        Column(
            "value",
            "数值",
            "number",
            required=True,
            synonyms=("值", "指标值", "数据", "数额"),
            example="1520.5",
        ),
        Column("unit", "单位", "unit", synonyms=("计量单位",), help="可留空,按指标自动填写", example="万元"),
    ),
    key=("uscc", "period", "indicator"),
)

# --- the product platform's tables (huiqi.catalog): products (产品) and demands (需求) ----------

PRODUCTS = TableSpec(
    "products",
    "产品",
    (
        USCC,
        Column(
            "name",
            "产品名称",
            "text",
            required=True,
            synonyms=("产品", "产品名", "品名", "名称", "商品名称", "product"),
            help="企业自己写的产品名称,可含型号",
            example="立式加工中心 VMC850",
        ),
        Column(
            "category",
            "产品类别",
            "text",
            synonyms=("类别", "产品分类", "分类", "品类", "所属类别", "category"),
            help="文字类别,或统计用产品分类目录/国民经济行业分类代码",
            example="金属切削机床",
        ),
        Column(
            "description",
            "产品描述",
            "text",
            synonyms=(
                "描述",
                "产品简介",
                "简介",
                "产品说明",
                "主要参数",
                "技术参数",
                "规格",
                "用途",
                "description",
            ),
            help="是什么、主要规格参数、用途",
            example="三轴联动,工作台800×500mm,主轴转速8000rpm,用于汽车零部件加工",
        ),
        Column(
            "certifications",
            "资质",
            "certifications",
            synonyms=("产品资质", "认证", "资质认证", "入选目录", "所获资质", "certification"),
            help="可选,多项用“、”或“;”分隔:首台(套)、首批次、首版次、优势工业产品目录、政府首购创新产品目录等",
            example="首台(套)、优势工业产品目录",
        ),
        Column(
            "capacity",
            "产能",
            "text",
            synonyms=("年产能", "生产能力", "供货能力", "capacity"),
            help="可选,文字",
            example="年产1200台",
        ),
        Column(
            "record_id",
            "产品编号",
            "text",
            synonyms=("记录编号", "产品id", "产品代码", "record id"),
            help="可选:本单位给这个产品的编号。填写后产品名称也可更正;不填时按企业+产品名称识别同一产品",
            example="CP-0001",
        ),
    ),
    key=("uscc", "name"),
)

DEMANDS = TableSpec(
    "demands",
    "需求",
    (
        Column(
            "demand_id",
            "需求编号",
            "text",
            required=True,
            synonyms=("编号", "需求号", "项目编号", "采购编号", "demand id"),
            help="需求方自己的编号,同一文件中不能重复",
            example="GD-2025-018",
        ),
        Column(
            "buyer",
            "需求方",
            "text",
            required=True,
            synonyms=("采购方", "采购单位", "需求单位", "建设单位", "招标人", "业主单位", "buyer"),
            help="单位名称;需求方是企业时也可填统一社会信用代码,或写成“名称(代码)”",
            example="济南轨道交通集团有限公司",
        ),
        Column(
            "title",
            "需求名称",
            "text",
            required=True,
            synonyms=("名称", "项目名称", "采购项目", "采购内容", "需求标题", "标题", "title"),
            help="简短标题",
            example="地铁隧道施工用盾构机采购",
        ),
        Column(
            "description",
            "需求描述",
            "text",
            synonyms=("描述", "需求内容", "需求说明", "采购需求", "技术要求", "规格要求", "description"),
            help="要什么、多少、规格要求",
            example="土压平衡盾构机2台,开挖直径6.4米",
        ),
        Column(
            "category",
            "类别",
            "text",
            synonyms=("需求类别", "产品类别", "品类", "分类", "category"),
            help="可选,写法同产品类别",
            example="隧道施工机械",
        ),
        Column(
            "region_code",
            "行政区划代码",
            "region",
            required=True,
            synonyms=("区划代码", "地区代码", "所在地区", "需求地区", "项目地点", "地区", "region"),
            help="需求所在地的行政区划代码(区县、市或省),也可填写不重名的地名",
            example="370100",
        ),
        Column(
            "deadline",
            "截止日期",
            "date",
            synonyms=("截止时间", "截止", "报名截止日期", "有效期至", "deadline"),
            help="可选:过了这一天需求不再对接",
            example="2026-06-30",
        ),
    ),
    key=("demand_id",),
)

TABLES: dict[TableName, TableSpec] = {
    t.name: t for t in (ENTERPRISES, RECOGNITIONS, EVENTS, METRICS, PRODUCTS, DEMANDS)
}

# Indicators of the metrics table (canonical name → the unit its value must be in) and the
# names written for them: kept as data in the vocabulary (`[indicator.*]` in vocabulary.toml).
INDICATOR_UNITS: dict[str, str] = {i.name: i.unit for i in load_vocabulary().indicators.values()}
INDICATOR_SYNONYMS: dict[str, str] = {
    alias: name for alias, name in load_vocabulary().indicator_names().items() if alias != name
}
UNIT_SYNONYMS: dict[str, str] = {
    "万元": "万元",
    "万千瓦时": "万千瓦时",
    "万kwh": "万千瓦时",
    "万千瓦·时": "万千瓦时",
    "万度": "万千瓦时",
    "亩": "亩",
    "吨标准煤": "吨标准煤",
    "吨标煤": "吨标准煤",
    "tce": "吨标准煤",
    "人": "人",
    "人数": "人",
}

_TABLE_NAMES = {
    "enterprises": "enterprises",
    "enterprise": "enterprises",
    "企业": "enterprises",
    "企业名录": "enterprises",
    "recognitions": "recognitions",
    "recognition": "recognitions",
    "认定": "recognitions",
    "events": "events",
    "event": "events",
    "事项": "events",
    "metrics": "metrics",
    "metric": "metrics",
    "指标": "metrics",
    "products": "products",
    "product": "products",
    "产品": "products",
    "产品信息": "products",
    "demands": "demands",
    "demand": "demands",
    "需求": "demands",
    "需求信息": "demands",
}
_HEADER_NOISE = re.compile(r"[\s_\-—()\[\]【】/\\、:;,.·*'\"“”‘’]")
_HEADER_MARKS = re.compile(r"(?:非必填|必填|选填|可选)$")


def header_key(text: str) -> str:
    """A header as compared: NFKC, lower case, without spaces, brackets, slashes or marks.

    >>> header_key("金额（万元）"), header_key(" Amount_Wan "), header_key("*统一社会信用代码(必填)")
    ('金额万元', 'amountwan', '统一社会信用代码')
    """
    key = _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", str(text)).lower())
    return _HEADER_MARKS.sub("", key) or key


def table_name(kind: str) -> TableName:
    """The English table name for a kind written in English or Chinese (``认定`` → recognitions)."""
    name = _TABLE_NAMES.get(header_key(kind))
    if name is None:
        raise UnknownTableKindError(kind)
    return name  # type: ignore[return-value]


def table_spec(kind: str) -> TableSpec:
    """The :class:`TableSpec` of a kind given in English or Chinese."""
    return TABLES[table_name(kind)]


@cache
def _header_index(table: TableName) -> dict[str, str]:
    index: dict[str, str] = {}
    for column in TABLES[table].columns:
        for header in (column.name, column.zh, *column.synonyms):
            index.setdefault(header_key(header), column.name)
    return index


def column_for_header(kind: str, header: str) -> str | None:
    """The English column name a header means in this table, or None for an extra column."""
    return _header_index(table_name(kind)).get(header_key(header))


def sheet_names(kind: str) -> tuple[str, ...]:
    """The names a sheet holding this table may have (English, singular, Chinese)."""
    name = table_name(kind)
    return tuple(k for k, v in _TABLE_NAMES.items() if v == name)
