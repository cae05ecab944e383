"""Property-based tests: the extractor never raises, whatever text it is given."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huiqi.extract.model import PolicyDoc
from huiqi.extract.pipeline import extract_text

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"

# Pieces that exercise the rules: numbering, grants, amounts, lists, brackets and dates.
FRAGMENTS = [
    "一、",
    "(一)",
    "1.",
    "19",
    "(1)",
    "第一条",
    "对",
    "对于",
    "对外",
    "给予",
    "分别给予",
    "奖励",
    "补助",
    "补贴",
    "最高",
    "不超过",
    "不少于",
    "按",
    "按照",
    "的",
    "10%",
    "8‰",
    "全额",
    "500万元",
    "五十万元",
    "1.5亿元",
    "3000元",
    "/项",
    "每台(套)",
    "一次性",
    "、",
    "和",
    ",",
    ";",
    "。",
    "(",
    ")",
    "“",
    "”",
    "《",
    "》",
    "〔2024〕5号",
    "(责任单位:市财政局、市工信局)",
    "市、区各承担30%和70%",
    "国家级",
    "省级",
    "到2025年",
    "达到",
    "100家以上",
    "左右",
    "每年",
    "均高于",
    "3-5个百分点",
    "就高不重复",
    "其中:",
    "2024年3月1日",
    "有效期至2025年12月31日",
    "自印发之日起施行",
    "\n",
    " ",
    "企业",
    "平台",
]


def _check(text: str) -> None:
    doc = extract_text(text)
    assert isinstance(doc, PolicyDoc)
    # The output is always valid for the interchange format (serialises and re-validates).
    PolicyDoc.model_validate(doc.model_dump(mode="json"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    _check(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=80).map("".join))
def test_never_raises_on_policy_like_fragments(text: str) -> None:
    _check(text)


@pytest.mark.seeds
@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.stem[:3])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.floats(min_value=0.0, max_value=1.0), start=st.floats(min_value=0.0, max_value=1.0))
def test_never_raises_on_truncated_seeds(seed: Path, cut: float, start: float) -> None:
    text = seed.read_text(encoding="utf-8")
    a = int(len(text) * min(start, cut))
    b = int(len(text) * max(start, cut))
    _check(text[a:b])
