"""工作台 (officer): push lists per policy (who qualifies, how much, Excel export), batch
confirmation of 免申即享, the queue of applications to review, and the match run."""

from __future__ import annotations

import datetime as dt
import io
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy import case, func, select

from huiqi.accounts.scope import enterprise_clause
from huiqi.db.models import Application, Document, Enterprise, MatchRun, TrackedEntitlement
from huiqi.exports import xlsx_row
from huiqi.match.stacking import PAID
from huiqi.payout import workflow
from huiqi.payout.errors import Invalid, ServiceError
from huiqi.rules.model import MODE_APPLY, MODE_AUTO
from huiqi.web.deps import DB
from huiqi.web.pages import data
from huiqi.web.pages.common import V, in_session, read_form, redirect, render
from huiqi.web.pages.enterprise import region_text
from huiqi.web.pages.library import document_rows
from huiqi.web.routes.enterprises import COLUMNS, LIVE_APPLICATION, STATUSES, _filters, entitlement_dict

router = APIRouter()
T = TrackedEntitlement
DocumentId = Annotated[int, Path(ge=1, le=2**31 - 1)]
PAGE = 200
STATUS_CHOICES = (
    ("", "全部状态"),
    ("open", "待处理"),
    ("confirmed", "已确认待兑付"),
    ("applied", "已申报待审核"),
    ("approved", "已审核待兑付"),
    ("paid", "已兑付"),
    ("rejected", "申报未通过"),
    ("suppressed", "不重复享受"),
    ("capped", "已达上限"),
    ("withdrawn", "已不再符合"),
)


def _scope(v: V):
    return enterprise_clause(v.actor, Enterprise.uscc, Enterprise.region_code)


def push_summary(session, v: V) -> list[dict[str, Any]]:
    """Per document, in the officer's area: who qualifies and how much, and what waits."""
    live = (T.current.is_(True) | (T.state != "open")) & (T.match_status == PAID)
    money = func.coalesce(T.committed_wan, T.amount_wan, 0.0)
    rows = session.execute(
        select(
            T.document_id,
            Document.title,
            func.count(func.distinct(T.uscc)),
            func.count(),
            func.sum(case((T.amount_wan.is_not(None), money), else_=0.0)),
            func.sum(case((T.amount_wan.is_(None), func.coalesce(T.cap_wan, 0.0)), else_=0.0)),
            func.sum(case(((T.mode == MODE_AUTO) & (T.state == "open"), 1), else_=0)),
            func.sum(case(((T.mode == MODE_AUTO) & (T.state == "open"), money), else_=0.0)),
            func.sum(case(((T.mode == MODE_APPLY) & (T.state == "open"), 1), else_=0)),
            func.sum(case((T.state.in_(("confirmed", "approved")), 1), else_=0)),
            func.sum(case((T.state == "paid", T.committed_wan), else_=0.0)),
        )
        .join(Enterprise, Enterprise.uscc == T.uscc)
        .join(Document, Document.id == T.document_id)
        .where(_scope(v), live)
        .group_by(T.document_id, Document.title)
        .order_by(T.document_id)
    ).all()
    keys = ("document_id", "title", "enterprises", "rows", "owed", "ceiling", "auto_open", "auto_money",
            "apply_open", "payable", "paid")  # fmt: skip
    return [dict(zip(keys, r, strict=True)) for r in rows]


