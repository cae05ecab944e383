"""Score the extractor against ../shared/gold with the shared scorer and print (or record) the figures.

    python bench/extraction_score.py                 # print the scorer's report
    python bench/extraction_score.py --write docs/extraction-score.md

Also prints how long extraction took per document, so a slowdown shows up beside the score.
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
        ]
        args.write.write_text("\n".join(lines), encoding="utf-8")
        print(f"written to {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
