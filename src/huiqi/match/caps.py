"""Per-enterprise caps (单个企业年度上限) on district-level money, column-wise.

A document may cap what one enterprise receives from the district budget in a year; 002 caps
it at the enterprise's 当年新增税收区留成财力 — the district's retained share of the tax the
enterprise added that year. The cap is computed from the registry's annual 税收 metric:

    cap = max(0, 税收(Y) − 税收(Y−1)) × district_retention

``district_retention`` is the share of new tax the district keeps; it differs by place and tax
type and is not in any document, so it is a setting (``HUIQI_DISTRICT_RETENTION``, default 1.0:
the whole new tax, i.e. the loosest cap — an officer should set the real share). When the
district shares of the enterprise's paid entitlements under that document exceed the cap they
are cut in proportion; when the two years of 税收 are not in the registry the cap cannot be
known and those entitlements become 需申报 with the reason. City and province shares are never
touched.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import polars as pl

from huiqi.match.stacking import PAID
from huiqi.money import format_wan_expr, round_wan_expr
from huiqi.rules.model import MODE_APPLY, Rule

CAPPED = "已达上限"  # paid nothing: the per-enterprise cap was used up by other grants

DISTRICT_PAYERS = frozenset({"区级", "县级", "区县级"})


def district_retention() -> float:
    """The share of new tax a district keeps (``HUIQI_DISTRICT_RETENTION``, default 1.0)."""
    return float(os.environ.get("HUIQI_DISTRICT_RETENTION", "1.0"))


def district_share(rule: Rule) -> float:
    """The share of a rule's amount paid by the district budget."""
    return sum(share for payer, share in rule.payers if payer in DISTRICT_PAYERS)


def new_tax(metrics: pl.DataFrame) -> pl.DataFrame:
    """(uscc, year, new_tax) from annual 税收 rows of a metrics frame (period ``YYYY``)."""
    annual = (
        metrics.filter((pl.col("indicator") == "税收") & (pl.col("period").str.len_chars() == 4))
        .select("uscc", pl.col("period").cast(pl.Int32).alias("year"), pl.col("value").cast(pl.Float64))
        .sort("uscc", "year")
    )
    return (
        annual.with_columns(
            prev=pl.col("value").shift(1).over("uscc"), prev_year=pl.col("year").shift(1).over("uscc")
        )
        .filter(pl.col("prev_year") == pl.col("year") - 1)
        .select("uscc", "year", new_tax=pl.col("value") - pl.col("prev"))
    )


def apply_district_caps(
    frame: pl.DataFrame, rules: Sequence[Rule], tax: pl.DataFrame, retention: float | None = None
) -> pl.DataFrame:
    """Cut district shares above the cap.

    Adds ``gross_wan`` (what the enterprise could get before the cap: the amount, else the
    ceiling) and ``district_factor`` (the part of the district share kept: 1.0 when
    untouched), from which each payer's money follows. A ceiling is cut like an amount.
    """
    retention = district_retention() if retention is None else retention
    shares = pl.DataFrame(
        {
            "rule": list(range(len(rules))),
            "district_share": [district_share(r) if r.caps_district_share else 0.0 for r in rules],
        },
        schema={"rule": pl.Int32, "district_share": pl.Float64},
    )
    # what the enterprise could get: the amount owed, else the ceiling (最高, 不高于 a rate)
    offer = pl.coalesce("amount_wan", "cap_wan")
    rows = frame.join(shares, on="rule", how="left").with_columns(
        exact=pl.col("amount_wan").is_not_null(),
        offer=offer,
        district_amount=pl.when(
            (pl.col("status") == PAID) & (pl.col("district_share") > 0) & offer.is_not_null()
        )
        .then(offer * pl.col("district_share"))
        .otherwise(0.0),
    )
    caps = tax.select(
        "uscc", pl.col("year").cast(pl.Int32), cap=pl.max_horizontal(pl.col("new_tax"), 0.0) * retention
    )
    rows = rows.with_columns(
        district_total=pl.col("district_amount").sum().over("uscc", "year", "document")
    ).join(caps, on=["uscc", "year"], how="left")
    touched = pl.col("district_amount") > 0
    over = touched & pl.col("cap").is_not_null() & (pl.col("district_total") > pl.col("cap"))
    unknown = touched & pl.col("cap").is_null()
    factor = pl.when(over).then(pl.col("cap") / pl.col("district_total")).otherwise(1.0)
    kept = round_wan_expr(pl.col("offer") - pl.col("district_amount") * (1 - factor))
    return rows.with_columns(
        district_factor=factor,
        gross_wan=pl.col("offer"),
        amount_wan=pl.when(over & pl.col("exact")).then(kept).otherwise(pl.col("amount_wan")),
        cap_wan=pl.when(over & ~pl.col("exact")).then(kept).otherwise(pl.col("cap_wan")),
        mode=pl.when(unknown).then(pl.lit(MODE_APPLY)).otherwise(pl.col("mode")),
        status=pl.when(over & (kept <= 0)).then(pl.lit(CAPPED)).otherwise(pl.col("status")),
        reason=pl.when(over)
        .then(
            pl.format(
                "{};区级奖补合计{}万元超过当年新增税收区留成{}万元,区级部分按比例核减",
                pl.col("reason"),
                format_wan_expr(pl.col("district_total")),
                format_wan_expr(pl.col("cap")),
            )
        )
        .when(unknown)
        .then(pl.format("{};区级部分以当年新增税收区留成财力为限,缺少两年税收数据,待核定", pl.col("reason")))
        .otherwise(pl.col("reason")),
    ).drop("district_share", "district_amount", "district_total", "cap", "offer", "exact")
