"""The miss categories of the "read any city's policy" issue, each with sentences written for this
test: one that the pattern must read, and one that looks alike but must not be read that way."""

from __future__ import annotations

import pytest

from huiqi.extract.model import Incentive
from huiqi.extract.pipeline import extract_text

HEAD = "某县人民政府关于加快工业经济发展的若干意见\n某政发〔2024〕8号\n一、支持企业发展\n"


def rows(*lines: str) -> list[Incentive]:
    return extract_text(HEAD + "\n".join(lines)).incentives


def values(found: list[Incentive]) -> list[tuple]:
    return [(r.kind, r.amount_wan, r.cap_wan, r.ratio) for r in found]


# --- lines broken by the collector ------------------------------------------------------------


def test_a_clause_ended_with_a_semicolon_continues_on_the_next_line() -> None:
    found = rows(
        "1.对获评国家级、省级示范工程并被列为承建单位的,每项分别奖励6万元、3万元;",
        "被列为参建单位的,每项分别奖励3万元、1万元。",
    )
    assert values(found)[:2] == [("fixed", 6, None, None), ("fixed", 3, None, None)]
    assert [r.amount_wan for r in found[2:]] == [3, 1]
    assert all("参建单位" in r.subject for r in found[2:])


def test_a_ratio_broken_at_its_colon_is_joined_and_flagged() -> None:
    (row,) = rows("1.对经批准的引智项目,按上级资助额给予1:", "1配套经费补助。")
    assert (row.kind, row.ratio) == ("ratio", 1.0)
    assert row.needs_review and "跨行断开" in row.notes[0]


def test_a_new_numbered_item_is_not_joined_to_a_clause_before_it() -> None:
    found = rows("1.对新认定的高新技术企业给予10万元奖励;", "2.对新认定的科技型中小企业给予2万元奖励。")
    assert [r.section for r in found] == ["1", "2"]


def test_grades_listed_at_the_start_of_a_line_are_not_a_heading() -> None:
    found = rows("1.对获得区科技进步奖的项目,每项奖励5万元;", "一、二等奖的,每项分别奖励3万元、2万元。")
    assert [(r.subject, r.amount_wan) for r in found[1:]] == [("一等奖的", 3), ("二等奖的", 2)]


# --- lists ------------------------------------------------------------------------------------


def test_respectively_with_one_amount_gives_each_member_a_row() -> None:
    found = rows("1.获得国家级质量奖三等奖、省级质量奖一等奖的,每项分别奖励1万元。")
    assert [(r.subject, r.amount_wan, r.level) for r in found] == [
        ("获得国家级质量奖三等奖的", 1, "国家级"),
        ("获得省级质量奖一等奖的", 1, "省级"),
    ]


def test_a_shared_amount_without_respectively_is_one_row() -> None:
    (row,) = rows("1.对新认定的专利示范企业、知识产权贯标企业,给予5万元奖励。")
    assert row.amount_wan == 5


def test_members_separated_by_dunhao_hold_alternatives_joined_by_huo() -> None:
    found = rows(
        "1.新评为中国质量奖、浙江省质量奖或品牌产品、台州市质量奖或品牌产品,分别奖励50万元、30万元和10万元。"
    )
    assert [(r.subject, r.amount_wan) for r in found] == [
        ("新评为中国质量奖", 50),
        ("新评为浙江省质量奖或品牌产品", 30),
        ("新评为台州市质量奖或品牌产品", 10),
    ]
    assert not any(r.needs_review for r in found)


def test_a_word_holding_a_separator_character_is_not_split() -> None:
    found = rows("1.主持或参与行业标准制定的,每项分别给予8万元、4万元奖励。")
    assert [(r.subject, r.amount_wan) for r in found] == [
        ("主持行业标准制定的", 8),
        ("参与行业标准制定的", 4),
    ]


def test_thresholds_each_printed_with_their_qualifier() -> None:
    found = rows("1.对年营业额首次达到3000万元及以上、1亿元及以上的企业,分别给予一次性奖励5万元、10万元。")
    assert [r.subject for r in found] == [
        "年营业额首次达到3000万元及以上的企业",
        "年营业额首次达到1亿元及以上的企业",
    ]


# --- amounts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("1.对新落户的软件企业给予20万元以内的补助。", ("max", None, 20, None)),
        ("1.对技改项目按设备投资额5%以内给予补助,最高不超过50万元。", ("ratio", None, 50, 0.05)),
        ("1.对营业收入在5000万元以内的企业给予2万元奖励。", ("fixed", 2, None, None)),
    ],
)
def test_yinei_after_an_amount_is_a_ceiling_but_not_in_a_condition(sentence: str, expected: tuple) -> None:
    (row,) = rows(sentence)
    assert values([row])[0] == expected


def test_an_amount_per_amount_is_a_rate() -> None:
    (row,) = rows("1.对年纳税额比上年增加的企业,按增加部分每100万元给予4万元的奖励,上不封顶。")
    assert (row.kind, row.ratio, row.cap_wan, row.base) == ("ratio", 0.04, None, "增加部分")


def test_an_amount_per_unit_that_is_not_money_is_not_a_rate() -> None:
    (row,) = rows("1.对代理专利300件以上的代理机构,给予3万元奖励。")
    assert values([row])[0] == ("fixed", 3, None, None)


def test_a_threshold_in_the_subject_is_not_a_reward() -> None:
    (row,) = rows(
        "1.企业当年缴纳税收总额在500万元(含)-1000万元的,给予企业负责人个人所得税地方留成部分的50%奖励。"
    )
    assert (row.kind, row.ratio) == ("ratio", 0.5)


def test_a_policy_name_with_a_grant_word_grants_nothing_itself() -> None:
    found = rows("1.人才奖励政策。对引进的博士给予5万元生活补助。")
    assert values(found) == [("fixed", 5, None, None)]


def test_a_bracketed_adjustment_is_left_out_and_flagged() -> None:
    (row,) = rows("1.企业在境内首发上市的,给予一次性奖励300万元(募投项目未落地本县的,奖励按50%执行)。")
    assert (row.kind, row.amount_wan, row.ratio) == ("fixed", 300, None)
    assert row.needs_review and "按50%执行" in row.notes[0]


def test_a_bracketed_cap_is_the_grants_cap() -> None:
    (row,) = rows("1.对企业购置研发设备,按购置额的10%给予补助(单个企业最高不超过30万元)。")
    assert (row.kind, row.ratio, row.cap_wan) == ("ratio", 0.1, 30)


def test_rates_listed_with_one_qualifier_and_caps_listed_with_fenbie() -> None:
    first, second = rows(
        "1.经认定为咨询示范项目、咨询试点项目的,分别按其咨询费(3万元以上,以发票为准)40%、20%以内给予补助,"
        "最高分别不超过10万元、5万元。"
    )
    assert (first.ratio, first.cap_wan, first.ratio_is_max, first.base) == (0.4, 10, True, "咨询费")
    assert (second.ratio, second.cap_wan, second.ratio_is_max) == (0.2, 5, True)


