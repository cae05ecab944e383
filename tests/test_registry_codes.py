"""Identifier checks of the registry: credit codes, region codes, industry codes.

Credit codes are made here with their check digit computed by python-stdnum, never typed in.
"""

from __future__ import annotations

import pytest
from stdnum.cn.uscc import calc_check_digit

from huiqi.registry.codes import (
    clean_industry_code,
    clean_region_code,
    clean_uscc,
    code_for_place,
    contains,
    full_region_name,
    industry_division_name,
    industry_divisions,
    industry_section,
    is_registration_level,
    parent_code,
    region_level,
    region_name,
    region_prefix,
    regions,
)


def make_uscc(serial: int, region: str = "370102") -> str:
    """A valid credit code: registered by 工商 (9), enterprise (1), in ``region``."""
    body = f"91{region}MA{serial:07d}"
    return body + calc_check_digit(body)


def wrong_check_digit(code: str) -> tuple[str, str]:
    """``code`` with a wrong last character, and the right one."""
    right = code[-1]
    wrong = "0" if right != "0" else "1"
    return code[:-1] + wrong, right


# --- 统一社会信用代码 ------------------------------------------------------------------------


def test_valid_uscc_is_compacted_and_upper_cased():
    code = make_uscc(1)
    spaced = f" {code[:2]} {code[2:8]}-{code[8:]} ".lower()
    assert clean_uscc(spaced) == code
    assert clean_uscc(code) == code


def test_full_width_uscc_is_accepted():
    code = make_uscc(2)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert clean_uscc(full_width) == code


@pytest.mark.parametrize(
    ("cut", "reason"),
    [(17, "长度应为18位(实为17位)"), (10, "长度应为18位(实为10位)")],
)
def test_uscc_of_wrong_length(cut, reason):
    with pytest.raises(ValueError, match=r"^" + reason.replace("(", r"\(").replace(")", r"\)") + "$"):
        clean_uscc(make_uscc(3)[:cut])


def test_uscc_with_wrong_check_digit_names_the_right_one():
    bad, right = wrong_check_digit(make_uscc(4))
    with pytest.raises(ValueError) as caught:
        clean_uscc(bad)
    assert str(caught.value) == f"校验码错误(应为{right})"


def test_uscc_with_letter_o_suggests_zero():
    code = make_uscc(5)
    bad = code[:10] + "O" + code[11:]
    with pytest.raises(ValueError, match="含非法字符O"):
        clean_uscc(bad)
    with pytest.raises(ValueError, match="疑为0"):
        clean_uscc(bad)


@pytest.mark.parametrize("bad", ["91370102MA3C0#0001", "91370102MA3C00é001"])
def test_uscc_with_illegal_characters(bad):
    with pytest.raises(ValueError, match="含非法字符"):
        clean_uscc(bad)


def test_uscc_with_letters_in_region_part():
    body = "9137A102MA0000001"
    with pytest.raises(ValueError, match="第3-8位"):
        clean_uscc(body + calc_check_digit(body))


def test_uscc_turned_into_a_number_by_excel():
    with pytest.raises(ValueError, match="Excel"):
        clean_uscc(9.13701e17)
    with pytest.raises(ValueError, match="Excel"):
        clean_uscc("9.13701E+17")


def test_empty_uscc():
    with pytest.raises(ValueError, match="为空"):
        clean_uscc("  ")


# --- 行政区划代码 ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("370116", "莱芜区"),
        ("370117", "钢城区"),
        ("370124", "平阴县"),
        ("370126", "商河县"),
        ("370102", "历下区"),
        ("370783", "寿光市"),
        ("370705", "奎文区"),
        ("371681", "邹平市"),
        ("371602", "滨城区"),
        ("350502", "鲤城区"),
        ("350582", "晋江市"),
        ("370000", "山东省"),
        ("350500", "泉州市"),
    ],
)
def test_real_region_codes_have_their_names(code, name):
    assert clean_region_code(code) == code
    assert region_name(code) == name


def test_every_provincial_level_division_is_listed():
    provinces = [c for c in regions().names if region_level(c) == "province"]
    assert len(provinces) == 34
    assert region_name("810000") == "香港特别行政区"


def test_prefectures_of_shandong_and_fujian():
    shandong = {c for c in regions().names if c.startswith("37") and region_level(c) == "city"}
    fujian = {c for c in regions().names if c.startswith("35") and region_level(c) == "city"}
    assert len(shandong) == 16
    assert "371200" not in shandong  # 莱芜市 was merged into 济南市 in 2019
    assert len(fujian) == 9


def test_counties_of_jinan_weifang_binzhou_quanzhou():
    def counties(prefix: str) -> set[str]:
        return {c for c in regions().names if c.startswith(prefix) and region_level(c) == "county"}

    assert len(counties("3701")) == 12
    assert len(counties("3707")) == 12
    assert len(counties("3716")) == 7
    assert len(counties("3505")) == 12


