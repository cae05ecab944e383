"""Match results for people: JSON records, a Chinese summary, an Excel workbook, one enterprise's
explanation with its nearest misses.

The exports (:func:`write_json`, :func:`write_xlsx`, :func:`write_csv`) are streamed: rows are
turned into Python objects a slice at a time and written as they come, so a million
entitlements never sit in memory as dicts."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import polars as pl
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from huiqi.exports import FORMULA_STARTS, safe_row
from huiqi.match.reference import Fact, applies, in_jurisdiction
from huiqi.match.stacking import PAID, SUPPRESSED
from huiqi.money import format_wan, split
from huiqi.registry.codes import region_name
from huiqi.rules.model import MODE_APPLY, MODE_AUTO, WINDOW_ZH, Rule

JSON_KEYS = (  # records(): what every entitlement carries in JSON
    "uscc",
    "name",
    "document",
    "subject",
    "kind",
    "fact",
    "year",
    "amount_wan",
    "cap_wan",
    "payers",
    "mode",
    "status",
    "reason",
)


def _wan(value: float | None, unit: str = "") -> str:
    return format_wan(value, unit)


def payer_money(row: dict[str, Any]) -> list[dict[str, Any]]:
    """Each payer of one entitlement with its share and its money after any per-enterprise cap:
    ``amount_wan`` when the entitlement's amount is owed, ``cap_wan`` when it is a ceiling.
    The parts add up to the entitlement's own figure exactly (:func:`huiqi.money.split`)."""
    exact = row.get("amount_wan") is not None
    total = row["amount_wan"] if exact else row.get("cap_wan")
    factor = row.get("limit_factor")
    factor = 1.0 if factor is None else factor
    limited = row.get("limit_payers") or []
    weights = [p["share"] * (factor if not limited or p["payer"] in limited else 1.0) for p in row["payers"]]
    parts = split(total, weights)
    return [
        {
            "payer": p["payer"],
            "share": p["share"],
            "amount_wan": part if exact else None,
            "cap_wan": None if exact else part,
        }
        for p, part in zip(row["payers"], parts, strict=True)
    ]


def records(frame: pl.DataFrame, include_suppressed: bool = False) -> list[dict[str, Any]]:
    """Entitlements as JSON-ready dicts with the documented keys; payers carry their money."""
    rows = frame if include_suppressed else frame.filter(pl.col("status") == PAID)
    out = []
    columns = [pl.col("formula").alias("kind") if k == "kind" else pl.col(k) for k in JSON_KEYS]
    for row in rows.select(*columns, "limit_factor", "limit_payers").to_dicts():
        row["payers"] = payer_money(row)
        del row["limit_factor"], row["limit_payers"]
        out.append(row)
    return out


def totals(frame: pl.DataFrame) -> dict[str, float | int]:
    """Money owed and ceilings of paid entitlements, kept apart: never one sum of both."""
    paid = frame.filter(pl.col("status") == PAID)
    auto = paid.filter(pl.col("mode") == MODE_AUTO)
    apply = paid.filter(pl.col("mode") == MODE_APPLY)
    ceilings = paid.filter(pl.col("amount_wan").is_null())
    return {
        "items": paid.height,
        "enterprises": paid["uscc"].n_unique(),
        "auto_wan": float(auto["amount_wan"].fill_null(0).sum()),
        "apply_wan": float(apply["amount_wan"].fill_null(0).sum()),
        "apply_items": apply.height,
        "ceiling_wan": float(ceilings["cap_wan"].fill_null(0).sum()),
        "ceiling_items": ceilings.filter(pl.col("cap_wan").is_not_null()).height,
        "open_items": ceilings.filter(pl.col("cap_wan").is_null()).height,
    }


