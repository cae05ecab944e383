"""The policy library (政策库): documents stored with their extraction, one version per text.

A document is known by its file name. Re-ingesting the same text is a no-op; a changed text
becomes a new version, and earlier versions stay so that old match results remain explainable.
The rules in force are compiled from each document's latest version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiqi.db.models import Document, DocumentVersion
from huiqi.extract.pipeline import extract_file

IngestStatus = Literal["new", "new_version", "unchanged"]
STATUS_ZH: dict[str, str] = {"new": "新文件", "new_version": "新版本", "unchanged": "未变化"}


@dataclass(frozen=True)
class IngestResult:
    path: Path
    status: IngestStatus
    document_id: int
    version: int
    title: str | None
    incentives: int


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes: the identity of one version."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def ingest_file(session: Session, path: Path) -> IngestResult:
    """Store ``path`` and its extraction; raises DocumentError (nothing stored) on a bad file."""
    digest = file_digest(path)
    document = session.scalar(select(Document).where(Document.name == path.name))
    if document is not None:
        known = session.scalar(
            select(DocumentVersion).where(
                DocumentVersion.document_id == document.id, DocumentVersion.sha256 == digest
            )
        )
        if known is not None:
            count = len(known.extraction.get("incentives", []))
            return IngestResult(path, "unchanged", document.id, known.version, document.title, count)
    policy = extract_file(path)
    data = policy.model_dump(mode="json")
    meta = policy.document
    if document is None:
        document = Document(name=path.name)
        session.add(document)
        status: IngestStatus = "new"
    else:
        status = "new_version"
    document.title, document.region, document.level = meta.title, meta.region, meta.level
    session.flush()
    latest = session.scalar(
        select(func.max(DocumentVersion.version)).where(DocumentVersion.document_id == document.id)
    )
    version = DocumentVersion(
        document_id=document.id,
        version=(latest or 0) + 1,
        sha256=digest,
        source_path=str(path),
        issued_on=_date(meta.issued_on),
        effective_from=_date(meta.effective_from),
        expires_on=_date(meta.expires_on),
        extraction=data,
    )
    session.add(version)
    session.flush()
    return IngestResult(path, status, document.id, version.version, meta.title, len(policy.incentives))


def latest_versions(session: Session) -> list[DocumentVersion]:
    """The current version of every document, oldest document first."""
    newest = (
        select(DocumentVersion.document_id, func.max(DocumentVersion.version).label("v"))
        .group_by(DocumentVersion.document_id)
        .subquery()
    )
    query = (
        select(DocumentVersion)
        .join(
            newest,
            (DocumentVersion.document_id == newest.c.document_id) & (DocumentVersion.version == newest.c.v),
        )
        .order_by(DocumentVersion.document_id)
    )
    return list(session.scalars(query))
