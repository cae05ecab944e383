"""政策库: the library with full-text search and filters, and a document's page (its text with
every extracted row marked beside its reading)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy import func, select

from huiqi.db.models import Document, DocumentVersion, Publication
from huiqi.payout.errors import NotFound
from huiqi.review import service
from huiqi.review.items import SECTIONS
from huiqi.review.overlay import review_version
from huiqi.review.preview import DRAFT_WORDS
from huiqi.search import policy
from huiqi.search.highlight import snippet
from huiqi.web.deps import DB
from huiqi.web.pages.common import V, render
from huiqi.web.pages.readings import STATUS_LABEL, Anchor, located, mark_lines, summary

router = APIRouter()
IN_FORCE, EXPIRED, NOT_YET, DRAFT = "现行有效", "已失效", "尚未施行", "征求意见稿"
STATUSES = (IN_FORCE, EXPIRED, NOT_YET, DRAFT)
DocumentId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@dataclass
class DocRow:
    """One document as the library lists it."""

    id: int
    title: str
    doc_number: str | None
    region: str | None
    level: str | None
    issued_on: str | None
    expires_on: str | None
    issuers: list[str]
    departments: set[str]
    status: str
    version: int
    published_version: int | None
    incentives: int
    pending: int | None = None
    snippets: list = field(default_factory=list)


def _status(meta: dict, title: str, today: dt.date) -> str:
    if DRAFT_WORDS.search(title or ""):
        return DRAFT
    expires = meta.get("expires_on") or meta.get("horizon_end")
    if expires and expires < today.isoformat():
        return EXPIRED
    starts = meta.get("effective_from") or meta.get("issued_on")
    if starts and starts > today.isoformat():
        return NOT_YET
    return IN_FORCE


def can_review(v, document: Document) -> bool:
    from huiqi.payout.errors import Forbidden

    try:
        service.check_reviewer(v.actor, document)
    except Forbidden:
        return False
    return True


def document_rows(session, with_pending: bool = False, reviewer=None) -> list[DocRow]:
    """Every document with its version in force, publication and (for reviewers) what blocks it."""
    today = dt.date.today()
    published = dict(
        session.execute(
            select(Publication.document_id, DocumentVersion.version)
            .join(DocumentVersion, DocumentVersion.id == Publication.document_version_id)
            .where(Publication.id.in_(select(func.max(Publication.id)).group_by(Publication.document_id)))
        ).all()
    )
    rows = []
    for document, version in session.execute(
        select(Document, DocumentVersion)
        .join(DocumentVersion, DocumentVersion.id == Document.current_version_id)
        .order_by(Document.id)
    ).all():
        reading = version.extraction or {}
        meta = reading.get("document") or {}
        departments = set(meta.get("issuers") or [])
        for task in reading.get("tasks") or []:
            departments.update(task.get("responsible") or [])
        row = DocRow(
            id=document.id,
            title=document.title or document.name,
            doc_number=meta.get("doc_number"),
            region=document.region,
            level=document.level,
            issued_on=meta.get("issued_on"),
            expires_on=meta.get("expires_on") or meta.get("horizon_end"),
            issuers=list(meta.get("issuers") or []),
            departments=departments,
            status=_status(meta, document.title or "", today),
            version=version.version,
            published_version=published.get(document.id),
            incentives=len(reading.get("incentives") or []),
        )
        if with_pending and (reviewer is None or can_review(reviewer, document)):
            latest = service.latest_version(session, document.id)
            row.pending = len(review_version(session, latest).blocking())
        rows.append(row)
    return rows


@router.get("/library")
def library(
    request: Request,
    v: V,
    session: DB,
    q: Annotated[str, Query(max_length=100)] = "",
    region: Annotated[str, Query(max_length=64)] = "",
    level: Annotated[str, Query(max_length=16)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    department: Annotated[str, Query(max_length=64)] = "",
):
    if policy.sync(session):
        session.commit()
    reviewer = v if v.role in ("officer", "admin") else None
    rows = document_rows(session, with_pending=reviewer is not None, reviewer=reviewer)
    regions = sorted({r.region for r in rows if r.region})
    levels = [lv for lv in ("省级", "市级", "区县级") if any(r.level == lv for r in rows)]
    counts = Counter(d for r in rows for d in r.departments)
    departments = [d for d, _ in counts.most_common(60)]
    chosen = [
        r
        for r in rows
        if (not region or r.region == region)
        and (not level or r.level == level)
        and (not status or r.status == status)
        and (not department or department in r.departments)
    ]
    query = q.strip()
    hits_total = None
    if query:
        by_id = {r.id: r for r in chosen}
        found = policy.search(session, query, list(by_id))
        chosen = []
        for item in found:
            row = by_id[int(item.key)]
            row.snippets = [(p.part, snippet(p.text, p.words, 90)) for p in item.parts if p.part != "title"]
            chosen.append(row)
        hits_total = len(chosen)
    else:
        chosen.sort(key=lambda r: r.issued_on or "", reverse=True)
    return render(
        request,
        "library.html",
        v,
        rows=chosen,
        total=len(rows),
        hits_total=hits_total,
        q=query,
        region=region,
        level=level,
        status=status,
        department=department,
        regions=regions,
        levels=levels,
        statuses=STATUSES,
        departments=departments,
    )


@router.get("/library/{document_id}")
def document_page(
    request: Request,
    v: V,
    session: DB,
    document_id: DocumentId,
    version: Annotated[int | None, Query(ge=1, le=100000)] = None,
):
    document = service.document_or_404(session, document_id)
    versions = list(
        session.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == document_id)
            .order_by(DocumentVersion.version)
        )
    )
    chosen = versions[-1] if version is None else next((x for x in versions if x.version == version), None)
    if chosen is None:
        raise NotFound(f"这份文件没有第{version}版")
    state = review_version(session, chosen)
    lines, from_file = policy.document_lines(chosen)
    anchors = []
    for section in SECTIONS:
        for item in state.items[section]:
            text = item.machine.get("text") or item.machine.get("title") or ""
            css = {"incentives": "incentive", "targets": "target", "tasks": "task", "stacking": "stacking"}[
                section
            ]
            anchors.append(Anchor(section, item.index, text, css, item.blocking or item.flagged))
    marked = mark_lines(lines, anchors)
    published = {
        p.document_version_id
        for p in session.scalars(select(Publication).where(Publication.document_id == document_id))
    }
    cards = {
        section: [
            {
                "item": item,
                "ref": f"{section}-{item.index}",
                "fields": summary(section, item.reading),
                "status": STATUS_LABEL.get(item.status, item.status),
            }
            for item in state.items[section]
        ]
        for section in SECTIONS
    }
    return render(
        request,
        "document.html",
        v,
        document=document,
        meta=chosen.extraction.get("document") or {},
        version=chosen,
        versions=versions,
        published=published,
        latest=chosen.id == versions[-1].id,
        marked=marked,
        from_file=from_file,
        found=located(marked),
        cards=cards,
        blocking=state.blocking(),
        reviewer=can_review(v, document),
    )