def summarise(frame: pl.DataFrame, enterprises: pl.DataFrame | None, console: Console, top: int = 10) -> None:
    """Money by document, by district and by mode; the largest entitlements with their reasons."""
    paid = frame.filter(pl.col("status") == PAID)
    suppressed = frame.filter(pl.col("status") == SUPPRESSED).height
    capped = len(frame) - len(paid) - suppressed
    console.rule("[bold]政策找企业:匹配结果")
    if paid.is_empty():
        console.print(
            "没有应享项目:没有企业的认定或事项落在有效规则的条件和时间内(可换 --as-of 或 --year 再试)。"
        )
        return
    t = totals(frame)
    console.print(
        f"应享 {t['items']:,} 项,涉及企业 {t['enterprises']:,} 家。"
        f"免申即享确定金额 [bold]{format_wan(t['auto_wan'])}[/] 万元;"
        f"需申报 {t['apply_items']:,} 项,其中确定金额 {format_wan(t['apply_wan'])} 万元,"
        f"“最高/不高于”的上限另计 {format_wan(t['ceiling_wan'])} 万元({t['ceiling_items']:,} 项,"
        f"以审核为准),金额待核定 {t['open_items']:,} 项。"
        f"因“就高不重复”或新文件取代而不重复享受 {suppressed:,} 项"
        + (f",因单个企业年度上限而未享受 {capped:,} 项。" if capped else "。")
    )
    _money_table(console, "按政策文件", paid.group_by("document").agg(*_sums()), "document", "政策文件")
    if enterprises is not None and "region_code" in enterprises.columns:
        by_district = (
            paid.join(enterprises.select("uscc", "region_code"), on="uscc", how="left")
            .group_by("region_code")
            .agg(*_sums())
            .with_columns(
                pl.col("region_code").map_elements(_district, return_dtype=pl.String).alias("district")
            )
        )
        _money_table(console, "按区县", by_district, "district", "区县")
    _money_table(console, "按兑现方式", paid.group_by("mode").agg(*_sums()), "mode", "方式")
    largest = paid.filter(pl.col("amount_wan").is_not_null()).sort("amount_wan", descending=True).head(top)
    table = Table(title=f"金额最大的 {top} 项应享", show_lines=False)
    for header in ("企业", "万元", "方式", "理由"):
        table.add_column(header, overflow="fold")
    for row in largest.iter_rows(named=True):
        table.add_row(
            escape(row.get("name") or row["uscc"]),
            _wan(row["amount_wan"]),
            row["mode"],
            escape(row["reason"]),
        )
    console.print(table)


def _sums() -> list[pl.Expr]:
    ceiling = pl.col("amount_wan").is_null()
    return [
        pl.len().alias("n"),
        pl.col("uscc").n_unique().alias("firms"),
        pl.col("amount_wan").fill_null(0).sum().alias("wan"),
        pl.col("cap_wan").filter(ceiling).fill_null(0).sum().alias("ceiling"),
        (ceiling & pl.col("cap_wan").is_null()).sum().alias("open"),
    ]


def _district(code: str | None) -> str:
    if not code:
        return "(未知)"
    try:
        return f"{region_name(code)}({code})"
    except (KeyError, ValueError):
        return code


def _money_table(console: Console, title: str, frame: pl.DataFrame, key: str, header: str) -> None:
    table = Table(title=title)
    for name, justify in (
        (header, "left"),
        ("应享项数", "right"),
        ("企业数", "right"),
        ("确定金额(万元)", "right"),
        ("上限另计(万元)", "right"),
        ("待核定项", "right"),
    ):
        table.add_column(name, justify=justify, overflow="fold")
    for row in frame.sort("wan", descending=True).iter_rows(named=True):
        table.add_row(
            escape(str(row[key])),
            f"{row['n']:,}",
            f"{row['firms']:,}",
            format_wan(row["wan"]),
            format_wan(row["ceiling"]),
            f"{row['open']:,}",
        )
    console.print(table)


def _payers_text(row: dict[str, Any]) -> str:
    """``市级30% 3.26万元、区级70% 最高7.6万元`` — each payer's share and money after any cap."""
    parts = []
    for p in payer_money(row):
        if p["amount_wan"] is not None:
            money = f" {format_wan(p['amount_wan'])}万元"
        elif p["cap_wan"] is not None:
            money = f" 最高{format_wan(p['cap_wan'])}万元"
        else:
            money = ""
        parts.append(f"{p['payer']}{p['share']:.0%}{money}")
    return "、".join(parts)


