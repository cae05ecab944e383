"""Column-wise evaluation of every enterprise against every rule (政策找企业).

Inputs are Polars frames (the registry as columns) and a list of :class:`Rule`; the output is
one frame of candidate entitlements, one row per enterprise × rule × triggering fact, before
stacking (:mod:`huiqi.match.stacking`). Nothing here loops over enterprises: facts are joined
to rules on (table, kind) and every condition is a column expression.

Facts are the union of recognitions and events::

    fact_key  uscc  table  kind  level  date  review  amount  quantity

``fact_key`` is an integer made from the row's id: 2·id for a recognition, 2·id+1 for an event,
so grouping by fact is grouping by one integer column.

The funding year of a fact is its own year, or the next one for 上年度 rules. A fact counts when
it happened on or before ``as_of``, inside the document's validity (for 上年度: the funding
year overlaps it), at the rule's level and first-grant/复核 status, in the document's
jurisdiction, inside the rule's quantity and amount bands, and in ``year`` when one is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from huiqi.money import round_wan_expr
from huiqi.registry.codes import region_prefix
from huiqi.rules.model import Rule

FACT_SCHEMA = {
    "fact_key": pl.Int64,
    "uscc": pl.String,
    "table": pl.String,
    "kind": pl.String,
    "level": pl.String,
    "date": pl.Date,
    "review": pl.Boolean,
    "amount": pl.Float64,
    "quantity": pl.Float64,
    "doubtful": pl.Boolean,
}


def facts_frame(
    recognitions: pl.DataFrame, events: pl.DataFrame, enterprises: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Recognitions and events (each with an integer ``fact_id``) as one fact table.

    With ``enterprises`` (``uscc``, ``region_code``) each fact also carries its enterprise's
    district, which :func:`evaluate` then uses instead of joining by credit code on every run.
    ``doubtful`` marks a fact stored as a probable duplicate of another (``near_duplicate_of``).
    """

    def doubtful(frame: pl.DataFrame) -> pl.Expr:
        if "near_duplicate_of" in frame.columns:
            return pl.col("near_duplicate_of").is_not_null().alias("doubtful")
        return pl.lit(False).alias("doubtful")

    rec = recognitions.select(
        (pl.col("fact_id").cast(pl.Int64) * 2).alias("fact_key"),
        pl.col("uscc"),
        pl.lit("recognition").alias("table"),
        pl.col("kind"),
        pl.col("level").cast(pl.String),
        pl.col("granted_on").alias("date"),
        pl.col("review").fill_null(False),
        pl.lit(None, pl.Float64).alias("amount"),
        pl.lit(None, pl.Float64).alias("quantity"),
        doubtful(recognitions),
    )
    ev = events.select(
        (pl.col("fact_id").cast(pl.Int64) * 2 + 1).alias("fact_key"),
        pl.col("uscc"),
        pl.lit("event").alias("table"),
        pl.col("kind"),
        pl.col("level").cast(pl.String),
        pl.col("occurred_on").alias("date"),
        pl.lit(False).alias("review"),
        pl.col("amount_wan").cast(pl.Float64).alias("amount"),
        pl.col("quantity").cast(pl.Float64).alias("quantity"),
        doubtful(events),
    )
    facts = pl.concat([rec.cast(FACT_SCHEMA), ev.cast(FACT_SCHEMA)])
    if enterprises is not None:
        facts = facts.join(enterprises.select("uscc", "region_code"), on="uscc", how="inner")
    return facts


