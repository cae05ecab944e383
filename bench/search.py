"""Benchmark: 智能检索 over 100,000 products (SQLite FTS5 by default; PostgreSQL with --url),
end to end through ``huiqi.catalog.search.search``, against two baselines a competent engineer
would write over the same words, synonyms and filters:

* LIKE scan — one SQL query over products ⋈ enterprises, each word or synonym a ``LIKE '%…%'``
  on name, category and description, filters as predicates, rows naming the first word first,
  plus its count (SQLite only: the database the embedded default runs on);
* in-memory inverted index — Python dicts from each word and facet to the entries holding it,
  built from the same ``catalog_search_entries`` rows; the query a set intersection of synonym unions,
  ranked by idf weighted by field (head 10, name 3, category 2, body 1), top 20 by heap.

The population is the synthetic one (``huiqi.registry.synthetic``, products from
``huiqi.catalog.synthetic``), imported through the registry importer, then indexed. Queries
are drawn from the product kinds: head nouns, modifier + head, two words, synonyms, one
character, model-number prefixes, broad words (设备, 系统), each also with a region, industry
or certification filter, and enterprise searches. Every query runs once to warm up, then
``--rounds`` times; prints p50 / p95 / p99 / max in milliseconds for each method.

    .venv/bin/python bench/search.py                      # 100,000 products, SQLite
    .venv/bin/python bench/search.py --products 20000 --rounds 2
    scripts/with-postgres.sh sh -c '.venv/bin/python bench/search.py --url "$HUIQI_TEST_POSTGRES_URL"'
"""

from __future__ import annotations

import argparse
import heapq
import math
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from sqlalchemy import select, text

from huiqi.catalog.index import facet_word, refresh
from huiqi.catalog.search import build_query, certification_name, industry_facet, region_facet, search
from huiqi.catalog.synthetic import KINDS
from huiqi.db.engine import make_engine
from huiqi.db.migrate import upgrade
from huiqi.db.models import CatalogSearchEntry
from huiqi.registry.importer import import_file
from huiqi.registry.synthetic import generate, write_csv

BROAD = ("设备", "系统", "材料", "产品", "机械")
SYNONYMS = ("cnc", "电机", "铲车", "锂电", "plc", "塔吊", "阀", "工装")
FILTERS = (
    {"region": "济南"},
    {"region": "370781"},
    {"industry": "C34"},
    {"industry": "通用设备制造业"},
    {"certification": "首台套"},
    {"region": "潍坊", "industry": "C35"},
)


def build(url: str, n_products: int, seed: int, work: Path) -> dict[str, float]:
    """Generate, import and index a population holding ``n_products`` products."""
    figures: dict[str, float] = {}
    started = time.perf_counter()
    n = max(1000, int(n_products / 1.9))
    pop = generate(n, seed=seed, annual=False, monthly=False)
    while pop.products.height < n_products:
        n = int(n * 1.1)
        pop = generate(n, seed=seed, annual=False, monthly=False)
    pop.products = pop.products.head(n_products)
    paths = write_csv(pop, work / "population")
    figures["generate_s"] = time.perf_counter() - started
    engine = make_engine(url)
    started = time.perf_counter()
    for kind in ("enterprises", "products"):
        summary = import_file(engine, kind, paths[kind], work / f"{kind}.err.csv")
        assert summary.rows_bad == 0, summary.describe()
    figures["import_s"] = time.perf_counter() - started
    started = time.perf_counter()
    done = refresh(engine, full=True)
    figures["index_s"] = time.perf_counter() - started
    figures["entries"] = done.written
    figures["enterprises"] = pop.enterprises.height
    engine.dispose()
    return figures


