"""需申报: applications with evidence, officers' decisions, resubmission after a return."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse
from sqlalchemy import func, select

from huiqi.accounts.scope import enterprise_clause
from huiqi.db.models import Application, ApplicationEvent, Enterprise, Evidence, User
from huiqi.payout import workflow
from huiqi.payout.errors import NotFound
from huiqi.payout.evidence import add_evidence, file_path, max_bytes
from huiqi.payout.states import APPLICATION_ZH
from huiqi.web.deps import DB, Me, Paging
from huiqi.web.errors import RESPONSES
from huiqi.web.schemas import (
    ApplicationEventOut,
    ApplicationIn,
    ApplicationList,
    ApplicationOut,
    DecisionBody,
    EvidenceOut,
    ResubmitIn,
)

router = APIRouter(tags=["申报与审核"], responses=RESPONSES)
AppId = Annotated[int, Path(ge=1, le=2**31 - 1, description="申报编号")]


def evidence_out(e: Evidence) -> EvidenceOut:
    return EvidenceOut(
        id=e.id,
        file_name=e.file_name,
        media_type=e.media_type,
        size=e.size,
        sha256=e.sha256,
        uploaded_at=e.uploaded_at,
    )


def application_out(session, app: Application) -> ApplicationOut:
    evidence = session.scalars(
        select(Evidence).where(Evidence.application_id == app.id).order_by(Evidence.id)
    )
    history = session.execute(
        select(ApplicationEvent, User.username)
        .join(User, User.id == ApplicationEvent.user_id)
        .where(ApplicationEvent.application_id == app.id)
        .order_by(ApplicationEvent.id)
    ).all()
    return ApplicationOut(
        id=app.id,
        entitlement_id=app.entitlement_id,
        uscc=app.uscc,
        status=app.status,
        status_zh=APPLICATION_ZH[app.status],
        claimed_wan=app.claimed_wan,
        base_wan=app.base_wan,
        note=app.note,
        computed_wan=app.computed_wan,
        approved_wan=app.approved_wan,
        decision_reason=app.decision_reason,
        submitted_at=app.submitted_at,
        decided_at=app.decided_at,
        evidence=[evidence_out(e) for e in evidence],
        history=[
            ApplicationEventOut(
                from_status=e.from_status,
                to_status=e.to_status,
                amount_wan=e.amount_wan,
                reason=e.reason,
                by=name,
                at=e.at,
            )
            for e, name in history
        ],
    )


@router.post("/applications", response_model=ApplicationOut, status_code=201, summary="申报")
def submit(body: ApplicationIn, session: DB, me: Me) -> ApplicationOut:
    """企业为自己的一项需申报应享提出申报;按比例计算的奖补须填写基数 base_wan。"""
    app = workflow.submit(session, me, body.entitlement_id, body.claimed_wan, body.base_wan, body.note)
    session.commit()
    return application_out(session, app)


@router.get("/applications", response_model=ApplicationList, summary="申报列表")
def list_applications(
    session: DB,
    me: Me,
    page: Paging,
    status: Annotated[str | None, Query(pattern="^(submitted|returned|approved|rejected)$")] = None,
) -> ApplicationList:
    """企业见自己的,经办人员见本地区的(审核队列:status=submitted),财政、审计、管理员见全部。"""
    query = (
        select(Application)
        .join(Enterprise, Enterprise.uscc == Application.uscc)
        .where(enterprise_clause(me, Enterprise.uscc, Enterprise.region_code))
    )
    if status:
        query = query.where(Application.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    if page.after is not None:
        query = query.where(Application.id > page.after)
    rows = list(session.scalars(query.order_by(Application.id).limit(page.limit)))
    last = rows[-1].id if len(rows) == page.limit else None
    return ApplicationList(
        items=[application_out(session, a) for a in rows],
        total=total,
        next=None if last is None else str(last),
    )


@router.get("/applications/{application_id}", response_model=ApplicationOut, summary="一份申报")
def get_application(application_id: AppId, session: DB, me: Me) -> ApplicationOut:
    app, _ = workflow.application(session, me, application_id)
    return application_out(session, app)


@router.post(
    "/applications/{application_id}/evidence",
    response_model=EvidenceOut,
    status_code=201,
    summary="上传申报材料",
)
def upload(
    application_id: AppId,
    request: Request,
    session: DB,
    me: Me,
    file: Annotated[UploadFile, File(description="PDF、JPEG 或 PNG")],
) -> EvidenceOut:
    """multipart 上传一个文件;文件类型按内容判断,大小有上限,按 SHA-256 保存。"""
    data = file.file.read(max_bytes() + 1)
    evidence = add_evidence(session, me, application_id, file.filename, data, request.app.state.evidence_dir)
    session.commit()
    return evidence_out(evidence)


@router.get(
    "/applications/{application_id}/evidence/{evidence_id}",
    response_class=FileResponse,
    summary="下载申报材料",
    responses={
        200: {
            "content": {"application/pdf": {}, "image/jpeg": {}, "image/png": {}},
            "description": "文件本身",
        }
    },
)
def download(
    application_id: AppId,
    evidence_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    request: Request,
    session: DB,
    me: Me,
) -> FileResponse:
    app, _ = workflow.application(session, me, application_id)
    evidence = session.get(Evidence, evidence_id)
    if evidence is None or evidence.application_id != app.id:
        raise NotFound(f"没有编号为 {evidence_id} 的材料")
    return FileResponse(
        file_path(request.app.state.evidence_dir, evidence.sha256),
        media_type=evidence.media_type,
        filename=evidence.file_name,
        headers={"X-Content-Type-Options": "nosniff"},
    )


@router.post("/applications/{application_id}/decision", response_model=ApplicationOut, summary="审核决定")
def decide(application_id: AppId, body: DecisionBody, session: DB, me: Me) -> ApplicationOut:
    """approve(核定金额不超过按规则计算的金额)、reject 或 return(退回补充材料),均须写理由。两人同时审核时只有一人成功,另一人得到 409。"""
    app = workflow.decide(session, me, application_id, body.decision, body.reason, body.amount_wan)
    session.commit()
    return application_out(session, app)


@router.post(
    "/applications/{application_id}/resubmit", response_model=ApplicationOut, summary="补充材料后重新提交"
)
def resubmit(application_id: AppId, body: ResubmitIn, session: DB, me: Me) -> ApplicationOut:
    app = workflow.resubmit(session, me, application_id, body.note)
    session.commit()
    return application_out(session, app)
