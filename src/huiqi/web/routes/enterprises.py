"""Enterprises and their entitlements (应享), and the officers' batch confirmation (免申即享)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import bindparam, func, select

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


def status_of(state: str, match_status: str, current: bool) -> str:
    """One status for people: what was done with it, else what the match said."""
    if state != "open":
        return state
    if match_status == SUPPRESSED:
        return "suppressed"
    if match_status == CAPPED:
        return "capped"
    if not current:
        return "withdrawn"
    return "open"


T = TrackedEntitlement
COLUMNS = (
    T.id,
    T.uscc,
    T.document_id,
    T.document,
    T.subject,
    T.kind,
    T.fact,
    T.year,
    T.amount_wan,
    T.cap_wan,
    T.payers,
    T.mode,
    T.state,
    T.match_status,
    T.current,
    T.reason,
    T.committed_wan,
)
LIVE_APPLICATION = (
    select(func.max(Application.id)).where(Application.entitlement_id == T.id).correlate(T).scalar_subquery()
)


def entitlement_dict(row) -> dict:
    """One entitlement as the API shows it (the shape of :class:`EntitlementOut`)."""
    status = status_of(row.state, row.match_status, row.current)
    return {
        "id": row.id,
        "uscc": row.uscc,
        "document_id": row.document_id,
        "document": row.document,
        "subject": row.subject,
        "kind": row.kind,
        "fact": row.fact,
        "year": row.year,
        "amount_wan": row.amount_wan,
        "cap_wan": row.cap_wan,
        "payers": row.payers,
        "mode": row.mode,
        "status": status,
        "status_zh": ENTITLEMENT_ZH[status],
        "reason": row.reason,
        "committed_wan": row.committed_wan,
        "application_id": row.application_id,
    }


def entitlement_out(ent: TrackedEntitlement, application_id: int | None = None) -> EntitlementOut:
    row = {c.key: getattr(ent, c.key) for c in COLUMNS} | {"application_id": application_id}
    return EntitlementOut(**entitlement_dict(SimpleNamespace(**row)))


def _filters(query, status: str | None, mode: str | None, year: int | None):
    if mode:
        query = query.where(T.mode == mode)
    if year:
        query = query.where(T.year == year)
    if status is None:
        return query
    if status in ("suppressed", "capped"):
        return query.where(
            T.state == "open", T.match_status == (SUPPRESSED if status == "suppressed" else CAPPED)
        )
    if status == "withdrawn":
        return query.where(T.state == "open", T.current.is_(False))
    if status == "open":
        return query.where(
            T.state == "open", T.match_status.not_in([SUPPRESSED, CAPPED]), T.current.is_(True)
        )
    return query.where(T.state == status)


def _enterprise(session, me: Actor, uscc: str) -> Enterprise:
    enterprise = session.get(Enterprise, uscc.upper())
    if enterprise is None or not sees_enterprise(me, enterprise.uscc, enterprise.region_code):
        raise NotFound(f"没有统一社会信用代码为 {uscc} 的企业")
    return enterprise


_REGION = select(Enterprise.region_code).where(Enterprise.uscc == bindparam("uscc"))


def _visible_uscc(conn, me: Actor, uscc: str) -> str:
    """The credit code if ``me`` may see that enterprise (one indexed read at most), else 404."""
    uscc = uscc.upper()
    if me.role == "enterprise" and uscc == me.uscc:
        return uscc
    region = conn.execute(_REGION, {"uscc": uscc}).scalar()
    if region is None or not sees_enterprise(me, uscc, region):
        raise NotFound(f"没有统一社会信用代码为 {uscc} 的企业")
    return uscc


def entitlement_list(conn, query, page) -> JSONResponse:
    """One page of entitlements with the total, in one query (a window count), as JSON.
    ``conn`` is a Connection or a Session."""
    paged = query if page.after is None else query.where(T.id > page.after)
    rows = conn.execute(paged.order_by(T.id).limit(page.limit)).all()
    if rows and page.after is None:
        total = rows[0].total
    else:  # past the first page the window counts only what is left: count the whole list
        counted = select(func.count()).select_from(query.with_only_columns(T.id).subquery())
        total = conn.execute(counted).scalar() or 0
    return _page_response(rows, total, page)


def _page_response(rows, total: int, page) -> JSONResponse:
    last = rows[-1].id if len(rows) == page.limit else None
    items = [entitlement_dict(r) for r in rows]
    return JSONResponse({"items": items, "total": total, "next": None if last is None else str(last)})


def _selection():
    return select(*COLUMNS, LIVE_APPLICATION.label("application_id"), func.count().over().label("total"))


# The common request (one enterprise, first page, no filter) as one statement built once, so its
# cache key and compiled form are reused.
_FIRST_PAGE = _selection().where(T.uscc == bindparam("uscc")).order_by(T.id).limit(bindparam("limit"))


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
async def enterprise_entitlements(
    uscc: Uscc,
    request: Request,
    me: Me,
    page: Paging,
    status: StatusQ = None,
    mode: ModeQ = None,
    year: YearQ = None,
) -> JSONResponse:
    """每一项应享:文件、对象、金额、上限、出资方、方式、状态和理由。

    Two indexed reads on a connection of its own, returned before the response goes out, so it
    runs on the event loop (a read never waits for a lock under WAL or MVCC) rather than in the
    thread pool.
    """
    with request.app.state.engine.connect() as conn:
        visible = _visible_uscc(conn, me, uscc)
        if status is None and mode is None and year is None and page.after is None:
            rows = conn.execute(_FIRST_PAGE, {"uscc": visible, "limit": page.limit}).all()
            return _page_response(rows, rows[0].total if rows else 0, page)
        query = _filters(_selection().where(T.uscc == visible), status, mode, year)
        return entitlement_list(conn, query, page)


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
) -> JSONResponse:
    """经办人员的推送清单:本地区谁符合、多少钱。企业只见自己的。"""
    query = (
        _selection()
        .join(Enterprise, Enterprise.uscc == T.uscc)
        .where(enterprise_clause(me, Enterprise.uscc, Enterprise.region_code))
    )
    if document:
        query = query.where(T.document_id == document)
    if region:
        query = query.where(Enterprise.region_code.startswith(region))
    return entitlement_list(session, _filters(query, status, mode, year), page)


@router.get("/entitlements/{entitlement_id}", response_model=EntitlementOut, summary="一项应享")
def get_entitlement(
    entitlement_id: Annotated[int, Path(ge=1, le=2**31 - 1)], session: DB, me: Me
) -> EntitlementOut:
    ent, _ = workflow.entitlement(session, me, entitlement_id)
    live = session.scalar(select(func.max(Application.id)).where(Application.entitlement_id == ent.id))
    return entitlement_out(ent, live)


@router.post("/entitlements/confirm", response_model=ConfirmOut, summary="批量确认免申即享")
def confirm(body: ConfirmIn, session: DB, me: Me) -> ConfirmOut:
    """按编号列表,或按文件和/或地区,确认免申即享的应享项目;不能确认的逐条说明原因。"""
    require(me, "officer")
    outcome = workflow.confirm(session, me, ids=body.ids, document_id=body.document, region=body.region)
    session.commit()
    return ConfirmOut(
        confirmed=outcome.confirmed, skipped=[Skipped(id=i, reason=r) for i, r in outcome.skipped]
    )
