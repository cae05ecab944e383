"""The money path (线上兑付): confirm, apply, decide, pay, reverse.

Every status moves by a conditional UPDATE (``… WHERE status = expected``): of two officers
deciding the same application at the same moment exactly one changes it, the other is told it
was already decided (409). The database backs each rule up on its own (migration 0100): the
status arrows, one committed grant per fact (就高不重复), approval within the computed amount,
committed district money within the per-enterprise cap, one standing payout per entitlement,
and payouts that can be undone only by a counter-entry.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from huiqi.accounts.scope import sees_enterprise
from huiqi.accounts.users import Actor, utcnow
from huiqi.audit.chain import record
from huiqi.db.models import (
    MAX_WAN,
    Application,
    ApplicationEvent,
    Enterprise,
    LimitUsage,
    Metric,
    Payout,
    PayoutLine,
    PayoutReversal,
    TrackedEntitlement,
)
from huiqi.match.stacking import PAID
from huiqi.payout.errors import Conflict, Forbidden, Invalid, NotFound
from huiqi.payout.money import round_wan, split
from huiqi.payout.parameters import current_parameters, resolve
from huiqi.payout.states import DECISIONS, ENTITLEMENT_ZH
from huiqi.rules.model import MODE_APPLY, MODE_AUTO

_REFERENCE = re.compile(r"^[A-Za-z0-9._/\-]{1,64}$")
COMMITTED_BY = {"confirmed": "open", "approved": "applied"}


# --------------------------------------------------------------------------- reading with scope


def _scoped(session: Session, actor: Actor, model: type[Any], row_id: int, what: str) -> tuple[Any, str]:
    """A row of ``model`` (it has ``uscc``) and its enterprise's region code, if ``actor`` may
    see that enterprise (else 404, naming ``what``)."""
    row = session.execute(
        select(model, Enterprise.region_code)
        .join(Enterprise, Enterprise.uscc == model.uscc)
        .where(model.id == row_id)
    ).first()
    if row is None or not sees_enterprise(actor, row[0].uscc, row[1]):
        raise NotFound(f"没有编号为 {row_id} 的{what}")
    return row[0], row[1]


def entitlement(session: Session, actor: Actor, entitlement_id: int) -> tuple[TrackedEntitlement, str]:
    """The entitlement and its enterprise's region code, if ``actor`` may see it (else 404)."""
    return _scoped(session, actor, TrackedEntitlement, entitlement_id, "应享项目")


def application(session: Session, actor: Actor, application_id: int) -> tuple[Application, str]:
    """The application and its enterprise's region code, if ``actor`` may see it (else 404)."""
    return _scoped(session, actor, Application, application_id, "申报")


