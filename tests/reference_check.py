"""Shared by the matching tests: the engine's rows against the plain-Python reference."""

from __future__ import annotations

import datetime as dt

import polars as pl

from huiqi.match.reference import (
    evaluate_enterprise,
    facts_by_enterprise,
    figures_by_enterprise,
    rules_by_kind,
)


def _amount(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _fact(row: dict) -> int | str:
    """A fact's identity: its key, or ``m:YEAR:MEASURE`` for a year's figures."""
    if row["table"] == "metric":
        return f"m:{row['date'].year}:{row['kind']}"
    return row["fact_key"]


def engine_rows(frame: pl.DataFrame) -> set[tuple]:
    """(uscc, rule, fact, year, amount, status, undecided) of every row the engine produced."""
    return {
        (
            r["uscc"],
            r["rule"],
            _fact(r),
            r["year"],
            _amount(r["amount_wan"]),
            r["status"],
            r.get("doubt") is not None,
        )
        for r in frame.iter_rows(named=True)
    }


def reference_rows(
    enterprises: pl.DataFrame,
    facts: pl.DataFrame,
    rules,
    as_of: dt.date,
    year=None,
    figures: pl.DataFrame | None = None,
    indexed: bool = False,
) -> set[tuple]:
    """The same tuples from the one-enterprise-at-a-time loop (``indexed``: rules looked up by
    the fact's kind)."""
    by_kind = rules_by_kind(rules) if indexed else None
    by_firm = facts_by_enterprise(facts)
    by_figures = figures_by_enterprise(figures) if figures is not None else {}
    founded = enterprises["founded"].to_list() if "founded" in enterprises.columns else None
    return {
        (o.uscc, o.rule, o.fact_key, o.year, _amount(o.amount_wan), o.status, o.doubt)
        for i, firm in enumerate(enterprises.iter_rows(named=True))
        for o in evaluate_enterprise(
            firm["uscc"],
            firm["region_code"],
            by_firm[firm["uscc"]],
            rules,
            as_of,
            year,
            by_figures.get(firm["uscc"], {}),
            founded[i] if founded else None,
            by_kind,
        )
    }
