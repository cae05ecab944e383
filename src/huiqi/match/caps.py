"""Per-enterprise limits (每家企业限额) on what one enterprise gets under a document, column-wise.

A document may say 每家企业每年累计不超过300万元 (a fixed sum), or, as seed 002 does, that the
district money one enterprise gets in a year may not exceed the district's retained share of
the new tax it brought (当年新增税收区留成财力). The extractor types each such sentence
(:class:`huiqi.rules.model.Limit`: basis, amount, period, the budget levels it limits, the
articles it covers) and the compiler attaches it to the rules it covers. Here, after stacking:

* the money a limit covers is summed per enterprise and per period (a funding year, one
  triggering fact for a per-project limit, or the whole policy) — only the covered budget
  levels' shares when the limit names them (区级各项奖励), else the whole amount;
* the limit is the fixed sum, or the tax figure × the retained share: ``max(0, 税收(Y) − 税收(Y−1))
  × retention`` for new tax, ``税收(Y) × retention`` for tax;
* above the limit, the covered money of every grant is cut in the same proportion (other
  budget levels' shares are untouched) and the reason says so; a grant left with nothing is
  已达上限; a limit whose figure cannot be known (tax not in the registry, or a limit the text
  does not quantify) makes the grants it covers 需申报, with the reason.

``retention`` (the share of tax a district keeps) is not in any document: it is a money
parameter an admin sets per region, versioned (``payout/parameters.py``, default 1.0, the
loosest limit), and every match run records the versions it used.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from huiqi.match.stacking import PAID
from huiqi.money import format_wan_expr, round_wan_expr, sum_wan_expr
from huiqi.rules.model import MODE_APPLY, Rule

CAPPED = "已达上限"  # paid nothing: the per-enterprise limit was used up by other grants


RETENTION_DEFAULT = 1.0  # the loosest limit, until an admin sets the region's real share


def district_retention() -> float:
    """The default share of tax a district keeps, when no per-region parameter is given."""
    return RETENTION_DEFAULT


def new_tax(metrics: pl.DataFrame) -> pl.DataFrame:
    """(uscc, year, tax, new_tax) from annual 税收 rows of a metrics frame (period ``YYYY``);
    ``new_tax`` is null when the year before is missing."""
    annual = (
        metrics.filter((pl.col("indicator") == "税收") & (pl.col("period").str.len_chars() == 4))
        .select("uscc", pl.col("period").cast(pl.Int32).alias("year"), pl.col("value").cast(pl.Float64))
        .sort("uscc", "year")
    )
    return annual.with_columns(
        prev=pl.col("value").shift(1).over("uscc"), prev_year=pl.col("year").shift(1).over("uscc")
    ).select(
        "uscc",
        "year",
        tax=pl.col("value"),
        new_tax=pl.when(pl.col("prev_year") == pl.col("year") - 1).then(pl.col("value") - pl.col("prev")),
    )


_LIMITS_SCHEMA = {
    "rule": pl.Int32,
    "limit_key": pl.String,
    "basis": pl.String,
    "limit_wan": pl.Float64,
    "period": pl.String,
    "limit_payers": pl.List(pl.String),
    "covered_share": pl.Float64,
    "limit_text": pl.String,
}


def limits_frame(rules: Sequence[Rule]) -> pl.DataFrame:
    """One row per rule × limit covering it, with the share of the rule's money the limit covers."""
    rows = []
    for index, rule in enumerate(rules):
        for limit in rule.limits:
            covered = sum(s for p, s in rule.payers if not limit.payers or p in limit.payers)
            rows.append(
                {
                    "rule": index,
                    "limit_key": limit.key,
                    "basis": limit.basis,
                    "limit_wan": limit.limit_wan,
                    "period": limit.period,
                    "limit_payers": list(limit.payers),
                    "covered_share": covered,
                    "limit_text": limit.describe(),
                }
            )
    return pl.DataFrame(rows, schema=_LIMITS_SCHEMA)


