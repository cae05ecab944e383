"""The money path on SQLite and PostgreSQL: batch confirmation of 免申即享, applications with
their decisions, payouts split by paying level, reversal by counter-entry, per-enterprise caps and
就高不重复 re-checked against what is already committed, and re-runs that never pay twice."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy import select as _select

from huiqi.db.models import (
    Application,
    ApplicationEvent,
    LimitUsage,
    Payout,
    PayoutLine,
    PayoutReversal,
    TrackedEntitlement,
)
from huiqi.payout import workflow
from huiqi.payout.errors import Conflict, Forbidden, Invalid, NotFound
from huiqi.payout.parameters import set_parameter


def _confirm(world, *ids, officer="li"):
    with world.session() as s:
        return workflow.confirm(s, world.users[officer], ids=list(ids))


def usage_of(session, uscc: str, document_id: int, year: int):
    """The use of the document's yearly per-enterprise limit (one such limit in these documents)."""
    rows = session.scalars(
        _select(LimitUsage).where(
            LimitUsage.uscc == uscc, LimitUsage.document_id == document_id, LimitUsage.period == str(year)
        )
    ).all()
    assert len(rows) <= 1
    return rows[0] if rows else None


def test_batch_confirmation_commits_auto_entitlements_of_the_officers_region(paying_world):
    w = paying_world
    with w.session() as s:
        outcome = workflow.confirm(s, w.users["li"], document_id=w.city)
    giant, fair, green = (w.entitlement(w.E1, kind) for kind in ("小巨人", "展会", "绿色工厂"))
    other_fair = w.entitlement(w.E4, "展会")
    assert sorted(outcome.confirmed) == sorted([giant.id, fair.id, green.id, other_fair.id])
    assert outcome.skipped == []  # only 免申即享 rows are selected by document
    assert (giant.state, giant.committed_wan) == ("confirmed", 45.0)  # district half cut to the tax cap
    assert giant.committed_split == [
        {"payer": "市级", "amount_wan": 25.0},
        {"payer": "区级", "amount_wan": 20.0},
    ]
    with w.session() as s:
        usage = usage_of(s, w.E1, w.city, 2024)
        assert (usage.limit_wan, usage.used_wan) == (60.0, 20.0)  # (160 − 100) × retention 1.0


def test_confirmation_skips_what_it_may_not_confirm_and_says_why(paying_world):
    w = paying_world
    centre, giant_e2, giant = (
        w.entitlement(w.E1, "企业技术中心"),
        w.entitlement(w.E2, "小巨人"),
        w.entitlement(w.E1, "小巨人"),
    )
    outcome = _confirm(w, centre.id, giant_e2.id, giant.id, 999999, officer="wang")  # 市中区 officer
    assert outcome.confirmed == []
    assert {i for i, _ in outcome.skipped} == {centre.id, giant_e2.id, giant.id, 999999}
    assert all("不在您负责的地区" in why for _, why in outcome.skipped)
    outcome = _confirm(w, centre.id, giant.id, giant.id)
    assert outcome.confirmed == [giant.id]
    reasons = dict(outcome.skipped)
    assert "需申报" in reasons[centre.id]
    assert "已确认" in reasons[giant.id]  # listed twice: the second time it is already confirmed
    with w.session() as s, pytest.raises(Forbidden):
        workflow.confirm(s, w.users["e1"], ids=[giant.id])  # an enterprise cannot confirm


def _apply(w, kind, claimed, base=None, who="e1", uscc=None):
    ent = w.entitlement(uscc or w.E1, kind)
    with w.session() as s:
        return workflow.submit(s, w.users[who], ent.id, claimed, base, "材料齐全").id


def _decide(w, app_id, decision, amount=None, who="li"):
    with w.session() as s:
        return workflow.decide(s, w.users[who], app_id, decision, "经审核", amount)


