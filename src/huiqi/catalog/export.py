"""Excel and CSV of the product platform: 对接清单 (a demand's suppliers) and published catalogs.

Every text cell goes through :func:`huiqi.exports.xlsx_cell` (a string cell, never a formula;
text starting with = + - @ keeps Excel's quote prefix) and every CSV cell through
:func:`huiqi.exports.neutralise`, so a product name typed as ``=HYPERLINK(…)`` stays text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from huiqi.catalog.editions import EditionInfo
from huiqi.catalog.matching import DemandMatches
from huiqi.exports import add_sheet, listed_cell, safe_row
from huiqi.registry.codes import region_name

MATCH_HEADERS: tuple[tuple[str, str], ...] = (
    ("demand_id", "需求编号"),
    ("demand", "需求名称"),
    ("buyer", "需求方"),
    ("rank", "排名"),
    ("product", "产品"),
    ("maker", "生产企业"),
    ("uscc", "统一社会信用代码"),
    ("region", "所在地"),
    ("score", "匹配得分"),
    ("reason", "匹配理由"),
)
ENTRY_HEADERS: tuple[tuple[str, str], ...] = (
    ("number", "序号"),
    ("product", "产品名称"),
    ("category", "产品类别"),
    ("maker", "生产企业"),
    ("uscc", "统一社会信用代码"),
    ("region", "所在地"),
    ("certifications", "资质"),
    ("added_on", "入选日期"),
    ("note", "备注"),
)


def _place(code: str) -> str:
    try:
        return region_name(code)
    except KeyError:
        return code


def _rows(results: Iterable[DemandMatches]) -> list[dict[str, Any]]:
    rows = []
    for result in results:
        for match in result.matches:
            rows.append(
                match.to_dict()
                | {
                    "buyer": result.demand.buyer,
                    "region": _place(match.region_code),
                    "score": round(match.score, 1),
                }
            )
    return rows


def _pairs(book: Workbook, title: str, pairs: Sequence[tuple[str, Any]]) -> None:
    sheet = book.create_sheet(title)
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 70
    for label, value in pairs:
        head = WriteOnlyCell(sheet, value=label)
        head.data_type = "s"
        head.font = Font(bold=True)
        sheet.append([head, listed_cell(sheet, value)])


_WIDTHS = (14, 24, 24, 6, 28, 28, 21, 12, 9, 90)


def write_matches_xlsx(results: Sequence[DemandMatches], path: Path) -> Path:
    """对接清单 of every demand in one workbook: one row per demand × supplier, and a sheet of
    the demands with how many suppliers each has."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook(write_only=True)
    add_sheet(book, "对接清单", MATCH_HEADERS, _rows(results), _WIDTHS)
    summary = [
        {
            "demand_id": r.demand.demand_id,
            "demand": r.demand.title,
            "buyer": r.demand.buyer,
            "region": _place(r.demand.region_code),
            "deadline": r.demand.deadline,
            "suppliers": len(r.matches),
            "top": r.matches[0].product + "(" + r.matches[0].maker + ")" if r.matches else "",
        }
        for r in results
    ]
    headers = (
        ("demand_id", "需求编号"),
        ("demand", "需求名称"),
        ("buyer", "需求方"),
        ("region", "需求地区"),
        ("deadline", "截止日期"),
        ("suppliers", "可对接产品数"),
        ("top", "首选"),
    )
    add_sheet(book, "需求", headers, summary, (14, 28, 28, 12, 12, 12, 40))
    book.save(path)
    return path


def write_demand_xlsx(result: DemandMatches, path: Path) -> Path:
    """对接清单 of one demand: the demand, then its suppliers ranked with the reasons."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook(write_only=True)
    demand = result.demand
    _pairs(
        book,
        "需求信息",
        [
            ("需求编号", demand.demand_id),
            ("需求名称", demand.title),
            ("需求方", demand.buyer),
            ("统一社会信用代码", demand.buyer_uscc or ""),
            ("需求地区", _place(demand.region_code)),
            ("类别", demand.category or ""),
            ("截止日期", demand.deadline),
            ("可对接产品数", len(result.matches)),
        ],
    )
    add_sheet(book, "对接清单", MATCH_HEADERS[3:], _rows([result]), _WIDTHS[3:])
    book.save(path)
    return path


def write_matches_csv(results: Sequence[DemandMatches], path: Path) -> Path:
    """The 对接清单 as CSV (UTF-8 with BOM for Excel); every cell neutralised."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([zh for _, zh in MATCH_HEADERS])
        for row in _rows(results):
            writer.writerow(safe_row(row.get(key) for key, _ in MATCH_HEADERS))
    return path


def write_edition_xlsx(info: EditionInfo, rows: Sequence[dict], path: Path) -> Path:
    """A catalog edition as published: 说明 (name, region, criteria, dates), 入选产品 and 已退出."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook(write_only=True)
    _pairs(
        book,
        "说明",
        [
            ("目录", info.title),
            ("发布地区", _place(info.region_code)),
            ("遴选标准", info.criteria or ""),
            ("状态", info.status),
            ("发布日期", info.published_on),
            ("有效期起", info.valid_from),
            ("有效期止", info.valid_to),
            ("入选产品数", info.listed),
            ("已退出产品数", info.removed),
        ],
    )
    listed = [r for r in rows if r["removed_on"] is None]
    removed = [r for r in rows if r["removed_on"] is not None]
    numbered = [r | {"number": i} for i, r in enumerate(listed, start=1)]
    add_sheet(book, "入选产品", ENTRY_HEADERS, numbered, (6, 30, 18, 30, 21, 12, 30, 12, 30))
    add_sheet(
        book,
        "已退出",
        (*ENTRY_HEADERS[1:6], ("removed_on", "退出日期"), ("removed_reason", "退出原因")),
        removed,
        (30, 18, 30, 21, 12, 12, 40),
    )
    book.save(path)
    return path
