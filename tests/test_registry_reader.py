"""Reading registry tables: encodings, header spellings, sheets, row numbers, file-level errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook
from stdnum.cn.uscc import calc_check_digit

from huiqi.errors import HuiqiError
from huiqi.registry.errors import (
    DuplicateColumnError,
    MissingColumnsError,
    UnknownTableKindError,
    UnreadableTableError,
)
from huiqi.registry.reader import read_table
from huiqi.registry.schema import column_for_header, table_name


def make_uscc(serial: int, region: str = "370102") -> str:
    body = f"91{region}MA{serial:07d}"
    return body + calc_check_digit(body)


A, B, C = make_uscc(1), make_uscc(2, "350502"), make_uscc(3, "370116")


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes("\n".join(lines).encode(encoding) + b"\n")
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(row=number, column=column, value=value)
    book.save(path)
    return path


ENTERPRISE_LINES = [
    "统一社会信用代码,企业名称,行政区划代码,行业代码,规模,成立日期",
    f"{A},丰原精密机械有限公司,370102,C3311,规上,2015-06-18",
    f"{B},泉南鞋业有限公司,350502,1953,规下 小型,2018/3/9",
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_each_encoding_reads_the_same(tmp_path, encoding):
    table = read_table(write_csv(tmp_path / "企业.csv", ENTERPRISE_LINES, encoding), "enterprises")
    assert table.kind == "enterprises"
    assert table.headers["uscc"] == "统一社会信用代码"
    assert [r.row for r in table.rows] == [2, 3]
    assert table.rows[0].values == {
        "uscc": A,
        "name": "丰原精密机械有限公司",
        "region_code": "370102",
        "industry_code": "C3311",
        "scale": "规上",
        "established_on": "2015-06-18",
    }
    assert table.rows[1].values["name"] == "泉南鞋业有限公司"


def test_english_headers_shuffled_with_extras_and_blank_rows(tmp_path):
    lines = [
        "Name, Region_Code ,联系人,USCC,备注",
        f"丰原精密机械有限公司,370102,张三,{A},",
        ",,,,",
        "",
        f"泉南鞋业有限公司,350502,,{B},老客户",
    ]
    table = read_table(write_csv(tmp_path / "e.csv", lines), "企业")
    assert table.headers == {"name": "Name", "region_code": "Region_Code", "uscc": "USCC"}
    assert table.extra_headers == ["联系人", "备注"]
    assert [r.row for r in table.rows] == [2, 5]
    assert table.rows[0].extras == {"联系人": "张三"}
    assert table.rows[1].extras == {"备注": "老客户"}
    assert table.rows[1].values["uscc"] == B
    assert "industry_code" not in table.rows[1].values  # absent column: no value at all


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("信用代码", "uscc"),
        ("社会信用代码", "uscc"),
        ("统一代码", "uscc"),
        ("统一社会信用代码（必填）", "uscc"),
        ("* 企业名称", "name"),
        ("所属区县代码", "region_code"),
        ("区划代码", "region_code"),
        ("ＲＥＧＩＯＮ＿ＣＯＤＥ", "region_code"),
        ("国民经济行业代码", "industry_code"),
        ("企业规模", "scale"),
        ("成立时间", "established_on"),
    ],
)
def test_enterprise_header_synonyms(header, column):
    assert column_for_header("enterprises", header) == column


@pytest.mark.parametrize(
    ("kind", "header", "column"),
    [
        ("recognitions", "认定级别", "level"),
        ("认定", "称号", "kind"),
        ("recognitions", "是否复核", "review"),
        ("recognitions", "有效期", "expires_on"),
        ("events", "金额(万元)", "amount_wan"),
        ("事项", "金额/万元", "amount_wan"),
        ("events", "备注", "detail"),
        ("metrics", "指标名称", "indicator"),
        ("指标", "计量单位", "unit"),
        ("metrics", "统计期间", "period"),
    ],
)
def test_other_header_synonyms(kind, header, column):
    assert column_for_header(kind, header) == column


def test_amount_in_yuan_is_not_taken_for_wan():
    assert column_for_header("events", "金额(元)") is None


def test_title_line_above_the_header(tmp_path):
    lines = [
        "2024年认定企业名单,,,",
        ",,,",
        "统一社会信用代码,认定类型,级别,认定日期",
        f"{A},高新技术企业,,2024-01-05",
    ]
    table = read_table(write_csv(tmp_path / "r.csv", lines), "recognitions")
    assert table.header_row == 3
    assert [r.row for r in table.rows] == [4]
    assert table.rows[0].values["kind"] == "高新技术企业"


def test_tab_separated_utf16_text(tmp_path):
    text = "统一社会信用代码\t期间\t指标\t数值\n" + f"{A}\t2024-03\t营业收入\t1,520.5\n"
    path = tmp_path / "metrics.txt"
    path.write_bytes(text.encode("utf-16"))
    table = read_table(path, "metrics")
    assert table.rows[0].values == {
        "uscc": A,
        "period": "2024-03",
        "indicator": "营业收入",
        "value": "1,520.5",
    }


def test_quoted_cells_and_line_breaks_keep_spreadsheet_rows(tmp_path):
    lines = [
        "统一社会信用代码,事项类型,日期,说明",
        f'{A},参展,2024-05-20,"汉诺威,德国"',
        f"{B},设备购置,2024-06-01,",
    ]
    table = read_table(write_csv(tmp_path / "ev.csv", lines), "events")
    assert table.rows[0].values["detail"] == "汉诺威,德国"
    assert [r.row for r in table.rows] == [2, 3]


def test_missing_required_columns_is_a_file_error(tmp_path):
    lines = ["统一社会信用代码,级别", f"{A},国家级"]
    with pytest.raises(MissingColumnsError) as caught:
        read_table(write_csv(tmp_path / "r.csv", lines), "recognitions")
    assert caught.value.missing == ["认定类型(kind)", "认定日期(granted_on)"]
    assert "缺少必填列" in str(caught.value)
    assert isinstance(caught.value, HuiqiError)


def test_two_headers_for_one_column(tmp_path):
    lines = ["统一社会信用代码,企业名称,行政区划代码,信用代码", f"{A},甲,370102,{A}"]
    with pytest.raises(DuplicateColumnError, match="信用代码"):
        read_table(write_csv(tmp_path / "e.csv", lines), "enterprises")


def test_unknown_table_kind():
    with pytest.raises(UnknownTableKindError):
        table_name("补贴")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.csv", b"", "文件为空"),
        ("blank.csv", b" \n\n", "文件为空"),
        ("old.xls", b"\xd0\xcf\x11\xe0", ".xls"),
        ("broken.xlsx", b"PK\x03\x04 not really a workbook", "不是有效的.xlsx文件"),
    ],
)
def test_unreadable_files(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableTableError, match=reason.replace(".", r"\.")):
        read_table(path, "enterprises")


def test_missing_file(tmp_path):
    with pytest.raises(UnreadableTableError, match="文件不存在"):
        read_table(tmp_path / "nope.csv", "enterprises")


def test_header_only_file_has_no_rows(tmp_path):
    table = read_table(write_csv(tmp_path / "e.csv", ENTERPRISE_LINES[:1]), "enterprises")
    assert table.rows == []


# --- xlsx -----------------------------------------------------------------------------------

RECOGNITION_ROWS = [
    ["统一社会信用代码", "认定类型", "级别", "认定日期", "复核", "联系人"],
    [A, '专精特新"小巨人"企业', "国家级", dt.datetime(2023, 7, 14), "否", "李四"],
    [None, None, None, None, None, None],
    [B, "高新技术企业", None, "2022-12-12", "是", None],
]


def test_xlsx_sheet_named_in_chinese_among_others(tmp_path):
    path = write_xlsx(
        tmp_path / "名录.xlsx",
        {"企业": [ENTERPRISE_LINES[0].split(",")], "认定": RECOGNITION_ROWS, "说明": [["随便写的说明"]]},
    )
    table = read_table(path, "recognitions")
    assert table.sheet == "认定"
    assert [r.row for r in table.rows] == [2, 4]
    first = table.rows[0]
    assert first.values["granted_on"] == dt.datetime(2023, 7, 14)
    assert first.values["kind"] == '专精特新"小巨人"企业'
    assert first.extras == {"联系人": "李四"}
    assert table.rows[1].values["level"] is None


def test_xlsx_sheet_named_in_english(tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", {"Sheet1": [["x"]], "Recognitions": RECOGNITION_ROWS})
    assert read_table(path, "认定").sheet == "Recognitions"


def test_xlsx_only_sheet_is_taken_whatever_its_name(tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", {"Sheet1": RECOGNITION_ROWS})
    table = read_table(path, "recognitions")
    assert table.sheet == "Sheet1"
    assert len(table.rows) == 2


def test_xlsx_without_a_sheet_for_the_table(tmp_path):
    path = write_xlsx(
        tmp_path / "book.xlsx", {"企业": [["统一社会信用代码"]], "指标": [["统一社会信用代码"]]}
    )
    with pytest.raises(UnreadableTableError, match="认定"):
        read_table(path, "recognitions")


def test_xlsx_numbers_and_leading_blank_rows(tmp_path):
    rows = [
        [None],
        ["统一社会信用代码", "期间", "指标", "数值", "单位"],
        [A, 2024, "营业收入", 1520.5, "万元"],
        [None],
        [None],
        [A, "2024-03", "从业人员", 86, None],
    ]
    table = read_table(write_xlsx(tmp_path / "m.xlsx", {"指标": rows}), "metrics")
    assert table.header_row == 2
    assert [r.row for r in table.rows] == [3, 6]
    assert table.rows[0].values["period"] == 2024
    assert table.rows[0].values["value"] == 1520.5
    assert table.rows[1].values["unit"] is None


def test_xlsx_missing_column_reported_like_csv(tmp_path):
    path = write_xlsx(tmp_path / "e.xlsx", {"企业": [["企业名称", "行政区划代码"], ["甲", "370102"]]})
    with pytest.raises(MissingColumnsError, match="统一社会信用代码"):
        read_table(path, "enterprises")
