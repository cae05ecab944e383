"""Extraction throughput over the corpus: characters and documents per second on one core.

    python bench/extract.py              # best of 3 runs over ../shared/corpus and ../shared/seeds
    python bench/extract.py --runs 5

The files are loaded (decoded, web pages reduced to their article) once, outside the timing; the
timed work is ``extract_text``: normalisation (NFKC, 繁→简), boilerplate removal, line repair,
document fields, structure, incentives, targets and stacking. Beside it the script times the
floor every reading pays — normalisation alone — so the figure can be judged against the least a
competent implementation must do. One process, one thread: the figures are per core. The bar
(issue 8) is ≥ 1 MB/s of text per core.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def corpus_texts() -> list[tuple[str, str]]:
    from huiqi.extract.loaders import load_text

    paths = sorted((SHARED / "corpus").rglob("*.txt")) + sorted((SHARED / "corpus").rglob("*.html"))
    paths += sorted((SHARED / "seeds").glob("*.txt"))
    return [(str(p.relative_to(SHARED)), load_text(p)) for p in paths]


def best_of(runs: int, work) -> float:
    """The least CPU time (``time.process_time``) of ``runs`` calls: per-core time, which other
    processes on the machine do not inflate the way they inflate wall-clock time."""
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs; the best is reported")
    args = parser.parse_args()

    from huiqi.extract.pipeline import extract_text
    from huiqi.text.normalize import normalize

    texts = corpus_texts()
    chars = sum(len(t) for _, t in texts)
    mbytes = sum(len(t.encode("utf-8")) for _, t in texts) / 1e6
    for _, text in texts[:3]:  # warm the caches (OpenCC, compiled patterns, the division list)
        extract_text(text)

    floor = best_of(args.runs, lambda: [normalize(t) for _, t in texts])
    full = best_of(args.runs, lambda: [extract_text(t) for _, t in texts])
    rows = sum(len(extract_text(t).incentives) for _, t in texts)

    print(
        f"corpus: {len(texts)} documents, {chars:,} characters, {mbytes:.2f} MB UTF-8, {rows:,} incentive rows"
    )
    print(
        f"extract_text: {full:.2f} s — {chars / full:,.0f} characters/s, {mbytes / full:.2f} MB/s, "
        f"{len(texts) / full:.1f} documents/s (CPU time, best of {args.runs}, one core)"
    )
    print(
        f"normalisation alone (the floor): {floor:.2f} s — {chars / floor:,.0f} characters/s, "
        f"{mbytes / floor:.2f} MB/s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