def queries(seed: int) -> list[dict]:
    """The query mix (see the module docstring)."""
    rng = random.Random(seed)
    mix: list[dict] = []
    kinds = list(KINDS.values())
    for _category, heads, modifiers, _specs, uses, _cert in kinds:
        head = rng.choice(heads)
        mix.append({"text": head})
        mix.append({"text": rng.choice(modifiers) + head})
        mix.append({"text": f"{rng.choice(modifiers)} {head}"})
        mix.append({"text": f"{head} {rng.choice(uses)}"})
        mix.append({"text": head, **rng.choice(FILTERS)})
        mix.append({"text": head, "kind": "enterprise"})
    for word in (*BROAD, *SYNONYMS, "泵", "钢", "车"):
        mix.append({"text": word})
        mix.append({"text": word, **rng.choice(FILTERS)})
    for filters in FILTERS:
        mix.append({"text": "", **filters})
    for letters in ("ab", "kx", "mn", "qr"):
        mix.append({"text": letters})
    rng.shuffle(mix)
    return mix


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)] * 1000

    return {
        "p50": at(0.5),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": ordered[-1] * 1000,
        "mean": statistics.fmean(ordered) * 1000,
    }


def time_it(run, mix: list[dict], rounds: int) -> tuple[dict[str, float], list[int]]:
    totals = [run(q) for q in mix]  # warm up (and the totals, to compare methods)
    samples = []
    for _ in range(rounds):
        for q in mix:
            started = time.perf_counter()
            run(q)
            samples.append(time.perf_counter() - started)
    return percentiles(samples), totals


# --- the two baselines -----------------------------------------------------------------------


def _filters(q: dict) -> tuple[str | None, str | None, str | None]:
    region = region_facet(q["region"])[1] if q.get("region") else None
    industry = industry_facet(q["industry"])[1] if q.get("industry") else None
    cert = certification_name(q["certification"]) if q.get("certification") else None
    return region, industry, cert


def like_scan(conn):
    """The LIKE baseline (SQLite): see the module docstring."""
    from huiqi.registry.codes import region_prefix

    def run(q: dict) -> int:
        if q.get("kind") == "enterprise":
            return -1  # products only
        _, query = build_query(q["text"])
        region, industry, cert = _filters(q)
        where, args = ["p.withdrawn_run_id IS NULL"], {}
        for g, group in enumerate(query.groups):
            alternatives = []
            for a, word in enumerate(group):
                key = f"w{g}_{a}"
                args[key] = f"%{word}%"
                alternatives.append(
                    f"(lower(p.name) LIKE :{key} OR lower(p.category) LIKE :{key} OR lower(p.description) LIKE :{key})"
                )
            where.append("(" + " OR ".join(alternatives) + ")")
        if region:
            where.append("e.region_code LIKE :region")
            args["region"] = region_prefix(region) + "%"
        if industry:
            where.append("e.industry_code LIKE :industry")
            args["industry"] = industry + "%"
        if cert:
            where.append("p.certifications LIKE :cert")
            args["cert"] = f"%{cert}%"
        first = "lower(p.name) LIKE :w0_0 DESC, " if query.groups else ""
        body = "FROM products p JOIN enterprises e ON e.uscc = p.uscc WHERE " + " AND ".join(where)
        conn.execute(text(f"SELECT p.id {body} ORDER BY {first}p.id LIMIT 20"), args).all()
        return conn.execute(text(f"SELECT count(*) {body}"), args).scalar()

    return run


