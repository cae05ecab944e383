"""The reading lexicon (data/lexicon.toml): every named pattern matches its own example sentences
and rejects its counter-examples, so a pattern is added with data and examples, not code."""

from __future__ import annotations

import pytest

from huiqi.extract.lexicon import LEXICON, load_lexicon

PATTERNS = LEXICON.patterns()


def test_the_lexicon_has_patterns_and_every_one_has_examples_both_ways() -> None:
    assert len(PATTERNS) >= 20
    for pattern in PATTERNS:
        assert pattern.doc, pattern.name
        assert pattern.matches and pattern.rejects, pattern.name


@pytest.mark.parametrize("pattern", PATTERNS, ids=[p.name for p in PATTERNS])
def test_a_pattern_matches_its_examples_and_rejects_its_counter_examples(pattern) -> None:
    for sentence in pattern.matches:
        assert pattern.regex.search(sentence), f"{pattern.name} should match {sentence}"
    for sentence in pattern.rejects:
        assert not pattern.regex.search(sentence), f"{pattern.name} should not match {sentence}"


def test_word_lists_expand_longest_first_and_escape_plain_words() -> None:
    lexicon = load_lexicon('[words]\nunit = ["台", "台(套)"]\n[patterns.p]\nregex = "每⟨unit⟩"\n')
    assert lexicon.alternation("unit") == r"(?:台\(套\)|台)"
    assert lexicon.pattern("p").search("每台(套)补助").group(0) == "每台(套)"


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("每届给予20万元补助", "届"),
        ("按15元/平方米给予补助", "平方米"),
        ("按2万元/台给予补助", "台套"),
        ("每人每月补贴1500元", "人月"),
        ("按每家20万元给予资助", "家"),
        ("单项冠军企业奖励50万元", None),
    ],
)
def test_per_units_are_read_from_the_lexicon(text: str, unit: str | None) -> None:
    assert LEXICON.per_unit(text) == unit


def test_level_words_map_to_the_four_levels() -> None:
    assert {LEXICON.level_word(w) for w in ("国家", "省内", "市级", "县级")} == {
        "国家级",
        "省级",
        "市级",
        "区县级",
    }
    assert LEXICON.level_word("企业") is None
