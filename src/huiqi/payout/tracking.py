"""Tracked entitlements (应享台账): one row per entitlement under an identity that survives
re-running the match and new versions of a document.

The identity is (credit code, document, grant, fact, funding year):

* the **document**, not its version, so a corrected or re-issued text does not make a second
  entitlement for the same fact;
* the **grant**: the sentence and subject the machine read (rows of one grant split across
  budget levels are one entitlement, their payers side by side), independent of officers'
  corrections of the subject or the amount;
* the **fact**: what triggers it, by its stable reference (``fact_ref`` of the matcher: the
  registry row of a 认定 or 事项, or an enterprise's year of figures);
* the **year** it is paid in.

A re-run updates the figures of rows nobody has acted on yet, marks rows it no longer produces as
not current, and never touches what was confirmed, applied for or paid: those keep the amount
that was committed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from huiqi.db.models import DocumentVersion, Publication, TrackedEntitlement
from huiqi.match.report import payer_money
from huiqi.match.stacking import PAID
from huiqi.payout.money import round_wan
from huiqi.review.items import grant_key
from huiqi.rules.model import MODE_APPLY, Rule

Key = tuple[str, int, str, str, int]


def _formula(rule: Rule) -> dict[str, Any]:
    """What an application's amount is computed from, and the per-enterprise limits that hold."""
    return {
        "kind": rule.kind,
        "amount_wan": rule.amount_wan,
        "cap_wan": rule.cap_wan,
        "ratio": rule.ratio,
        "ratio_is_max": rule.ratio_is_max,
        "base": rule.base_text,
        "per_unit": rule.per_unit if rule.per_quantity else None,
        "limits": [
            {
                "key": limit.key,
                "basis": limit.basis,
                "limit_wan": limit.limit_wan,
                "period": limit.period,
                "payers": list(limit.payers),
                "text": limit.describe(),
            }
            for limit in rule.limits
        ],
    }


def _payers(row: dict[str, Any]) -> list[dict[str, Any]]:
    """Each payer's money (the amount, or the ceiling where the amount is not yet known)."""
    return [
        {
            "payer": p["payer"],
            "share": p["share"],
            "amount_wan": p["amount_wan"] if p["amount_wan"] is not None else p["cap_wan"],
        }
        for p in payer_money(row)
    ]


