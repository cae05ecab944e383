"""企业端: 我的政策 (entitlements, near misses, applications), 申报 with evidence, an
application followed to payout, the 申报日历; and an enterprise's page for officers, finance
and auditors. Another enterprise's address is a not-found page, whoever types it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy import select

from huiqi.accounts.scope import enterprise_clause, sees_enterprise
from huiqi.db.models import Enterprise, Event, Metric, Recognition
from huiqi.payout import workflow
from huiqi.payout.errors import Invalid, NotFound, ServiceError
from huiqi.payout.evidence import add_evidence, max_bytes
from huiqi.payout.states import ENTITLEMENT_ZH
from huiqi.registry.codes import full_region_name
from huiqi.rules.model import MODE_APPLY, MODE_AUTO
from huiqi.web.deps import DB
from huiqi.web.pages import charts, data
from huiqi.web.pages.common import V, in_session, read_form, redirect, render, tidy

router = APIRouter()
Uscc = Annotated[str, Path(pattern=r"^[0-9A-Za-z]{18}$")]
AppId = Annotated[int, Path(ge=1, le=2**31 - 1)]
EntId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def region_text(code: str) -> str:
    try:
        return full_region_name(code)
    except KeyError:
        return code


def enterprise_or_404(session, v: V, uscc: str) -> Enterprise:
    enterprise = session.get(Enterprise, uscc.upper())
    if enterprise is None or not sees_enterprise(v.actor, enterprise.uscc, enterprise.region_code):
        raise NotFound("没有这家企业,或它不在您可查看的范围内")
    return enterprise


def profile(enterprise: Enterprise) -> list[tuple[str, str]]:
    from huiqi.registry.codes import industry_division_name

    try:
        industry = f"{enterprise.industry_code} {industry_division_name(enterprise.industry_code)}"
    except Exception:
        industry = enterprise.industry_code or "—"
    return [
        ("统一社会信用代码", enterprise.uscc),
        ("所在地区", region_text(enterprise.region_code)),
        ("所属行业", industry),
        ("规模", " ".join(x for x in (enterprise.scale, enterprise.size) if x) or "—"),
        ("成立日期", enterprise.established_on.isoformat() if enterprise.established_on else "—"),
    ]


def totals(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The headline figures of 我的政策: what is owed, ceilings, paid, and what waits on whom."""
    live = [i for i in items if i["status"] not in ("suppressed", "capped", "withdrawn", "rejected")]
    owed = sum(i["money"] or 0 for i in live if i["money_how"] != "最高")
    ceiling = sum(i["money"] or 0 for i in live if i["money_how"] == "最高")
    return {
        "count": len(live),
        "owed": owed,
        "ceiling": ceiling,
        "auto": sum(1 for i in live if i["mode"] == MODE_AUTO),
        "apply": sum(1 for i in live if i["mode"] == MODE_APPLY and i["status"] == "open"),
        "paid": sum(i["committed_wan"] or 0 for i in live if i["status"] == "paid"),
    }


@router.get("/me")
def my_policies(request: Request, v: V, session: DB, show: str = "live"):
    v.need("enterprise")
    enterprise = enterprise_or_404(session, v, v.actor.uscc or "")
    items = data.entitlements(session, enterprise.uscc)
    shown = items if show == "all" else [i for i in items if i["status"] not in ("withdrawn",)]
    misses = data.near_misses(request.app.state.engine, enterprise.uscc, dt.date.today())
    return render(
        request,
        "me.html",
        v,
        enterprise=enterprise,
        profile=profile(enterprise),
        items=shown,
        hidden=len(items) - len(shown),
        totals=totals(items),
        misses=misses,
        applications=data.applications_of(session, enterprise.uscc),
        show=show,
        ENTITLEMENT_ZH=ENTITLEMENT_ZH,
    )


@router.get("/me/calendar")
def my_calendar(request: Request, v: V, session: DB):
    v.need("enterprise")
    enterprise = enterprise_or_404(session, v, v.actor.uscc or "")
    today = dt.date.today()
    windows = data.calendar(
        request.app.state.engine, enterprise.region_code, data.entitlements(session, enterprise.uscc)
    )
    css = {"已截止": "s4", "未开始": "s1", "即将截止": "s2", "进行中": "s3"}
    chart = charts.timeline(
        [(w.document, w.opens, w.closes, css[w.state(today)]) for w in windows], today, "申报窗口"
    )
    return render(request, "calendar.html", v, enterprise=enterprise, windows=windows, chart=chart)


