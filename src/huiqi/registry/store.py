"""Store validated registry rows: one transaction, idempotent, nothing half-written.

Rows are matched to what is stored by their natural key — the enterprise's 统一社会信用代码; for
recognitions and events a digest of the fields that identify them; for metrics (enterprise,
period, indicator). A row that is already stored as it is counts as unchanged; re-importing
the same file therefore changes nothing. A recognition, event or metric whose enterprise is
neither stored nor in the same import is refused with a row error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from huiqi.db.models import Enterprise, Event, Metric, Recognition
from huiqi.registry.validate import RowError

MODELS: dict[str, Any] = {
    "enterprises": Enterprise,
    "recognitions": Recognition,
    "events": Event,
    "metrics": Metric,
}
FIELDS: dict[str, tuple[str, ...]] = {
    "enterprises": ("name", "region_code", "industry_code", "scale", "size", "established_on", "extras"),
    "recognitions": ("uscc", "kind", "level", "granted_on", "review", "expires_on", "extras"),
    "events": ("uscc", "kind", "occurred_on", "amount_wan", "quantity", "level", "detail", "extras"),
    "metrics": ("value", "unit"),
}
# What identifies a row: a corrected level, amount or quantity updates the stored row instead of
# adding a second one that would be paid again. Two events of one kind on one day need
# different levels or details (or one row with the summed amount).
_IDENTITY: dict[str, tuple[str, ...]] = {
    "recognitions": ("uscc", "kind", "granted_on", "review"),
    "events": ("uscc", "kind", "occurred_on", "level", "detail"),
}
_CHUNK = 5000


def natural_key(kind: str, record: dict[str, Any]) -> str:
    """The identity of a recognition or event row: a digest of the fields that define it.

    >>> row = {"uscc": "X", "kind": "参展", "occurred_on": dt.date(2024, 5, 1), "amount_wan": 3.0}
    >>> natural_key("events", row) == natural_key("events", {**row, "amount_wan": 3.5})  # a correction
    True
    >>> natural_key("events", row) == natural_key("events", {**row, "level": "境外"})
    False
    """
    parts = []
    for name in _IDENTITY[kind]:
        value = record.get(name)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        parts.append("" if value is None else str(value))
    return hashlib.sha1("|".join(parts).encode()).hexdigest()


@dataclass
class StoreOutcome:
    """What one import did: rows new, changed and unchanged, and rows refused here."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def _key(kind: str, record: dict[str, Any]) -> tuple:
    if kind == "enterprises":
        return (record["uscc"],)
    if kind == "metrics":
        return (record["uscc"], record["period"], record["indicator"])
    return (record["natural_key"],)


def _key_columns(kind: str) -> tuple[str, ...]:
    return {"enterprises": ("uscc",), "metrics": ("uscc", "period", "indicator")}.get(kind, ("natural_key",))


def _known_enterprises(session: Session, usccs: Iterable[str]) -> set[str]:
    wanted = sorted(set(usccs))
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.update(session.scalars(select(Enterprise.uscc).where(Enterprise.uscc.in_(chunk))))
    return found


def _existing(session: Session, kind: str, keys: Sequence[tuple]) -> dict[tuple, dict[str, Any]]:
    model = MODELS[kind]
    columns = _key_columns(kind)
    found: dict[tuple, dict[str, Any]] = {}
    first = [k[0] for k in keys]
    for start in range(0, len(first), _CHUNK):
        chunk = sorted(set(first[start : start + _CHUNK]))
        query = select(model).where(getattr(model, columns[0]).in_(chunk))
        for obj in session.scalars(query):
            key = tuple(getattr(obj, c) for c in columns)
            found[key] = {name: getattr(obj, name) for name in (*columns, *FIELDS[kind])}
            if kind in _IDENTITY:
                found[key]["id"] = obj.id
    return found


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(float(a) - float(b)) < 1e-9
    if isinstance(a, dt.datetime):
        a = a.date()
    return a == b or (a in (None, {}) and b in (None, {}))


def store(
    session: Session,
    kind: str,
    records: Sequence[dict[str, Any]],
    rows: Sequence[int],
    also_enterprises: Iterable[str] = (),
    header: str = "统一社会信用代码",
) -> StoreOutcome:
    """Insert new rows and update changed ones; the caller's transaction decides commit.

    ``rows`` are the spreadsheet row numbers of ``records`` (for error messages);
    ``also_enterprises`` are credit codes being imported in the same transaction; ``header``
    is how the file wrote the credit-code column (for the error report).
    """
    outcome = StoreOutcome()
    records = [dict(r) for r in records]
    for record in records:
        record.setdefault("extras", {})
        if kind in _IDENTITY:
            record["natural_key"] = natural_key(kind, record)
    if kind != "enterprises":
        known = _known_enterprises(session, (r["uscc"] for r in records)) | set(also_enterprises)
        kept = []
        for record, row in zip(records, rows, strict=True):
            if record["uscc"] in known:
                kept.append(record)
            else:
                outcome.errors.append(
                    RowError(
                        row, header, record["uscc"], "企业不在名录中,请先导入企业表(enterprises)", "uscc"
                    )
                )
        records = kept
    existing = _existing(session, kind, [_key(kind, r) for r in records])
    fresh, changed = [], []
    for record in records:
        stored = existing.get(_key(kind, record))
        if stored is None:
            fresh.append(record)
        elif all(_same(stored.get(f), record.get(f)) for f in FIELDS[kind]):
            outcome.unchanged += 1
        else:
            if "id" in stored:
                record["id"] = stored["id"]
            changed.append(record)
    model = MODELS[kind]
    allowed = {c.key for c in model.__table__.columns}
    for start in range(0, len(fresh), _CHUNK):
        session.execute(insert(model), [_only(r, allowed) for r in fresh[start : start + _CHUNK]])
    if changed:
        session.execute(update(model), [_only(r, allowed) for r in changed])
    outcome.new, outcome.changed = len(fresh), len(changed)
    return outcome


def _only(record: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k in allowed}
