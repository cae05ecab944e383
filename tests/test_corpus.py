"""The reader on real documents from outside the seed cities (``../shared/corpus/``), scored against
the project's own hand-checked gold in ``tests/corpus_gold/`` (keys and numbers; the text is read
from the corpus at run time). The figures are recorded in docs/extraction-score.md.

The bars are the issue's: on unseen whole documents incentive strict F1 ≥ 0.85 and ≥ 95% of the
rows without ``needs_review`` fully right; on single clauses strict F1 ≥ 0.75.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"

pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is not beside the project")


def _bench():
    spec = importlib.util.spec_from_file_location("corpus_gold", ROOT / "bench" / "corpus_gold.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus_gold"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


BENCH = _bench()


def _documents(split: str):
    total = BENCH.Tally()
    for gold_file in BENCH.gold_files(split):
        total.add(BENCH.score_document(gold_file))
    return total


def test_every_gold_file_is_well_formed() -> None:
    files = BENCH.gold_files()
    assert len(files) >= 20
    for gold_file in files:
        gold = yaml.safe_load(gold_file.read_text(encoding="utf-8"))
        assert gold["split"] in BENCH.SPLITS, gold_file.name
        assert (CORPUS / gold["file"]).exists(), gold_file.name
        lines = BENCH.corpus_lines(gold["file"])
        for row in gold.get("incentives") or []:
            assert {"line", "key", "kind"} <= set(row), (gold_file.name, row)
            for n in row["line"] if isinstance(row["line"], list) else [row["line"]]:
                assert 1 <= n <= len(lines), (gold_file.name, row)
            # A key is made of the words of its sentence (1类 from 1、2、3类人才 once the list is
            # spread) or of the heading it stands under (a guide's 求职创业补贴 … 每人1500元).
            first = (row["line"][0] if isinstance(row["line"], list) else row["line"]) - 1
            text = BENCH.scorer().norm("".join(lines[max(0, first - 20) : first + 3]))
            assert set(BENCH.scorer().norm(row["key"])) <= set(text), (gold_file.name, row)


def test_held_in_documents() -> None:
    tally = _documents("held-in")
    assert tally.gold >= 150
    assert tally.strict_f1 >= 0.95, tally.line("held-in")
    assert tally.unflagged_precision >= 0.95, tally.line("held-in")


def test_held_out_documents_of_the_first_round() -> None:
    # Scored blind once (strict F1 0.848, unflagged 91.0%, recorded in docs/extraction-score.md),
    # then read: general fixes followed, so this is no longer an unseen figure.
    tally = _documents("held-out")
    assert tally.gold >= 200
    assert tally.strict_f1 >= 0.90, tally.line("held-out")
    assert tally.unflagged_precision >= 0.95, tally.line("held-out")


def test_held_out_documents_of_the_third_round() -> None:
    # Guangzhou Nansha web pages and 办事指南 (another province and format) and Zhejiang 444, scored
    # blind once (strict F1 0.717, unflagged 72.3%, recorded in docs/extraction-score.md), then read.
    tally = _documents("held-out-3")
    assert tally.gold >= 150
    assert tally.strict_f1 >= 0.88, tally.line("held-out-3")
    assert tally.unflagged_precision >= 0.95, tally.line("held-out-3")


def test_held_out_documents_of_the_fourth_round() -> None:
    # A Nansha page and Zhejiang 431 (commerce), 442 (science), 509 (manufacturing, lines 1-39),
    # scored blind once (strict F1 0.786, unflagged 82.7%, recorded in docs/extraction-score.md),
    # then read.
    tally = _documents("held-out-4")
    assert tally.gold >= 200
    assert tally.strict_f1 >= 0.93, tally.line("held-out-4")
    assert tally.unflagged_precision >= 0.95, tally.line("held-out-4")


def test_single_clauses_pasted_alone() -> None:
    tally = BENCH.Tally()
    for gold_file in (
        BENCH.gold_files("held-in")
        + BENCH.gold_files("held-out")
        + BENCH.gold_files("held-out-3")
        + BENCH.gold_files("held-out-4")
    ):
        tally.add(BENCH.score_clauses(gold_file))
    assert tally.strict_f1 >= 0.75, tally.line("clauses")


def _stacking_cases():
    for gold_file in BENCH.gold_files():
        gold = yaml.safe_load(gold_file.read_text(encoding="utf-8"))
        for item in gold.get("stacking") or []:
            yield pytest.param(gold, item, id=f"{gold_file.stem}-L{item['line']}-{item['rule']}")


@pytest.mark.parametrize(("gold", "item"), list(_stacking_cases()))
def test_stacking_rules_and_their_typed_fields(gold: dict, item: dict) -> None:
    from huiqi.extract.pipeline import extract_file

    norm = BENCH.scorer().norm
    line = norm(BENCH.corpus_lines(gold["file"])[item["line"] - 1])
    found = [
        s
        for s in extract_file(CORPUS / gold["file"]).stacking
        if s.rule == item["rule"] and BENCH.scorer().shares_run(norm(s.text), line)
    ]
    assert found, item
    for field, value in item.items():
        if field not in ("line", "rule"):
            assert getattr(found[0], field) == value, (field, found[0])


def test_document_fields_where_the_gold_gives_them() -> None:
    from huiqi.extract.pipeline import extract_file

    checked = 0
    for gold_file in BENCH.gold_files():
        gold = yaml.safe_load(gold_file.read_text(encoding="utf-8"))
        for field, value in (gold.get("document") or {}).items():
            assert getattr(extract_file(CORPUS / gold["file"]).document, field) == value, (
                gold_file.name,
                field,
            )
            checked += 1
    assert checked >= 2


def test_titles_of_the_zhejiang_corpus() -> None:
    files, titled, agreeing, _ = BENCH.score_titles()
    assert files == 75
    assert titled >= 72 and agreeing >= 66, (titled, agreeing)
