"""``huiqi import products`` / ``huiqi import demands`` on SQLite and PostgreSQL: the registry's
checks and error reports, identity (re-import changes nothing, corrections update), withdrawal,
templates."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from stdnum.cn import uscc as uscc_lib

from huiqi.db.engine import session_scope
from huiqi.db.models import Demand, Product
from huiqi.registry.errors import MissingColumnsError
from huiqi.registry.importer import import_file, template_file


def code(region: str, serial: int) -> str:
    body = f"91{region}{serial:09d}"[:17]
    return body + uscc_lib.calc_check_digit(body)


MAKER, OTHER, STRANGER = code("370112", 11), code("370705", 12), code("370102", 13)
BUYER = code("370100", 14)


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_report(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def makers(engine, tmp_path):
    path = write_csv(
        tmp_path / "企业.csv",
        ["统一社会信用代码", "企业名称", "行政区划代码", "行业代码"],
        [
            [MAKER, "济南历城数控机床有限公司", "370112", "C3421"],
            [OTHER, "潍坊奎文电气有限公司", "370705", "C3821"],
        ],
    )
    summary = import_file(engine, "enterprises", path, tmp_path / "e.csv")
    assert summary.rows_new == 2
    return engine


PRODUCT_HEADER = ["统一社会信用代码", "产品名称", "产品类别", "产品描述", "资质", "产能", "联系人"]


def products_file(tmp_path: Path, name: str = "产品.csv", rows: list[list[str]] | None = None) -> Path:
    return write_csv(
        tmp_path / name,
        PRODUCT_HEADER,
        rows
        or [
            [
                MAKER,
                "立式加工中心 VMC850",
                "金属切削机床",
                "三轴,主轴8000rpm",
                "首台(套)重大技术装备、省名牌产品",
                "年产300台",
                "王工",
            ],
            [OTHER, "油浸式电力变压器", "C3821", "10kV,630kVA", "", "", ""],
            [STRANGER, "不在名录的产品", "", "", "", "", ""],
            ["123", "坏代码的产品", "", "", "", "", ""],
            [MAKER, "立式加工中心VMC850", "重复一行", "", "", "", ""],
            [MAKER, "——", "", "", "", "", ""],
        ],
    )


def stored_products(engine) -> dict[str, Product]:
    with session_scope(engine) as session:
        return {p.name: p for p in session.scalars(select(Product).where(Product.withdrawn_run_id.is_(None)))}


def test_products_are_checked_like_the_registry_and_good_rows_stored(makers, tmp_path):
    report = tmp_path / "report.csv"
    summary = import_file(makers, "产品", products_file(tmp_path), report)
    assert (summary.rows_total, summary.rows_new, summary.rows_bad) == (6, 2, 4)
    products = stored_products(makers)
    assert set(products) == {"立式加工中心 VMC850", "油浸式电力变压器"}
    machine = products["立式加工中心 VMC850"]
    # certifications resolve to canonical names; a kind the product vocabulary does not know stays as written
    assert machine.certifications == ["首台(套)", "名牌产品"]
    assert machine.capacity == "年产300台" and machine.extras == {"联系人": "王工"}
    lines = {(r["行号"], r["列"]): r["原因"] for r in read_report(report)}
    assert "企业不在名录中" in lines[("4", "统一社会信用代码")]
    assert ("5", "统一社会信用代码") in lines
    assert "第2行是同一产品" in lines[("6", "产品名称")]  # the name differs only by a space
    assert "应包含文字" in lines[("7", "产品名称")]


def test_reimport_changes_nothing_and_a_correction_updates(makers, tmp_path):
    path = products_file(tmp_path)
    import_file(makers, "products", path, tmp_path / "r1.csv")
    again = import_file(makers, "products", path, tmp_path / "r2.csv")
    assert (again.rows_new, again.rows_changed, again.rows_unchanged) == (0, 0, 2)
    corrected = products_file(
        tmp_path,
        "产品更正.csv",
        [[MAKER, "立式加工中心 VMC850", "金属切削机床", "三轴,主轴10000rpm", "首台套", "年产300台", "王工"]],
    )
    summary = import_file(makers, "products", corrected, tmp_path / "r3.csv")
    assert (summary.rows_new, summary.rows_changed) == (0, 1)
    machine = stored_products(makers)["立式加工中心 VMC850"]
    assert machine.description == "三轴,主轴10000rpm" and machine.certifications == ["首台(套)"]


def test_a_product_number_lets_the_name_be_corrected(makers, tmp_path):
    header = ["统一社会信用代码", "产品编号", "产品名称"]
    import_file(makers, "products", write_csv(tmp_path / "a.csv", header, [[MAKER, "CP-1", "数控车床"]]))
    summary = import_file(
        makers, "products", write_csv(tmp_path / "b.csv", header, [[MAKER, "CP-1", "数控车床 CK6150"]])
    )
    assert (summary.rows_new, summary.rows_changed) == (0, 1)
    assert set(stored_products(makers)) == {"数控车床 CK6150"}


def test_replace_withdraws_the_products_missing_from_the_list(makers, tmp_path):
    import_file(makers, "products", products_file(tmp_path, "名单.csv"), tmp_path / "r.csv")
    shorter = products_file(
        tmp_path, "名单.csv", [[OTHER, "油浸式电力变压器", "C3821", "10kV,630kVA", "", "", ""]]
    )
    summary = import_file(makers, "products", shorter, tmp_path / "r2.csv", replace=True)
    assert summary.rows_withdrawn == 1
    assert set(stored_products(makers)) == {"油浸式电力变压器"}


DEMAND_HEADER = ["需求编号", "需求方", "需求名称", "需求描述", "类别", "行政区划代码", "截止日期"]


def demands_workbook(tmp_path: Path, rows: list[list]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "需求"
    sheet.append(DEMAND_HEADER)
    for row in rows:
        sheet.append(row)
    path = tmp_path / "需求.xlsx"
    book.save(path)
    return path


def test_demands_from_a_workbook(engine, tmp_path):
    report = tmp_path / "report.csv"
    path = demands_workbook(
        tmp_path,
        [
            [
                "GD-1",
                f"济南某建设集团有限公司({BUYER})",
                "盾构机采购",
                "土压平衡盾构机2台",
                "",
                "370100",
                "2030-06-30",
            ],
            ["GD-2", "济南市城乡建设局", "高品质变压器", None, "C3821", "济南市", dt.datetime(2030, 1, 31)],
            ["GD-3", "某局", "线缆", "", "", "999999", ""],
            ["GD-4", "某局", "电缆", "", "", "370100", "2030-02-30"],
            ["GD-1", "另一局", "重复编号", "", "", "370100", ""],
            ["GD-6", f"某公司({BUYER[:-1]}{'0' if BUYER[-1] != '0' else '1'})", "阀门", "", "", "370100", ""],
        ],
    )
    summary = import_file(engine, "需求", path, report)
    assert (summary.rows_new, summary.rows_bad) == (2, 4)
    with session_scope(engine) as session:
        stored = {d.demand_id: d for d in session.scalars(select(Demand))}
    assert set(stored) == {"GD-1", "GD-2"}
    assert (stored["GD-1"].buyer, stored["GD-1"].buyer_uscc) == ("济南某建设集团有限公司", BUYER)
    assert stored["GD-1"].region_code == "370100"  # a city is a place a demand can be
    assert stored["GD-2"].buyer_uscc is None and stored["GD-2"].deadline == dt.date(2030, 1, 31)
    lines = {(r["行号"], r["列"]): r for r in read_report(report)}
    assert set(lines) == {("4", "行政区划代码"), ("5", "截止日期"), ("6", "需求编号"), ("7", "需求方")}
    assert "第2行重复" in lines[("6", "需求编号")]["原因"]
    assert lines[("5", "截止日期")]["工作表"] == "需求"
    assert "统一社会信用代码有误" in lines[("7", "需求方")]["原因"]


def test_withdrawing_a_demand(engine, tmp_path):
    path = demands_workbook(tmp_path, [["GD-1", "济南市城乡建设局", "盾构机", "", "", "370100", ""]])
    import_file(engine, "demands", path, tmp_path / "r.csv")
    summary = import_file(engine, "demands", path, tmp_path / "r2.csv", withdraw=True)
    assert summary.rows_withdrawn == 1
    again = import_file(engine, "demands", path, tmp_path / "r3.csv", withdraw=True)
    assert again.rows_bad == 1 and "已撤回" in again.errors[0].reason


def test_missing_required_columns_refuse_the_file(engine, tmp_path):
    path = write_csv(tmp_path / "需求.csv", ["需求编号", "需求名称"], [["GD-1", "盾构机"]])
    with pytest.raises(MissingColumnsError, match="需求方"):
        import_file(engine, "demands", path)
    with session_scope(engine) as session:
        assert session.scalars(select(Demand)).first() is None


def test_a_formula_in_a_cell_stays_text_in_the_error_report(makers, tmp_path):
    report = tmp_path / "report.csv"
    rows = [[STRANGER, '=HYPERLINK("http://x.invalid","点我")', "", "", "", "", ""]]
    import_file(makers, "products", products_file(tmp_path, "p.csv", rows), report)
    [line] = read_report(report)
    assert line["值"] == STRANGER
    rows = [["@SUM(A1)", "坏代码", "", "", "", "", ""]]
    import_file(makers, "products", products_file(tmp_path, "q.csv", rows), report)
    [line] = read_report(report)
    assert line["值"] == "'@SUM(A1)"


@pytest.mark.parametrize(("kind", "headers"), [("产品", PRODUCT_HEADER[:6]), ("需求", DEMAND_HEADER)])
def test_templates_have_the_headers_and_a_notes_sheet(tmp_path, kind, headers):
    path = template_file(kind, tmp_path / f"{kind}.xlsx")
    book = load_workbook(path)
    first = book[kind]
    assert [c.value for c in first[1]][: len(headers)] == headers
    notes = [row[0] for row in book["说明"].iter_rows(min_row=3, values_only=True)]
    assert all(h in notes for h in headers)
