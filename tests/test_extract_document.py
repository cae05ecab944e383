"""Document fields (title, 文号, issuers, dates, region, level) read by ``extract_text``.

Spec: ``doc_number`` is the document's own 文号 if printed (not one cited in the body);
``issued_on`` is the signing date; ``effective_from`` is issued_on for 自印发之日起施行;
``expires_on`` from 有效期至…, else null; ``region`` the governed place; ``level``
省级 / 市级 / 区县级.
"""

from __future__ import annotations

import pytest

from huiqi.extract.pipeline import extract_text

CITY_TITLE = "丰原市人民政府关于支持制造业高质量发展的若干措施"
CITY_NUMBER = "丰政发〔2024〕5号"
CITY_ISSUER = "丰原市人民政府"
CITY = {"title": CITY_TITLE, "doc_number": CITY_NUMBER, "signers": (CITY_ISSUER,), "signed": "2024年3月1日"}

BODY = (
    "一、加大财政支持力度\n"
    "1.支持技术改造。对实施技术改造的企业,给予最高100万元补助。(责任单位:市工信局、市财政局)\n"
    "二、附则\n"
)


def test_city_document_fields(policy):
    doc = policy(BODY + "本措施自印发之日起施行,有效期至2026年12月31日。", **CITY).document
    assert doc.title == CITY_TITLE
    assert doc.doc_number == CITY_NUMBER
    assert doc.issuers == [CITY_ISSUER]
    assert doc.issued_on == "2024-03-01"
    assert doc.effective_from == "2024-03-01"
    assert doc.expires_on == "2026-12-31"
    assert doc.region == "丰原市"
    assert doc.level == "市级"


def test_signing_date_in_chinese_numerals(policy):
    doc = policy(BODY + "本措施自印发之日起施行。", signed="二〇二四年三月一日").document
    assert doc.issued_on == "2024-03-01"
    assert doc.effective_from == "2024-03-01"


def test_signing_date_in_chinese_numerals_two_digit_day(policy):
    doc = policy(BODY + "本措施自印发之日起施行。", signed="二〇二三年十二月二十八日").document
    assert doc.issued_on == "2023-12-28"


def test_issue_date_is_the_one_under_the_signature(policy):
    doc = policy(
        "一、加大财政支持力度\n"
        "1.支持优质企业。对2023年1月1日以后新认定的省级专精特新中小企业,给予20万元奖励。"
        "(责任单位:市工信局、市财政局)",
        signed="2024年4月15日",
    ).document
    assert doc.issued_on == "2024-04-15"


def test_effective_from_a_stated_date(policy):
    doc = policy(BODY + "本措施自2024年5月1日起施行,有效期至2027年4月30日。").document
    assert doc.effective_from == "2024-05-01"
    assert doc.expires_on == "2027-04-30"


def test_no_validity_clause(policy):
    doc = policy(BODY + "各区县可参照本措施制定具体实施办法。").document
    assert doc.issued_on == "2024-03-01"
    assert doc.effective_from is None
    assert doc.expires_on is None


@pytest.mark.parametrize("salutation", ["各区县人民政府,市政府各部门:", None])
def test_doc_number_cited_in_body_is_not_taken(policy, salutation):
    doc = policy(
        BODY + "本措施自印发之日起施行。",
        title=CITY_TITLE,
        doc_number=None,
        salutation=salutation,
        preamble="为贯彻落实《丰原市制造业高质量发展规划》(丰政发〔2021〕3号),制定本措施。",
    ).document
    assert doc.doc_number is None
    assert doc.title == CITY_TITLE


def test_header_doc_number_wins_over_a_cited_one(policy):
    doc = policy(
        BODY + "本措施自印发之日起施行。",
        preamble="为贯彻落实《丰原市制造业高质量发展规划》(丰政发〔2021〕3号),制定本措施。",
        **CITY,
    ).document
    assert doc.doc_number == CITY_NUMBER


def test_joint_issuers_in_order(policy):
    doc = policy(
        BODY + "本通知自印发之日起施行。",
        title="丰原市工业和信息化局 丰原市财政局关于印发制造业数字化转型专项资金管理办法的通知",
        doc_number="丰工信发〔2024〕12号",
        salutation="各区县工业和信息化局、财政局:",
        signers=("丰原市工业和信息化局", "丰原市财政局"),
        signed="2024年6月20日",
    ).document
    assert doc.issuers == ["丰原市工业和信息化局", "丰原市财政局"]
    assert doc.doc_number == "丰工信发〔2024〕12号"
    assert doc.issued_on == "2024-06-20"
    assert doc.region == "丰原市"
    assert doc.level == "市级"


def test_city_government_office_document(policy):
    doc = policy(
        BODY + "本通知自印发之日起施行。",
        title="丰原市人民政府办公室关于进一步支持工业企业稳产增产的通知",
        doc_number="丰政办发〔2024〕9号",
        signers=("丰原市人民政府办公室",),
        signed="2024年5月8日",
    ).document
    assert doc.title == "丰原市人民政府办公室关于进一步支持工业企业稳产增产的通知"
    assert doc.doc_number == "丰政办发〔2024〕9号"
    assert doc.issuers == ["丰原市人民政府办公室"]
    assert doc.issued_on == doc.effective_from == "2024-05-08"
    assert doc.region == "丰原市"
    assert doc.level == "市级"


def test_province_document(policy):
    doc = policy(
        BODY + "本意见自印发之日起施行。",
        title="江西省人民政府关于加快推进新型工业化的实施意见",
        doc_number="赣府发〔2024〕3号",
        salutation="各市、县(区)人民政府,省政府各部门:",
        signers=("江西省人民政府",),
        signed="2024年2月2日",
    ).document
    assert doc.title == "江西省人民政府关于加快推进新型工业化的实施意见"
    assert doc.doc_number == "赣府发〔2024〕3号"
    assert doc.issuers == ["江西省人民政府"]
    assert doc.region == "江西省"
    assert doc.level == "省级"


