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

from huiqi.match.figures import MEASURE_SCHEMA, MeasureTable, doubt_text, may_hold
from huiqi.match.figures import test_status as figure_test
from huiqi.money import round_wan_expr
from huiqi.registry.codes import region_prefix
from huiqi.rules.model import Rule

DOUBTFUL_REASON = "该记录与另一条同类记录日期相近,可能是更正后重复导入,需核实后兑现"

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
    "ref": pl.String,
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

    def ref(frame: pl.DataFrame) -> pl.Expr:  # a derived fact names itself (c:EDITION:PRODUCT …)
        return (pl.col("ref") if "ref" in frame.columns else pl.lit(None, pl.String)).alias("ref")

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
        ref(recognitions),
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
        ref(events),
    )
    facts = pl.concat([rec.cast(FACT_SCHEMA), ev.cast(FACT_SCHEMA)])
    if enterprises is not None:
        facts = facts.join(enterprises.select("uscc", "region_code"), on="uscc", how="inner")
    return facts


def rules_frame(rules: Sequence[Rule]) -> pl.DataFrame:
    """One row per rule × triggering kind, with every parameter the evaluation needs."""
    rows = []
    for index, rule in enumerate(rules):
        trigger = rule.tests[0] if rule.table == "metric" and rule.tests else None
        band = trigger.band if trigger else None
        for kind, level in zip(rule.fact_kinds, rule.kind_levels, strict=True):
            q, a = rule.quantity, rule.amount
            rows.append(
                {
                    "t_test": trigger.test if trigger else None,
                    "t_lo": band.low if band else None,
                    "t_hi": band.high if band else None,
                    "t_lo_inc": band.low_inclusive if band else True,
                    "t_hi_inc": band.high_inclusive if band else True,
                    "base_measure": rule.base_measure,
                    "base_increase": rule.base_increase,
                    "base_offset": rule.base_offset,
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
        "t_test": pl.String,
        "t_lo": pl.Float64,
        "t_hi": pl.Float64,
        "t_lo_inc": pl.Boolean,
        "t_hi_inc": pl.Boolean,
        "base_measure": pl.String,
        "base_increase": pl.Boolean,
        "base_offset": pl.Int32,
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


def metric_facts(measures: pl.DataFrame, enterprises: pl.DataFrame | None = None) -> pl.DataFrame:
    """The rows of :func:`huiqi.match.figures.measure_frame` as facts of the table ``metric``:
    one per enterprise, measure and year, dated the last day of that year (a year's figures are
    known once it is over), with a negative ``fact_key`` of their own."""
    facts = measures.with_row_index("n").select(
        (-(pl.col("n").cast(pl.Int64) + 1)).alias("fact_key"),
        "uscc",
        pl.lit("metric").alias("table"),
        pl.col("measure").alias("kind"),
        pl.lit(None, pl.String).alias("level"),
        pl.date(pl.col("year"), 12, 31).alias("date"),
        pl.lit(False).alias("review"),
        pl.col("value").alias("amount"),
        pl.lit(None, pl.Float64).alias("quantity"),
        pl.lit(False).alias("doubtful"),
        pl.lit(None, pl.String).alias("ref"),
        "value",
        "prev",
        "prev_max",
        "run_start",
        "founded",
        *(["region_code"] if "region_code" in measures.columns else []),
    )
    if enterprises is not None:
        facts = facts.join(enterprises.select("uscc", "region_code"), on="uscc", how="inner")
    return facts


def _triggering_rows(rules: Sequence[Rule]) -> dict[str, pl.Expr]:
    """Per measure some rule triggers on, a filter on its rows of the measure table: the figure
    could pass one of those rules' tests (:func:`huiqi.match.figures.may_hold`). A year whose
    figure fails every such test can trigger nothing, so its row is never made."""
    by_measure: dict[str, list[pl.Expr]] = {}
    for rule in rules:
        if rule.table == "metric" and rule.tests:
            test = rule.tests[0]
            by_measure.setdefault(test.measure, []).append(may_hold(test))
    return {measure: pl.any_horizontal(tests) for measure, tests in by_measure.items()}


def needed_measures(rules: Sequence[Rule]) -> set[str]:
    """Every measure some rule tests or takes a rate of."""
    measures = {t.measure for r in rules for t in r.tests}
    return measures | {r.base_measure for r in rules if r.base_measure}


def evaluate(
    enterprises: pl.DataFrame,
    facts: pl.DataFrame,
    rules: Sequence[Rule],
    as_of: dt.date,
    year: int | None = None,
    measures: MeasureTable | None = None,
) -> pl.DataFrame:
    """Candidate entitlements: enterprise × rule × fact with ``year`` and ``amount``/``cap``.

    ``enterprises`` needs ``uscc`` and ``region_code``; ``facts`` is :func:`facts_frame`;
    ``measures`` is :func:`huiqi.match.figures.measure_frame` of the registry's annual figures
    for :func:`needed_measures` (conditions on figures see nothing without it); when it was
    built with the enterprises' ``region_code``, those same enterprises are the ones matched.
    Returned columns: uscc, rule, fact_key, table, kind, level, date, amount (the fact's),
    quantity, year, amount_wan (null when the text leaves it to be decided), cap_wan, doubt
    (why the row needs checking before it is paid: a probable duplicate, a figure missing) and
    prev (a metric fact's figure of the year before; its ``amount`` is the year's own).
    """
    rf = rules_frame(rules)
    measures = measures if measures is not None else MeasureTable()
    if rf.is_empty() or (facts.is_empty() and measures.is_empty()):
        return _empty()
    located = facts.lazy()
    if "region_code" not in facts.columns:
        located = located.join(enterprises.lazy().select("uscc", "region_code"), on="uscc", how="inner")
    located = located.with_columns(
        **{c: pl.lit(None, MEASURE_SCHEMA[c]) for c in ("value", "prev", "prev_max", "run_start", "founded")}
    )
    triggering = _triggering_rows(rules)
    if triggering and not measures.is_empty():
        if measures.has_region:
            rows = measures.rows(set(triggering), triggering, region=True).filter(
                pl.col("region_code").is_not_null()
            )
            metric = metric_facts(rows.collect())
        else:
            metric = metric_facts(measures.rows(set(triggering), triggering).collect(), enterprises)
        located = pl.concat([located, metric.lazy()], how="diagonal_relaxed")
    kinds = rf.select("table", "kind").unique().lazy()
    fig_year = pl.col("date").dt.year().cast(pl.Int32)
    trigger_status = figure_test("t_", fig_year)
    lazy = (
        located.filter(pl.col("date") <= as_of)
        .join(kinds, on=["table", "kind"], how="semi")
        .join(rf.lazy(), on=["table", "kind"], how="inner")
        .filter(pl.col("rule_level").is_null() | (pl.col("rule_level") == pl.col("level")))
        .filter((pl.col("table") != "recognition") | (pl.col("review") == pl.col("rule_review")))
        .filter(pl.col("year_only").is_null() | (pl.col("date").dt.year() == pl.col("year_only")))
        .with_columns(
            t_status=pl.when(pl.col("table") == "metric").then(trigger_status).otherwise(True),
            year=(pl.col("date").dt.year() + pl.col("previous_year").cast(pl.Int32)).cast(pl.Int32),
        )
        .filter(pl.col("t_status").is_null() | pl.col("t_status"))
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
        .with_columns(
            checked_year=pl.col("date").dt.year().cast(pl.Int32),
            doubt=pl.when(pl.col("t_status").is_null())
            .then(doubt_text("t_", pl.col("kind"), pl.col("date").dt.year().cast(pl.Int32)))
            .when(pl.col("doubtful"))
            .then(pl.lit(DOUBTFUL_REASON))
            .otherwise(pl.lit(None, pl.String)),
        )
    )
    lazy = _with_extra_tests(lazy, rules, measures)
    lazy = _with_base(lazy, facts, {r.base_event for r in rules if r.base_event})
    lazy = _with_measured_base(lazy, measures, {r.base_measure for r in rules if r.base_measure})
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
        lazy.with_columns(
            amount_wan=round_wan_expr(amount),
            cap_wan=round_wan_expr(cap),
            prev=pl.when(pl.col("table") == "metric").then(pl.col("prev")).otherwise(None),
        )
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
            "doubt",
            "prev",
            "ref",
        )
        .collect()
    )


