"""An enterprise's annual figures as the matcher reads them (年度指标), column-wise.

:func:`measure_frame` turns the registry's annual metrics into one row per enterprise, measure
and year with what every condition on figures needs (:mod:`huiqi.rules.figures`):

    uscc  measure  year  value  prev  prev_max  run_start  founded

``value`` is the year's figure (a ratio of two indicators, 研发投入/营业收入, or a figure per 亩,
税收/用地面积, where the measure says so); ``prev`` the figure of the year before (null when the
registry has none); ``prev_max`` the highest figure of any earlier year (a running maximum, so
"first time above" is one comparison); ``run_start`` the first year of the unbroken run of
yearly figures ending in this year; ``founded`` the enterprise's year of establishment.

:func:`test_status` evaluates a test as a column: true, false, or null when the registry cannot
tell (a growth without last year's figure, a first crossing without enough history). Nothing
here loops over enterprises.
"""

from __future__ import annotations

import polars as pl

from huiqi.rules.figures import PER_MU

MEASURE_SCHEMA = {
    "uscc": pl.String,
    "measure": pl.String,
    "year": pl.Int32,
    "value": pl.Float64,
    "prev": pl.Float64,
    "prev_max": pl.Float64,
    "run_start": pl.Int32,
    "founded": pl.Int32,
}
# How many earlier years of figures make "for the first time" knowable (fewer when the
# enterprise is younger than that).
HISTORY_YEARS = 3
EPSILON = 1e-9


def annual(metrics: pl.DataFrame) -> pl.DataFrame:
    """(uscc, indicator, year, value) of the annual figures (period ``YYYY``) of a metrics frame."""
    return metrics.filter(pl.col("period").str.len_chars() == 4).select(
        "uscc",
        "indicator",
        pl.col("period").cast(pl.Int32).alias("year"),
        pl.col("value").cast(pl.Float64),
    )


def measure_frame(
    figures: pl.DataFrame, measures: set[str], founded: pl.DataFrame | None = None
) -> pl.DataFrame:
    """One row per enterprise × measure × year for ``measures`` (see the module docstring).

    ``figures`` is :func:`annual`; ``founded`` (uscc, founded) gives each enterprise's year of
    establishment when known. Each measure is laid out one column per year (a pivot, hashed,
    never sorted), so the year before, the running maximum and the unbroken run are
    comparisons across a handful of columns rather than windows over millions of rows.
    """
    if not measures or figures.is_empty():
        return pl.DataFrame(schema=MEASURE_SCHEMA)
    parts = [_one_measure(figures, measure) for measure in sorted(measures)]
    frame = pl.concat(
        [p for p in parts if not p.is_empty()] or [pl.DataFrame(schema=MEASURE_SCHEMA)],
        how="diagonal_relaxed",
    )
    if founded is not None and not founded.is_empty():
        frame = frame.join(founded.select("uscc", pl.col("founded").cast(pl.Int32)), on="uscc", how="left")
    else:
        frame = frame.with_columns(founded=pl.lit(None, pl.Int32))
    return frame.select(list(MEASURE_SCHEMA)).cast(MEASURE_SCHEMA)


def _one_measure(figures: pl.DataFrame, measure: str) -> pl.DataFrame:
    names = measure.split("/")
    long = figures.filter(pl.col("indicator") == names[0]).select("uscc", "year", "value")
    if len(names) == 2:
        base = figures.filter(pl.col("indicator") == names[1]).select("uscc", "year", base=pl.col("value"))
        long = (
            long.join(base, on=["uscc", "year"], how="inner")
            .filter(pl.col("base") > 0)
            .select("uscc", "year", value=pl.col("value") / pl.col("base"))
        )
    if long.is_empty():
        return pl.DataFrame(schema=MEASURE_SCHEMA)
    wide = long.pivot(on="year", index="uscc", values="value", aggregate_function="first")
    years = sorted(int(c) for c in wide.columns if c != "uscc")
    rows = []
    run_start: pl.Expr = pl.lit(None, pl.Int32)
    for i, year in enumerate(years):
        now = pl.col(str(year))
        before = str(year - 1)
        prev = pl.col(before) if before in wide.columns else pl.lit(None, pl.Float64)
        earlier = [pl.col(str(y)) for y in years[:i]]
        prev_max = pl.max_horizontal(earlier) if earlier else pl.lit(None, pl.Float64)
        run_start = (
            pl.when(prev.is_not_null()).then(run_start).otherwise(pl.lit(year)) if i else pl.lit(year)
        ).cast(pl.Int32)
        rows.append(
            wide.filter(now.is_not_null()).select(
                "uscc",
                measure=pl.lit(measure),
                year=pl.lit(year, pl.Int32),
                value=now,
                prev=prev,
                prev_max=prev_max,
                run_start=run_start,
            )
        )
    return pl.concat(rows)


