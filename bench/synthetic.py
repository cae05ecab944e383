"""Time the synthetic enterprise population generator and print row counts.

    python bench/synthetic.py                         # n = 10k, 100k, 1M; metrics off
    python bench/synthetic.py --n 5000 --annual --monthly
    python bench/synthetic.py --n 100000 --csv /tmp/population   # also time write_csv

Each size runs in a fresh process, so the peak memory printed is that size's own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_one(n: int, seed: int, annual: bool, monthly: bool, csv: str | None) -> dict:
    from huiqi.registry.synthetic import generate, write_csv

    start = time.perf_counter()
    pop = generate(n, seed=seed, annual=annual, monthly=monthly)
    result: dict = {"n": n, "seconds": round(time.perf_counter() - start, 2), "rows": pop.row_counts()}
    if csv:
        folder = Path(csv) / f"n{n}"
        start = time.perf_counter()
        paths = write_csv(pop, folder)
        result["csv_seconds"] = round(time.perf_counter() - start, 2)
        result["csv_mb"] = round(sum(p.stat().st_size for p in paths.values()) / 2**20, 1)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--annual", action="store_true", help="generate annual metrics too")
    parser.add_argument("--monthly", action="store_true", help="generate monthly metrics too")
    parser.add_argument("--csv", metavar="DIR", help="also write the CSVs under DIR and time it")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # child process
    args = parser.parse_args()

    if args.one:
        print(json.dumps(run_one(args.n[0], args.seed, args.annual, args.monthly, args.csv)))
        return
    flags = [flag for flag, on in (("--annual", args.annual), ("--monthly", args.monthly)) if on]
    metrics = "+".join(f[2:] for f in flags) or "off"
    print(
        f"{'n':>10} {'seconds':>8} {'enterprises':>12} {'recognitions':>13} {'events':>10} {'metrics':>11}"
        f" {'peak MB':>8}   (metrics: {metrics})"
    )
    with tempfile.TemporaryDirectory() as scratch:
        for n in args.n:
            command = [sys.executable, __file__, "--one", "--n", str(n), "--seed", str(args.seed), *flags]
            if args.csv:
                command += ["--csv", args.csv if args.csv != "-" else scratch]
            out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            rows = r["rows"]
            line = (
                f"{n:>10,} {r['seconds']:>8.2f} {rows['enterprises']:>12,} {rows['recognitions']:>13,}"
                f" {rows['events']:>10,} {rows['metrics']:>11,} {r['peak_mb']:>8,}"
            )
            if "csv_seconds" in r:
                line += f"   csv {r['csv_seconds']:.2f} s, {r['csv_mb']} MB"
            print(line, flush=True)


if __name__ == "__main__":
    main()
