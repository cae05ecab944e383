"""Invariants the database enforces by itself, whatever the code does (SQLite and PostgreSQL),
and two officers approving the same application at the same moment over real connections."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from huiqi.db.models import StatusArrow
from huiqi.payout import workflow
from huiqi.payout.errors import Conflict
from huiqi.payout.states import ARROWS


def _refused(engine, sql: str, **params) -> None:
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text(sql), params)


def test_the_database_holds_the_same_status_arrows_as_the_code(engine):
    with Session(engine) as s:
        stored = {(a.machine, a.from_status, a.to_status) for a in s.scalars(select(StatusArrow))}
    assert stored == set(ARROWS)


def test_status_changes_only_along_the_arrows(paying_world):
    w = paying_world
    giant = w.entitlement(w.E1, "小巨人")
    _refused(w.engine, "UPDATE tracked_entitlements SET state = 'rejected' WHERE id = :id", id=giant.id)
    _refused(  # open → paid skips confirmation (the money columns are set so only the arrow is wrong)
        w.engine,
        "UPDATE tracked_entitlements SET state = 'paid', committed_wan = 45 WHERE id = :id",
        id=giant.id,
    )
    with w.session() as s:
        workflow.confirm(s, w.users["li"], ids=[giant.id])
    _refused(
        w.engine,
        "UPDATE tracked_entitlements SET state = 'open', committed_wan = NULL WHERE id = :id",
        id=giant.id,
    )
    with w.engine.begin() as conn:  # an arrow the table allows goes through
        conn.execute(text("UPDATE tracked_entitlements SET state = 'paid' WHERE id = :id"), {"id": giant.id})
    centre = w.entitlement(w.E1, "企业技术中心")
    _refused(  # an application may only start as submitted
        w.engine,
        "INSERT INTO applications (entitlement_id, uscc, status, claimed_wan, note, computed_wan, approved_wan,"
        " submitted_by, submitted_at) VALUES (:e, :u, 'approved', 10, '', 10, 10, 1, '2025-01-01')",
        e=centre.id,
        u=w.E1,
    )


def test_no_approval_above_the_computed_amount(paying_world):
    w = paying_world
    centre = w.entitlement(w.E1, "企业技术中心")
    with w.session() as s:
        app = workflow.submit(s, w.users["e1"], centre.id, 100)
    _refused(
        w.engine,
        "UPDATE applications SET status = 'approved', computed_wan = 90, approved_wan = 95 WHERE id = :id",
        id=app.id,
    )


def test_one_payout_per_entitlement_and_payouts_are_never_edited(paying_world):
    w = paying_world
    fair = w.entitlement(w.E4, "展会")
    with w.session() as s:
        workflow.confirm(s, w.users["li"], ids=[fair.id])
    with w.session() as s:
        payout = workflow.pay(s, w.users["cai"], entitlement_id=fair.id, reference="ZF-1")
    user = w.users["cai"].id
    _refused(
        w.engine,
        "INSERT INTO payouts (entitlement_id, amount_wan, reference, paid_by, paid_at)"
        " VALUES (:e, 5, 'ZF-2', :u, '2025-01-02')",
        e=fair.id,
        u=user,
    )
    _refused(w.engine, "UPDATE payouts SET amount_wan = 50 WHERE id = :id", id=payout.id)
    _refused(w.engine, "DELETE FROM payout_lines WHERE payout_id = :id", id=payout.id)
    _refused(w.engine, "DELETE FROM payouts WHERE id = :id", id=payout.id)
    # A second payout must follow a reversal of the first, of the same entitlement.
    _refused(
        w.engine,
        "INSERT INTO payout_reversals (payout_id, entitlement_id, amount_wan, reference, reason, reversed_by,"
        " reversed_at) VALUES (:p, :e, 5, 'CZ-1', '冲正', :u, '2025-01-02')",
        p=payout.id,
        e=fair.id + 1,
        u=user,
    )


def test_one_committed_grant_per_fact_and_committed_district_money_within_the_cap(paying_world):
    w = paying_world
    district = w.ingest_district()
    w.publish(district)
    w.run()
    city_giant = w.entitlement(w.E1, "小巨人", document_id=w.city)
    district_giant = w.entitlement(w.E1, "小巨人", document_id=district)
    assert city_giant.fact_key == district_giant.fact_key
    with w.engine.begin() as conn:
        conn.execute(
            text("UPDATE tracked_entitlements SET state = 'confirmed', committed_wan = 1 WHERE id = :id"),
            {"id": city_giant.id},
        )
    _refused(
        w.engine,
        "UPDATE tracked_entitlements SET state = 'confirmed', committed_wan = 1 WHERE id = :id",
        id=district_giant.id,
    )
    with w.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO limit_usage (uscc, limit_key, period, document_id, limit_wan, used_wan) "
                "VALUES (:u, 'test:0', '2024', :d, 60, 20)"
            ),
            {"u": w.E1, "d": w.city},
        )
    _refused(w.engine, "UPDATE limit_usage SET used_wan = 61 WHERE uscc = :u", u=w.E1)


def _race(w, app_id: int, officers: list[str]) -> list[str]:
    """Each officer decides the application on a connection of their own, all released at once."""
    start = threading.Barrier(len(officers))

    def decide(name: str) -> str:
        with Session(w.engine, expire_on_commit=False) as s:
            start.wait()
            try:
                workflow.decide(s, w.users[name], app_id, "approve", f"{name}审核通过")
                s.commit()
                return "approved"
            except Conflict as exc:
                s.rollback()
                return exc.code

    with ThreadPoolExecutor(len(officers)) as pool:
        return list(pool.map(decide, officers))


def test_concurrent_approvals_exactly_one_wins(paying_world):
    w = paying_world
    from huiqi.accounts.users import Actor, add_user

    with w.session() as s:
        for name in ("li2", "li3", "li4"):
            w.users[name] = Actor.of(add_user(s, name, w.password(name), "officer", region="370100"))
    for kind in ("企业技术中心", "技术改造"):
        with w.session() as s:
            app = workflow.submit(s, w.users["e1"], w.entitlement(w.E1, kind).id, 20, None, "")
        outcome = _race(w, app.id, ["li", "li2", "li3", "li4"])
        assert sorted(outcome) == ["already_decided"] * 3 + ["approved"]
        with w.session() as s:
            decisions = s.execute(
                text(
                    "SELECT count(*) FROM application_events WHERE application_id = :id AND to_status = 'approved'"
                ),
                {"id": app.id},
            ).scalar()
            assert decisions == 1
