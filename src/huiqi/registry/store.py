"""Store validated registry rows: one transaction, idempotent, nothing half-written, nothing paid twice.

What identifies a stored row (its identity) decides whether an imported row is a correction
of one already stored or a new fact — and a correction taken for a new fact would pay a grant
twice. So:

* enterprises by 统一社会信用代码; metrics by (enterprise, period, indicator);
* recognitions and events by the official's own **记录编号** (``record_id``) when the file has
  one — then every other field may be corrected; otherwise by their **natural key**, the
  fields that define the fact without free text: a recognition by (enterprise, kind, date,
  复核), an event by (enterprise, kind, date). A corrected level, amount, quantity, 有效期 or
  说明 therefore updates the stored row.
* A new fact that closely resembles a stored one which this import does not mention (same
  enterprise and kind, dates within :data:`NEAR_DAYS`) is most likely a corrected date
  imported without its 记录编号: it is stored, marked ``near_duplicate_of``, and reported as a
  warning; any grant it triggers becomes 需申报 until an officer checks it.
* Withdrawal (撤回) never deletes: a withdrawn row keeps its data and the import run that
  withdrew it (``withdrawn_run_id``); the matcher ignores it; importing it again revives it.

Re-importing the same file therefore changes nothing. A recognition, event, metric or product
whose enterprise is neither stored nor in the same import is refused with a row error.

The product platform's tables are identified like facts, without near-duplicate flags: a
product (产品) by its maker's 产品编号 when given, else by maker and name as matched; a demand
(需求) by its buyer (credit code, else name as matched) and the buyer's 需求编号
(:func:`catalog_identity`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.orm import Session

from huiqi.db.models import Demand, Enterprise, Event, Metric, Product, Recognition
from huiqi.registry.validate import RowError
from huiqi.rules.vocabulary import squash

MODELS: dict[str, Any] = {
    "enterprises": Enterprise,
    "recognitions": Recognition,
    "events": Event,
    "metrics": Metric,
    "products": Product,
    "demands": Demand,
}
FIELDS: dict[str, tuple[str, ...]] = {
    "enterprises": ("name", "region_code", "industry_code", "scale", "size", "established_on", "extras"),
    "recognitions": ("uscc", "kind", "level", "granted_on", "review", "expires_on", "extras"),
    "events": ("uscc", "kind", "occurred_on", "amount_wan", "quantity", "level", "detail", "extras"),
    "metrics": ("value", "unit"),
    "products": ("uscc", "name", "category", "description", "certifications", "capacity", "record_id", "extras"),
    "demands": (
        "demand_id", "buyer", "buyer_uscc", "title", "description", "category", "region_code", "deadline", "extras",
    ),
}  # fmt: skip
NATURAL_FIELDS: dict[str, tuple[str, ...]] = {
    "recognitions": ("uscc", "kind", "granted_on", "review"),
    "events": ("uscc", "kind", "occurred_on"),
}
DATE_FIELD = {"recognitions": "granted_on", "events": "occurred_on"}
# Two facts of one enterprise and kind this close in time are probably one fact entered twice.
NEAR_DAYS = {"recognitions": 366, "events": 31}
FACT_TABLES = frozenset(NATURAL_FIELDS)
# tables whose rows are known by an identity string only (no near-duplicate flags)
IDENTIFIED_TABLES = frozenset({"products", "demands"})
_CHUNK = 5000
_ROW_NAME = {"products": "产品", "demands": "需求"}


def catalog_identity(kind: str, record: dict[str, Any]) -> str:
    """The identity of a product or demand row (see the module docstring).

    >>> a = {"uscc": "X", "name": "立式加工中心 VMC850", "record_id": None}
    >>> catalog_identity("products", a) == catalog_identity("products", {**a, "name": "立式加工中心VMC850"})
    True
    >>> d = {"demand_id": "GD-1", "buyer": "济南市某局", "buyer_uscc": None}
    >>> catalog_identity("demands", d) == catalog_identity("demands", {**d, "buyer": "济南市另一局"})
    False
    """
    if kind == "products":
        if record.get("record_id"):
            return "id:" + hashlib.sha1(f"{record['uscc']}|{record['record_id']}".encode()).hexdigest()
        key = f"{record['uscc']}|{squash(record['name']).lower()}"
    else:
        buyer = record.get("buyer_uscc") or squash(record["buyer"]).lower()
        key = f"{buyer}|{squash(record['demand_id']).lower()}"
    return "nk:" + hashlib.sha1(key.encode()).hexdigest()


def natural_key(kind: str, record: dict[str, Any]) -> str:
    """The digest of the fields that define a recognition or event (no free text, no amounts).

    >>> row = {"uscc": "X", "kind": "参展", "occurred_on": dt.date(2024, 5, 1), "amount_wan": 3.0}
    >>> natural_key("events", row) == natural_key("events", {**row, "amount_wan": 3.5, "detail": "已更正"})
    True
    >>> natural_key("events", row) == natural_key("events", {**row, "occurred_on": dt.date(2024, 5, 2)})
    False
    """
    parts = []
    for name in NATURAL_FIELDS[kind]:
        value = record.get(name)
        parts.append("" if value is None else str(value))
    return hashlib.sha1("|".join(parts).encode()).hexdigest()


def identity(kind: str, record: dict[str, Any]) -> str:
    """The unique identity of a fact row: its 记录编号 when given, else its natural key."""
    if record.get("record_id"):
        digest = hashlib.sha1(f"{record['uscc']}|{record['record_id']}".encode()).hexdigest()
        return f"id:{digest}"
    return f"nk:{natural_key(kind, record)}"


@dataclass
class StoreOutcome:
    """What one import did: rows new, changed, unchanged and withdrawn; errors and warnings.

    ``covered`` holds the primary keys of every stored row this import matched or added, so
    a replacing import can withdraw the rest of its source.
    """

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    covered: set[tuple] = field(default_factory=set)
    near: dict[int, int] = field(default_factory=dict)  # file row → stored fact id it resembles


def _pk_columns(kind: str) -> tuple[str, ...]:
    return {"enterprises": ("uscc",), "metrics": ("uscc", "period", "indicator")}.get(kind, ("id",))


def _key(kind: str, record: dict[str, Any]) -> tuple:
    if kind == "enterprises":
        return (record["uscc"],)
    return (record["uscc"], record["period"], record["indicator"])


def _known_enterprises(session: Session, usccs: Iterable[str]) -> set[str]:
    wanted = sorted(set(usccs))
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        query = select(Enterprise.uscc).where(
            Enterprise.uscc.in_(chunk), Enterprise.withdrawn_run_id.is_(None)
        )
        found.update(session.scalars(query))
    return found


def _stored(session: Session, kind: str, usccs: Iterable[str]) -> list[dict[str, Any]]:
    """Every stored row (withdrawn ones too) of the given enterprises, as dicts."""
    model = MODELS[kind]
    names = [c.key for c in model.__table__.columns]
    wanted = sorted(set(usccs))
    rows: list[dict[str, Any]] = []
    for start in range(0, len(wanted), _CHUNK):
        query = select(*(getattr(model, n) for n in names)).where(
            model.uscc.in_(wanted[start : start + _CHUNK])
        )
        rows.extend(dict(zip(names, values, strict=True)) for values in session.execute(query))
    return rows


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(float(a) - float(b)) < 1e-9
    if isinstance(a, dt.datetime):
        a = a.date()
    return a == b or (a in (None, {}) and b in (None, {}))


def _enterprise_errors(
    session: Session, kind: str, records: list[dict], rows: Sequence[int], also: Iterable[str], header: str
) -> tuple[list[dict], list[int], list[RowError]]:
    """Keep the rows whose enterprise is stored (and not withdrawn) or in the same import."""
    if kind in ("enterprises", "demands"):  # a buyer need not be in the registry
        return records, list(rows), []
    known = _known_enterprises(session, (r["uscc"] for r in records)) | set(also)
    kept, kept_rows, errors = [], [], []
    for record, row in zip(records, rows, strict=True):
        if record["uscc"] in known:
            kept.append(record)
            kept_rows.append(row)
        else:
            reason = "企业不在名录中,请先导入企业表(enterprises)"
            errors.append(RowError(row, header, record["uscc"], reason, "uscc"))
    return kept, kept_rows, errors


def store(
    session: Session,
    kind: str,
    records: Sequence[dict[str, Any]],
    rows: Sequence[int],
    also_enterprises: Iterable[str] = (),
    header: str = "统一社会信用代码",
    source: str | None = None,
    run_id: int | None = None,
) -> StoreOutcome:
    """Insert new rows and update changed ones; the caller's transaction decides commit.

    ``rows`` are the spreadsheet row numbers of ``records`` (for error messages);
    ``also_enterprises`` are credit codes being imported in the same transaction; ``header``
    is how the file wrote the credit-code column; ``source`` and ``run_id`` are recorded on
    every row this import writes.
    """
    outcome = StoreOutcome()
    records = [{**r, "extras": r.get("extras") or {}} for r in records]
    records, rows, outcome.errors = _enterprise_errors(session, kind, records, rows, also_enterprises, header)
    stamp = {"source": source, "import_run_id": run_id, "withdrawn_run_id": None}
    if kind in FACT_TABLES:
        fresh, changed = _match_facts(session, kind, records, rows, outcome)
    elif kind in IDENTIFIED_TABLES:
        fresh, changed = _match_identified(session, kind, records, rows, outcome)
    else:
        fresh, changed = _match_keyed(session, kind, records, outcome)
    model = MODELS[kind]
    allowed = {c.key for c in model.__table__.columns}
    for start in range(0, len(fresh), _CHUNK):
        chunk = [_only({**r, **stamp}, allowed) for r in fresh[start : start + _CHUNK]]
        session.execute(insert(model), chunk)
    if changed:
        session.execute(update(model), [_only({**r, **stamp}, allowed) for r in changed])
    if (kind in FACT_TABLES or kind in IDENTIFIED_TABLES) and fresh:
        # the primary keys of the new rows, for a replacing import
        keys = [r["identity"] for r in fresh]
        for start in range(0, len(keys), _CHUNK):
            query = select(model.id).where(model.identity.in_(keys[start : start + _CHUNK]))
            outcome.covered.update((i,) for i in session.scalars(query))
    elif fresh:
        outcome.covered.update(_key(kind, r) for r in fresh)
    outcome.new, outcome.changed = len(fresh), len(changed)
    return outcome


def _match_keyed(
    session: Session, kind: str, records: list[dict], outcome: StoreOutcome
) -> tuple[list[dict], list[dict]]:
    """Enterprises and metrics: matched to stored rows by their key."""
    stored = {_key(kind, s): s for s in _stored(session, kind, (r["uscc"] for r in records))}
    fresh, changed = [], []
    for record in records:
        key = _key(kind, record)
        old = stored.get(key)
        if old is None:
            fresh.append(record)
            continue
        outcome.covered.add(key)
        if old["withdrawn_run_id"] is None and all(_same(old.get(f), record.get(f)) for f in FIELDS[kind]):
            outcome.unchanged += 1
        else:
            changed.append(record)
    return fresh, changed


def _stored_identities(session: Session, kind: str, identities: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Stored rows (withdrawn ones too) by identity."""
    model = MODELS[kind]
    names = [c.key for c in model.__table__.columns]
    wanted = sorted(set(identities))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), _CHUNK):
        query = select(*(getattr(model, n) for n in names)).where(
            model.identity.in_(wanted[start : start + _CHUNK])
        )
        for values in session.execute(query):
            row = dict(zip(names, values, strict=True))
            found[row["identity"]] = row
    return found


