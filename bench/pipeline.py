"""Benchmark: the whole path on one machine — generate → import → match → store → export — for a
synthetic population, each step in a process of its own so its time and peak memory are its own,
run twice on the same files: with this worktree's bulk paths, then with the baseline's code.

    .venv/bin/python bench/pipeline.py --n 20000                 # SQLite, bulk paths vs. baseline
    .venv/bin/python bench/pipeline.py --n 200000 --baseline none
    .venv/bin/python bench/pipeline.py --n 20000 --database postgresql+psycopg://user@host/db \
        --baseline-database postgresql+psycopg://user@host/other

Steps (the seed documents and a document of conditions on figures are ingested first, untimed):

* generate: the synthetic registry (registry/synthetic.py) written as the importer's CSV files;
* import: each table through ``huiqi import``'s code (import_file), one step per table;
* match: compile the rules, load the registry from the database, evaluate and stack (not stored);
* match+store: the same as ``huiqi match`` runs it: stored as a match run with its entitlements;
* export: the stored run's rows read back and written as JSON, CSV and Excel.

The baseline is the code of a git commit (``--baseline``, default: main before issue 13's bulk
paths — row-by-row validation and ORM writes, the JSON export as one list, Excel through
openpyxl), unpacked from git and put ahead of this worktree on the child processes' path.

``--metrics`` chooses the figures imported: ``none``; ``recent`` (the annual figures the rules
read — 营业收入, 税收, 研发投入, 用地面积 — of the last two years); ``monthly`` (default: those and
the 24 months of monthly 营业收入, 工业增加值, 用电量, 税收); ``all`` (every annual figure of every
year and the monthly ones, about 90 rows an enterprise). Prints each step's seconds, rows per
second and peak resident memory (ru_maxrss of the step's process), the machine's load, the totals
and the baseline/bulk ratios. An import step's seconds include starting Python and importing
the modules (about 0.8 s); ``import_file_s`` and ``import_file_rows_s`` are the import alone.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
BASELINE_REF = "0cc3457"  # main before issue 13's bulk paths were merged: row-by-row import, one-list exports
sys.path.insert(0, str(Path(__file__).resolve().parent))

CHILD = r"""
import json, resource, sys, time
args = json.loads(sys.argv[1])
if args.get("src"):
    sys.path.insert(0, args["src"])  # the baseline's code, ahead of the worktree's (a plain .pth path)
started = time.perf_counter()
result = {}
step = args["step"]
from pathlib import Path
if step == "generate":
    import polars as pl
    from huiqi.registry.synthetic import csv_frame, generate
    pop = generate(args["n"], annual=args["metrics"] != "none", monthly=args["metrics"] in ("monthly", "all"))
    folder = Path(args["folder"]); folder.mkdir(parents=True, exist_ok=True)
    rows = 0
    for table in ("enterprises", "recognitions", "events", "metrics"):
        frame = csv_frame(pop, table)
        if table == "metrics":
            if args["metrics"] == "none":
                continue
            if args["metrics"] in ("recent", "monthly"):
                annual = pl.col("period").str.len_chars() == 4
                last = frame.filter(annual)["period"].max()
                frame = frame.filter(
                    ~annual
                    | (
                        pl.col("indicator").is_in(["营业收入", "税收", "研发投入", "用地面积"])
                        & (pl.col("period").cast(pl.Int32, strict=False) >= int(last) - 1)
                    )
                )
        frame.write_csv(folder / f"{table}.csv", include_bom=True, date_format="%Y-%m-%d")
        result[table] = frame.height
        rows += frame.height
    result["rows"] = rows
elif step.startswith("import:"):
    from huiqi.db.engine import make_engine
    from huiqi.registry.importer import import_file
    table = step.split(":")[1]
    began = time.perf_counter()
    summary = import_file(make_engine(args["url"]), table, Path(args["folder"]) / f"{table}.csv")
    inside = time.perf_counter() - began
    result = {"rows": summary.rows_total, "new": summary.rows_new, "bad": summary.rows_bad,
              "import_file_s": round(inside, 2), "import_file_rows_s": round(summary.rows_total / inside)}