def rules_frame(rules: Sequence[Rule]) -> pl.DataFrame:
    """One row per rule × triggering kind, with every parameter the evaluation needs."""
    rows = []
    for index, rule in enumerate(rules):
        for kind, level in zip(rule.fact_kinds, rule.kind_levels, strict=True):
            q, a = rule.quantity, rule.amount
            rows.append(
                {
                    "rule": index,
                    "table": rule.table,
                    "kind": kind,
                    "rule_level": level,
                    "year_only": rule.year_only,
                    "rule_review": bool(rule.review),
                    "previous_year": rule.window == "previous_year",
                    "starts": rule.starts,
                    "ends": rule.ends,
                    "prefix": region_prefix(rule.region_code) if rule.region_code else "",
                    "formula": rule.kind,
                    "rule_amount": rule.amount_wan,
                    "cap": rule.cap_wan,
                    "ratio": rule.ratio,
                    "ratio_is_max": rule.ratio_is_max,
                    "per_quantity": rule.per_quantity,
                    "base_event": rule.base_event,
                    "q_low": q.low if q else None,
                    "q_high": q.high if q else None,
                    "q_low_inc": q.low_inclusive if q else True,
                    "q_high_inc": q.high_inclusive if q else True,
                    "a_low": a.low if a else None,
                    "a_high": a.high if a else None,
                    "a_low_inc": a.low_inclusive if a else True,
                    "a_high_inc": a.high_inclusive if a else True,
                }
            )
    schema = {
        "rule": pl.Int32,
        "table": pl.String,
        "kind": pl.String,
        "rule_level": pl.String,
        "year_only": pl.Int32,
        "rule_review": pl.Boolean,
        "previous_year": pl.Boolean,
        "starts": pl.Date,
        "ends": pl.Date,
        "prefix": pl.String,
        "formula": pl.String,
        "rule_amount": pl.Float64,
        "cap": pl.Float64,
        "ratio": pl.Float64,
        "ratio_is_max": pl.Boolean,
        "per_quantity": pl.Boolean,
        "base_event": pl.String,
        "q_low": pl.Float64,
        "q_high": pl.Float64,
        "q_low_inc": pl.Boolean,
        "q_high_inc": pl.Boolean,
        "a_low": pl.Float64,
        "a_high": pl.Float64,
        "a_low_inc": pl.Boolean,
        "a_high_inc": pl.Boolean,
    }
    return pl.DataFrame(rows, schema=schema)


def _band(value: str, low: str, high: str, low_inc: str, high_inc: str) -> pl.Expr:
    v = pl.col(value)
    above = pl.when(pl.col(low_inc)).then(v >= pl.col(low)).otherwise(v > pl.col(low))
    below = pl.when(pl.col(high_inc)).then(v <= pl.col(high)).otherwise(v < pl.col(high))
    no_band = pl.col(low).is_null() & pl.col(high).is_null()
    return no_band | (v.is_not_null() & (pl.col(low).is_null() | above) & (pl.col(high).is_null() | below))


