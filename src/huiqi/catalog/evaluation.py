"""Judging 供需对接 against a hand-judged retrieval set (检索评测): precision of the top match
and mean reciprocal rank.

A retrieval set is a folder of four CSV files (see ``tests/data/supply_retrieval/README.md``):
``makers.csv`` (key, name, region_code, industry_code, scale), ``products.csv`` (no, maker,
name, category, description, certifications), ``demands.csv`` (demand_id, buyer, title,
description, category, region_code) and ``judgments.csv`` (demand_id, product_no, grade: 2 what
was asked for, 1 acceptable). A held-out part (``heldout_demands.csv``, ``heldout_judgments.csv``)
may sit beside them: demands written after the matcher was last changed. :func:`load_set`
imports everything through the registry importer; :func:`evaluate` matches every judged demand
and scores the ranking.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select
from stdnum.cn import uscc as uscc_lib

from huiqi.db.models import Product
from huiqi.registry.importer import import_file


def maker_code(region_code: str, key: str) -> str:
    """A valid credit code for a maker of the set (region and key number inside).

    >>> code = maker_code("370112", "M03")
    >>> code[2:8], uscc_lib.is_valid(code)
    ('370112', True)
    """
    body = f"91{region_code}{9000 + int(key.lstrip('M')):09d}"[:17]
    return body + uscc_lib.calc_check_digit(body)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def load_set(engine: Engine, folder: Path, work: Path) -> dict[str, dict[str, dict[str, int]]]:
    """Import the set in ``folder`` (files written to ``work``); returns the judgments of each
    part (``main``, and ``heldout`` when present) as demand_id → {product_no: grade}. Raises
    AssertionError when any row is refused."""
    work.mkdir(parents=True, exist_ok=True)
    makers = _rows(folder / "makers.csv")
    codes = {m["key"]: maker_code(m["region_code"], m["key"]) for m in makers}
    tables = {
        "enterprises": (
            ["统一社会信用代码", "企业名称", "行政区划代码", "行业代码", "规模"],
            [[codes[m["key"]], m["name"], m["region_code"], m["industry_code"], m["scale"]] for m in makers],
        ),
        "products": (
            ["统一社会信用代码", "产品编号", "产品名称", "产品类别", "产品描述", "资质"],
            [
                [codes[p["maker"]], p["no"], p["name"], p["category"], p["description"], p["certifications"]]
                for p in _rows(folder / "products.csv")
            ],
        ),
        "demands": (
            ["需求编号", "需求方", "需求名称", "需求描述", "类别", "行政区划代码"],
            [
                [d["demand_id"], d["buyer"], d["title"], d["description"], d["category"], d["region_code"]]
                for name in ("demands.csv", "heldout_demands.csv")
                if (folder / name).exists()
                for d in _rows(folder / name)
            ],
        ),
    }
    for kind, (header, rows) in tables.items():
        summary = import_file(
            engine, kind, _write(work / f"{kind}.csv", header, rows), work / f"{kind}.err.csv"
        )
        assert summary.rows_bad == 0, [e.reason for e in summary.errors]
    parts: dict[str, dict[str, dict[str, int]]] = {}
    for part, name in (("main", "judgments.csv"), ("heldout", "heldout_judgments.csv")):
        if not (folder / name).exists():
            continue
        judged: dict[str, dict[str, int]] = defaultdict(dict)
        for row in _rows(folder / name):
            judged[row["demand_id"]][row["product_no"]] = int(row["grade"])
        parts[part] = dict(judged)
    return parts


@dataclass
class Evaluation:
    """Precision of the top match, mean reciprocal rank, and each demand's outcome."""

    demands: int
    precision_at_1: float
    mrr: float
    misses: list[dict] = field(default_factory=list)  # demands whose top match was not relevant
    ranks: dict[str, int | None] = field(default_factory=dict)  # rank of the first relevant product


def evaluate(engine: Engine, judged: dict[str, dict[str, int]], limit: int = 20) -> Evaluation:
    """Match each judged demand (top ``limit``) and score the rankings."""
    from huiqi.catalog.matching import match_demand

    with engine.connect() as conn:
        numbers = {r.id: r.record_id for r in conn.execute(select(Product.id, Product.record_id))}
    hits, reciprocal = 0, 0.0
    misses, ranks = [], {}
    for demand_id, relevant in sorted(judged.items()):
        result = match_demand(engine, demand_id, limit)
        ranked = [numbers[m.product_id] for m in result.matches]
        first = next((i for i, no in enumerate(ranked, start=1) if relevant.get(no)), None)
        ranks[demand_id] = first
        if first == 1:
            hits += 1
        else:
            top = result.matches[0] if result.matches else None
            misses.append(
                {
                    "demand_id": demand_id,
                    "title": result.demand.title,
                    "top": f"{ranked[0]} {top.product}" if top else "",
                    "first_relevant_rank": first,
                }
            )
        reciprocal += 1.0 / first if first else 0.0
    n = len(judged) or 1
    return Evaluation(len(judged), hits / n, reciprocal / n, misses, ranks)
