"""Stacking (叠加规则) over candidate entitlements, column-wise.

For one enterprise and one triggering fact:

* rows of the same grant split across budget levels (市级 + 区级 ``在…基础上再配套``) stack;
* a document that declares it replaces earlier ones (``原有政策…以本意见为准``) suppresses rows
  of older documents of the same issuing region for the same fact, when both dates are known;
* of what remains, only the highest grant is paid (就高不重复); the others are kept with the
  status 不重复享受 and a reason naming the grant that won.

Grants are compared by amount, else cap (what an application could bring), else nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from huiqi.match.figures import figures_text
from huiqi.money import format_wan_expr
from huiqi.rules.model import Rule

PAID = "享受"
SUPPRESSED = "不重复享受"


def _grant_ids(rules: Sequence[Rule]) -> list[int]:
    """One small integer per grant key (rows of one grant split across payers share it)."""
    ids: dict[str, int] = {}
    return [ids.setdefault(r.grant_key, len(ids)) for r in rules]


def rule_meta(rules: Sequence[Rule]) -> pl.DataFrame:
    """Per rule: grant key, document, date, supersedes flag, mode and Chinese descriptions."""
    return pl.DataFrame(
        {
            "rule": list(range(len(rules))),
            "grant": _grant_ids(rules),
            "document": [r.document for r in rules],
            "doc_date": [r.starts for r in rules],
            "doc_region": [r.region_code or "" for r in rules],
            "supersedes": [r.supersedes for r in rules],
            "mode": [r.mode for r in rules],
            "rule_fact": [r.describe_fact() for r in rules],
            "rule_formula": [r.describe_amount() for r in rules],
            "rule_open": [r.open_conditions for r in rules],
        },
        schema={
            "rule": pl.Int32,
            "grant": pl.Int32,
            "document": pl.String,
            "doc_date": pl.Date,
            "doc_region": pl.String,
            "supersedes": pl.Boolean,
            "mode": pl.String,
            "rule_fact": pl.String,
            "rule_formula": pl.String,
            "rule_open": pl.String,
        },
    )


def decide(candidates: pl.DataFrame, rules: Sequence[Rule]) -> pl.DataFrame:
    """Add ``status`` (享受 / 不重复享受) and, for every row, the grant that won its fact.

    A grant's offer is its amount, else its cap (what the enterprise could get by applying),
    else nothing. A superseding document replaces only older documents of the same issuing
    region, and only when both dates are known. Of equal offers the first grant wins, and of
    one grant's rows (split across payers) the first rule names it.

    Most facts have one candidate (one rule pays for them): such a row wins alone, and only
    the facts with several candidates are grouped and sorted.
    """
    fact = ["fact_key"]  # one integer per fact (a fact belongs to one enterprise)
    meta = rule_meta(rules).select("rule", "grant", "doc_date", "doc_region", "supersedes")
    rows = (
        candidates.lazy()
        .join(meta.lazy(), on="rule", how="left")
        .with_columns(own=pl.coalesce("amount_wan", "cap_wan", pl.lit(-1.0)), alone=pl.len().over(fact) == 1)
    )
    alone = rows.filter(pl.col("alone")).with_columns(
        superseded=pl.lit(False), win_rule="rule", win_offer="own", status=pl.lit(PAID)
    )
    shared = (
        rows.filter(~pl.col("alone"))
        .with_columns(
            offer=pl.col("own").sum().over([*fact, "grant"]),
            newest_replacing=pl.col("doc_date")
            .filter(pl.col("supersedes") & pl.col("doc_date").is_not_null())
            .max()
            .over([*fact, "doc_region"]),
        )
        .with_columns(superseded=(pl.col("doc_date") < pl.col("newest_replacing")).fill_null(False))
    )
    winners = (
        shared.filter(~pl.col("superseded"))
        .select(*fact, win_grant="grant", win_rule="rule", win_offer="offer")
        .sort(["win_offer", "win_grant", "win_rule"], descending=[True, False, False])
        .unique(fact, keep="first", maintain_order=True)
    )
    shared = shared.join(winners, on=fact, how="left").with_columns(
        status=pl.when(pl.col("grant") == pl.col("win_grant"))
        .then(pl.lit(PAID))
        .otherwise(pl.lit(SUPPRESSED))
    )
    columns = [*candidates.columns, "superseded", "win_rule", "win_offer", "status"]
    return pl.concat([alone.select(columns), shared.select(columns)]).collect()


def annotate(decided: pl.DataFrame, rules: Sequence[Rule]) -> pl.DataFrame:
    """Add ``document``, ``mode``, ``fact`` and the Chinese ``reason`` to decided rows."""
    meta = rule_meta(rules).select("rule", "document", "mode", "rule_fact", "rule_formula", "rule_open")
    winner = meta.select(win_rule="rule", win_document="document")
    rows = decided.join(meta, on="rule", how="left").join(winner, on="win_rule", how="left")
    won = (
        pl.when(pl.col("win_offer") >= 0)
        .then(pl.format("{}万元(或其上限)", format_wan_expr(pl.col("win_offer"))))
        .otherwise(pl.lit("待核定的金额"))
    )
    why_not = (
        pl.when(pl.col("superseded"))
        .then(pl.format(";同一事项以新文件《{}》为准(原有政策不一致的按新文件执行)", pl.col("win_document")))
        .otherwise(pl.format(";就高不重复:同一事项已按《{}》享受{}", pl.col("win_document"), won))
    )
    level = pl.col("level").fill_null("")
    named = (
        pl.when(pl.col("table") == "event")
        .then(
            pl.concat_str(
                pl.col("kind"),
                pl.when(pl.col("level") != "").then(pl.format("({})", level)).otherwise(pl.lit("")),
            )
        )
        .otherwise(pl.concat_str(level, pl.col("kind")))
    )
    figures = pl.concat_str(
        pl.when(pl.col("amount").is_not_null())
        .then(pl.format(",{}万元", format_wan_expr(pl.col("amount"))))
        .otherwise(pl.lit("")),
        pl.when(pl.col("quantity").is_not_null())
        .then(pl.format(",数量{}", pl.col("quantity").cast(pl.Int64)))
        .otherwise(pl.lit("")),
    )
    fact_text = pl.format("{} {}{}", pl.col("date").cast(pl.String), named, figures)
    if "prev" in rows.columns:  # a metric fact is told by its figures: 2024年营业收入…(2023年…)
        fact_text = pl.when(pl.col("table") == "metric").then(figures_text()).otherwise(fact_text)
    reason = pl.format("{} → 符合“{}”:{}", fact_text, pl.col("rule_fact"), pl.col("rule_formula"))
    reason = (
        pl.when(pl.col("rule_open").is_not_null())
        .then(pl.format("{};需申报:{}", reason, pl.col("rule_open")))
        .otherwise(reason)
    )
    return rows.with_columns(
        fact=fact_text,
        reason=pl.when(pl.col("status") == PAID).then(reason).otherwise(pl.concat_str([reason, why_not])),
    ).drop("superseded", "win_rule", "win_document", "win_offer", "rule_fact", "rule_formula", "rule_open")


def exclusive(frame: pl.DataFrame, rules: Sequence[Rule]) -> pl.DataFrame:
    """不得同时享受: where a document says articles exclude each other, an enterprise is paid, in a
    funding year, under the one article of the group that brings it the most (its paid rows'
    amounts, else ceilings); the rows of the other articles become 不重复享受 with the reason."""
    members = [
        {"rule": index, "group": group, "member": member}
        for index, rule in enumerate(rules)
        for group, member in rule.exclusive
    ]
    if not members or frame.is_empty():
        return frame
    table = pl.DataFrame(members, schema={"rule": pl.Int32, "group": pl.String, "member": pl.String})
    rows = frame.with_row_index("row_id")
    paid = (
        rows.filter(pl.col("status") == PAID)
        .select("row_id", "uscc", "rule", "year", offer=pl.coalesce("amount_wan", "cap_wan").fill_null(0.0))
        .join(table, on="rule", how="inner")
        .with_columns(member_offer=pl.col("offer").sum().over("uscc", "group", "year", "member"))
    )
    best = (
        paid.sort(["member_offer", "member"], descending=[True, False])
        .group_by("uscc", "group", "year", maintain_order=True)
        .agg(winner=pl.col("member").first())
    )
    losing = (
        paid.join(best, on=["uscc", "group", "year"])
        .filter(pl.col("member") != pl.col("winner"))
        .group_by("row_id")
        .agg(
            note=pl.format("与第{}条不得同时享受,已按第{}条享受", pl.col("member"), pl.col("winner")).first()
        )
    )
    return (
        rows.join(losing, on="row_id", how="left")
        .with_columns(
            status=pl.when(pl.col("note").is_not_null()).then(pl.lit(SUPPRESSED)).otherwise(pl.col("status")),
            reason=pl.when(pl.col("note").is_not_null())
            .then(pl.format("{};{}", pl.col("reason"), pl.col("note")))
            .otherwise(pl.col("reason")),
        )
        .drop("row_id", "note")
    )


def stack(candidates: pl.DataFrame, rules: Sequence[Rule]) -> pl.DataFrame:
    """:func:`decide`, :func:`annotate`, then :func:`exclusive`: statuses, modes, documents and reasons."""
    return exclusive(annotate(decide(candidates, rules), rules), rules)