def evaluate(
    enterprises: pl.DataFrame,
    facts: pl.DataFrame,
    rules: Sequence[Rule],
    as_of: dt.date,
    year: int | None = None,
) -> pl.DataFrame:
    """Candidate entitlements: enterprise × rule × fact with ``year`` and ``amount``/``cap``.

    ``enterprises`` needs ``uscc`` and ``region_code``; ``facts`` is :func:`facts_frame`.
    Returned columns: uscc, rule, fact_key, kind, level, date, amount (the fact's), quantity,
    year, amount_wan (null when the text leaves it to be decided), cap_wan.
    """
    rf = rules_frame(rules)
    if rf.is_empty() or facts.is_empty():
        return _empty()
    kinds = rf.select("table", "kind").unique().lazy()
    located = facts.lazy()
    if "region_code" not in facts.columns:
        located = located.join(enterprises.lazy().select("uscc", "region_code"), on="uscc", how="inner")
    lazy = (
        located.filter(pl.col("date") <= as_of)
        .join(kinds, on=["table", "kind"], how="semi")
        .join(rf.lazy(), on=["table", "kind"], how="inner")
        .filter(pl.col("rule_level").is_null() | (pl.col("rule_level") == pl.col("level")))
        .filter((pl.col("table") == "event") | (pl.col("review") == pl.col("rule_review")))
        .filter(pl.col("year_only").is_null() | (pl.col("date").dt.year() == pl.col("year_only")))
        .with_columns(year=(pl.col("date").dt.year() + pl.col("previous_year").cast(pl.Int32)).cast(pl.Int32))
        .filter(pl.col("year") <= as_of.year)
    )
    if year is not None:
        lazy = lazy.filter(pl.col("year") == year)
    in_validity = (
        pl.when(pl.col("previous_year"))
        .then(
            (pl.col("starts").is_null() | (pl.col("starts").dt.year() <= pl.col("year")))
            & (pl.col("ends").is_null() | (pl.col("ends").dt.year() >= pl.col("year")))
        )
        .otherwise(
            (pl.col("starts").is_null() | (pl.col("starts") <= pl.col("date")))
            & (pl.col("ends").is_null() | (pl.col("date") <= pl.col("ends")))
        )
    )
    lazy = (
        lazy.filter(in_validity)
        .filter(_band("quantity", "q_low", "q_high", "q_low_inc", "q_high_inc"))
        .filter(_band("amount", "a_low", "a_high", "a_low_inc", "a_high_inc"))
        .filter(pl.col("region_code").str.starts_with(pl.col("prefix")))
    )
    lazy = _with_base(lazy, facts, {r.base_event for r in rules if r.base_event})
    units = pl.when(pl.col("per_quantity")).then(pl.col("quantity").fill_null(1.0)).otherwise(1.0)
    ratio_amount = pl.col("base") * pl.col("ratio")
    capped = pl.when(pl.col("base").is_null()).then(None)
    capped = capped.when(pl.col("cap").is_not_null()).then(pl.min_horizontal(ratio_amount, pl.col("cap")))
    ratio_money = capped.otherwise(ratio_amount)
    # amount_wan is money owed as computed; a ceiling (最高, 不高于 a rate) is only cap_wan
    amount = (
        pl.when(pl.col("formula") == "fixed")
        .then(pl.col("rule_amount") * units)
        .when(pl.col("formula") == "min")
        .then(pl.col("rule_amount"))
        .when((pl.col("formula") == "ratio") & ~pl.col("ratio_is_max"))
        .then(ratio_money)
        .otherwise(None)
    )
    cap = (
        pl.when(pl.col("formula") == "max")
        .then(pl.col("cap") * units)
        .when((pl.col("formula") == "ratio") & pl.col("ratio_is_max") & pl.col("base").is_not_null())
        .then(ratio_money)
        .otherwise(pl.col("cap"))
    )
    return (
        lazy.with_columns(amount_wan=round_wan_expr(amount), cap_wan=round_wan_expr(cap))
        .select(
            "uscc",
            "rule",
            "fact_key",
            "table",
            "kind",
            "level",
            "date",
            "amount",
            "quantity",
            "year",
            "amount_wan",
            "cap_wan",
            "doubtful",
        )
        .collect()
    )


def _with_base(lazy: pl.LazyFrame, facts: pl.DataFrame, base_kinds: set[str]) -> pl.LazyFrame:
    """The base a ratio is taken of: the event's own amount, or the same year's sum of the
    rule's ``base_event`` kind for a ratio on a recognition (首台套 × 首次销售合同额)."""
    sums = (
        facts.lazy()
        .filter((pl.col("table") == "event") & pl.col("kind").is_in(sorted(base_kinds)))
        .group_by("uscc", pl.col("kind").alias("base_event"), pl.col("date").dt.year().alias("base_year"))
        .agg(pl.col("amount").sum().alias("base_sum"))
        .with_columns(pl.col("base_year").cast(pl.Int32))
    )
    return (
        lazy.with_columns(base_year=pl.col("date").dt.year().cast(pl.Int32))
        .join(sums, on=["uscc", "base_event", "base_year"], how="left")
        .with_columns(
            base=pl.when(pl.col("table") == "event").then(pl.col("amount")).otherwise(pl.col("base_sum"))
        )
    )


def _empty() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "uscc": pl.String,
            "rule": pl.Int32,
            "fact_key": pl.Int64,
            "table": pl.String,
            "kind": pl.String,
            "level": pl.String,
            "date": pl.Date,
            "amount": pl.Float64,
            "quantity": pl.Float64,
            "year": pl.Int32,
            "amount_wan": pl.Float64,
            "cap_wan": pl.Float64,
            "doubtful": pl.Boolean,
        }
    )