def test_a_recipient_with_a_bracketed_limit_names_the_row() -> None:
    (row,) = rows("1.企业年纳税超过1000万元的,给予企业高级管理人员(限2名)个人所得税地方留成部分的50%奖励。")
    assert row.subject.endswith("高级管理人员")


# --- benefits without a number, and clauses that grant nothing -----------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "1.对列入重点培育名单的企业,择优给予重点扶持。",
        "1.对重大招商项目,拟行“一事一议”政策。",
        "1.对开展专利维权的企业,对其维权费用给予适当补助。",
    ],
)
def test_a_benefit_without_a_number_is_unspecified(sentence: str) -> None:
    (row,) = rows(sentence)
    assert row.kind == "unspecified"


@pytest.mark.parametrize(
    "sentence",
    [
        "1.复评通过的,不再予以奖励。",
        "1.如企业当年亩均税收未达到基数的,则当年不予奖励。",
        "1.其他领域的优秀人才,可由主管部门自行组织评选和奖励。",
        "1.对无异议的企业,由县经信局与县财政局联合发文奖励。",
        "1.在园区企业中开展重点扶持。",
    ],
)
def test_a_clause_that_withholds_or_only_administers_money_is_no_row(sentence: str) -> None:
    assert rows(sentence) == []


# --- levels -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "level"),
    [
        ("经省认定为首台(套)产品的企业", "省级"),
        ("新获得“浙江制造”认证的企业", "省级"),
        ("认定为乐清市级企业研发中心的企业", "区县级"),
        ("新评为宁波市知名商标的企业", "市级"),
        ("开拓省外市场的企业", None),
    ],
)
def test_levels_from_approval_place_names_and_county_level_cities(subject: str, level: str | None) -> None:
    (row,) = rows(f"1.对{subject},给予10万元奖励。")
    assert row.level == level


# --- schedules and caps stated apart from their grants --------------------------------------------


def test_amounts_listed_after_a_lead_in_are_grants() -> None:
    found = rows(
        "1.种子资金。",
        "(1)标准:",
        "按项目研发投入情况分类确定资助额度(无偿资助):",
        "甲类20万元;",
        "乙类10万元;",
        "丙类不予资助。",
    )
    assert [(r.subject, r.kind, r.amount_wan) for r in found] == [
        ("甲类", "fixed", 20),
        ("乙类", "fixed", 10),
    ]


def test_amounts_without_a_lead_in_are_not_grants() -> None:
    assert rows("1.入园企业条件。", "年销售收入500万元;", "研发人员占比10%。") == []


def test_a_section_titled_as_a_schedule_reads_its_amounts() -> None:
    found = rows("1.技能提升补贴。", "(1)补贴标准:", "初级工800元,中级工1200元,高级工1600元。")
    assert [(r.subject, r.amount_wan) for r in found] == [
        ("初级工", 0.08),
        ("中级工", 0.12),
        ("高级工", 0.16),
    ]


def test_a_cap_clause_after_a_grant_without_a_number_caps_it() -> None:
    (row,) = rows("1.对新设立的研发机构,经核定给予一定的奖励;单个项目补贴金额最高不超过300万元。")
    assert (row.kind, row.cap_wan) == ("max", 300)


def test_a_programme_maximum_stated_once_caps_the_rates_of_its_article() -> None:
    found = rows(
        "1.对技术改造项目按设备投资额的8%给予补助。",
        "对智能化改造项目按软件投资额的10%给予补助。",
        "单个项目最高不超过500万元。",
    )
    assert [(r.ratio, r.cap_wan) for r in found] == [(0.08, 500), (0.1, 500)]


def test_a_cap_sentence_with_nothing_before_it_is_no_cap_of_fixed_grants() -> None:
    found = rows("1.对新认定的小巨人企业给予50万元奖励。", "单个企业最高不超过100万元。")
    assert [(r.kind, r.amount_wan, r.cap_wan) for r in found] == [("fixed", 50, None)]


def test_a_budget_sharing_rule_is_not_a_grant() -> None:
    found = rows(
        "1.对海铁联运的承运企业,每标箱补助200元。",
        "当补助总额超过300万元时,以300万元除以实际箱数的金额作为每箱的补助标准给予补助。",
    )
    assert [(r.amount_wan, r.per) for r in found] == [(0.02, "标箱")]


def test_a_procedural_condition_does_not_replace_who_qualifies() -> None:
    (row,) = rows("1.鼓励小微企业组织内部管理培训,经认定,按培训费用的20%给予补助,最高不超过5万元。")
    assert row.subject == "小微企业组织内部管理培训"


def test_rates_pair_with_the_list_of_what_they_apply_to() -> None:
    found = rows(
        "1.对投资额80万元以上的信息化项目,按软、硬件实际投入分别给予30%、20%的补助,上述最高补助100万元。"
    )
    assert [(r.ratio, r.base, r.cap_wan, r.needs_review) for r in found] == [
        (0.3, "软件实际投入", 100, False),
        (0.2, "硬件实际投入", 100, False),
    ]


def test_named_kinds_too_long_for_a_list_pair_with_their_amounts() -> None:
    found = rows(
        "1.对年营业收入达到50亿元且税收达到3亿元的“领航”企业、年营业收入达到10亿元且税收达到1亿元的“骨干”企业,"
        "由县政府给予表彰,并分别奖励300万元、100万元。"
    )
    assert [(r.amount_wan, "领航" in r.subject, "骨干" in r.subject) for r in found] == [
        (300, True, False),
        (100, False, True),
    ]


def test_a_rate_before_a_grant_word_without_an_amount_belongs_to_it() -> None:
    (row,) = rows("1.对年销售收入达到50亿元的工业企业,按年度新增地方贡献的3%,奖励企业用于技术改造。")
    assert (row.kind, row.ratio, row.base) == ("ratio", 0.03, "年度新增地方贡献")


def test_a_project_cap_inside_a_grant_sentence_is_the_grants_cap_not_a_stacking_rule() -> None:
    doc = extract_text(HEAD + "1.对境外投资项目,按实际投资额的1%给予奖励,单个项目累计最高奖励30万元。")
    assert [(r.ratio, r.cap_wan) for r in doc.incentives] == [(0.01, 30)]
    assert doc.stacking == []


def test_a_split_of_one_grant_between_recipients_is_not_a_new_grant() -> None:
    (row,) = rows(
        "1.对设计成果实现产业化的,按照设计成果交易额的40%给予奖励,其中70%奖励设计机构,30%奖励制造企业,"
        "单个项目最高奖励30万元。"
    )
    assert (row.ratio, row.cap_wan) == (0.4, 30)


def test_the_amounts_own_unit_wins_over_the_caps() -> None:
    (row,) = rows("1.对节能改造项目,按年节能量给予每吨标准煤200元奖励,单个项目最高奖励50万元。")
    assert (row.amount_wan, row.per, row.cap_wan) == (0.02, "吨", 50)


