"""A small hand-made product population for the catalog tests, imported through the real
importer: makers in 济南 and 潍坊, their titles, products with near misses, and demands.

Names and descriptions are written for these tests. Import with :func:`load_population`; the
``catalog_db`` fixture gives an engine holding it (SQLite, then PostgreSQL).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from stdnum.cn import uscc as uscc_lib

from huiqi.registry.importer import import_file


def code(region: str, serial: int) -> str:
    body = f"91{region}{serial:09d}"[:17]
    return body + uscc_lib.calc_check_digit(body)


# makers: (code, name, district, industry, scale)
JN_MACHINE = code("370112", 101)  # 济南历城: machine tools
WF_MACHINE = code("370705", 102)  # 潍坊奎文: machine tools too (the non-local supplier)
JN_ELECTRIC = code("370102", 103)  # 济南历下: transformers
JN_TUNNEL = code("370114", 104)  # 济南章丘: tunnel boring machines
WF_PUMP = code("370781", 105)  # 潍坊青州: pumps and valves
JN_MASK = code("370116", 106)  # 济南莱芜: medical masks

ENTERPRISES = [
    [JN_MACHINE, "济南历城精工机床有限公司", "370112", "C3421", "规上 中型", "2008-03-01"],
    [WF_MACHINE, "潍坊奎文数控装备有限公司", "370705", "C3421", "规上 中型", "2011-05-01"],
    [JN_ELECTRIC, "济南历下输变电设备有限公司", "370102", "C3821", "规上 大型", "2003-07-01"],
    [JN_TUNNEL, "济南章丘隧道装备股份有限公司", "370114", "C3511", "规上 大型", "2006-09-01"],
    [WF_PUMP, "青州流体机械有限公司", "370781", "C3441", "规下 小型", "2015-04-01"],
    [JN_MASK, "莱芜卫材医疗用品有限公司", "370116", "C3586", "规上 小型", "2012-10-01"],
]
RECOGNITIONS = [
    [JN_MACHINE, "专精特新小巨人", "国家级", "2023-07-01", "否", "2029-06-30"],
    [JN_TUNNEL, "制造业单项冠军", "国家级", "2022-12-01", "否", ""],
]
# (maker, name, category, description, certifications, capacity, 产品编号)
PRODUCTS = [
    [
        JN_MACHINE,
        "立式加工中心 VMC850",
        "金属切削机床",
        "三轴联动,工作台850×500mm,主轴转速8000rpm,用于模具和汽车零部件加工",
        "首台(套)",
        "年产400台",
        "JN-1",
    ],
    [
        JN_MACHINE,
        "数控车床 CK6150",
        "金属切削机床",
        "卧式数控车床,最大回转直径500mm,适合轴类零件车削",
        "",
        "年产600台",
        "JN-2",
    ],
    [JN_MACHINE, "机床防护罩", "机床附件", "钢板伸缩式导轨防护罩,适配各类加工中心", "", "", "JN-3"],
    [
        WF_MACHINE,
        "CNC立式加工中心",
        "金属切削机床",
        "数控系统,刀库24把,用于精密零件铣削加工",
        "",
        "年产300台",
        "WF-1",
    ],
    [WF_MACHINE, "龙门加工中心", "金属切削机床", "大型龙门结构,适合箱体类零件", "", "", "WF-2"],
    [
        JN_ELECTRIC,
        "油浸式电力变压器 S13-630kVA",
        "变压器",
        "10kV配电用油浸式变压器,低损耗",
        "优势工业产品目录",
        "",
        "JE-1",
    ],
    [JN_ELECTRIC, "干式变压器 SCB13", "变压器", "环氧树脂浇注干式变压器,用于地铁和商业楼宇", "", "", "JE-2"],
    [JN_ELECTRIC, "变压器绝缘油", "绝缘材料", "变压器用矿物绝缘油,高闪点", "", "", "JE-3"],
    [
        JN_TUNNEL,
        "土压平衡盾构机",
        "隧道施工机械",
        "开挖直径6.4米,适用于城市地铁隧道施工",
        "首台(套)",
        "年产20台",
        "JT-1",
    ],
    [JN_TUNNEL, "盾构机刀盘滚刀", "盾构配件", "17寸盘形滚刀,适配各类盾构机刀盘", "", "", "JT-2"],
    [WF_PUMP, "不锈钢离心泵", "泵", "化工流程用单级离心泵,耐腐蚀", "", "", "WP-1"],
    [WF_PUMP, "电动蝶阀", "阀门", "给排水管道用电动蝶阀,DN50-DN1200", "", "", "WP-2"],
    [
        JN_MASK,
        "医用外科口罩",
        "医用防护用品",
        "三层无纺布,细菌过滤效率≥95%,一次性使用",
        "",
        "日产50万只",
        "JM-1",
    ],
    [JN_MASK, "医用防护服", "医用防护用品", "一次性使用,隔离病毒和体液", "", "", "JM-2"],
]
# (demand_id, buyer, title, description, category, region, deadline)
DEMANDS = [
    [
        "XQ-01",
        "济南市轨道交通建设指挥部",
        "地铁隧道施工用盾构机",
        "需土压平衡盾构机2台,开挖直径6米以上",
        "",
        "370100",
        "2030-12-31",
    ],
    [
        "XQ-02",
        "济南某汽车零部件有限公司",
        "数控机床采购",
        "采购立式加工中心3台,三轴,用于模具加工",
        "金属切削机床",
        "370112",
        "2030-12-31",
    ],
    ["XQ-03", "济南市某医院", "医用口罩一批", "医用外科口罩20万只", "", "370102", "2030-12-31"],
    ["XQ-04", "济南市城乡建设局", "配电变压器", "10kV油浸式变压器8台", "C3821", "370100", "2020-01-31"],
]

_HEADERS = {
    "enterprises": ["统一社会信用代码", "企业名称", "行政区划代码", "行业代码", "规模", "成立日期"],
    "recognitions": ["统一社会信用代码", "认定类型", "级别", "认定日期", "复核", "有效期至"],
    "products": ["统一社会信用代码", "产品名称", "产品类别", "产品描述", "资质", "产能", "产品编号"],
    "demands": ["需求编号", "需求方", "需求名称", "需求描述", "类别", "行政区划代码", "截止日期"],
}


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def load_population(engine, folder: Path, tables: dict[str, list[list[str]]] | None = None) -> None:
    """Import the tables (default: the population above) in dependency order; no row may fail."""
    tables = tables or {
        "enterprises": ENTERPRISES,
        "recognitions": RECOGNITIONS,
        "products": PRODUCTS,
        "demands": DEMANDS,
    }
    folder.mkdir(parents=True, exist_ok=True)
    for kind, rows in tables.items():
        path = write_csv(folder / f"{kind}.csv", _HEADERS[kind], rows)
        summary = import_file(engine, kind, path, folder / f"{kind}.errors.csv")
        assert summary.rows_bad == 0, [e.reason for e in summary.errors]


@pytest.fixture
def catalog_db(engine, tmp_path):
    """An engine holding the hand-made population (on SQLite, then PostgreSQL)."""
    load_population(engine, tmp_path / "population")
    return engine
