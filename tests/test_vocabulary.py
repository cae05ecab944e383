"""The qualification vocabulary: registry names resolve exactly or not at all."""

from __future__ import annotations

import pytest

from huiqi.rules.vocabulary import load_vocabulary


@pytest.mark.parametrize(
    ("name", "table", "kind", "level"),
    [
        ('专精特新"小巨人"企业', "recognition", "专精特新小巨人", None),  # the validator adds 国家级
        ("国家级专精特新小巨人", "recognition", "专精特新小巨人", "国家级"),
        ("小巨人企业", "recognition", "专精特新小巨人", None),
        ("省级专精特新优质企业", "recognition", "专精特新中小企业", "省级"),
        ("中华老字号", "recognition", "老字号", "国家级"),
        ("主导制定国际标准", "event", "标准制定", "国际标准"),
        ("展会", "event", "参展", None),
    ],
)
def test_names_officials_write_resolve_to_one_kind(name, table, kind, level):
    resolved = load_vocabulary().resolve(name, table)
    assert resolved is not None and (resolved.kind, resolved.level) == (kind, level)


@pytest.mark.parametrize(
    ("name", "table"),
    [
        ("拟上市辅导", "event"),  # about to list is not a listing
        ("发明专利授权申请", "event"),  # an application is not a grant
        ("高新技术企业培育库入库企业", "recognition"),  # the incubation pool is not the title
        ("省级技术中心培育企业", "recognition"),
        ("专精特新优质企业", "recognition"),  # 国家级 or 省级 mean different kinds: say which
    ],
)
def test_names_that_only_contain_a_kind_are_not_guessed(name, table):
    assert load_vocabulary().resolve(name, table) is None
