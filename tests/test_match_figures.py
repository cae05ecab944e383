"""The measure table the matcher reads conditions on figures from (match/figures.py), worked by
hand on two enterprises: what each row says, and which rows the trigger filter may leave out."""

from __future__ import annotations

import polars as pl
import pytest

from huiqi.match.figures import may_hold, measure_frame
from huiqi.rules.conditions import Band
from huiqi.rules.figures import MetricTest

A, B = "91370100MA0000000A", "91370100MA0000000B"


@pytest.fixture
def table():
    figures = pl.DataFrame(
        {
            "uscc": [A, A, A, A, A, A, B, B],
            "indicator": [
                "营业收入",
                "营业收入",
                "营业收入",
                "研发投入",
                "研发投入",
                "研发投入",
                "营业收入",
                "研发投入",
            ],
            "year": [2020, 2021, 2023, 2020, 2021, 2023, 2023, 2023],
            "value": [8000.0, 12000.0, 15000.0, 400.0, 0.0, 900.0, 0.0, 10.0],
        },
        schema_overrides={"year": pl.Int32},
    )
    enterprises = pl.DataFrame(
        {"uscc": [A, B], "founded": [2015, 2023], "region_code": ["370102", "370103"]},
        schema_overrides={"founded": pl.Int32},
    )
    return measure_frame(figures, {"营业收入", "研发投入/营业收入"}, enterprises)


def _rows(frame: pl.DataFrame, measure: str) -> list[tuple]:
    return (
        frame.filter(pl.col("measure") == measure)
        .sort("uscc", "year")
        .select("uscc", "year", "value", "prev", "prev_max", "run_start", "founded")
        .rows()
    )


def test_each_year_carries_the_year_before_the_earlier_maximum_and_its_unbroken_run(table):
    assert _rows(table.frame(), "营业收入") == [
        (A, 2020, 8000.0, None, None, 2020, 2015),
        (A, 2021, 12000.0, 8000.0, 8000.0, 2020, 2015),
        (A, 2023, 15000.0, None, 12000.0, 2023, 2015),  # no 2022 figure: the run starts again
        (B, 2023, 0.0, None, None, 2023, 2023),
    ]


def test_a_ratio_has_no_figure_where_its_base_is_not_positive(table):
    # A's 2021 R&D is 0 of 12000 (a figure, 0%); B's 2023 revenue is 0, so no ratio at all
    assert _rows(table.frame(), "研发投入/营业收入") == [
        (A, 2020, 0.05, None, None, 2020, 2015),
        (A, 2021, 0.0, 0.05, 0.05, 2020, 2015),
        (A, 2023, 0.06, None, 0.05, 2023, 2015),
    ]


def test_the_trigger_filter_leaves_out_only_years_that_cannot_pass():
    growth = MetricTest("营业收入", "growth", Band(0.2, None))
    level = MetricTest("营业收入", "level", Band(10000.0, None))
    frame = pl.DataFrame(
        {"value": [12000.0, 9000.0, 12000.0, 9999.99999999], "prev": [10000.0, 8000.0, None, 9999.0]}
    )
    kept = frame.select(growth=may_hold(growth), level=may_hold(level))
    # +20% passes; +12.5% cannot; no year before: the test cannot tell, so the row stays
    assert kept["growth"].to_list() == [True, False, True, False]
    # 10000 at the engine's tolerance of 1e-9 (relative) counts as reached
    assert kept["level"].to_list() == [True, False, True, True]


def test_rows_asked_with_a_filter_are_the_rows_that_pass_it(table):
    keep = {"营业收入": may_hold(MetricTest("营业收入", "level", Band(10000.0, None)))}
    rows = table.rows({"营业收入"}, keep, region=True).collect()
    assert rows.select("uscc", "year", "region_code").sort("year").rows() == [
        (A, 2021, "370102"),
        (A, 2023, "370102"),
    ]
