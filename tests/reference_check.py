"""Shared by the matching tests: the engine's rows against the plain-Python reference."""

from __future__ import annotations

import datetime as dt

import polars as pl

from huiqi.match.reference import evaluate_enterprise, facts_by_enterprise


def _amount(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def engine_rows(frame: pl.DataFrame) -> set[tuple]:
    """(uscc, rule, fact, year, amount, status) of every row the engine produced."""
    return {
        (r["uscc"], r["rule"], r["fact_key"], r["year"], _amount(r["amount_wan"]), r["status"])
        for r in frame.iter_rows(named=True)
    }


def reference_rows(
    enterprises: pl.DataFrame, facts: pl.DataFrame, rules, as_of: dt.date, year=None
) -> set[tuple]:
    """The same tuples from the one-enterprise-at-a-time loop."""
    by_firm = facts_by_enterprise(facts)
    return {
        (o.uscc, o.rule, o.fact_key, o.year, _amount(o.amount_wan), o.status)
        for firm in enterprises.iter_rows(named=True)
        for o in evaluate_enterprise(
            firm["uscc"], firm["region_code"], by_firm[firm["uscc"]], rules, as_of, year
        )
    }
