"""Incentive sentences in the styles of other cities' documents (not in the seeds).

Each case is written for this test and its expectation is read off the spec, so these guard
against rules that only work on the seed documents.
"""

from __future__ import annotations

import pytest

from huiqi.extract.model import Incentive
from huiqi.extract.pipeline import extract_text

HEAD = (
    "某市人民政府关于支持制造业高质量发展的若干政策\n某政发〔2024〕5号\n各区县人民政府:\n一、支持企业发展\n"
)
TAIL = "(责任单位:市工信局)\n某市人民政府\n2024年1月1日"


def rows(sentence: str) -> list[Incentive]:
    return extract_text(f"{HEAD}1.测试措施。{sentence}{TAIL}").incentives


def test_a_second_clause_with_its_own_condition_is_its_own_row() -> None:
    first, second = rows("对首次认定为国家高新技术企业的,给予一次性奖励20万元;重新认定的,给予10万元奖励。")
    assert (first.kind, first.amount_wan, first.one_time) == ("fixed", 20, True)
    assert (second.kind, second.amount_wan, second.one_time) == ("fixed", 10, False)
    assert "重新认定" in second.subject and "首次认定" not in second.subject


def test_level_list_after_huopi_pairs_with_amounts() -> None:
    national, provincial = rows("对获批国家级、省级企业技术中心的企业,分别给予100万元、50万元奖励。")
    assert (national.subject, national.amount_wan, national.level) == (
        "获批国家级企业技术中心的企业",
        100,
        "国家级",
    )
    assert (provincial.subject, provincial.amount_wan, provincial.level) == (
        "获批省级企业技术中心的企业",
        50,
        "省级",
    )
    assert not national.needs_review


def test_thresholds_in_a_list_share_the_words_printed_once() -> None:
    subjects = [
        r.subject
        for r in rows(
            "对年主营业务收入首次突破1亿元、5亿元、10亿元的工业企业,分别给予10万元、30万元、50万元奖励。"
        )
    ]
    assert subjects == [
        "年主营业务收入首次突破1亿元的工业企业",
        "年主营业务收入首次突破5亿元的工业企业",
        "年主营业务收入首次突破10亿元的工业企业",
    ]


def test_money_in_the_condition_is_not_the_amount_and_the_cap_follows() -> None:
    (row,) = rows("对购置设备投资额在500万元以上的项目,按设备投资额的10%给予补助,最高500万元。")
    assert (row.kind, row.ratio, row.cap_wan, row.base) == ("ratio", 0.1, 500, "设备投资额")


def test_interest_subsidy_rate_with_a_per_enterprise_yearly_cap() -> None:
    (row,) = rows(
        "对企业技改项目贷款给予贴息,贴息比例为同期贷款市场报价利率的50%,单个企业年度贴息最高100万元。"
    )
    assert (row.kind, row.ratio, row.cap_wan) == ("ratio", 0.5, 100)
    assert row.subject == "企业技改项目贷款"


def test_a_per_enterprise_ceiling_is_a_stacking_rule_not_an_incentive() -> None:
    doc = extract_text(f"{HEAD}1.测试措施。每家企业每年享受本政策奖励资金累计不超过1000万元。{TAIL}")
    assert doc.incentives == []
    assert [s.rule for s in doc.stacking] == ["cap_per_enterprise"]


def test_danxiang_guanjun_is_not_a_per_project_amount() -> None:
    first, second = rows("对新获批的国家级制造业单项冠军示范企业奖励100万元,单项冠军产品企业奖励50万元。")
    assert (first.amount_wan, first.per) == (100, None)
    assert (second.subject, second.amount_wan, second.per) == ("单项冠军产品企业", 50, None)