class Inverted:
    """The in-memory inverted index baseline: see the module docstring."""

    FIELDS = (("head_tokens", 10.0), ("name_tokens", 3.0), ("category_tokens", 2.0), ("body_tokens", 1.0))

    def __init__(self, conn) -> None:
        from huiqi.catalog.index import facets

        self.postings: dict[str, set[int]] = defaultdict(set)
        self.fields: dict[int, list[set[str]]] = {}
        self.facets: dict[str, set[int]] = defaultdict(set)
        columns = [getattr(CatalogSearchEntry, f) for f, _ in self.FIELDS]
        query = select(
            CatalogSearchEntry.id,
            CatalogSearchEntry.kind,
            CatalogSearchEntry.region_code,
            CatalogSearchEntry.industry_code,
            CatalogSearchEntry.certifications,
            *columns,
        )
        for row in conn.execute(query):
            sets = [set(getattr(row, f).split()) for f, _ in self.FIELDS]
            self.fields[row.id] = sets
            for words in sets:
                for word in words:
                    self.postings[word].add(row.id)
            certs = [c for c in row.certifications.split("|") if c]
            for word in facets(row.kind, row.region_code, row.industry_code, certs):
                self.facets[word].add(row.id)
        self.n = len(self.fields)

    def run(self, q: dict) -> int:
        from huiqi.registry.codes import region_prefix

        _, query = build_query(q["text"])
        region, industry, cert = _filters(q)
        wanted = [facet_word("类型", q.get("kind", "product"))]
        if region:
            wanted.append(facet_word("地区", region_prefix(region)))
        if industry:
            wanted.append(facet_word("行业", industry))
        if cert:
            wanted.append(facet_word("资质", cert))
        sets = [self.facets.get(w, set()) for w in wanted]
        for group in query.groups:
            union: set[int] = set()
            for word in group:
                if word in query.prefix:
                    for key, ids in self.postings.items():
                        if key.startswith(word):
                            union |= ids
                else:
                    union |= self.postings.get(word, set())
            sets.append(union)
        sets.sort(key=len)
        found = set(sets[0]).intersection(*sets[1:]) if sets else set()
        flat = [w for g in query.groups for w in g]
        idf = {w: math.log(1 + self.n / (1 + len(self.postings.get(w, ())))) for w in flat}

        def score(entry: int) -> float:
            fields = self.fields[entry]
            return sum(
                weight * idf[w]
                for w in flat
                for (_, weight), held in zip(self.FIELDS, fields, strict=True)
                if w in held
            )

        heapq.nlargest(20, found, key=score) if flat else sorted(found)[:20]
        return len(found)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--url", help="a database URL (default: a new SQLite file in a temporary folder)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="huiqi-bench-search-"))
    url = args.url or f"sqlite:///{work}/huiqi.db"
    upgrade(url)
    print(f"database: {url.split('@')[-1]}", flush=True)
    figures = build(url, args.products, args.seed, work)
    print(
        f"population: {figures['enterprises']:,} enterprises, {args.products:,} products; "
        f"generate {figures['generate_s']:.1f} s, import {figures['import_s']:.1f} s, "
        f"index {figures['index_s']:.1f} s ({figures['entries']:,} entries)",
        flush=True,
    )
    mix = queries(args.seed)
    engine = make_engine(url)

    def ours(q: dict) -> int:
        options = {k: v for k, v in q.items() if k != "text"}
        return search(engine, q["text"], refresh=False, **options).total

    results = {}
    results["huiqi search (FTS)"], totals = time_it(ours, mix, args.rounds)
    with engine.connect() as conn:
        started = time.perf_counter()
        inverted = Inverted(conn)
        built = time.perf_counter() - started
        results[f"in-memory inverted index (built in {built:.1f} s)"], inverted_totals = time_it(
            inverted.run, mix, args.rounds
        )
        if engine.dialect.name == "sqlite":
            results["LIKE scan"], like_totals = time_it(like_scan(conn), mix, args.rounds)
        else:
            like_totals = None
    agree = sum(1 for a, b in zip(totals, inverted_totals, strict=True) if a == b)
    print(
        f"{len(mix)} queries × {args.rounds} rounds; totals equal to the inverted index on {agree}/{len(mix)}"
    )
    if like_totals:
        comparable = [(a, b) for a, b in zip(totals, like_totals, strict=True) if b >= 0]
        wider = sum(1 for a, b in comparable if b >= a)
        print(
            f"LIKE finds at least as many rows on {wider}/{len(comparable)} product queries (substrings match more)"
        )
    print(f"{'method':<48}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}{'mean':>9}  (ms)")
    for name, p in results.items():
        print(f"{name:<48}{p['p50']:>9.1f}{p['p95']:>9.1f}{p['p99']:>9.1f}{p['max']:>9.1f}{p['mean']:>9.1f}")
    engine.dispose()
    ok = results["huiqi search (FTS)"]["p99"] < 50
    print("p99 under 50 ms:", "yes" if ok else "NO")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
