"""The match run region by region on a local Dask cluster of two worker processes equals the
single-machine match, row for row (issue: province and country scale)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import distributed
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from huiqi.extract.pipeline import extract_file, extract_text
from huiqi.match.caps import new_tax
from huiqi.match.engine import facts_frame
from huiqi.match.figures import annual
from huiqi.match.partitioned import match_partitioned, read_result, write_partitions
from huiqi.match.service import match_frames
from huiqi.registry.codes import code_for_place
from huiqi.registry.synthetic import generate
from huiqi.rules.compile import compile_document

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
ON_FIGURES = (
    "潍坊市人民政府关于支持工业企业发展的若干措施\n潍政发〔2021〕5号\n一、做大做强\n"
    "1.对年营业收入首次突破1亿元的工业企业,奖励10万元。(责任单位:市工业和信息化局)\n"
    "2.对税收较上年增长20%以上的工业企业,奖励5万元。(责任单位:市财政局)\n"
    "潍坊市人民政府\n2021年1月1日\n"
)


def _rules():
    rules = []
    for number, path in enumerate(sorted(SEEDS.glob("*.txt")), start=1):
        rules.extend(compile_document(number, extract_file(path).model_dump(mode="json"), code_for_place)[0])
    doc = extract_text(ON_FIGURES).model_dump(mode="json")
    return rules + compile_document(99, doc, code_for_place)[0]


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort("uscc", "rule", "fact_ref", "year")


@pytest.mark.seeds
def test_the_match_partitioned_by_region_on_two_workers_equals_the_single_run(tmp_path):
    rules = _rules()
    population = generate(1500, seed=4, annual=True, monthly=False)
    enterprises = population.enterprises.select(
        "uscc", "name", "region_code", founded=pl.col("established_on").dt.year().cast(pl.Int32)
    )
    facts = facts_frame(
        population.recognitions.with_row_index("fact_id"),
        population.events.with_row_index("fact_id"),
        enterprises.select("uscc", "region_code"),
    )
    figures, tax = annual(population.metrics), new_tax(population.metrics)
    as_of = dt.date(2026, 11, 1)
    single = match_frames(enterprises, facts, rules, as_of, tax=tax, figures=figures, retention=0.5)

    keys = write_partitions(tmp_path, enterprises, facts, figures, tax)
    assert len(keys) >= 3  # the synthetic registry spans several prefectures
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        paths = match_partitioned(client, tmp_path, keys, rules, as_of, retention=0.5)
    parted = read_result(paths)

    assert single.height > 100 and (single["fact_ref"].str.starts_with("m:")).any()
    # fact_key numbers a run's figure facts by position (internal); fact_ref is their identity
    same = [c for c in single.columns if c != "fact_key"]
    assert_frame_equal(_sorted(parted.select(same)), _sorted(single.select(same)))


def test_partitions_hold_each_enterprise_once_with_its_own_rows(tmp_path):
    enterprises = pl.DataFrame({"uscc": ["A", "B", "C"], "region_code": ["370102", "370702", "370103"]})
    facts = pl.DataFrame({"uscc": ["A", "B", "B", "Z"], "fact_id": [1, 2, 3, 4]})
    keys = write_partitions(tmp_path, enterprises, facts)
    assert keys == ["3701", "3707"]
    jinan = pl.read_parquet(tmp_path / "facts" / "3701.parquet")
    weifang = pl.read_parquet(tmp_path / "facts" / "3707.parquet")
    assert jinan["fact_id"].to_list() == [1] and sorted(weifang["fact_id"].to_list()) == [2, 3]
    assert pl.read_parquet(tmp_path / "enterprises" / "3701.parquet")["uscc"].to_list() == ["A", "C"]
    assert not (tmp_path / "figures").exists()  # a table not given is not written
