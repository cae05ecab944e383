"""申报材料: uploaded evidence, its type read from its bytes, size-limited, stored by SHA-256.

The declared name and content type of an upload are not trusted: the file's own first bytes say
what it is (the ``filetype`` library), and only PDF, JPEG and PNG are kept. Files are stored once
per content under ``DATA_DIR/evidence/ab/abcdef…`` and are never overwritten.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from pathlib import Path

import filetype
from sqlalchemy.orm import Session

from huiqi.accounts.users import Actor, utcnow
from huiqi.audit.chain import record
from huiqi.db.models import EVIDENCE_TYPES, Evidence
from huiqi.payout.errors import Conflict, Invalid, TooLarge, UnsupportedMedia
from huiqi.payout.workflow import _require, application

KIND_ZH = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
MAX_FILES = 20


def max_bytes() -> int:
    """The largest upload accepted (``HUIQI_MAX_UPLOAD_MB``, default 10 MB)."""
    return int(float(os.environ.get("HUIQI_MAX_UPLOAD_MB", "10")) * 1024 * 1024)


def sniff(data: bytes) -> str | None:
    """The media type the bytes show, if it is one we keep."""
    kind = filetype.guess(data[:8192])
    return kind.mime if kind is not None and kind.mime in EVIDENCE_TYPES else None


def clean_name(name: str | None) -> str:
    """A file name safe to show and store: no folders, no control characters, at most 120 chars.

    >>> clean_name("../../etc/\\x1b[31m发票.pdf")
    '[31m发票.pdf'
    """
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return base[:120] or "未命名"


def store_file(folder: Path, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    path = folder / digest[:2] / digest
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(".part")
        temp.write_bytes(data)
        temp.replace(path)
    return digest


def file_path(folder: Path, digest: str) -> Path:
    return folder / digest[:2] / digest


def add_evidence(
    session: Session, actor: Actor, application_id: int, name: str | None, data: bytes, folder: Path
) -> Evidence:
    """Keep one uploaded file for an application that is still open to material."""
    _require(actor, "enterprise")
    app, _ = application(session, actor, application_id)
    if app.status not in ("submitted", "returned"):
        raise Conflict("申报已审核完毕,不能再上传材料", code="application_closed")
    if len(data) > max_bytes():
        raise TooLarge(f"文件超过{max_bytes() // (1024 * 1024)}MB 的上限", "file")
    if not data:
        raise Invalid("文件是空的", "file")
    media = sniff(data)
    if media is None:
        raise UnsupportedMedia("只接受 PDF、JPEG 或 PNG 文件(按文件内容判断,而非扩展名)", "file")
    count = session.query(Evidence).filter(Evidence.application_id == app.id).count()
    if count >= MAX_FILES:
        raise Conflict(f"每份申报最多上传{MAX_FILES}个文件", code="too_many_files")
    digest = store_file(folder, data)
    evidence = Evidence(
        application_id=app.id,
        file_name=clean_name(name),
        media_type=media,
        size=len(data),
        sha256=digest,
        uploaded_by=actor.id,
        uploaded_at=utcnow(),
    )
    session.add(evidence)
    session.flush()
    record(
        session,
        actor.username,
        "evidence.add",
        "application",
        app.id,
        after={
            "evidence_id": evidence.id,
            "file_name": evidence.file_name,
            "media_type": media,
            "size": len(data),
            "sha256": digest,
        },
    )
    return evidence