EXPORT_COLUMNS = (  # the columns of the Excel and CSV exports, with their Chinese headers
    ("uscc", "统一社会信用代码"),
    ("name", "企业名称"),
    ("document", "政策文件"),
    ("subject", "奖补对象"),
    ("fact", "触发事实"),
    ("year", "兑现年度"),
    ("amount_wan", "金额(万元)"),
    ("cap_wan", "上限(万元)"),
    ("payers", "资金承担"),
    ("status", "状态"),
    ("mode", "兑现方式"),
    ("reason", "理由"),
)
_SLICE = 50_000  # rows turned into Python objects at a time by the streamed exports


def _export_rows(frame: pl.DataFrame) -> Iterator[list[Any]]:
    """Rows of the Excel/CSV exports, a slice of the frame at a time."""
    wanted = [k for k, _ in EXPORT_COLUMNS if k in frame.columns or k == "payers"]
    extra = [c for c in ("limit_factor", "limit_payers") if c in frame.columns]
    present = [k for k in wanted if k in frame.columns]
    for part in frame.select(*present, *extra).iter_slices(_SLICE):
        for row in part.iter_rows(named=True):
            yield [_payers_text(row) if k == "payers" else row.get(k) for k, _ in EXPORT_COLUMNS]


def write_xlsx(frame: pl.DataFrame, path: Path) -> Path:
    """An Excel workbook: 应享清单 (paid) and 未享受 (不重复享受 or 已达上限), Chinese headers.

    Written row by row in constant memory (xlsxwriter); every text cell is a string cell, and
    text a spreadsheet would run (= + - @) carries the quote prefix (:mod:`huiqi.exports`).
    """
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    quoted = book.add_format({"quote_prefix": True})
    try:
        for title, paid in (("应享清单", True), ("未享受", False)):
            sheet = book.add_worksheet(title)
            for column, (_, header) in enumerate(EXPORT_COLUMNS):
                sheet.write_string(0, column, header)
            part = frame.filter((pl.col("status") == PAID) == paid)
            for number, values in enumerate(_export_rows(part), start=1):
                for column, value in enumerate(values):
                    if value is None:
                        continue
                    if isinstance(value, bool | int | float):
                        sheet.write_number(number, column, value)
                    else:
                        text = str(value)
                        sheet.write_string(
                            number, column, text, quoted if text.startswith(FORMULA_STARTS) else None
                        )
    finally:
        book.close()
    return path


