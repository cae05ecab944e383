"""Incentives of the seed documents compiled into rules: the cases a reviewer caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from huiqi.extract.pipeline import extract_file
from huiqi.registry.codes import code_for_place
from huiqi.rules.compile import compile_document
from huiqi.rules.model import MODE_APPLY

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def compiled(name: str):
    path = next(SEEDS.glob(f"{name}_*.txt"))
    return compile_document(1, extract_file(path).model_dump(mode="json"), code_for_place)


@pytest.fixture(scope="module")
def weifang():
    return compiled("001")


@pytest.fixture(scope="module")
def binzhou():
    return compiled("004")


@pytest.fixture(scope="module")
def licheng():
    return compiled("002")


def test_each_kind_keeps_its_own_level(weifang):
    rules, _ = weifang
    [design] = [r for r in rules if "工业设计研究院" in r.fact_kinds]
    assert dict(zip(design.fact_kinds, design.kind_levels, strict=True)) == {
        "工业设计研究院": "省级",
        "工业设计中心": "市级",
    }


def test_a_clause_naming_one_year_counts_only_that_year(binzhou):
    rules, _ = binzhou
    cars = [r for r in rules if r.fact_kinds == ("新能源汽车推广",)]
    assert {r.year_only for r in cars} == {2022}
    assert all(r.mode == MODE_APPLY for r in cars)  # 符合条件的… needs checking


def test_a_list_of_titles_in_an_unrelated_sentence_is_not_a_reward(binzhou):
    rules, leftovers = binzhou
    assert not [r for r in rules if "进口" in r.subject]
    assert [u for u in leftovers if "进口" in u.subject]


def test_lead_roles_the_registry_cannot_check_need_an_application(weifang, licheng):
    lead = [r for r in weifang[0] if r.subject.startswith("主导制(修)订")]
    assert len(lead) == 3 and all(r.mode == MODE_APPLY and "主导" in r.open_conditions for r in lead)
    [first_drafter] = [r for r in licheng[0] if "第一起草单位" in r.subject]
    assert first_drafter.mode == MODE_APPLY
    plain = [r for r in licheng[0] if r.subject == "参与制定国家标准的企业"]
    assert plain and plain[0].open_conditions is None


def test_joint_development_is_an_open_condition(licheng):
    [joint] = [r for r in licheng[0] if r.subject.startswith("企业与科研院所共同研发")]
    assert joint.open_conditions and joint.mode == MODE_APPLY


def test_a_draft_compiles_nothing():
    rules, leftovers = compiled("003")
    assert rules == [] and leftovers and all("征求意见稿" in u.reason for u in leftovers)


def test_an_undated_document_needs_its_facts_checked(weifang):
    rules, _ = weifang
    assert all(r.starts is None for r in rules) and all(r.mode == MODE_APPLY for r in rules)
    assert "未载明施行日期" in rules[0].describe_amount()
