"""Stacking rules (叠加规则) read by ``extract_text``.

Spec: ``highest_only`` (就高不重复), ``cap_per_enterprise`` (每家企业…最高限额),
``supersedes`` (原有…不一致的,按本…执行), ``repeatable`` (可重复享受; 在享受…基础上…再给予).
"""

from __future__ import annotations

import unicodedata

import pytest

MEASURES = (
    "一、加大财政支持力度\n"
    "1.支持技术改造。对实施技术改造的企业,给予最高100万元补助。(责任单位:市工信局、市财政局)\n"
)


def canon(text: str | None) -> str:
    """Text as the spec allows it to be quoted: NFKC (full-width → half-width), no spaces."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def stacking_of(policy, sentence: str):
    return policy(f"{MEASURES}二、其他事项\n{sentence}").stacking


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        ("本措施与我市其他同类扶持政策有重叠的,按照就高不重复的原则执行。", "highest_only"),
        ("同一项目同时符合本措施多项条款的,按就高原则执行,不重复享受。", "highest_only"),
        ("每家企业每年享受本措施奖补资金累计最高不超过500万元。", "cap_per_enterprise"),
        ("原有相关政策与本措施不一致的,按本措施执行。", "supersedes"),
        ("我市此前出台的政策规定与本措施不一致的,以本措施为准。", "supersedes"),
        pytest.param(
            "我市已出台的相关政策与本措施不一致的,按本措施执行。",
            "supersedes",
        ),
        ("企业获得国家、省级奖励的,可叠加享受本措施奖励。", "repeatable"),
    ],
)
def test_stacking_rule(policy, sentence, rule):
    found = stacking_of(policy, sentence)
    assert [s.rule for s in found] == [rule]
    assert canon(found[0].text).rstrip("。") == canon(sentence).rstrip("。")


def test_top_up_on_top_of_a_higher_level_benefit_is_repeatable(measure):
    doc = measure("对新认定的国家级绿色工厂,在享受省级奖励基础上,市级财政再给予30万元奖励。")
    assert [s.rule for s in doc.stacking] == ["repeatable"]
    assert "在享受省级奖励基础上" in doc.stacking[0].text
    # The municipal top-up is itself a payable row.
    assert [(r.kind, r.amount_wan) for r in doc.incentives] == [("fixed", 30)]


def test_plain_grants_state_no_stacking_rule(measure):
    doc = measure("对新认定的国家级绿色工厂,给予50万元奖励。对新认定的省级绿色工厂,给予30万元奖励。")
    assert len(doc.incentives) == 2
    assert doc.stacking == []