def in_band(value: pl.Expr, prefix: str = "") -> pl.Expr:
    """Whether ``value`` lies in the band of columns ``{prefix}lo``, ``hi``, ``lo_inc``, ``hi_inc``.

    Figures are compared with a tolerance of :data:`EPSILON` (relative), so that a growth of
    exactly 20% computed in binary floating point still counts as 20%.
    """
    lo, hi = pl.col(f"{prefix}lo"), pl.col(f"{prefix}hi")
    lo_eps = lo.abs().clip(lower_bound=1.0) * EPSILON
    hi_eps = hi.abs().clip(lower_bound=1.0) * EPSILON
    above = pl.when(pl.col(f"{prefix}lo_inc")).then(value >= lo - lo_eps).otherwise(value > lo + lo_eps)
    below = pl.when(pl.col(f"{prefix}hi_inc")).then(value <= hi + hi_eps).otherwise(value < hi - hi_eps)
    return (lo.is_null() | above) & (hi.is_null() | below)


def test_status(prefix: str = "", year: pl.Expr | None = None) -> pl.Expr:
    """True / false / null (cannot tell) for the test in columns ``{prefix}test`` and the band,
    on a row of :func:`measure_frame` (``value`` null: the registry lacks the year's figure).
    ``year`` is the year the figures are of (default the column ``year``)."""
    year = pl.col("year") if year is None else year
    test = pl.col(f"{prefix}test")
    value, prev = pl.col("value"), pl.col("prev")
    level = in_band(value, prefix)
    reached_before = pl.col("prev_max").is_not_null() & in_band(pl.col("prev_max"), prefix)
    need = pl.min_horizontal(pl.lit(HISTORY_YEARS), year - pl.col("founded")).fill_null(HISTORY_YEARS)
    known_history = (year - pl.col("run_start")) >= need
    first = (
        pl.when(~level)
        .then(False)
        .when(reached_before)
        .then(False)
        .when(known_history)
        .then(True)
        .otherwise(None)
    )
    new_firm = pl.col("founded").is_not_null() & (pl.col("founded") >= year)
    growth = (
        pl.when(prev.is_null() & new_firm)
        .then(False)
        .when(prev.is_null() | (prev <= 0))
        .then(None)
        .otherwise(in_band((value - prev) / prev, prefix))
    )
    increase = (
        pl.when(prev.is_null() & new_firm)
        .then(False)
        .when(prev.is_null())
        .then(None)
        .otherwise(in_band(value - prev, prefix))
    )
    status = (
        pl.when(test == "first")
        .then(first)
        .when(test == "growth")
        .then(growth)
        .when(test == "increase")
        .then(increase)
        .otherwise(level)
    )
    return pl.when(value.is_null()).then(None).otherwise(status)


def doubt_text(prefix: str, measure: pl.Expr, year: pl.Expr) -> pl.Expr:
    """Why a test on ``measure`` for ``year`` could not be decided, in Chinese."""
    before = (year - 1).cast(pl.String)
    year = year.cast(pl.String)
    return (
        pl.when(pl.col("value").is_null())
        .then(pl.format("缺少{}年{}数据,需核实", year, measure))
        .when(pl.col(f"{prefix}test") == "first")
        .then(
            pl.format(
                "{}的登记数据始于{}年,无法确认{}年是否首次达到,需核实", measure, pl.col("run_start"), year
            )
        )
        .otherwise(pl.format("缺少{}年的{}数据,无法计算变化,需核实", before, measure))
    )


def per_mu(measure: str) -> bool:
    """Whether a measure is a figure per 亩 of land."""
    return measure.endswith(f"/{PER_MU}")