@pytest.mark.parametrize(
    ("sentence", "payers"),
    [
        (
            "对首次纳入规模以上工业企业统计的,给予5万元奖励,由市、区两级财政各承担50%。",
            [("市级", 0.5), ("区级", 0.5)],
        ),
        (
            "对中小企业购买工业设计服务的,按合同金额的30%给予补贴,每家企业最高不超过30万元,所需资金由市级财政承担。",
            [("市级", 1.0)],
        ),
        ("对新认定的省级专精特新中小企业,市级财政给予10万元奖励。", [("市级", 1.0)]),
    ],
)
def test_who_pays(sentence: str, payers: list[tuple[str, float]]) -> None:
    (row,) = rows(sentence)
    assert [(p.payer, p.share) for p in row.payers] == payers


def test_financial_numerals_and_traditional_characters() -> None:
    (row,) = rows("對符合條件的企業給予最高伍拾萬元獎勵。")
    assert (row.kind, row.cap_wan, row.subject) == ("max", 50, "符合条件的企业")


def measure_doc(body: str):
    return extract_text(f"{HEAD}{body}\n某市人民政府\n2024年1月1日")


def test_a_heading_that_names_a_reward_is_not_a_row() -> None:
    doc = measure_doc("(一)企业技术改造奖励补助\n对实施技术改造的企业,给予20万元奖励。(责任单位:市工信局)")
    assert [(r.kind, r.amount_wan) for r in doc.incentives] == [("fixed", 20)]
    doc = measure_doc("1.企业升规奖励。对首次升规的企业,给予5万元奖励。(责任单位:市工信局)")
    assert [(r.kind, r.amount_wan) for r in doc.incentives] == [("fixed", 5)]


def test_hard_wrapped_text_is_read_as_paragraphs() -> None:
    body = (
        "1.推进智能制造。对当年评为省级智能工厂、省级数字化车间、\n"
        "绍兴市级智能工厂的,分别给予 30 万元、15 万元、10\n"
        "万元奖励;对年销售收入首次突破1000万元、2000万元、\n"
        "1亿元的软件企业,分别给予一次性奖励10万元、20万\n"
        "元、50万元。(责任单位:市经信局)"
    )
    rows = measure_doc(body).incentives
    assert [(r.subject, r.amount_wan, r.level) for r in rows[:3]] == [
        ("当年评为省级智能工厂的", 30, "省级"),
        ("当年评为省级数字化车间的", 15, "省级"),
        ("当年评为绍兴市级智能工厂的", 10, "市级"),
    ]
    assert [r.subject for r in rows[3:]] == [
        "年销售收入首次突破1000万元的软件企业",
        "年销售收入首次突破2000万元的软件企业",
        "年销售收入首次突破1亿元的软件企业",
    ]
    assert all(r.task == "1" for r in rows)


def test_numbers_share_the_words_around_them() -> None:
    rows = measure_doc(
        "1.亩均效益。对亩产税收在行业平均水平200%、150%、100%以上的企业,分别给予10万元、5万元、2万元奖励。"
        "(责任单位:市税务局)"
    ).incentives
    assert [r.subject for r in rows] == [
        "亩产税收在行业平均水平200%以上的企业",
        "亩产税收在行业平均水平150%以上的企业",
        "亩产税收在行业平均水平100%以上的企业",
    ]


def test_tiers_inside_one_part() -> None:
    rows = measure_doc(
        "1.两化融合。首次通过两化融合管理体系贯标评定,AAA 级及以上的一次性奖励 30 万元、AA级的一次性奖励20万元。"
        "(责任单位:市经信局)"
    ).incentives
    assert [(r.amount_wan, r.subject.split("的")[0]) for r in rows] == [(30, "AAA级及以上"), (20, "AA级")]


def test_highest_only_wording_is_a_stacking_rule_and_grants_nothing() -> None:
    doc = measure_doc("1.园区建设。同一园区省、市同年认定的,就高奖励,不重复奖励。(责任单位:市工信局)")
    assert doc.incentives == []
    assert [s.rule for s in doc.stacking] == ["highest_only"]


def test_how_money_moves_is_not_a_benefit() -> None:
    doc = measure_doc(
        "1.资金保障。设立重点产业发展引导资金,列入财政预算,用于重点产业发展补助和奖励。"
        "企业在项目投产后向县政府申请奖励。(责任单位:县财政局)"
    )
    assert doc.incentives == []