def test_district_document(policy):
    doc = policy(
        BODY + "本措施自印发之日起施行,有效期三年。",
        title="临江区人民政府关于促进先进制造业发展的若干措施",
        doc_number="临政发〔2024〕2号",
        salutation="各街道办事处,区政府各部门:",
        signers=("临江区人民政府",),
        signed="2024年1月10日",
    ).document
    assert doc.issuers == ["临江区人民政府"]
    assert doc.issued_on == "2024-01-10"
    assert doc.effective_from == "2024-01-10"
    assert doc.region == "临江区"
    assert doc.level == "区县级"


def test_title_is_not_taken_from_the_body():
    text = (
        "各区县人民政府,市政府各部门:\n"
        "一、加大财政支持力度\n"
        "1.支持技术改造。对实施技术改造的企业,给予最高100万元补助。(责任单位:市工信局、市财政局)\n"
        "丰原市人民政府\n2024年3月1日\n"
    )
    doc = extract_text(text).document
    assert doc.title is None
    assert doc.doc_number is None
    assert doc.issuers == ["丰原市人民政府"]


def test_a_document_with_far_more_incentives_than_any_policy_is_flagged() -> None:
    from huiqi.extract.pipeline import MAX_INCENTIVES

    body = "".join(f"对第{i}类企业给予10万元奖励。\n" for i in range(MAX_INCENTIVES + 1))
    doc = extract_text(body).document
    assert doc.needs_review
    assert "远超一份政策文件的通常数量" in doc.notes[0]


def test_an_ordinary_document_is_not_flagged(policy) -> None:
    doc = policy(BODY + "本措施自印发之日起施行。").document
    assert not doc.needs_review and doc.notes == []


@pytest.mark.parametrize(
    ("title", "text", "number", "expected"),
    [
        ("某市2022年工业稳增长工作方案", "", None, (True, "2022-01-01", "2022-12-31")),
        ("某市加快建设工业强市三年行动计划(2023—2025年)", "", None, (True, "2023-01-01", "2025-12-31")),
        (
            "某市数字经济三年行动计划",
            "到2025年,数字经济核心产业增加值达到500亿元。",
            None,
            (True, "2023-01-01", "2025-12-31"),
        ),
        (
            "某市关于稳住工业经济运行的行动方案",
            "全年规上工业增加值增长6%。",
            "某发〔2022〕3号",
            (True, "2022-01-01", "2022-12-31"),
        ),
        ("某县2018年度科技创新奖励办法", "", None, (False, "2018-01-01", "2018-12-31")),
        ("某县质量强县建设奖励资金管理办法(2018年修订)", "", None, (False, None, None)),
        ("某市关于促进工业产品消费的实施意见", "全年举办展会10场。", "某发〔2022〕3号", (False, None, None)),
        ("某市关于稳住工业经济运行的行动方案", "持续推进技术改造。", None, (True, None, None)),
    ],
)
def test_a_plans_horizon_is_read_from_its_title_or_text(title, text, number, expected) -> None:
    doc = extract_text(
        f"{title}\n{number or ''}\n一、总体要求\n{text}\n二、支持创新\n对新认定的企业给予10万元奖励。"
    ).document
    assert (doc.plan, doc.horizon_start, doc.horizon_end) == expected


@pytest.mark.parametrize(
    ("head", "title", "number"),
    [
        (
            "丰政办〔2024〕7号\n丰原县人民政府办公室关于印发丰原县工业稳增长十条的通知各乡镇人民政府,县政府各部门:",
            "丰原县人民政府办公室关于印发丰原县工业稳增长十条的通知",
            "丰政办〔2024〕7号",
        ),
        (
            "FYXD01—2024—0003丰原县人民政府办公室文件丰政办发〔2024〕12号丰原县人民政府办公室关于加快科技型企业培育的实施意见的通知各镇人民政府,街道办事处:",
            "丰原县人民政府办公室关于加快科技型企业培育的实施意见的通知",
            "丰政办发〔2024〕12号",
        ),
        (
            "关于促进商贸流通业发展的十条扶持政策为推动我县商贸业发展,结合实际,制定本政策。",
            "关于促进商贸流通业发展的十条扶持政策",
            None,
        ),
        (
            "关于鼓励企业对接资本市场的意见丰政发〔2024〕40号",
            "关于鼓励企业对接资本市场的意见",
            "丰政发〔2024〕40号",
        ),
        (
            "★中共丰原县委丰原县人民政府关于促进企业上市的若干意见(2024年4月17日)为鼓励企业上市,提出如下意见。",
            "中共丰原县委丰原县人民政府关于促进企业上市的若干意见",
            None,
        ),
        (
            "丰原县质量奖评审管理办法(2024年修订)第一章 总则第一条 为推进质量强县建设,制定本办法。",
            "丰原县质量奖评审管理办法(2024年修订)",
            None,
        ),
    ],
)
def test_a_title_glued_to_its_header_or_first_sentence_is_read(
    head: str, title: str, number: str | None
) -> None:
    doc = extract_text(f"{head}\n一、支持创新\n对新认定的企业给予10万元奖励。").document
    assert (doc.title, doc.doc_number) == (title, number)


def test_the_first_article_printed_on_the_title_line_stays_in_the_body() -> None:
    doc = extract_text(
        "丰原县质量奖评审管理办法(2024年修订)第一章 总则第一条 对获得县质量奖的企业给予20万元奖励。"
    )
    assert [(r.amount_wan, r.section) for r in doc.incentives] == [(20, "一")]