@router.get("/desk")
def desk(request: Request, v: V, session: DB):
    v.need("officer")
    pushes = push_summary(session, v)
    queue = list(
        session.scalars(
            select(Application)
            .join(Enterprise, Enterprise.uscc == Application.uscc)
            .where(_scope(v), Application.status == "submitted")
            .order_by(Application.submitted_at)
            .limit(20)
        )
    )
    waiting = session.scalar(
        select(func.count())
        .select_from(Application)
        .join(Enterprise, Enterprise.uscc == Application.uscc)
        .where(_scope(v), Application.status == "submitted")
    )
    reviews = [r for r in document_rows(session, with_pending=True, reviewer=v) if r.pending]
    last_run = session.scalar(select(MatchRun).order_by(MatchRun.id.desc()).limit(1))
    return render(
        request,
        "desk.html",
        v,
        pushes=pushes,
        queue=[data.application_view(session, a) for a in queue],
        waiting=waiting or 0,
        reviews=reviews,
        last_run=last_run,
        auto_open=sum(p["auto_open"] or 0 for p in pushes),
        auto_money=sum(p["auto_money"] or 0 for p in pushes),
        region=region_text(v.actor.region_prefix.ljust(6, "0")) if v.actor.region_prefix else "",
    )


def _push_query(v: V, document_id: int, status: str, mode: str, district: str):
    query = (
        select(*COLUMNS, LIVE_APPLICATION.label("application_id"), Enterprise.name, Enterprise.region_code)
        .join(Enterprise, Enterprise.uscc == T.uscc)
        .where(_scope(v), T.document_id == document_id)
    )
    if district:
        query = query.where(Enterprise.region_code.startswith(district))
    return _filters(query, status or None, mode or None, None)


def _push_rows(session, query, limit: int | None, offset: int = 0) -> list[dict[str, Any]]:
    query = query.order_by(T.id).offset(offset)
    if limit:
        query = query.limit(limit)
    out = []
    for row in session.execute(query).all():
        item = entitlement_dict(row) | {"name": row.name, "region_code": row.region_code}
        item["money"], item["money_how"] = data.money_text(item)
        item["confirmable"] = item["mode"] == MODE_AUTO and item["status"] == "open"
        out.append(item)
    return out


def _checked(status: str, mode: str) -> tuple[str, str]:
    if status and status not in STATUSES:
        raise Invalid("状态不正确")
    if mode and mode not in (MODE_AUTO, MODE_APPLY):
        raise Invalid("方式须为免申即享或需申报")
    return status, mode


@router.get("/desk/push/{document_id}")
def push_list(
    request: Request,
    v: V,
    session: DB,
    document_id: DocumentId,
    status: Annotated[str, Query(max_length=16)] = "",
    mode: Annotated[str, Query(max_length=8)] = "",
    district: Annotated[str, Query(pattern=r"^\d{0,6}$")] = "",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
):
    v.need("officer")
    status, mode = _checked(status, mode)
    document = session.get(Document, document_id)
    query = _push_query(v, document_id, status, mode, district)
    total = session.scalar(select(func.count()).select_from(query.with_only_columns(T.id).subquery())) or 0
    rows = _push_rows(session, query, PAGE, (page - 1) * PAGE)
    districts = sorted(
        session.scalars(
            select(func.distinct(Enterprise.region_code))
            .join(T, T.uscc == Enterprise.uscc)
            .where(_scope(v), T.document_id == document_id)
        )
    )
    return render(
        request,
        "push.html",
        v,
        document=document,
        document_id=document_id,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE)),
        status=status,
        mode=mode,
        district=district,
        districts=[(code, region_text(code)) for code in districts],
        statuses=STATUS_CHOICES,
        query_string=request.url.query,
    )