elif step in ("match", "match+store"):
    import datetime as dt
    from huiqi.db.engine import make_engine
    from huiqi.match import service
    engine = make_engine(args["url"])
    timings = {}
    names = ("compile_library", "load_registry", "load_figures", "match_frames", "_store")
    real = {name: getattr(service, name) for name in names if hasattr(service, name)}
    def timed(name):
        def run(*a, **k):
            t = time.perf_counter(); out = real[name](*a, **k); timings[name] = timings.get(name, 0) + time.perf_counter() - t
            return out
        return run
    for name in real:
        setattr(service, name, timed(name))
    out = service.run_match(engine, dt.date.fromisoformat(args["as_of"]), None, store=step == "match+store")
    result = {"rows": out.entitlements.height, "rules": len(out.rules), **{k: round(v, 2) for k, v in timings.items()}}
elif step == "export":
    import polars as pl
    from sqlalchemy import select, func
    from huiqi.db.engine import make_engine
    from huiqi.db.models import Entitlement, MatchRun
    from huiqi.match import report
    engine = make_engine(args["url"])
    with engine.connect() as conn:
        run = conn.execute(select(func.max(MatchRun.id))).scalar()
    columns = ["uscc", "document", "subject", "kind", "fact", "year", "amount_wan", "cap_wan", "payers", "mode", "status", "reason"]
    schema = {c: pl.Float64 if c.endswith("_wan") else pl.Int64 if c == "year" else pl.String for c in columns}
    from sqlalchemy import String, cast
    # payers as JSON text on both databases (ADBC hands PostgreSQL's json over as an extension type)
    fields = [cast(Entitlement.payers, String).label("payers") if c == "payers" else getattr(Entitlement, c) for c in columns]
    query = select(*fields).where(Entitlement.run_id == run)
    try:
        from huiqi.match.dbio import read_frame
    except ImportError:  # the baseline: Polars over a SQLAlchemy connection
        with engine.connect() as conn:
            frame = pl.read_database(query, conn, schema_overrides=schema)
    else:
        frame = read_frame(engine, query, schema)
    result["read_s"] = round(time.perf_counter() - started, 2)
    payers = pl.List(pl.Struct({"payer": pl.String, "share": pl.Float64}))
    frame = frame.with_columns(
        pl.col("payers").str.json_decode(payers),
        pl.col("kind").alias("formula"),
        pl.lit(None, pl.String).alias("name"),
        pl.lit(None, pl.Float64).alias("limit_factor"),
        pl.lit(None, pl.List(pl.String)).alias("limit_payers"),
    )
    folder = Path(args["folder"])
    t = time.perf_counter()
    with (folder / "out.json").open("w", encoding="utf-8") as handle:
        if hasattr(report, "write_json"):
            report.write_json(frame, handle)
        else:  # the baseline: what huiqi match --format json did before (one list, one dumps)
            handle.write(json.dumps(report.records(frame), ensure_ascii=False, default=str) + "\n")
    result["json_s"] = round(time.perf_counter() - t, 2); t = time.perf_counter()
    if hasattr(report, "write_csv"):  # the baseline had no CSV export of a match
        report.write_csv(frame, folder / "out.csv")
        result["csv_s"] = round(time.perf_counter() - t, 2); t = time.perf_counter()
    report.write_xlsx(frame, folder / "out.xlsx")
    result["xlsx_s"] = round(time.perf_counter() - t, 2)
    result["rows"] = frame.height
