"""How many incentives of real documents become executable rules, and why the rest do not.

    .venv/bin/python bench/rules_coverage.py                  # the Zhejiang corpus, a summary
    .venv/bin/python bench/rules_coverage.py --write docs/rules-coverage.md
    .venv/bin/python bench/rules_coverage.py --sample 40 --seed 7   # rules to check by hand

Reads every document of ``../shared/corpus/zhejiang`` (and the seeds, for comparison), compiles
its incentives against the vocabulary and prints, per document and overall, the share that
became rules (split into those paid without application and those needing one) and the reasons
of the others, grouped.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter
from pathlib import Path

from huiqi.extract.pipeline import extract_file
from huiqi.registry.codes import code_for_place
from huiqi.rules.compile import compile_document

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "zhejiang"
SEEDS = ROOT.parent / "shared" / "seeds"

GROUPS = [
    ("未对应到词表(对象不是认定、事项或指标条件)", re.compile(r"未对应到资格词表")),
    ("同一句重复出现", re.compile(r"只计一次")),
    ("对象列出多个级别或事项、未说明适用哪个", re.compile(r"列出多个")),
    ("对象是个人或企业以外的机构", re.compile(r"企业以外的机构")),
    ("文件地区无法对应到行政区划", re.compile(r"无法对应到行政区划代码")),
    ("征求意见稿等未生效文件", re.compile(r"未定稿")),
]


def group(reason: str) -> str:
    return next((name for name, pattern in GROUPS if pattern.search(reason)), reason[:30])


def coverage(paths: list[Path]):
    rows, reasons, compiled = [], Counter(), []
    for number, path in enumerate(paths, start=1):
        doc = extract_file(path).model_dump(mode="json")
        rules, left = compile_document(number, doc, code_for_place)
        auto = sum(r.mode == "免申即享" for r in rules)
        rows.append(
            (path.name, doc["document"].get("title") or "(无标题)", len(rules) + len(left), len(rules), auto)
        )
        reasons.update(group(u.reason) for u in left)
        compiled.extend((path.name, r) for r in rules)
    return rows, reasons, compiled


def render(name: str, rows, reasons) -> str:
    total = sum(r[2] for r in rows)
    done = sum(r[3] for r in rows)
    auto = sum(r[4] for r in rows)
    out = [
        f"### {name}",
        "",
        f"{len(rows)} documents, {total} incentives: **{done} executable rules ({done / max(total, 1):.0%})**, "
        f"of which {auto} paid without application (免申即享) and {done - auto} on application (需申报).",
        "",
        "| reason an incentive is not a rule | incentives |",
        "|---|---|",
        *(f"| {reason} | {count} |" for reason, count in reasons.most_common()),
        "",
        "| document | title | incentives | rules | 免申即享 |",
        "|---|---|---|---|---|",
        *(f"| {f} | {t[:40]} | {n} | {r} ({r / max(n, 1):.0%}) | {a} |" for f, t, n, r, a in rows),
        "",
    ]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--write", type=Path, help="also write the report (Markdown) to this file")
    parser.add_argument(
        "--sample", type=int, default=0, help="print this many compiled rules to check by hand"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"{CORPUS}: the corpus is not beside the repository")
    corpus_rows, corpus_reasons, compiled = coverage(sorted(CORPUS.glob("*.txt")))
    seed_rows, seed_reasons, _ = coverage(sorted(SEEDS.glob("*.txt")))
    report = "\n".join(
        [
            render("Zhejiang corpus (75 documents)", corpus_rows, corpus_reasons),
            render("Seeds", seed_rows, seed_reasons),
        ]
    )
    print(report)
    if args.sample:
        random.seed(args.seed)
        for name, rule in random.sample(compiled, min(args.sample, len(compiled))):
            print(f"{name}\t{rule.subject}\t→ {rule.describe_fact()}\t{rule.describe_amount()}\t{rule.mode}")
    if args.write:
        head = args.write.read_text("utf-8").split("<!-- figures -->")[0] if args.write.exists() else ""
        args.write.write_text(head + "<!-- figures -->\n\n" + report, "utf-8")


if __name__ == "__main__":
    main()
