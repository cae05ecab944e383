"""财政 / 领导: the dashboard (money owed, committed, approved and paid by document, region,
paying level and month; the top incentives) and 兑付 (paying what is confirmed or approved,
reversing a payout by a counter-entry)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy import func, select, true

from huiqi.accounts.scope import enterprise_clause
from huiqi.db.models import (
    Application,
    Document,
    Enterprise,
    Payout,
    PayoutLine,
    PayoutReversal,
    TrackedEntitlement,
)
from huiqi.match.stacking import PAID
from huiqi.money import round_wan
from huiqi.payout import workflow
from huiqi.payout.errors import Invalid, ServiceError
from huiqi.registry.codes import region_name
from huiqi.web.deps import DB
from huiqi.web.pages import charts
from huiqi.web.pages.common import V, in_session, read_form, redirect, render, safe_next

router = APIRouter()
T = TrackedEntitlement
MEASURES = (("owed", "测算应享"), ("committed", "已承诺"), ("approved", "已审批"), ("paid", "已兑付"))
CLASSES = ["s4", "s1", "s2", "s3"]  # the measures' colours, as the cards above the charts


def _year(year: int | None):
    return true() if year is None else T.year == year


def district(code: str | None) -> str:
    if not code:
        return "未知"
    try:
        return region_name(code)
    except KeyError:
        return code


@dataclass
class Board:
    """The dashboard's figures: each breakdown maps a key to {measure: 万元}."""

    totals: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    by_document: dict[str, dict[str, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float))
    )
    by_region: dict[str, dict[str, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float))
    )
    by_payer: dict[str, dict[str, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float))
    )
    by_month: dict[str, dict[str, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float))
    )
    top: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    years: list[int] = field(default_factory=list)

    def add(self, measure: str, value: float, document: str, region: str, month: str | None) -> None:
        self.totals[measure] += value
        self.by_document[document][measure] += value
        self.by_region[region][measure] += value
        if month:
            self.by_month[month][measure] += value

    def rows(
        self, breakdown: dict[str, dict[str, float]], order: str = "committed"
    ) -> list[tuple[str, dict]]:
        return sorted(
            ((k, {m: round_wan(v.get(m, 0.0)) or 0.0 for m, _ in MEASURES}) for k, v in breakdown.items()),
            key=lambda kv: (-kv[1].get(order, 0.0), -kv[1].get("owed", 0.0), kv[0]),
        )

    def months(self) -> list[tuple[str, dict]]:
        return sorted(
            (k, {m: round_wan(v.get(m, 0.0)) or 0.0 for m, _ in MEASURES}) for k, v in self.by_month.items()
        )[-24:]


