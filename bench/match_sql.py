"""The match written as one DuckDB SQL query: the baseline ``bench/match.py`` compares the
column-wise engine with, besides the two Python loops.

A competent engineer with a SQL engine would keep the rules as a table and write the matching
as joins and window functions. This module does exactly that, with the same rule rows the
engine reads (:func:`huiqi.match.engine.rules_frame`, :func:`~huiqi.match.engine.extra_tests_frame`,
:func:`huiqi.match.stacking.rule_meta`:
compiling the documents is shared, matching is not), the registry's facts and its annual
figures registered as Arrow tables:

- the measure table (a ratio of two indicators, the figure of the year before, the running
  maximum of earlier years and the first year of the unbroken run) with window functions;
- facts × rules on (table, kind) with every filter of the engine (level, first grant or
  re-examination, dates, bands, region), the trigger test on figures (first crossing, growth,
  increase, level; a figure the registry cannot decide keeps the row as open) and the further
  tests (且) by a join on the measure table;
- the amount (fixed, per unit, a ratio of the event's amount or of the year's events of the
  base kind, capped) rounded as :mod:`huiqi.money` rounds;
- stacking: rows of one grant add up, a superseding document of the same region wins, and the
  highest grant of each fact is paid (就高不重复).

It writes no Chinese text (neither does the loop); ``open`` says whether the engine would
give the row a doubt. :func:`same_decisions` checks that it decides exactly as the engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import polars as pl

from huiqi.match.engine import extra_tests_frame, rules_frame
from huiqi.match.figures import EPSILON, HISTORY_YEARS
from huiqi.match.stacking import rule_meta
from huiqi.money import PLACES
from huiqi.rules.model import Rule


def _band(value: str, p: str) -> str:
    """SQL for ``value`` in the band of columns ``{p}lo``… with the engine's tolerance."""
    lo, hi = f"{p}lo", f"{p}hi"
    above = f"CASE WHEN {p}lo_inc THEN {value} >= {lo} - greatest(abs({lo}), 1) * {EPSILON} ELSE {value} > {lo} + greatest(abs({lo}), 1) * {EPSILON} END"
    below = f"CASE WHEN {p}hi_inc THEN {value} <= {hi} + greatest(abs({hi}), 1) * {EPSILON} ELSE {value} < {hi} - greatest(abs({hi}), 1) * {EPSILON} END"
    return f"(({lo} IS NULL OR {above}) AND ({hi} IS NULL OR {below}))"


def _plain_band(value: str, low: str, high: str, low_inc: str, high_inc: str) -> str:
    above = f"CASE WHEN {low_inc} THEN {value} >= {low} ELSE {value} > {low} END"
    below = f"CASE WHEN {high_inc} THEN {value} <= {high} ELSE {value} < {high} END"
    return (
        f"(({low} IS NULL AND {high} IS NULL) OR ({value} IS NOT NULL AND ({low} IS NULL OR {above}) "
        f"AND ({high} IS NULL OR {below})))"
    )


def _status(p: str, year: str, src: str = "") -> str:
    """SQL for a test's status (true / false / NULL: cannot tell) on a measure row whose columns
    are ``{src}value``, ``{src}prev`` …"""
    value, prev, prev_max = f"{src}value", f"{src}prev", f"{src}prev_max"
    run_start, founded = f"{src}run_start", f"{src}founded"
    level = _band(value, p)
    reached_before = f"({prev_max} IS NOT NULL AND {_band(prev_max, p)})"
    need = f"(CASE WHEN {founded} IS NULL THEN {HISTORY_YEARS} ELSE least({HISTORY_YEARS}, {year} - {founded}) END)"
    new_firm = f"({founded} IS NOT NULL AND {founded} >= {year})"
    growth_band = _band(f"(({value} - {prev}) / {prev})", p)
    increase_band = _band(f"({value} - {prev})", p)
    return f"""CASE WHEN {value} IS NULL THEN NULL
        WHEN {p}test = 'first' THEN (CASE WHEN NOT {level} THEN false WHEN {reached_before} THEN false
            WHEN ({year} - {run_start}) >= {need} THEN true ELSE NULL END)
        WHEN {p}test = 'growth' THEN (CASE WHEN {prev} IS NULL AND {new_firm} THEN false
            WHEN {prev} IS NULL OR {prev} <= 0 THEN NULL ELSE {growth_band} END)
        WHEN {p}test = 'increase' THEN (CASE WHEN {prev} IS NULL AND {new_firm} THEN false
            WHEN {prev} IS NULL THEN NULL ELSE {increase_band} END)
        ELSE {level} END"""


