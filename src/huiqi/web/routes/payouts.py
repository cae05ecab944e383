"""兑付: finance pays confirmed or approved entitlements, split by paying level; reversal only by
a counter-entry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy import func, select

from huiqi.accounts.scope import enterprise_clause, sees_enterprise
from huiqi.db.models import Enterprise, Payout, PayoutLine, PayoutReversal, TrackedEntitlement
from huiqi.payout import workflow
from huiqi.payout.errors import NotFound
from huiqi.web.deps import DB, Me, Paging
from huiqi.web.errors import RESPONSES
from huiqi.web.schemas import PayoutIn, PayoutList, PayoutOut, ReversalIn, ReversalOut, SplitOut

router = APIRouter(tags=["兑付"], responses=RESPONSES)
PayoutId = Annotated[int, Path(ge=1, le=2**31 - 1, description="兑付编号")]


def payout_out(session, payout: Payout) -> PayoutOut:
    lines = session.scalars(
        select(PayoutLine).where(PayoutLine.payout_id == payout.id).order_by(PayoutLine.payer)
    )
    reversal = session.scalar(select(PayoutReversal).where(PayoutReversal.payout_id == payout.id))
    uscc = session.scalar(
        select(TrackedEntitlement.uscc).where(TrackedEntitlement.id == payout.entitlement_id)
    )
    return PayoutOut(
        id=payout.id,
        entitlement_id=payout.entitlement_id,
        application_id=payout.application_id,
        uscc=uscc,
        amount_wan=payout.amount_wan,
        reference=payout.reference,
        split=[SplitOut(payer=line.payer, amount_wan=line.amount_wan) for line in lines],
        paid_at=payout.paid_at,
        reversal=None
        if reversal is None
        else ReversalOut(
            id=reversal.id,
            payout_id=reversal.payout_id,
            amount_wan=reversal.amount_wan,
            reference=reversal.reference,
            reason=reversal.reason,
            reversed_at=reversal.reversed_at,
        ),
    )


@router.post("/payouts", response_model=PayoutOut, status_code=201, summary="兑付")
def pay(body: PayoutIn, session: DB, me: Me) -> PayoutOut:
    """财政人员兑付一项已确认(免申即享)或已审核通过(需申报)的应享,按出资层级拆分,记录凭证号(不填则自动生成)。"""
    payout = workflow.pay(session, me, body.entitlement_id, body.application_id, body.reference)
    session.commit()
    return payout_out(session, payout)


def _payout(session, me, payout_id: int) -> Payout:
    row = session.execute(
        select(Payout, Enterprise.uscc, Enterprise.region_code)
        .join(TrackedEntitlement, TrackedEntitlement.id == Payout.entitlement_id)
        .join(Enterprise, Enterprise.uscc == TrackedEntitlement.uscc)
        .where(Payout.id == payout_id)
    ).first()
    if row is None or not sees_enterprise(me, row[1], row[2]):
        raise NotFound(f"没有编号为 {payout_id} 的兑付记录")
    return row[0]


@router.get("/payouts", response_model=PayoutList, summary="兑付记录")
def list_payouts(session: DB, me: Me, page: Paging) -> PayoutList:
    query = (
        select(Payout)
        .join(TrackedEntitlement, TrackedEntitlement.id == Payout.entitlement_id)
        .join(Enterprise, Enterprise.uscc == TrackedEntitlement.uscc)
        .where(enterprise_clause(me, Enterprise.uscc, Enterprise.region_code))
    )
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    if page.after is not None:
        query = query.where(Payout.id > page.after)
    rows = list(session.scalars(query.order_by(Payout.id).limit(page.limit)))
    last = rows[-1].id if len(rows) == page.limit else None
    return PayoutList(
        items=[payout_out(session, p) for p in rows], total=total, next=None if last is None else str(last)
    )


@router.get("/payouts/{payout_id}", response_model=PayoutOut, summary="一笔兑付")
def get_payout(payout_id: PayoutId, session: DB, me: Me) -> PayoutOut:
    return payout_out(session, _payout(session, me, payout_id))


@router.post("/payouts/{payout_id}/reversal", response_model=PayoutOut, status_code=201, summary="冲正")
def reverse(payout_id: PayoutId, body: ReversalIn, session: DB, me: Me) -> PayoutOut:
    """以一笔冲正记录撤销兑付(原记录不改不删),应享项目回到待兑付。"""
    payout = _payout(session, me, payout_id)
    workflow.reverse(session, me, payout.id, body.reason, body.reference)
    session.commit()
    return payout_out(session, payout)