def _match_identified(
    session: Session, kind: str, records: list[dict], rows: Sequence[int], outcome: StoreOutcome
) -> tuple[list[dict], list[dict]]:
    """Products and demands: matched to stored rows by :func:`catalog_identity`."""
    for record in records:
        record["identity"] = catalog_identity(kind, record)
    stored = _stored_identities(session, kind, (r["identity"] for r in records))
    fresh: list[dict] = []
    changed: list[dict] = []
    seen: dict[str, int] = {}
    for record, row in zip(records, rows, strict=True):
        if record["identity"] in seen:
            reason = f"与第{seen[record['identity']]}行是同一{_ROW_NAME[kind]},请合并为一行"
            column = "产品名称" if kind == "products" else "需求编号"
            value = record["name"] if kind == "products" else record["demand_id"]
            outcome.errors.append(RowError(row, column, value, reason, ""))
            continue
        seen[record["identity"]] = row
        old = stored.get(record["identity"])
        if old is None:
            fresh.append(record)
            continue
        outcome.covered.add((old["id"],))
        record["id"] = old["id"]
        if old["withdrawn_run_id"] is None and all(_same(old.get(f), record.get(f)) for f in FIELDS[kind]):
            outcome.unchanged += 1
        else:
            changed.append(record)
    return fresh, changed