def test_an_alternative_basis_does_not_take_the_cap_from_the_grant() -> None:
    (row,) = rows(
        "1.参加境外展会的,每个展位给予1万元补助,如展位费少于1万元,按实际展位费给予补助,单个企业年度最高补助8万元。"
    )
    assert (row.kind, row.amount_wan, row.cap_wan, row.per, row.subject) == (
        "fixed",
        1,
        8,
        "展位",
        "参加境外展会的",
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "1.对企业获得的上级专项奖励资金,县财政给予全额拨付。",
        "1.对亩均税收达到20万元的企业,实行城镇土地使用税差别化减免政策。",
    ],
)
def test_passing_money_on_and_tax_relief_are_not_incentives(sentence: str) -> None:
    assert rows(sentence) == []


def test_a_grant_without_any_subject_takes_its_sections_heading() -> None:
    (row,) = rows("1.技术改造补助。按实际完成投资额3%以内补助,本项最高补助额度为100万元。")
    assert (row.subject, row.ratio, row.ratio_is_max, row.cap_wan) == ("技术改造补助", 0.03, True, 100)


def test_a_this_item_cap_sentence_caps_the_rate_before_it() -> None:
    (row,) = rows("1.对新兴产业项目,按新增固定资产投资额的8%给予补助。", "本项最高补助额度为200万元。")
    assert (row.ratio, row.cap_wan) == (0.08, 200)


def test_two_threshold_lists_joined_by_qie_pair_member_by_member() -> None:
    found = rows(
        "1.营业收入达到10亿元、1亿元(含)以上且入库税收达到5000万元、500万元(含)以上的企业,分别一次性奖励100万元、10万元。"
    )
    assert [r.subject for r in found] == [
        "营业收入达到10亿元以上且入库税收达到5000万元以上的企业",
        "营业收入达到1亿元(含)以上且入库税收达到500万元(含)以上的企业",
    ]


# --- identical grants ---------------------------------------------------------------------------


def _key(row: Incentive) -> tuple:
    return (row.text, row.subject, row.kind, row.amount_wan, row.cap_wan, row.ratio)


def test_a_sentence_repeated_in_a_document_gives_identical_rows() -> None:
    sentence = "对通过重新认定的高新技术企业,给予10万元奖励。"
    doc = extract_text(HEAD + f"1.支持创新。{sentence}\n二、其他\n2.重申。{sentence}")
    first, second = doc.incentives
    assert _key(first) == _key(second)


def test_two_budget_levels_paying_the_same_amounts_in_one_clause_differ_by_payer() -> None:
    # The city's grant and the district's top-up are shares of one benefit (the matcher adds them):
    # they share text, subject and amounts, and only their payers tell them apart.
    found = rows(
        "1.对经认定为国家级、省级的工业设计中心,市政府分别给予50万元、20万元奖励,"
        "在市政府奖励的基础上,我区再相应配套分别给予50万元、20万元奖励。"
    )
    assert [(r.amount_wan, r.payers[0].payer) for r in found] == [
        (50, "市级"),
        (20, "市级"),
        (50, "区级"),
        (20, "区级"),
    ]
    assert len({(*_key(r), tuple(p.payer for p in r.payers)) for r in found}) == 4


# --- doubt is flagged ------------------------------------------------------------------------------


def test_an_amount_no_row_accounts_for_flags_the_rows_of_its_clause() -> None:
    (row,) = rows(
        "1.对开展促销活动的商场,按活动费用的5%给予奖励,单次奖励不超过5万元,单个企业最高奖励不超过20万元。"
    )
    assert (row.ratio, row.cap_wan) == (0.05, 5)
    assert row.needs_review and "20万元" in row.notes[-1]


def test_thresholds_listed_together_are_not_leftovers() -> None:
    found = rows("1.对当年销售额达到8亿元、5亿元、2亿元的批发企业,分别给予10万元、7万元、5万元的奖励。")
    assert [r.amount_wan for r in found] == [10, 7, 5]
    assert not any(r.needs_review for r in found)


def test_a_cap_inside_the_rate_phrase_is_the_cap() -> None:
    (row,) = rows("1.大学生租用场地创业的,每年按年租金的50%且最高不超过1万元的标准给予租金补贴。")
    assert (row.ratio, row.cap_wan, row.needs_review) == (0.5, 1, False)


def test_a_top_up_on_another_article_is_a_grant() -> None:
    first, second = rows(
        "1.新认定的国家高新技术企业、市级高新技术企业,在本意见第5条基础上分别增加20万元、10万元奖励。"
    )
    assert (first.amount_wan, second.amount_wan) == (20, 10)


# --- the remaining miss categories -----------------------------------------------------------------


def test_progressive_bands_give_one_row_per_band_on_the_same_base() -> None:
    low, high = rows(
        "1.对技改项目,按设备投资额2000万元以下部分按8%、2000万元以上部分按5%给予补助,最高不超过300万元。"
    )
    assert [(r.ratio, r.cap_wan, r.base) for r in (low, high)] == [
        (0.08, 300, "设备投资额"),
        (0.05, 300, "设备投资额"),
    ]
    assert "以下部分" in low.subject and "以上部分" in high.subject
    assert not low.needs_review and "分段累进" in low.notes[0]


def test_recipients_printed_with_their_own_amounts() -> None:
    found = rows("1.对新认定的首台套产品,分别给予研发单位最高60万元、使用单位最高40万元的奖励。")
    assert [(r.subject, r.cap_wan) for r in found] == [
        ("新认定的首台套产品的研发单位", 60),
        ("新认定的首台套产品的使用单位", 40),
    ]


@pytest.mark.parametrize(
    ("sentence", "ratio", "base"),
    [
        ("1.对列入国家重大专项的项目,按国家补助资金1:1给予配套。", 1.0, "国家补助资金"),
        ("1.对获得省科技进步奖的项目,按省级奖励的50%给予配套奖励。", 0.5, "省级奖励"),
        ("1.对获得国家科技进步奖的,按国家奖金的2倍给予奖励。", 2.0, "国家奖金"),
    ],
)
def test_matching_grants_are_rates_of_the_other_grant(sentence: str, ratio: float, base: str) -> None:
    (row,) = rows(sentence)
    assert (row.kind, row.ratio, row.base) == ("ratio", ratio, base)


def test_a_floor_is_kept() -> None:
    (row,) = rows("1.对新认定的省级工程研究中心,给予不低于15万元的奖励。")
    assert (row.kind, row.amount_wan) == ("min", 15)


def test_letters_a_scan_mistook_for_digits_are_read_and_flagged() -> None:
    (row,) = rows("1.对新认定的国家级企业技术中心,给予IOo万元奖励。")
    assert (row.amount_wan, row.needs_review) == (100, True)
    assert "IOo→100" in row.notes[0]


def test_codes_with_letters_are_not_numbers() -> None:
    (row,) = rows("1.对实施ERP系统的企业,按投资额的10%给予补助。")
    assert (row.ratio, row.needs_review) == (0.1, False)


# --- patterns seen in the first held-out round (sentences written for these tests) ----------------


