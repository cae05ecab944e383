"""Enterprises and their entitlements (应享), and the officers' batch confirmation (免申即享)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import func, select

from huiqi.accounts.scope import enterprise_clause, sees_enterprise
from huiqi.accounts.users import Actor
from huiqi.db.models import Application, Enterprise, Event, Metric, Recognition, TrackedEntitlement
from huiqi.match.caps import CAPPED
from huiqi.match.stacking import SUPPRESSED
from huiqi.payout import workflow
from huiqi.payout.errors import NotFound
from huiqi.payout.states import ENTITLEMENT_ZH
from huiqi.web.deps import DB, Me, Paging, require
from huiqi.web.errors import RESPONSES
from huiqi.web.schemas import (
    ConfirmIn,
    ConfirmOut,
    EnterpriseList,
    EnterpriseOut,
    EnterpriseSummary,
    EntitlementList,
    EntitlementOut,
    FactOut,
    Skipped,
)

router = APIRouter(tags=["企业与应享"], responses=RESPONSES)
Uscc = Annotated[str, Path(min_length=18, max_length=18, description="统一社会信用代码")]
STATUSES = (
    "open",
    "confirmed",
    "applied",
    "approved",
    "rejected",
    "paid",
    "suppressed",
    "capped",
    "withdrawn",
)


def status_of(ent: TrackedEntitlement) -> str:
    """One status for people: what was done with it, else what the match said."""
    if ent.state != "open":
        return ent.state
    if ent.match_status == SUPPRESSED:
        return "suppressed"
    if ent.match_status == CAPPED:
        return "capped"
    if not ent.current:
        return "withdrawn"
    return "open"


def entitlement_out(ent: TrackedEntitlement, application_id: int | None = None) -> EntitlementOut:
    status = status_of(ent)
    return EntitlementOut(
        id=ent.id,
        uscc=ent.uscc,
        document_id=ent.document_id,
        document=ent.document,
        subject=ent.subject,
        kind=ent.kind,
        fact=ent.fact,
        year=ent.year,
        amount_wan=ent.amount_wan,
        cap_wan=ent.cap_wan,
        payers=ent.payers,
        mode=ent.mode,
        status=status,
        status_zh=ENTITLEMENT_ZH[status],
        reason=ent.reason,
        committed_wan=ent.committed_wan,
        application_id=application_id,
    )


def _status_filter(query, status: str | None):
    if status is None:
        return query
    if status in ("suppressed", "capped"):
        value = SUPPRESSED if status == "suppressed" else CAPPED
        return query.where(TrackedEntitlement.state == "open", TrackedEntitlement.match_status == value)
    if status == "withdrawn":
        return query.where(TrackedEntitlement.state == "open", TrackedEntitlement.current.is_(False))
    if status == "open":
        return query.where(
            TrackedEntitlement.state == "open",
            TrackedEntitlement.match_status.not_in([SUPPRESSED, CAPPED]),
            TrackedEntitlement.current.is_(True),
        )
    return query.where(TrackedEntitlement.state == status)


def _enterprise(session, me: Actor, uscc: str) -> Enterprise:
    enterprise = session.get(Enterprise, uscc.upper())
    if enterprise is None or not sees_enterprise(me, enterprise.uscc, enterprise.region_code):
        raise NotFound(f"没有统一社会信用代码为 {uscc} 的企业")
    return enterprise


def _page(session, query, page, order_column):
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    if page.after is not None:
        query = query.where(order_column > page.after)
    rows = list(session.scalars(query.order_by(order_column).limit(page.limit)))
    return rows, total


def _live_applications(session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    return dict(
        session.execute(
            select(Application.entitlement_id, func.max(Application.id))
            .where(Application.entitlement_id.in_(ids))
            .group_by(Application.entitlement_id)
        ).all()
    )


def entitlement_list(session, query, page) -> EntitlementList:
    rows, total = _page(session, query, page, TrackedEntitlement.id)
    apps = _live_applications(session, [r.id for r in rows])
    last = rows[-1].id if len(rows) == page.limit else None
    return EntitlementList(
        items=[entitlement_out(r, apps.get(r.id)) for r in rows],
        total=total,
        next=None if last is None else str(last),
    )


StatusQ = Annotated[str | None, Query(pattern="^(" + "|".join(STATUSES) + ")$", description="按状态筛选")]
ModeQ = Annotated[str | None, Query(pattern="^(免申即享|需申报)$", description="免申即享 或 需申报")]
YearQ = Annotated[int | None, Query(ge=2000, le=2100, description="兑现年度")]


@router.get("/enterprises", response_model=EnterpriseList, summary="企业名录")
def list_enterprises(
    session: DB,
    me: Me,
    limit: Annotated[int, Query(ge=1, le=500, description="每页条数,最多500")] = 50,
    cursor: Annotated[str | None, Query(pattern=r"^[0-9A-Z]{18}$", description="上一页返回的 next")] = None,
    q: Annotated[str | None, Query(max_length=64, description="名称或信用代码中的文字")] = None,
    region: Annotated[str | None, Query(pattern=r"^\d{2,6}$", description="行政区划代码前缀")] = None,
) -> EnterpriseList:
    """可见范围内的企业:企业只见自己,经办人员见本地区,财政、审计、管理员见全部。"""
    query = select(Enterprise).where(enterprise_clause(me, Enterprise.uscc, Enterprise.region_code))
    if q and q.strip():
        term = q.strip()
        query = query.where(
            Enterprise.name.contains(term, autoescape=True)
            | Enterprise.uscc.contains(term.upper(), autoescape=True)
        )
    if region:
        query = query.where(Enterprise.region_code.startswith(region))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    if cursor is not None:
        query = query.where(Enterprise.uscc > cursor)
    rows = list(session.scalars(query.order_by(Enterprise.uscc).limit(limit)))
    items = [EnterpriseSummary(uscc=e.uscc, name=e.name, region_code=e.region_code) for e in rows]
    return EnterpriseList(items=items, total=total, next=rows[-1].uscc if len(rows) == limit else None)


@router.get("/enterprises/{uscc}", response_model=EnterpriseOut, summary="企业概况")
def get_enterprise(uscc: Uscc, session: DB, me: Me) -> EnterpriseOut:
    """基本信息、认定、事项和近年指标;不属于您的企业返回 404。"""
    from huiqi.registry.codes import region_name

    enterprise = _enterprise(session, me, uscc)
    recognitions = session.scalars(
        select(Recognition).where(Recognition.uscc == enterprise.uscc).order_by(Recognition.granted_on)
    )
    events = session.scalars(select(Event).where(Event.uscc == enterprise.uscc).order_by(Event.occurred_on))
    metrics: dict[str, dict[str, float]] = {}
    for metric in session.scalars(
        select(Metric).where(Metric.uscc == enterprise.uscc).order_by(Metric.period)
    ):
        metrics.setdefault(metric.indicator, {})[metric.period] = metric.value
    try:
        region = region_name(enterprise.region_code)
    except KeyError:
        region = None
    return EnterpriseOut(
        uscc=enterprise.uscc,
        name=enterprise.name,
        region_code=enterprise.region_code,
        region=region,
        industry_code=enterprise.industry_code,
        scale=enterprise.scale,
        size=enterprise.size,
        established_on=enterprise.established_on,
        recognitions=[
            FactOut(kind=r.kind, level=r.level, date=r.granted_on, review=r.review) for r in recognitions
        ],
        events=[
            FactOut(
                kind=e.kind, level=e.level, date=e.occurred_on, amount_wan=e.amount_wan, quantity=e.quantity
            )
            for e in events
        ],
        metrics=metrics,
    )


@router.get("/enterprises/{uscc}/entitlements", response_model=EntitlementList, summary="企业的应享清单")
def enterprise_entitlements(
    uscc: Uscc,
    session: DB,
    me: Me,
    page: Paging,
    status: StatusQ = None,
    mode: ModeQ = None,
    year: YearQ = None,
) -> EntitlementList:
    """每一项应享:文件、对象、金额、上限、出资方、方式、状态和理由。"""
    enterprise = _enterprise(session, me, uscc)
    query = select(TrackedEntitlement).where(TrackedEntitlement.uscc == enterprise.uscc)
    query = _status_filter(query, status)
    if mode:
        query = query.where(TrackedEntitlement.mode == mode)
    if year:
        query = query.where(TrackedEntitlement.year == year)
    return entitlement_list(session, query, page)


@router.get("/entitlements", response_model=EntitlementList, summary="应享清单(按文件、地区筛选)")
def list_entitlements(
    session: DB,
    me: Me,
    page: Paging,
    document: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="文件编号")] = None,
    region: Annotated[str | None, Query(pattern=r"^\d{2,6}$", description="行政区划代码前缀")] = None,
    status: StatusQ = None,
    mode: ModeQ = None,
    year: YearQ = None,
) -> EntitlementList:
    """经办人员的推送清单:本地区谁符合、多少钱。企业只见自己的。"""
    query = (
        select(TrackedEntitlement)
        .join(Enterprise, Enterprise.uscc == TrackedEntitlement.uscc)
        .where(enterprise_clause(me, Enterprise.uscc, Enterprise.region_code))
    )
    if document:
        query = query.where(TrackedEntitlement.document_id == document)
    if region:
        query = query.where(Enterprise.region_code.startswith(region))
    query = _status_filter(query, status)
    if mode:
        query = query.where(TrackedEntitlement.mode == mode)
    if year:
        query = query.where(TrackedEntitlement.year == year)
    return entitlement_list(session, query, page)


@router.get("/entitlements/{entitlement_id}", response_model=EntitlementOut, summary="一项应享")
def get_entitlement(
    entitlement_id: Annotated[int, Path(ge=1, le=2**31 - 1)], session: DB, me: Me
) -> EntitlementOut:
    ent, _ = workflow.entitlement(session, me, entitlement_id)
    return entitlement_out(ent, _live_applications(session, [ent.id]).get(ent.id))


@router.post("/entitlements/confirm", response_model=ConfirmOut, summary="批量确认免申即享")
def confirm(body: ConfirmIn, session: DB, me: Me) -> ConfirmOut:
    """按编号列表,或按文件和/或地区,确认免申即享的应享项目;不能确认的逐条说明原因。"""
    require(me, "officer")
    outcome = workflow.confirm(session, me, ids=body.ids, document_id=body.document, region=body.region)
    session.commit()
    return ConfirmOut(
        confirmed=outcome.confirmed, skipped=[Skipped(id=i, reason=r) for i, r in outcome.skipped]
    )
