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


def test_a_per_enterprise_limit_keeps_its_own_amount_and_period(policy) -> None:
    (cap,) = stacking_of(policy, "每家企业每年享受本措施奖补资金累计不超过300万元。")
    assert (cap.rule, cap.limit_wan, cap.period, cap.basis, cap.scope, cap.sections, cap.payer) == (
        "cap_per_enterprise",
        300,
        "year",
        "fixed",
        "document",
        [],
        None,
    )


def test_a_limit_on_the_new_tax_retained_has_no_amount_and_names_the_paying_level(policy) -> None:
    (cap,) = stacking_of(policy, "每家企业享受区级各项奖励的最高限额为该企业当年新增税收区留成财力。")
    assert (cap.limit_wan, cap.basis, cap.payer, cap.period) == (None, "new_tax_retained", "区级", "year")


def test_a_limit_on_the_local_contribution_is_tax_retained(policy) -> None:
    (cap,) = stacking_of(policy, "企业享受优惠及奖励总额不得超过该企业当年度对地方的财政贡献。")
    assert (cap.limit_wan, cap.basis) == (None, "tax_retained")


def test_a_limit_inside_an_article_that_grants_is_that_articles_limit(policy) -> None:
    doc = policy(
        "一、支持标准化\n1.主导制定国家标准的,每项给予30万元奖励。参与制定的,每项给予10万元奖励。"
        "每家企业累计奖励不超过50万元。\n2.对新认定的高新技术企业给予20万元奖励。"
    )
    (cap,) = doc.stacking
    assert (cap.limit_wan, cap.period, cap.scope, cap.sections) == (50, "policy", "sections", ["1"])
    assert [r.section for r in doc.incentives] == ["1", "1", "2"]


def test_a_limit_per_project(policy) -> None:
    (cap,) = stacking_of(policy, "同一项目各项奖励合计不超过200万元。")
    assert (cap.limit_wan, cap.period) == (200, "project")


def test_articles_that_exclude_each_other_name_their_sections(policy) -> None:
    doc = policy(
        "第一条 总则\n为促进发展,制定本办法。\n第二条 技术改造\n对技术改造项目给予最高100万元补助。\n"
        "(一)设备购置按10%给予补助。\n(二)软件购置按20%给予补助。\n第三条 首台套\n"
        "(一)对首台套产品给予50万元奖励。\n"
        "第四条 其他\n企业不得同时享受本办法第二条和第三条。"
    )
    (rule,) = [s for s in doc.stacking if s.rule == "exclusive"]
    assert rule.sections == ["二", "二.一", "二.二", "三", "三.一"]


def test_this_item_excludes_another_article(policy) -> None:
    doc = policy(
        "第一条 团队资助\n对创新团队给予100万元资助。\n第二条 项目资助\n"
        "对团队研发项目给予30万元资助,本项资助与本意见第一条不同时享受。"
    )
    (rule,) = [s for s in doc.stacking if s.rule == "exclusive"]
    assert rule.sections == ["二", "一"]
    # The remark grants nothing; the grant beside it is still read.
    assert [(r.section, r.amount_wan) for r in doc.incentives] == [("一", 100), ("二", 30)]


def test_highest_only_limited_to_the_article_it_stands_in(policy) -> None:
    doc = policy(
        "一、技术改造\n1.对技改项目按设备投资额的5%给予补助。以上技改政策,企业可从高享受,不得重复申报。\n"
        "2.对新认定的高新技术企业给予20万元奖励。\n二、附则\n本办法与其他政策重叠的,按就高不重复原则执行。"
    )
    assert [(s.rule, s.sections) for s in doc.stacking] == [("highest_only", ["1"]), ("highest_only", [])]