def write_csv(frame: pl.DataFrame, path: Path, include_suppressed: bool = True) -> Path:
    """The same rows and columns as the Excel export in one CSV file (UTF-8 with BOM), streamed;
    cells a spreadsheet would run get an apostrophe in front."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = frame if include_suppressed else frame.filter(pl.col("status") == PAID)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([h for _, h in EXPORT_COLUMNS])
        for values in _export_rows(rows):
            writer.writerow(safe_row(values))
    return path


def write_json(frame: pl.DataFrame, out: TextIO, include_suppressed: bool = False) -> int:
    """:func:`records` as one JSON array written to ``out`` as it is made (the same text as
    ``json.dumps(records(frame), ensure_ascii=False, default=str)``); returns the rows written."""
    rows = frame if include_suppressed else frame.filter(pl.col("status") == PAID)
    out.write("[")
    count = 0
    for part in rows.iter_slices(_SLICE):
        for record in records(part, include_suppressed=True):
            out.write((", " if count else "") + json.dumps(record, ensure_ascii=False, default=str))
            count += 1
    out.write("]\n")
    return count


def explain(
    uscc: str,
    name: str | None,
    region_code: str,
    facts: list[Fact],
    frame: pl.DataFrame,
    rules: list[Rule],
    as_of: dt.date,
    year: int | None,
    console: Console,
    nearest: int = 5,
) -> list[dict[str, Any]]:
    """What one enterprise gets, and the nearest rules it does not meet with the missing condition."""
    mine = frame.filter(pl.col("uscc") == uscc)
    console.rule(f"[bold]{escape(name or uscc)}({uscc})")
    t = totals(mine)
    console.print(
        f"应享 {t['items']} 项:确定金额合计 {format_wan(t['auto_wan'] + t['apply_wan'])} 万元"
        f"(免申即享 {format_wan(t['auto_wan'])} 万元);"
        f"另有“最高/不高于”上限 {format_wan(t['ceiling_wan'])} 万元以审核为准"
        + (f",{t['open_items']} 项金额待核定" if t["open_items"] else ""),
        highlight=False,
    )
    ordered = mine.with_columns(_offer=pl.coalesce("amount_wan", "cap_wan")).sort(
        "_offer", descending=True, nulls_last=True
    )
    for row in ordered.iter_rows(named=True):
        mark = "[green]✓[/]" if row["status"] == PAID else "[yellow]–[/]"
        money = (
            _wan(row["amount_wan"], " 万元")
            if row["amount_wan"] is not None
            else ("最高 " + _wan(row["cap_wan"], " 万元") if row["cap_wan"] is not None else "金额待核定")
        )
        console.print(
            f" {mark} {money} \\[{row['mode']}] 《{escape(row['document'])}》 {escape(row['reason'])}",
            highlight=False,
        )
    misses = nearest_misses(region_code, facts, rules, as_of, year, set(mine["rule"].to_list()))[:nearest]
    if misses:
        console.print("[bold]差一点的政策[/](满足其余条件,缺少下列一项):")
        for miss in misses:
            console.print(
                f"  · 《{escape(miss['document'])}》{escape(miss['subject'])}:{escape(miss['missing'])}",
                highlight=False,
            )
    else:
        console.print("没有差一点的政策:企业所在地仍有效的规则都已匹配。")
    return misses


def _why_not(rule: Rule, fact: Fact, as_of: dt.date) -> str:
    """Which remaining condition a fact of the right kind and level fails, in Chinese."""
    what = f"{fact.date}的{fact.kind}"
    if fact.date > as_of:
        return f"{what}晚于{as_of}"
    if rule.year_only and fact.date.year != rule.year_only:
        return f"{what}不在条款限定的{rule.year_only}年"
    if rule.starts and fact.date < rule.starts:
        return f"{what}早于文件施行日期{rule.starts}"
    if rule.ends and fact.date > rule.ends:
        return f"{what}晚于文件有效期{rule.ends}"
    if rule.quantity and not rule.quantity.holds(fact.quantity):
        return f"{what}数量{fact.quantity or '未填'}不在{rule.quantity.describe('台套')}"
    if rule.amount and not rule.amount.holds(fact.amount):
        return f"{what}金额{fact.amount or '未填'}万元不在{rule.amount.describe('万元')}"
    return f"{what}不在政策时间条件内({WINDOW_ZH[rule.window]})"


def nearest_misses(
    region_code: str,
    facts: list[Fact],
    rules: list[Rule],
    as_of: dt.date,
    year: int | None,
    matched: set[int],
) -> list[dict[str, Any]]:
    """Rules in force where the enterprise is, not met, ranked by how close the enterprise is.

    Closest first: it holds the kind but at another level, or a first grant where the rule asks
    for 复核 (and the reverse), or outside the window; then rules whose kind it lacks, by amount.
    """
    out = []
    for index, rule in enumerate(rules):
        if index in matched or not in_jurisdiction(rule, region_code):
            continue
        if rule.ends and rule.ends < as_of.replace(month=1, day=1):
            continue
        same_kind = [f for f in facts if f.table == rule.table and f.kind in rule.fact_kinds]
        missing, rank = None, 2
        for fact in same_kind:
            if applies(rule, fact, region_code, as_of, year) is not None:
                missing = None
                break
            rank = 1
            required = rule.level_of(fact.kind)
            if required and fact.level != required:
                wanted = f"{fact.kind}({required})" if rule.table == "event" else f"{required}{fact.kind}"
                missing = f"需{wanted},现有{fact.level or '无级别'}"
            elif rule.table == "recognition" and fact.review != bool(rule.review):
                missing = "需动态复核通过" if rule.review else "需新认定(现有为复核)"
            else:
                missing = _why_not(rule, fact, as_of)
        else:
            if not same_kind:
                missing = f"缺少{rule.describe_fact()}"
        if missing:
            value = rule.amount_wan or rule.cap_wan or 0
            out.append(
                {
                    "document": rule.document,
                    "subject": rule.subject,
                    "missing": missing,
                    "mode": MODE_AUTO if rule.exact else MODE_APPLY,
                    "rank": rank,
                    "value": value,
                }
            )
    out.sort(key=lambda m: (m["rank"], -m["value"]))
    return out
