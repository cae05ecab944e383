"""The review overlay: officers' decisions kept beside the machine reading and replayed on it.

Every decision is a :class:`~huiqi.db.models.ReadingReview` row (who, when, which row, before,
after, reason) and is never edited. The reading an officer sees — and the one a publication
freezes — is the machine's reading of a version with the decisions replayed in order:

* a decision made on this very version always applies;
* a decision made on an earlier version applies when it still fits: a correction when the
  machine still reads the value it corrected (or now reads the corrected value), a confirmation
  when the machine reads the row exactly as it was confirmed, an exclusion when the row is still
  there. Otherwise it **needs a look**: the new machine value is shown and the row blocks
  publication until an officer decides again on this version;
* a decision about a row the new version no longer has is an **orphan**; it blocks publication
  until an officer dismisses it (with a reason) on this version.

A row the extractor flagged (``needs_review``) is handled once it is confirmed, corrected or
excluded. Handled rows lose the flag in the reviewed reading, so the rule compiled from them is
no longer 需申报 only because of the extractor's doubt.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.db.models import DocumentVersion, ReadingReview, User
from huiqi.review.items import SECTION_ZH, SECTIONS, grant_key, item_keys

# Fields of a row compared when a confirmation from an earlier version is replayed.
_VOLATILE = {"notes"}


def snapshot(row: dict[str, Any]) -> dict[str, Any]:
    """The part of a machine row a confirmation vouches for."""
    return {k: v for k, v in row.items() if k not in _VOLATILE}


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@dataclass
class ReviewNote:
    """One decision as shown with a row: what, who, when, and whether it applies here."""

    id: int
    action: str
    field: str | None
    machine: Any
    before: Any
    after: Any
    reason: str
    by: str
    at: str
    version_id: int
    applies: bool
    note: str | None = None


@dataclass
class Item:
    """One row of a version's reading with its review state."""

    section: str
    index: int
    key: str
    machine: dict[str, Any]
    reading: dict[str, Any]
    status: str = "machine"  # machine / confirmed / corrected / excluded
    flagged: bool = False
    history: list[ReviewNote] = field(default_factory=list)
    needs_look: list[ReviewNote] = field(default_factory=list)

    @property
    def blocking(self) -> bool:
        """Whether this row stops the version from being published."""
        return bool(self.needs_look) or (self.flagged and self.status == "machine")

    def label(self) -> str:
        head = self.machine.get("subject") or self.machine.get("indicator") or self.machine.get("title")
        head = head or self.machine.get("text") or ""
        return f"{SECTION_ZH[self.section]}第{self.index + 1}条“{str(head)[:30]}”"


@dataclass
class VersionReview:
    """The review state of one version: every row, and decisions about rows that are gone."""

    version: DocumentVersion
    items: dict[str, list[Item]]
    orphans: list[ReviewNote]

    def blocking(self) -> list[str]:
        """Why the version cannot be published yet, one Chinese line per row (empty: it can)."""
        out = []
        for rows in self.items.values():
            for item in rows:
                if item.needs_look:
                    out.append(f"{item.label()}:旧版本上的审核意见需要重新确认")
                elif item.blocking:
                    out.append(f"{item.label()}:系统提示待核,尚未确认、更正或排除")
        out += [f"审核记录#{o.id}:所指的行在本版本中已不存在,需确认后撤销" for o in self.orphans]
        return out

    def find(self, section: str, index: int) -> Item | None:
        rows = self.items.get(section, [])
        return rows[index] if 0 <= index < len(rows) else None

    def reading(self) -> dict[str, Any]:
        """The reviewed reading: corrections applied, excluded rows left out, handled flags
        cleared; each incentive carries its ``item_key`` and ``grant_key`` (extra fields)."""
        data = copy.deepcopy(self.version.extraction)
        for section in SECTIONS:
            rows = []
            for item in self.items.get(section, []):
                if item.status == "excluded":
                    continue
                row = copy.deepcopy(item.reading)
                row["item_key"] = item.key
                if section == "incentives":
                    row["grant_key"] = grant_key(item.machine)
                    if item.status != "machine" and not item.needs_look:
                        row["needs_review"] = False
                rows.append(row)
            data[section] = rows
        return data


def _note(review: ReadingReview, username: str, applies: bool, note: str | None = None) -> ReviewNote:
    return ReviewNote(
        id=review.id,
        action=review.action,
        field=review.field,
        machine=json.loads(review.machine),
        before=json.loads(review.before),
        after=json.loads(review.after),
        reason=review.reason,
        by=username,
        at=review.created_at.isoformat(timespec="seconds"),
        version_id=review.document_version_id,
        applies=applies,
        note=note,
    )


def _replay(item: Item, review: ReadingReview, note: ReviewNote, here: bool) -> None:
    """Apply one decision to one row (see the module docstring for when it applies)."""
    action, name = review.action, review.field
    after = note.after
    if action == "correct":
        # A later decision on this field replaces an earlier one that needed a look.
        item.needs_look = [n for n in item.needs_look if n.field != name]
        if here or item.machine.get(name) in (note.machine, after):
            item.reading[name] = after
            if item.status != "excluded":
                item.status = "corrected"
        else:
            note.applies = False
            note.note = f"机器读取值已变为 {dumps(item.machine.get(name))}"
            item.needs_look.append(note)
    elif action == "confirm":
        if here or snapshot(item.machine) == note.machine:
            item.needs_look = []
            if item.status != "excluded":
                item.status = "confirmed" if item.status == "machine" else item.status
        else:
            note.applies = False
            note.note = "该行的机器读取结果已变化"
            item.needs_look.append(note)
    elif action == "exclude":
        item.needs_look = []
        item.status = "excluded"
    elif action == "restore":
        corrected = any(n.action == "correct" and n.applies for n in item.history)
        item.status = "corrected" if corrected else "machine"
    elif action == "dismiss":
        item.needs_look = []
    item.history.append(note)


def review_version(session: Session, version: DocumentVersion) -> VersionReview:
    """Replay every decision about the document on ``version``'s machine reading."""
    reading = version.extraction
    items: dict[str, list[Item]] = {}
    by_key: dict[tuple[str, str], Item] = {}
    for section in SECTIONS:
        rows = reading.get(section) or []
        keys = item_keys(section, rows)
        items[section] = []
        for index, (row, key) in enumerate(zip(rows, keys, strict=True)):
            item = Item(section, index, key, row, copy.deepcopy(row), flagged=bool(row.get("needs_review")))
            items[section].append(item)
            by_key[(section, key)] = item
    reviews = session.execute(
        select(ReadingReview, User.username)
        .join(User, User.id == ReadingReview.user_id)
        .where(ReadingReview.document_id == version.document_id)
        .order_by(ReadingReview.id)
    ).all()
    orphans: dict[tuple[str, str], list[ReviewNote]] = {}
    for review, username in reviews:
        here = review.document_version_id == version.id
        note = _note(review, username, applies=True)
        item = by_key.get((review.section, review.item_key))
        if item is not None:
            _replay(item, review, note, here)
            continue
        slot = orphans.setdefault((review.section, review.item_key), [])
        if review.action == "dismiss" and here:
            slot.clear()
        elif review.action != "dismiss":
            note.applies = False
            note.note = "所指的行在本版本中已不存在"
            slot.append(note)
    return VersionReview(version, items, [n for notes in orphans.values() for n in notes])