def _round(expr: str) -> str:
    scale = 10**PLACES
    scaled = f"(floor(abs({expr}) * {scale}::DOUBLE + 0.5::DOUBLE + 1e-7::DOUBLE) / {scale}::DOUBLE)"
    return f"(CASE WHEN {expr} < 0 THEN -{scaled} ELSE {scaled} END)"


def _measures_sql(measures: set[str]) -> str:
    parts = []
    for measure in sorted(measures):
        names = measure.split("/")
        if len(names) == 1:
            parts.append(
                f"SELECT uscc, '{measure}' AS measure, year, value FROM figures WHERE indicator = '{measure}'"
            )
        else:
            parts.append(
                f"SELECT n.uscc, '{measure}' AS measure, n.year, n.value / d.value AS value "
                f"FROM figures n JOIN figures d ON n.uscc = d.uscc AND n.year = d.year "
                f"WHERE n.indicator = '{names[0]}' AND d.indicator = '{names[1]}' AND d.value > 0"
            )
    return "\nUNION ALL\n".join(parts)


def query(rules: Sequence[Rule], as_of: dt.date) -> str:
    """The whole match as one SQL statement over the tables ``enterprises``, ``facts``,
    ``figures``, ``rules``, ``extra`` and ``meta`` (see :func:`match`)."""
    measures = {t.measure for r in rules for t in r.tests}
    if any(r.base_measure for r in rules):
        raise NotImplementedError("rates of a figure (新增税收) are not written in this baseline")
    measure_rows = _measures_sql(measures) if measures else (
        "SELECT NULL::VARCHAR AS uscc, NULL::VARCHAR AS measure, NULL::INTEGER AS year, NULL::DOUBLE AS value WHERE false"
    )  # fmt: skip
    units = "CASE WHEN per_quantity THEN coalesce(quantity, 1.0) ELSE 1.0 END"
    ratio_money = "CASE WHEN base IS NULL THEN NULL WHEN cap IS NOT NULL THEN least(base * ratio, cap) ELSE base * ratio END"
    amount = f"""CASE WHEN formula = 'fixed' THEN rule_amount * {units}
        WHEN formula = 'min' THEN rule_amount
        WHEN formula = 'ratio' AND NOT ratio_is_max THEN {ratio_money} ELSE NULL END"""
    cap = f"""CASE WHEN formula = 'max' THEN cap * {units}
        WHEN formula = 'ratio' AND ratio_is_max AND base IS NOT NULL THEN {ratio_money} ELSE cap END"""
    validity = """CASE WHEN previous_year THEN (starts IS NULL OR year(starts) <= y) AND (ends IS NULL OR year(ends) >= y)
        ELSE (starts IS NULL OR starts <= date) AND (ends IS NULL OR date <= ends) END"""
    return f"""
WITH raw AS ({measure_rows}),
numbered AS (
    SELECT *, year - row_number() OVER w AS run,
        CASE WHEN lag(year) OVER w = year - 1 THEN lag(value) OVER w END AS prev,
        max(value) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_max
    FROM raw WINDOW w AS (PARTITION BY uscc, measure ORDER BY year)
),
measured AS (
    SELECT n.uscc, n.measure, n.year, n.value, n.prev, n.prev_max,
        min(n.year) OVER (PARTITION BY n.uscc, n.measure, n.run) AS run_start, e.founded, e.region_code
    FROM numbered n JOIN enterprises e ON n.uscc = e.uscc
),
located AS (
    SELECT f.fact_key, f.uscc, f."table", f.kind, f.level, f.date, f.review, f.amount, f.quantity,
        f.doubtful, e.region_code, NULL::DOUBLE AS value, NULL::DOUBLE AS prev, NULL::DOUBLE AS prev_max,
        NULL::INTEGER AS run_start, NULL::INTEGER AS founded
    FROM facts f JOIN enterprises e ON f.uscc = e.uscc
    UNION ALL
    SELECT -row_number() OVER () AS fact_key, uscc, 'metric', measure, NULL, make_date(year, 12, 31),
        false, value, NULL, false, region_code, value, prev, prev_max, run_start, founded
    FROM measured
),
joined AS (
    SELECT l.*, r.* EXCLUDE ("table", kind), year(l.date) AS checked_year,
        CAST(year(l.date) + CASE WHEN r.previous_year THEN 1 ELSE 0 END AS INTEGER) AS y
    FROM located l JOIN rules r ON l."table" = r."table" AND l.kind = r.kind
    WHERE l.date <= DATE '{as_of.isoformat()}'
      AND (r.rule_level IS NULL OR r.rule_level = l.level)
      AND (l."table" <> 'recognition' OR l.review = r.rule_review)
      AND (r.year_only IS NULL OR year(l.date) = r.year_only)
),
triggered AS (
    SELECT *, CASE WHEN "table" = 'metric' THEN {_status("t_", "checked_year")} ELSE true END AS t_status
    FROM joined
),
candidates AS (
    SELECT *, row_number() OVER () AS row_id FROM triggered
    WHERE (t_status IS NULL OR t_status) AND y <= {as_of.year}
      AND {validity}
      AND {_plain_band("quantity", "q_low", "q_high", "q_low_inc", "q_high_inc")}
      AND {_plain_band("amount", "a_low", "a_high", "a_low_inc", "a_high_inc")}
      AND starts_with(region_code, prefix)
),
further AS (
    SELECT c.row_id, bool_or(x_status = false) AS failed, bool_or(x_status IS NULL) AS open
    FROM (
        SELECT c.row_id, {_status("x.x_", "c.checked_year + x.x_offset", "m.")} AS x_status
        FROM candidates c JOIN extra x ON c.rule = x.rule
        LEFT JOIN measured m ON m.uscc = c.uscc AND m.measure = x.x_measure AND m.year = c.checked_year + x.x_offset
    ) c
    GROUP BY c.row_id
),
base_sums AS (
    SELECT uscc, kind AS base_event, year(date) AS base_year, sum(amount) AS base_sum
    FROM facts WHERE "table" = 'event' AND kind IN (SELECT base_event FROM rules WHERE base_event IS NOT NULL)
    GROUP BY ALL
),
priced AS (
    SELECT c.uscc, c.rule, c.fact_key, c."table", c.kind, c.date, c.y AS year,
        (c.t_status IS NULL OR c.doubtful OR coalesce(x.open, false)) AS open,
        CASE WHEN c."table" = 'event' THEN c.amount ELSE b.base_sum END AS base,
        c.formula, c.rule_amount, c.cap, c.ratio, c.ratio_is_max, c.per_quantity, c.quantity
    FROM candidates c
    LEFT JOIN further x ON x.row_id = c.row_id
    LEFT JOIN base_sums b ON b.uscc = c.uscc AND b.base_event = c.base_event AND b.base_year = year(c.date)
    WHERE NOT coalesce(x.failed, false)
),
money AS (
    SELECT p.*, {_round(amount)} AS amount_wan, {_round(cap)} AS cap_wan, m."grant", m.doc_date,
        m.doc_region, m.supersedes
    FROM priced p JOIN meta m ON m.rule = p.rule
),
offered AS (
    SELECT *, sum(coalesce(amount_wan, cap_wan, -1.0)) OVER (PARTITION BY fact_key, "grant") AS offer,
        coalesce(doc_date < max(doc_date) FILTER (WHERE supersedes AND doc_date IS NOT NULL)
            OVER (PARTITION BY fact_key, doc_region), false) AS superseded
    FROM money
),
winners AS (
    SELECT fact_key, first("grant" ORDER BY offer DESC, "grant") AS win_grant
    FROM offered WHERE NOT superseded GROUP BY fact_key
)
SELECT o.uscc, o.rule, o.fact_key, o."table", o.kind, o.date, o.year, o.amount_wan, o.cap_wan, o.open,
    CASE WHEN o."grant" = w.win_grant THEN '享受' ELSE '不重复享受' END AS status
FROM offered o LEFT JOIN winners w ON w.fact_key = o.fact_key
"""