result["seconds"] = time.perf_counter() - started
result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("RESULT " + json.dumps(result, ensure_ascii=False))
"""


def run_step(step: str, **args) -> dict:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps({"step": step, **args})],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"step {step} failed:\n{done.stderr[-3000:]}")
    result = json.loads(line[7:])
    result["wall"] = wall
    return result


def setup(url: str) -> None:
    """The seed documents and the figures document of bench/match.py in the library."""
    from match import FIGURES_DOCUMENT

    from huiqi.db.engine import make_engine, session_scope
    from huiqi.db.migrate import upgrade
    from huiqi.library import read_document, store_document

    upgrade(url)
    engine = make_engine(url)
    with tempfile.TemporaryDirectory() as folder:
        extra = Path(folder) / "济南市支持企业做大做强的若干措施.txt"
        extra.write_text(FIGURES_DOCUMENT, encoding="utf-8")
        for path in [*sorted(SEEDS.glob("*.txt")), extra]:
            with session_scope(engine) as session:
                store_document(session, read_document(path))
    engine.dispose()


def uptime() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def baseline_source(ref: str, folder: Path) -> str:
    """The ``src`` folder of ``ref`` (the code before issue 13's bulk paths), unpacked into ``folder``."""
    repo = Path(__file__).resolve().parents[1]
    folder.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(repo), "archive", ref, "src"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return str(folder / "src")


def run_path(label: str, steps: list[tuple[str, dict]], folder: Path, url: str, src: str | None) -> dict:
    """Run ``steps`` against ``url`` with the code in ``src`` (None: this worktree's); print a table."""
    print(f"\n{label}: {url.split('@')[-1]}")
    setup(url)
    print(f"{'step':<22}{'seconds':>9}{'rows':>12}{'rows/s':>12}{'peak MB':>9}  detail")
    results = {}
    total = 0.0
    for step, extra in steps:
        result = run_step(step, folder=str(folder), url=url, src=src, **extra)
        results[step] = dict(result)
        seconds = result.pop("seconds")
        peak = result.pop("peak_mb")
        result.pop("wall")
        rows = result.get("rows", 0)
        if step not in ("match", "generate"):  # the pure match is a yardstick for match+store
            total += seconds
        detail = ", ".join(f"{k}={v}" for k, v in result.items() if k != "rows")
        print(
            f"{step:<22}{seconds:>9.1f}{rows:>12,}{rows / seconds:>12,.0f}{peak:>9.0f}  {detail}", flush=True
        )
    pure = results["match"]["match_frames"]
    stored = results["match+store"]
    peak = max(r["peak_mb"] for step, r in results.items() if step != "generate")
    print(
        f"total (import, match+store, export): {total:.1f} s, highest peak {peak:.0f} MB; "
        f"store adds {stored.get('_store', 0):.1f} s to {pure:.1f} s of matching "
        f"(run with store / pure match: {(stored['match_frames'] + stored.get('_store', 0)) / pure:.1f}×)"
    )
    results["total"] = {"seconds": total, "peak_mb": peak}
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--metrics", choices=("none", "recent", "monthly", "all"), default="monthly")
    parser.add_argument(
        "--database", help="SQLAlchemy URL (default: a new SQLite file in a temporary folder)"
    )
    parser.add_argument(
        "--baseline-database", help="SQLAlchemy URL for the baseline (default: another SQLite file)"
    )
    parser.add_argument("--as-of", default="2026-11-01")
    parser.add_argument(
        "--baseline",
        default=BASELINE_REF,
        help=f"git commit whose code is the baseline (default {BASELINE_REF}: main before the bulk paths); "
        "'none' skips it",
    )
    parser.add_argument("--keep", action="store_true", help="keep the folder with the files and the database")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="huiqi-pipeline-"))
    print(f"pipeline: {args.n:,} enterprises, metrics={args.metrics}; load {uptime()}")
    generated = run_step("generate", folder=str(folder), n=args.n, metrics=args.metrics)
    counts = ", ".join(
        f"{t}={generated[t]:,}"
        for t in ("enterprises", "recognitions", "events", "metrics")
        if t in generated
    )
    print(f"generate: {generated['seconds']:.1f} s, {generated['peak_mb']:.0f} MB peak; {counts}")
    steps = [
        ("import:enterprises", {}),
        ("import:recognitions", {}),
        ("import:events", {}),
        *([("import:metrics", {})] if args.metrics != "none" else []),
        ("match", {"as_of": args.as_of}),
        ("match+store", {"as_of": args.as_of}),
        ("export", {}),
    ]
    url = args.database or f"sqlite:///{folder / 'huiqi.db'}"
    new = run_path("bulk paths (this worktree)", steps, folder, url, None)
    if args.baseline != "none":
        src = baseline_source(args.baseline, folder / "baseline")
        url = args.baseline_database or f"sqlite:///{folder / 'baseline.db'}"
        old = run_path(f"baseline (code of {args.baseline})", steps, folder, url, src)
        print("\nbaseline / bulk, time and peak memory per step:")
        for step, _ in [*steps, ("total", {})]:
            a, b = old[step], new[step]
            print(
                f"  {step:<22}{a['seconds'] / b['seconds']:>7.1f}× time {a['peak_mb'] / b['peak_mb']:>7.1f}× memory"
            )
    print(f"load {uptime()}")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    else:
        print(f"kept: {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