def test_an_exhorting_heading_glued_to_its_grant_sentence_is_not_the_subject() -> None:
    found = extract_text(
        HEAD
        + "二、鼓励专业市场建立统一经营机制对统一管理的专业市场年交易额首次突破1亿元、3亿元的分别给予一次性10万元、30万元的奖励。"
    ).incentives
    assert [r.subject for r in found] == [
        "统一管理的专业市场年交易额首次突破1亿元的",
        "统一管理的专业市场年交易额首次突破3亿元的",
    ]


def test_a_list_inside_one_pair_of_quotes() -> None:
    found = rows("1.对新评为“省级老字号、中华老字号”的企业,分别给予一次性10万元、20万元的奖励。")
    assert [(r.subject, r.level) for r in found] == [
        ("新评为“省级老字号”的企业", "省级"),
        ("新评为“中华老字号”的企业", "国家级"),
    ]


def test_conditions_before_a_bare_recipient_after_dui_name_who_qualifies() -> None:
    found = rows(
        "1.在本县成功举办的区域性、全国性、国际性展会,经认定的,对主办方给予3万元、8万元、12万元的补助。"
    )
    assert [("区域性" in r.subject, r.amount_wan) for r in found] == [(True, 3), (False, 8), (False, 12)]
    assert all(r.subject.endswith("主办方") for r in found)


def test_amounts_each_followed_by_the_case_in_brackets() -> None:
    found = rows("1.对参加统一组织展会的企业,每个展位一次性补助0.2万元(县内)、0.4万元(省内)、0.8万元(省外)。")
    assert [r.subject[-4:] for r in found] == ["(县内)", "(省内)", "(省外)"]
    assert not any(r.needs_review for r in found)


def test_rates_for_periods_of_years() -> None:
    first, later = rows("1.对新引进的总部企业,给予地方财政贡献前3年80%后2年40%的奖励。")
    assert [(first.ratio, first.subject[-5:]), (later.ratio, later.subject[-5:])] == [
        (0.8, "(前3年)"),
        (0.4, "(后2年)"),
    ]


def test_tiers_named_before_their_verbs_in_one_part() -> None:
    first, second = rows("1.对新认定的国家级绿色示范企业奖励40万元、省级绿色示范企业奖励10万元。")
    assert (first.subject, first.level, second.subject, second.level) == (
        "新认定的国家级绿色示范企业",
        "国家级",
        "省级绿色示范企业",
        "省级",
    )


def test_a_limit_stated_as_a_share_of_investment_is_flagged_not_read_as_a_grant() -> None:
    (row,) = rows("1.对新建的农贸市场,给予一次性不超过10万元的开办费奖励,该奖励费用不超过其新建投资额的5%。")
    assert (row.kind, row.cap_wan, row.needs_review) == ("max", 10, True)
    assert "该奖励费用不超过其新建投资额的5%" in row.notes[0]


def test_a_derived_amount_is_flagged_not_computed() -> None:
    found = rows(
        "1.对新建物流项目按投资额的4%给予补助,最高200万元;列入省重点项目的,补助比例与限额分别再提高1个百分点和100万元。"
    )
    assert [(r.ratio, r.cap_wan) for r in found] == [(0.04, 200)]


def test_a_second_grant_joined_by_bing_and_a_rate_threshold() -> None:
    fixed, share = rows(
        "1.对年度列入省服务业重点企业的,给予10万元奖励并对其地方财政贡献同比增速超过10%部分给予全额奖励。"
    )
    assert (fixed.kind, fixed.amount_wan, share.kind, share.ratio) == ("fixed", 10, "ratio", 1.0)


def test_a_level_word_before_a_department_is_no_level() -> None:
    (row,) = rows("1.对参加市级部门统一组织展会的企业,给予2万元补助。")
    assert row.level is None


# --- patterns seen in the second held-out round (sentences written for these tests) ---------------


def test_a_standard_stated_after_the_benefit_is_its_amount() -> None:
    (row,) = rows("1.重点人才所在单位,可以申请薪资补助,标准按计税报酬总额的40%,最高每人每年30万元。")
    assert (row.kind, row.ratio, row.cap_wan) == ("ratio", 0.4, 30)


def test_an_allowance_paid_per_month() -> None:
    (row,) = rows("1.对入选县级拔尖人才的,发放政府津贴800元/月。")
    assert (row.kind, row.amount_wan, row.per) == ("fixed", 0.08, None) or (row.amount_wan, row.kind) == (
        0.08,
        "fixed",
    )


def test_a_grant_before_a_second_dui_is_kept_with_the_later_one() -> None:
    first, second = rows(
        "1.高校在本县设立技术转移机构的,每年给予最高30万元的经费资助,对促成成果转化的,按交易额的一定比例给予补助。"
    )
    assert (first.kind, first.cap_wan, second.kind) == ("max", 30, "unspecified")


def test_a_cumulative_ceiling_named_by_its_benefit() -> None:
    (row,) = rows("1.对初次创办企业的高校毕业生,视经营状况给予最长2年,累计不超过8万元的创业补贴。")
    assert (row.kind, row.cap_wan, row.subject) == ("max", 8, "初次创办企业的高校毕业生")


def test_loans_and_guarantees_in_a_schedule_are_not_grants() -> None:
    found = rows(
        "1.创业担保贷款。",
        "(1)补贴标准:",
        "符合条件的个体工商户可申请不超过20万元的创业担保贷款;",
        "注册资本10万元以上的,担保额度不超过30万元。",
    )
    assert found == []


def test_a_rate_before_the_benefit_noun_and_the_case_after_qizhong() -> None:
    found = rows(
        "1.对重点人群实行全额贴息,其他人员实行50%贴息。",
        "2.城乡劳动者一次性给予3000元补贴,其中退役军人的补贴标准为5000元。",
    )
    assert [(r.kind, r.ratio, r.amount_wan) for r in found] == [
        ("ratio", 1.0, None),
        ("ratio", 0.5, None),
        ("fixed", None, 0.3),
        ("fixed", None, 0.5),
    ]


def test_a_benefit_in_a_guide_takes_the_items_heading_as_subject() -> None:
    (row,) = extract_text(
        HEAD + "九、高校毕业生见习补助\n(三)补贴标准和期限:\n在见习期限内给予每人每月1000元的见习补助。"
    ).incentives
    assert (row.subject, row.amount_wan) == ("高校毕业生见习补助", 0.1)


def test_a_reduction_in_brackets_after_listed_amounts_keeps_them_and_is_flagged() -> None:
    found = rows(
        "1.对新认定为国家体育产业示范基地、示范单位,分别给予40万元、20万元的一次性奖励(省级减半执行)。"
    )
    assert [r.amount_wan for r in found] == [40, 20]
    assert all(r.needs_review and "减半" in r.notes[-1] for r in found)


def test_projects_left_to_case_by_case_are_not_granted_here() -> None:
    assert rows("1.对采取“一事一议”的重大项目,不再享受本政策。") == []


# --- third blind round (another province's web pages and guides) ------------------------------