def board(session, v: V, year: int | None = None) -> Board:
    """Every figure of the dashboard, within what ``v`` may see."""
    out = Board()
    scope = enterprise_clause(v.actor, Enterprise.uscc, Enterprise.region_code)
    out.years = sorted(
        session.scalars(
            select(func.distinct(T.year)).join(Enterprise, Enterprise.uscc == T.uscc).where(scope)
        ),
        reverse=True,
    )
    base = select(T, Document.title, Enterprise.region_code).join(Enterprise, Enterprise.uscc == T.uscc)
    base = base.join(Document, Document.id == T.document_id).where(scope)
    if year is not None:
        base = base.where(T.year == year)
    top: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    # 测算应享: what the last match says is owed and nobody has acted on yet (amounts known)
    owed_rows = session.execute(
        select(Document.title, Enterprise.region_code, T.subject, func.sum(T.amount_wan), func.count())
        .select_from(T)
        .join(Enterprise, Enterprise.uscc == T.uscc)
        .join(Document, Document.id == T.document_id)
        .where(
            scope, T.state == "open", T.current.is_(True), T.match_status == PAID, T.amount_wan.is_not(None)
        )
        .where(_year(year))
        .group_by(Document.title, Enterprise.region_code, T.subject)
    ).all()
    for title, region, subject, amount, count in owed_rows:
        out.add("owed", amount or 0.0, title, district(region), None)
        top[(title, subject)]["owed"] += amount or 0.0
        out.counts["owed"] += count
    committed = session.execute(base.where(T.state.in_(("confirmed", "approved", "paid")))).all()
    for ent, title, region in committed:
        month = ent.committed_at.strftime("%Y-%m") if ent.committed_at else None
        out.add("committed", ent.committed_wan or 0.0, title, district(region), month)
        out.counts["committed"] += 1
        top[(title, ent.subject)]["committed"] += ent.committed_wan or 0.0
        for part in ent.committed_split or []:
            out.by_payer[part["payer"]]["committed"] += part["amount_wan"] or 0.0
    approved = session.execute(
        select(Application, Document.title, Enterprise.region_code, T.subject)
        .join(T, T.id == Application.entitlement_id)
        .join(Enterprise, Enterprise.uscc == T.uscc)
        .join(Document, Document.id == T.document_id)
        .where(scope, Application.status == "approved")
        .where(_year(year))
    ).all()
    for app, title, region, subject in approved:
        month = app.decided_at.strftime("%Y-%m") if app.decided_at else None
        out.add("approved", app.approved_wan or 0.0, title, district(region), month)
        out.counts["approved"] += 1
        top[(title, subject)]["approved"] += app.approved_wan or 0.0
    reversed_ids = select(PayoutReversal.payout_id)
    paid = session.execute(
        select(Payout, Document.title, Enterprise.region_code, T.subject)
        .join(T, T.id == Payout.entitlement_id)
        .join(Enterprise, Enterprise.uscc == T.uscc)
        .join(Document, Document.id == T.document_id)
        .where(scope, Payout.id.not_in(reversed_ids))
        .where(_year(year))
    ).all()
    payout_ids = [p.id for p, *_ in paid]
    for payout, title, region, subject in paid:
        out.add("paid", payout.amount_wan, title, district(region), payout.paid_at.strftime("%Y-%m"))
        out.counts["paid"] += 1
        top[(title, subject)]["paid"] += payout.amount_wan
    if payout_ids:
        for payer, amount in session.execute(
            select(PayoutLine.payer, func.sum(PayoutLine.amount_wan))
            .where(PayoutLine.payout_id.in_(payout_ids))
            .group_by(PayoutLine.payer)
        ).all():
            out.by_payer[payer]["paid"] += amount or 0.0
    out.top = sorted(
        (
            {"document": d, "subject": s} | {m: round_wan(v.get(m, 0.0)) or 0.0 for m, _ in MEASURES}
            for (d, s), v in top.items()
        ),
        key=lambda t: (-(t["committed"] + t["paid"]), -t["owed"]),
    )[:10]
    out.totals = {m: round_wan(out.totals.get(m, 0.0)) or 0.0 for m, _ in MEASURES}
    return out


@router.get("/dashboard")
def dashboard(
    request: Request, v: V, session: DB, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
):
    v.need("finance", "auditor", "admin")
    b = board(session, v, year)
    documents = b.rows(b.by_document)
    regions = b.rows(b.by_region)
    payers = b.rows(b.by_payer)
    months = b.months()
    series = [("已承诺", [m["committed"] for _, m in months]), ("已兑付", [m["paid"] for _, m in months])]
    return render(
        request,
        "dashboard.html",
        v,
        b=b,
        year=year,
        measures=MEASURES,
        documents=documents,
        regions=regions,
        payers=payers,
        months=months,
        chart_documents=charts.hbar(
            [(k, [m[key] for key, _ in MEASURES]) for k, m in documents[:8]],
            "各政策文件的资金",
            series=[label for _, label in MEASURES],
            classes=CLASSES,
        ),
        chart_regions=charts.hbar(
            [(k, [m[key] for key, _ in MEASURES]) for k, m in regions[:12]],
            "各地区的资金",
            label_chars=10,
            series=[label for _, label in MEASURES],
            classes=CLASSES,
        ),
        chart_payers=charts.columns(
            [k for k, _ in payers],
            [("已承诺", [m["committed"] for _, m in payers]), ("已兑付", [m["paid"] for _, m in payers])],
            "各出资层级",
            classes=["s1", "s3"],
        ),
        chart_months=charts.columns([k for k, _ in months], series, "各月承诺与兑付", classes=["s1", "s3"]),
        chart_top=charts.hbar(
            [(t["subject"], [t[key] for key, _ in MEASURES]) for t in b.top],
            "资金最多的条款",
            series=[label for _, label in MEASURES],
            classes=CLASSES,
        ),
    )