@router.get("/desk/push/{document_id}/export")
def push_export(
    v: V,
    session: DB,
    document_id: DocumentId,
    status: Annotated[str, Query(max_length=16)] = "",
    mode: Annotated[str, Query(max_length=8)] = "",
    district: Annotated[str, Query(pattern=r"^\d{0,6}$")] = "",
) -> Response:
    """The push list as an Excel workbook; every text cell is a string cell, never a formula."""
    from openpyxl import Workbook

    v.need("officer")
    status, mode = _checked(status, mode)
    document = session.get(Document, document_id)
    rows = _push_rows(session, _push_query(v, document_id, status, mode, district), None)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("推送清单")
    sheet.append(xlsx_row(sheet, [f"推送清单:{document.title if document else document_id}"]))
    sheet.append(
        xlsx_row(
            sheet,
            [
                "企业名称",
                "统一社会信用代码",
                "所在地区",
                "条款",
                "依据",
                "年度",
                "金额(万元)",
                "上限(万元)",
                "出资",
                "方式",
                "状态",
                "说明",
            ],
        )
    )
    for r in rows:
        payers = "、".join(
            f"{p['payer']} {p['amount_wan']:g}" if p.get("amount_wan") is not None else p["payer"]
            for p in r["payers"]
        )
        sheet.append(
            xlsx_row(
                sheet,
                [
                    r["name"],
                    r["uscc"],
                    region_text(r["region_code"]),
                    r["subject"],
                    r["fact"],
                    r["year"],
                    r["committed_wan"] if r["committed_wan"] is not None else r["amount_wan"],
                    r["cap_wan"],
                    payers,
                    r["mode"],
                    r["status_zh"],
                    r["reason"],
                ],
            )
        )
    buffer = io.BytesIO()
    book.save(buffer)
    name = f"推送清单-{document_id}-{dt.date.today():%Y%m%d}.xlsx"
    return Response(
        buffer.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "no-store",
        },
    )


@router.post("/desk/push/{document_id}/confirm")
async def confirm(request: Request, v: V, document_id: DocumentId):
    """批量确认免申即享: the ticked rows, or every confirmable row of the document in the area."""
    v.need("officer")
    form = await read_form(request, v)
    back = f"/desk/push/{document_id}"
    everything = form.get("all") == "1"
    try:
        ids = [int(x) for x in form.getlist("ids")]
    except ValueError:
        return redirect(back, "未确认:所选项目编号不正确", "error")
    if not everything and not ids:
        return redirect(back, "请先勾选要确认的免申即享项目", "warn")

    def work(session):
        if everything:
            outcome = workflow.confirm(
                session, v.actor, document_id=document_id, region=v.actor.region_prefix
            )
        else:
            outcome = workflow.confirm(session, v.actor, ids=ids)
        session.commit()
        return outcome

    try:
        outcome = await in_session(request, work)
    except ServiceError as exc:
        return redirect(back, f"未确认:{exc}", "error")
    message = f"已确认 {len(outcome.confirmed)} 项免申即享,可由财政兑付"
    if outcome.skipped:
        reasons: dict[str, int] = {}
        for _, why in outcome.skipped:
            reasons[why] = reasons.get(why, 0) + 1
        shown = ";".join(f"{why}({n}项)" for why, n in list(reasons.items())[:4])
        message += f";{len(outcome.skipped)} 项未确认:{shown}"
    return redirect(back, message, "ok" if outcome.confirmed else "warn")


@router.get("/desk/applications")
def application_queue(
    request: Request,
    v: V,
    session: DB,
    status: Annotated[str, Query(pattern="^(submitted|returned|approved|rejected|)$")] = "submitted",
):
    v.need("officer", "finance", "auditor", "admin")
    query = select(Application).join(Enterprise, Enterprise.uscc == Application.uscc).where(_scope(v))
    if status:
        query = query.where(Application.status == status)
    apps = list(session.scalars(query.order_by(Application.submitted_at).limit(300)))
    return render(
        request,
        "queue.html",
        v,
        views=[data.application_view(session, a) for a in apps],
        status=status,
    )


@router.post("/desk/match")
async def match(request: Request, v: V):
    """Run the service's match over the published documents (a background job with progress)."""
    v.need("officer", "admin")
    await read_form(request, v)
    engine = request.app.state.engine

    def work(progress):
        from huiqi.payout.runs import run_service_match

        progress("按已发布的文件匹配全部企业(编译规则、读取名录、匹配、保存应享台账)", None)
        run = run_service_match(engine, dt.date.today(), actor=v.actor.username)
        return {"run": run}

    job = request.app.state.jobs.start(v.actor.id, "政策找企业:重新匹配", "match_result.html", "/desk", work)
    return redirect(f"/jobs/{job.id}")