def test_approval_recomputes_within_the_cap_left_after_what_is_committed_and_pays_once(paying_world):
    w = paying_world
    giant = w.entitlement(w.E1, "小巨人")
    _confirm(w, giant.id)  # books 20 of the 60 district cap
    app_id = _apply(w, "企业技术中心", 100)
    with pytest.raises(Invalid) as too_much:
        _decide(w, app_id, "approve", 95)
    assert too_much.value.field == "amount_wan" and "90" in str(too_much.value)
    app = _decide(w, app_id, "approve")
    assert (app.status, app.computed_wan, app.approved_wan) == ("approved", 90.0, 90.0)  # 市 50 + 区 40 left
    with w.session() as s:
        assert usage_of(s, w.E1, w.city, 2024).used_wan == 60.0
        payout = workflow.pay(s, w.users["cai"], application_id=app_id, reference="ZF-2025-001")
        lines = {
            line.payer: line.amount_wan
            for line in s.scalars(select(PayoutLine).where(PayoutLine.payout_id == payout.id))
        }
    assert (payout.amount_wan, lines) == (90.0, {"市级": 50.0, "区级": 40.0})
    with w.session() as s, pytest.raises(Conflict):
        workflow.pay(s, w.users["cai"], application_id=app_id)
    with w.session() as s, pytest.raises(Conflict):
        workflow.decide(s, w.users["li"], app_id, "reject", "改变主意")  # already decided
    with w.session() as s:  # paid → approved by a counter-entry, then paid again
        workflow.reverse(s, w.users["cai"], payout.id, "财政退回")
    assert w.entitlement(w.E1, "企业技术中心").state == "approved"
    with w.session() as s:
        again = workflow.pay(s, w.users["cai"], application_id=app_id, reference="ZF-2025-001-2")
        assert (again.amount_wan, again.application_id, again.follows_reversal_id is not None) == (
            90.0,
            app_id,
            True,
        )


def test_a_payout_is_undone_only_by_a_counter_entry_and_can_then_be_paid_again(paying_world):
    w = paying_world
    fair = w.entitlement(w.E4, "展会")
    _confirm(w, fair.id)
    with w.session() as s:
        first = workflow.pay(s, w.users["cai"], entitlement_id=fair.id)
        assert first.reference.startswith("HQ")
    with w.session() as s:
        reversal = workflow.reverse(s, w.users["cai"], first.id, "收款账户有误,资金退回")
        assert reversal.amount_wan == first.amount_wan
    assert w.entitlement(w.E4, "展会").state == "confirmed"
    with w.session() as s, pytest.raises(Conflict):
        workflow.reverse(s, w.users["cai"], first.id, "再次冲正")
    with w.session() as s:
        second = workflow.pay(s, w.users["cai"], entitlement_id=fair.id, reference="ZF-2025-002")
        assert second.follows_reversal_id == reversal.id
    with w.session() as s:
        payouts = s.scalars(select(Payout).order_by(Payout.id)).all()
        assert [(p.amount_wan, p.follows_reversal_id) for p in payouts] == [(5.0, None), (5.0, reversal.id)]
        assert s.scalar(select(func.count()).select_from(PayoutReversal)) == 1
    assert w.entitlement(w.E4, "展会").state == "paid"


def test_return_resubmit_and_reject_with_their_history(paying_world):
    w = paying_world
    app_id = _apply(w, "技术改造", 50, base=400)  # 400 × 10% = 40, below the 100 ceiling
    with w.session() as s:
        assert s.get(Application, app_id).computed_wan == 40.0
    assert _decide(w, app_id, "return").status == "returned"
    with w.session() as s, pytest.raises(Conflict):
        workflow.decide(s, w.users["li"], app_id, "approve", "通过")  # returned: waiting for material
    with w.session() as s:
        assert workflow.resubmit(s, w.users["e1"], app_id, "已补充发票").status == "submitted"
    assert _decide(w, app_id, "reject").status == "rejected"
    assert w.entitlement(w.E1, "技术改造").state == "rejected"
    with w.session() as s:
        history = s.scalars(
            select(ApplicationEvent.to_status)
            .where(ApplicationEvent.application_id == app_id)
            .order_by(ApplicationEvent.id)
        ).all()
    assert history == ["submitted", "returned", "submitted", "rejected"]
    with pytest.raises(Conflict):
        _apply(w, "技术改造", 50, base=400)  # rejected is final


