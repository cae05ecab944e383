"""Incentive rows (奖补条款) read by ``extract_text``, shape by shape.

Every expected value below is read from ``shared/spec/policy-json.md`` (and the gold files'
readings of the same shapes): money in 万元, ratios as fractions, one row per 分别 member and
per tier, payers by budget level. The example sentences are written for these tests.
"""

from __future__ import annotations

import unicodedata

import pytest

from huiqi.extract.model import Incentive, PolicyDoc

DISTRICT = {
    "title": "临江区人民政府关于促进先进制造业发展的若干措施",
    "doc_number": "临政发〔2024〕2号",
    "salutation": "各街道办事处,区政府各部门:",
    "signers": ("临江区人民政府",),
}


def canon(text: str | None) -> str:
    """Text as the spec allows it to be quoted: NFKC (full-width → half-width), no spaces."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def only_row(doc: PolicyDoc) -> Incentive:
    assert len(doc.incentives) == 1, [r.model_dump() for r in doc.incentives]
    return doc.incentives[0]


def row_with(rows: list[Incentive], *, amount: float | None = None, cap: float | None = None) -> Incentive:
    """The one row paying ``amount`` (fixed/min) or capped at ``cap`` (max)."""
    found = [
        r
        for r in rows
        if (amount is not None and r.amount_wan == pytest.approx(amount))
        or (cap is not None and r.kind == "max" and r.cap_wan == pytest.approx(cap))
    ]
    assert len(found) == 1, (amount, cap, [r.model_dump() for r in rows])
    return found[0]


def names_only(subject: str, own: str, members: list[str], *, phrase: str | None = None) -> None:
    """The subject names its own list member (in ``phrase`` if given) and none of the other members."""
    s = canon(subject)
    assert canon(phrase or own) in s, (phrase or own, subject)
    for other in members:
        if other != own:
            assert canon(other) not in s, (other, subject)


# --------------------------------------------------------------------------- single amounts


def test_fixed_amount(measure):
    row = only_row(measure("对新认定的市级技术创新示范企业,给予20万元奖励。"))
    assert row.kind == "fixed"
    assert row.amount_wan == pytest.approx(20)
    assert row.cap_wan is None
    assert row.ratio is None
    assert row.level == "市级"
    assert row.task == "1"
    assert "市级技术创新示范企业" in row.subject
    assert "给予20万元奖励" in canon(row.text)
    assert row.one_time is False
    assert row.payers is None
    assert row.needs_review is False


@pytest.mark.parametrize(
    ("sentence", "cap", "level"),
    [
        ("对新获批建设的省级制造业创新中心,给予最高200万元奖励。", 200, "省级"),
        ("对通过国家级两化融合管理体系贯标评定的企业,给予不超过50万元的补助。", 50, "国家级"),
        ("对新认定的省级企业技术中心,给予最高不超过30万元奖励。", 30, "省级"),
    ],
)
def test_max_amount(measure, sentence, cap, level):
    row = only_row(measure(sentence))
    assert row.kind == "max"
    assert row.cap_wan == pytest.approx(cap)
    assert row.amount_wan is None
    assert row.ratio is None
    assert row.level == level


@pytest.mark.parametrize(
    ("sentence", "amount"),
    [
        ("对新引进的世界500强企业区域总部,给予不少于200万元的落户奖励。", 200),
        ("对新建成的市级中小企业公共服务示范平台,给予不低于20万元补助。", 20),
    ],
)
def test_min_amount(measure, sentence, amount):
    row = only_row(measure(sentence))
    assert row.kind == "min"
    assert row.amount_wan == pytest.approx(amount)
    assert row.ratio is None


@pytest.mark.parametrize(
    ("sentence", "ratio", "cap", "base"),
    [
        (
            "对实施技术改造的工业企业,按设备投资额的8%给予补助,单个项目最高不超过300万元。",
            0.08,
            300,
            "设备投资额",
        ),
        (
            "对购买本市工业设计服务的制造业企业,按合同额的20%给予补贴,每家企业最高50万元。",
            0.2,
            50,
            "合同额",
        ),
    ],
)
def test_ratio_with_cap_and_base(measure, sentence, ratio, cap, base):
    row = only_row(measure(sentence))
    assert row.kind == "ratio"
    assert row.ratio == pytest.approx(ratio)
    assert row.cap_wan == pytest.approx(cap)
    assert row.base == base
    assert row.ratio_is_max is False
    assert row.amount_wan is None


@pytest.mark.parametrize(
    ("sentence", "ratio", "base"),
    [
        ("对企业自主参加境外专业展会的,按照不高于展位费的60%给予补助。", 0.6, "展位费"),
        pytest.param(
            "对首次开展数据管理能力成熟度评估的企业,给予评估费用最高50%的补助。",
            0.5,
            "评估费用",
        ),
    ],
)
def test_ratio_not_above(measure, sentence, ratio, base):
    row = only_row(measure(sentence))
    assert row.kind == "ratio"
    assert row.ratio == pytest.approx(ratio)
    assert row.ratio_is_max is True
    assert row.base == base
    assert row.cap_wan is None


def test_ratio_in_chinese_words(measure):
    row = only_row(measure("对实施智能化改造的企业,按软硬件投资额的百分之十给予补助,最高不超过200万元。"))
    assert row.kind == "ratio"
    assert row.ratio == pytest.approx(0.1)
    assert row.cap_wan == pytest.approx(200)
    assert row.base == "软硬件投资额"


def test_full_subsidy_is_ratio_one(measure):
    row = only_row(measure("对本市企业参加市政府组织的产品推介会的,给予一个标准展位费的全额补助。"))
    assert row.kind == "ratio"
    assert row.ratio == pytest.approx(1.0)
    assert row.base == "标准展位费"
    assert row.cap_wan is None


@pytest.mark.parametrize(
    ("sentence", "subject_part"),
    [
        ("对年度亩产效益综合评价为A类的工业企业,给予一定资金奖励。", "A类的工业企业"),
        ("对新建成投用的市级数字化车间,择优给予支持。", "数字化车间"),
        ("对牵头组建市级产业技术创新联盟的龙头企业,按有关规定给予奖励。", "龙头企业"),
    ],
)
def test_unspecified_benefit(measure, sentence, subject_part):
    row = only_row(measure(sentence))
    assert row.kind == "unspecified"
    assert row.amount_wan is None
    assert row.cap_wan is None
    assert row.ratio is None
    assert subject_part in row.subject


# --------------------------------------------------------------------------- numbers and units


@pytest.mark.parametrize(
    ("sentence", "kind", "value"),
    [
        ("对新认定的省级工业设计中心,给予五十万元奖励。", "fixed", 50),
        ("对新认定的市级工业设计中心,给予一百二十万元奖励。", "fixed", 120),
        ("对新落户的产业链龙头项目,给予最高一千万元资金支持。", "max", 1000),
        ("对新获评市级优秀工业设计作品的企业,给予5000元奖励。", "fixed", 0.5),
        ("对新引进的先进制造业重大项目,给予最高1.5亿元补助。", "max", 15000),
        ("对新引进的先进制造业重大项目,给予最高两亿元补助。", "max", 20000),
    ],
)
def test_money_units_and_chinese_numerals(measure, sentence, kind, value):
    row = only_row(measure(sentence))
    assert row.kind == kind
    got = row.amount_wan if kind == "fixed" else row.cap_wan
    assert got == pytest.approx(value)


def test_permille_rate(measure):
    row = only_row(
        measure("对为中小企业提供融资担保的担保机构,按年度担保额的5‰给予风险补偿,每家机构最高200万元。")
    )
    assert row.kind == "ratio"
    assert row.ratio == pytest.approx(0.005)
    assert row.cap_wan == pytest.approx(200)
    assert row.base == "年度担保额"


# --------------------------------------------------------------------------- 分别 lists

LEVELS = ["国家级", "省级", "市级"]


def test_by_level_list(measure):
    doc = measure("对新认定的国家级、省级、市级企业技术中心,分别给予100万元、50万元、20万元一次性奖励。")
    rows = doc.incentives
    assert len(rows) == 3
    for level, amount in zip(LEVELS, [100, 50, 20], strict=True):
        row = row_with(rows, amount=amount)
        assert row.kind == "fixed"
        assert row.level == level
        names_only(row.subject, level, LEVELS, phrase=f"{level}企业技术中心")
        assert row.one_time is True
        assert row.needs_review is False


@pytest.mark.parametrize(
    "sentence",
    [
        "对首次认定为“瞪羚企业”“独角兽企业”的企业,分别给予30万元、100万元奖励。",
        "对首次认定为“瞪羚企业”、“独角兽企业”的企业,分别给予30万元、100万元奖励。",
    ],
)
def test_by_quoted_names(measure, sentence):
    rows = measure(sentence).incentives
    assert len(rows) == 2
    names = ["“瞪羚企业”", "“独角兽企业”"]
    for name, amount in zip(names, [30, 100], strict=True):
        row = row_with(rows, amount=amount)
        assert row.kind == "fixed"
        names_only(row.subject, name, names)
        assert row.needs_review is False


@pytest.mark.parametrize(
    ("sentence", "members", "amounts"),
    [
        (
            "对新建成的智能工厂、数字化车间、自动化生产线,分别给予100万元、50万元、20万元补助。",
            ["智能工厂", "数字化车间", "自动化生产线"],
            [100, 50, 20],
        ),
        (
            "对主导制定国际标准、国家标准、团体标准的企业,分别给予40万元、20万元、5万元奖励。",
            ["国际标准", "国家标准", "团体标准"],
            [40, 20, 5],
        ),
    ],
)
def test_by_plain_list(measure, sentence, members, amounts):
    rows = measure(sentence).incentives
    assert len(rows) == len(members)
    for member, amount in zip(members, amounts, strict=True):
        row = row_with(rows, amount=amount)
        assert row.kind == "fixed"
        names_only(row.subject, member, members)
        assert row.needs_review is False


def test_max_written_once_applies_to_all_amounts(measure):
    rows = measure("对新认定的国家级、省级工业设计中心,分别给予最高100万元、30万元奖励。").incentives
    assert len(rows) == 2
    for level, cap in [("国家级", 100), ("省级", 30)]:
        row = row_with(rows, cap=cap)
        assert row.kind == "max"
        assert row.amount_wan is None
        assert row.level == level
        names_only(row.subject, level, LEVELS, phrase=f"{level}工业设计中心")


def test_per_item_amounts_in_list_keep_max_and_unit(measure):
    rows = measure(
        "对新获得中国工业大奖、中国工业大奖提名奖的企业,分别给予最高200万元/项、50万元/项的奖励。"
    ).incentives
    assert len(rows) == 2
    big, nominated = row_with(rows, cap=200), row_with(rows, cap=50)
    assert big.per == nominated.per == "项"
    assert "提名奖" not in big.subject
    assert "提名奖" in nominated.subject


def test_level_list_with_ratios(measure):
    rows = measure(
        "对新认定的国家级、省级智能制造示范工厂,分别按智能化改造投入的10%、5%给予补助,"
        "单个项目最高不超过200万元。"
    ).incentives
    assert len(rows) == 2
    by_ratio = {round(r.ratio or 0, 4): r for r in rows}
    assert set(by_ratio) == {0.1, 0.05}
    for ratio, level in [(0.1, "国家级"), (0.05, "省级")]:
        row = by_ratio[ratio]
        assert row.kind == "ratio"
        assert row.level == level
        assert row.cap_wan == pytest.approx(200)
        assert row.base == "智能化改造投入"
        names_only(row.subject, level, LEVELS, phrase=f"{level}智能制造示范工厂")


def test_two_clauses_keep_their_own_subjects(measure):
    rows = measure(
        "对新认定的省级工业设计中心,给予30万元奖励;对新认定的市级工业设计中心,给予10万元奖励。"
    ).incentives
    assert len(rows) == 2
    provincial, municipal = row_with(rows, amount=30), row_with(rows, amount=10)
    assert (provincial.level, municipal.level) == ("省级", "市级")
    names_only(provincial.subject, "省级", LEVELS, phrase="省级工业设计中心")
    names_only(municipal.subject, "市级", LEVELS, phrase="市级工业设计中心")


def test_several_recipients_after_grant_ratio(measure):
    rows = measure(
        "对新认定为省级首台(套)技术装备的产品,按首年销售额分别给予研制单位和用户单位5%的奖励,"
        "每家单位最高100万元。"
    ).incentives
    assert len(rows) == 2
    subjects = sorted((r.subject for r in rows), key=lambda s: "用户单位" in s)
    names_only(subjects[0], "研制单位", ["研制单位", "用户单位"])
    names_only(subjects[1], "用户单位", ["研制单位", "用户单位"])
    for row in rows:
        assert row.kind == "ratio"
        assert row.ratio == pytest.approx(0.05)
        assert row.cap_wan == pytest.approx(100)
        assert row.base == "首年销售额"
        assert row.per == "家"
        assert row.level == "省级"


def test_several_recipients_after_grant_fixed(measure):
    rows = measure("对列入市级重点新产品推广目录的产品,分别给予研发单位和使用单位10万元奖励。").incentives
    assert len(rows) == 2
    subjects = sorted((r.subject for r in rows), key=lambda s: "使用单位" in s)
    names_only(subjects[0], "研发单位", ["研发单位", "使用单位"])
    names_only(subjects[1], "使用单位", ["研发单位", "使用单位"])
    for row in rows:
        assert row.kind == "fixed"
        assert row.amount_wan == pytest.approx(10)


@pytest.mark.parametrize(
    "sentence",
    [
        "对新认定的国家级、省级、市级专精特新中小企业,分别给予50万元、20万元奖励。",
        "对新建成的智能工厂、数字化车间、智能生产线,分别给予50万元、30万元奖励。",
        "对新入选“领航企业”“链主企业”“配套企业”的,分别给予50万元、20万元奖励。",
        "对新认定的省级技术创新示范企业和制造业创新中心、产业技术研究院,分别给予40万元、20万元奖励。",
    ],
)
def test_uneven_list_is_kept_and_flagged(measure, sentence):
    rows = measure(sentence).incentives
    assert len(rows) >= 2, "an uneven 分别 list must still produce rows"
    for row in rows:
        assert row.needs_review is True, row.model_dump()
        assert row.notes, row.model_dump()
        assert row.amount_wan in (50, 40, 30, 20)


# --------------------------------------------------------------------------- tiers


def test_tiers_by_amount_raised(measure):
    rows = measure(
        "对在境内外证券交易所首发上市的企业,按首发融资额给予奖补,融资额5亿元以下的奖补100万元;"
        "融资额5亿元(含)至15亿元的奖补300万元;融资额15亿元(含)以上的奖补600万元。"
    ).incentives
    assert len(rows) == 3
    low, mid, high = row_with(rows, amount=100), row_with(rows, amount=300), row_with(rows, amount=600)
    for row in (low, mid, high):
        assert row.kind == "fixed"
        assert "上市" in row.subject, row.subject
    assert "5亿元以下" in canon(low.subject)
    assert "15亿元" not in canon(low.subject)
    assert canon("5亿元(含)至15亿元") in canon(mid.subject)
    assert canon("15亿元(含)以上") in canon(high.subject)
    assert "以下" not in mid.subject and "以上" not in mid.subject


def test_tiers_by_quantity_bought(measure):
    rows = measure(
        "对购买本市企业生产的工业机器人的企业,购买不足10台(套)的,每台(套)补助2万元;"
        "购买10台(套)及以上的,每台(套)补助3万元。"
    ).incentives
    assert len(rows) == 2
    small, large = row_with(rows, amount=2), row_with(rows, amount=3)
    for row in (small, large):
        assert row.kind == "fixed"
        assert row.per == "台套"
        assert "工业机器人" in row.subject
    assert canon("不足10台(套)") in canon(small.subject)
    assert canon("10台(套)及以上") in canon(large.subject)
    assert "不足" not in large.subject


# --------------------------------------------------------------------------- budget levels


def test_city_and_district_budgets_are_separate_rows(policy):
    doc = policy(
        "一、培育优质企业\n1.支持企业专精特新发展。对新认定的国家级专精特新“小巨人”企业,"
        "市政府给予50万元奖励,在此基础上我区再给予30万元奖励。(责任单位:区工信局、区财政局)",
        **DISTRICT,
    )
    rows = doc.incentives
    assert len(rows) == 2
    city, district = row_with(rows, amount=50), row_with(rows, amount=30)
    assert [(p.payer, p.share) for p in city.payers or []] == [("市级", 1.0)]
    assert [(p.payer, p.share) for p in district.payers or []] == [("区级", 1.0)]
    for row in (city, district):
        assert row.kind == "fixed"
        assert "小巨人" in row.subject
        assert row.level == "国家级"


def test_municipal_finance_pays(measure):
    row = only_row(measure("对新认定的省级技术创新中心,市级财政给予最高80万元奖励。"))
    assert row.kind == "max"
    assert row.cap_wan == pytest.approx(80)
    assert [(p.payer, p.share) for p in row.payers or []] == [("市级", 1.0)]


def test_cost_shares_between_city_and_district(measure):
    row = only_row(measure("对新认定的省级数字化车间,给予30万元奖励,所需资金由市、区各承担30%和70%。"))
    assert row.kind == "fixed"
    assert row.amount_wan == pytest.approx(30)
    assert row.ratio is None
    assert [(p.payer, p.share) for p in row.payers or []] == [("市级", 0.3), ("区级", 0.7)]


def test_no_payer_stated_gives_no_payers(measure):
    row = only_row(measure("对新认定的省级数字化车间,给予30万元奖励。"))
    assert row.payers is None


# --------------------------------------------------------------------------- per unit, one-time


@pytest.mark.parametrize(
    ("sentence", "per", "kind", "value"),
    [
        ("对企业购置列入推广目录的智能装备,每台(套)给予10万元补助。", "台套", "fixed", 10),
        ("对购买本地生产的新能源物流车的企业,每辆给予2万元补贴。", "辆", "fixed", 2),
        ("对购买本地生产的新能源环卫车的单位,给予3万元/辆的补贴。", "辆", "fixed", 3),
        ("对举办产业链供需对接活动的行业协会,每场给予最高10万元补助。", "场", "max", 10),
        ("对组织企业参加境外重点展会的商协会,每场次给予5万元补助。", "场", "fixed", 5),
        ("对新获得发明专利授权的企业,给予1万元/项奖励。", "项", "fixed", 1),
        ("对牵头制定团体标准的企业,每项给予5万元奖励。", "项", "fixed", 5),
        ("对新入驻市级小微企业创业创新基地的企业,每家给予5万元补助。", "家", "fixed", 5),
        ("对当年新认定的市级知识产权示范企业,给予8万元/家的奖励。", "家", "fixed", 8),
    ],
)
def test_per_unit_amounts(measure, sentence, per, kind, value):
    row = only_row(measure(sentence))
    assert row.per == per
    assert row.kind == kind
    got = row.amount_wan if kind == "fixed" else row.cap_wan
    assert got == pytest.approx(value)


@pytest.mark.parametrize(
    ("sentence", "one_time"),
    [
        ("对新认定的省级绿色工厂,给予一次性奖励30万元。", True),
        ("对新认定的省级绿色工厂,一次性给予30万元奖励。", True),
        ("对新认定的省级绿色工厂,给予30万元奖励。", False),
    ],
)
def test_one_time(measure, sentence, one_time):
    row = only_row(measure(sentence))
    assert row.one_time is one_time
    assert row.amount_wan == pytest.approx(30)


# --------------------------------------------------------------------------- not incentives


@pytest.mark.parametrize(
    "sentence",
    [
        "企业开展研发活动实际发生的研发费用,按规定享受100%加计扣除政策。",
        "创业投资企业投资未上市中小高新技术企业满2年的,可按投资额的70%抵扣应纳税所得额。",
        "对纳入市级重点项目库的技术改造项目,优先给予立项支持。",
        "对符合条件的重大技术改造项目,给予股权投资支持。",
        "对入驻市级孵化器的初创企业,实行一址多照、一照多址。",
    ],
)
def test_not_an_incentive(measure, sentence):
    doc = measure(sentence)
    assert [t.id for t in doc.tasks] == ["1"]  # the measure itself was read
    assert doc.incentives == []


def test_percentage_in_condition_is_not_the_ratio(measure):
    row = only_row(measure("对本地配套采购额占比30%以上的整机企业,给予20万元奖励。"))
    assert row.kind == "fixed"
    assert row.amount_wan == pytest.approx(20)
    assert row.ratio is None
    assert canon("占比30%以上") in canon(row.subject)


@pytest.mark.parametrize(
    ("sentence", "kind", "value", "condition"),
    [
        ("对年销售额首次达到5亿元以上的企业,给予50万元奖励。", "fixed", 50, "5亿元以上"),
        ("对年营业收入首次突破10亿元的企业,给予最高100万元奖励。", "max", 100, "10亿元"),
        ("对单个项目设备投资额达2000万元以上的技术改造项目,给予80万元补助。", "fixed", 80, "2000万元以上"),
    ],
)
def test_money_in_condition_is_not_the_amount(measure, sentence, kind, value, condition):
    row = only_row(measure(sentence))
    assert row.kind == kind
    got = row.amount_wan if kind == "fixed" else row.cap_wan
    assert got == pytest.approx(value)
    assert condition in row.subject


def test_rows_carry_their_task_id(policy):
    doc = policy(
        "一、加大财政支持力度\n"
        "1.支持技术改造。对实施技术改造的企业,给予最高100万元补助。(责任单位:市工信局、市财政局)\n"
        "2.支持品牌建设。对新获评省级质量奖的企业,给予30万元奖励。(责任单位:市市场监管局)"
    )
    assert [(r.task, r.kind) for r in doc.incentives] == [("1", "max"), ("2", "fixed")]