def test_as_much_again_as_another_grant_is_a_rate_of_one() -> None:
    (row,) = rows(
        "1.对入选的成长型企业,以其获得的上级研发补助为标准,再给予相同额度资金奖励,每年最高不超过80万元。"
    )
    assert (row.kind, row.ratio, row.cap_wan) == ("ratio", 1.0, 80)
    # "相同条件" names who qualifies, not how much: the amount stays the one printed.
    (other,) = rows("2.对具备相同条件的园区企业给予5万元奖励。")
    assert (other.kind, other.amount_wan) == ("fixed", 5)


def test_a_ceiling_on_this_grant_named_with_gaixiang_caps_it_and_is_no_stacking_rule() -> None:
    doc = extract_text(
        HEAD + "1.对服务机构按其年度服务收入的8%给予奖励,每个机构单一年度该项奖励金额合计不超过60万元。"
    )
    ((kind, ratio, cap),) = [(r.kind, r.ratio, r.cap_wan) for r in doc.incentives]
    assert (kind, ratio, cap) == ("ratio", 0.08, 60)
    assert not [s for s in doc.stacking if s.rule == "cap_per_enterprise"]
    # A limit on everything an enterprise receives stays a stacking rule.
    doc = extract_text(HEAD + "1.对服务机构给予10万元奖励。每家企业每年享受本办法奖励累计不超过50万元。")
    assert [s.limit_wan for s in doc.stacking if s.rule == "cap_per_enterprise"] == [50]


def test_a_cumulative_ceiling_on_the_grant_amount_caps_it() -> None:
    (row,) = rows("1.对取得质量认证的企业给予认证费用40%资助,资助金额累计不超过12万元。")
    assert (row.kind, row.ratio, row.cap_wan) == ("ratio", 0.4, 12)


def test_a_ceiling_per_unit_stated_with_dui_caps_the_grant_and_a_second_one_is_flagged() -> None:
    (row,) = rows(
        "1.对本县注册的天使基金,按其投资本县初创项目金额的3%给予奖励,对同一项目投资给予的奖励最高40万元,"
        "对一家基金每年的奖励金额最高120万元。"
    )
    assert (row.kind, row.ratio, row.cap_wan) == ("ratio", 0.03, 40)
    assert row.needs_review and "120万元" in row.notes[0]
    # A new recipient after 对 is a grant of its own, not a ceiling.
    found = rows("1.对新认定的企业给予10万元奖励,对新认定的省级企业给予的奖励为30万元。")
    assert len(found) == 2


def test_a_trailing_ceiling_sentence_with_a_remark_on_who_may_apply_caps_the_rows_before() -> None:
    found = rows(
        "1.对获得国家部委立项的平台项目给予100%配套;对获得省、市级立项的平台项目分别给予60%、40%配套。",
        "原则上单个项目最高配套额度为300万元,每个单位每年可申请一项。",
    )
    assert [(r.ratio, r.cap_wan) for r in found] == [(1.0, 300), (0.6, 300), (0.4, 300)]
    # A sentence that grants again is no ceiling for the rows before it.
    found = rows("1.对获得省级立项的平台项目给予60%配套。单个项目最高奖励300万元,对市级项目给予5万元奖励。")
    assert found[0].cap_wan is None


def test_a_topic_sentence_naming_a_grant_by_a_noun_phrase_is_no_row() -> None:
    found = rows("1.对获得标准奖的资助。对主导制定国家标准的企业,给予20万元奖励。")
    assert values(found) == [("fixed", 20, None, None)]
    # A grant stated with its verb at the end still is one.
    (row,) = rows("2.对主导制定行业标准的企业,按规定予以资助。")
    assert row.kind == "unspecified"


def test_a_label_or_a_form_box_ending_in_a_benefit_word_is_no_row() -> None:
    doc = extract_text(
        "关于申报2024年度企业入统奖励的办事指南\n一、奖励标准\n对符合条件的申报单位,给予5万元入统奖励。\n附件\n2024年度企业入统奖励\n□批发业奖励\n"
    )
    assert values(doc.incentives) == [("fixed", 5, None, None)]


def test_only_the_highest_level_of_an_award_is_a_stacking_rule_not_a_row() -> None:
    doc = extract_text(
        HEAD
        + "1.对获得省级成果奖的项目给予8万元奖励。同一成果同时获得多个级别奖项的,仅对最高级别的奖项给予奖励。"
    )
    assert values(doc.incentives) == [("fixed", 8, None, None)]
    assert [s.rule for s in doc.stacking] == ["highest_only"]


def test_a_ceiling_on_two_grants_together_is_a_limit_not_a_grant() -> None:
    doc = extract_text(
        HEAD
        + "1.对骨干人才按其个人所得税地方留成的50%给予奖励。两项奖励总额最高为其个人所得税地方留成的90%。"
    )
    assert values(doc.incentives) == [("ratio", None, None, 0.5)]
    assert [s.rule for s in doc.stacking] == ["cap_per_enterprise"]
    # One grant's rate printed with 最高 is still a grant.
    (row,) = rows("2.对引进的高级人才,按其个人所得税地方留成的最高90%给予奖励。")
    assert (row.kind, row.ratio) == ("ratio", 0.9)


def test_the_recipient_named_between_the_rate_and_the_verb_is_the_subject() -> None:
    (row,) = rows("1.鼓励检测机构开放服务。按其对外服务实际收入的6%对检测机构给予奖励。")
    assert (row.subject, row.ratio) == ("检测机构", 0.06)


def test_a_rate_part_before_dui_gai_qiye_belongs_to_the_grant_to_that_subject() -> None:
    (row,) = rows(
        "1.对取得银行贷款的小微企业,按其贷款基准利率的50%,对该企业给予贴息补助,贴息金额不超过30万元。"
    )
    assert (row.subject, row.kind, row.ratio, row.cap_wan) == ("取得银行贷款的小微企业", "ratio", 0.5, 30)


def test_a_guide_naming_the_applicant_in_its_rate_phrase_gives_a_row() -> None:
    doc = extract_text(
        "专利贷款贴息办事指南\n四、奖励标准\n按申报单位当笔贷款基准利率的50%给予贴息补助,贴息金额不超过20万元。\n"
    )
    assert [(r.subject, r.ratio, r.cap_wan) for r in doc.incentives] == [("申报单位", 0.5, 20)]


def test_a_list_inside_a_legal_basis_is_not_who_is_paid() -> None:
    found = rows(
        "1.根据国家、省鼓励进口技术和产品目录,鼓励企业进口关键设备、零部件、原材料,年度进口额达到50万美元以上,"
        "分别给予每进口1美元资助0.04元、0.03元、0.01元。"
    )
    assert [r.amount_wan for r in found] == [0.000004, 0.000003, 0.000001]
    # The amounts are not paired with 国家 | 省鼓励进口技术 | 产品目录: the officer is asked to look.
    assert all(r.needs_review for r in found)
    assert not any(r.subject.startswith("根据国家,") for r in found)


