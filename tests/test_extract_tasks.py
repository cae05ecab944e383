"""Tasks (措施 and their 责任单位) read by ``extract_text``.

Spec: each numbered measure that names its 责任单位 is a task; ``id`` is the number as printed,
joined with its parents' numbers by ``.`` where that numbering level restarts (``二.3``);
``title`` is the heading sentence; ``responsible`` is split on 、 and ,.
"""

from __future__ import annotations

import pytest


def tasks_of(doc) -> list[tuple[str, str, list[str]]]:
    return [(t.id, t.title, t.responsible) for t in doc.tasks]


def test_ids_titles_and_units_as_printed(policy):
    doc = policy(
        "一、推动产业升级\n"
        "1.支持技术改造。鼓励企业采用新工艺新装备改造现有生产线。(责任单位:市工信局、市财政局)\n"
        "2.培育优质企业。建立专精特新企业梯度培育库,实行动态管理。(责任单位:市工信局)\n"
        "3.加快数字化转型。推动规上工业企业数字化诊断全覆盖。(责任单位:市工信局、市大数据局、各区县人民政府)"
    )
    assert tasks_of(doc) == [
        ("1", "支持技术改造", ["市工信局", "市财政局"]),
        ("2", "培育优质企业", ["市工信局"]),
        ("3", "加快数字化转型", ["市工信局", "市大数据局", "各区县人民政府"]),
    ]


@pytest.mark.parametrize(
    ("parenthesis", "units"),
    [
        ("(责任单位:市工信局、市财政局)", ["市工信局", "市财政局"]),
        ("(责任单位:市工信局,各区县人民政府)", ["市工信局", "各区县人民政府"]),
        ("(责任单位:市工信局、市商务局等有关部门)", ["市工信局", "市商务局等有关部门"]),
        ("(市发展改革委、市科技局按职责分工负责)", ["市发展改革委", "市科技局"]),
        ("(市商务局牵头负责)", ["市商务局"]),
        ("(市工信局、市财政局、市市场监管局)", ["市工信局", "市财政局", "市市场监管局"]),
    ],
)
def test_responsible_unit_forms(policy, parenthesis, units):
    doc = policy(f"一、拓展市场空间\n1.支持企业开拓市场。组织企业参加国内外重点展会。{parenthesis}")
    assert tasks_of(doc) == [("1", "支持企业开拓市场", units)]


@pytest.mark.parametrize(
    "line",
    [
        "(责任单位:市人社局、市工信局)",
        pytest.param(
            "责任单位:市人社局、市工信局",
        ),
    ],
)
def test_responsible_line_after_the_paragraph(policy, line):
    doc = policy(
        "一、强化要素保障\n"
        "1.加强产业人才引进\n"
        "围绕重点产业链引进一批高层次人才和创新团队,完善人才服务保障。\n"
        f"{line}\n"
        "2.保障工业用地供给\n"
        "优先保障重点工业项目用地需求,推行标准地出让。\n"
        "(责任单位:市自然资源局)"
    )
    assert tasks_of(doc) == [
        ("1", "加强产业人才引进", ["市人社局", "市工信局"]),
        ("2", "保障工业用地供给", ["市自然资源局"]),
    ]


def test_measure_without_units_is_not_a_task(policy):
    doc = policy(
        "一、加强组织保障\n"
        "1.加强统筹协调。建立市级工作专班,定期调度重点事项。(责任单位:市工信局)\n"
        "2.营造良好氛围。加大政策宣传解读力度,及时总结推广典型经验。"
    )
    assert [t.id for t in doc.tasks] == ["1"]


def test_restarted_parenthesised_numbering_is_joined_with_its_part(policy):
    doc = policy(
        "一、总体要求\n"
        "(一)指导思想。坚持把发展经济的着力点放在实体经济上。\n"
        "(二)发展目标。到2025年,全市规上工业企业达到2000家以上。\n"
        "二、重点任务\n"
        "1.支持技术改造。鼓励企业实施设备更新。(责任单位:市工信局、市财政局)\n"
        "2.培育优质企业。实施优质企业梯度培育工程。(责任单位:市工信局)\n"
        "三、保障措施\n"
        "(一)加强组织领导。建立市领导联系重点企业制度。(责任单位:市工信局)\n"
        "(二)强化资金保障。统筹各类专项资金支持制造业发展。(责任单位:市财政局)"
    )
    assert tasks_of(doc) == [
        ("1", "支持技术改造", ["市工信局", "市财政局"]),
        ("2", "培育优质企业", ["市工信局"]),
        ("三.一", "加强组织领导", ["市工信局"]),
        ("三.二", "强化资金保障", ["市财政局"]),
    ]


def test_restarted_arabic_numbering_is_joined_with_its_part(policy):
    doc = policy(
        "一、推动创新发展\n"
        "1.建设创新平台。支持企业建设研发机构。(责任单位:市科技局)\n"
        "2.攻关关键技术。实施关键核心技术攻关项目。(责任单位:市科技局、市工信局)\n"
        "二、推动开放合作\n"
        "1.扩大对外贸易。支持企业开拓新兴市场。(责任单位:市商务局)\n"
        "2.加强招商引资。开展产业链精准招商。(责任单位:市投资促进局)"
    )
    assert [t.id for t in doc.tasks] == ["一.1", "一.2", "二.1", "二.2"]


def test_title_from_heading_on_its_own_line(policy):
    doc = policy(
        "一、保障措施\n"
        "(一)加强组织领导\n"
        "成立由市政府主要负责同志任组长的领导小组,统筹推进各项工作。(责任单位:市工信局)\n"
        "(二)加强督导考核\n"
        "将工作推进情况纳入年度综合考核。(责任单位:市委组织部、市工信局)"
    )
    assert tasks_of(doc) == [
        ("一", "加强组织领导", ["市工信局"]),
        ("二", "加强督导考核", ["市委组织部", "市工信局"]),
    ]