def _require(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        names = {"enterprise": "企业", "officer": "经办人员", "finance": "财政人员", "admin": "管理员"}
        raise Forbidden(f"只有{'或'.join(names.get(r, r) for r in roles)}可以进行此操作")


# --------------------------------------------------------------------------- amounts and limits


def limit_cap(
    session: Session, ent: TrackedEntitlement, limit: dict[str, Any], region_code: str
) -> float | None:
    """The figure one per-enterprise limit allows (万元), as :mod:`huiqi.match.caps` computes it:
    the fixed sum, or the year's (new) tax × the region's district retention; None when it
    cannot be known (tax not in the registry, or a limit the text does not quantify)."""
    basis = limit.get("basis")
    if basis == "fixed":
        return limit.get("limit_wan")
    if basis not in ("new_tax_retained", "tax_retained"):
        return None
    values = dict(
        session.execute(
            select(Metric.period, Metric.value).where(
                Metric.uscc == ent.uscc,
                Metric.indicator == "税收",
                Metric.period.in_([str(ent.year), str(ent.year - 1)]),
                Metric.withdrawn_run_id.is_(None),
            )
        ).all()
    )
    retention = resolve(current_parameters(session), "district_retention", region_code).value
    if basis == "tax_retained":
        return None if str(ent.year) not in values else round_wan(values[str(ent.year)] * retention)
    if str(ent.year) not in values or str(ent.year - 1) not in values:
        return None
    return round_wan(max(0.0, values[str(ent.year)] - values[str(ent.year - 1)]) * retention)


def _period(limit: dict[str, Any], ent: TrackedEntitlement) -> str:
    """Which use of a limit an entitlement counts against: its year, its fact, or the policy."""
    return {"policy": "all", "project": ent.fact_key}.get(limit.get("period") or "year", str(ent.year))


def _covered(parts: list[tuple[str, float]], limit: dict[str, Any]) -> float:
    """The money of ``parts`` a limit covers: its budget levels' shares, or all of it."""
    payers = limit.get("payers") or []
    return round_wan(sum(amount for payer, amount in parts if not payers or payer in payers))


def _usage(session: Session, ent: TrackedEntitlement, limit: dict[str, Any]) -> float:
    used = session.scalar(
        select(LimitUsage.used_wan).where(
            LimitUsage.uscc == ent.uscc,
            LimitUsage.limit_key == limit["key"],
            LimitUsage.period == _period(limit, ent),
        )
    )
    return used or 0.0


def _limits(ent: TrackedEntitlement) -> list[dict[str, Any]]:
    return list(ent.formula.get("limits") or [])


def _unknown(ent: TrackedEntitlement, limit: dict[str, Any]) -> Conflict:
    return Conflict(
        f"{limit.get('text') or '单企限额'}:{ent.year}年所需的税收数据不全,无法核定", code="limit_unknown"
    )


def _take_limit(
    session: Session, ent: TrackedEntitlement, region_code: str, parts: list[tuple[str, float]]
) -> None:
    """Book ``parts`` against every per-enterprise limit that covers them (the database refuses
    a use above the limit, so two approvals at once cannot both pass)."""
    for limit in _limits(ent):
        covered = _covered(parts, limit)
        if covered <= 0:
            continue
        cap = limit_cap(session, ent, limit, region_code)
        if cap is None:
            if limit.get("basis") == "unknown":
                continue  # the text gives no figure: the approving officer judges it
            raise _unknown(ent, limit)
        key = (
            (LimitUsage.uscc == ent.uscc)
            & (LimitUsage.limit_key == limit["key"])
            & (LimitUsage.period == _period(limit, ent))
        )
        if session.scalar(select(LimitUsage.used_wan).where(key)) is None:
            try:
                with session.begin_nested():
                    session.add(
                        LimitUsage(
                            uscc=ent.uscc,
                            limit_key=limit["key"],
                            period=_period(limit, ent),
                            document_id=ent.document_id,
                            limit_wan=cap,
                            used_wan=0.0,
                        )
                    )
            except IntegrityError:
                pass  # a concurrent request created it first
        moved = session.execute(
            update(LimitUsage)
            .where(key, LimitUsage.used_wan + covered <= cap + 1e-9)
            .values(used_wan=LimitUsage.used_wan + covered, limit_wan=cap)
        ).rowcount
        if not moved:
            used = _usage(session, ent, limit)
            raise Conflict(
                f"{limit.get('text') or '单企限额'}:本项{covered:g}万元超过限额,限额{cap:g}万元,已占用{used:g}万元",
                code="limit_exceeded",
            )


def _parts_json(parts: list[tuple[str, float]]) -> list[dict[str, Any]]:
    return [{"payer": payer, "amount_wan": amount} for payer, amount in parts]


def _commit(
    session: Session,
    ent: TrackedEntitlement,
    region_code: str,
    new_state: str,
    parts: list[tuple[str, float]],
) -> None:
    """Promise the money: book the limit, then move the entitlement (one grant per fact)."""
    expected = COMMITTED_BY[new_state]
    amount = round_wan(sum(a for _, a in parts))
    try:
        with session.begin_nested():
            _take_limit(session, ent, region_code, parts)
            moved = session.execute(
                update(TrackedEntitlement)
                .where(TrackedEntitlement.id == ent.id, TrackedEntitlement.state == expected)
                .values(
                    state=new_state,
                    committed_wan=amount,
                    committed_split=_parts_json(parts),
                    committed_at=utcnow(),
                )
            ).rowcount
            if not moved:
                raise Conflict(
                    f"该应享项目已{ENTITLEMENT_ZH.get(_state(session, ent.id), '处理')},不能重复操作"
                )
    except IntegrityError as exc:
        raise Conflict(
            "就高不重复:同一认定或事项已有其他奖补确认或兑付,不能再享受此项", code="already_granted"
        ) from exc
    session.refresh(ent)


def _state(session: Session, entitlement_id: int) -> str:
    return (
        session.scalar(select(TrackedEntitlement.state).where(TrackedEntitlement.id == entitlement_id)) or ""
    )


def compute(ent: TrackedEntitlement, claimed_wan: float, base_wan: float | None) -> tuple[float, str]:
    """The most that may be approved, from the formula as read and the claimed base, and how."""
    f = ent.formula
    kind, gross = f.get("kind"), f.get("gross_wan")
    if kind == "ratio" and base_wan is not None and f.get("ratio"):
        value, how = base_wan * f["ratio"], f"{f.get('base') or '基数'}{base_wan:g}万元×{f['ratio'] * 100:g}%"
        if f.get("cap_wan"):
            value, how = min(value, f["cap_wan"]), how + f",最高{f['cap_wan']:g}万元"
    elif kind == "ratio" and gross is not None:
        value, how = gross, f"按名录中的基数计算为{gross:g}万元"
    elif kind == "ratio":
        raise Invalid(f"该奖补按{f.get('base') or '基数'}的比例计算,请填写基数 base_wan(万元)", "base_wan")
    elif kind == "fixed" and gross is not None:
        value, how = gross, f"定额{gross:g}万元"
    elif kind == "max" and (gross or ent.cap_wan):
        value = gross or ent.cap_wan  # the ceiling as written; limits are applied at approval
        how = f"最高{value:g}万元"
    else:
        value, how = claimed_wan, "金额未定,以申报金额为限"
    if claimed_wan < value:
        value, how = claimed_wan, how + f",以申报金额{claimed_wan:g}万元为限"
    return round_wan(value), how


def _split(ent: TrackedEntitlement, amount: float) -> list[tuple[str, float]]:
    weights = [(p, w) for p, w in ent.formula.get("weights") or []] or [
        (p["payer"], p.get("share") or 1.0) for p in ent.payers
    ]
    return split(amount, weights or [("本级", 1.0)])


def _within_limit(
    session: Session, ent: TrackedEntitlement, region_code: str, parts: list[tuple[str, float]]
) -> tuple[list[tuple[str, float]], str | None]:
    """Cut the covered money to what is left under each per-enterprise limit (as the matcher
    cuts: only the budget levels a limit names), with the why."""
    notes = []
    for limit in _limits(ent):
        covered = _covered(parts, limit)
        if covered <= 0:
            continue
        cap = limit_cap(session, ent, limit, region_code)
        if cap is None:
            if limit.get("basis") == "unknown":
                notes.append(f"{limit.get('text') or '单企限额'}(文件未写明金额,由审核人员把握)")
                continue
            raise _unknown(ent, limit)
        room = max(0.0, round_wan(cap - _usage(session, ent, limit)))
        if covered <= room:
            continue
        factor = room / covered
        payers = limit.get("payers") or []
        parts = [(p, round_wan(a * factor) if not payers or p in payers else a) for p, a in parts]
        notes.append(f"{limit.get('text') or '单企限额'},剩余{room:g}万元")
    return parts, ";".join(notes) or None


# --------------------------------------------------------------------------- 免申即享


@dataclass
class ConfirmOutcome:
    confirmed: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def _confirmable(ent: TrackedEntitlement) -> str | None:
    if ent.mode != MODE_AUTO:
        return "需申报的项目须由企业申报,不能直接确认"
    if ent.match_status != PAID:
        return f"匹配结果为{ent.match_status},不可兑付"
    if not ent.current:
        return "最近一次匹配中已不再符合"
    if ent.state != "open":
        return f"当前状态为“{ENTITLEMENT_ZH[ent.state]}”"
    if not ent.amount_wan or ent.amount_wan <= 0:
        return "金额为零"
    return None


def confirm(
    session: Session,
    actor: Actor,
    ids: list[int] | None = None,
    document_id: int | None = None,
    region: str | None = None,
) -> ConfirmOutcome:
    """Batch-confirm 免申即享 entitlements (a list, or a document and/or region in the officer's
    area); each becomes payable. What cannot be confirmed is listed with the reason."""
    _require(actor, "officer")
    query = select(TrackedEntitlement, Enterprise.region_code).join(
        Enterprise, Enterprise.uscc == TrackedEntitlement.uscc
    )
    if ids is not None:
        if not ids:
            raise Invalid("ids 不能为空", "ids")
        query = query.where(TrackedEntitlement.id.in_(ids))
    else:
        if document_id is None and not region:
            raise Invalid("请给出 ids,或 document 和/或 region", "ids")
        query = query.where(TrackedEntitlement.mode == MODE_AUTO, TrackedEntitlement.state == "open")
        if document_id is not None:
            query = query.where(TrackedEntitlement.document_id == document_id)
        if region:
            if not region.isdigit() or len(region) > 6:
                raise Invalid("region 须为行政区划代码或其前缀", "region")
            query = query.where(Enterprise.region_code.startswith(region))
    outcome = ConfirmOutcome()
    rows = session.execute(query.order_by(TrackedEntitlement.id)).all()
    visible = {ent.id: (ent, code) for ent, code in rows if sees_enterprise(actor, ent.uscc, code)}
    for ident in ids if ids is not None else list(visible):
        if ident not in visible:
            outcome.skipped.append((ident, "不存在或不在您负责的地区"))
            continue
        ent, code = visible[ident]
        if why := _confirmable(ent):
            outcome.skipped.append((ident, why))
            continue
        parts = [(p["payer"], p["amount_wan"]) for p in ent.payers if p.get("amount_wan") is not None]
        if round_wan(sum(a for _, a in parts)) != round_wan(ent.amount_wan):
            parts = _split(ent, ent.amount_wan)
        try:
            _commit(session, ent, code, "confirmed", parts)
        except Conflict as exc:
            outcome.skipped.append((ident, str(exc)))
            continue
        record(
            session,
            actor.username,
            "entitlement.confirm",
            "entitlement",
            ent.id,
            before={"state": "open"},
            after={"state": "confirmed", "amount_wan": ent.committed_wan, "split": ent.committed_split},
        )
        outcome.confirmed.append(ident)
    return outcome


# --------------------------------------------------------------------------- 需申报


def _event(
    session: Session,
    app: Application,
    old: str,
    new: str,
    actor: Actor,
    reason: str,
    amount: float | None = None,
) -> None:
    session.execute(
        insert(ApplicationEvent).values(
            application_id=app.id,
            from_status=old,
            to_status=new,
            amount_wan=amount,
            reason=reason,
            user_id=actor.id,
            at=utcnow(),
        )
    )


def _check_wan(value: float | None, name: str, required: bool = True) -> None:
    if value is None:
        if required:
            raise Invalid(f"请填写{name}", name)
        return
    if not (0 < value <= MAX_WAN):
        raise Invalid(f"{name} 须大于0且不超过{MAX_WAN:g}万元", name)


def submit(
    session: Session,
    actor: Actor,
    entitlement_id: int,
    claimed_wan: float,
    base_wan: float | None = None,
    note: str = "",
) -> Application:
    """An enterprise applies for one of its 需申报 entitlements."""
    _require(actor, "enterprise")
    ent, _ = entitlement(session, actor, entitlement_id)
    _check_wan(claimed_wan, "claimed_wan")
    _check_wan(base_wan, "base_wan", required=False)
    if ent.mode != MODE_APPLY:
        raise Conflict("该项目为免申即享,无需申报,由经办人员确认后直接兑付", code="no_application_needed")
    if ent.match_status != PAID:
        raise Conflict(f"匹配结果为{ent.match_status},不能申报", code="not_payable")
    if not ent.current:
        raise Conflict("最近一次匹配中已不再符合,不能申报", code="not_current")
    computed, _how = compute(ent, claimed_wan, base_wan)
    moved = session.execute(
        update(TrackedEntitlement)
        .where(TrackedEntitlement.id == ent.id, TrackedEntitlement.state == "open")
        .values(state="applied", updated_at=utcnow())
    ).rowcount
    if not moved:
        raise Conflict(
            f"该项目{ENTITLEMENT_ZH.get(_state(session, ent.id), '已处理')},不能重复申报",
            code="already_applied",
        )
    app = Application(
        entitlement_id=ent.id,
        uscc=ent.uscc,
        status="submitted",
        claimed_wan=round_wan(claimed_wan),
        base_wan=None if base_wan is None else round_wan(base_wan),
        note=(note or "")[:2000],
        computed_wan=computed,
        submitted_by=actor.id,
        submitted_at=utcnow(),
    )
    session.add(app)
    session.flush()
    _event(session, app, "", "submitted", actor, "企业提交申报", app.claimed_wan)
    record(
        session,
        actor.username,
        "application.submit",
        "application",
        app.id,
        after={
            "entitlement_id": ent.id,
            "claimed_wan": app.claimed_wan,
            "base_wan": app.base_wan,
            "computed_wan": computed,
        },
        reason=note or None,
    )
    return app


def resubmit(session: Session, actor: Actor, application_id: int, note: str) -> Application:
    """The enterprise sends a returned application back for review (after adding material)."""
    _require(actor, "enterprise")
    app, _ = application(session, actor, application_id)
    note = (note or "").strip()
    if not note:
        raise Invalid("请说明补充了哪些材料", "note")
    moved = session.execute(
        update(Application)
        .where(Application.id == app.id, Application.status == "returned")
        .values(status="submitted")
    ).rowcount
    if not moved:
        raise Conflict("只有被退回的申报可以重新提交", code="not_returned")
    _event(session, app, "returned", "submitted", actor, note)
    record(
        session,
        actor.username,
        "application.resubmit",
        "application",
        app.id,
        before={"status": "returned"},
        after={"status": "submitted"},
        reason=note,
    )
    session.refresh(app)
    return app


def decide(
    session: Session,
    actor: Actor,
    application_id: int,
    decision: str,
    reason: str,
    amount_wan: float | None = None,
) -> Application:
    """approve / reject / return, always with a reason. Approval recomputes the amount from the
    claimed base, re-checks 就高不重复 and the per-enterprise cap against everything already
    committed, and may not exceed what it computes."""
    _require(actor, "officer")
    app, region_code = application(session, actor, application_id)
    if decision not in DECISIONS:
        raise Invalid("decision 须为 approve、reject 或 return", "decision")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("请填写审核理由", "reason")
    new = DECISIONS[decision]
    ent = session.get(TrackedEntitlement, app.entitlement_id)
    values: dict[str, Any] = {
        "status": new,
        "decision_reason": reason,
        "decided_by": actor.id,
        "decided_at": utcnow(),
    }
    parts: list[tuple[str, float]] = []
    how = None
    if new == "approved":
        computed, how = compute(ent, app.claimed_wan, app.base_wan)
        parts, cut = _within_limit(session, ent, region_code, _split(ent, computed))
        computed = round_wan(sum(a for _, a in parts))
        how = how + (f";{cut}" if cut else "")
        if computed <= 0:
            raise Conflict("单企限额已用完,可核定金额为0,请驳回并说明", code="limit_exceeded")
        amount = computed if amount_wan is None else round_wan(amount_wan)
        if amount <= 0:
            raise Invalid("核定金额须大于0", "amount_wan")
        if amount > computed:
            raise Invalid(f"核定金额不能超过按规则计算的{computed:g}万元({how})", "amount_wan")
        if amount < computed:
            parts = split(amount, parts)
        values |= {"approved_wan": amount, "computed_wan": computed}
    try:
        with session.begin_nested():
            moved = session.execute(
                update(Application)
                .where(Application.id == app.id, Application.status == "submitted")
                .values(**values)
            ).rowcount
            if not moved:
                status = session.scalar(select(Application.status).where(Application.id == app.id))
                raise Conflict(
                    f"该申报当前状态为“{status_zh(status)}”,已由他人处理或不在待审核状态",
                    code="already_decided",
                )
            if new == "approved":
                _commit(session, ent, region_code, "approved", parts)
            elif new == "rejected":
                session.execute(
                    update(TrackedEntitlement)
                    .where(TrackedEntitlement.id == ent.id, TrackedEntitlement.state == "applied")
                    .values(state="rejected", updated_at=utcnow())
                )
    except IntegrityError as exc:
        raise Conflict("数据库拒绝了该审核结果(金额或状态不符合规则)", code="rejected_by_database") from exc
    session.refresh(app)
    _event(session, app, "submitted", new, actor, reason, app.approved_wan)
    record(
        session,
        actor.username,
        f"application.{decision}",
        "application",
        app.id,
        before={"status": "submitted"},
        after={
            "status": new,
            "approved_wan": app.approved_wan,
            "computed_wan": app.computed_wan,
            "how": how,
            "split": _parts_json(parts) if parts else None,
        },
        reason=reason,
    )
    return app


def status_zh(status: str | None) -> str:
    from huiqi.payout.states import APPLICATION_ZH

    return APPLICATION_ZH.get(status or "", status or "")


# --------------------------------------------------------------------------- 兑付


def _reference(given: str | None) -> str:
    if given is None or given == "":
        return f"HQ{utcnow():%Y%m%d}-{secrets.token_hex(5).upper()}"
    if not _REFERENCE.fullmatch(given):
        raise Invalid("兑付凭证号须为1~64位字母、数字或 . _ / -", "reference")
    return given


def pay(
    session: Session,
    actor: Actor,
    entitlement_id: int | None = None,
    application_id: int | None = None,
    reference: str | None = None,
) -> Payout:
    """Finance pays a confirmed or approved entitlement, split by paying level, with a reference."""
    _require(actor, "finance")
    if (entitlement_id is None) == (application_id is None):
        raise Invalid("请给出 application_id 或 entitlement_id 之一", "application_id")
    if application_id is not None:
        app, _ = application(session, actor, application_id)
        if app.status != "approved":
            raise Conflict(f"申报当前状态为“{status_zh(app.status)}”,审核通过后才能兑付", code="not_approved")
        entitlement_id = app.entitlement_id
    ent, _ = entitlement(session, actor, entitlement_id)
    if ent.state not in ("confirmed", "approved"):
        raise Conflict(
            f"该应享项目{ENTITLEMENT_ZH.get(ent.state, ent.state)},确认或审核通过后才能兑付",
            code="not_payable",
        )
    if application_id is None and ent.state == "approved":
        application_id = session.scalar(
            select(Application.id).where(
                Application.entitlement_id == ent.id, Application.status == "approved"
            )
        )
    reference = _reference(reference)
    last = session.scalar(
        select(PayoutReversal.id)
        .where(PayoutReversal.entitlement_id == ent.id)
        .order_by(PayoutReversal.id.desc())
        .limit(1)
    )
    parts = [(p["payer"], p["amount_wan"]) for p in ent.committed_split or []] or [
        ("本级", ent.committed_wan)
    ]
    try:
        with session.begin_nested():
            moved = session.execute(
                update(TrackedEntitlement)
                .where(TrackedEntitlement.id == ent.id, TrackedEntitlement.state == ent.state)
                .values(state="paid", updated_at=utcnow())
            ).rowcount
            if not moved:
                raise Conflict("该应享项目已由他人兑付或状态已变化", code="already_paid")
            payout = Payout(
                entitlement_id=ent.id,
                application_id=application_id,
                amount_wan=ent.committed_wan,
                reference=reference,
                follows_reversal_id=last,
                paid_by=actor.id,
                paid_at=utcnow(),
            )
            session.add(payout)
            session.flush()
            session.execute(
                insert(PayoutLine), [{"payout_id": payout.id, "payer": p, "amount_wan": a} for p, a in parts]
            )
    except IntegrityError as exc:
        raise Conflict("兑付被数据库拒绝:该项目已兑付,或凭证号已被使用", code="already_paid") from exc
    record(
        session,
        actor.username,
        "payout.pay",
        "payout",
        payout.id,
        before={"state": ent.state},
        after={
            "entitlement_id": ent.id,
            "amount_wan": payout.amount_wan,
            "split": _parts_json(parts),
            "reference": reference,
        },
    )
    return payout


def reverse(
    session: Session, actor: Actor, payout_id: int, reason: str, reference: str | None = None
) -> PayoutReversal:
    """Undo a payout by a counter-entry; the entitlement becomes payable again."""
    _require(actor, "finance")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("请填写冲正理由", "reason")
    payout = session.get(Payout, payout_id)
    if payout is None:
        raise NotFound(f"没有编号为 {payout_id} 的兑付记录")
    back = "approved" if payout.application_id is not None else "confirmed"
    reference = _reference(reference)
    try:
        with session.begin_nested():
            reversal = PayoutReversal(
                payout_id=payout.id,
                entitlement_id=payout.entitlement_id,
                amount_wan=payout.amount_wan,
                reference=reference,
                reason=reason,
                reversed_by=actor.id,
                reversed_at=utcnow(),
            )
            session.add(reversal)
            session.flush()
            moved = session.execute(
                update(TrackedEntitlement)
                .where(TrackedEntitlement.id == payout.entitlement_id, TrackedEntitlement.state == "paid")
                .values(state=back, updated_at=utcnow())
            ).rowcount
            if not moved:
                raise Conflict("该兑付已冲正", code="already_reversed")
    except IntegrityError as exc:
        raise Conflict("该兑付已冲正,或凭证号已被使用", code="already_reversed") from exc
    record(
        session,
        actor.username,
        "payout.reverse",
        "payout",
        payout.id,
        before={"state": "paid"},
        after={
            "state": back,
            "reversal_id": reversal.id,
            "amount_wan": -payout.amount_wan,
            "reference": reference,
        },
        reason=reason,
    )
    return reversal