def test_a_lead_in_whose_amounts_are_listed_in_the_items_under_it_is_no_row() -> None:
    found = rows(
        "(一)对新落户的总部企业,根据企业实缴注册资本给予落户奖励。",
        "1.实缴注册资本1亿元(含)至5亿元的,奖励200万元;",
        "2.实缴注册资本5亿元(含)以上的,奖励500万元。",
        "(二)对新落户的研发中心,给予一定的资金支持。",
    )
    assert [(r.kind, r.amount_wan) for r in found] == [("fixed", 200), ("fixed", 500), ("unspecified", None)]


def test_named_awards_in_quotes_sharing_one_amount_each_get_a_row() -> None:
    found = rows("1.设立“卓越技师奖”、“青年创新奖”,给予每人3万元奖励。")
    assert [(r.subject, r.amount_wan) for r in found] == [("设立“卓越技师奖”", 3), ("设立“青年创新奖”", 3)]
    # One quoted name and a plain list beside it: one row.
    (row,) = rows("2.对获得“品字标”认证的研发、制造企业给予3万元奖励。")
    assert row.amount_wan == 3


def test_items_after_qizhong_each_print_their_own_amount() -> None:
    found = rows(
        "1.对新引进的全日制本科及以上学历人才发放生活补贴,其中本科生1万元,硕士研究生3万元,博士研究生5万元。"
    )
    assert [(r.subject, r.kind, r.amount_wan) for r in found] == [
        ("本科生", "fixed", 1),
        ("硕士研究生", "fixed", 3),
        ("博士研究生", "fixed", 5),
    ]


def test_a_schedule_inside_an_an_biaozhun_phrase_gives_one_row_per_item() -> None:
    found = rows("1.对认定的研发机构,按博士每人6万元、硕士每人3万元的标准,给予研发机构人才补贴。")
    assert [(r.amount_wan, r.per) for r in found] == [(6, "人"), (3, "人")]
    assert "博士" in found[0].subject and "硕士" in found[1].subject
    # A standard that is one amount stays one row.
    (row,) = rows("2.对认定的研发机构,按每人6万元的标准给予补贴。")
    assert row.amount_wan == 6


def test_an_amount_per_unit_stated_as_a_standard_before_the_grant_is_its_amount() -> None:
    (row,) = rows("1.根据园区当年引进企业的数量,按5万元/家的标准,给予园区运营方一次性奖励。")
    assert (row.kind, row.amount_wan, row.per) == ("fixed", 5, "家")


def test_a_ceiling_word_inside_the_rate_phrase_makes_a_per_unit_amount_a_maximum() -> None:
    (row,) = rows("1.对研发机构租用的场地按每平方米每月最高30元给予租金补贴。")
    assert (row.kind, row.cap_wan, row.per) == ("max", 0.003, "平方米")
    (plain,) = rows("2.对研发机构租用的场地按每平方米每月30元给予租金补贴。")
    assert (plain.kind, plain.amount_wan) == ("fixed", 0.003)


def test_a_sentence_opening_with_geiyu_names_its_recipient_before_the_amount() -> None:
    (row,) = rows("1.给予省级以上名医、学科带头人等高层次医疗人才最高80万元安家补贴。")
    assert (row.subject, row.kind, row.cap_wan) == ("省级以上名医、学科带头人等高层次医疗人才", "max", 80)


def test_words_quoted_inside_one_pair_to_describe_an_income_are_no_list_of_awards() -> None:
    (row,) = rows("1.对有限合伙人,其“利息、股息所得”等投资收益,按其地方贡献的60%给予奖励。")
    assert (row.kind, row.ratio) == ("ratio", 0.6)


def test_a_sentence_of_limits_on_the_grants_above_grants_nothing() -> None:
    found = rows(
        "1.对参加重点展会的企业给予展位费80%资助;",
        "对参加境外展会的企业给予人员费50%资助。",
        "以上政策同一企业最多资助2个展位,每人资助金额最高不超过1万元,同一企业合计资助金额最高不超过20万元。",
    )
    assert [(r.ratio, r.cap_wan) for r in found] == [(0.8, None), (0.5, 1)]
    assert found[0].needs_review and "以上政策" in found[0].notes[-1]


def test_members_that_each_state_their_own_threshold_share_one_amount_as_alternatives() -> None:
    found = rows("1.出口额达到500万美元以上、服务外包额达到100万美元以上且同比增长的企业,每家给予5万元。")
    assert [r.subject for r in found] == [
        "出口额达到500万美元以上且同比增长的企业",
        "服务外包额达到100万美元以上且同比增长的企业",
    ]
    # A list of recipients under one threshold is one row.
    (row,) = rows("2.对出口额达到500万美元以上的生产企业、贸易企业,给予5万元奖励。")
    assert row.amount_wan == 5


def test_a_tier_named_by_its_level_picks_its_member_of_the_lead_ins_level_list() -> None:
    found = rows(
        "1.对企业获得的国家、省、市级科技项目,采用后补助方式配套,对国家级的给予50%配套,最高200万元;"
        "对省级的给予30%配套,最高100万元;对市级的给予20%配套,最高50万元。"
    )
    assert [(r.level, r.ratio, r.cap_wan) for r in found] == [
        ("国家级", 0.5, 200),
        ("省级", 0.3, 100),
        ("市级", 0.2, 50),
    ]
    assert "国家、省、市级" not in found[0].subject


def test_an_organisation_a_preamble_asks_to_act_is_who_a_bare_condition_pays() -> None:
    (row,) = rows("鼓励人力资源服务机构引进高端人才,对成功引进两院院士的,给予最高20万元奖励。")
    assert row.subject == "成功引进两院院士的人力资源服务机构"
    # A condition with its own head noun keeps it.
    (own,) = rows("鼓励人力资源服务机构引进高端人才,对成功引进领军人才的企业,给予最高20万元奖励。")
    assert own.subject == "成功引进领军人才的企业"


def test_a_subject_that_is_only_a_duration_is_flagged() -> None:
    doc = extract_text(
        "技改奖补办事指南\n三、奖励标准\n以上年地方贡献为基数,连续2年按照增量部分的60%予以奖补。\n"
    )
    (row,) = doc.incentives
    assert row.ratio == 0.6 and row.needs_review and "受益对象" in row.notes[-1]


def test_a_row_of_an_application_form_is_no_grant() -> None:
    doc = extract_text(
        "企业入统奖励办事指南\n四、奖励标准\n对符合条件的申报单位,给予10万元入统奖励。\n附件\n申请企业入统奖励\t10万元\n"
    )
    assert [(r.kind, r.amount_wan) for r in doc.incentives] == [("fixed", 10)]


def test_a_grant_of_a_certain_sum_is_read_and_a_clause_stating_it_alone_is_not_refused(tmp_path) -> None:
    from huiqi.extract.pipeline import extract_file

    (row,) = rows("1.对举办全国性行业大赛的机构,经主管部门审定后,给予一定额度的补助。")
    assert row.kind == "unspecified"
    path = tmp_path / "clause.txt"
    for clause in (
        "对举办全国性行业大赛的机构,经主管部门审定后,给予一定额度的补助。",
        "根据园区当年引进企业的数量,按5万元/家的标准,给予园区运营方一次性奖励。",
        "对掌握关键技术的人才团队给予资金支持。",
    ):
        path.write_text(clause, encoding="utf-8")
        assert extract_file(path).incentives, clause


