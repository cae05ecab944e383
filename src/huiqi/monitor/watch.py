"""百户重点企业 (the watch list) and 升规纳统 candidates.

* :func:`top_enterprises` — without an imported list, the top N by last year's 营业收入 (the
  annual figure, else the sum of that year's months).
* :func:`watch_months` — each watched enterprise's last twelve months: value, the same month a
  year before, the change; :func:`watch_summary` adds the year-to-date sums (累计) and a trend
  line (▁▂▃▄▅▆▇█ scaled between the enterprise's own lowest and highest month);
  :func:`district_totals` sums the watched enterprises by district, month by month.
* :func:`upgrade_candidates` — 规下 enterprises whose 营业收入 over the last twelve months (all
  twelve reported; else last year's annual figure) reaches ``reach`` × the 2000万元 line, the
  closest first; those already over the line come first, to be brought in now.
"""

from __future__ import annotations

import polars as pl

from huiqi.monitor import periods

_BARS = "▁▂▃▄▅▆▇█"


def top_enterprises(
    metrics: pl.DataFrame, enterprises: pl.DataFrame, year: int, top: int, indicator: str = "营业收入"
) -> pl.DataFrame:
    """(uscc, basis_value) of the ``top`` enterprises by ``indicator`` in ``year``."""
    annual = metrics.filter((pl.col("period") == str(year)) & (pl.col("indicator") == indicator)).select(
        "uscc", annual="value"
    )
    months = (
        metrics.filter(pl.col("period").str.starts_with(f"{year}-") & (pl.col("indicator") == indicator))
        .group_by("uscc")
        .agg(summed=pl.col("value").sum())
    )
    return (
        enterprises.select("uscc")
        .join(annual, on="uscc", how="left")
        .join(months, on="uscc", how="left")
        .select("uscc", basis_value=pl.coalesce("annual", "summed"))
        .filter(pl.col("basis_value").is_not_null())
        .sort(["basis_value", "uscc"], descending=[True, False])
        .head(top)
    )


def watch_months(monthly: pl.DataFrame, watched: pl.DataFrame, period: str, indicator: str) -> pl.DataFrame:
    """uscc × the twelve months to ``period``: value, previous (a year before), change."""
    recent = periods.months_back(period, 12)[::-1]
    calendar = pl.DataFrame({"period": recent, "before": [periods.shift(p, -12) for p in recent]})
    figures = monthly.filter(pl.col("indicator") == indicator).select("uscc", "period", "value")
    grid = watched.select("uscc").join(calendar, how="cross")
    return (
        grid.join(figures, on=["uscc", "period"], how="left")
        .join(figures.rename({"period": "before", "value": "previous"}), on=["uscc", "before"], how="left")
        .with_columns(change=pl.when(pl.col("previous") > 0).then(pl.col("value") / pl.col("previous") - 1))
        .drop("before")
        .sort("uscc", "period")
    )


def watch_summary(months: pl.DataFrame, period: str) -> pl.DataFrame:
    """Per enterprise: the month's value and change, year-to-date sums and change, the trend line."""
    year = period[:5]
    low, high = pl.col("value").min().over("uscc"), pl.col("value").max().over("uscc")
    level = ((pl.col("value") - low) / (high - low)).fill_nan(0.5)
    bars = pl.lit(pl.Series(list(_BARS))).gather((level * (len(_BARS) - 1)).round().cast(pl.Int64))
    marked = months.with_columns(bar=pl.when(pl.col("value").is_null()).then(pl.lit("·")).otherwise(bars))
    ytd = pl.col("period").str.starts_with(year)
    return (
        marked.group_by("uscc", maintain_order=True)
        .agg(
            value=pl.col("value").filter(pl.col("period") == period).first(),
            previous=pl.col("previous").filter(pl.col("period") == period).first(),
            change=pl.col("change").filter(pl.col("period") == period).first(),
            ytd=pl.col("value").filter(ytd).sum(),
            ytd_previous=pl.col("previous").filter(ytd).sum(),
            trend=pl.col("bar").str.join(""),
        )
        .with_columns(
            ytd_change=pl.when(pl.col("ytd_previous") > 0).then(pl.col("ytd") / pl.col("ytd_previous") - 1)
        )
    )


def district_totals(months: pl.DataFrame, enterprises: pl.DataFrame) -> pl.DataFrame:
    """region_code × month: the watched enterprises' total, a year before, the change.

    A month counts an enterprise's figure only where both years have one, so the change compares
    like with like.
    """
    both = pl.col("value").is_not_null() & pl.col("previous").is_not_null()
    return (
        months.join(enterprises.select("uscc", "region_code"), on="uscc")
        .group_by("region_code", "period")
        .agg(
            enterprises=pl.col("uscc").n_unique(),
            value=pl.col("value").filter(both).sum(),
            previous=pl.col("previous").filter(both).sum(),
        )
        .with_columns(change=pl.when(pl.col("previous") > 0).then(pl.col("value") / pl.col("previous") - 1))
        .sort("region_code", "period")
    )


def upgrade_candidates(
    metrics: pl.DataFrame,
    enterprises: pl.DataFrame,
    period: str,
    line_wan: float = 2000,
    reach: float = 0.7,
) -> pl.DataFrame:
    """规下 enterprises within reach of 规上, ranked by how close they are (``share`` of the line)."""
    recent = periods.months_back(period, 12)
    last_year = str(int(period[:4]) - 1)
    twelve = (
        metrics.filter(pl.col("period").is_in(recent) & (pl.col("indicator") == "营业收入"))
        .group_by("uscc")
        .agg(months=pl.len(), summed=pl.col("value").sum())
    )
    annual = metrics.filter((pl.col("period") == last_year) & (pl.col("indicator") == "营业收入")).select(
        "uscc", annual="value"
    )
    full = pl.col("months") == 12
    basis = f"近12个月({recent[-1]}至{recent[0]})"
    frame = (
        enterprises.filter(pl.col("scale").fill_null("规下") != "规上")
        .join(twelve, on="uscc", how="left")
        .join(annual, on="uscc", how="left")
        .with_columns(
            revenue_wan=pl.when(full).then(pl.col("summed")).otherwise(pl.col("annual")),
            basis=pl.when(full).then(pl.lit(basis)).otherwise(pl.lit(f"{last_year}年度")),
        )
        .filter(pl.col("revenue_wan") >= reach * line_wan)
    )
    return (
        frame.with_columns(
            revenue_wan=pl.col("revenue_wan").round(2),
            gap_wan=(line_wan - pl.col("revenue_wan")).round(2),
            share=(pl.col("revenue_wan") / line_wan).round(4),
        )
        .sort(["share", "uscc"], descending=[True, False])
        .select("uscc", "name", "region_code", "revenue_wan", "basis", "gap_wan", "share")
    )
