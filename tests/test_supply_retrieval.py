"""供需对接 against the hand-judged retrieval set in ``tests/data/supply_retrieval`` (see its
README): 50 demands over 168 products with near misses, and 20 held-out demands written after
the matcher was tuned. Run on SQLite and PostgreSQL; the figures are in docs/catalog.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from huiqi.catalog.evaluation import evaluate, load_set

SET = Path(__file__).parent / "data" / "supply_retrieval"


@pytest.fixture
def judged(engine, tmp_path):
    return load_set(engine, SET, tmp_path / "set")


def test_the_set_is_large_enough_and_every_judged_product_exists(judged):
    assert len(judged["main"]) >= 40 and len(judged["heldout"]) >= 20
    products = {line.split(",")[0] for line in (SET / "products.csv").read_text("utf-8").splitlines()[1:]}
    assert all(no in products for part in judged.values() for grades in part.values() for no in grades)


def test_the_top_match_is_relevant_for_nine_demands_in_ten(engine, judged):
    result = evaluate(engine, judged["main"])
    assert result.precision_at_1 >= 0.9, result.misses
    assert result.mrr >= 0.9


def test_the_held_out_demands_do_not_fall_far_behind(engine, judged):
    result = evaluate(engine, judged["heldout"])
    assert result.precision_at_1 >= 0.85, result.misses