@pytest.mark.parametrize(
    ("value", "code"),
    [(370102, "370102"), (350502.0, "350502"), ("370102000000", "370102"), (" 370116 ", "370116")],
)
def test_region_code_forms(value, code):
    assert clean_region_code(value) == code


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("370199", "370199不是有效的行政区划代码"),
        ("371200", "371200不是有效的行政区划代码"),
        ("3701", "应为6位数字(实为4位)"),
        ("37-01-02x", "应为6位数字"),
        ("", "为空"),
    ],
)
def test_bad_region_codes(value, reason):
    with pytest.raises(ValueError) as caught:
        clean_region_code(value)
    assert str(caught.value) == reason


def test_region_code_from_a_place_name():
    assert clean_region_code("平阴县") == "370124"
    assert clean_region_code("济南市市中区") == "370103"
    with pytest.raises(ValueError, match="重名"):
        clean_region_code("市中区")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("济南市", "370100"),
        ("济南", "370100"),
        ("潍坊", "370700"),
        ("山东省", "370000"),
        ("山东", "370000"),
        ("鲤城区", "350502"),
        ("泉州市鲤城区", "350502"),
        ("福建省泉州市鲤城区", "350502"),
        ("莱芜区", "370116"),
        ("滨州", "371600"),
        ("内蒙古自治区", "150000"),
        ("北京市朝阳区", "110105"),
    ],
)
def test_code_for_place(name, code):
    assert code_for_place(name) == code


@pytest.mark.parametrize("name", ["市中区", "朝阳区", "吉林", "不存在的地方", ""])
def test_code_for_place_refuses_unknown_or_ambiguous_names(name):
    assert code_for_place(name) is None


def test_prefix_and_containment():
    assert region_prefix("370000") == "37"
    assert region_prefix("370100") == "3701"
    assert region_prefix("350502") == "350502"
    assert contains("370000", "370116")
    assert contains("370100", "370117")
    assert contains("350502", "350502")
    assert not contains("370700", "370116")
    assert not contains("350502", "350503")


def test_parents_and_full_names():
    assert parent_code("370116") == "370100"
    assert parent_code("370100") == "370000"
    assert parent_code("110105") == "110000"
    assert full_region_name("350502") == "福建省泉州市鲤城区"


def test_registration_level():
    assert is_registration_level("370116")
    assert is_registration_level("441900")  # 东莞市 has no counties
    assert not is_registration_level("370100")
    assert not is_registration_level("370000")


# --- 国民经济行业分类 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("C3311", "C3311"),
        ("3311", "C3311"),
        (3311, "C3311"),
        (3311.0, "C3311"),
        ("c3311", "C3311"),
        ("33", "C33"),
        ("331", "C331"),
        ("0511", "A0511"),
        ("Ｉ６５１", "I651"),
        ("6511", "I6511"),
        ("9700", "T9700"),
    ],
)
def test_industry_code_forms(value, code):
    assert clean_industry_code(value) == code


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("B3311", "门类字母应为C(33属制造业)"),
        ("C6511", "门类字母应为I(65属信息传输、软件和信息技术服务业)"),
        ("9811", "没有98这一行业大类"),
        ("00", "没有00这一行业大类"),
        ("C", "应为门类字母加2至4位数字,如C3311"),
        ("C33111", "应为门类字母加2至4位数字,如C3311"),
        ("3", "应为门类字母加2至4位数字,如C3311"),
    ],
)
def test_bad_industry_codes(value, reason):
    with pytest.raises(ValueError) as caught:
        clean_industry_code(value)
    assert str(caught.value) == reason


SECTION_RANGES = {
    "A": (1, 5),
    "B": (6, 12),
    "C": (13, 43),
    "D": (44, 46),
    "E": (47, 50),
    "F": (51, 52),
    "G": (53, 60),
    "H": (61, 62),
    "I": (63, 65),
    "J": (66, 69),
    "K": (70, 70),
    "L": (71, 72),
    "M": (73, 75),
    "N": (76, 79),
    "O": (80, 82),
    "P": (83, 83),
    "Q": (84, 85),
    "R": (86, 90),
    "S": (91, 96),
    "T": (97, 97),
}


def test_all_97_divisions_and_their_sections():
    divisions = industry_divisions()
    assert list(divisions) == [f"{n:02d}" for n in range(1, 98)]
    for section, (first, last) in SECTION_RANGES.items():
        for number in range(first, last + 1):
            assert industry_section(f"{number:02d}") == section


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("C3311", "金属制品业"),
        ("3311", "金属制品业"),
        ("39", "计算机、通信和其他电子设备制造业"),
        ("I65", "软件和信息技术服务业"),
    ],
)
def test_industry_division_names(code, name):
    assert industry_division_name(code) == name
