"""Matching, worked by hand on the seed documents (read from ../shared/seeds).

Each case builds a tiny registry as Polars frames, compiles the seed documents into rules and
checks what the column-wise engine pays, and that the plain-Python reference agrees.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from stdnum.cn import uscc as uscc_lib

from huiqi.extract.pipeline import extract_file, extract_text
from huiqi.match.engine import facts_frame
from huiqi.match.reference import Fact
from huiqi.match.service import match_frames
from huiqi.match.stacking import PAID, SUPPRESSED
from huiqi.registry.codes import code_for_place
from huiqi.rules.compile import compile_document
from huiqi.rules.model import MODE_APPLY, MODE_AUTO, Rule
from reference_check import engine_rows, reference_rows

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
WEIFANG_KUIWEN = "370705"
JINAN_LIXIA = "370102"
LICHENG = "350502"
AS_OF = dt.date(2026, 11, 1)


def make_uscc(region: str, serial: int) -> str:
    body = f"91{region}{serial:09d}"[:17]
    return body + uscc_lib.calc_check_digit(body)


def seed_rules(*names: str) -> list[Rule]:
    rules: list[Rule] = []
    for number, name in enumerate(names):
        path = next(SEEDS.glob(f"{name}_*.txt"))
        doc = extract_file(path).model_dump(mode="json")
        rules.extend(compile_document(number + 1, doc, code_for_place)[0])
    return rules


@pytest.fixture(scope="module")
def rules() -> list[Rule]:
    return seed_rules("000", "001", "002")


def registry(*firms: tuple[str, str], recognitions=(), events=()) -> tuple[pl.DataFrame, pl.DataFrame]:
    enterprises = pl.DataFrame(
        {"uscc": [u for u, _ in firms], "region_code": [r for _, r in firms], "name": [u for u, _ in firms]}
    )
    rec = pl.DataFrame(
        [
            {"fact_id": i, "uscc": u, "kind": k, "level": lv, "granted_on": d, "review": rv}
            for i, (u, k, lv, d, rv) in enumerate(recognitions)
        ],
        schema={
            "fact_id": pl.Int64,
            "uscc": pl.String,
            "kind": pl.String,
            "level": pl.String,
            "granted_on": pl.Date,
            "review": pl.Boolean,
        },
    )
    ev = pl.DataFrame(
        [
            {
                "fact_id": i,
                "uscc": u,
                "kind": k,
                "level": lv,
                "occurred_on": d,
                "amount_wan": a,
                "quantity": q,
            }
            for i, (u, k, lv, d, a, q) in enumerate(events)
        ],
        schema={
            "fact_id": pl.Int64,
            "uscc": pl.String,
            "kind": pl.String,
            "level": pl.String,
            "occurred_on": pl.Date,
            "amount_wan": pl.Float64,
            "quantity": pl.Float64,
        },
    )
    return enterprises, facts_frame(rec, ev)


def agree_with_reference(enterprises, facts, rules, frame, year=None) -> None:
    """The plain-Python loop finds exactly the same entitlements, amounts and statuses."""
    assert engine_rows(frame) == reference_rows(enterprises, facts, rules, AS_OF, year)


def test_weifang_little_giant_gets_up_to_80_and_jinan_does_not(rules):
    weifang, jinan = make_uscc(WEIFANG_KUIWEN, 1), make_uscc(JINAN_LIXIA, 2)
    day = dt.date(2024, 7, 15)
    enterprises, facts = registry(
        (weifang, WEIFANG_KUIWEN),
        (jinan, JINAN_LIXIA),
        recognitions=[
            (weifang, "专精特新小巨人", "国家级", day, False),
            (jinan, "专精特新小巨人", "国家级", day, False),
        ],
    )
    frame = match_frames(enterprises, facts, rules, AS_OF)
    giant = frame.filter(pl.col("subject").str.contains("小巨人"))
    assert giant["uscc"].to_list() == [weifang]
    row = giant.row(0, named=True)
    # up to 80: a ceiling, not money owed, so it is cap_wan and never added to exact amounts
    assert (row["amount_wan"], row["cap_wan"], row["formula"]) == (None, 80.0, "max")
    assert row["mode"] == MODE_APPLY  # 最高 80万: the amount is decided on application
    assert row["year"] == 2024 and row["status"] == PAID
    assert row["payers"] == [{"payer": "市级", "share": 1.0}]
    assert "专精特新小巨人" in row["reason"] and "最高80万元" in row["reason"]
    assert frame.filter(pl.col("uscc") == jinan).is_empty()
    agree_with_reference(enterprises, facts, rules, frame)


def test_recognition_after_001_expired_gets_nothing_under_it(rules):
    firm = make_uscc(WEIFANG_KUIWEN, 3)
    enterprises, facts = registry(
        (firm, WEIFANG_KUIWEN),
        recognitions=[
            (firm, "专精特新小巨人", "国家级", dt.date(2026, 3, 1), False),
            (firm, "制造业单项冠军", "省级", dt.date(2025, 12, 31), False),
        ],
    )
    frame = match_frames(enterprises, facts, rules, AS_OF)
    assert frame["subject"].to_list() == ["新认定为省级制造业单项冠军的企业"]  # the last day still counts
    agree_with_reference(enterprises, facts, rules, frame)


def test_review_rows_pay_the_review_amount_not_the_first_grant(rules):
    firm = make_uscc(WEIFANG_KUIWEN, 4)
    enterprises, facts = registry(
        (firm, WEIFANG_KUIWEN),
        recognitions=[(firm, "制造业单项冠军", "国家级", dt.date(2023, 5, 1), True)],
    )
    frame = match_frames(enterprises, facts, rules, AS_OF)
    assert frame.select("subject", "amount_wan", "cap_wan").rows() == [
        ("通过国家级制造业单项冠军动态复核的企业", None, 20.0)  # 最高20万: a ceiling
    ]


def test_licheng_purchase_of_30_units_is_paid_at_the_11_to_50_tier_capped(rules):
    firm = make_uscc(LICHENG, 5)
    small = make_uscc(LICHENG, 6)
    enterprises, facts = registry(
        (firm, LICHENG),
        (small, LICHENG),
        events=[
            (firm, "数控一代产品采购", None, dt.date(2020, 4, 1), 2500.0, 30),
            (small, "数控一代产品采购", None, dt.date(2020, 4, 1), 80.0, 30),
        ],
    )
    growth = tax(*[(u, y, v) for u in (firm, small) for y, v in ((2019, 100.0), (2020, 2000.0))])
    frame = match_frames(enterprises, facts, rules, AS_OF, tax=growth).sort("uscc")
    by_firm = {r["uscc"]: r for r in frame.iter_rows(named=True)}
    assert by_firm[firm]["amount_wan"] == 300.0  # 2500 × 15% = 375, capped at 300
    assert by_firm[small]["amount_wan"] == pytest.approx(12.0)  # 80 × 15%
    assert "11~50" in by_firm[firm]["reason"]
    # 002 prints no date, so whether a fact falls inside its validity needs checking
    assert by_firm[firm]["mode"] == MODE_APPLY and "未载明施行日期" in by_firm[firm]["reason"]
    assert by_firm[firm]["payers"] == [{"payer": "市级", "share": 0.3}, {"payer": "区级", "share": 0.7}]
    agree_with_reference(enterprises, facts, rules, frame)


def test_licheng_purchase_of_8_units_is_paid_at_the_first_tier_without_cap(rules):
    firm = make_uscc(LICHENG, 7)
    enterprises, facts = registry(
        (firm, LICHENG), events=[(firm, "数控一代产品采购", None, dt.date(2021, 4, 1), 2000.0, 8)]
    )
    frame = match_frames(enterprises, facts, rules, AS_OF)
    assert frame["amount_wan"].to_list() == [pytest.approx(400.0)]  # 20%, no cap in the first tier


def test_city_and_district_shares_of_one_grant_stack(rules):
    firm = make_uscc(LICHENG, 8)
    enterprises, facts = registry(
        (firm, LICHENG), recognitions=[(firm, "工业设计中心", "国家级", dt.date(2020, 9, 1), False)]
    )
    frame = match_frames(enterprises, facts, rules, AS_OF)
    paid = frame.filter(pl.col("status") == PAID)
    assert sorted(paid["amount_wan"].to_list()) == [50.0, 50.0]  # 市政府 50 + 我区配套 50
    assert sorted(p[0]["payer"] for p in paid["payers"].to_list()) == ["区级", "市级"]


JINAN_LATER = """济南市人民政府关于支持老字号企业发展的若干措施
济政发〔2021〕3号
各区县人民政府:
为支持老字号企业发展,制定以下措施。
一、支持品牌传承
1.支持老字号。对新获得“中华老字号”认定的工业企业,给予20万元一次性奖励。(责任单位:市商务局)
济南市人民政府
2021年2月1日
"""


def test_two_documents_paying_for_the_same_achievement_pay_only_the_higher(rules, tmp_path):
    later = compile_document(9, extract_text(JINAN_LATER).model_dump(mode="json"), code_for_place)[0]
    both = [*rules, *later]
    firm = make_uscc(JINAN_LIXIA, 9)
    enterprises, facts = registry(
        (firm, JINAN_LIXIA), recognitions=[(firm, "老字号", "国家级", dt.date(2022, 6, 1), False)]
    )
    frame = match_frames(enterprises, facts, both, AS_OF)
    assert frame.height == 2
    paid = frame.filter(pl.col("status") == PAID).row(0, named=True)
    lost = frame.filter(pl.col("status") == SUPPRESSED).row(0, named=True)
    assert paid["amount_wan"] == 20.0 and "支持老字号企业" in paid["document"]
    assert lost["amount_wan"] == 10.0 and "就高不重复" in lost["reason"] and "享受20万元" in lost["reason"]
    agree_with_reference(enterprises, facts, both, frame)


def test_a_later_document_that_replaces_earlier_ones_wins_even_when_lower(rules):
    text = JINAN_LATER.replace("20万元", "5万元").replace(
        "济南市人民政府\n2021", "原有政策规定与本措施不一致的,以本措施为准。\n济南市人民政府\n2021"
    )
    later = compile_document(9, extract_text(text).model_dump(mode="json"), code_for_place)[0]
    assert later and later[0].supersedes
    both = [*rules, *later]
    firm = make_uscc(JINAN_LIXIA, 10)
    enterprises, facts = registry(
        (firm, JINAN_LIXIA), recognitions=[(firm, "老字号", "国家级", dt.date(2022, 6, 1), False)]
    )
    frame = match_frames(enterprises, facts, both, AS_OF)
    paid = frame.filter(pl.col("status") == PAID)
    assert paid["amount_wan"].to_list() == [5.0]
    assert "为准" in frame.filter(pl.col("status") == SUPPRESSED)["reason"][0]
    agree_with_reference(enterprises, facts, both, frame)


def test_previous_year_rules_pay_in_the_following_year(rules):
    firm = make_uscc(JINAN_LIXIA, 11)
    enterprises, facts = registry(
        (firm, JINAN_LIXIA), recognitions=[(firm, "4A级旅游景区", "国家级", dt.date(2023, 10, 1), False)]
    )
    frame = match_frames(enterprises, facts, rules, AS_OF)
    assert frame.select("year", "amount_wan").rows() == [(2024, 50.0)]
    assert match_frames(enterprises, facts, rules, AS_OF, year=2023).is_empty()
    assert match_frames(enterprises, facts, rules, AS_OF, year=2024).height == 1


def test_ratio_on_an_event_amount_and_its_cap(rules):
    firm = make_uscc(WEIFANG_KUIWEN, 12)
    enterprises, facts = registry(
        (firm, WEIFANG_KUIWEN),
        events=[
            (firm, "设备购置", None, dt.date(2023, 3, 1), 1200.0, None),
            (firm, "设备购置", None, dt.date(2024, 3, 1), 9000.0, None),
        ],
    )
    frame = match_frames(enterprises, facts, rules, AS_OF).sort("year")
    # 不高于10%: a ceiling decided on application, never money owed
    assert frame["amount_wan"].to_list() == [None, None]
    assert frame["cap_wan"].to_list() == [pytest.approx(120.0), 500.0]
    assert set(frame["mode"]) == {MODE_APPLY}


def test_facts_after_as_of_do_not_count(rules):
    firm = make_uscc(WEIFANG_KUIWEN, 13)
    enterprises, facts = registry(
        (firm, WEIFANG_KUIWEN), recognitions=[(firm, "专精特新小巨人", "国家级", dt.date(2024, 7, 1), False)]
    )
    assert match_frames(enterprises, facts, rules, dt.date(2024, 6, 30)).is_empty()


def test_a_rate_without_a_known_base_is_left_to_be_decided_and_ranks_by_its_cap(rules):
    firm = make_uscc(LICHENG, 14)
    enterprises, facts = registry(
        (firm, LICHENG), recognitions=[(firm, "智能工厂", "省级", dt.date(2022, 8, 8), False)]
    )
    frame = match_frames(enterprises, facts, rules, AS_OF)
    undecided = frame.filter(pl.col("formula") == "ratio").row(0, named=True)
    assert undecided["amount_wan"] is None and undecided["cap_wan"] == 500.0
    assert "研发和建设总投入" in undecided["reason"] and undecided["mode"] == MODE_APPLY
    # 就高不重复 compares what the enterprise could get: up to 500 beats at most 100
    assert undecided["status"] == PAID
    lost = frame.filter(pl.col("status") == SUPPRESSED).row(0, named=True)
    assert (lost["formula"], lost["cap_wan"]) == ("max", 100.0) and "或其上限" in lost["reason"]
    agree_with_reference(enterprises, facts, rules, frame)


def test_a_dated_document_pays_exact_amounts_without_application():
    path = next(SEEDS.glob("002_*.txt"))
    doc = extract_file(path).model_dump(mode="json")
    doc["document"]["issued_on"] = "2016-07-29"  # as an officer would correct it
    dated = compile_document(3, doc, code_for_place)[0]
    firm = make_uscc(LICHENG, 19)
    enterprises, facts = registry(
        (firm, LICHENG), events=[(firm, "数控一代产品采购", None, dt.date(2020, 4, 1), 2500.0, 30)]
    )
    growth = tax((firm, 2019, 100.0), (firm, 2020, 2000.0))
    row = match_frames(enterprises, facts, dated, AS_OF, tax=growth).row(0, named=True)
    assert (row["amount_wan"], row["mode"]) == (300.0, MODE_AUTO)
    before = registry(
        (firm, LICHENG), events=[(firm, "数控一代产品采购", None, dt.date(2015, 4, 1), 2500.0, 30)]
    )
    assert match_frames(*before, dated, AS_OF, tax=growth).is_empty()  # before the document existed


def tax(*rows: tuple[str, int, float]) -> pl.DataFrame:
    from huiqi.match.caps import new_tax

    return new_tax(
        pl.DataFrame(
            [{"uscc": u, "period": str(y), "indicator": "税收", "value": v} for u, y, v in rows],
            schema={"uscc": pl.String, "period": pl.String, "indicator": pl.String, "value": pl.Float64},
        )
    )


def test_district_shares_under_002_are_capped_by_new_tax(rules, monkeypatch):
    monkeypatch.setattr("huiqi.match.caps.RETENTION_DEFAULT", 0.5)
    firm = make_uscc(LICHENG, 15)
    enterprises, facts = registry(
        (firm, LICHENG),
        recognitions=[
            (firm, "工业设计中心", "国家级", dt.date(2020, 9, 1), False),
            (firm, "服务型制造示范", "市级", dt.date(2020, 10, 1), False),
        ],
    )
    # new tax 2020: 140 - 100 = 40 → district keeps 20; district shares asked: 50 + 5 = 55
    frame = match_frames(enterprises, facts, rules, AS_OF, tax=tax((firm, 2019, 100.0), (firm, 2020, 140.0)))
    paid = frame.filter(pl.col("status") == PAID)
    district = paid.filter(pl.col("payers").list.first().struct.field("payer") == "区级")
    city = paid.filter(pl.col("payers").list.first().struct.field("payer") == "市级")
    assert district["amount_wan"].sum() == pytest.approx(20.0)
    assert sorted(city["amount_wan"].to_list()) == [20.0, 50.0]  # city money is never capped
    assert all("核减" in r for r in district["reason"])


def test_without_tax_figures_the_capped_shares_need_an_application(rules):
    firm = make_uscc(LICHENG, 16)
    enterprises, facts = registry(
        (firm, LICHENG), recognitions=[(firm, "工业设计中心", "国家级", dt.date(2020, 9, 1), False)]
    )
    frame = match_frames(enterprises, facts, rules, AS_OF)
    district = frame.filter(pl.col("payers").list.first().struct.field("payer") == "区级").row(0, named=True)
    assert (
        district["amount_wan"] == 50.0 and district["mode"] == MODE_APPLY and "待核定" in district["reason"]
    )


def test_nearest_misses_name_the_missing_condition(rules):
    from huiqi.match.report import nearest_misses

    held = [Fact(1, "recognition", "制造业单项冠军", "省级", dt.date(2024, 3, 1), False, None, None)]
    matched = {i for i, r in enumerate(rules) if r.subject == "新认定为省级制造业单项冠军的企业"}
    misses = nearest_misses(WEIFANG_KUIWEN, held, rules, dt.date(2024, 12, 31), None, matched)
    first = {m["subject"]: m["missing"] for m in misses if m["rank"] == 1}
    assert first["新认定为国家级制造业单项冠军的企业"] == "需国家级制造业单项冠军,现有省级"
    assert first["通过省级制造业单项冠军动态复核的企业"] == "需动态复核通过"
    assert misses[0]["rank"] == 1  # what it nearly has comes before what it lacks altogether
    lacking = [m for m in misses if m["rank"] == 2]
    assert any(m["missing"].startswith("缺少") and "小巨人" in m["missing"] for m in lacking)
    assert all("济南" not in m["document"] for m in misses)  # only rules where the firm is


def test_a_capped_mixed_grant_keeps_the_city_share_and_reports_payer_money(rules):
    from huiqi.match.report import records

    firm = make_uscc(LICHENG, 18)
    enterprises, facts = registry(
        (firm, LICHENG),
        events=[
            (firm, "数控一代产品采购", None, dt.date(2021, 9, 29), 200.0, 30),
            (firm, "专利授权", None, dt.date(2021, 5, 29), None, 1),
        ],
    )
    no_growth = tax((firm, 2020, 100.0), (firm, 2021, 90.0))  # new tax below zero: the cap is 0
    frame = match_frames(enterprises, facts, rules, AS_OF, tax=no_growth)
    [purchase] = [r for r in records(frame) if "数控一代" in r["fact"]]
    assert purchase["amount_wan"] == pytest.approx(9.0)  # 200 × 15% = 30, of which 市级 30% stays
    assert purchase["payers"] == [
        {"payer": "市级", "share": 0.3, "amount_wan": 9.0, "cap_wan": None},
        {"payer": "区级", "share": 0.7, "amount_wan": 0.0, "cap_wan": None},
    ]
    patent = frame.filter(pl.col("fact").str.contains("专利授权")).row(0, named=True)
    assert patent["status"] == "已达上限" and patent["amount_wan"] == 0.0  # all-district money, cap 0
    assert not [r for r in records(frame) if "专利授权" in r["fact"]]


def test_a_near_miss_says_which_band_the_fact_falls_outside(rules):
    from huiqi.match.report import nearest_misses

    held = [Fact(3, "event", "数控一代产品采购", None, dt.date(2021, 4, 1), False, 900.0, 31.0)]
    matched = {i for i, r in enumerate(rules) if r.quantity and r.quantity.holds(31.0)}
    misses = {m["subject"]: m["missing"] for m in nearest_misses(LICHENG, held, rules, AS_OF, None, matched)}
    assert (
        misses["购买数量为51~100台(套)的视同省级技术改造重点项目"]
        == "2021-04-01的数控一代产品采购数量31.0不在51~100台套"
    )
