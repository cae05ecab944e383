"""Score the extractor against ../shared/gold with the shared scorer and print (or record) the figures.

    python bench/extraction_score.py                 # print the scorer's report
    python bench/extraction_score.py --write docs/extraction-score.md

Also prints how long extraction took per document, so a slowdown shows up beside the score, and,
with --write, the corpus figures of bench/corpus_gold.py (documents, single clauses, unflagged
precision, titles) and the throughput of bench/extract.py.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
COMMAND = f"{sys.executable} -m huiqi.cli extract {{file}} --format json"


def run_scorer() -> str:
    result = subprocess.run(
        [sys.executable, str(SHARED / "tools" / "score_extraction.py"), "--cmd", COMMAND, "--show", "20"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def time_extraction() -> list[tuple[str, float]]:
    from huiqi.extract.pipeline import extract_file

    timings = []
    for seed in sorted((SHARED / "seeds").glob("*.txt")):
        start = time.perf_counter()
        extract_file(seed)
        timings.append((seed.name, time.perf_counter() - start))
    return timings


FIRST_LOOKS = """\
| blind set | written | first scored at | strict F1 | rows without needs_review fully right |
|---|---|---|---|---|
| held-out (019, 438, 492, 503, 520, 552) | before any extraction of them was looked at | just after commit 0ee00d7 | 0.848 (212 of 243 gold, 257 rows) | 91.0% (202/222) |
| held-out, single clauses | (the same sentences alone, plain and as traditional-script web snippets) | just after commit 0ee00d7 | 0.851 | 93.4% (399/427) |
| held-out-2 (502, 504, 505, 556, 559) | after the first round was read, again blind | commit 42539ef | 0.850 (91 of 108 gold, 106 rows) | 85.8% (91/106) |
| held-out-2, single clauses | | commit 42539ef | 0.849 | 91.4% (171/187) |
| held-out-3 (Guangzhou Nansha: three policy pages as published in HTML, four 办事指南 of which one GB18030; Zhejiang 444) | after the second round was read, again blind; another province and format | commit 77ce7b8 | 0.717 (118 of 162 gold, 167 rows; found F1 0.918) | 72.3% (115/159) |
| held-out-3, single clauses | | commit 77ce7b8 | 0.740 (found F1 0.921) | 77.2% (227/294) |
| held-out-4 (Guangzhou Nansha page 4ff091; Zhejiang 431 commerce, 442 science, 509 manufacturing lines 1-39) | after the third round was read, again blind | commit a67bce7 | 0.786 (169 of 217 gold, 213 rows; found F1 0.949) | 82.7% (162/196) |
| held-out-4, single clauses | | commit a67bce7 | 0.792 (found F1 0.963) | 86.3% (320/371) |
"""


def corpus_report() -> list[str]:
    """The corpus section of docs/extraction-score.md: figures measured now, and the first looks."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("corpus_gold", ROOT / "bench" / "corpus_gold.py")
    bench = importlib.util.module_from_spec(spec)
    sys.modules["corpus_gold"] = bench
    spec.loader.exec_module(bench)
    figures = []
    for split in bench.SPLITS:
        documents, clauses = bench.Tally(), bench.Tally()
        for gold_file in bench.gold_files(split):
            documents.add(bench.score_document(gold_file))
            clauses.add(bench.score_clauses(gold_file))
        figures += [documents.line(f"corpus {split} documents"), clauses.line(f"corpus {split} clauses")]
    files, titled, agreeing, _ = bench.score_titles()
    throughput = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "extract.py")], capture_output=True, text=True, check=True
    ).stdout.strip()
    return [
        "## Real documents from outside the seed cities",
        "",
        "`bench/corpus_gold.py` scores the reader against the project's own gold for 25 documents of",
        "`../shared/corpus/zhejiang/` and 8 of `../shared/corpus/nansha/` (`tests/corpus_gold/`: keys and",
        "line numbers, the text read from the",
        "corpus at run time), with the shared scorer's pairing. *held-in* documents were read while the",
        "rules were written; *held-out* ones were written blind and scored once before being read (the",
        "first figures below are the honest measure of unseen documents); *held-out-2* is a second blind",
        "set written after the first was read; *held-out-3* a third, mostly from another province",
        "(Guangzhou Nansha web pages and 办事指南), written after the second was read; *held-out-4* a",
        "fourth (one more Nansha page, Zhejiang 431, 442 and 509), written after the third was read. A",
        "row counts as",
        "right (strict) when its kind, numbers and",
        "key-bearing subject match; optional gold rows (pointers to other documents' rewards, derived",
        "amounts, payments to townships) count neither way. *Clauses* are each gold sentence extracted",
        "from a file of its own, plain and again in traditional script between a web page's furniture.",
        "`tests/test_corpus.py` holds these figures to the issue's bars.",
        "",
        "First looks at the blind sets (before any rule was changed for them):",
        "",
        FIRST_LOOKS,
        "In held-out-4, five gold rows of Zhejiang 431 (每增加1亿元再给予1万元) were first written as fixed",
        "amounts and corrected after the first scoring to the per-amount rate `docs/extraction.md` has",
        "always read them as; scored again at a67bce7 with the corrected gold the first figures are the",
        "same (the rows' subject lacked their key either way).",
        "",
        "Now (after general fixes drawn from the blind rounds, each with a sentence of its own in",
        "`tests/test_extract_patterns.py`; these figures are no longer blind):",
        "",
        "```",
        *figures,
        f"titles: {titled}/{files} Zhejiang documents titled, {agreeing}/{files} agree with the name they were collected under",
        "```",
        "",
        "The titles that disagree were checked by hand: the collected name is a topic label (大学生招聘补贴,",
        "国家重点实验室支持) or a shortened title, and the title read is the document's own; the one untitled",
        "file prints its title broken over three lines around a 文号.",
        "",
        "## Throughput (`bench/extract.py`, one core)",
        "",
        "```",
        throughput,
        "```",
        "",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--write", type=Path, help="write the report as Markdown to this file")
    args = parser.parse_args()
    report = run_scorer()
    timings = time_extraction()
    print(report)
    for name, seconds in timings:
        print(f"extract {name}: {seconds * 1000:.0f} ms")
    if args.write:
        corpus = corpus_report()
        lines = [
            "# Extraction score",
            "",
            f"Recorded {date.today().isoformat()} by `make score` (`bench/extraction_score.py`), which runs",
            "`../shared/tools/score_extraction.py --cmd 'huiqi extract {file} --format json'` over the gold",
            "files in `../shared/gold/`. The extraction issue's bar: incentive strict F1 ≥ 0.90, task mean",
            "Jaccard ≥ 0.90 with ≥ 90% of task ids found, targets found ≥ 85%, document fields right ≥ 90%.",
            "`tests/test_docs.py` fails when the last line below no longer matches a fresh run.",
            "",
            "```",
            report,
            "```",
            "",
            "Time to extract each seed (one process, warm):",
            "",
            *[f"- `{name}`: {seconds * 1000:.0f} ms" for name, seconds in timings],
            "",
            *corpus,
        ]
        args.write.write_text("\n".join(lines), encoding="utf-8")
        print(f"written to {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