def _match_facts(
    session: Session, kind: str, records: list[dict], rows: Sequence[int], outcome: StoreOutcome
) -> tuple[list[dict], list[dict]]:
    """Recognitions and events: matched by 记录编号, else by natural key (see the module doc)."""
    stored = _stored(session, kind, (r["uscc"] for r in records))
    by_identity = {s["identity"]: s for s in stored}
    by_natural: dict[str, list[dict]] = defaultdict(list)
    for s in stored:
        by_natural[s["natural_key"]].append(s)
    fresh: list[dict] = []
    changed: list[dict] = []
    claimed: dict[int, int] = {}  # stored id → file row that matched it
    for record, row in zip(records, rows, strict=True):
        record["natural_key"] = natural_key(kind, record)
        record["identity"] = identity(kind, record)
        old = by_identity.get(record["identity"])
        if old is None:
            same = by_natural.get(record["natural_key"], [])
            plain = [s for s in same if not s["record_id"]]
            numbered = [s for s in same if s["record_id"]]
            if plain:  # stored without a 记录编号: this row corrects it (and may give it one)
                old = plain[0]
            elif not record.get("record_id") and len(numbered) == 1:
                old = numbered[0]  # the file left out the 记录编号 it gave before
                record["record_id"], record["identity"] = old["record_id"], old["identity"]
        if old is not None and old["kind"] != record["kind"]:
            outcome.errors.append(
                RowError(
                    row,
                    "记录编号",
                    record.get("record_id") or "",
                    f"记录编号已用于另一条记录({old['kind']},{old[DATE_FIELD[kind]]}),请检查编号",
                    "record_id",
                )
            )
            continue
        if old is None:
            fresh.append(record)
            continue
        if old["id"] in claimed:
            reason = f"与第{claimed[old['id']]}行指向同一条已存记录,请合并为一行或填写不同的记录编号"
            outcome.errors.append(RowError(row, "记录编号", record.get("record_id") or "", reason, ""))
            continue
        claimed[old["id"]] = row
        outcome.covered.add((old["id"],))
        record["id"] = old["id"]
        unchanged = (
            old["withdrawn_run_id"] is None
            and old["identity"] == record["identity"]
            and all(_same(old.get(f), record.get(f)) for f in FIELDS[kind])
        )
        if unchanged:
            outcome.unchanged += 1
        else:
            record["near_duplicate_of"] = old["near_duplicate_of"]
            changed.append(record)
    _flag_near_duplicates(kind, fresh, rows, records, stored, set(claimed), outcome)
    return fresh, changed