def test_a_limit_ending_in_a_colon_leaves_the_items_after_it_to_be_read() -> None:
    found = rows(
        "1.对商标注册进行资助,每个单位年资助总额不超过50万元:其中,马德里国际商标,申请费资助2000元/件,"
        "获得注册后资助6000元/件;国内商标获得注册后资助500元/件。"
    )
    assert [(r.subject, r.amount_wan) for r in found] == [
        ("马德里国际商标申请费", 0.2),
        ("马德里国际商标获得注册后", 0.6),
        ("国内商标获得注册后", 0.05),
    ]


def test_a_later_stage_joins_the_item_but_sibling_stages_of_one_subject_do_not() -> None:
    found = rows(
        "1.对本市拟上市企业,列入辅导时奖励50万元,申报材料获受理时奖励100万元,成功上市后奖励150万元。"
    )
    assert [r.amount_wan for r in found] == [50, 100, 150]
    assert "辅导时" not in found[1].subject and "辅导时" not in found[2].subject


def test_the_last_level_of_a_list_before_fenbie_is_a_member_not_the_payer() -> None:
    found = rows(
        "1.对认定的企业研发中心,按就高不重复的原则,国家级、省级、市级分别给予100万元、50万元、20万元奖励。"
    )
    assert [(r.level, r.amount_wan, r.needs_review) for r in found] == [
        ("国家级", 100, False),
        ("省级", 50, False),
        ("市级", 20, False),
    ]
    # A payer before the verb is still the payer.
    (row,) = rows("2.对认定的企业研发中心,市级给予20万元奖励。")
    assert row.payers and row.payers[0].payer == "市级"


def test_the_new_readings_leave_lookalikes_alone() -> None:
    # A grant of a certain sum with 对 is no topic sentence.
    (row,) = rows("1.对个人股权交易业务给予一定的奖励。")
    assert row.kind == "unspecified"
    # A sentence opening with 上述 that grants is a grant, not a limit on the grants above.
    found = rows(
        "1.对新引进的创业企业给予10万元奖励。", "上述创业企业实际投资额超过1000万元的,给予最高50万元奖励。"
    )
    assert [(r.kind, r.amount_wan, r.cap_wan) for r in found] == [("fixed", 10, None), ("max", None, 50)]
    # A floor after 其中 is no item of a schedule.
    (lead, *rest) = rows("1.对认定的创新团队,给予不低于500万元的资助,其中财政投入不低于300万元。")
    assert (lead.kind, lead.amount_wan) == ("min", 500)
    assert all(r.subject != "财政投入不低于" for r in rest)
    # Quoted topics of one activity are not separate qualifications.
    (one,) = rows("1.对承办“智能制造”“绿色制造”专项交流活动的企业,给予5万元补助。")
    assert one.amount_wan == 5
    # A recipient after 给予 in a clause with conditions is named once.
    (named,) = rows("1.对新创省级特色街区的,给予创建单位10万元奖励。")
    assert named.subject.count("创建单位") == 1


def test_two_benefits_of_one_recipient_each_named_after_its_amount_are_two_rows() -> None:
    found = rows("1.给予省级名医、学科带头人等高层次医疗人才最高80万元安家补贴及最高20万元科研经费补助。")
    assert [(r.cap_wan, r.needs_review) for r in found] == [(80, False), (20, False)]
    assert found[0].subject == found[1].subject
    # The name may stand before the amount too.
    found = rows("2.对引进的博士后,每人给予一次性科研经费5万元和每年3万元的生活补助。")
    assert [(r.amount_wan, r.needs_review) for r in found] == [(5, False), (3, False)]


def test_a_lead_in_without_a_measure_keeps_its_row_even_with_items_below() -> None:
    found = rows(
        "(一)对新落户的总部企业给予一定的资金支持。",
        "1.实缴注册资本1亿元以上的,奖励200万元。",
    )
    assert [r.kind for r in found] == ["unspecified", "fixed"]


def test_paying_no_more_than_the_actual_cost_is_a_limit_not_a_grant() -> None:
    found = rows(
        "1.对租用办公用房的总部企业,按每月每平方米最高30元的标准予以租金补贴;"
        "如每月每平方米合同实际租金小于30元的,按每月每平方米合同实际租金予以补贴。"
    )
    assert [(r.kind, r.cap_wan) for r in found] == [("max", 0.003)]


def test_a_second_ceiling_after_rows_that_have_one_is_shown_on_them_not_read_as_a_grant() -> None:
    found = rows(
        "1.对租用办公用房的总部企业,按每月每平方米最高30元的标准予以租金补贴。",
        "补贴期限为3年,且每年最高补贴金额不超过100万元。",
    )
    assert [(r.kind, r.cap_wan) for r in found] == [("max", 0.003)]
    assert found[0].needs_review and "100万元" in found[0].notes[-1]
    # A sentence that describes a benefit before its ceiling is a grant of its own.
    found = rows(
        "1.对租用办公用房的总部企业,按每月每平方米最高30元的标准予以租金补贴。",
        "建立创新券机制,鼓励企业购买检测服务,每家企业每年补助总数不超过3万元。",
    )
    assert [r.cap_wan for r in found] == [0.003, 3]


def test_a_fee_granted_after_its_item_names_the_items_fee() -> None:
    found = rows("1.对商标注册进行资助:其中,马德里国际商标,注册费资助3000元/件。")
    assert [(r.subject, r.amount_wan) for r in found] == [("马德里国际商标注册费", 0.3)]
    # 其展台费 after a condition ending in 的 keeps its comma: it is the applicant's own fee.
    (row,) = rows("2.参加境外旅游展会,报主管部门备案同意的,其展台费给予50%补助。")
    assert "的,其展台费" in row.subject


def test_items_under_a_lead_in_ending_in_a_colon_are_paid_to_its_subject() -> None:
    found = rows(
        "(一)对新设立的研发机构,在建设期内给予分期支持,经费构成包括:",
        "1.最高500万元落户奖励;",
        "2.最高300万元运行经费补助。",
    )
    assert [(r.subject, r.cap_wan) for r in found] == [
        ("新设立的研发机构落户奖励", 500),
        ("新设立的研发机构运行经费补助", 300),
    ]
    # An amount followed by how it is paid names no benefit.
    (row,) = rows("1.对引进人才的企业,按每人2万元标准发放奖励。")
    assert row.subject == "引进人才的企业"


# --- the fourth blind round (held-out-4) ------------------------------------------------------


def test_a_limit_ends_at_a_semicolon_and_the_grant_after_it_is_read() -> None:
    found = rows(
        "1.对组团参展的协会给予最高3万元补助,每家单位全年累计补助最高9万元;"
        "对参展企业给予每个展位最高4000元的补助。"
    )
    assert [(r.kind, r.cap_wan) for r in found] == [("max", 3), ("max", 0.4)]