def apply_limits(
    frame: pl.DataFrame,
    rules: Sequence[Rule],
    tax: pl.DataFrame,
    retention: float | pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Cut what exceeds each per-enterprise limit (see the module docstring).

    ``retention`` is the share of tax the district keeps: one value, or per enterprise (a frame
    of uscc, retention; a missing value is the default, 1.0).

    Adds ``gross_wan`` (what the enterprise could get before any limit: the amount, else the
    ceiling), ``limit_factor`` (the part of the limited money kept: 1.0 when untouched) and
    ``limit_payers`` (the budget levels that factor applies to; empty: every payer).
    """
    retention = district_retention() if retention is None else retention
    rows = frame.with_row_index("row_id").with_columns(gross_wan=pl.coalesce("amount_wan", "cap_wan"))
    limits = limits_frame(rules)
    untouched = rows.with_columns(limit_factor=pl.lit(1.0), limit_payers=pl.lit([], pl.List(pl.String))).drop(
        "row_id"
    )
    if limits.is_empty() or rows.is_empty():
        return untouched
    if isinstance(retention, pl.DataFrame):
        shares = tax.join(retention.select("uscc", "retention"), on="uscc", how="left").with_columns(
            pl.col("retention").fill_null(RETENTION_DEFAULT)
        )
    else:
        shares = tax.with_columns(retention=pl.lit(float(retention)))
    figures = shares.select(
        "uscc",
        pl.col("year").cast(pl.Int32),
        (pl.max_horizontal(pl.col("new_tax"), pl.lit(0.0)) * pl.col("retention")).alias("new_tax_cap"),
        (pl.col("tax") * pl.col("retention")).alias("tax_cap"),
    )
    group = (
        pl.when(pl.col("period") == "policy")
        .then(pl.concat_str([pl.col("uscc"), pl.col("limit_key")], separator="|"))
        .when(pl.col("period") == "project")
        .then(
            pl.concat_str(
                [pl.col("uscc"), pl.col("limit_key"), pl.col("fact_key").cast(pl.String)], separator="|"
            )
        )
        .otherwise(
            pl.concat_str(
                [pl.col("uscc"), pl.col("limit_key"), pl.col("year").cast(pl.String)], separator="|"
            )
        )
    )
    covered = (
        rows.filter((pl.col("status") == PAID) & pl.col("gross_wan").is_not_null())
        .select("row_id", "uscc", "rule", "year", "fact_key", "gross_wan")
        .join(limits, on="rule", how="inner")
        .with_columns(limited=pl.col("gross_wan") * pl.col("covered_share"))
        .filter(pl.col("limited") > 0)
        .with_columns(group=group)
        # the order rows arrive in (threads, partitions) cannot change the total, nor the factor
        .with_columns(total=sum_wan_expr(pl.col("limited")).over("group"))
        .join(figures, on=["uscc", "year"], how="left")
        .with_columns(
            cap=pl.when(pl.col("basis") == "fixed")
            .then(pl.col("limit_wan"))
            .when(pl.col("basis") == "new_tax_retained")
            .then(pl.col("new_tax_cap"))
            .when(pl.col("basis") == "tax_retained")
            .then(pl.col("tax_cap"))
            .otherwise(None)
        )
        .with_columns(
            factor=pl.when(pl.col("cap").is_not_null() & (pl.col("total") > pl.col("cap")))
            .then(pl.col("cap") / pl.col("total"))
            .otherwise(1.0),
            unknown=pl.col("cap").is_null(),
            note=pl.when(pl.col("cap").is_null())
            .then(pl.format("{}:所需数据(税收等)不全或文件未写明金额,待核定", pl.col("limit_text")))
            .otherwise(
                pl.format(
                    "{}:本文件限额内奖补合计{}万元超过限额{}万元,按比例核减",
                    pl.col("limit_text"),
                    format_wan_expr(pl.col("total")),
                    format_wan_expr(pl.col("cap")),
                )
            ),
        )
        # the limit that binds hardest decides the row
        .sort("factor")
        .group_by("row_id")
        .agg(
            limit_factor=pl.col("factor").first(),
            limit_payers=pl.col("limit_payers").first(),
            covered_share=pl.col("covered_share").first(),
            unknown=pl.col("unknown").any(),
            cut_note=pl.col("note").filter(pl.col("factor") < 1.0).first(),
            open_note=pl.col("note").filter(pl.col("unknown")).first(),
        )
    )
    out = rows.join(covered, on="row_id", how="left").with_columns(
        limit_factor=pl.col("limit_factor").fill_null(1.0),
        limit_payers=pl.col("limit_payers").fill_null(pl.lit([], pl.List(pl.String))),
        unknown=pl.col("unknown").fill_null(False),
    )
    cut = pl.col("limit_factor") < 1.0
    kept = round_wan_expr(
        pl.col("gross_wan") * (1.0 - pl.col("covered_share") * (1.0 - pl.col("limit_factor")))
    )
    exact = pl.col("amount_wan").is_not_null()
    return out.with_columns(
        amount_wan=pl.when(cut & exact).then(kept).otherwise(pl.col("amount_wan")),
        cap_wan=pl.when(cut & ~exact).then(kept).otherwise(pl.col("cap_wan")),
        status=pl.when(cut & (kept <= 0)).then(pl.lit(CAPPED)).otherwise(pl.col("status")),
        mode=pl.when(pl.col("unknown")).then(pl.lit(MODE_APPLY)).otherwise(pl.col("mode")),
        reason=pl.concat_str(
            [
                pl.col("reason"),
                pl.when(cut).then(pl.col("cut_note")),
                pl.when(pl.col("unknown")).then(pl.col("open_note")),
            ],
            separator=";",
            ignore_nulls=True,
        ),
    ).drop("row_id", "covered_share", "unknown", "cut_note", "open_note")
