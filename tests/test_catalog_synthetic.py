"""Synthetic products and demands: deterministic, made by makers of the right industries, and
imported cleanly by the registry importer (SQLite and PostgreSQL)."""

from __future__ import annotations

import polars as pl

from huiqi.catalog.synthetic import DEMAND_COLUMNS, KINDS, PRODUCT_COLUMNS
from huiqi.registry.importer import KINDS as TABLES
from huiqi.registry.importer import import_file
from huiqi.registry.synthetic import generate, write_csv


def test_the_population_carries_products_and_demands_deterministically():
    a, b = (
        generate(600, seed=3, annual=False, monthly=False),
        generate(600, seed=3, annual=False, monthly=False),
    )
    assert a.products.equals(b.products) and a.demands.equals(b.demands)
    assert a.products.columns == list(PRODUCT_COLUMNS) and a.demands.columns == list(DEMAND_COLUMNS)
    makers = a.enterprises.filter(pl.col("industry_code").is_in(list(KINDS)))
    assert set(a.products["uscc"]) == set(makers["uscc"])  # every maker has a product, nobody else
    assert a.products.select("uscc", "name").is_duplicated().sum() == 0
    assert a.demands["demand_id"].n_unique() == a.demands.height > 0
    other = generate(600, seed=4, annual=False, monthly=False)
    assert not other.products.equals(a.products)


def test_products_name_their_industrys_kinds():
    pop = generate(800, seed=5, annual=False, monthly=False)
    joined = pop.products.join(pop.enterprises.select("uscc", "industry_code"), on="uscc")
    for row in joined.head(200).iter_rows(named=True):
        category, heads = KINDS[row["industry_code"]][:2]
        assert row["category"] == category and any(h in row["name"] for h in heads)


def test_the_generated_files_import_without_a_refused_row(engine, tmp_path):
    paths = write_csv(generate(300, seed=2, start_year=2022), tmp_path / "syn")
    assert set(TABLES) <= set(paths)
    for kind in TABLES:
        summary = import_file(engine, kind, paths[kind], tmp_path / f"{kind}.err.csv")
        assert summary.rows_bad == 0 and summary.rows_new > 0, kind