def _flag_near_duplicates(
    kind: str,
    fresh: list[dict],
    rows: Sequence[int],
    records: list[dict],
    stored: list[dict],
    claimed: set[int],
    outcome: StoreOutcome,
) -> None:
    """Mark new facts that resemble a stored fact this import does not mention (see module doc)."""
    row_of = {id(r): n for r, n in zip(records, rows, strict=True)}
    date_field = DATE_FIELD[kind]
    window = dt.timedelta(days=NEAR_DAYS[kind])
    live: dict[tuple, list[dict]] = defaultdict(list)
    for s in stored:
        if s["withdrawn_run_id"] is None and s["id"] not in claimed:
            live[(s["uscc"], s["kind"], s.get("review"))].append(s)
    for record in fresh:
        record["near_duplicate_of"] = None
        if record.get("record_id"):
            continue  # an explicit 记录编号 says this is a fact of its own
        for old in live.get((record["uscc"], record["kind"], record.get("review")), ()):
            if abs(old[date_field] - record[date_field]) <= window:
                record["near_duplicate_of"] = old["id"]
                outcome.near[row_of[id(record)]] = old["id"]
                outcome.warnings.append(
                    RowError(
                        row_of[id(record)],
                        "日期",
                        str(record[date_field]),
                        f"与已导入的{old[date_field]}同类记录相近,可能是更正后重复导入:已导入,"
                        "相关奖补改为需申报核实;如为更正,请用 --replace 重新导入整个文件或填写记录编号",
                        date_field,
                    )
                )
                break