@router.get("/payouts")
def payouts(request: Request, v: V, session: DB):
    v.need("finance", "auditor", "admin")
    payable = session.execute(
        select(T, Enterprise.name, Document.title)
        .join(Enterprise, Enterprise.uscc == T.uscc)
        .join(Document, Document.id == T.document_id)
        .where(T.state.in_(("confirmed", "approved")))
        .order_by(T.committed_at, T.id)
        .limit(500)
    ).all()
    apps = (
        dict(
            session.execute(
                select(Application.entitlement_id, Application.id).where(
                    Application.entitlement_id.in_([e.id for e, *_ in payable]),
                    Application.status == "approved",
                )
            ).all()
        )
        if payable
        else {}
    )
    recent = session.execute(
        select(Payout, Enterprise.name, T.subject)
        .join(T, T.id == Payout.entitlement_id)
        .join(Enterprise, Enterprise.uscc == T.uscc)
        .order_by(Payout.id.desc())
        .limit(50)
    ).all()
    ids = [p.id for p, *_ in recent]
    lines: dict[int, list] = defaultdict(list)
    reversals = {}
    if ids:
        for line in session.scalars(select(PayoutLine).where(PayoutLine.payout_id.in_(ids))):
            lines[line.payout_id].append((line.payer, line.amount_wan))
        reversals = {
            r.payout_id: r
            for r in session.scalars(select(PayoutReversal).where(PayoutReversal.payout_id.in_(ids)))
        }
    return render(
        request,
        "payouts.html",
        v,
        payable=[(e, name, title, apps.get(e.id)) for e, name, title in payable],
        total=round_wan(sum(e.committed_wan or 0 for e, *_ in payable)) or 0.0,
        recent=[(p, name, subject, sorted(lines[p.id]), reversals.get(p.id)) for p, name, subject in recent],
    )


@router.post("/payouts/pay")
async def pay(request: Request, v: V):
    """Pay the ticked entitlements (each in its own transaction), or one with a reference."""
    v.need("finance")
    form = await read_form(request, v)
    back = safe_next(str(form.get("back") or ""), "/payouts")
    try:
        ids = [int(x) for x in form.getlist("ids")] or (
            [int(str(form.get("entitlement_id")))] if form.get("entitlement_id") else []
        )
    except ValueError:
        return redirect(back, "未兑付:项目编号不正确", "error")
    if not ids:
        return redirect(back, "请先勾选要兑付的项目", "warn")
    reference = str(form.get("reference") or "").strip() or None
    if reference and len(ids) > 1:
        return redirect(back, "批量兑付时凭证号自动生成,请不要填写凭证号", "warn")
    done, failed = [], []
    for ident in ids:

        def work(session, ident=ident):
            payout = workflow.pay(session, v.actor, entitlement_id=ident, reference=reference)
            session.commit()
            return payout.amount_wan

        try:
            done.append(await in_session(request, work))
        except ServiceError as exc:
            failed.append(f"#{ident}:{exc}")
    message = f"已兑付 {len(done)} 项,共 {round_wan(sum(done)) or 0:g} 万元,已按出资层级拆分记账"
    if failed:
        message += f";{len(failed)} 项未兑付:" + ";".join(failed[:3])
    return redirect(back, message, "ok" if done and not failed else "warn" if done else "error")


@router.post("/payouts/{payout_id}/reversal")
async def reverse(request: Request, v: V, payout_id: Annotated[int, Path(ge=1, le=2**31 - 1)]):
    v.need("finance")
    form = await read_form(request, v)
    reason = str(form.get("reason") or "").strip()

    def work(session):
        if not reason:
            raise Invalid("请填写冲正理由", "reason")
        workflow.reverse(session, v.actor, payout_id, reason)
        session.commit()

    try:
        await in_session(request, work)
    except ServiceError as exc:
        return redirect("/payouts", f"未冲正:{exc}", "error")
    return redirect("/payouts", "已冲正:原兑付记录保留,另记一笔冲正,项目回到待兑付")
