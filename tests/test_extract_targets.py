"""Targets (dated quantitative goals) read by ``extract_text``.

Spec: ``comparator`` is ``>=`` for 达到/突破/以上, ``<=`` for 以下/不超过, ``~`` for 左右, ``=``
otherwise; ``by`` is the year it is due; ``unit`` as printed; a 分别 list gives one target per
number, each with its own indicator; a 每年 goal has no due year.
"""

from __future__ import annotations

import pytest

MEASURES = "二、重点任务\n1.支持技术改造。鼓励企业实施设备更新和工艺改造。(责任单位:市工信局、市财政局)"


def goals(policy, paragraph: str):
    """Targets of a document whose goals part (一、发展目标) is ``paragraph``."""
    return policy(f"一、发展目标\n{paragraph}\n{MEASURES}").targets


@pytest.mark.parametrize(
    ("sentence", "value", "unit", "comparator", "by", "indicator_part"),
    [
        ("到2025年,全市规上工业企业达到3000家以上。", 3000, "家", ">=", 2025, "规上工业企业"),
        ("到2027年,全市高新技术企业数量突破1500家。", 1500, "家", ">=", 2027, "高新技术企业"),
        ("到2026年,全市工业投资稳定在500亿元左右。", 500, "亿元", "~", 2026, "工业投资"),
        ("到2025年,全市工业用地闲置率不超过5%。", 5, "%", "<=", 2025, "工业用地闲置率"),
        pytest.param(
            "到2025年,重点行业亏损企业占比降至8%以下。",
            8,
            "%",
            "<=",
            2025,
            "亏损企业占比",
        ),
        ("到2025年,建成市级工业互联网平台8个。", 8, "个", "=", 2025, "工业互联网平台"),
        pytest.param(
            "到2025年,建成省级以上工业互联网平台8个。",
            8,
            "个",
            "=",
            2025,
            "工业互联网平台",
        ),
    ],
)
def test_dated_target(policy, sentence, value, unit, comparator, by, indicator_part):
    targets = goals(policy, sentence)
    assert len(targets) == 1, [t.model_dump() for t in targets]
    t = targets[0]
    assert t.value == pytest.approx(value)
    assert t.unit == unit
    assert t.comparator == comparator
    assert t.by == by
    assert indicator_part in t.indicator
    assert str(value) in t.text


def test_fenbie_list_gives_one_target_per_number(policy):
    targets = goals(policy, "到2025年,省级以上专精特新中小企业、制造业单项冠军企业分别达到300家、50家。")
    assert sorted(t.value for t in targets) == [50, 300]
    for t in targets:
        assert (t.unit, t.comparator, t.by) == ("家", ">=", 2025)


def test_fenbie_list_targets_name_their_own_indicator(policy):
    targets = goals(policy, "到2025年,省级以上专精特新中小企业、制造业单项冠军企业分别达到300家、50家。")
    by_value = {t.value: t.indicator for t in targets}
    assert "专精特新" in by_value[300] and "单项冠军" not in by_value[300]
    assert "单项冠军" in by_value[50] and "专精特新" not in by_value[50]


def test_year_stated_earlier_in_the_paragraph_carries_over(policy):
    targets = goals(
        policy,
        "到2025年,全市制造业增加值占地区生产总值比重达到35%。高新技术企业数量达到1200家以上。",
    )
    assert [(t.value, t.unit, t.comparator, t.by) for t in targets] == [
        (35, "%", ">=", 2025),
        (1200, "家", ">=", 2025),
    ]


def test_yearly_goal_has_no_due_year(policy):
    doc = policy("一、推动智能化改造\n1.培育智能工厂。每年培育市级以上智能工厂20家以上。(责任单位:市工信局)")
    assert len(doc.targets) == 1
    t = doc.targets[0]
    assert (t.value, t.unit, t.comparator, t.by) == (20, "家", ">=", None)
    assert t.task == "1"


def test_grants_and_dates_are_not_targets(policy):
    doc = policy(
        "一、加大财政支持力度\n"
        "1.支持绿色制造。对2024年新认定的省级绿色工厂,给予30万元奖励。(责任单位:市工信局、市财政局)"
    )
    assert len(doc.incentives) == 1
    assert doc.targets == []