def test_case_by_case_support_without_geiyu() -> None:
    (row,) = measure_doc(
        "1.重大项目。对投资10亿元以上的重大项目,实行“一事一议”。(责任单位:县发改局)"
    ).incentives
    assert (row.kind, row.subject) == ("unspecified", "投资10亿元以上的重大项目")


def test_next_heading_glued_after_responsible_units() -> None:
    doc = measure_doc(
        "(一)推进数字化。对新认定的数字化车间给予10万元奖励。(责任单位:市经信局)(二)推进绿色化。"
        "对新认定的绿色工厂给予20万元奖励。(责任单位:市生态环境局,排在首位的为牵头单位,下同)"
    )
    assert [(t.id, t.responsible) for t in doc.tasks] == [("一", ["市经信局"]), ("二", ["市生态环境局"])]
    assert [(r.task, r.amount_wan) for r in doc.incentives] == [("一", 10), ("二", 20)]


def test_an_amount_range_is_one_ceiling_with_a_floor() -> None:
    (row,) = rows("对执行单位或商贸流通企业,给予3万元-5万元的资金支持。")
    assert (row.kind, row.cap_wan, row.amount_min_wan, row.needs_review) == ("max", 5, 3, False)
    (row,) = rows("对新产品投产达效的企业,给予10—100万元奖励。")
    assert (row.kind, row.cap_wan, row.amount_min_wan) == ("max", 100, 10)
    (row,) = rows("对投资5000万元以上的项目,按项目固定资产实际投资额给企业5%-20%奖励。")
    assert (row.kind, row.ratio, row.ratio_min, row.ratio_is_max) == ("ratio", 0.2, 0.05, True)
    assert row.base == "项目固定资产实际投资额"


def test_a_rate_schedule_shares_its_base_and_its_yearly_cap() -> None:
    first, second = rows(
        "对新认定的总部企业,自认定当年起,按其年度地方经济贡献额给予五年奖励,其中前三年给予80%的奖励,"
        "后两年给予50%的奖励,每年最高奖励不超过5000万元。"
    )
    assert [(r.ratio, r.cap_wan, r.base) for r in (first, second)] == [
        (0.8, 5000, "年度地方经济贡献额"),
        (0.5, 5000, "年度地方经济贡献额"),
    ]


def test_a_payment_schedule_is_not_a_benefit() -> None:
    (row,) = rows("对新引进的先进制造业项目,给予最高2000万元补贴,其中奖补资金50%待企业达产升规后兑现。")
    assert (row.kind, row.cap_wan) == ("max", 2000)


def test_zhichi_with_an_amount_grants_it() -> None:
    (row,) = rows("对设备购置额2000万元以上的投资项目,最高支持3000万元。")
    assert (row.kind, row.cap_wan, row.subject) == ("max", 3000, "设备购置额2000万元以上的投资项目")


def test_matching_funds_and_shares_stated_in_the_next_sentence() -> None:
    doc = measure_doc(
        "1.首台套。对新认定省级首台套重大技术装备的企业,给予省级补助资金1:1配套奖励,每个企业最高不超过20万元。"
        "补助资金市县按1:1比例承担。(责任单位:县经信局)"
    )
    (row,) = doc.incentives
    assert (row.kind, row.ratio, row.base, row.cap_wan) == ("ratio", 1.0, "省级补助资金", 20)
    assert [(p.payer, p.share) for p in row.payers] == [("市级", 0.5), ("县级", 0.5)]
    assert doc.stacking == []


def test_a_new_list_after_a_grant_names_its_own_recipients() -> None:
    _, *stars = rows(
        "对当年新增认定省级小微企业园奖励10万元,获三星、四星、五星级小微企业园,分别奖励20万元、40万元、60万元。"
    )
    assert [(r.subject, r.amount_wan) for r in stars] == [
        ("获三星级小微企业园", 20),
        ("获四星级小微企业园", 40),
        ("获五星级小微企业园", 60),
    ]


