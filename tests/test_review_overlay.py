"""Officer review of readings: corrections kept as an overlay, the publication gate, surviving a
new version of the document, and the gold export (SQLite and PostgreSQL)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from huiqi.db.models import AuditEntry, ReadingReview
from huiqi.library import ingest_file
from huiqi.payout.errors import Conflict, Forbidden
from huiqi.review import service
from huiqi.review.gold import gold, gold_yaml
from huiqi.review.overlay import review_version

SCORER = Path(__file__).resolve().parents[2] / "shared" / "tools" / "score_extraction.py"


def _state(world, document_id=None):
    with world.session() as s:
        version = service.latest_version(s, document_id or world.city)
        return review_version(s, version)


def _incentive(state, subject_part: str, machine: bool = True):
    rows = [
        i
        for i in state.items["incentives"]
        if subject_part in (i.machine if machine else i.reading)["subject"]
    ]
    return rows


def test_a_correction_keeps_who_when_before_and_after_and_is_audited(world):
    state = _state(world)
    [centre] = _incentive(state, "企业技术中心")
    with world.session() as s:
        item = service.correct(
            s,
            world.users["li"],
            "incentives",
            state.version.id,
            centre.index,
            {"cap_wan": 80, "reason": "原文为80万元"},
        )
        assert item.status == "corrected" and item.reading["cap_wan"] == 80 and item.machine["cap_wan"] == 100
    with world.session() as s:
        [review] = s.scalars(select(ReadingReview)).all()
        assert (review.action, review.field, review.reason) == ("correct", "cap_wan", "原文为80万元")
        assert (json.loads(review.before), json.loads(review.after), json.loads(review.machine)) == (
            100,
            80,
            100,
        )
        assert review.user_id == world.users["li"].id and review.created_at is not None
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "review.correct")).one()
        assert entry.actor == "li" and json.loads(entry.detail)["after"] == {"cap_wan": 80}


def test_flagged_rows_block_publication_until_each_is_handled(world):
    with world.session() as s, pytest.raises(Conflict) as refused:
        service.publish(s, world.users["li"], world.city, "发布")
    assert refused.value.code == "review_pending" and "还有3处待审核" in str(refused.value)
    with world.session() as s:
        assert service.published_versions(s) == []
    world.review_city()
    world.publish(world.city)
    with world.session() as s:
        [version] = service.published_versions(s)
        [publication] = service.published_readings(s)
    assert version.document_id == world.city
    green = [row for row in publication.reading["incentives"] if "绿色工厂" in row["subject"]]
    assert [(g["subject"], g["amount_wan"], g["needs_review"]) for g in green] == [
        ("新认定的国家级绿色工厂", 30.0, False),
        ("新认定的省级绿色工厂", 20.0, False),
    ]
    assert not any(row["amount_wan"] == 10.0 for row in publication.reading["incentives"])  # excluded


def test_only_officers_of_the_documents_region_and_admins_review(world):
    state = _state(world)
    for name in ("zhao", "wang", "e1", "cai"):  # 潍坊 officer, a district officer for a city document, others
        with world.session() as s, pytest.raises(Forbidden):
            service.decide(s, world.users[name], "incentives", state.version.id, 0, "confirm", "核对无误")
    with world.session() as s:
        assert (
            service.decide(
                s, world.users["admin"], "incentives", state.version.id, 0, "confirm", "核对无误"
            ).status
            == "confirmed"
        )


def _new_version(world, text: str) -> None:
    world.city_path.write_text(text, "utf-8")
    with world.session() as s:
        assert ingest_file(s, world.city_path).status == "new_version"


def test_decisions_survive_a_new_version_and_say_which_need_a_look(world):
    world.review_city()
    state = _state(world)
    li = world.users["li"]
    [giant] = _incentive(state, "小巨人")
    [centre] = _incentive(state, "企业技术中心")
    [fair] = _incentive(state, "展会")
    with world.session() as s:
        service.decide(s, li, "incentives", state.version.id, giant.index, "confirm", "核对无误")
        service.correct(
            s, li, "incentives", state.version.id, centre.index, {"cap_wan": 80, "reason": "按财政意见"}
        )
        service.correct(
            s, li, "incentives", state.version.id, fair.index, {"ratio": 0.6, "reason": "原文有误"}
        )
    world.publish(world.city)
    # The city re-issues the text: the centre's ceiling is now 120, the fair's share now reads 60%
    # (what the officer had corrected), and the 分别 sentence is rewritten with two amounts.
    revised = (
        world.city_path.read_text("utf-8")
        .replace("给予最高100万元奖励", "给予最高120万元奖励")
        .replace("按展位费的50%", "按展位费的60%")
        .replace("分别给予奖励30万元、20万元、10万元", "分别给予奖励30万元、20万元")
    )
    _new_version(world, revised)
    state = _state(world)
    assert state.version.version == 2
    [giant] = _incentive(state, "小巨人")
    assert giant.status == "confirmed" and not giant.blocking  # the row reads as it was confirmed
    [fair] = _incentive(state, "展会")
    assert (
        fair.status == "corrected" and fair.reading["ratio"] == 0.6 and not fair.needs_look
    )  # machine agrees now
    [centre] = _incentive(state, "企业技术中心")
    assert (
        centre.reading["cap_wan"] == 120 and centre.blocking
    )  # the machine reads 120, not the 100 corrected
    [look] = centre.needs_look
    assert (look.field, look.machine, look.after, look.applies) == ("cap_wan", 100, 80, False)
    assert "120" in look.note
    # The three decisions about the old 分别 sentence point at rows this version no longer has.
    assert sorted(o.action for o in state.orphans) == ["correct", "correct", "correct", "exclude"]
    assert len(state.blocking()) == 5
    with world.session() as s, pytest.raises(Conflict):
        service.publish(s, li, world.city, "新版本")
    with world.session() as s:  # the published reading stays the first version until then
        [publication] = service.published_readings(s)
        assert publication.document_version_id != state.version.id
    with world.session() as s:
        service.correct(
            s,
            li,
            "incentives",
            state.version.id,
            centre.index,
            {"cap_wan": 100, "reason": "新版本按100万元执行"},
        )
    dismissed = 0
    while orphans := _state(world).orphans:  # one dismissal voids every old decision of that row
        with world.session() as s:
            service.dismiss_orphan(s, li, world.city, orphans[0].id, "原句已改写,新版本按新句执行")
        dismissed += 1
    assert dismissed == 3  # the three rows of the old sentence
    state = _state(world)
    assert state.blocking() == []
    world.publish(world.city)
    with world.session() as s:
        [publication] = service.published_readings(s)
    assert publication.document_version_id == state.version.id
    caps = {row["subject"]: row.get("cap_wan") for row in publication.reading["incentives"]}
    assert caps["新认定的国家级企业技术中心"] == 100


def test_decisions_are_made_on_the_latest_version_only(world):
    old = _state(world).version.id
    _new_version(world, world.city_path.read_text("utf-8").replace("50万元", "60万元"))
    with world.session() as s, pytest.raises(Conflict) as stale:
        service.decide(s, world.users["li"], "incentives", old, 0, "confirm", "核对无误")
    assert stale.value.code == "stale_version"


def _scorer():
    spec = importlib.util.spec_from_file_location("score_extraction", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gold_export_is_in_the_scorers_format_and_catches_what_officers_corrected(world):
    world.review_city()
    state = _state(world)
    exported = yaml.safe_load(gold_yaml(state))
    assert exported == json.loads(json.dumps(gold(state), ensure_ascii=False))
    assert set(exported) == {"document", "tasks", "incentives", "targets", "stacking"}
    green = [row for row in exported["incentives"] if "绿色工厂" in row["subject"]]
    assert [row["key"] for row in green] == ["新认定的国家级绿色工厂", "新认定的省级绿色工厂"]
    assert all("审核更正" in row["note"] for row in green)
    scorer = _scorer()
    reviewed = scorer.score_doc(exported, state.reading())["incentives"]
    machine = scorer.score_doc(exported, state.version.extraction)["incentives"]
    assert reviewed["strict"] == reviewed["gold"] == len(exported["incentives"])
    assert machine["strict"] < reviewed["strict"]  # the machine reading fails the rows officers fixed


def test_corrections_of_tasks_and_stacking_rules_change_what_is_paid(world):
    """Correcting the per-enterprise cap into 就高不重复 lifts the cap on E1's district money."""
    world.review_city()
    state = _state(world)
    li = world.users["li"]
    [cap] = [i for i in state.items["stacking"] if i.machine["rule"] == "cap_per_enterprise"]
    task = state.items["tasks"][0]
    with world.session() as s:
        corrected = service.correct(
            s,
            li,
            "tasks",
            state.version.id,
            task.index,
            {"responsible": ["市工业和信息化局"], "reason": "财政局不是责任单位"},
        )
        assert corrected.reading["responsible"] == ["市工业和信息化局"] and corrected.status == "corrected"
    world.publish(world.city)
    world.run()
    assert world.entitlement(world.E1, "小巨人").amount_wan == 45.0  # 区 half cut to the cap
    with world.session() as s:
        service.correct(
            s,
            li,
            "stacking",
            state.version.id,
            cap.index,
            {"rule": "highest_only", "reason": "原文是就高不重复"},
        )
    world.publish(world.city)
    world.run()
    assert world.entitlement(world.E1, "小巨人").amount_wan == 50.0
