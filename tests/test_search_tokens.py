"""The analyzer (jieba with the domain dictionary) and the synonym groups."""

from __future__ import annotations

from huiqi.catalog.synonyms import Group, Synonyms, synonyms
from huiqi.catalog.tokens import analyzer, dictionary_words, industry_words
from huiqi.catalog.vocab import parse_certifications, resolve_catalog, resolve_certification


def test_domain_words_stay_whole_and_fillers_go():
    words = analyzer().words("本公司主要生产土压平衡盾构机、高性能混凝土成套搅拌设备等产品")
    assert "盾构机" in words and "土压平衡" in words and "高性能混凝土" in words
    assert not {"本公司", "主要", "生产", "等", "产品", "、"} & set(words)


def test_traditional_full_width_and_case_read_the_same():
    a = analyzer()
    assert a.words("ＣＮＣ數控車床") == a.words("cnc数控车床") == ["cnc", "数控车床"]


def test_bare_numbers_go_but_model_numbers_stay():
    assert analyzer().words("10kV 630kVA 变压器 2台") == ["10kv", "630kva", "变压器"]


def test_index_words_hold_the_parts_of_long_words_and_the_head_character():
    a = analyzer()
    stored = a.index_words("卧式加工中心")
    assert {"卧式加工中心", "加工中心", "卧式"} <= set(stored)
    assert "阀" in a.index_words("电动蝶阀") and "泵" in a.index_words("多级离心泵")
    assert "机" not in a.index_words("挖掘机")  # only characters that name a thing alone


def test_a_bracketed_note_inside_a_word_is_part_of_it():
    assert analyzer().words("首台(套)重大技术装备") == analyzer().words("首台套重大技术装备")


def test_the_dictionary_is_built_from_vocabulary_industries_and_certifications():
    words = set(dictionary_words())
    assert "专精特新小巨人" in words  # a vocabulary kind
    assert "单项冠军示范企业" in words  # a vocabulary alias
    assert "专用设备" in words and "专用设备制造业" in words  # an industry division and its core
    assert "政府首购创新产品目录" in words  # a product certification
    assert "加工中心" in words  # a synonym term


def test_industry_names_give_their_cores():
    assert industry_words("计算机、通信和其他电子设备制造业") == [
        "计算机、通信和其他电子设备制造业",
        "计算机",
        "通信",
        "其他电子设备",
    ]


def test_synonyms_expand_both_ways_within_a_group_and_down_to_narrower_groups():
    s = synonyms()
    assert set(s.expand("加工中心")) >= {"数控机床", "cnc", "加工中心"}
    assert s.expand("数控机床")["数控机床"] == 1.0 and s.expand("数控机床")["加工中心"] < 1.0
    assert "数控车床" in s.expand("cnc")  # a 数控车床 is a 数控机床
    assert "加工中心" not in s.expand("数控车床")  # but a 加工中心 is not a 数控车床
    assert s.expand("螺丝刀") == {"螺丝刀": 1.0}


def test_narrower_groups_nest():
    s = Synonyms([Group(("机械",)), Group(("机床",), "机械"), Group(("车床", "lathe"), "机床")], 0.5)
    assert set(s.expand("机械")) == {"机械", "机床", "车床", "lathe"}
    assert set(s.expand("lathe")) == {"lathe", "车床"}


def test_certifications_resolve_from_the_ways_people_write_them():
    assert resolve_certification("国家首台(套)重大技术装备") == "首台(套)"
    assert resolve_certification("新材料首批次") == "首批次"
    assert resolve_certification("绿色工厂") is None
    assert parse_certifications("首版次软件;《政府首购创新产品目录》、首版次") == [
        "首版次",
        "政府首购创新产品目录",
    ]
    assert resolve_catalog("优势产品目录") == "优势工业产品目录" and resolve_catalog("首台套") is None