def test_a_highest_only_remark_does_not_silence_the_grant_beside_it() -> None:
    doc = measure_doc(
        "1.数字化园区。对当年新认定为市级数字化示范园区的,奖励20万元,同一园区省、市同年认定的,就高奖励。"
        "(责任单位:市经信局)"
    )
    assert [(r.amount_wan, r.level) for r in doc.incentives] == [(20, "市级")]
    assert [s.rule for s in doc.stacking] == ["highest_only"]


def test_a_later_condition_that_names_a_recognition_is_not_a_tier() -> None:
    _, second = rows(
        "对当年新增认定省级小微企业园的,奖励10万元;当年新增认定国家级小微企业创业创新示范基地的,奖励100万元。"
    )
    assert second.subject == "当年新增认定国家级小微企业创业创新示范基地的"
    assert second.level == "国家级"


@pytest.mark.parametrize(
    ("header", "title", "doc_number"),
    [
        (
            "某市人民政府关于印发某市降低制造业企业成本若干措施的通知(某府〔2019〕31号)\n",
            "某市人民政府关于印发某市降低制造业企业成本若干措施的通知",
            "某府〔2019〕31号",
        ),
        (
            "某政办14号 关于印发促进工业经济平稳运行五条措施的通知\n",
            "关于印发促进工业经济平稳运行五条措施的通知",
            "某政办14号",
        ),
        (
            "支持先进制造业发展计划\n首页 政策文件\n某市人民政府关于支持先进制造业发展的若干措施\n",
            "某市人民政府关于支持先进制造业发展的若干措施",
            None,
        ),
        ("关于优化企业奖补投入的实施意见\n(试行)\n", "关于优化企业奖补投入的实施意见(试行)", None),
    ],
)
def test_title_and_doc_number_as_pages_print_them(header: str, title: str, doc_number: str | None) -> None:
    doc = extract_text(f"{header}各区县人民政府:\n一、支持企业\n1.测试。对新认定的企业给予10万元奖励。{TAIL}")
    assert (doc.document.title, doc.document.doc_number) == (title, doc_number)


def test_a_heading_at_the_end_is_not_an_issuer_and_a_news_site_is_not_a_source() -> None:
    doc = extract_text(
        "某市人民政府关于支持制造业发展的若干措施\n来源:某某新闻网 发布日期:2023-09-12\n各区县人民政府:\n"
        "一、支持企业\n1.测试。对新认定的企业给予10万元奖励。\n(三)培育先进制造业集群梯队"
    )
    assert doc.document.issuers == ["某市人民政府"]
    assert doc.document.issued_on is None


def test_goals_of_a_yearly_plan_are_due_in_the_year_of_its_title() -> None:
    doc = extract_text(
        "某县工业强县2017年工作推进方案\n一、工作目标\n实现全县规上工业产值同比增长8%;新增规模以上企业30家、"
        "高新技术企业7家、科技型小微企业20家。\n二、主要任务\n1.测试。加强服务。(责任单位:县经信局)"
    )
    got = [(t.indicator, t.value, t.unit, t.by) for t in doc.targets]
    assert got == [
        ("实现全县规上工业产值同比增长", 8, "%", 2017),
        ("新增规模以上企业", 30, "家", 2017),
        ("高新技术企业", 7, "家", 2017),
        ("科技型小微企业", 20, "家", 2017),
    ]


def test_a_threshold_is_not_the_goal_it_qualifies() -> None:
    doc = extract_text(f"{HEAD}1.培育企业。到2025年,纳税过1亿元的企业达30家。{TAIL}")
    assert [(t.value, t.unit, t.comparator, t.by) for t in doc.targets] == [(30, "家", ">=", 2025)]