def extra_tests_frame(rules: Sequence[Rule]) -> pl.DataFrame:
    """One row per further condition on figures (且) of each rule (``rule`` is its index):
    the measure, the test, its band and the year offset (上年度: -1)."""
    return pl.DataFrame(
        [
            {
                "rule": index,
                "x_measure": t.measure,
                "x_test": t.test,
                "x_lo": t.band.low,
                "x_hi": t.band.high,
                "x_lo_inc": t.band.low_inclusive,
                "x_hi_inc": t.band.high_inclusive,
                "x_offset": t.offset,
            }
            for index, rule in enumerate(rules)
            for t in rule.extra_tests
        ],
        schema={
            "rule": pl.Int32,
            "x_measure": pl.String,
            "x_test": pl.String,
            "x_lo": pl.Float64,
            "x_hi": pl.Float64,
            "x_lo_inc": pl.Boolean,
            "x_hi_inc": pl.Boolean,
            "x_offset": pl.Int32,
        },
    )


def _with_extra_tests(lazy: pl.LazyFrame, rules: Sequence[Rule], measures: MeasureTable) -> pl.LazyFrame:
    """Keep the rows whose rule's other conditions on figures (且) hold for the year checked;
    a condition the registry cannot decide keeps the row, with the reason in ``doubt``."""
    extra = extra_tests_frame(rules)
    if extra.is_empty():
        return lazy
    tests = extra.lazy()
    rows = lazy.with_row_index("row_id")
    figures = measures.rows(set(extra["x_measure"].to_list())).select(
        "uscc", pl.col("measure").alias("x_measure"), pl.col("year").alias("x_year"), *_FIGURES
    )
    checked = (
        rows.select("row_id", "uscc", "rule", "checked_year")
        .join(tests, on="rule", how="inner")
        .with_columns(x_year=pl.col("checked_year") + pl.col("x_offset"))
        .join(figures, on=["uscc", "x_measure", "x_year"], how="left")
        .with_columns(
            x_status=figure_test("x_", pl.col("x_year")),
            x_doubt=doubt_text("x_", pl.col("x_measure"), pl.col("x_year")),
        )
        .group_by("row_id")
        .agg(
            failed=(pl.col("x_status") == False).any(),  # noqa: E712 (null is "cannot tell", not false)
            open=pl.col("x_status").is_null().any(),
            x_doubt=pl.col("x_doubt").filter(pl.col("x_status").is_null()).str.join(";"),
        )
    )
    return (
        rows.join(checked, on="row_id", how="left")
        .filter(~pl.col("failed").fill_null(False))
        .with_columns(
            doubt=pl.when(pl.col("open").fill_null(False))
            .then(pl.concat_str([pl.col("doubt"), pl.col("x_doubt")], separator=";", ignore_nulls=True))
            .otherwise(pl.col("doubt"))
        )
        .drop("row_id", "failed", "open", "x_doubt")
    )


