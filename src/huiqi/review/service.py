"""Officer decisions on a reading (correct, confirm, exclude, restore, dismiss) and publication.

Decisions are made on a document's latest version by an officer whose region covers the
document (or an admin). Publication freezes the reviewed reading of the latest version; only
published readings pay (:func:`published_readings`, :func:`published_versions`).
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiqi.accounts.users import Actor, utcnow
from huiqi.audit.chain import canonical, record
from huiqi.db.models import Document, DocumentVersion, Publication, ReadingReview
from huiqi.payout.errors import Conflict, Forbidden, Invalid, NotFound
from huiqi.review.fields import PATCHES
from huiqi.review.items import SECTION_ZH, SECTIONS
from huiqi.review.overlay import Item, VersionReview, dumps, review_version, snapshot

REVIEWERS = frozenset({"officer", "admin"})


def document_or_404(session: Session, document_id: int) -> Document:
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(f"没有编号为 {document_id} 的政策文件")
    return document


def latest_version(session: Session, document_id: int) -> DocumentVersion:
    version = session.scalar(
        select(DocumentVersion)
        .where(DocumentVersion.document_id == document_id)
        .order_by(DocumentVersion.version.desc())
        .limit(1)
    )
    if version is None:
        raise NotFound(f"政策文件 {document_id} 没有任何版本")
    return version


def document_prefix(document: Document) -> str | None:
    """The region prefix a document governs (None when its region is not a known place)."""
    from huiqi.registry.codes import code_for_place, region_prefix

    code = code_for_place(document.region) if document.region else None
    return region_prefix(code) if code else None


def check_reviewer(actor: Actor, document: Document) -> None:
    """Officers review documents inside their region; admins any document."""
    if actor.role == "admin":
        return
    if actor.role != "officer":
        raise Forbidden("只有经办人员或管理员可以审核政策文件")
    prefix = document_prefix(document)
    if prefix is None or not prefix.startswith(actor.region_prefix or "\0"):
        raise Forbidden("该文件不在您负责的地区内,不能审核")


def _target(
    session: Session, actor: Actor, section: str, version_id: int, index: int
) -> tuple[Item, Document]:
    if section not in SECTIONS:
        raise NotFound("没有这一类条目")
    version = session.get(DocumentVersion, version_id)
    if version is None:
        raise NotFound(f"没有编号为 {version_id}-{index} 的{SECTION_ZH[section]}")
    document = document_or_404(session, version.document_id)
    item = review_version(session, version).find(section, index)
    if item is None:
        raise NotFound(f"没有编号为 {version_id}-{index} 的{SECTION_ZH[section]}")
    check_reviewer(actor, document)
    if latest_version(session, document.id).id != version.id:
        raise Conflict("只能审核文件的最新版本,请刷新后在最新版本上操作", code="stale_version")
    return item, document


def _store(
    session: Session,
    actor: Actor,
    item: Item,
    version_id: int,
    document_id: int,
    action: str,
    reason: str,
    *,
    field: str | None = None,
    machine: Any = None,
    before: Any = None,
    after: Any = None,
) -> ReadingReview:
    review = ReadingReview(
        document_id=document_id,
        document_version_id=version_id,
        section=item.section,
        item_key=item.key,
        action=action,
        field=field,
        machine=dumps(machine),
        before=dumps(before),
        after=dumps(after),
        reason=reason,
        user_id=actor.id,
        created_at=utcnow(),
    )
    session.add(review)
    session.flush()
    record(
        session,
        actor.username,
        f"review.{action}",
        item.section,
        f"{version_id}-{item.index}",
        before=before if field is None else {field: before},
        after=after if field is None else {field: after},
        reason=reason,
    )
    return review


def correct(
    session: Session, actor: Actor, section: str, version_id: int, index: int, body: dict[str, Any]
) -> Item:
    """Correct fields of one row; ``body`` holds the fields that change and ``reason``."""
    patch = PATCHES[section].model_validate(body)
    item, document = _target(session, actor, section, version_id, index)
    changes = patch.changes()
    for name, value in sorted(changes.items()):
        shown = item.reading.get(name)
        if shown == value:
            continue
        _store(
            session,
            actor,
            item,
            version_id,
            document.id,
            "correct",
            patch.reason,
            field=name,
            machine=item.machine.get(name),
            before=shown,
            after=value,
        )
    return _reload(session, section, version_id, index)


def decide(
    session: Session, actor: Actor, section: str, version_id: int, index: int, action: str, reason: str
) -> Item:
    """Confirm, exclude or restore one row, or dismiss the old decisions that need a look."""
    if action not in ("confirm", "exclude", "restore", "dismiss"):
        raise Invalid("操作须为 confirm/exclude/restore/dismiss 之一", "action")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("请填写理由", "reason")
    item, document = _target(session, actor, section, version_id, index)
    if action == "exclude" and item.status == "excluded":
        raise Conflict("该行已被排除")
    if action == "restore" and item.status != "excluded":
        raise Conflict("该行没有被排除,无需恢复")
    _store(
        session,
        actor,
        item,
        version_id,
        document.id,
        action,
        reason,
        machine=snapshot(item.machine),
        before={"status": item.status},
        after={"status": {"confirm": "confirmed", "exclude": "excluded"}.get(action, item.status)},
    )
    return _reload(session, section, version_id, index)


def dismiss_orphan(
    session: Session, actor: Actor, document_id: int, review_id: int, reason: str
) -> VersionReview:
    """Acknowledge that old decisions about a row the latest version no longer has are void
    (all of that row's old decisions, named by the id of any one of them)."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("请填写理由", "reason")
    document = document_or_404(session, document_id)
    check_reviewer(actor, document)
    version = latest_version(session, document_id)
    state = review_version(session, version)
    orphan = next((o for o in state.orphans if o.id == review_id), None)
    old = session.get(ReadingReview, review_id)
    if orphan is None or old is None:
        raise NotFound(f"审核记录#{review_id} 不是本文件最新版本中待撤销的记录", "review_id")
    review = ReadingReview(
        document_id=document_id,
        document_version_id=version.id,
        section=old.section,
        item_key=old.item_key,
        action="dismiss",
        field=None,
        machine="null",
        before=dumps({"review_id": review_id}),
        after="null",
        reason=reason,
        user_id=actor.id,
        created_at=utcnow(),
    )
    session.add(review)
    session.flush()
    record(session, actor.username, "review.dismiss", old.section, f"review-{review_id}", reason=reason)
    return review_version(session, version)


def _reload(session: Session, section: str, version_id: int, index: int) -> Item:
    session.flush()
    version = session.get(DocumentVersion, version_id)
    item = review_version(session, version).find(section, index)
    assert item is not None
    return item


def reading_digest(reading: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(reading).encode("utf-8")).hexdigest()


def publish(session: Session, actor: Actor, document_id: int, reason: str) -> Publication:
    """Release the latest version's reviewed reading to pay; refused while rows still block."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("请填写发布说明", "reason")
    document = document_or_404(session, document_id)
    check_reviewer(actor, document)
    version = latest_version(session, document_id)
    state = review_version(session, version)
    if blocking := state.blocking():
        shown = ";".join(blocking[:5]) + (f" 等共{len(blocking)}处" if len(blocking) > 5 else "")
        raise Conflict(f"还有{len(blocking)}处待审核,不能发布:{shown}", code="review_pending")
    reading = state.reading()
    digest = reading_digest(reading)
    current = latest_publication(session, document_id)
    if current is not None and current.document_version_id == version.id and current.reading_sha256 == digest:
        raise Conflict("该版本的审核结果已发布,没有新的变化", code="already_published")
    publication = Publication(
        document_id=document_id,
        document_version_id=version.id,
        reading=reading,
        reading_sha256=digest,
        published_by=actor.id,
        published_at=utcnow(),
        reason=reason,
    )
    session.add(publication)
    session.flush()
    record(
        session,
        actor.username,
        "document.publish",
        "document",
        document_id,
        before=None
        if current is None
        else {"publication": current.id, "version_id": current.document_version_id},
        after={"publication": publication.id, "version_id": version.id, "reading_sha256": digest},
        reason=reason,
    )
    return publication


def latest_publication(session: Session, document_id: int) -> Publication | None:
    return session.scalar(
        select(Publication)
        .where(Publication.document_id == document_id)
        .order_by(Publication.id.desc())
        .limit(1)
    )


def published_readings(session: Session) -> list[Publication]:
    """The newest publication of every published document, oldest document first.

    This is what pays: the matcher should compile ``publication.reading`` (the reviewed reading,
    with ``document_version_id``) instead of each document's latest machine reading.
    """
    newest = select(func.max(Publication.id)).group_by(Publication.document_id).scalar_subquery()
    return list(
        session.scalars(
            select(Publication).where(Publication.id.in_(newest)).order_by(Publication.document_id)
        )
    )


def published_versions(session: Session) -> list[DocumentVersion]:
    """The published version of every published document (for the matcher), oldest document first."""
    ids = [p.document_version_id for p in published_readings(session)]
    if not ids:
        return []
    return list(
        session.scalars(
            select(DocumentVersion).where(DocumentVersion.id.in_(ids)).order_by(DocumentVersion.document_id)
        )
    )
