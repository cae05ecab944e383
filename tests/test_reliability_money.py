"""Money that must not be paid twice or wrongly: a repeated sentence, a one-year plan, ceilings
kept apart from money owed, one rounding everywhere."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
import pytest
from openpyxl import load_workbook
from rich.console import Console

from huiqi.extract.pipeline import extract_text
from huiqi.match.report import explain, records, summarise, write_xlsx
from huiqi.match.service import match_frames
from huiqi.money import format_wan, round_wan, split, sum_wan_expr
from huiqi.registry.codes import code_for_place
from huiqi.rules.compile import compile_document
from huiqi.rules.model import MODE_APPLY, MODE_AUTO
from test_match import make_uscc, registry

JINAN = "370102"
GIANT = "对新认定的国家级专精特新“小巨人”企业,给予50万元一次性奖励。"


def document(*measures: str, title: str = "济南市人民政府关于支持制造业发展的若干措施") -> dict:
    body = "\n".join(f"{n}.{m}(责任单位:市工业和信息化局、市财政局)" for n, m in enumerate(measures, start=1))
    text = (
        f"{title}\n济政发〔2024〕5号\n各区县人民政府,市政府各部门:\n为支持制造业发展,制定以下措施。\n"
        f"一、加大支持力度\n{body}\n济南市人民政府\n2021年3月1日\n"
    )
    return extract_text(text).model_dump(mode="json")


def one_firm(recognitions=(), events=()):
    firm = make_uscc(JINAN, 51)
    return firm, registry((firm, JINAN), recognitions=recognitions, events=events)


def test_a_sentence_repeated_in_one_document_pays_once():
    doc = document("支持企业做强。" + GIANT, "强化政策兑现。" + GIANT)
    assert len(doc["incentives"]) == 2  # read twice, as written
    rules, left = compile_document(1, doc, code_for_place)
    assert len(rules) == 1 and "只计一次" in left[0].reason
    firm, (enterprises, facts) = one_firm(
        recognitions=[(None, "专精特新小巨人", "国家级", dt.date(2022, 5, 1), False)]
    )
    facts = facts.with_columns(uscc=pl.lit(firm))
    frame = match_frames(enterprises, facts, rules, dt.date(2024, 1, 1))
    assert frame.filter(pl.col("status") == "享受")["amount_wan"].to_list() == [50.0]


def plan(**horizon) -> dict:
    doc = document(GIANT, title="济南市2022年工业稳增长行动方案")
    doc["document"]["expires_on"] = None
    doc["document"].update(horizon)
    return doc


def test_a_one_year_plan_does_not_pay_a_later_fact():
    rules, _ = compile_document(
        1, plan(plan=True, horizon_start="2022-01-01", horizon_end="2022-12-31"), code_for_place
    )
    firm, (enterprises, facts) = one_firm(
        recognitions=[
            (None, "专精特新小巨人", "国家级", dt.date(2022, 7, 1), False),
            (None, "专精特新小巨人", "国家级", dt.date(2025, 7, 1), True),
        ]
    )
    later = facts.with_columns(uscc=pl.lit(firm), review=pl.lit(False))
    frame = match_frames(enterprises, later, rules, dt.date(2026, 1, 1))
    assert frame["date"].to_list() == [dt.date(2022, 7, 1)]
    assert frame["mode"].to_list() == [MODE_AUTO]


def test_a_plan_with_no_horizon_pays_only_on_application():
    rules, _ = compile_document(1, plan(plan=True, horizon_start=None, horizon_end=None), code_for_place)
    firm, (enterprises, facts) = one_firm(
        recognitions=[(None, "专精特新小巨人", "国家级", dt.date(2025, 7, 1), False)]
    )
    frame = match_frames(enterprises, facts.with_columns(uscc=pl.lit(firm)), rules, dt.date(2026, 1, 1))
    [row] = frame.iter_rows(named=True)
    assert row["mode"] == MODE_APPLY and "未载明实施期限" in row["reason"]


def test_ceilings_are_never_added_to_money_owed():
    doc = document(
        GIANT,
        "对新认定的省级企业技术中心,给予最高30万元奖励。",
        "对企业实施技术改造新增设备的,按设备购置款的10%给予补助。",
    )
    rules, _ = compile_document(1, doc, code_for_place)
    firm, (enterprises, facts) = one_firm(
        recognitions=[
            (None, "专精特新小巨人", "国家级", dt.date(2022, 5, 1), False),
            (None, "企业技术中心", "省级", dt.date(2022, 6, 1), False),
        ],
        events=[(None, "设备购置", None, dt.date(2022, 8, 1), 33.45, None)],
    )
    facts = facts.with_columns(uscc=pl.lit(firm))
    frame = match_frames(enterprises, facts, rules, dt.date(2024, 1, 1))
    by_subject = {r["subject"][:8]: r for r in records(frame)}
    centre = next(r for r in by_subject.values() if "技术中心" in r["subject"])
    assert (centre["amount_wan"], centre["cap_wan"]) == (None, 30.0)
    out = io.StringIO()
    explain(firm, "甲", JINAN, [], frame, rules, dt.date(2024, 1, 1), None, Console(file=out, width=300))
    text = out.getvalue()
    assert "确定金额合计 53.345 万元" in text and "上限 30 万元以审核为准" in text
    out = io.StringIO()
    summarise(frame, enterprises, Console(file=out, width=300))
    assert "上限另计 30 万元" in out.getvalue()


def test_money_is_rounded_once_and_reads_the_same_everywhere(tmp_path):
    doc = document("对企业实施技术改造新增设备的,按设备购置款的10%给予补助。")
    rules, _ = compile_document(1, doc, code_for_place)
    firm, (enterprises, facts) = one_firm(events=[(None, "设备购置", None, dt.date(2022, 8, 1), 33.45, None)])
    frame = match_frames(enterprises, facts.with_columns(uscc=pl.lit(firm)), rules, dt.date(2024, 1, 1))
    [row] = records(frame)
    assert row["amount_wan"] == 3.345 and row["payers"][0]["amount_wan"] == 3.345
    sheet = load_workbook(write_xlsx(frame, tmp_path / "x.xlsx"))["应享清单"]
    header, values = (list(r) for r in sheet.iter_rows(max_row=2, values_only=True))
    assert values[header.index("金额(万元)")] == 3.345
    assert "3.345万元" in values[header.index("资金承担")]
    assert "33.45万元" in row["reason"]


@pytest.mark.parametrize(("value", "text"), [(3.345, "3.345"), (2.00005, "2.0001"), (1234.5, "1,234.5")])
def test_one_rounding_rule(value, text):
    assert format_wan(round_wan(value)) == text


def test_payer_shares_add_up_to_the_amount():
    parts = split(10.0, [0.3, 0.3, 0.4])
    assert sum(parts) == pytest.approx(10.0, abs=1e-12) and parts == [3.0, 3.0, 4.0]
    thirds = split(1.0, [1, 1, 1])
    assert round(sum(thirds), 4) == 1.0 and sorted(thirds) == [0.3333, 0.3333, 0.3334]


def test_seed_004_a_one_year_plan_pays_nothing_for_a_later_listing():
    from pathlib import Path

    from huiqi.extract.pipeline import extract_file

    seed = next((Path(__file__).resolve().parents[2] / "shared" / "seeds").glob("004_*.txt"))
    rules, _ = compile_document(4, extract_file(seed).model_dump(mode="json"), code_for_place)
    listing = [r for r in rules if r.table == "event" and "上市" in r.fact_kinds]
    assert listing and all(r.ends == dt.date(2022, 12, 31) for r in listing)
    firm = make_uscc("371602", 7)  # 滨州市滨城区
    enterprises, facts = registry(
        (firm, "371602"), events=[(firm, "上市", None, dt.date(2025, 3, 1), 50000.0, None)]
    )
    assert match_frames(enterprises, facts, rules, dt.date(2026, 1, 1)).is_empty()


LIMITED = "每家企业每年累计享受本政策奖励不超过300万元。"


def test_a_fixed_per_enterprise_limit_pays_by_its_own_amount():
    doc = document(
        "对新认定的国家级专精特新“小巨人”企业,给予100万元奖励。",
        "对新认定的国家级制造业单项冠军企业,给予100万元奖励。",
        "对新认定的国家级企业技术中心,给予100万元奖励。",
        "对新认定的国家级工业设计中心,给予100万元奖励。" + LIMITED,
    )
    [limit] = [s for s in doc["stacking"] if s["rule"] == "cap_per_enterprise"]
    assert (limit["limit_wan"], limit["basis"], limit["period"]) == (300.0, "fixed", "year")
    rules, _ = compile_document(1, doc, code_for_place)
    day = dt.date(2023, 5, 1)
    one, (enterprises, facts) = one_firm(recognitions=[(None, "专精特新小巨人", "国家级", day, False)])
    frame = match_frames(enterprises, facts.with_columns(uscc=pl.lit(one)), rules, dt.date(2024, 1, 1))
    assert frame["amount_wan"].to_list() == [100.0]  # one grant: its own 100, no tax in sight
    four = [
        (None, "专精特新小巨人", "国家级", day, False),
        (None, "制造业单项冠军", "国家级", day, False),
        (None, "企业技术中心", "国家级", day, False),
        (None, "工业设计中心", "国家级", day, False),
    ]
    firm, (enterprises, facts) = one_firm(recognitions=four)
    frame = match_frames(enterprises, facts.with_columns(uscc=pl.lit(firm)), rules, dt.date(2024, 1, 1))
    assert frame["amount_wan"].sum() == pytest.approx(300.0)
    assert frame["amount_wan"].to_list() == [75.0] * 4 and all("按比例核减" in r for r in frame["reason"])


def test_articles_that_exclude_each_other_pay_the_better_one():
    doc = document(
        "对新认定的国家级专精特新“小巨人”企业,给予50万元奖励。",
        "对新认定的国家级制造业单项冠军企业,给予80万元奖励。",
        "对新认定的国家级企业技术中心,给予30万元奖励。企业不得同时享受本措施第1条和第2条。",
    )
    [rule] = [s for s in doc["stacking"] if s["rule"] == "exclusive"]
    assert rule["sections"] == ["1", "2"]
    rules, _ = compile_document(1, doc, code_for_place)
    day = dt.date(2023, 5, 1)
    firm, (enterprises, facts) = one_firm(
        recognitions=[
            (None, "专精特新小巨人", "国家级", day, False),
            (None, "制造业单项冠军", "国家级", day, False),
            (None, "企业技术中心", "国家级", day, False),
        ]
    )
    frame = match_frames(enterprises, facts.with_columns(uscc=pl.lit(firm)), rules, dt.date(2024, 1, 1))
    paid = frame.filter(pl.col("status") == "享受")
    assert sorted(paid["amount_wan"].to_list()) == [30.0, 80.0]
    [lost] = frame.filter(pl.col("status") == "不重复享受").iter_rows(named=True)
    assert lost["amount_wan"] == 50.0 and "不得同时享受" in lost["reason"]


def test_sums_of_money_do_not_depend_on_the_order_of_the_rows():
    """Floating-point sums depend on the order of their terms: these three amounts sum to a
    different last bit forwards and backwards, and a limit's factor computed from them with it.
    Threads and partitions do not keep row order, so money is summed in whole cents."""
    amounts = [24.3838, 48.8655, 16.7067]
    forwards, backwards = pl.DataFrame({"v": amounts}), pl.DataFrame({"v": amounts[::-1]})
    assert forwards["v"].sum() != backwards["v"].sum()  # the premise
    exact = [f.select(sum_wan_expr(pl.col("v")))["v"][0] for f in (forwards, backwards)]
    assert exact[0] == exact[1] == pytest.approx(89.956)


def test_amounts_rounded_in_columns_are_the_floats_python_rounds_to():
    """A rounded amount is the nearest float to its yuan, as round_wan gives, and reads so in a
    reason: 103.335, never 103.33500000000001 (a constant division done as a multiplication)."""
    from huiqi.money import format_wan_expr, round_wan, round_wan_expr

    values = [103.335, 768.79, 63.36, 0.0001, 2.00005, -12.34565, 1033.35]
    frame = pl.DataFrame({"v": values}).select(
        rounded=round_wan_expr(pl.col("v")), text=format_wan_expr(pl.col("v"))
    )
    assert frame["rounded"].to_list() == [round_wan(v) for v in values]
    assert frame["text"].to_list() == [
        "103.335",
        "768.79",
        "63.36",
        "0.0001",
        "2.0001",
        "-12.3457",
        "1033.35",
    ]