_FIGURES = ("value", "prev", "prev_max", "run_start", "founded")


def _with_measured_base(lazy: pl.LazyFrame, measures: MeasureTable, base_measures: set[str]) -> pl.LazyFrame:
    """The base of a rate that is a figure: the year's figure, or its increase over the year
    before (新增税收), of the year checked (or the one before, 上年度研发投入)."""
    if measures.is_empty() or not base_measures:
        return lazy
    figures = measures.rows(base_measures).select(
        "uscc",
        pl.col("measure").alias("base_measure"),
        pl.col("year").alias("base_year"),
        pl.col("value").alias("base_value"),
        pl.col("prev").alias("base_prev"),
    )
    increase = pl.col("base_value") - pl.col("base_prev")
    measured = (
        pl.when(pl.col("base_increase"))
        .then(pl.when(increase > 0).then(increase).when(increase.is_not_null()).then(0.0))
        .otherwise(pl.col("base_value"))
    )
    return (
        lazy.with_columns(base_year=(pl.col("checked_year") + pl.col("base_offset")).cast(pl.Int32))
        .join(figures, on=["uscc", "base_measure", "base_year"], how="left")
        .with_columns(
            base=pl.when(pl.col("base_measure").is_not_null()).then(measured).otherwise(pl.col("base"))
        )
        .drop("base_year", "base_value", "base_prev")
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
            "doubt": pl.String,
            "prev": pl.Float64,
            "ref": pl.String,
        }
    )
