"""An enterprise's annual figures as the matcher reads them (年度指标), column-wise.

:func:`measure_frame` lays the registry's annual metrics out as a :class:`MeasureTable`: per
measure, one row per enterprise and one column per year. Its :meth:`MeasureTable.rows` gives one
row per enterprise, measure and year with what every condition on figures needs
(:mod:`huiqi.rules.figures`), only for the rows asked for:

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

from dataclasses import dataclass, field

import polars as pl

from huiqi.money import round_wan_expr
from huiqi.rules.conditions import Band
from huiqi.rules.figures import PER_MU, MetricTest
from huiqi.rules.vocabulary import load_vocabulary

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


@dataclass(frozen=True)
class MeasureTable:
    """年度指标表: per measure, a frame with one row per enterprise (``uscc``, ``founded`` and,
    when the enterprises were given with it, ``region_code``) and one column per year (``2024``).

    The wide layout is the compact one (an enterprise's key once per measure, not once per year);
    :meth:`rows` writes long rows only for what a caller needs, filtered while they are made.
    """

    wide: dict[str, pl.DataFrame] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not any(frame.height for frame in self.wide.values())

    @property
    def has_region(self) -> bool:
        return any("region_code" in frame.columns for frame in self.wide.values())

    def rows(
        self,
        measures: set[str] | None = None,
        keep: dict[str, pl.Expr] | None = None,
        region: bool = False,
    ) -> pl.LazyFrame:
        """Long rows (:data:`MEASURE_SCHEMA`, plus ``region_code`` when ``region``) of ``measures``
        (all when None); ``keep`` maps a measure to a filter on those columns, applied to each
        year's rows as they are made."""
        schema = MEASURE_SCHEMA | ({"region_code": pl.String} if region else {})
        parts = []
        for measure in sorted(self.wide if measures is None else measures & self.wide.keys()):
            table = self.wide[measure].lazy()
            years = _year_columns(self.wide[measure])
            run_start: pl.Expr = pl.lit(None, pl.Int32)
            for i, year in enumerate(years):
                now = pl.col(str(year))
                prev = pl.col(str(year - 1)) if year - 1 in years else pl.lit(None, pl.Float64)
                earlier = [pl.col(str(y)) for y in years[:i]]
                prev_max = pl.max_horizontal(earlier) if earlier else pl.lit(None, pl.Float64)
                run_start = (
                    pl.when(prev.is_not_null()).then(run_start).otherwise(pl.lit(year)) if i else pl.lit(year)
                ).cast(pl.Int32)
                part = table.filter(now.is_not_null()).select(
                    "uscc",
                    measure=pl.lit(measure),
                    year=pl.lit(year, pl.Int32),
                    value=now.cast(pl.Float64),
                    prev=prev.cast(pl.Float64),
                    prev_max=prev_max.cast(pl.Float64),
                    run_start=run_start,
                    founded=pl.col("founded"),
                    **({"region_code": pl.col("region_code")} if region else {}),
                )
                if keep is not None and measure in keep:
                    part = part.filter(keep[measure])
                parts.append(part)
        if not parts:
            return pl.LazyFrame(schema=schema)
        return pl.concat(parts, how="vertical")

    def frame(self) -> pl.DataFrame:
        """Every long row (for inspection and tests; the matcher asks :meth:`rows` for less)."""
        return self.rows().collect()


def measure_frame(
    figures: pl.DataFrame, measures: set[str], enterprises: pl.DataFrame | None = None
) -> MeasureTable:
    """The :class:`MeasureTable` of ``measures`` (see the module docstring).

    ``figures`` is :func:`annual`; ``enterprises`` (uscc, founded, and optionally region_code)
    gives each enterprise's year of establishment when known, and its region for the matcher.
    Each indicator is laid out once, one column per year (a pivot, hashed, never sorted); a
    ratio of two indicators divides their columns; the year before, the running maximum and
    the unbroken run are then comparisons across a handful of columns rather than windows over
    millions of rows.
    """
    if not measures or figures.is_empty():
        return MeasureTable()
    indicators = sorted({name for measure in measures for name in measure.split("/")})
    # one pivot for every indicator and year, so the enterprises' keys are hashed once; the
    # column of indicator i's year y is named i * 10000 + y
    code = pl.col("indicator").cast(pl.Enum(indicators)).to_physical().cast(pl.Int32)
    wide = (
        figures.filter(pl.col("indicator").is_in(indicators))
        .select("uscc", key=code * _YEARS + pl.col("year"), value=pl.col("value").cast(pl.Float64))
        .pivot(on="key", index="uscc", values="value", aggregate_function="first")
    )
    wide = wide.rename(
        {c: f"{indicators[int(c) // _YEARS]}{_KEY}{int(c) % _YEARS}" for c in wide.columns if c.isdigit()}
    )
    if enterprises is not None and not enterprises.is_empty():
        extra = ["region_code"] if "region_code" in enterprises.columns else []
        known = enterprises.select("uscc", pl.col("founded").cast(pl.Int32), *extra)
        wide = wide.join(known, on="uscc", how="left")
    else:
        wide = wide.with_columns(founded=pl.lit(None, pl.Int32))
    years: dict[str, list[int]] = {}
    for column in wide.columns:
        name, _, year = column.rpartition(_KEY)
        if name and year.isdigit():
            years.setdefault(name, []).append(int(year))
    tables = {measure: _one_measure(wide, years, measure) for measure in sorted(measures)}
    return MeasureTable({m: t for m, t in tables.items() if t is not None})


_KEY = "|"
_YEARS = 10000


def _year_columns(frame: pl.DataFrame) -> list[int]:
    return sorted(int(c) for c in frame.columns if c.isdigit())


def _one_measure(wide: pl.DataFrame, years: dict[str, list[int]], measure: str) -> pl.DataFrame | None:
    """The measure's year columns (``2024``) beside each enterprise's keys, from the pivot."""
    names = measure.split("/")
    if any(name not in years for name in names):
        return None
    keys = [c for c in ("uscc", "founded", "region_code") if c in wide.columns]

    def figure(name: str, year: int) -> pl.Expr:
        return pl.col(f"{name}{_KEY}{year}")

    if len(names) == 1:
        columns = [figure(measure, y).alias(str(y)) for y in sorted(years[measure])]
        present = pl.any_horizontal(figure(measure, y).is_not_null() for y in years[measure])
    else:  # a ratio: the year's figure over the base's, where the base is positive
        common = sorted(set(years[names[0]]) & set(years[names[1]]))
        if not common:
            return None
        columns = [
            pl.when(figure(names[1], y) > 0).then(figure(names[0], y) / figure(names[1], y)).alias(str(y))
            for y in common
        ]
        present = pl.any_horizontal(
            figure(names[0], y).is_not_null() & figure(names[1], y).is_not_null() for y in common
        )
    return wide.filter(present).select(*keys, *columns)


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


def literal_band(value: pl.Expr, band: Band) -> pl.Expr:
    """Whether ``value`` lies in ``band`` with :func:`in_band`'s tolerance, the band as constants."""
    held = pl.lit(True)
    if band.low is not None:
        eps = max(abs(band.low), 1.0) * EPSILON
        held = held & (value >= band.low - eps if band.low_inclusive else value > band.low + eps)
    if band.high is not None:
        eps = max(abs(band.high), 1.0) * EPSILON
        held = held & (value <= band.high + eps if band.high_inclusive else value < band.high - eps)
    return held


def may_hold(test: MetricTest) -> pl.Expr:
    """A cheap necessary condition for ``test`` on a row of :func:`measure_frame`: false only
    where :func:`test_status` is certainly false (never where it cannot tell)."""
    value, prev = pl.col("value"), pl.col("prev")
    if test.test in ("level", "first"):
        return literal_band(value, test.band)
    if test.test == "growth":
        return prev.is_null() | (prev <= 0) | literal_band((value - prev) / prev, test.band)
    if test.test == "increase":
        return prev.is_null() | literal_band(value - prev, test.band)
    return pl.lit(True)


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


MEASURE_UNITS = {name: info.unit for name, info in load_vocabulary().indicators.items()}


def figures_text() -> pl.Expr:
    """``2024年营业收入12000万元(2023年8000万元)`` for a metric fact row of the matcher's output
    (``kind`` the measure, ``date`` the year's last day, ``amount`` the figure, ``prev`` the one
    of the year before)."""
    year = pl.col("date").dt.year()
    per_mu = pl.col("kind").str.ends_with(f"/{PER_MU}")
    ratio = pl.col("kind").str.contains("/") & ~per_mu
    unit = pl.col("kind").str.split("/").list.first().replace_strict(MEASURE_UNITS, default="")
    suffix = (
        pl.when(ratio)
        .then(pl.lit("%"))
        .when(per_mu)
        .then(pl.concat_str([unit, pl.lit("/亩")]))
        .otherwise(unit)
    )

    def shown(value: pl.Expr) -> pl.Expr:  # one number, one cast: 5.25% or 12000万元
        number = pl.when(ratio).then((value * 100).round(2)).otherwise(round_wan_expr(value))
        return pl.concat_str([number.cast(pl.String).str.strip_suffix(".0"), suffix])

    now = pl.format("{}年{}{}", year.cast(pl.String), pl.col("kind"), shown(pl.col("amount")))
    before = pl.format("({}年{})", (year - 1).cast(pl.String), shown(pl.col("prev")))
    return pl.when(pl.col("prev").is_not_null()).then(pl.concat_str([now, before])).otherwise(now)
