"""Benchmark: the match partitioned by region on a Dask cluster (huiqi.match.partitioned) against
the same match on one machine in one process, with what each stage costs per million enterprises.

    .venv/bin/python bench/partitioned.py                 # 200,000 enterprises, a local cluster of 2 workers
    .venv/bin/python bench/partitioned.py --n 1000000 --workers 2
    .venv/bin/python bench/partitioned.py --scheduler tcp://10.0.0.5:8786 --directory /shared/huiqi-bench

Stages: writing the Parquet partitions (by prefecture), the match of every partition on the
workers (each reads its files, matches, writes its result), reading the results back. The
single-machine run is :func:`huiqi.match.service.match_frames` on the whole population. The
two results are compared row for row (the figure facts' run-internal ``fact_key`` aside).
With a local cluster on this 2-core machine the partitioned run cannot be faster than the single
one (Polars already uses both cores); the figures say what distribution costs, so that the
number of machines a country-sized registry needs can be worked out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from huiqi.extract.pipeline import extract_file
from huiqi.match.caps import new_tax
from huiqi.match.engine import facts_frame
from huiqi.match.figures import annual
from huiqi.match.partitioned import match_partitioned, read_result, write_partitions
from huiqi.match.service import indicators_of, match_frames
from huiqi.registry.codes import code_for_place
from huiqi.registry.synthetic import generate
from huiqi.rules.compile import compile_document

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def main() -> int:
    from distributed import Client, LocalCluster

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="enterprises")
    parser.add_argument("--workers", type=int, default=2, help="workers of the local cluster")
    parser.add_argument("--scheduler", help="address of a running Dask scheduler (default: a local cluster)")
    parser.add_argument(
        "--directory", type=Path, help="shared storage for the partitions (default: a temporary folder)"
    )
    args = parser.parse_args()
    as_of = dt.date(2026, 11, 1)

    rules = []
    for number, path in enumerate(sorted(SEEDS.glob("*.txt")), start=1):
        rules.extend(compile_document(number, extract_file(path).model_dump(mode="json"), code_for_place)[0])
    population = generate(args.n, annual=True, monthly=False)
    enterprises = population.enterprises.select(
        "uscc", "name", "region_code", founded=pl.col("established_on").dt.year().cast(pl.Int32)
    )
    facts = facts_frame(
        population.recognitions.with_row_index("fact_id"),
        population.events.with_row_index("fact_id"),
        enterprises.select("uscc", "region_code"),
    )
    # the figures the service reads for these rules (huiqi.match.service.indicators_of)
    read = population.metrics.filter(pl.col("indicator").is_in(sorted(indicators_of(rules))))
    figures, tax = annual(read), new_tax(read)
    print(
        f"population: {args.n:,} enterprises, {facts.height:,} facts, {figures.height:,} annual figures "
        f"of the indicators the rules read; {len(rules)} rules"
    )
    per_million = 1_000_000 / args.n

    started = time.perf_counter()
    single = match_frames(enterprises, facts, rules, as_of, tax=tax, figures=figures)
    single_s = time.perf_counter() - started
    print(
        f"single machine, one process: {single_s:.2f} s ({single_s * per_million:.1f} s per million), {single.height:,} rows"
    )

    with tempfile.TemporaryDirectory() as scratch:
        directory = args.directory or Path(scratch)
        started = time.perf_counter()
        keys = write_partitions(directory, enterprises, facts, figures, tax)
        write_s = time.perf_counter() - started
        cluster = (
            None
            if args.scheduler
            else LocalCluster(
                n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
        )
        with Client(args.scheduler or cluster) as client:
            workers = len(client.scheduler_info()["workers"])
            started = time.perf_counter()
            paths = match_partitioned(client, directory, keys, rules, as_of)
            match_s = time.perf_counter() - started
        if cluster is not None:
            cluster.close()
        started = time.perf_counter()
        parted = read_result(paths)
        read_s = time.perf_counter() - started

    same = [c for c in single.columns if c != "fact_key"]
    order = ["uscc", "rule", "fact_ref", "year"]
    left, right = parted.select(same).sort(order), single.select(same).sort(order)
    equal = left.equals(right)
    if not equal:
        differing = [c for c in same if not left[c].equals(right[c])]
        print(f"columns that differ: {differing}")
    print(f"partitioned: {len(keys)} partitions on {workers} workers")
    for stage, seconds in (("write partitions (Parquet)", write_s), ("match on the workers", match_s),
                           ("read results", read_s)):  # fmt: skip
        print(f"  {stage:<28} {seconds:7.2f} s   {seconds * per_million:7.1f} s per million enterprises")
    total = write_s + match_s + read_s
    print(f"  {'total':<28} {total:7.2f} s   {total * per_million:7.1f} s per million enterprises")
    print(f"same rows as the single run: {'yes' if equal else 'NO'} ({parted.height:,} rows)")
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