def _apply_context(session, v: V, entitlement_id: int) -> dict[str, Any]:
    ent, _ = workflow.entitlement(session, v.actor, entitlement_id)
    enterprise = enterprise_or_404(session, v, ent.uscc)
    item = next(i for i in data.entitlements(session, ent.uscc) if i["id"] == ent.id)
    formula = ent.formula or {}
    base = data.event_amount(session, ent.fact_key) if formula.get("kind") == "ratio" else None
    claimed = ent.amount_wan if ent.amount_wan is not None else ent.cap_wan
    return {
        "ent": ent,
        "item": item,
        "enterprise": enterprise,
        "profile": profile(enterprise),
        "formula": formula,
        "values": {
            "claimed_wan": "" if claimed is None else f"{claimed:g}",
            "base_wan": "" if base is None else f"{base:g}",
            "note": f"依据:{tidy(ent.fact)};申请“{ent.subject}”",
        },
        "open": ent.state == "open" and ent.mode == MODE_APPLY and item["status"] == "open",
        "accept": ACCEPT,
        "max_mb": max_bytes() // (1024 * 1024),
    }


@router.get("/me/apply/{entitlement_id}")
def apply_form(request: Request, v: V, session: DB, entitlement_id: EntId):
    v.need("enterprise")
    return render(request, "apply.html", v, error=None, **_apply_context(session, v, entitlement_id))


def _wan(form, name: str, label: str, required: bool) -> float | None:
    text = str(form.get(name) or "").strip().replace(",", "")
    if not text:
        if required:
            raise Invalid(f"请填写{label}", name)
        return None
    try:
        value = float(text)
    except ValueError:
        raise Invalid(f"{label}须为数字(万元),填写的是“{text[:20]}”", name) from None
    if not 0 < value <= 10_000_000:
        raise Invalid(f"{label}须大于0且不超过1000万万元", name)
    return value


async def _files(form) -> list[tuple[str, bytes]]:
    out = []
    for upload in form.getlist("files"):
        if not hasattr(upload, "read") or not getattr(upload, "filename", ""):
            continue
        out.append((upload.filename, await upload.read(max_bytes() + 1)))
    return out


@router.post("/me/apply/{entitlement_id}")
async def apply(request: Request, v: V, entitlement_id: EntId):
    v.need("enterprise")
    form = await read_form(request, v)
    files = await _files(form)
    folder = request.app.state.evidence_dir

    def work(session):
        claimed = _wan(form, "claimed_wan", "申报金额", True)
        base = _wan(form, "base_wan", "计算基数", False)
        if not files:
            raise Invalid("请至少上传一份证明材料(PDF、JPEG 或 PNG)", "files")
        app = workflow.submit(
            session, v.actor, entitlement_id, claimed, base, str(form.get("note") or "")[:2000]
        )
        for name, content in files:
            add_evidence(session, v.actor, app.id, name, content, folder)
        session.commit()
        return app.id

    try:
        app_id = await in_session(request, work)
    except ServiceError as exc:
        if exc.status == 404:
            raise

        def again(session):
            context = _apply_context(session, v, entitlement_id)
            context["values"] = {k: str(form.get(k) or "") for k in ("claimed_wan", "base_wan", "note")}
            return context

        context = await in_session(request, again)
        return render(request, "apply.html", v, http_status=exc.status, error=f"申报未提交:{exc}", **context)
    return redirect(f"/applications/{app_id}", "申报已提交,材料已上传。经办人员审核后会在这里显示结果。")


@router.get("/applications/{application_id}")
def application_page(request: Request, v: V, session: DB, application_id: AppId):
    app, _ = workflow.application(session, v.actor, application_id)
    view = data.application_view(session, app)
    computed = None
    if v.role == "officer" and app.status == "submitted":
        try:
            computed = workflow.compute(view.entitlement, app.claimed_wan, app.base_wan)
        except ServiceError as exc:
            computed = (None, str(exc))
    from huiqi.db.models import Evidence

    evidence = list(
        session.scalars(select(Evidence).where(Evidence.application_id == app.id).order_by(Evidence.id))
    )
    return render(
        request,
        "application.html",
        v,
        view=view,
        app=app,
        evidence=evidence,
        computed=computed,
        accept=ACCEPT,
        max_mb=max_bytes() // (1024 * 1024),
    )