@pytest.mark.parametrize(
    ("sentence", "level"),
    [
        ("对纳入浙江省经济和信息化数据服务平台的软件企业,给予10万元奖励。", None),
        ("对新获得“山东老字号”认定的企业,给予5万元奖励。", "省级"),
        ("对新获得“济南老字号”认定的企业,给予3万元奖励。", "市级"),
        ("对通过省动态复核的专精特新企业,给予10万元奖励。", "省级"),
        ("对新引进的人力资源服务大中华区50强企业,给予50万元奖励。", None),
    ],
)
def test_level_comes_from_the_title_not_from_an_incidental_place(sentence: str, level: str | None) -> None:
    (row,) = rows(sentence)
    assert row.level == level


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "对通过省级专精特新中小企业认定的企业给予20万元一次性奖励。",
            ("fixed", 20, None, "通过省级专精特新中小企业认定的企业"),
        ),
        (
            "省制造强省建设专项资金对综合评价排名前十的平台企业,按上年度营业收入的10%给予补助,最高不超过500万元。",
            ("ratio", None, 500, "综合评价排名前十的平台企业"),
        ),
        (
            "对引进产业链上下游企业的企业,按每家20万元给予资助。",
            ("fixed", 20, None, "引进产业链上下游企业的企业"),
        ),
        ("对在基地连续就业满1年的青年,在职期间可领取每人每月1500元住房补贴。", ("fixed", 0.15, None, None)),
        (
            "对首次通过认定的高新技术企业,按市级财政拨付资金100%进行匹配。",
            ("ratio", None, None, "首次通过认定的高新技术企业"),
        ),
    ],
)
def test_more_ways_of_writing_a_grant(sentence: str, expected: tuple) -> None:
    (row,) = rows(sentence)
    kind, amount, cap, subject = expected
    assert (row.kind, row.amount_wan, row.cap_wan) == (kind, amount, cap)
    if subject:
        assert row.subject == subject


def test_a_list_introduced_by_a_colon() -> None:
    got = [
        (r.subject, r.amount_wan)
        for r in rows(
            "鼓励企业高质量发展,按以下标准额外给予奖励:对实现小升规、规改股、股上市的企业分别给予10万元、20万元和50万元奖励。"
        )
    ]
    assert got == [("实现小升规的企业", 10), ("实现规改股的企业", 20), ("实现股上市的企业", 50)]


def test_qi_refers_back_to_the_subject_and_names_the_base() -> None:
    (row,) = rows(
        "在本区实际运营满一年的企业,对其入驻孵化载体期间实际发生的场地租金总额的50%予以租金补贴,每个企业每年不超过5万元。"
    )
    assert (row.kind, row.ratio, row.cap_wan, row.base) == ("ratio", 0.5, 5, "场地租金总额")
    assert row.subject == "在本区实际运营满一年的企业"


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ("国家级、自治区级", ["国家级", "省级"]),
        ("国家级、盟市级、旗县级", ["国家级", "市级", "区县级"]),
        ("国家级、州级", ["国家级", "市级"]),
    ],
)
def test_level_words_of_autonomous_regions(levels: str, expected: list[str]) -> None:
    amounts = "、".join(f"{10 * (i + 1)}万元" for i in range(len(expected)))
    got = rows(f"对新认定的{levels}企业技术中心,分别给予{amounts}奖励。")
    assert [r.level for r in got] == expected
    assert not any(r.needs_review for r in got)


def test_caps_shared_by_a_group_of_grants_are_stacking_rules() -> None:
    doc = measure_doc(
        "1.测试。对新认定的高新技术企业给予10万元奖励;对新认定的省级专精特新中小企业给予20万元奖励。"
        "上述奖励单家企业每年最高不超过100万元。同一服务机构的奖励额度每年最高不超过10万元。(责任单位:市科技局)"
    )
    assert [r.amount_wan for r in doc.incentives] == [10, 20]
    assert [s.rule for s in doc.stacking] == ["cap_per_enterprise", "cap_per_enterprise"]


def test_yicixing_stays_with_its_own_grant() -> None:
    first, second = rows("对甲企业按设备投资的10%给予补助,最高不超过500万元,对乙企业给予一次性1000万元奖励。")
    assert (first.one_time, second.one_time) == (False, True)