def match(
    enterprises: pl.DataFrame,
    facts: pl.DataFrame,
    figures: pl.DataFrame,
    rules: Sequence[Rule],
    as_of: dt.date,
    con: duckdb.DuckDBPyConnection | None = None,
) -> pl.DataFrame:
    """Run :func:`query` on the frames (registered with DuckDB as Arrow, not copied).

    ``enterprises``: uscc, region_code, founded; ``facts``: :func:`huiqi.match.engine.facts_frame`;
    ``figures``: :func:`huiqi.match.figures.annual` (uscc, indicator, year, value).
    """
    con = con or duckdb.connect()
    tables = {
        "enterprises": enterprises.select("uscc", "region_code", "founded"),
        "facts": facts.select(
            "fact_key", "uscc", "table", "kind", "level", "date", "review", "amount", "quantity", "doubtful"
        ),
        "figures": figures.select("uscc", "indicator", "year", "value"),
        "rules": rules_frame(rules),
        "extra": extra_tests_frame(rules),
        "meta": rule_meta(rules).select("rule", "grant", "doc_date", "doc_region", "supersedes"),
    }
    for name, frame in tables.items():
        con.register(name, frame.to_arrow())
    result = pl.from_arrow(con.sql(query(rules, as_of)).arrow())
    for name in tables:
        con.unregister(name)
    assert isinstance(result, pl.DataFrame)
    return result