async def _app_action(request: Request, v: V, application_id: int, work, done: str):
    try:
        await in_session(request, work)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        return redirect(f"/applications/{application_id}", f"未完成:{exc}", "error")
    return redirect(f"/applications/{application_id}", done)


@router.post("/applications/{application_id}/evidence")
async def add_files(request: Request, v: V, application_id: AppId):
    form = await read_form(request, v)
    files = await _files(form)
    folder = request.app.state.evidence_dir

    def work(session):
        if not files:
            raise Invalid("请选择要上传的文件", "files")
        for name, content in files:
            add_evidence(session, v.actor, application_id, name, content, folder)
        session.commit()

    return await _app_action(request, v, application_id, work, f"已上传 {len(files)} 个文件")


@router.post("/applications/{application_id}/resubmit")
async def resubmit(request: Request, v: V, application_id: AppId):
    form = await read_form(request, v)

    def work(session):
        workflow.resubmit(session, v.actor, application_id, str(form.get("note") or ""))
        session.commit()

    return await _app_action(request, v, application_id, work, "已重新提交,等待经办人员审核")


@router.post("/applications/{application_id}/decision")
async def decision(request: Request, v: V, application_id: AppId):
    form = await read_form(request, v)
    choice = str(form.get("decision") or "")

    def work(session):
        if choice not in ("approve", "reject", "return"):
            raise Invalid("请选择审核结果:通过、退回补充材料或不予通过", "decision")
        amount = _wan(form, "amount_wan", "核定金额", False) if choice == "approve" else None
        workflow.decide(session, v.actor, application_id, choice, str(form.get("reason") or ""), amount)
        session.commit()

    done = {
        "approve": "已审核通过,等待财政兑付",
        "reject": "已作出不予通过的决定",
        "return": "已退回企业补充材料",
    }
    return await _app_action(request, v, application_id, work, done.get(choice, "已保存"))


@router.get("/enterprises")
def enterprise_list(
    request: Request,
    v: V,
    session: DB,
    q: Annotated[str, Query(max_length=64)] = "",
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
):
    v.need("officer", "finance", "auditor", "admin")
    query = select(Enterprise).where(enterprise_clause(v.actor, Enterprise.uscc, Enterprise.region_code))
    if q.strip():
        term = q.strip()
        query = query.where(
            Enterprise.name.contains(term, autoescape=True)
            | Enterprise.uscc.contains(term.upper(), autoescape=True)
        )
    size = 50
    rows = list(session.scalars(query.order_by(Enterprise.uscc).offset((page - 1) * size).limit(size + 1)))
    return render(
        request,
        "enterprises.html",
        v,
        rows=[(e, region_text(e.region_code)) for e in rows[:size]],
        q=q.strip(),
        page=page,
        more=len(rows) > size,
    )


@router.get("/enterprises/{uscc}")
def enterprise_page(request: Request, v: V, session: DB, uscc: Uscc):
    enterprise = enterprise_or_404(session, v, uscc)
    recognitions = list(
        session.scalars(
            select(Recognition)
            .where(Recognition.uscc == enterprise.uscc, Recognition.withdrawn_run_id.is_(None))
            .order_by(Recognition.granted_on.desc())
        )
    )
    events = list(
        session.scalars(
            select(Event)
            .where(Event.uscc == enterprise.uscc, Event.withdrawn_run_id.is_(None))
            .order_by(Event.occurred_on.desc())
        )
    )
    annual: dict[str, dict[str, float]] = {}
    months = 0
    for metric in session.scalars(
        select(Metric).where(Metric.uscc == enterprise.uscc, Metric.withdrawn_run_id.is_(None))
    ):
        if len(metric.period) == 4:
            annual.setdefault(metric.indicator, {})[metric.period] = metric.value
        else:
            months += 1
    years = sorted({y for values in annual.values() for y in values})[-5:]
    items = data.entitlements(session, enterprise.uscc)
    payouts = data.payouts_of(session, [i["id"] for i in items])
    return render(
        request,
        "enterprise.html",
        v,
        enterprise=enterprise,
        profile=profile(enterprise),
        recognitions=recognitions,
        events=events,
        annual=sorted(annual.items()),
        years=years,
        months=months,
        items=items,
        totals=totals(items),
        applications=data.applications_of(session, enterprise.uscc),
        payouts=[(i, p) for i in items for p in payouts.get(i["id"], [])],
    )