def test_applications_are_refused_where_they_do_not_belong(paying_world):
    w = paying_world
    with pytest.raises(Conflict) as auto:
        _apply(w, "展会", 3)
    assert auto.value.code == "no_application_needed"
    with pytest.raises(NotFound):
        _apply(w, "企业技术中心", 10, who="e2")  # E1's entitlement, asked for by E2
    with pytest.raises(Invalid) as zero:
        _apply(w, "企业技术中心", 0)
    assert zero.value.field == "claimed_wan"
    _apply(w, "企业技术中心", 10)
    with pytest.raises(Conflict):
        _apply(w, "企业技术中心", 10)  # one live application per entitlement


def test_an_unknown_cap_blocks_approval_of_district_money(paying_world):
    w = paying_world
    app_id = _apply(w, "小巨人", 50, who="e2", uscc=w.E2)  # 需申报 because E2 has no 税收 figures
    with pytest.raises(Conflict) as unknown:
        _decide(w, app_id, "approve")
    assert unknown.value.code == "limit_unknown"
    with w.session() as s:
        assert s.get(Application, app_id).status == "submitted"


def test_rerunning_and_new_versions_never_pay_twice(paying_world):
    w = paying_world
    giant = w.entitlement(w.E1, "小巨人")
    _confirm(w, giant.id)
    with w.session() as s:
        workflow.pay(s, w.users["cai"], entitlement_id=giant.id)
        count = s.scalar(select(func.count()).select_from(TrackedEntitlement))
    w.run()
    w.run(as_of="2025-02-01")
    # The city re-issues the text with a higher reward; the officer publishes it.
    w.city_path.write_text(w.city_path.read_text("utf-8").replace("奖励50万元", "奖励60万元"), "utf-8")
    from huiqi.library import ingest_file

    with w.session() as s:
        ingest_file(s, w.city_path)
    w.publish(w.city)  # the officers' decisions on the first version still apply
    w.run()
    with w.session() as s:
        assert s.scalar(select(func.count()).select_from(TrackedEntitlement)) == count
    again = w.entitlement(w.E1, "小巨人")
    assert (again.id, again.state, again.committed_wan) == (giant.id, "paid", 45.0)
    # A district document paying 80 for the same title: the match prefers it, but the fact is paid.
    district = w.ingest_district()
    w.publish(district)
    w.run()
    rival = w.entitlement(w.E1, "小巨人", document_id=district)
    assert rival.match_status == "享受" and rival.amount_wan == 80.0
    outcome = _confirm(w, rival.id)
    assert outcome.confirmed == [] and "就高不重复" in dict(outcome.skipped)[rival.id]


def test_parameters_are_versioned_per_region_and_change_the_next_run(paying_world):
    w = paying_world
    with w.session() as s:
        first = set_parameter(s, w.users["admin"], "district_retention", "3701", 0.5, "财政局通知")
        second = set_parameter(s, w.users["admin"], "district_retention", "3701", 0.25, "新年度比例")
        assert (first.version, second.version) == (1, 2)
        set_parameter(s, w.users["admin"], "district_retention", "3707", 0.9, "潍坊的比例")
        with pytest.raises(Invalid):
            set_parameter(s, w.users["admin"], "district_retention", "3701", 1.5, "错误")
    run = w.run()
    assert run.inputs["parameter:district_retention@3701"] == {"id": second.id, "version": 2, "value": 0.25}
    # cap (160 − 100) × 0.25 = 15 for 区 money 25 + 50 → factor 0.2: the giant's 区 half is 5
    giant = w.entitlement(w.E1, "小巨人")
    assert giant.amount_wan == 30.0
    _confirm(w, giant.id)
    app_id = _apply(w, "企业技术中心", 100)
    app = _decide(w, app_id, "approve")
    assert app.approved_wan == 60.0  # 市 50 + what is left of the 区 cap (15 − 5)
    with w.session() as s:
        usage = usage_of(s, w.E1, w.city, 2024)
        assert (usage.limit_wan, usage.used_wan) == (15.0, 15.0)
