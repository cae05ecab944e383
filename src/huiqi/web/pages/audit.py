"""审计 (auditor): the audit chain's verdict and its newest entries."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from sqlalchemy import func, select

from huiqi.audit.chain import entries, verify
from huiqi.db.models import AuditEntry
from huiqi.web.deps import DB
from huiqi.web.pages.common import V, render

router = APIRouter()


@router.get("/audit")
def audit_page(request: Request, v: V, session: DB):
    v.need("auditor")
    verdict = verify(session)
    rows = entries(session, 100, None)
    total = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    shown = [(e, json.dumps(json.loads(e.detail), ensure_ascii=False)[:300]) for e in rows]
    return render(
        request, "audit.html", v, verdict=verdict, message=verdict.describe(), rows=shown, total=total
    )