def _merge(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Rows of one grant for one fact (split across budget levels) as one entitlement."""
    first = rows[0]
    by_payer: dict[str, dict[str, Any]] = {}
    for row in rows:
        for p in _payers(row):
            if p["payer"] not in by_payer:
                by_payer[p["payer"]] = p
                continue
            seen = by_payer[p["payer"]]
            both = (
                None
                if seen["amount_wan"] is None or p["amount_wan"] is None
                else seen["amount_wan"] + p["amount_wan"]
            )
            seen["amount_wan"] = None if both is None else round_wan(both)
    payers = list(by_payer.values())
    amounts = [r["amount_wan"] for r in rows]
    caps = [r["cap_wan"] for r in rows]
    total = None if any(a is None for a in amounts) else round_wan(sum(amounts))
    weights: dict[str, float] = {}  # each payer's part of the amount as read, before any cap
    for row in rows:
        for p in row["payers"] or []:
            base = row["gross_wan"] if row["gross_wan"] is not None else 1.0
            weights[p["payer"]] = weights.get(p["payer"], 0.0) + base * p["share"]
    grosses = [r["gross_wan"] for r in rows]
    whole = sum(weights.values())
    if len(rows) > 1 and whole > 0:  # several rows of one grant: each payer's share of the whole, as read
        for p in payers:
            p["share"] = round(weights[p["payer"]] / whole, 6)
    status = PAID if any(r["status"] == PAID for r in rows) else first["status"]
    return {
        "subject": first["subject"],
        "document": first["document"],
        "kind": first["formula"],
        "fact": first["fact"],
        "amount_wan": total,
        "cap_wan": None if any(c is None for c in caps) else round_wan(sum(caps)),
        "payers": payers,
        "mode": MODE_APPLY if any(r["mode"] == MODE_APPLY for r in rows) else first["mode"],
        "match_status": status,
        "reason": ";".join(dict.fromkeys(r["reason"] for r in rows)),
        "gross_wan": None if any(g is None for g in grosses) else round_wan(sum(grosses)),
        "weights": [[payer, round(weight, 9)] for payer, weight in weights.items()],
    }


def _grants(rules: list[Rule], by_version: dict[int, Publication]) -> list[str]:
    """Each rule's grant identity: the machine's grant key, unless officers' corrections made
    rows of one machine grant into different grants (then each row's own key)."""
    readings = [by_version[r.document_version_id].reading["incentives"][r.incentive_index] for r in rules]
    machine = [
        (r.document_version_id, row.get("grant_key") or grant_key(row))
        for r, row in zip(rules, readings, strict=True)
    ]
    matcher: dict[tuple[int, str], set[str]] = {}
    for key, rule in zip(machine, rules, strict=True):
        matcher.setdefault(key, set()).add(rule.grant_key)
    return [
        key[1] if len(matcher[key]) == 1 else row.get("item_key") or key[1]
        for key, row in zip(machine, readings, strict=True)
    ]


def track(
    session: Session,
    run_id: int,
    frame: pl.DataFrame,
    rules: list[Rule],
    publications: list[Publication],
    as_of: dt.date,
    year: int | None,
) -> tuple[int, int]:
    """Upsert the run's entitlements into the tracked table; returns (new, updated)."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    by_version = {p.document_version_id: p for p in publications}
    versions = {p.document_version_id for p in publications}
    documents = dict(
        session.execute(
            select(DocumentVersion.id, DocumentVersion.document_id).where(DocumentVersion.id.in_(versions))
        ).all()
    )
    grants = _grants(rules, by_version)
    groups: dict[Key, list[dict[str, Any]]] = {}
    rule_of: dict[Key, Rule] = {}
    columns = [
        "uscc",
        "rule",
        "fact_key",
        "year",
        "amount_wan",
        "cap_wan",
        "gross_wan",
        "limit_factor",
        "limit_payers",
        "payers",
        "mode",
        "status",
        "reason",
        "document",
        "subject",
        "formula",
        "fact",
        "fact_ref",
    ]
    for row in frame.select(columns).iter_rows(named=True):
        rule = rules[row["rule"]]
        key = (
            row["uscc"],
            documents[rule.document_version_id],
            grants[row["rule"]],
            row["fact_ref"],
            row["year"],
        )
        groups.setdefault(key, []).append(row)
        rule_of.setdefault(key, rule)
    existing: dict[Key, tuple[int, str, bool]] = {
        (r.uscc, r.document_id, r.grant_key, r.fact_key, r.year): (r.id, r.state, r.current)
        for r in session.execute(
            select(
                TrackedEntitlement.id,
                TrackedEntitlement.uscc,
                TrackedEntitlement.document_id,
                TrackedEntitlement.grant_key,
                TrackedEntitlement.fact_key,
                TrackedEntitlement.year,
                TrackedEntitlement.state,
                TrackedEntitlement.current,
            )
        )
    }
    inserts, updates, touched = [], [], []
    for key, rows in groups.items():
        rule = rule_of[key]
        merged = _merge(rows)
        formula = _formula(rule) | {"gross_wan": merged.pop("gross_wan"), "weights": merged.pop("weights")}
        values = merged | {
            "document_version_id": rule.document_version_id,
            "publication_id": by_version[rule.document_version_id].id,
            "formula": formula,
            "current": True,
            "last_run_id": run_id,
            "updated_at": now,
        }
        found = existing.get(key)
        if found is None:
            uscc, document_id, grant, fact_key, fund_year = key
            inserts.append(
                values
                | {
                    "uscc": uscc,
                    "document_id": document_id,
                    "grant_key": grant,
                    "fact_key": fact_key,
                    "year": fund_year,
                    "state": "open",
                }
            )
        elif found[1] == "open":
            updates.append(values | {"id": found[0]})
        else:
            touched.append({"id": found[0], "current": True, "last_run_id": run_id, "updated_at": now})
    produced = set(groups)
    gone = [
        {"id": ident, "current": False, "updated_at": now}
        for key, (ident, _, current) in existing.items()
        if current and key not in produced and (key[4] == year if year is not None else key[4] <= as_of.year)
    ]
    for start in range(0, len(inserts), 2000):
        session.execute(TrackedEntitlement.__table__.insert(), inserts[start : start + 2000])
    for batch in (updates, touched, gone):
        for start in range(0, len(batch), 2000):
            session.execute(update(TrackedEntitlement), batch[start : start + 2000])
    return len(inserts), len(updates) + len(touched)
