"""Database reads and writes of the monitoring modules: registry frames, runs, scores, watch list.

Reads return Polars frames straight from SQL (``pl.read_database``), filtered in the query to
the months, indicators and region asked for, so a month's monitoring never loads the whole
metrics table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine, delete, insert, select

from huiqi.db.engine import session_scope
from huiqi.db.models import Enterprise, Metric, MonitorRun, MuScore, WatchEntry
from huiqi.monitor.errors import MonitorError
from huiqi.monitor.mu import LAND, MuResult, score
from huiqi.monitor.settings import Setting, all_settings, applicable
from huiqi.registry.codes import clean_region_code, clean_uscc, code_for_place, region_name, region_prefix

_METRIC_SCHEMA = {"uscc": pl.String, "period": pl.String, "indicator": pl.String, "value": pl.Float64}


def resolve_region(text: str | None) -> str | None:
    """A region option (``370700``, ``潍坊市``) as a 行政区划代码; None for everywhere."""
    if not text:
        return None
    try:
        return clean_region_code(text)
    except ValueError:
        code = code_for_place(text)
        if code is None:
            raise MonitorError(f"--region {text}: 不是有效的行政区划代码或地名") from None
        return code


def _in_region(query, region: str | None):
    return query if not region else query.where(Enterprise.region_code.like(region_prefix(region) + "%"))


def load_enterprises(engine: Engine, region: str | None = None) -> pl.DataFrame:
    """uscc, name, region_code, scale of the enterprises in ``region`` (all when None)."""
    query = _in_region(
        select(Enterprise.uscc, Enterprise.name, Enterprise.region_code, Enterprise.scale), region
    )
    with engine.connect() as conn:
        return pl.read_database(
            query,
            conn,
            schema_overrides={
                "uscc": pl.String,
                "name": pl.String,
                "region_code": pl.String,
                "scale": pl.String,
            },
        )


def load_metrics(
    engine: Engine,
    periods: Sequence[str] | None = None,
    indicators: Sequence[str] | None = None,
    region: str | None = None,
    period_prefix: str | None = None,
) -> pl.DataFrame:
    """uscc, period, indicator, value for the given periods, indicators and region."""
    query = select(Metric.uscc, Metric.period, Metric.indicator, Metric.value)
    if periods is not None:
        query = query.where(Metric.period.in_(list(periods)))
    if period_prefix is not None:
        query = query.where(Metric.period.like(period_prefix + "%"))
    if indicators is not None:
        query = query.where(Metric.indicator.in_(list(indicators)))
    if region:
        query = query.join(Enterprise, Enterprise.uscc == Metric.uscc)
        query = _in_region(query, region)
    with engine.connect() as conn:
        return pl.read_database(query, conn, schema_overrides=_METRIC_SCHEMA)


def latest_month(engine: Engine) -> str | None:
    """The newest ``YYYY-MM`` period in the metrics table."""
    from sqlalchemy import func

    with engine.connect() as conn:
        return conn.scalar(select(func.max(Metric.period)).where(Metric.period.like("____-__")))


def latest_year(engine: Engine) -> int | None:
    from sqlalchemy import func

    with engine.connect() as conn:
        year = conn.scalar(select(func.max(Metric.period)).where(Metric.period.not_like("%-%")))
    return int(year) if year else None


def record_run(
    engine: Engine, kind: str, period: str, region: str | None, used: list[Setting], items: int
) -> int:
    """Store one run with the setting versions it used; returns its id."""
    with session_scope(engine) as session:
        run = MonitorRun(
            kind=kind,
            period=period,
            region_code=region or "",
            settings=[s.summary() for s in used],
            items=items,
        )
        session.add(run)
        session.flush()
        return run.id


def save_mu(engine: Engine, year: int, region: str | None, used: list[Setting], scored: pl.DataFrame) -> int:
    """Store a 亩产效益 run and its scores, replacing an earlier run of the same year and region."""
    region_code = region or ""
    with session_scope(engine) as session:
        for old in session.scalars(
            select(MonitorRun).where(
                MonitorRun.kind == "mu", MonitorRun.period == str(year), MonitorRun.region_code == region_code
            )
        ):
            session.execute(delete(MuScore).where(MuScore.run_id == old.id))
            session.delete(old)
        run = MonitorRun(
            kind="mu",
            period=str(year),
            region_code=region_code,
            settings=[s.summary() for s in used],
            items=scored.height,
        )
        session.add(run)
        session.flush()
        rows = [
            {
                "run_id": run.id,
                "uscc": r["uscc"],
                "year": year,
                "score": r["score"],
                "grade": r["grade"],
                "rank": r["rank"],
                "details": {"group": r["group"], "indicators": r["indicators"], "setting": r["setting"]},
            }
            for r in scored.iter_rows(named=True)
        ]
        for start in range(0, len(rows), 5000):
            session.execute(insert(MuScore), rows[start : start + 5000])
        return run.id


def load_grades(engine: Engine, year: int | None = None) -> pl.DataFrame:
    """The stored grades (uscc, year, grade, score) of the latest run of each year and region."""
    query = select(MuScore.uscc, MuScore.year, MuScore.grade, MuScore.score, MuScore.run_id)
    if year is not None:
        query = query.where(MuScore.year == year)
    with engine.connect() as conn:
        frame = pl.read_database(
            query,
            conn,
            schema_overrides={"uscc": pl.String, "year": pl.Int64, "grade": pl.String, "score": pl.Float64},
        )
    return (
        frame.sort("run_id").group_by("uscc", "year").agg(pl.all().last()).drop("run_id").sort("uscc", "year")
    )


# --- 百户重点企业 ------------------------------------------------------------------------------

_USCC_HEADERS = {"uscc", "统一社会信用代码", "社会信用代码", "信用代码", "企业代码"}


def _rows(path: Path) -> list[list[Any]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    import csv
    import io

    from huiqi.registry.reader import decode

    return list(csv.reader(io.StringIO(decode(path.read_bytes()))))


def import_watch_list(engine: Engine, path: Path, region: str | None = None) -> tuple[int, list[str]]:
    """Replace the watch list with the enterprises of ``path`` (a column 统一社会信用代码).

    Returns (enterprises listed, error lines). A row with a bad code or an enterprise missing
    from the registry becomes an error line naming the row; the good rows are kept. Nothing is
    written when no row is good. With ``region`` (a 行政区划代码: an officer's area) only
    enterprises inside it may be listed, and only the entries inside it are replaced, so one
    region's list never touches another's.
    """
    if not path.is_file():
        raise MonitorError(f"{path}: 文件不存在")
    try:
        rows = _rows(path)
    except Exception as exc:  # a damaged file of any kind: one clear line
        raise MonitorError(f"{path.name}: 无法读取({type(exc).__name__})") from None
    header_at = next(
        (i for i, row in enumerate(rows[:10]) if any(str(c or "").strip() in _USCC_HEADERS for c in row)),
        None,
    )
    if header_at is None:
        raise MonitorError(f"{path.name}: 找不到“统一社会信用代码”列")
    column = next(j for j, c in enumerate(rows[header_at]) if str(c or "").strip() in _USCC_HEADERS)
    with engine.connect() as conn:
        known = set(conn.scalars(_in_region(select(Enterprise.uscc), region)))
    good: list[str] = []
    errors: list[str] = []
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        cell = row[column] if column < len(row) else None
        if cell is None or not str(cell).strip():
            continue
        try:
            code = clean_uscc(cell)
        except ValueError as exc:
            errors.append(f"第{number}行 统一社会信用代码 {cell}: {exc}")
            continue
        if code not in known:
            where = f"{region_name(region)}的" if region else ""
            errors.append(f"第{number}行 统一社会信用代码 {code}: {where}企业名录中没有这家企业")
        elif code not in good:
            good.append(code)
    if good:
        with session_scope(engine) as session:
            inside = _in_region(select(Enterprise.uscc), region)
            session.execute(
                delete(WatchEntry).where(WatchEntry.uscc.in_(inside)) if region else delete(WatchEntry)
            )
            session.execute(insert(WatchEntry), [{"uscc": u, "note": path.name} for u in good])
    return len(good), errors


def watch_list(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(WatchEntry.uscc).order_by(WatchEntry.uscc)))


def score_region(engine: Engine, year: int, region: str | None) -> MuResult:
    """亩产效益 of ``year`` in ``region`` (None: everywhere) under the settings in force: the
    indicators every setting needs and the land figures read from the registry, then graded by
    :func:`huiqi.monitor.mu.score`. Nothing is stored (see :func:`save_mu`)."""
    settings = all_settings(engine, "mu")
    needed = sorted(
        {i[k] for s in settings for i in s.params["indicators"] for k in ("numerator", "denominator")}
    )
    figures = load_metrics(engine, [str(year)], needed, region)
    land = load_metrics(engine, None, [LAND], region)
    return score(pl.concat([figures, land]).unique(), load_enterprises(engine, region), year, settings)


@dataclass
class WatchData:
    """百户重点企业 of a month: who is watched and why, their monthly series, each one's summary
    (in the list's order) and the district totals (see :mod:`huiqi.monitor.watch`)."""

    setting: Setting
    indicator: str
    source: str  # 导入名单 N 家, or 按2025年营业收入前 100 家
    imported: bool
    firms: pl.DataFrame
    series: pl.DataFrame
    summary: pl.DataFrame
    districts: pl.DataFrame


def load_watch(engine: Engine, month: str, region: str | None, top: int | None = None) -> WatchData:
    """The watch list of ``month`` in ``region``: the imported list's enterprises of the region,
    or, where it names none of them, the ``top`` (else the setting's number) by last year's figure."""
    from huiqi.monitor.periods import months_back
    from huiqi.monitor.watch import district_totals, top_enterprises, watch_months, watch_summary

    on = dt.date(int(month[:4]), int(month[5:]), 1)
    setting = applicable(all_settings(engine, "watch"), region or "", on)
    assert setting is not None  # the packaged default covers everywhere
    indicator = setting.params["indicator"]
    firms = load_enterprises(engine, region)
    watched = firms.filter(pl.col("uscc").is_in(watch_list(engine))).select("uscc")
    imported = watched.height > 0
    if imported:
        source = f"导入名单 {watched.height} 家"
    else:
        year = on.year - 1
        basis = load_metrics(engine, indicators=[indicator], region=region, period_prefix=str(year))
        n = top or int(setting.params["top"])
        watched = top_enterprises(basis, firms, year, n, indicator)
        source = f"按{year}年{indicator}前 {n} 家"
    series = watch_months(
        load_metrics(engine, months_back(month, 24), [indicator], region), watched, month, indicator
    )
    order = watched.select("uscc").with_row_index("order")
    summary = (
        watch_summary(series, month)
        .join(firms, on="uscc", how="left")
        .join(order, on="uscc")
        .sort("order")
        .drop("order")
    )
    districts = district_totals(series, firms)
    return WatchData(setting, indicator, source, imported, firms, series, summary, districts)
