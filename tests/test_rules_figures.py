"""Conditions on figures, worked by hand: the clause as a city writes it, a few years of an
enterprise's annual figures, and what is paid, when, and why.

Every clause here is written for these tests. Figures are in 万元 unless stated.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from huiqi.extract.pipeline import extract_text
from huiqi.match.engine import evaluate, facts_frame, needed_measures
from huiqi.match.figures import measure_frame
from huiqi.match.service import match_frames
from huiqi.match.stacking import PAID, SUPPRESSED, decide
from huiqi.registry.codes import code_for_place
from huiqi.rules.compile import compile_document
from huiqi.rules.figures import read_tests
from huiqi.rules.model import MODE_APPLY, MODE_AUTO
from reference_check import engine_rows, reference_rows

REGION = "370102"  # 济南市历下区
FIRM = "91370102MA00000010"
AS_OF = dt.date(2026, 6, 30)


def rules_of(*sentences: str, condition: str | None = None):
    body = "\n".join(
        f"{n}.{s}(责任单位:市工业和信息化局、市财政局)" for n, s in enumerate(sentences, start=1)
    )
    text = (
        "济南市人民政府关于支持企业做大做强的若干措施\n济政发〔2020〕8号\n各区县人民政府,市政府各部门:\n"
        f"为支持企业发展,制定以下措施。\n一、支持企业做大做强\n{body}\n济南市人民政府\n2020年1月1日\n"
    )
    doc = extract_text(text).model_dump(mode="json")
    if condition:
        for incentive in doc["incentives"]:
            incentive["condition"] = condition
    rules, left = compile_document(1, doc, code_for_place)
    assert rules, [u.reason for u in left]
    return rules


def run(rules, figures: dict[tuple[str, int], float], founded: int | None = 2010, facts=None, as_of=AS_OF):
    enterprises = pl.DataFrame(
        {"uscc": [FIRM], "region_code": [REGION], "name": ["甲公司"], "founded": [founded]},
        schema_overrides={"founded": pl.Int32},
    )
    annual = pl.DataFrame(
        [{"uscc": FIRM, "indicator": k, "year": y, "value": v} for (k, y), v in figures.items()],
        schema={"uscc": pl.String, "indicator": pl.String, "year": pl.Int32, "value": pl.Float64},
    )
    facts = facts if facts is not None else facts_frame(_empty_recognitions(), _empty_events(), enterprises)
    frame = match_frames(enterprises, facts, rules, as_of, figures=annual)
    measures = measure_frame(annual, needed_measures(rules), enterprises.select("uscc", "founded"))
    decided = decide(evaluate(enterprises, facts, rules, as_of, None, measures), rules)
    assert engine_rows(decided) == reference_rows(enterprises, facts, rules, as_of, None, annual)
    return frame.sort("year")


def _empty_recognitions(rows=()):
    return pl.DataFrame(
        [
            {"fact_id": i, "uscc": FIRM, "kind": k, "level": lv, "granted_on": d, "review": False}
            for i, (k, lv, d) in enumerate(rows)
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


def _empty_events(rows=()):
    return pl.DataFrame(
        [
            {
                "fact_id": i,
                "uscc": FIRM,
                "kind": k,
                "level": None,
                "occurred_on": d,
                "amount_wan": a,
                "quantity": None,
            }
            for i, (k, d, a) in enumerate(rows)
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


FIRST = "对年主营业务收入首次突破1亿元的企业,给予10万元奖励。"


def test_first_crossing_pays_once_the_year_after_the_figures():
    years = {2020: 5000, 2021: 6000, 2022: 8000, 2023: 12000, 2024: 13000}
    frame = run(rules_of(FIRST), {("营业收入", y): v for y, v in years.items()})
    [row] = frame.iter_rows(named=True)  # reached two years running: paid once
    assert (row["year"], row["amount_wan"], row["mode"]) == (2024, 10.0, MODE_AUTO)
    assert "2023年营业收入12000万元(2022年8000万元)" in row["reason"]
    assert "营业收入首次达到1亿元以上" in row["reason"]


def test_first_crossing_with_a_short_history_needs_an_application():
    frame = run(rules_of(FIRST), {("营业收入", 2023): 12000})
    [row] = frame.iter_rows(named=True)
    assert row["mode"] == MODE_APPLY and "登记数据始于2023年" in row["reason"]


def test_a_firm_founded_that_year_has_all_the_history_there_is():
    [row] = run(rules_of(FIRST), {("营业收入", 2023): 12000}, founded=2023).iter_rows(named=True)
    assert row["mode"] == MODE_AUTO


def test_a_figure_that_was_above_before_is_no_first_crossing():
    figures = {
        ("营业收入", 2020): 11000,
        ("营业收入", 2021): 9000,
        ("营业收入", 2022): 9500,
        ("营业收入", 2023): 12000,
    }
    frame = run(rules_of(FIRST), figures)
    # 2023 is not a first crossing; 2020 might have been one, but nothing before it is known
    assert [(r["year"], r["mode"]) for r in frame.iter_rows(named=True)] == [(2021, MODE_APPLY)]


def test_jumping_two_bands_in_a_year_pays_the_band_reached():
    rules = rules_of(FIRST, "对年主营业务收入首次突破5亿元的企业,给予30万元奖励。")
    figures = {("营业收入", y): v for y, v in ((2020, 7000), (2021, 8000), (2022, 9000), (2023, 60000))}
    frame = run(rules, figures)
    assert {(r["amount_wan"], r["status"]) for r in frame.iter_rows(named=True)} == {
        (30.0, PAID),
        (10.0, SUPPRESSED),
    }


def test_growth_rate_at_its_boundary_and_with_a_missing_year():
    rules = rules_of("对税收较上年增长20%以上的企业,给予5万元奖励。")
    frame = run(rules, {("税收", 2022): 90, ("税收", 2023): 100, ("税收", 2024): 120}, founded=2022)
    assert [(r["year"], r["mode"]) for r in frame.iter_rows(named=True)] == [(2025, MODE_AUTO)]  # 20% counts
    gap = run(rules, {("税收", 2021): 50, ("税收", 2023): 100}, founded=2021)
    [row] = gap.iter_rows(named=True)  # 2022 is missing: 2023's growth cannot be known
    assert row["year"] == 2024 and row["mode"] == MODE_APPLY and "缺少2022年的税收数据" in row["reason"]


def test_an_amount_computed_from_the_new_tax():
    rules = rules_of("对新增税收500万元以上的企业,按新增税收的10%给予奖励,最高不超过100万元。")
    frame = run(rules, {("税收", 2022): 1000, ("税收", 2023): 1800, ("税收", 2024): 1900}, founded=2022)
    [row] = frame.iter_rows(named=True)  # 2024 added only 100
    assert (row["year"], row["amount_wan"]) == (2024, 80.0)


def test_a_rate_of_last_years_research_spending_on_a_recognition():
    rules = rules_of("对新认定的省级企业技术中心,按其上年度研发投入的10%给予补助,最高50万元。")
    facts = facts_frame(_empty_recognitions([("企业技术中心", "省级", dt.date(2024, 3, 1))]), _empty_events())
    facts = facts.with_columns(region_code=pl.lit(REGION))
    frame = run(rules, {("研发投入", 2023): 320, ("研发投入", 2024): 900}, facts=facts)
    assert frame["amount_wan"].to_list() == [32.0]


def test_a_ratio_of_two_figures_includes_its_boundary():
    rules = rules_of("对研发投入占营业收入比重达到5%的企业,给予20万元奖励。")
    assert run(rules, {("研发投入", 2024): 50, ("营业收入", 2024): 1000})["amount_wan"].to_list() == [20.0]
    assert run(rules, {("研发投入", 2024): 49.9, ("营业收入", 2024): 1000}).is_empty()


def test_a_figure_per_mu():
    rules = rules_of("对亩均税收达到30万元的工业企业,给予10万元奖励。")
    frame = run(rules, {("税收", 2024): 300, ("用地面积", 2024): 10})
    [row] = frame.iter_rows(named=True)
    assert row["amount_wan"] == 10.0 and "税收/用地面积30万元/亩" in row["reason"]


def test_conditions_joined_by_qie_all_hold_and_a_missing_one_is_checked_by_hand():
    rules = rules_of("对年主营业务收入首次突破1亿元且研发投入占营业收入比重达到3%的企业,给予15万元奖励。")
    history = {("营业收入", 2021): 6000, ("营业收入", 2022): 8000, ("营业收入", 2023): 12000}
    assert run(rules, {**history, ("研发投入", 2023): 480})["amount_wan"].to_list() == [15.0]
    assert run(rules, {**history, ("研发投入", 2023): 120}).is_empty()
    [row] = run(rules, history).iter_rows(named=True)
    assert row["mode"] == MODE_APPLY and "缺少2023年研发投入/营业收入数据" in row["reason"]


def test_a_recognition_with_a_condition_on_figures():
    rules = rules_of("对新认定的国家级专精特新“小巨人”且年营业收入达到1亿元的企业,给予50万元奖励。")
    facts = facts_frame(
        _empty_recognitions([("专精特新小巨人", "国家级", dt.date(2023, 9, 1))]), _empty_events()
    )
    facts = facts.with_columns(region_code=pl.lit(REGION))
    assert run(rules, {("营业收入", 2023): 12000}, facts=facts)["amount_wan"].to_list() == [50.0]
    assert run(rules, {("营业收入", 2023): 9000}, facts=facts).is_empty()


def test_paid_in_the_year_itself_when_the_clause_says_so():
    rules = rules_of("对当年销售额超过5000万元的新落户企业,给予8万元奖励。")
    events = _empty_events([("新设落户", dt.date(2023, 4, 1), None)])
    facts = facts_frame(_empty_recognitions(), events).with_columns(region_code=pl.lit(REGION))
    frame = run(rules, {("营业收入", 2023): 5200}, facts=facts)
    assert frame["year"].to_list() == [2023] and frame["amount_wan"].to_list() == [8.0]


def test_first_counted_as_above_designated_size():
    rules = rules_of("对首次纳入规上统计的工业企业,给予5万元一次性奖励。")
    events = _empty_events([("升规纳统", dt.date(2024, 1, 15), None)])
    facts = facts_frame(_empty_recognitions(), events).with_columns(region_code=pl.lit(REGION))
    assert run(rules, {}, facts=facts)["amount_wan"].to_list() == [5.0]


def test_an_officer_writes_the_condition_the_reader_missed():
    rules = rules_of("对经认定的行业领军企业,给予30万元奖励。", condition="指标 营业收入 首次 >= 5亿元")
    [rule] = rules
    assert rule.hand_written and rule.table == "metric" and rule.open_conditions is None
    figures = {("营业收入", 2021): 30000, ("营业收入", 2022): 40000, ("营业收入", 2023): 52000}
    assert run(rules, figures)["amount_wan"].to_list() == [30.0]


@pytest.mark.parametrize(
    ("clause", "described"),
    [
        ("年营业收入首次超过10亿元的企业", ["营业收入首次超过10亿元"]),
        ("年纳税额在1000万元至5000万元的企业", ["税收1000万元至5000万元"]),
        ("研发费用占销售收入的比例不低于3%", ["研发投入/营业收入3%以上"]),
        ("出口额占营业收入比重超过50%的企业", ["出口额/营业收入超过50%"]),
        ("从业人员达到100人以上的企业", ["从业人员100人以上"]),
        ("新认定的国家级专精特新小巨人企业", []),
        ("年交易额达50亿元以上的平台", []),  # 交易额 is no figure of the registry
        # a round figure without its number, after a verb
        ("年主营业务收入首次突破亿元的企业", ["营业收入首次达到1亿元以上"]),
        ("产值迈上千万元台阶的小微企业", ["工业总产值首次达到1000万元以上"]),
        # a second condition on the same figure, not named again
        ("年销售额超过2亿元且同比增长15%以上的", ["营业收入超过2亿元", "营业收入较上年增长15%以上"]),
        (
            "缴纳增值税500万元(含)以上,且增幅达10%~30%(含)的企业",
            ["增值税500万元以上", "增值税较上年增长10%至30%"],
        ),
        ("年营业收入超过1亿元且税收增长10%", ["营业收入超过1亿元", "税收较上年增长10%以上"]),
        # an amount added written as 增量
        ("年度销售收入增量3000万元(含)以上的", ["营业收入较上年增加3000万元以上"]),
        # another currency is read at the vocabulary's rate (7元 per 美元), and says so
        ("年出口额达到1000万美元以上的企业", ["出口额7000万元以上(按1美元=7元折算)"]),
        (
            "出口额超过800万美元、且增长20%的企业",
            ["出口额超过5600万元(按1美元=7元折算)", "出口额较上年增长20%以上"],
        ),
        # one without a rate is never read as 元
        ("年出口额达到1000万欧元以上的企业", []),
        # a name inside a longer one that is followed by no figure (缴纳增值税|税额)
        (
            "缴纳增值税税额达300万元(含)以上,且同比增长15%的",
            ["增值税300万元以上", "增值税较上年增长15%以上"],
        ),
        # a bare 占比 is a share of the whole the vocabulary names; the amount after it is the part's
        (
            "软件业务收入占比达到30%,且首次超过800万元的企业",
            ["软件业务收入/营业收入30%以上", "软件业务收入首次超过800万元"],
        ),
        ("从业人员占比达到30%的企业", []),  # no whole is named for 从业人员
    ],
)
def test_reading_conditions_on_figures(clause, described):
    assert [t.describe() for t in read_tests(clause)] == described


# What a clause leaves to its context is never paid without application.


def test_a_figure_condition_naming_no_kind_of_enterprise_needs_an_application():
    [bare] = rules_of("年主营业务收入首次突破5亿元的,奖励20万元")
    [named] = rules_of("对年主营业务收入首次突破5亿元的工业企业,奖励20万元")
    assert bare.mode == MODE_APPLY and "未写明适用于哪类企业" in (bare.open_conditions or "")
    assert named.mode == MODE_AUTO


def test_an_amount_given_on_top_of_the_clause_before_needs_an_application():
    [first, on_top] = rules_of(
        "对新认定为国家级绿色工厂的企业,奖励30万元",
        "其中年营业收入达到5亿元以上的工业企业,再给予20万元奖励",
    )
    assert first.mode == MODE_AUTO
    assert on_top.amount_wan == 20.0 and on_top.mode == MODE_APPLY
    assert "再给予" in (on_top.open_conditions or "")


def test_an_amount_per_unit_the_registry_does_not_count_needs_an_application():
    [rule] = rules_of("对新认定为国家级绿色工厂的企业,按每平方米20元给予补助")
    assert rule.mode == MODE_APPLY and "平方米" in (rule.open_conditions or "")


@pytest.mark.parametrize(
    ("clause", "level"),
    [
        ("对新认定为浙江省知名商号的企业,奖励10万元", "省级"),
        ("对新认定为宁波市知名商号的企业,奖励5万元", "市级"),
    ],
)
def test_a_place_before_a_title_is_its_level(clause, level):
    [rule] = rules_of(clause)
    assert rule.level == level


def test_a_prefectures_title_is_not_a_provincial_one_of_the_same_name():
    """省名牌产品 exists only at the provincial level: a prefecture's 名牌产品 is another list."""
    doc = extract_text(
        "济南市人民政府关于支持企业做大做强的若干措施\n济政发〔2020〕8号\n一、品牌\n"
        "1.对新认定为济南市名牌产品的企业,奖励5万元(责任单位:市市场监管局)\n济南市人民政府\n2020年1月1日\n"
    ).model_dump(mode="json")
    rules, left = compile_document(1, doc, code_for_place)
    assert not [r for r in rules if "省名牌产品" in r.fact_kinds] and left


