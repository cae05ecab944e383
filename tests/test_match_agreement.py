"""The column-wise engine and the plain-Python reference agree on whole synthetic populations.

Hand-worked cases (test_match.py) pin the meaning; this pins the two implementations to each
other on thousands of generated facts, across seeds, as-of dates and funding years.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from huiqi.extract.pipeline import extract_file, extract_text
from huiqi.match.engine import evaluate, facts_frame
from huiqi.match.figures import annual
from huiqi.match.stacking import decide
from huiqi.registry.codes import code_for_place
from huiqi.registry.synthetic import generate
from huiqi.rules.compile import compile_document
from reference_check import engine_rows, reference_rows

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture(scope="module")
def rules():
    compiled = []
    for number, path in enumerate(sorted(SEEDS.glob("*.txt"))):
        compiled.extend(
            compile_document(number + 1, extract_file(path).model_dump(mode="json"), code_for_place)[0]
        )
    return compiled


@pytest.mark.seeds
@pytest.mark.parametrize(
    ("seed", "as_of", "year"),
    [(3, dt.date(2026, 11, 1), None), (11, dt.date(2023, 6, 30), None), (5, dt.date(2026, 1, 1), 2024)],
)
def test_engine_and_reference_give_the_same_entitlements(rules, seed, as_of, year):
    population = generate(1500, seed=seed, annual=False, monthly=False)
    enterprises = population.enterprises.select("uscc", "region_code")
    facts = facts_frame(
        population.recognitions.with_row_index("fact_id"),
        population.events.with_row_index("fact_id"),
        enterprises,
    )
    decided = decide(evaluate(enterprises, facts, rules, as_of, year), rules)
    got = engine_rows(decided)
    expected = reference_rows(enterprises, facts, rules, as_of, year)
    assert len(got) > 50  # a population this size earns plenty, even in one funding year
    assert got == expected
    assert decided.filter(pl.col("status") == "不重复享受").height > 0  # stacking was exercised


_ON_FIGURES = (
    "滨州市人民政府关于支持工业企业发展的若干措施\n滨政发〔2021〕3号\n一、做大做强\n"
    "1.对年营业收入首次突破1亿元的工业企业,奖励10万元。(责任单位:市工业和信息化局)\n"
    "2.对税收较上年增长20%以上的工业企业,奖励5万元。(责任单位:市财政局)\n"
)
_MORE_ON_FIGURES = (
    "3.对研发投入占营业收入比重达到5%的企业,奖励10万元。(责任单位:市科学技术局)\n"
    "4.对新认定的国家级专精特新“小巨人”且年营业收入达到1亿元的企业,奖励20万元。(责任单位:市工业和信息化局)\n"
)


def _with_figures(rules, n: int, seed: int, clauses: str = ""):
    """A population with annual figures, and the seed rules plus a document of conditions on
    figures: (enterprises with founded, facts, figures, rules)."""
    population = generate(n, seed=seed, annual=True, monthly=False)
    enterprises = population.enterprises.select(
        "uscc", "region_code", founded=pl.col("established_on").dt.year().cast(pl.Int32)
    )
    facts = facts_frame(
        population.recognitions.with_row_index("fact_id"),
        population.events.with_row_index("fact_id"),
        enterprises.select("uscc", "region_code"),
    )
    text = _ON_FIGURES + clauses + "滨州市人民政府\n2021年1月1日\n"
    on_figures = extract_text(text).model_dump(mode="json")
    return (
        enterprises,
        facts,
        annual(population.metrics),
        [*rules, *compile_document(99, on_figures, code_for_place)[0]],
    )


@pytest.mark.seeds
def test_the_loop_that_looks_rules_up_by_kind_decides_as_the_plain_loop(rules):
    """bench/match.py times both loops as baselines: they must be the same computation."""
    enterprises, facts, figures, everything = _with_figures(rules, 600, 7)
    as_of = dt.date(2026, 11, 1)
    plain = reference_rows(enterprises, facts, everything, as_of, None, figures)
    indexed = reference_rows(enterprises, facts, everything, as_of, None, figures, indexed=True)
    assert len(plain) > 50 and any(str(row[2]).startswith("m:") for row in plain)
    assert indexed == plain


@pytest.mark.seeds
def test_the_duckdb_baseline_decides_as_the_engine(rules):
    """bench/match.py also times the match written as one DuckDB query (bench/match_sql.py); a
    baseline only counts if it computes the same thing, conditions on figures included."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "match_sql", Path(__file__).resolve().parents[1] / "bench" / "match_sql.py"
    )
    assert spec and spec.loader
    match_sql = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(match_sql)
    from huiqi.match.engine import needed_measures
    from huiqi.match.figures import measure_frame

    enterprises, facts, figures, everything = _with_figures(rules, 1500, 4, _MORE_ON_FIGURES)
    assert sum(bool(r.tests) for r in everything) == 4
    as_of = dt.date(2026, 11, 1)
    measures = measure_frame(figures, needed_measures(everything), enterprises)
    decided = decide(evaluate(enterprises, facts, everything, as_of, None, measures), everything)
    same, how = match_sql.same_decisions(
        decided, match_sql.match(enterprises, facts, figures, everything, as_of)
    )
    assert decided.filter(pl.col("table") == "metric").height > 20
    assert same, how
