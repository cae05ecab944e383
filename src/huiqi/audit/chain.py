"""The audit chain: record a change, read the log, verify that nothing was edited, removed or
reordered.

Each entry's hash covers its own fields and the previous entry's hash, so changing any stored
byte, deleting an entry or swapping two breaks every hash from there on. ``audit_head`` holds the
newest sequence number and hash; appending bumps it first, which serialises appenders (a row lock
on PostgreSQL, the write lock on SQLite) so the chain never forks, and lets :func:`verify` notice a
removed last entry. The database refuses UPDATE and DELETE on the log (triggers of migration 0100).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from huiqi.db.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """JSON with sorted keys and no spaces: the exact text that is stored and hashed."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(
    prev_hash: str, seq: int, at: str, actor: str, action: str, object_type: str, object_id: str, detail: str
) -> str:
    """SHA-256 over one entry's fields and the hash before it."""
    payload = canonical([prev_hash, seq, at, actor, action, object_type, object_id, detail])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def now_text() -> str:
    """The current UTC time as stored in the log (microseconds, so the order is visible)."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record(
    session: Session,
    actor: str,
    action: str,
    object_type: str,
    object_id: Any,
    *,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction (it commits or rolls back with the change)."""
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1))
    seq, prev = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one()
    at = now_text()
    detail = canonical({"before": before, "after": after, "reason": reason})
    digest = entry_hash(prev, seq, at, actor, action, object_type, str(object_id), detail)
    entry = AuditEntry(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail,
        prev_hash=prev,
        hash=digest,
    )
    session.add(entry)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=digest))
    session.flush()
    return entry


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`verify`: ``ok``, how many entries were checked, the first bad one."""

    ok: bool
    checked: int
    bad_seq: int | None = None
    problem: str | None = None

    def describe(self) -> str:
        if self.ok:
            return f"审计链完整:共 {self.checked} 条记录,逐条核对无误。"
        return f"审计链被破坏:第 {self.bad_seq} 条记录{self.problem}。"


def verify(session: Session, batch: int = 5000) -> Verdict:
    """Walk the chain in sequence order and report the first entry that does not hold."""
    prev, expected, checked = GENESIS, 1, 0
    query = select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=batch)
    for entry in session.scalars(query):
        if entry.seq != expected:
            return Verdict(False, checked, expected, f"缺失(下一条为第 {entry.seq} 条),记录被删除")
        if entry.prev_hash != prev:
            return Verdict(False, checked, entry.seq, "与前一条记录的哈希不衔接,记录被删除或调换了顺序")
        digest = entry_hash(
            entry.prev_hash,
            entry.seq,
            entry.at,
            entry.actor,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.detail,
        )
        if digest != entry.hash:
            return Verdict(False, checked, entry.seq, "的内容与其哈希不符,记录被修改")
        prev, expected, checked = entry.hash, expected + 1, checked + 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != checked or head.hash != prev):
        return Verdict(
            False, checked, checked + 1, f"缺失(链头记录共 {head.seq} 条,实有 {checked} 条),末尾记录被删除"
        )
    return Verdict(True, checked)


def entries(session: Session, limit: int, before_seq: int | None = None) -> list[AuditEntry]:
    """The log, newest first (``before_seq`` pages further back)."""
    query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if before_seq is not None:
        query = query.where(AuditEntry.seq < before_seq)
    return list(session.scalars(query))