def test_caps_listed_with_fenbie_pair_with_the_members() -> None:
    got = rows(
        "对经省级认定的数字化车间和智能工厂,按项目合同金额给予10%的补助,最高分别不超过200万元和1000万元。"
    )
    assert [(r.subject, r.ratio, r.cap_wan) for r in got] == [
        ("经省级认定的数字化车间", 0.1, 200),
        ("经省级认定的智能工厂", 0.1, 1000),
    ]


def test_lower_governments_pay_their_own_share_for_the_same_recipients() -> None:
    city, county = rows(
        "对获得智能化改造项目贷款的企业,市级财政按照项目贷款额的1%给予贴息奖励,单个企业每年最高奖励额度不超过200万元;"
        "各县级市(区)按照不低于项目贷款额的1%给予贴息奖励。"
    )
    assert (city.ratio, city.cap_wan, [p.payer for p in city.payers]) == (0.01, 200, ["市级"])
    assert (county.subject, county.ratio, county.ratio_min, county.base) == (
        city.subject,
        0.01,
        0.01,
        "项目贷款额",
    )
    assert [p.payer for p in county.payers] == ["区县级"]


def test_asking_another_government_to_pay_is_not_a_benefit() -> None:
    assert rows("鼓励具备条件的旗县区(开发区)给予配套奖补。") == []


def test_a_multiple_of_a_rate() -> None:
    (row,) = rows(
        "以企业技术改造项目入统投资金额为依据,按入统时一年期贷款市场报价利率水平给予2倍资金支持,最高不超过2500万元。"
    )
    assert (row.kind, row.ratio, row.cap_wan, row.base) == (
        "ratio",
        2.0,
        2500,
        "入统时一年期贷款市场报价利率水平",
    )


def test_extra_support_on_top_of_other_policies_is_repeatable() -> None:
    doc = measure_doc(
        "1.测试。在享受本区相关扶持政策的基础上,对新认定的专精特新企业额外给予10万元奖励。(责任单位:区工信局)"
    )
    assert [s.rule for s in doc.stacking] == ["repeatable"]
    assert [r.amount_wan for r in doc.incentives] == [10]


def test_document_fields_of_a_district_body_and_a_printing_footer() -> None:
    doc = extract_text(
        "广州市天河区科技工业和信息化局关于印发支持企业发展实施办法的通知\n各有关单位:\n"
        "第一条 支持发展。对新认定的高新技术企业给予10万元奖励。\n广州市天河区科技工业和信息化局\n"
        "2023年8月9日\n公开方式:主动公开\n广州市天河区科技工业和信息化局办公室\n2023年8月9日印发"
    )
    d = doc.document
    assert (d.region, d.level, d.issued_on) == ("广州市天河区", "区县级", "2023-08-09")
    assert d.issuers == ["广州市天河区科技工业和信息化局"]


def test_joint_issuers_on_one_line_and_page_noise() -> None:
    doc = extract_text(
        "某省工业和信息化厅 某省财政厅关于推进工业互联网发展的若干措施\n各设区市工业和信息化局、财政局:\n"
        "?第一条 平台奖励(jiǎng)。对新入选的省级工业互联网平台给予50万元奖励。\n"
        "某省工业和信息化厅 某省财政厅\n2024年5月6日"
    )
    assert doc.document.issuers == ["某省工业和信息化厅", "某省财政厅"]
    (row,) = doc.incentives
    assert (row.kind, row.amount_wan, row.level) == ("fixed", 50, "省级")
    assert "(jiǎng)" not in row.text and not row.subject.startswith("?")


def test_a_rate_in_its_own_part_before_the_grant() -> None:
    (row,) = rows(
        "对年度内购置工业机器人实际投入达到100万元以上的企业,按照实际投资额的1.5%,最高给予100万元奖补。"
    )
    assert (row.kind, row.ratio, row.base, row.cap_wan) == ("ratio", 0.015, "实际投资额", 100)


def test_tiers_with_rates_printed_once_each() -> None:
    got = rows(
        "对项目设备实际投资达到500万元(含)、3000万元(含)、5000万元(含)以上的,分别按照实际投资额的1.5%、1.8%、2%,最高给予100万元奖补。"
    )
    assert [(r.ratio, r.cap_wan) for r in got] == [(0.015, 100), (0.018, 100), (0.02, 100)]
    assert [r.subject for r in got][1] == "项目设备实际投资达到3000万元(含)以上的"