def test_a_bracketed_no_stacking_remark_keeps_the_ceiling_before_it() -> None:
    found = rows(
        "1.对企业获得知识产权质押贷款,按贷款利息的40%给予贴息,单个企业年度内最高补助15万元"
        "(与其他贴息政策不重复享受);企业质押评估费用按实际支付额最高不超过2万元的补助。"
    )
    assert values(found) == [("ratio", None, 15, 0.4), ("max", None, 2, None)]


def test_a_yearly_ceiling_of_the_same_enterprise_caps_its_own_grant() -> None:
    (row,) = rows("1.对商标品牌示范企业按实际维护费用的30%给予补助,同一企业每年最高不超过8万元。")
    assert (row.ratio, row.cap_wan) == (0.3, 8)
    # A sum over all grants (累计) is a stacking limit, not this grant's ceiling.
    doc = extract_text(
        HEAD + "1.对商标品牌示范企业按实际维护费用的30%给予补助,同一企业每年各项补助累计不超过50万元。"
    )
    assert [(r.ratio, r.cap_wan) for r in doc.incentives] == [(0.3, None)]
    assert [s.rule for s in doc.stacking] == ["cap_per_enterprise"]


def test_wan_without_yuan_after_a_ceiling_word_is_money() -> None:
    found = rows(
        "1.对新设立的连锁总部,按其销售额的1‰给予奖励,对新设立的配送中心,按其配送额的3‰给予奖励,最高不超过40万。"
    )
    assert values(found) == [("ratio", None, 40, 0.001), ("ratio", None, 40, 0.003)]
    # A count of people in 万 is no money.
    from huiqi.text.money import find_money

    assert find_money("年内新增就业岗位1万。") == []


def test_rates_per_ten_thousand_and_per_thousand_in_words() -> None:
    found = rows(
        "1.对年交易额50亿元以上的交易平台,按交易额的万分之零点五给予补助,最高不超过20万元;",
        "对年结算额10亿元以上的结算企业,按结算额的千分之一给予奖励。",
    )
    assert values(found) == [("ratio", None, 20, 0.00005), ("ratio", None, None, 0.001)]


def test_a_bare_ceiling_sentence_caps_the_rates_before_it() -> None:
    found = rows(
        "1.对餐饮企业采购本地农产品且当年采购额200万元以上的,给予采购额3%的奖励;",
        "对本地农产品基地当年供货额100万元以上的,给予供货额5%的奖励。",
        "最高不超过12万元。",
    )
    assert values(found) == [("ratio", None, 12, 0.03), ("ratio", None, 12, 0.05)]


def test_a_ceiling_clause_after_fixed_amounts_is_shown_not_read_as_a_grant() -> None:
    found = rows("1.对连锁企业每新开1家门店,按面积分别给予1万元、2万元的奖励;奖励金额最高不超过6万元。")
    assert [(r.kind, r.amount_wan) for r in found] == [("fixed", 1), ("fixed", 2)]
    assert all(r.needs_review and "6万元" in r.notes[-1] for r in found)


def test_titles_listed_after_a_verb_of_recognition_share_one_amount_row_by_row() -> None:
    found = rows("1.对被评为省级诚信商户、示范步行街及获得市级品牌称号的,给予6万元奖励。")
    assert [(r.subject, r.amount_wan) for r in found] == [
        ("被评为省级诚信商户的", 6),
        ("被评为示范步行街的", 6),
        ("获得市级品牌称号的", 6),
    ]
    # Activities, levels of one title, and a name joined by 或 stay one row.
    for line in (
        "1.对研发、生产节能装备的企业给予5万元奖励。",
        "1.对被评为国家级、省级示范企业的给予5万元奖励。",
        "1.获得其他国家或地区专利授权的,每件资助5000元。",
    ):
        assert len(rows(line)) == 1, line


def test_a_bare_level_takes_the_noun_of_the_member_after_it() -> None:
    found = rows(
        "1.新认定的纺织产业国家级、省级工程研究中心、市级企业技术中心,分别给予40万元、20万元、10万元补助。"
    )
    assert [(r.subject, r.level) for r in found] == [
        ("新认定的纺织产业国家级工程研究中心", "国家级"),
        ("新认定的纺织产业省级工程研究中心", "省级"),
        ("新认定的纺织产业市级企业技术中心", "市级"),
    ]
    # 省部级 is a level of its own: 国家级 does not take 部级大赛.
    found = rows("1.对作品获得国际级、国家级、省部级设计大赛奖项的,分别给予8万元、5万元、3万元奖励。")
    assert not any("部级" in r.subject and "国家级" in r.subject for r in found)


def test_amounts_labelled_before_each_name_their_case() -> None:
    found = rows("1.对参展企业给予每个展位省内最高3000元、省外最高8000元的展位费补助。")
    assert [(r.subject, r.cap_wan) for r in found] == [("参展企业(省内)", 0.3), ("参展企业(省外)", 0.8)]
    assert not any(r.needs_review for r in found)
    # Labels that are not alike (本科生/硕士) are not read this way.
    found = rows("1.对新引进的人才给予生活补贴,本科生最高1万元、硕士最高2万元。")
    assert not any(r.subject.endswith("(科生)") for r in found)


def test_ranks_in_brackets_after_amounts_name_each_amount() -> None:
    found = rows("1.获市科技进步一等奖的项目,分别给予30万元(1-3名)、10万元(4-6名)奖励。")
    assert [(r.subject, r.amount_wan, r.needs_review) for r in found] == [
        ("获市科技进步一等奖的项目(1-3名)", 30, False),
        ("获市科技进步一等奖的项目(4-6名)", 10, False),
    ]


def test_clawbacks_pointers_and_grant_once_rules_are_no_rows() -> None:
    for line in (
        "1.擅自改变场地用途的,追缴已经拨付的补助。",
        "1.经审核符合条件的,按本办法设定的奖励标准给予资金补助。",
        "1.同一集团在本区设立多家公司的,仅1家公司可享受落户奖励。",
        "1.先后获得不同级别认定的,各年度按相应标准分别给予奖励。",
    ):
        assert rows("2.对新认定的企业给予10万元奖励。", line)[1:] == [], line
    found = rows(
        "1.首次入选全国500强、全省100强的企业,给予一次性50万元奖励,同时入选全国500强、全省100强的,只享受一次50万元奖励。"
    )
    assert [r.amount_wan for r in found] == [50, 50]


def test_respectively_without_amounts_is_flagged() -> None:
    (row,) = rows("1.对获奖项目的完成单位按排名分别给予奖励。")
    assert row.kind == "unspecified" and row.needs_review
    (row,) = rows("1.对新认定的企业按级别分别给予一定奖励。")
    assert not row.needs_review


def test_a_subject_opened_by_bing_dui_drops_the_conjunction() -> None:
    found = rows("1.对限上零售企业当年销售额达到1亿元的给予5万元奖励,并对新增门店的零售企业给予2万元奖励。")
    assert found[-1].subject == "新增门店的零售企业"
