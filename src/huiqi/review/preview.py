"""预览与测算: what a reading would pay over the registry, before anything is published or stored.

An officer correcting a reading, or someone drafting a policy (征求意见稿) or changing an
amount, asks the same question: over today's registry, who would qualify under this reading and
what would it cost, by year and by paying level — beside what the policy in force pays. The
answer runs the matcher's own functions (:func:`huiqi.rules.compile.compile_document` and
:func:`huiqi.match.service.match_frames`) on readings held in memory and stores nothing: no
match run, no entitlement, no audit entry.

Each reading is matched together with every *other* published document, as the money path does,
so 就高不重复 and superseding documents weigh as they would; only the rows of the reading's own
document are counted. A draft is compiled as if in force over a stated period (its title's
draft marker set aside, its dates set to the period), and the policy it is compared with over
the same period, so the two figures answer the same question.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from sqlalchemy import Engine, select

from huiqi.db.engine import session_scope
from huiqi.db.models import DocumentVersion
from huiqi.match.report import payer_money
from huiqi.match.stacking import PAID
from huiqi.money import round_wan
from huiqi.rules.model import MODE_AUTO, Rule

TOP = 50  # enterprises listed as gained, lost or changed
DRAFT_WORDS = re.compile(r"[((\[【]?\s*(?:征求意见稿|送审稿|草案)\s*[))\]】]?")


@dataclass(frozen=True)
class Reading:
    """One reading to price: a label for people, the version it belongs to (0: not stored)."""

    label: str
    reading: dict[str, Any]
    version_id: int = 0
    document_id: int | None = None  # its document, whose published rules it stands in for


@dataclass
class Outcome:
    """What one reading pays over the registry (only its own document's rows)."""

    label: str
    rules: int = 0
    uncompiled: list[tuple[str, str]] = field(default_factory=list)  # (subject, why)
    enterprises: int = 0
    rows: int = 0
    auto_rows: int = 0
    total_wan: float = 0.0  # amounts owed
    ceiling_wan: float = 0.0  # 最高/不高于 ceilings where the amount waits for an application
    by_year: dict[int, tuple[float, float]] = field(default_factory=dict)  # year → (owed, ceiling)
    by_payer: dict[str, tuple[float, float]] = field(default_factory=dict)
    by_year_payer: dict[tuple[int, str], float] = field(default_factory=dict)  # owed + ceiling
    by_incentive: list[dict[str, Any]] = field(default_factory=list)
    per_enterprise: dict[str, tuple[str, float]] = field(default_factory=dict)  # uscc → (name, money)

    @property
    def money_wan(self) -> float:
        return round_wan(self.total_wan + self.ceiling_wan) or 0.0


@dataclass
class Comparison:
    """A reading beside the one it would replace: both outcomes and who gains, loses or changes."""

    base: Outcome
    new: Outcome
    gained: list[tuple[str, str, float]] = field(default_factory=list)  # uscc, name, money
    lost: list[tuple[str, str, float]] = field(default_factory=list)
    changed: list[tuple[str, str, float, float]] = field(default_factory=list)  # uscc, name, before, after
    gained_count: int = 0
    lost_count: int = 0
    changed_count: int = 0

    @property
    def years(self) -> list[int]:
        return sorted(set(self.base.by_year) | set(self.new.by_year))

    @property
    def payers(self) -> list[str]:
        return sorted(set(self.base.by_payer) | set(self.new.by_payer))

    def year_money(self, outcome: Outcome) -> list[float]:
        """``outcome``'s money (owed and ceilings) for each of :attr:`years`."""
        return [round_wan(sum(outcome.by_year.get(y, (0.0, 0.0)))) or 0.0 for y in self.years]


def as_if_in_force(reading: dict[str, Any], starts: dt.date, ends: dt.date) -> dict[str, Any]:
    """A copy of ``reading`` in force from ``starts`` to ``ends``: a draft's marker (征求意见稿,
    送审稿, 草案) is set aside so its clauses compile, and its dates are the period's.

    >>> r = as_if_in_force({"document": {"title": "某市若干措施(征求意见稿)"}}, dt.date(2023, 1, 1), dt.date(2025, 12, 31))
    >>> r["document"]["title"], r["document"]["effective_from"], r["document"]["expires_on"]
    ('某市若干措施', '2023-01-01', '2025-12-31')
    """
    copied = copy.deepcopy(reading)
    meta = copied.setdefault("document", {})
    meta["title"] = DRAFT_WORDS.sub("", meta.get("title") or "").strip() or "(测算文件)"
    meta["issued_on"] = meta["effective_from"] = starts.isoformat()
    meta["expires_on"] = ends.isoformat()
    meta["horizon_start"] = meta["horizon_end"] = None
    return copied


def with_amounts(reading: dict[str, Any], changes: dict[int, dict[str, float | None]]) -> dict[str, Any]:
    """A copy of ``reading`` whose incentives (by index) carry changed amounts, caps or ratios."""
    copied = copy.deepcopy(reading)
    rows = copied.get("incentives") or []
    for index, fields in changes.items():
        if 0 <= index < len(rows):
            for name, value in fields.items():
                if name in ("amount_wan", "cap_wan", "ratio"):
                    rows[index][name] = value
    return copied


@dataclass
class _Registry:
    enterprises: pl.DataFrame
    facts: pl.DataFrame
    retention: pl.DataFrame


def _registry(engine: Engine) -> _Registry:
    from huiqi.match.service import load_registry, load_retention

    enterprises, facts = load_registry(engine)
    retention, _ = load_retention(engine, enterprises)
    return _Registry(enterprises, facts, retention)


def _other_rules(engine: Engine, document_ids: set[int]) -> list[Rule]:
    """Rules of every published document except ``document_ids`` (the money path's library)."""
    from huiqi.match.service import compile_library

    library = compile_library(engine, published_only=True)
    if not document_ids:
        return library.rules
    with session_scope(engine) as session:
        excluded = set(
            session.scalars(select(DocumentVersion.id).where(DocumentVersion.document_id.in_(document_ids)))
        )
    return [r for r in library.rules if r.document_version_id not in excluded]


def _compile(reading: Reading) -> tuple[list[Rule], list[tuple[str, str]]]:
    from huiqi.registry.codes import code_for_place
    from huiqi.rules.compile import compile_document

    rules, leftovers = compile_document(reading.version_id, reading.reading, code_for_place)
    return rules, [(u.subject, u.reason) for u in leftovers]


def _outcome(label: str, frame: pl.DataFrame, own: set[int], rules: int, uncompiled) -> Outcome:
    out = Outcome(label, rules=rules, uncompiled=uncompiled)
    rows = frame.filter(pl.col("rule").is_in(sorted(own)) & (pl.col("status") == PAID))
    if rows.is_empty():
        return out
    out.rows = rows.height
    out.enterprises = rows["uscc"].n_unique()
    out.auto_rows = rows.filter(pl.col("mode") == MODE_AUTO).height
    per: dict[str, list] = {}
    incentives: dict[str, dict[str, Any]] = {}
    for row in rows.select(
        "uscc", "name", "year", "subject", "amount_wan", "cap_wan", "payers", "limit_factor", "limit_payers"
    ).iter_rows(named=True):
        owed = row["amount_wan"] is not None
        money = (row["amount_wan"] if owed else row["cap_wan"]) or 0.0
        year = int(row["year"])
        o, c = out.by_year.get(year, (0.0, 0.0))
        out.by_year[year] = (o + money, c) if owed else (o, c + money)
        if owed:
            out.total_wan += money
        else:
            out.ceiling_wan += money
        for part in payer_money(row):
            value = (part["amount_wan"] if owed else part["cap_wan"]) or 0.0
            po, pc = out.by_payer.get(part["payer"], (0.0, 0.0))
            out.by_payer[part["payer"]] = (po + value, pc) if owed else (po, pc + value)
            key = (year, part["payer"])
            out.by_year_payer[key] = out.by_year_payer.get(key, 0.0) + value
        name = row["name"] or row["uscc"]
        entry = per.setdefault(row["uscc"], [name, 0.0])
        entry[1] += money
        item = incentives.setdefault(row["subject"], {"subject": row["subject"], "uscc": set(), "money": 0.0})
        item["uscc"].add(row["uscc"])
        item["money"] += money
    out.total_wan, out.ceiling_wan = round_wan(out.total_wan) or 0.0, round_wan(out.ceiling_wan) or 0.0
    out.by_year = {y: (round_wan(a) or 0.0, round_wan(b) or 0.0) for y, (a, b) in sorted(out.by_year.items())}
    out.by_payer = {
        p: (round_wan(a) or 0.0, round_wan(b) or 0.0) for p, (a, b) in sorted(out.by_payer.items())
    }
    out.by_year_payer = {k: round_wan(v) or 0.0 for k, v in sorted(out.by_year_payer.items())}
    out.per_enterprise = {u: (n, round_wan(m) or 0.0) for u, (n, m) in per.items()}
    out.by_incentive = sorted(
        (
            {
                "subject": i["subject"],
                "enterprises": len(i["uscc"]),
                "money_wan": round_wan(i["money"]) or 0.0,
            }
            for i in incentives.values()
        ),
        key=lambda i: -i["money_wan"],
    )
    return out


def price(
    engine: Engine,
    readings: list[Reading],
    as_of: dt.date,
    year: int | None = None,
    step: Callable[[str, float], None] | None = None,
) -> list[Outcome]:
    """Each reading's outcome over the registry (each matched with the other published documents)."""
    from huiqi.match.service import indicators_of, load_figures, load_tax, match_frames

    step = step or (lambda _text, _fraction: None)
    step("编译规则", 0.05)
    others = _other_rules(engine, {r.document_id for r in readings if r.document_id is not None})
    compiled = [_compile(r) for r in readings]
    step("读取企业名录", 0.2)
    registry = _registry(engine)
    wanted = set().union(*(indicators_of(others + rules) for rules, _ in compiled))
    figures = load_figures(engine, wanted)
    tax = load_tax(engine, figures=figures)
    outcomes = []
    for n, (reading, (rules, leftovers)) in enumerate(zip(readings, compiled, strict=True)):
        step(f"匹配:{reading.label}", 0.4 + 0.5 * n / max(1, len(readings)))
        together = others + rules
        own = set(range(len(others), len(together)))
        if rules:
            frame = match_frames(
                registry.enterprises, registry.facts, together, as_of, year, tax, figures, registry.retention
            )
        else:
            frame = pl.DataFrame(schema={"rule": pl.Int32, "status": pl.String})
        outcomes.append(_outcome(reading.label, frame, own, len(rules), leftovers))
    step("汇总", 0.95)
    return outcomes


def compare(base: Outcome, new: Outcome, top: int = TOP) -> Comparison:
    """Who qualifies under ``new`` and not ``base`` (gained), the reverse (lost), and whose money
    changes, largest first."""
    result = Comparison(base, new)
    before, after = base.per_enterprise, new.per_enterprise
    gained = sorted(((u, n, m) for u, (n, m) in after.items() if u not in before), key=lambda g: -g[2])
    lost = sorted(((u, n, m) for u, (n, m) in before.items() if u not in after), key=lambda g: -g[2])
    changed = sorted(
        (
            (u, after[u][0], before[u][1], after[u][1])
            for u in after.keys() & before.keys()
            if abs(after[u][1] - before[u][1]) > 1e-6
        ),
        key=lambda c: -abs(c[3] - c[2]),
    )
    result.gained_count, result.lost_count, result.changed_count = len(gained), len(lost), len(changed)
    result.gained, result.lost, result.changed = gained[:top], lost[:top], changed[:top]
    return result