def test_one_rate_with_a_cap_per_member() -> None:
    got = rows("对产业链支撑性龙头项目、关键性配套项目,按固定资产投资的5%分别给予最高1000万元、500万元支持。")
    assert [(r.subject, r.ratio, r.cap_wan) for r in got] == [
        ("产业链支撑性龙头项目", 0.05, 1000),
        ("关键性配套项目", 0.05, 500),
    ]


def test_wan_without_yuan() -> None:
    got = rows("对年营业收入首次突破1亿元、5亿元、10亿元的企业,分别一次性给予10万元、100万、200万元奖励。")
    assert [r.amount_wan for r in got] == [10, 100, 200] and not any(r.needs_review for r in got)
    (row,) = rows("对首次入规企业给予100万奖励。")
    assert (row.kind, row.amount_wan, row.subject) == ("fixed", 100, "首次入规企业")


def test_qizhong_names_recipients_inside_the_category() -> None:
    got = rows(
        "对获得省级以上称号的工业企业给予财政奖补,其中获省级称号企业奖励10万元,获国家级称号企业奖励30万元。"
    )
    assert [(r.subject, r.amount_wan, r.level) for r in got] == [
        ("获省级称号企业", 10, "省级"),
        ("获国家级称号企业", 30, "国家级"),
    ]


def test_a_title_word_followed_by_de_is_not_the_grant() -> None:
    (row,) = rows("对获得省知识产权质押融资补助的企业予以每户10万元的配套补助。")
    assert (row.subject, row.amount_wan, row.per) == ("获得省知识产权质押融资补助的企业", 10, "户")


def test_zone_and_grading_words_are_not_the_subject() -> None:
    got = rows(
        "对当年新投产入规的工业企业,园区一次性给予20万元奖励;对年产值首次突破10亿元的工业企业,分档给予最高500万元奖励。"
    )
    assert [r.subject for r in got] == ["当年新投产入规的工业企业", "年产值首次突破10亿元的工业企业"]


def test_level_printed_once_after_a_list() -> None:
    got = rows("对新认定的省、市级产业集群数字化转型试点项目,分别给予最高2000万元、500万元奖励。")
    assert [(r.level, r.cap_wan) for r in got] == [("省级", 2000), ("市级", 500)]


def test_a_notice_signature_printed_above_the_policy_it_attaches() -> None:
    doc = extract_text(
        "各镇人民政府、街道办事处,县直机关各单位:\n《某某县推动经济高质量发展若干措施》已经县人民政府同意,现印发给你们。\n"
        "某某县人民政府办公室\n2025年5月7日\n(此件主动公开)\n某某县加快建设现代化产业体系 推动\n经济高质量发展若干措施(试行)\n"
        "一、支持产业提质升级\n(一)支持企业上规模。对首次入规的工业企业给予10万元奖励。(责任单位:县工业和信息化局)\n"
        "(二)支持技术改造。对技改项目给予最高100万元奖励。"
    )
    d = doc.document
    assert d.title == "某某县加快建设现代化产业体系推动经济高质量发展若干措施(试行)"
    assert (d.issuers, d.issued_on, d.region, d.level) == (
        ["某某县人民政府办公室"],
        "2025-05-07",
        "某某县",
        "区县级",
    )


def test_responsible_units_in_square_brackets_and_lead_support_lists() -> None:
    doc = measure_doc(
        "(一)培育集群。对新认定的集群促进机构给予最高1000万元奖补。[责任单位:市经信局、市发改委]\n"
        "(二)项目建设。加快项目建设。(省发展改革委、财政厅牵头;省工业和信息化委、各州、市人民政府配合)"
    )
    assert [(t.id, t.responsible) for t in doc.tasks] == [
        ("一", ["市经信局", "市发改委"]),
        ("二", ["省发展改革委", "财政厅", "省工业和信息化委", "各州、市人民政府"]),
    ]