def withdraw_missing(session: Session, kind: str, source: str, outcome: StoreOutcome, run_id: int) -> int:
    """Withdraw the live rows of ``source`` that a replacing import did not cover; returns how many.

    A new fact that only resembled one of the withdrawn rows is no longer in doubt: the file
    replaced the old row with it (a corrected date), so its flag and warning are dropped.
    """
    model = MODELS[kind]
    pk = _pk_columns(kind)
    query = select(*(getattr(model, c) for c in pk)).where(
        model.source == source, model.withdrawn_run_id.is_(None)
    )
    missing = [tuple(row) for row in session.execute(query) if tuple(row) not in outcome.covered]
    _mark_withdrawn(session, kind, missing, run_id)
    gone = {key[0] for key in missing}
    if kind in FACT_TABLES and outcome.near:
        replaced = {row for row, target in outcome.near.items() if target in gone}
        outcome.warnings = [w for w in outcome.warnings if w.row not in replaced]
        for start in range(0, len(missing), _CHUNK):
            chunk = [key[0] for key in missing[start : start + _CHUNK]]
            session.execute(
                update(model).where(model.near_duplicate_of.in_(chunk)).values(near_duplicate_of=None)
            )
    return len(missing)


def withdraw_listed(
    session: Session, kind: str, records: Sequence[dict[str, Any]], rows: Sequence[int], run_id: int
) -> StoreOutcome:
    """Withdraw the stored rows a withdrawal file lists (by 记录编号, else by natural key)."""
    outcome = StoreOutcome()
    if kind in FACT_TABLES:
        stored = _stored(session, kind, (r["uscc"] for r in records))
        by_identity = {s["identity"]: s for s in stored}
        by_natural: dict[str, list[dict]] = defaultdict(list)
        for s in stored:
            by_natural[s["natural_key"]].append(s)
    elif kind in IDENTIFIED_TABLES:
        identified = _stored_identities(session, kind, (catalog_identity(kind, r) for r in records))
    else:
        keyed = {_key(kind, s): s for s in _stored(session, kind, (r["uscc"] for r in records))}
    targets: list[tuple] = []
    for record, row in zip(records, rows, strict=True):
        if kind in FACT_TABLES:
            found = by_identity.get(identity(kind, record))
            if found is None and not record.get("record_id"):
                same = by_natural.get(natural_key(kind, record), [])
                found = same[0] if len(same) == 1 else None
            key = (found["id"],) if found else None
        elif kind in IDENTIFIED_TABLES:
            found = identified.get(catalog_identity(kind, record))
            key = (found["id"],) if found else None
        else:
            found = keyed.get(_key(kind, record))
            key = _key(kind, record) if found else None
        if found is None or found["withdrawn_run_id"] is not None:
            reason = "没有找到要撤回的记录" if found is None else "该记录已撤回"
            if kind == "demands":
                outcome.errors.append(RowError(row, "需求编号", record["demand_id"], reason, "demand_id"))
                continue
            outcome.errors.append(RowError(row, "统一社会信用代码", record["uscc"], reason, "uscc"))
            continue
        targets.append(key)
    _mark_withdrawn(session, kind, targets, run_id)
    outcome.withdrawn = len(targets)
    return outcome


def _mark_withdrawn(session: Session, kind: str, keys: Sequence[tuple], run_id: int) -> None:
    model = MODELS[kind]
    pk = _pk_columns(kind)
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        if len(pk) == 1:
            condition = getattr(model, pk[0]).in_([k[0] for k in chunk])
        else:
            condition = or_(
                *(and_(*(getattr(model, c) == v for c, v in zip(pk, k, strict=True))) for k in chunk)
            )
        session.execute(update(model).where(condition).values(withdrawn_run_id=run_id))


def _only(record: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k in allowed}
