"""Pricing readings before they are published (huiqi.review.preview), SQLite and PostgreSQL: only
the document's own rows count, nothing is stored, a changed amount moves exactly the money it
should, drafts compile as if in force over a period, and the breakdowns add up."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from huiqi.db.models import MatchRun, TrackedEntitlement
from huiqi.review import service
from huiqi.review.preview import Reading, as_if_in_force, compare, price, with_amounts
from huiqi.rules.compile import compile_document

AS_OF = dt.date(2025, 1, 15)


def _published(world):
    with world.session() as s:
        publication = service.latest_publication(s, world.city)
        return publication.reading, publication.document_version_id


def _giant(reading) -> int:
    return next(n for n, row in enumerate(reading["incentives"]) if "小巨人" in row["subject"])


def test_the_published_reading_prices_like_the_money_path_and_nothing_is_stored(paying_world):
    w = paying_world
    reading, version = _published(w)
    with w.session() as s:
        runs = s.scalar(select(func.count()).select_from(MatchRun))
        tracked = s.execute(
            select(TrackedEntitlement.uscc, TrackedEntitlement.amount_wan).where(
                TrackedEntitlement.match_status == "享受", TrackedEntitlement.amount_wan.is_not(None)
            )
        ).all()
    [outcome] = price(w.engine, [Reading("现行", reading, version, w.city)], AS_OF)
    # the same owed money per enterprise as the tracked ledger the service's match wrote
    owed: dict[str, float] = {}
    for uscc, amount in tracked:
        owed[uscc] = owed.get(uscc, 0.0) + amount
    assert outcome.total_wan == round(sum(owed.values()), 6)
    assert outcome.enterprises == len({u for u, _ in tracked} | set(outcome.per_enterprise))
    # the breakdowns add up to the whole
    assert round(sum(a + b for a, b in outcome.by_year.values()), 6) == outcome.money_wan
    assert round(sum(a + b for a, b in outcome.by_payer.values()), 6) == outcome.money_wan
    assert round(sum(outcome.by_year_payer.values()), 6) == outcome.money_wan
    with w.session() as s:
        assert s.scalar(select(func.count()).select_from(MatchRun)) == runs
    same = compare(outcome, outcome)
    assert (same.gained_count, same.lost_count, same.changed_count) == (0, 0, 0)


def test_a_changed_amount_moves_exactly_its_own_money(paying_world):
    w = paying_world
    reading, version = _published(w)
    giant = _giant(reading)
    base, new = price(
        w.engine,
        [
            Reading("现行", reading, version, w.city),
            Reading("改后", with_amounts(reading, {giant: {"amount_wan": 80.0}}), version, w.city),
        ],
        AS_OF,
    )
    result = compare(base, new)
    changed = {uscc: (before, after) for uscc, _, before, after in result.changed}
    # E2 holds only the title: 50 → 80; E3 is outside 济南 and never qualifies
    assert changed[w.E2] == (50.0, 80.0)
    assert w.E3 not in base.per_enterprise and w.E3 not in new.per_enterprise
    assert result.gained_count == result.lost_count == 0
    # the 市 half of each 小巨人 grant grows by 15; the 区 half by at most 15 (E1's tax cap)
    assert new.by_payer["市级"][0] - base.by_payer["市级"][0] == 30.0
    assert 15.0 <= new.by_payer["区级"][0] - base.by_payer["区级"][0] <= 30.0
    assert reading["incentives"][giant]["amount_wan"] == 50.0  # the reading itself is untouched


def test_a_draft_is_priced_as_if_in_force_over_the_period_given(paying_world):
    w = paying_world
    reading, _ = _published(w)
    draft = dict(
        reading, document=dict(reading["document"], title=reading["document"]["title"] + "(征求意见稿)")
    )
    rules, leftovers = compile_document(0, draft, lambda _: "370100")
    assert rules == [] and {why for *_, why in ((u.subject, u.reason) for u in leftovers)} == {
        "征求意见稿等未定稿文件,尚未生效"
    }
    in_force = as_if_in_force(draft, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert in_force["document"]["title"] == reading["document"]["title"]
    # standing in for the city's policy (its published rules leave the library for the run)
    [whole_year] = price(w.engine, [Reading("草案", in_force, 0, w.city)], AS_OF)
    assert whole_year.enterprises >= 3 and set(whole_year.by_year) == {2024}
    # facts of 2024 fall outside a period that starts in 2025: nobody qualifies
    later = as_if_in_force(draft, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    [nothing] = price(w.engine, [Reading("草案", later, 0, w.city)], AS_OF)
    assert nothing.enterprises == 0 and nothing.money_wan == 0.0
    # beside the policy in force (not standing in for it) the draft pays no fact twice:
    # 就高不重复 leaves each fact with the published document, which pays as much
    [beside] = price(w.engine, [Reading("草案", in_force, 0, None)], AS_OF)
    assert beside.enterprises == 0