def test_fenbie_targets_after_thresholds_and_numbers_before_their_nouns() -> None:
    doc = extract_text(
        f"{HEAD}1.培育企业。到2025年,产值超10亿元、50亿元、100亿元工业企业分别达到100家、15家、8家,"
        f"培育形成2个千亿级产业集群和6个五百亿级产业集群。{TAIL}"
    )
    got = [(t.indicator, t.value) for t in doc.targets]
    assert got == [
        ("产值超10亿元工业企业", 100),
        ("产值超50亿元工业企业", 15),
        ("产值超100亿元工业企业", 8),
        ("千亿级产业集群", 2),
        ("五百亿级产业集群", 6),
    ]


def test_yicixing_in_the_lead_in_or_after_the_cap() -> None:
    got = rows(
        "对获得荣誉的企业按级别给予一次性补贴,其中获省级称号企业奖励10万元,获国家级称号企业奖励30万元。"
    )
    assert [(r.amount_wan, r.one_time) for r in got] == [(10, True), (30, True)]
    (row,) = rows(
        "对投入运营的楼宇,给予楼宇投资主体按其自持部分当年区级实际贡献10%,最高不超过100万元人民币的一次性奖励。"
    )
    assert (row.ratio, row.cap_wan, row.one_time) == (0.1, 100, True)


def test_per_member_caps_do_not_make_the_rate_a_ceiling() -> None:
    got = rows("对产业链支撑性龙头项目、关键性配套项目,按固定资产投资的5%分别给予最高1000万元、500万元支持。")
    assert [r.ratio_is_max for r in got] == [False, False]


def test_shoupi_in_a_condition_is_not_a_payment_schedule() -> None:
    (row,) = rows(
        "对于企业首次开展数据资产登记的,按照该企业首批取得数据资产登记证书的登记服务费用的30%补贴,"
        "同一企业年度补贴金额不超过10万元。"
    )
    assert (row.kind, row.ratio, row.cap_wan) == ("ratio", 0.3, 10)
    assert row.base.endswith("登记服务费用")


def test_a_site_banner_is_not_part_of_the_title() -> None:
    doc = extract_text(
        "安徽省行业资讯\n某某高新区惠企40条补贴!某某高新区经济高质量发展政策申报指南\n"
        "某某高新区管委会关于印发经济高质量发展政策的通知\n各有关单位:\n一、支持企业\n"
        "1.测试。对当年新投产入规工业企业给予20万元奖励。"
    )
    assert doc.document.title == "某某高新区管委会关于印发经济高质量发展政策的通知"
    assert doc.document.region == "某某高新区"


def test_a_page_with_its_whole_body_on_one_line() -> None:
    body = "为加快数字经济发展,结合本市实际,制定本意见。" * 15
    body += (
        "一、支持新技术应用。对应用5G新技术项目的企业,按企业实际支付通信服务费的20%给予补助,最高10万元。"
        "二、支持专网建设。对建设5G专网的企业,按实际投资额的20%给予补助,最高30万元。"
    )
    doc = extract_text(f"某市人民政府办公室关于加快数字经济发展的若干意见\n{body}")
    assert [(r.ratio, r.cap_wan, r.subject) for r in doc.incentives] == [
        (0.2, 10, "应用5G新技术项目的企业"),
        (0.2, 30, "建设5G专网的企业"),
    ]


def test_two_grants_run_together_without_a_stop() -> None:
    first, second = rows(
        "对首次入选国家专精特新小巨人的企业分别奖励100万元对2025年前完成工业倍增目标的县区,给予最高不超过1000万元奖励。"
    )
    assert (first.amount_wan, second.cap_wan) == (100, 1000)
    assert second.subject == "2025年前完成工业倍增目标的县区"


def test_an_article_heading_glued_to_its_sentence() -> None:
    doc = extract_text("某区奖励办法\n第三条 自持奖励对投入运营的楼宇,给予投资主体20万元奖励。")
    (row,) = doc.incentives
    assert row.subject.startswith("投入运营的楼宇") and row.amount_wan == 20