def test_a_threshold_in_dollars_is_compared_at_the_stated_rate_and_checked_by_hand():
    rules = rules_of("对年出口额达到1000万美元以上的工业企业,给予10万元奖励。")
    [rule] = rules
    assert rule.mode == MODE_APPLY and "按1美元=7元折算" in rule.open_conditions
    [row] = run(rules, {("出口额", 2024): 7000}).iter_rows(named=True)  # 1000万美元 × 7 = 7000万元
    assert (row["year"], row["amount_wan"], row["mode"]) == (2025, 10.0, MODE_APPLY)
    assert run(rules, {("出口额", 2024): 6999}).is_empty()


def test_a_tier_row_stating_only_its_growth_band_keeps_the_other_conditions_of_the_row_before():
    first, second = rules_of(
        "对年缴纳增值税300万元(含)以上且同比增长10%~20%(含)的工业企业,按增值税增量部分的10%给予奖励",
        "同比增长20%以上的,按增值税增量部分的20%给予奖励",
    )
    assert [t.describe() for t in first.tests] == ["增值税300万元以上", "增值税较上年增长10%至20%"]
    assert [t.describe() for t in second.tests] == ["增值税300万元以上", "增值税较上年增长20%以上"]
    assert second.mode == MODE_APPLY and "承接上一条款" in second.open_conditions
    figures = {("增值税", 2023): 1000, ("增值税", 2024): 1300}  # +30%: the second tier, 20% of 300
    frame = run([second], figures, founded=2023)
    assert [(r["year"], r["amount_wan"]) for r in frame.iter_rows(named=True)] == [(2025, 60.0)]
    assert run([second], {("增值税", 2023): 200, ("增值税", 2024): 290}, founded=2023).is_empty()  # < 300万元


def test_tiers_paid_as_running_totals_need_an_application():
    rules = rules_of("对年软件业务收入首次达到1000万元、3000万元的软件企业,分别给予累计10万元、30万元的奖励")
    assert rules and all(r.mode == MODE_APPLY and "累计" in r.open_conditions for r in rules)


def test_an_amount_per_dollar_needs_an_application():
    [rule] = rules_of("对年度进口额达到200万美元以上的工业企业,每进口1美元奖励0.02元")
    assert rule.mode == MODE_APPLY and "每美元" in rule.open_conditions


def test_a_share_of_the_whole_and_the_parts_first_crossing_both_hold():
    rules = rules_of("对软件业务收入占比超过20%,且首次超过500万元的企业,给予5万元奖励。")
    share = {("软件业务收入", 2024): 600, ("营业收入", 2024): 2000}  # 30%, and 600 > 500 first time
    assert run(rules, share, founded=2024)["amount_wan"].to_list() == [5.0]
    small = {("软件业务收入", 2024): 600, ("营业收入", 2024): 4000}  # 15%: not a software firm's share
    assert run(rules, small, founded=2024).is_empty()
    assert run(rules, {("进口额", 2024): 900}, founded=2024).is_empty()  # figures it does not read
