"""Cells and files as officials really send them: numbers with separators and units, dates that
lost their format, workbooks with a cover sheet or merged cells, wrong encodings, empty files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook
from stdnum.cn import uscc as uscc_lib

from huiqi.registry.errors import MissingColumnsError, UnreadableTableError
from huiqi.registry.numbers import parse_count, parse_money_wan, split_number
from huiqi.registry.reader import read_table
from huiqi.registry.validate import parse_date, validate


def code(region: str, serial: int) -> str:
    body = f"91{region}{serial:09d}"[:17]
    return body + uscc_lib.calc_check_digit(body)


A = code("370705", 21)


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["1,2,3", "12,34", "1,23", "1234,567", ",5"])
def test_commas_that_do_not_group_thousands_are_refused(text):
    with pytest.raises(ValueError, match=r"逗号|数字"):
        split_number(text)


@pytest.mark.parametrize(("text", "number"), [("1,234", 1234.0), ("1,234,567.5", 1234567.5), ("12", 12.0)])
def test_thousands_separators_are_read(text, number):
    assert split_number(text)[0] == number


@pytest.mark.parametrize(
    ("cell", "wan"),
    [
        ("350", 350.0),
        ("350万", 350.0),
        ("350万元", 350.0),
        ("1.2亿", 12000.0),
        ("1.2亿元", 12000.0),
        ("￥100", 0.01),
        ("¥5,000", 0.5),
        ("5000元", 0.5),
        ("8千元", 0.8),
        (12.5, 12.5),
    ],
)
def test_money_is_read_into_wan_whatever_the_unit(cell, wan):
    assert parse_money_wan(cell) == pytest.approx(wan)


@pytest.mark.parametrize(
    ("cell", "reason"), [("5美元", "单位"), ("-3", "负数"), ("abc", "数字"), ("inf", "数字")]
)
def test_bad_money_says_why(cell, reason):
    with pytest.raises(ValueError, match=reason):
        parse_money_wan(cell)


def test_counts_read_wan_and_measure_words_and_refuse_fractions():
    assert (parse_count("1万"), parse_count("3台"), parse_count("2,000")) == (10000, 3, 2000)
    with pytest.raises(ValueError, match="整数"):
        parse_count("1.5")
    with pytest.raises(ValueError, match="数量过大"):
        parse_count("99999999999")


# --- dates -----------------------------------------------------------------------------------


def test_a_serial_number_typed_as_text_is_explained_not_taken():
    with pytest.raises(ValueError, match=r"Excel的日期序号.*2023-03-15"):
        parse_date("45000")


def test_an_excel_date_cell_is_still_read():
    assert parse_date(45000) == dt.date(2023, 3, 15)


@pytest.mark.parametrize(("cell", "reason"), [("1800-01-01", "早于1900年"), ("2150-01-01", "晚于2100年")])
def test_implausible_years_say_what_is_wrong(cell, reason):
    with pytest.raises(ValueError, match=reason):
        parse_date(cell)


def test_a_founding_date_in_the_future_is_refused(tmp_path):
    later = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    path = tmp_path / "企业.csv"
    path.write_text(f"统一社会信用代码,企业名称,行政区划代码,成立日期\n{A},甲,370705,{later}\n", "utf-8")
    [error] = validate(read_table(path, "enterprises")).errors
    assert error.column == "成立日期" and "晚于今天" in error.reason


def test_an_expiry_date_may_lie_ahead(tmp_path):
    path = tmp_path / "认定.csv"
    path.write_text(
        f"统一社会信用代码,认定类型,认定日期,有效期至\n{A},高新技术企业,2024-01-01,2099-12-31\n", "utf-8"
    )
    assert validate(read_table(path, "recognitions")).errors == []


# --- workbooks and files ---------------------------------------------------------------------


def _book(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_a_cover_sheet_is_passed_over(tmp_path):
    path = _book(
        tmp_path / "名录.xlsx",
        {
            "封面说明": [["2024年企业名录"], ["报送单位:某区工信局"]],
            "Sheet2": [["统一社会信用代码", "企业名称", "行政区划代码"], [A, "甲", "370705"]],
        },
    )
    table = read_table(path, "enterprises")
    assert table.sheet == "Sheet2" and len(table.rows) == 1


def test_a_workbook_without_the_table_names_the_sheets_it_looked_at(tmp_path):
    path = _book(tmp_path / "x.xlsx", {"汇总": [["合计", 3]], "附表": [["备注"], ["无"]]})
    with pytest.raises(UnreadableTableError, match="“汇总”、“附表”"):
        read_table(path, "enterprises")


def test_a_missing_column_names_the_sheet(tmp_path):
    path = _book(tmp_path / "x.xlsx", {"企业": [["企业名称", "行政区划代码"], ["甲", "370705"]]})
    with pytest.raises(MissingColumnsError, match="工作表“企业”"):
        read_table(path, "enterprises")


def test_rows_under_a_merged_cell_take_its_value(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "认定"
    sheet.append(["统一社会信用代码", "认定类型", "级别", "认定日期"])
    sheet.append([A, "企业技术中心", "省级", "2023-01-01"])
    sheet.append([code("370102", 22), None, "市级", "2023-02-01"])
    sheet.merge_cells("B2:B3")
    path = tmp_path / "认定.xlsx"
    book.save(path)
    result = validate(read_table(path, "recognitions"))
    assert result.errors == []
    assert [r["kind"] for r in result.records] == ["企业技术中心", "企业技术中心"]


def test_a_damaged_workbook_is_one_chinese_line(tmp_path):
    path = tmp_path / "坏.xlsx"
    good = _book(tmp_path / "好.xlsx", {"企业": [["统一社会信用代码"], [A]]}).read_bytes()
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(UnreadableTableError) as caught:
        read_table(path, "enterprises")
    assert "不是有效的.xlsx文件" in str(caught.value) and "Error" not in str(caught.value)


def test_a_big5_file_is_an_encoding_error_not_a_missing_column(tmp_path):
    path = tmp_path / "企業.csv"
    path.write_bytes(f"統一社會信用代碼,企業名稱,行政區劃代碼\n{A},甲機械,370705\n".encode("big5"))
    with pytest.raises(UnreadableTableError, match="Big5"):
        read_table(path, "enterprises")


def test_a_header_only_file_says_it_has_no_rows(engine, tmp_path):
    from huiqi.registry.importer import import_file

    path = tmp_path / "企业.csv"
    path.write_text("统一社会信用代码,企业名称,行政区划代码\n", "utf-8")
    with pytest.raises(UnreadableTableError, match="只有表头,没有数据行"):
        import_file(engine, "enterprises", path)


def test_a_directory_is_not_a_missing_file(tmp_path):
    with pytest.raises(UnreadableTableError, match="是文件夹"):
        read_table(tmp_path, "enterprises")
