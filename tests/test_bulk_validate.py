"""The columnar checks of a streamed CSV (registry/columnar.py) against the row-by-row checks
(registry/validate.py): the same clean records and the same errors, word for word, on files
mixing good cells with every kind of bad one, cut into small chunks so that values repeat
across chunks and the per-value memory is exercised.

Repeated keys are left out of the comparison here: the bulk import finds them across the whole
file in the database (tests/test_bulk_import.py).
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import polars as pl
import pytest
from stdnum.cn.uscc import calc_check_digit

from huiqi.registry.columnar import FIELDS, validated_chunks
from huiqi.registry.reader import open_table, read_table
from huiqi.registry.validate import validate


def code(serial: int, region: str = "370102") -> str:
    body = f"91{region}MA{serial:07d}"
    return body + calc_check_digit(body)


GOOD = [code(i) for i in range(1, 6)] + [code(7, "350502")]
USCC = [
    *GOOD,
    GOOD[0].lower(),
    f" {GOOD[1]} ",
    GOOD[2][:-1] + "0",
    "12345",
    "9.13707E+17",
    "",
    "91370102MAO000001X",
]
DATES = [
    "2024-03-01",
    "2024/3/1",
    "2024年3月1日",
    "20240301",
    "45352",
    "2024-02-30",
    "2024-03",
    "1800-01-01",
    "2999-01-01",
    "",
    "明天",
]
AMOUNTS = [
    "350",
    "350万",
    "1.2亿",
    "￥5000",
    "5000元",
    "1,234.5",
    "1,2,3",
    "-5",
    "1e400",
    "9" * 400,
    "",
    "12.3456789",
    "0.1234565",
]
COUNTS = ["3", "3台", "1万", "2.5", "-1", "99999999999", "", "007"]
TEXT = ["数控机床", "  两个  空格 ", "=HYPERLINK(1)", "\x1b[31m红\x1b[0m字", "", "a\u3000b"]
EXTRA = ["张三", "", "=1+1", "x"]


def write(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def rows_of(rng: random.Random, pools: list[list[str]], n: int) -> list[list[str]]:
    out = []
    for _ in range(n):
        if rng.random() < 0.03:
            out.append([""] * len(pools))  # a blank row keeps its number but is no data
            continue
        out.append([rng.choice(pool) for pool in pools])
    return out


def compare(path: Path, kind: str) -> int:
    """Assert both checks agree on ``path``; return how many errors they found."""
    reference = validate(read_table(path, kind))
    chunks = list(validated_chunks(open_table(path, kind), chunk_rows=37))
    repeated = {e.row for e in reference.errors if "行重复(" in e.reason}
    expected_errors = sorted(
        (e.row, e.column, e.value, e.reason, e.field) for e in reference.errors if e.row not in repeated
    )
    found_errors = sorted(
        (e.row, e.column, e.value, e.reason, e.field)
        for c in chunks
        for e in c.errors
        if e.row not in repeated
    )
    assert found_errors == expected_errors
    expected = {}
    for record in reference.records:
        record = dict(record)
        row = record.pop("row")
        expected[row] = {k: record.get(k) for k in FIELDS[kind]} | {
            "extras": record.get("extras") or {},
            "pending_kind": record.get("pending_kind"),
        }
    frame = pl.concat([c.frame for c in chunks]).filter(
        pl.col("state") > 0, ~pl.col("row").is_in(sorted(repeated))
    )
    found = {}
    for record in frame.iter_rows(named=True):
        values = {k: record[k] for k in FIELDS[kind]}
        if kind == "products":
            values["certifications"] = json.loads(values["certifications"])
        found[record["row"]] = values | {
            "extras": json.loads(record["extras"]),
            "pending_kind": record["pending_kind"],
        }
    assert found == expected
    return len(expected_errors)


@pytest.mark.parametrize("seed", [1, 2])
def test_enterprises_agree(tmp_path, seed):
    rng = random.Random(seed)
    regions = ["370102", "鲤城区", "370100", "999999", "济南", ""]
    industries = ["C3311", "3311", "33", "Z9999", "", "c3985"]
    scales = ["规上", "规下 微型", "规模以上 中型企业", "是", "大型", "特大", "", "小型"]
    pools = [USCC, TEXT, regions, industries, scales, DATES, EXTRA]
    header = ["统一社会信用代码", "企业名称", "行政区划代码", "行业代码", "规模", "成立日期", "联系人"]
    assert compare(write(tmp_path / "e.csv", header, rows_of(rng, pools, 400)), "enterprises") > 50


@pytest.mark.parametrize("seed", [1, 2])
def test_recognitions_agree(tmp_path, seed):
    rng = random.Random(seed)
    kinds = [
        '专精特新"小巨人"企业',
        "国家级专精特新小巨人",
        "高新技术企业",
        "区块链先锋",
        "制造业单项冠军示范企业",
        "省级企业技术中心",
        "中华老字号",
        "",
    ]
    levels = ["国家级", "省级", "省", "国家", "乡级", "", "市级"]
    reviews = ["是", "否", "复核", "Y", "maybe", ""]
    pools = [USCC, kinds, levels, DATES, reviews, DATES, ["", "Z-1", "GR2024"]]
    header = ["统一社会信用代码", "认定类型", "级别", "认定日期", "复核", "有效期至", "记录编号"]
    assert compare(write(tmp_path / "r.csv", header, rows_of(rng, pools, 400)), "recognitions") > 50


@pytest.mark.parametrize(("seed", "encoding"), [(1, "utf-8-sig"), (2, "gb18030")])
def test_events_agree(tmp_path, seed, encoding):
    rng = random.Random(seed)
    kinds = ["设备购置", "参展", "首台套销售", "标准制定", "上市", "不存在的事项", ""]
    levels = ["境外", "外地", "本地", "国际标准", "国家标准", "火星", ""]
    details = ["德国汉诺威工业博览会", "广交会", "", "国际标准ISO"]
    pools = [USCC, kinds, DATES, AMOUNTS, COUNTS, levels, details, ["", "HT-1", "HT-2"]]
    header = ["统一社会信用代码", "事项类型", "日期", "金额/万元", "数量", "级别", "说明", "记录编号"]
    path = write(tmp_path / "v.csv", header, rows_of(rng, pools, 400), encoding)
    assert compare(path, "events") > 50


@pytest.mark.parametrize("seed", [1, 2])
def test_metrics_agree(tmp_path, seed):
    rng = random.Random(seed)
    periods = ["2024", "2024-03", "2024年3月", "202403", "2024-13", "1800", "", "2024年度"]
    indicators = [
        "营业收入",
        "营收(万元)",
        "税收",
        "从业人员",
        "利润总额",
        "用电量",
        "产值",
        "不知道",
        "营业收入(元)",
    ]
    values = [
        "1520.5",
        "-3",
        "1.2亿",
        "5000元",
        "12.5",
        "100",
        "1e400",
        "3台",
        "1,234",
        "",
        "abc",
        "999999999999",
    ]
    units = ["", "万元", "元", "亿元", "人", "万千瓦时", "吨"]
    pools = [USCC, periods, indicators, values, units]
    header = ["统一社会信用代码", "期间", "指标", "数值", "单位"]
    assert compare(write(tmp_path / "m.csv", header, rows_of(rng, pools, 500)), "metrics") > 50


def test_products_and_demands_agree(tmp_path):
    rng = random.Random(3)
    names = ["立式加工中心 VMC850", "12345", "!!!", "电动叉车", ""]
    certs = ["首台套;首批次", "", "优势工业产品目录", "自封的证书"]
    pools = [USCC, names, ["机床", ""], ["三轴联动", ""], certs, ["年产1200台", ""], ["", "CP-1"]]
    header = ["统一社会信用代码", "产品名称", "产品类别", "产品描述", "资质", "产能", "产品编号"]
    compare(write(tmp_path / "p.csv", header, rows_of(rng, pools, 200)), "products")
    buyers = ["济南市城市建设管理局", f"济南某集团有限公司({GOOD[0]})", "某公司(91370102MA0000000X)", ""]
    pools = [
        ["GD-1", "GD-2", "GD-3", ""],
        buyers,
        ["盾构机采购", ""],
        ["两台", ""],
        ["", "机械"],
        ["370100", "鲤城区", "999999"],
        DATES,
    ]
    header = ["需求编号", "需求方", "需求名称", "需求描述", "类别", "行政区划代码", "截止日期"]
    compare(write(tmp_path / "d.csv", header, rows_of(rng, pools, 200)), "demands")


def test_a_line_the_fast_reader_cannot_parse_is_read_on_by_the_csv_module(tmp_path):
    """An unclosed quote half-way: the rows before it come from Polars' reader, the rest from the
    csv module, numbered and checked as the row-by-row reading does."""
    rows = [[GOOD[i % 5], "2024", "营业收入", str(100 + i), ""] for i in range(120)]
    path = write(tmp_path / "m.csv", ["统一社会信用代码", "期间", "指标", "数值", "单位"], rows)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f'{GOOD[0]},2023,"营业收入,5,\n{GOOD[1]},2023,税收,7,万元\n')
    assert compare(path, "metrics") >= 1


def test_title_lines_and_quoted_line_breaks_keep_their_row_numbers(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text(
        "2024年企业名单\n\n统一社会信用代码,企业名称,行政区划代码,备注\n"
        f'{GOOD[0]},"甲公司",370102,"两行\n备注"\n\n{GOOD[1]},乙公司,999999,\n,,,\n{GOOD[2]},,370102,x,多出的格\n',
        encoding="utf-8",
    )
    assert compare(path, "enterprises") == 2
