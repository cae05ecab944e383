"""The policy library (政策库): documents stored with their extraction, one version per text.

What makes two files the same document is what the document says it is, never its file name
(many sites call every page index.html, many offices every file 政策.txt):

* its **文号** when it has one (济政办字〔2019〕62号 names one document in the whole country);
* else its **title** together with its region (two counties may issue the same title);
* else its **text** (a clause pasted alone, a page with no title): each text is a document.

Ingesting the same bytes again changes nothing. A different text of the same document
becomes a new version and the current one. Ingesting an earlier text again makes that
version current again (no copy is made). A file whose 文号 matches a stored document but
whose title differs is refused unless the officer says it is a new version of it
(``version_of``): a misread 文号 must not replace another document. Rules are compiled from
each document's current version; earlier versions stay so old results remain explainable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiqi.db.models import Document, DocumentVersion
from huiqi.errors import HuiqiError
from huiqi.extract.model import PolicyDoc
from huiqi.extract.pipeline import extract_file

IngestStatus = Literal["new", "new_version", "unchanged", "reinstated"]
STATUS_ZH: dict[str, str] = {
    "new": "新文件",
    "new_version": "新版本",
    "unchanged": "未变化",
    "reinstated": "恢复为现行版本",
}


class DocumentConflictError(HuiqiError):
    """The file's 文号 names a stored document whose title is different (文号冲突)."""


@dataclass(frozen=True)
class IngestResult:
    path: Path
    status: IngestStatus
    document_id: int
    version: int
    title: str | None
    incentives: int
    note: str | None = None  # something the officer should know (a file name shared with another document)


def file_digest(data: bytes) -> str:
    """SHA-256 of a file's bytes: the identity of one version."""
    return hashlib.sha256(data).hexdigest()


def _squash(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("〔", "[").replace("〕", "]").replace("【", "[").replace("】", "]")
    text = text.replace("(", "[").replace(")", "]")
    return re.sub(r"[\s\"'“”‘’《》<>]", "", text)


_MIN_TITLE = 8  # a shorter "title" (通知, 实施意见) does not tell one document from another


def document_identity(meta: dict[str, Any], digest: str) -> str:
    """What identifies a document: its 文号, else its region and title, else its text.

    >>> document_identity({"doc_number": "济政办字〔2019〕62号"}, "d")[:7]
    'docnum:'
    >>> a = document_identity({"doc_number": "济政办字[2019]62号"}, "x")
    >>> a == document_identity({"doc_number": "济政办字 〔2019〕 62号", "title": "另一个"}, "y")
    True
    >>> document_identity({"title": None}, "abc")
    'text:abc'
    """
    if number := _squash(meta.get("doc_number") or ""):
        return "docnum:" + hashlib.sha1(number.encode()).hexdigest()
    title = _squash(meta.get("title") or "")
    if len(title) >= _MIN_TITLE:
        where = _squash(meta.get("region") or "")
        return "title:" + hashlib.sha1(f"{where}|{title}".encode()).hexdigest()
    return "text:" + digest[:58]


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class ReadDocument:
    """A file read and extracted, ready to be stored (reading needs no database)."""

    path: Path
    policy: PolicyDoc
    digest: str


def read_document(path: Path) -> ReadDocument:
    """Load and extract ``path``; raises DocumentError on a missing, bad or non-policy file."""
    policy = extract_file(path)
    return ReadDocument(path, policy, file_digest(path.read_bytes()))


def ingest_file(session: Session, path: Path, version_of: int | None = None) -> IngestResult:
    """Read and store ``path``; raises DocumentError (nothing stored) on a bad file."""
    return store_document(session, read_document(path), version_of)


def store_document(session: Session, read: ReadDocument, version_of: int | None = None) -> IngestResult:
    """Store a read document as a new document, a new version, or a version made current again.

    ``version_of`` (a document id) says this file is a new version of that document even
    though its 文号 or title differ.
    """
    path, policy, digest = read.path, read.policy, read.digest
    meta = policy.document
    extraction = policy.model_dump(mode="json", exclude={"source"})
    key = document_identity(extraction["document"], digest)
    if version_of is not None:
        document = session.get(Document, version_of)
        if document is None:
            raise HuiqiError(f"--version-of {version_of}: 政策库中没有这个编号的文件")
    else:
        document = session.scalar(select(Document).where(Document.identity == key))
        if document is not None and _title_changed(document.title, meta.title):
            raise DocumentConflictError(
                f"{path}: 文号{meta.doc_number or ''}与已入库的《{document.title}》(编号{document.id})相同,"
                f"但标题不同(《{meta.title}》)。如确为该文件的新版本,请加 --version-of {document.id} "
                "重新入库;否则请核对文号"
            )
    note = None
    if document is None:
        same_name = session.scalar(select(Document).where(Document.name == path.name))
        if same_name is not None:
            note = (
                f"文件名与已入库的《{same_name.title or same_name.name}》相同,但文号和标题不同,"
                "已作为另一份文件入库"
            )
        document = Document(identity=key, name=path.name)
        session.add(document)
        status: IngestStatus = "new"
    else:
        known = session.scalar(
            select(DocumentVersion).where(
                DocumentVersion.document_id == document.id, DocumentVersion.sha256 == digest
            )
        )
        if known is not None:
            count = len(known.extraction.get("incentives", []))
            status = "unchanged" if document.current_version_id == known.id else "reinstated"
            document.current_version_id = known.id
            _describe(document, known.extraction["document"], path.name)
            return IngestResult(path, status, document.id, known.version, document.title, count)
        status = "new_version"
    _describe(document, extraction["document"], path.name)
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
        extraction=extraction,
    )
    session.add(version)
    session.flush()
    document.current_version_id = version.id
    return IngestResult(path, status, document.id, version.version, meta.title, len(policy.incentives), note)


def _title_changed(stored: str | None, read: str | None) -> bool:
    return bool(stored and read) and _squash(stored or "") != _squash(read or "")


def _describe(document: Document, meta: dict[str, Any], name: str) -> None:
    document.name = name
    document.title, document.region, document.level = meta.get("title"), meta.get("region"), meta.get("level")
    document.doc_number = meta.get("doc_number")


def current_versions(session: Session) -> list[DocumentVersion]:
    """The version in force of every document, oldest document first."""
    query = (
        select(DocumentVersion)
        .join(Document, Document.current_version_id == DocumentVersion.id)
        .order_by(DocumentVersion.document_id)
    )
    return list(session.scalars(query))
