"""Benchmark: importing a large workbook (.xlsx) of figures, streamed against opened whole.

    .venv/bin/python bench/workbook_import.py --rows 400000

Writes a workbook of ``--rows`` metric rows (openpyxl's write-only mode; dates and numbers as
typed cells, as Excel saves them) for enterprises imported first from a CSV file, then imports
it twice into fresh SQLite databases, each import in a process of its own: streamed and checked
a chunk at a time (as ``huiqi import`` reads a workbook above 20 MB; the limit is set to 0 so a
smaller benchmark workbook is streamed too), and opened whole, as every workbook was read
before. Prints seconds, rows per second and the peak resident memory of each import's process.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
args = json.loads(sys.argv[1])
from pathlib import Path
from huiqi.db.engine import make_engine
from huiqi.db.migrate import upgrade
from huiqi.registry import reader
from huiqi.registry.importer import import_file
# streamed: as huiqi import reads a workbook above 20 MB, whatever this one's size; whole: as
# every workbook was read before streaming
reader._MERGE_READ_LIMIT = 1 << 40 if args["whole"] else 0
url = "sqlite:///" + args["db"]
upgrade(url)
engine = make_engine(url)
import_file(engine, "enterprises", Path(args["firms"]))
began = time.perf_counter()
summary = import_file(engine, "metrics", Path(args["book"]))
seconds = time.perf_counter() - began
print("RESULT " + json.dumps({"rows": summary.rows_total, "new": summary.rows_new, "bad": summary.rows_bad,
      "seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def write_files(folder: Path, rows: int) -> tuple[Path, Path]:
    from openpyxl import Workbook
    from stdnum.cn import uscc

    months = 24
    firms = max(1, rows // (months * 2))
    codes = []
    for i in range(firms):
        body = f"913701{i:011d}"
        codes.append(body + uscc.calc_check_digit(body))
    firms_csv = folder / "企业.csv"
    with firms_csv.open("w", encoding="utf-8-sig") as out:
        out.write("统一社会信用代码,企业名称,行政区划代码\n")
        out.writelines(f"{c},测试企业{i}有限公司,370102\n" for i, c in enumerate(codes))
    book = Workbook(write_only=True)
    sheet = book.create_sheet("指标")
    sheet.append(["统一社会信用代码", "期间", "指标", "数值", "单位"])
    written = 0
    for i, c in enumerate(codes):
        for month in range(months):
            period = f"{2023 + month // 12}-{month % 12 + 1:02d}"
            for indicator, unit in (("营业收入", "万元"), ("用电量", "万千瓦时")):
                if written < rows:
                    sheet.append([c, period, indicator, 100.0 + (i * 7 + month) % 997 / 10, unit])
                    written += 1
    path = folder / "指标.xlsx"
    book.save(path)
    return firms_csv, path


def run(args: dict) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(args)], capture_output=True, text=True)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(line[7:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400_000)
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="huiqi-workbook-"))
    try:
        started = time.perf_counter()
        firms, book = write_files(folder, options.rows)
        size = book.stat().st_size / 1024 / 1024
        print(
            f"workbook: {options.rows:,} rows, {size:.1f} MB, written in {time.perf_counter() - started:.1f} s"
        )
        print(f"{'import':<28}{'seconds':>9}{'rows':>11}{'rows/s':>10}{'peak MB':>9}")
        for label, whole in (("streamed", False), ("opened whole (before)", True)):
            db = folder / f"{'whole' if whole else 'streamed'}.db"
            result = run({"whole": whole, "db": str(db), "firms": str(firms), "book": str(book)})
            assert result["bad"] == 0, result
            print(
                f"{label:<28}{result['seconds']:>9.1f}{result['rows']:>11,}"
                f"{result['rows'] / result['seconds']:>10,.0f}{result['peak_mb']:>9.0f}",
                flush=True,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
