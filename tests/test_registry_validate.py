"""Validating registry rows: clean records, and each bad cell reported at its row and column."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook
from stdnum.cn.uscc import calc_check_digit

from huiqi.registry.reader import read_table
from huiqi.registry.report import write_error_report
from huiqi.registry.templates import write_template
from huiqi.registry.validate import RowError, ValidationResult, validate
from huiqi.rules.vocabulary import load_vocabulary


def make_uscc(serial: int, region: str = "370102") -> str:
    body = f"91{region}MA{serial:07d}"
    return body + calc_check_digit(body)


A, B, C = make_uscc(11), make_uscc(12, "350502"), make_uscc(13, "370116")


def check(tmp_path: Path, kind: str, lines: list[str], name: str = "t.csv") -> ValidationResult:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return validate(read_table(path, kind), load_vocabulary())


def errors_at(result: ValidationResult, row: int) -> list[tuple[str, str]]:
    return [(e.column, e.reason) for e in result.errors if e.row == row]


# --- enterprises ----------------------------------------------------------------------------

ENTERPRISE_HEADER = "统一社会信用代码,企业名称,行政区划代码,行业代码,规模,成立日期,联系人"


def test_good_enterprises_become_clean_records(tmp_path):
    result = check(
        tmp_path,
        "enterprises",
        [
            ENTERPRISE_HEADER,
            f"{A.lower()},丰原精密机械有限公司,370102,3311,规上 中型,2015-06-18,张三",
            f"{B},泉南鞋业有限公司,鲤城区,C1953,规模以下,2018年3月9日,",
            f"{C},莱芜钢构有限公司,370116,,,20200101,",
        ],
    )
    assert result.errors == []
    first, second, third = result.records
    assert first == {
        "row": 2,
        "uscc": A,
        "name": "丰原精密机械有限公司",
        "region_code": "370102",
        "industry_code": "C3311",
        "scale": "规上",
        "size": "中",
        "established_on": dt.date(2015, 6, 18),
        "extras": {"联系人": "张三"},
    }
    assert second["region_code"] == "350502"
    assert (second["scale"], second["size"]) == ("规下", None)
    assert second["established_on"] == dt.date(2018, 3, 9)
    assert third["industry_code"] is None and third["scale"] is None
    assert third["established_on"] == dt.date(2020, 1, 1)


def test_each_bad_enterprise_cell_is_reported_at_its_row_and_column(tmp_path):
    bad_check = A[:-1] + ("0" if A[-1] != "0" else "1")
    result = check(
        tmp_path,
        "enterprises",
        [
            ENTERPRISE_HEADER,
            f"{bad_check},甲公司,370102,C3311,规上,2015-06-18,",
            f"{B},乙公司,370199,B3311,很大,2015-02-30,",
            f"{C},,370100,3311,规上,2015-06,",
        ],
    )
    assert result.records == []
    assert errors_at(result, 2) == [("统一社会信用代码", f"校验码错误(应为{A[-1]})")]
    assert errors_at(result, 3) == [
        ("行政区划代码", "370199不是有效的行政区划代码"),
        ("行业代码", "门类字母应为C(33属制造业)"),
        ("规模", "规模应为规上或规下,可附大型/中型/小型/微型"),
        ("成立日期", "日期不存在"),
    ]
    assert errors_at(result, 4) == [
        ("企业名称", "必填项为空"),
        ("成立日期", "日期应写到日,如2024-03-01"),
        ("行政区划代码", "应为区县级代码(370100是山东省济南市)"),
    ]
    bad = next(e for e in result.errors if e.row == 3 and e.field == "region_code")
    assert bad == RowError(3, "行政区划代码", "370199", "370199不是有效的行政区划代码", "region_code")


def test_duplicate_enterprise_is_reported_on_the_later_row(tmp_path):
    result = check(
        tmp_path,
        "enterprises",
        [
            ENTERPRISE_HEADER,
            f"{A},甲公司,370102,,,,",
            f"{B},乙公司,350502,,,,",
            f"{A},甲公司(重复),370102,,,,",
        ],
    )
    assert [r["row"] for r in result.records] == [2, 3]
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.row, error.column, error.value) == (4, "统一社会信用代码", A)
    assert error.reason == "与第2行重复(统一社会信用代码相同)"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("规上", ("规上", None)),
        ("规模以上工业企业", ("规上", None)),
        ("规上/大型", ("规上", "大")),
        ("规下 微型", ("规下", "微")),
        ("小型企业", (None, "小")),
        ("是", ("规上", None)),
    ],
)
def test_scale_spellings(tmp_path, cell, expected):
    result = check(tmp_path, "enterprises", ["uscc,name,region_code,scale", f"{A},甲,370102,{cell}"])
    assert result.errors == []
    assert (result.records[0]["scale"], result.records[0]["size"]) == expected


@pytest.mark.parametrize(
    "cell",
    ["2024-03-01", "2024/3/1", "2024.03.01", "2024年3月1日", "20240301", "2024-03-01 00:00:00"],
)
def test_date_spellings(tmp_path, cell):
    result = check(tmp_path, "enterprises", ["uscc,name,region_code,established_on", f"{A},甲,370102,{cell}"])
    assert result.errors == []
    assert result.records[0]["established_on"] == dt.date(2024, 3, 1)


def test_excel_cells_dates_numbers_and_a_bad_uscc_number(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "企业"
    sheet.append(["统一社会信用代码", "企业名称", "行政区划代码", "行业代码", "成立日期"])
    sheet.append([A, "甲", 370102, 3311, dt.datetime(2019, 9, 1)])
    sheet.append([B, "乙", 350502, "C1953", 43709])  # a date cell stored as a serial number
    sheet.append([913701020000000000.0, "丙", 370116, None, None])
    path = tmp_path / "e.xlsx"
    book.save(path)
    result = validate(read_table(path, "enterprises"))
    assert [r["established_on"] for r in result.records] == [dt.date(2019, 9, 1), dt.date(2019, 9, 1)]
    assert result.records[0]["region_code"] == "370102"
    assert result.records[0]["industry_code"] == "C3311"
    assert [(e.row, e.column) for e in result.errors] == [(4, "统一社会信用代码")]
    assert "Excel" in result.errors[0].reason


# --- recognitions ---------------------------------------------------------------------------

RECOGNITION_HEADER = "统一社会信用代码,认定类型,级别,认定日期,复核,有效期至"


def test_spelled_variants_of_little_giant_resolve_to_one_kind(tmp_path):
    result = check(
        tmp_path,
        "recognitions",
        [
            RECOGNITION_HEADER,
            f'{A},"专精特新""小巨人""企业",,2023-07-14,,',
            f"{B},国家级专精特新小巨人,,2023-07-14,,",
            f"{C},小巨人企业,国家级,2023-07-14,,",
            f"{A},专精特新“小巨人”,,2020-07-01,是,",
        ],
    )
    assert result.errors == []
    assert {r["kind"] for r in result.records} == {"专精特新小巨人"}
    assert {r["level"] for r in result.records} == {"国家级"}
    assert [r["review"] for r in result.records] == [False, False, False, True]


def test_unknown_recognition_kind_is_kept_for_an_officer_to_map(tmp_path):
    result = check(tmp_path, "recognitions", [RECOGNITION_HEADER, f"{A},区块链示范企业,省级,2024-01-01,,"])
    assert result.errors == []
    (record,) = result.records
    assert (record["pending_kind"], record["level"]) == ("区块链示范企业", "省级")


def test_recognition_levels(tmp_path):
    result = check(
        tmp_path,
        "recognitions",
        [
            RECOGNITION_HEADER,
            f"{A},省级企业技术中心,,2024-01-01,,",  # level from the name
            f"{A},企业技术中心,市,2024-01-02,,",  # 市 → 市级
            f"{A},国家级专精特新小巨人,省级,2024-01-03,,",  # conflicts with the name
            f"{A},企业技术中心,,2024-01-04,,",  # several levels exist: must be stated
            f"{A},专精特新小巨人,市级,2024-01-05,,",  # not a level this kind has
            f"{A},世界品牌500强,国家级,2024-01-06,,",  # a kind without levels
            f"{A},绿色工厂,部级,2024-01-07,,",  # not a level at all
            f"{A},高新技术企业,,2024-01-08,复核,2027-01-07",
        ],
    )
    assert [(r["row"], r["kind"], r["level"]) for r in result.records] == [
        (2, "企业技术中心", "省级"),
        (3, "企业技术中心", "市级"),
        (9, "高新技术企业", "国家级"),
    ]
    assert result.records[2]["review"] is True
    assert result.records[2]["expires_on"] == dt.date(2027, 1, 7)
    assert errors_at(result, 4) == [("级别", "与认定类型不符:国家级专精特新小巨人为国家级")]
    assert errors_at(result, 5) == [("级别", "企业技术中心须注明级别(国家级/省级/市级)")]
    assert errors_at(result, 6) == [("级别", "专精特新小巨人没有市级(可选:国家级)")]
    assert errors_at(result, 7) == [("级别", "世界品牌500强不分级别,级别应留空")]
    assert errors_at(result, 8) == [("级别", "级别应为国家级/省级/市级/区县级之一")]


def test_level_stated_only_in_the_name_is_checked_against_the_kind(tmp_path):
    result = check(tmp_path, "recognitions", [RECOGNITION_HEADER, f"{A},省级专精特新小巨人,,2024-01-01,,"])
    assert errors_at(result, 2) == [("认定类型", "专精特新小巨人没有省级(可选:国家级)")]


def test_recognition_dates_and_review_flag(tmp_path):
    result = check(
        tmp_path,
        "recognitions",
        [
            RECOGNITION_HEADER,
            f"{A},高新技术企业,,,,",
            f"{B},高新技术企业,,2024-01-01,也许,",
            f"{C},高新技术企业,,2024-01-01,,2023-12-31",
        ],
    )
    assert result.records == []
    assert errors_at(result, 2) == [("认定日期", "必填项为空")]
    assert errors_at(result, 3) == [("复核", "应填是或否")]
    assert errors_at(result, 4) == [("有效期至", "有效期至早于认定日期")]


def test_duplicate_recognition_on_the_later_row(tmp_path):
    result = check(
        tmp_path,
        "recognitions",
        [
            RECOGNITION_HEADER,
            f"{A},高新技术企业,,2024-01-01,,",
            f"{A},高企,国家级,2024/1/1,,",
            f"{A},高新技术企业,,2024-12-01,是,",
        ],
    )
    assert [r["row"] for r in result.records] == [2, 4]
    assert [(e.row, e.reason) for e in result.errors] == [
        (3, "与第2行重复(统一社会信用代码+认定类型+认定日期+复核相同)")
    ]


# --- events ---------------------------------------------------------------------------------

EVENT_HEADER = "统一社会信用代码,事项类型,日期,金额/万元,数量,级别,说明"


def test_events_kinds_levels_and_amounts(tmp_path):
    result = check(
        tmp_path,
        "events",
        [
            EVENT_HEADER,
            f"{A},技改设备购置,2024-05-20,350,2台,,数控机床",
            f"{A},展会,2024-04-01,12.5万元,,国外,汉诺威工业博览会",
            f"{A},参展,2024-06-01,3,,,在本市会展中心",
            f"{B},主导制定国际标准,2024-02-01,,,,",
            f'{B},上市,2024-03-15,"1,200",,,',
        ],
    )
    assert result.errors == []
    rows = {r["row"]: r for r in result.records}
    assert (rows[2]["kind"], rows[2]["amount_wan"], rows[2]["quantity"]) == ("设备购置", 350.0, 2)
    assert (rows[3]["kind"], rows[3]["level"], rows[3]["amount_wan"]) == ("参展", "境外", 12.5)
    assert rows[4]["level"] == "本地"  # read from the detail text
    assert (rows[5]["kind"], rows[5]["level"]) == ("标准制定", "国际标准")
    assert (rows[6]["kind"], rows[6]["amount_wan"], rows[6]["level"]) == ("上市", 1200.0, None)


def test_bad_event_cells(tmp_path):
    result = check(
        tmp_path,
        "events",
        [
            EVENT_HEADER,
            f"{A},参展,2024-05-20,5000美元,,火星,",
            f"{A},团建,2024-05-20,-3,1.5,,",
            f"{A},贷款,,abc,,,",
        ],
    )
    assert result.records == []
    assert errors_at(result, 2) == [
        ("金额/万元", "金额单位应为万元、亿元或元"),
        ("级别", "参展的级别应为本地/外地/境外之一"),
    ]
    assert errors_at(result, 3) == [
        ("金额/万元", "不能为负数"),
        ("数量", "应为不小于0的整数"),
    ]
    assert errors_at(result, 4) == [("日期", "必填项为空"), ("金额/万元", "应为数字")]


# --- metrics --------------------------------------------------------------------------------

METRIC_HEADER = "统一社会信用代码,期间,指标,数值,单位"


def test_metric_periods_indicators_and_units(tmp_path):
    result = check(
        tmp_path,
        "metrics",
        [
            METRIC_HEADER,
            f'{A},2024,营收,"15,200",万元',
            f"{A},2024年3月,利润,-35.5,",
            f"{A},202403,税收总额,88,万元",
            f"{A},2024/3,用电量,12,万kWh",
            f"{A},2024-03,从业人员,86,人",
            f"{A},2023年度,用地面积(亩),40,",
        ],
    )
    assert result.errors == []
    got = [(r["period"], r["indicator"], r["value"], r["unit"]) for r in result.records]
    assert got == [
        ("2024", "营业收入", 15200.0, "万元"),
        ("2024-03", "利润总额", -35.5, "万元"),
        ("2024-03", "税收", 88.0, "万元"),
        ("2024-03", "用电量", 12.0, "万千瓦时"),
        ("2024-03", "从业人员", 86, "人"),
        ("2023", "用地面积", 40.0, "亩"),
    ]
    assert isinstance(result.records[4]["value"], int)


def test_bad_metric_cells(tmp_path):
    result = check(
        tmp_path,
        "metrics",
        [
            METRIC_HEADER,
            f"{A},2024-13,营业收入,10,万元",
            f"{A},2024Q1,营业收入,10,万元",
            f"{A},2024,营业收入,1520000,吨",
            f"{A},2024,销售毛利,10,万元",
            f"{A},2024,从业人员,8.5,人",
            f"{A},2024,税收,-1,万元",
            f"{A},2022,营业收入(千瓦时),10,",
            f"{A},2021,营业收入,很多,万元",
        ],
    )
    assert result.records == []
    assert errors_at(result, 2) == [("期间", "月份应在1至12之间")]
    assert errors_at(result, 3) == [("期间", "期间应为YYYY(年度)或YYYY-MM(月度)")]
    assert errors_at(result, 4) == [("单位", "营业收入的单位应为万元(不是吨),请换算后填写")]
    assert errors_at(result, 5)[0][0] == "指标"
    assert errors_at(result, 5)[0][1].startswith("未知指标")
    assert errors_at(result, 6) == [("数值", "人数应为整数")]
    assert errors_at(result, 7) == [("数值", "不能为负数")]
    assert errors_at(result, 8) == [("指标", "营业收入的单位应为万元(不是千瓦时),请换算后填写")]
    assert errors_at(result, 9) == [("数值", "应为数字")]


def test_duplicate_metric_key_after_synonyms(tmp_path):
    result = check(
        tmp_path,
        "metrics",
        [METRIC_HEADER, f"{A},2024-03,营业收入,10,万元", f"{A},2024年3月,营收,11,"],
    )
    assert [r["row"] for r in result.records] == [2]
    (error,) = result.errors
    assert error.row == 3
    assert error.reason == "与第2行重复(统一社会信用代码+期间+指标相同)"


def test_unknown_enterprise_is_fine_here(tmp_path):
    stranger = make_uscc(99, "350582")
    result = check(tmp_path, "metrics", [METRIC_HEADER, f"{stranger},2024,营业收入,1,万元"])
    assert result.errors == [] and result.records[0]["uscc"] == stranger


def test_all_errors_of_a_row_are_listed(tmp_path):
    result = check(tmp_path, "metrics", [METRIC_HEADER, "123,2024-00,无此指标,x,万元"])
    assert result.records == []
    assert [e.column for e in result.errors] == ["统一社会信用代码", "期间", "指标", "数值"]
    assert all(e.row == 2 for e in result.errors)


# --- report and template --------------------------------------------------------------------


def test_error_report_opens_in_excel(tmp_path):
    errors = [
        RowError(5, "级别", "火星", "参展的级别应为本地/外地/境外之一"),
        RowError(2, "日期", "", "必填项为空"),
    ]
    path = write_error_report(errors, tmp_path / "out" / "错误报告.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert rows == [
        ["行号", "列", "值", "原因", "处理", "工作表"],
        ["2", "日期", "", "必填项为空", "未导入", ""],
        ["5", "级别", "火星", errors[0].reason, "未导入", ""],
    ]


@pytest.mark.parametrize("kind", ["enterprises", "认定", "events", "指标"])
def test_templates_read_back_as_empty_tables(tmp_path, kind):
    xlsx = write_template(kind, tmp_path / "t.xlsx")
    table = read_table(xlsx, kind)
    assert table.rows == [] and table.extra_headers == []
    csv_path = write_template(kind, tmp_path / "t.csv", language="en")
    assert read_table(csv_path, kind).headers.keys() == table.headers.keys()


def test_template_explains_every_column(tmp_path):
    from openpyxl import load_workbook

    book = load_workbook(write_template("recognitions", tmp_path / "认定.xlsx"))
    assert book.sheetnames == ["认定", "说明"]
    notes = list(book["说明"].iter_rows(values_only=True))
    assert notes[1][:4] == ("列名", "英文名", "是否必填", "类型")
    described = {row[0]: row for row in notes[2:8]}
    assert described["认定类型"][2] == "必填"
    assert "专精特新小巨人" in described["认定类型"][4]
    assert described["复核"][2] == "选填"
    assert book["认定"].column_dimensions["A"].number_format == "@"