def same_decisions(engine_rows: pl.DataFrame, sql_rows: pl.DataFrame) -> tuple[bool, str]:
    """Whether both sides decided the same: the same (enterprise, rule, fact, year) rows with the
    same amount and ceiling to 0.01元, status and doubt. A figure's fact is named by its measure and year
    (each side numbers its own)."""

    def keyed(frame: pl.DataFrame, open_col: pl.Expr) -> pl.DataFrame:
        return frame.select(
            "uscc", "rule", "kind", "date", "year", "status",
            pl.col("amount_wan").round(6), pl.col("cap_wan").round(6),  # to 0.01元 (the last bit may differ)
            fact=pl.when(pl.col("table") == "metric").then(-1).otherwise(pl.col("fact_key")),
            open=open_col,
        ).sort(pl.all())  # fmt: skip

    mine = keyed(engine_rows, pl.col("doubt").is_not_null())
    theirs = keyed(sql_rows, pl.col("open"))
    if mine.height != sql_rows.height:
        return False, f"{mine.height:,} rows against {sql_rows.height:,}"
    differing = mine.with_row_index().join(theirs.with_row_index(), on="index", suffix="_sql")
    columns = [c for c in mine.columns]
    bad = differing.filter(pl.any_horizontal(~pl.col(c).eq_missing(pl.col(f"{c}_sql")) for c in columns))
    if bad.height:
        return False, f"{bad.height:,} of {mine.height:,} rows differ, e.g. {bad.row(0, named=True)}"
    return True, f"all {mine.height:,} rows equal"
