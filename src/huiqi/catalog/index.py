"""The search index (检索索引): products and enterprises as searchable entries.

Each live product and enterprise becomes one ``catalog_search_entries`` row, its text cut into words
once (:mod:`huiqi.catalog.tokens`), and one row of the database's full-text structure
(:mod:`huiqi.catalog.fts`):

* a product — name; category and its maker's industry; description, capacity and the maker's
  name. Its certifications are its own (资质), the catalogs it is listed in (a published edition
  in force) and its maker's live titles (认定), so a filter on 首台(套) or 专精特新小巨人 finds it.
* an enterprise — name (without 有限公司 and the like); industry; its products' names and its
  titles. Its certifications are its titles and its products'.

The index is derived data. :func:`refresh` brings it up to date with the registry: it remembers
the last import run it has read (``catalog_search_state``) and re-indexes the enterprises touched since
(their rows, titles or products imported, corrected or withdrawn), or everything when much
changed or ``full`` is asked. Entries are written best first — more certifications, more
titles — which is the order a very broad query is ranked in (see :mod:`huiqi.catalog.fts`).
Writing happens under the database's writer lock, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Connection, Engine, delete, func, insert, or_, select

from huiqi.catalog.fts import backend
from huiqi.catalog.tokens import Analyzer, analyzer, fold
from huiqi.db.locks import writer_lock
from huiqi.db.models import (
    CatalogEdition,
    CatalogEntry,
    CatalogSearchEntry,
    CatalogSearchState,
    Enterprise,
    ImportRun,
    Product,
    Recognition,
)
from huiqi.errors import BusyError
from huiqi.registry.codes import industry_divisions

PRODUCT, ENTERPRISE = "product", "enterprise"
KIND_ZH = {PRODUCT: "产品", ENTERPRISE: "企业"}
_FULL_SHARE = 0.3  # re-index everything when more than this share of enterprises changed
_CHUNK = 2000
_TIDY_AFTER = 1000  # entries written after which PostgreSQL's statistics are refreshed


@lru_cache(maxsize=65536)
def facet_word(prefix: str, value: str) -> str:
    """A made-up word that carries a filter value (see :mod:`huiqi.catalog.fts`).

    >>> facet_word("资质", "首台(套)"), facet_word("行业", "C34")
    ('资质首台套', '行业c34')
    """
    return prefix + "".join(ch for ch in fold(value) if ch.isalnum())


def facets(
    kind: str, region_code: str, industry_code: str | None, certifications: Iterable[str]
) -> list[str]:
    """The facet words of an entry: its kind, every level of its region and industry code, and
    each certification.

    >>> facets("product", "370112", "C3421", ["首台(套)"])
    ['类型product', '地区37', '地区3701', '地区370112', '行业c', '行业c34', '行业c342', '行业c3421', '资质首台套']
    """
    out = [facet_word("类型", kind)]
    out += [facet_word("地区", region_code[:n]) for n in (2, 4, 6) if len(region_code) >= n]
    if industry_code:
        out += [facet_word("行业", industry_code[:n]) for n in range(1, len(industry_code) + 1) if n != 2]
    out += [facet_word("资质", c) for c in certifications]
    return list(dict.fromkeys(out))


@dataclass
class RefreshSummary:
    """What a refresh did: entries written and removed, and whether it rebuilt everything."""

    written: int
    removed: int
    full: bool


def _industry_name(code: str | None) -> str:
    if not code:
        return ""
    division = industry_divisions().get(code[1:3])
    return division.name if division else ""


def _active_catalogs(
    conn: Connection, on: dt.date, products: Iterable[int] | None = None
) -> dict[int, list[str]]:
    """Product id → the catalogs it is listed in on ``on`` (published edition in force, not removed)."""
    query = (
        select(CatalogEntry.product_id, CatalogEdition.catalog)
        .join(CatalogEdition, CatalogEdition.id == CatalogEntry.edition_id)
        .where(
            CatalogEdition.status == "已发布",
            CatalogEntry.removed_on.is_(None),
            or_(CatalogEdition.valid_from.is_(None), CatalogEdition.valid_from <= on),
            or_(CatalogEdition.valid_to.is_(None), CatalogEdition.valid_to >= on),
        )
    )
    out: dict[int, list[str]] = defaultdict(list)
    wanted = None if products is None else set(products)
    for product_id, catalog in conn.execute(query):
        if (wanted is None or product_id in wanted) and catalog not in out[product_id]:
            out[product_id].append(catalog)
    return out


def _chunks(values: list, size: int = _CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _only(query, column, chunk: list[str] | None):
    return query if chunk is None else query.where(column.in_(chunk))


def _load(conn: Connection, usccs: list[str] | None, on: dt.date) -> tuple[list, dict, dict]:
    """Live enterprises (all, or those of ``usccs``), their live titles and live products."""
    firms: list = []
    titles: dict[str, list[str]] = defaultdict(list)
    products: dict[str, list] = defaultdict(list)
    live_firms = select(
        Enterprise.uscc, Enterprise.name, Enterprise.region_code, Enterprise.industry_code, Enterprise.scale
    ).where(Enterprise.withdrawn_run_id.is_(None))
    live_titles = select(Recognition.uscc, Recognition.kind).where(
        Recognition.withdrawn_run_id.is_(None),
        or_(Recognition.expires_on.is_(None), Recognition.expires_on >= on),
        Recognition.granted_on <= on,
    )
    live_products = select(
        Product.id,
        Product.uscc,
        Product.name,
        Product.category,
        Product.description,
        Product.certifications,
        Product.capacity,
    ).where(Product.withdrawn_run_id.is_(None))
    for chunk in [None] if usccs is None else list(_chunks(usccs)):
        firms += conn.execute(_only(live_firms, Enterprise.uscc, chunk)).all()
        for uscc, kind in conn.execute(_only(live_titles, Recognition.uscc, chunk)):
            if kind not in titles[uscc]:
                titles[uscc].append(kind)
        for row in conn.execute(_only(live_products, Product.uscc, chunk).order_by(Product.id)):
            products[row.uscc].append(row)
    return firms, titles, products


def build_entries(conn: Connection, usccs: list[str] | None = None, on: dt.date | None = None) -> list[dict]:
    """The entries of every live enterprise (or those of ``usccs``) and of their live products,
    best first; each a dict of ``catalog_search_entries`` columns plus ``facets``."""
    words = analyzer()
    on = on or dt.date.today()
    firms, titles, products = _load(conn, usccs, on)
    listed = _active_catalogs(conn, on)
    product_rows: list[tuple[tuple, dict]] = []
    firm_rows: list[tuple[tuple, dict]] = []
    for firm in firms:
        own_titles = titles.get(firm.uscc, [])
        industry = _industry_name(firm.industry_code)
        firm_certs: list[str] = list(own_titles)
        for product in products.get(firm.uscc, []):
            certs = list(dict.fromkeys([*(product.certifications or []), *listed.get(product.id, [])]))
            firm_certs += [c for c in certs if c not in firm_certs]
            entry = _product_entry(words, firm, industry, product, certs, own_titles)
            product_rows.append(((-len(certs), -len(own_titles), product.id), entry))
        entry = _firm_entry(words, firm, industry, products.get(firm.uscc, []), own_titles, firm_certs)
        firm_rows.append(((firm.scale != "规上", -len(firm_certs), firm.uscc), entry))
    product_rows.sort(key=lambda pair: pair[0])
    firm_rows.sort(key=lambda pair: pair[0])
    return [entry for _, entry in product_rows] + [entry for _, entry in firm_rows]


def _joined(words: list[str]) -> str:
    return " ".join(words)


def _product_entry(
    words: Analyzer, firm, industry: str, product, certs: list[str], titles: list[str]
) -> dict:
    all_certs = list(dict.fromkeys([*certs, *titles]))
    body = [
        *words.index_words(product.description),
        *words.index_words(product.capacity),
        *words.index_words(firm.name),
    ]
    return {
        "kind": PRODUCT,
        "ref": str(product.id),
        "uscc": firm.uscc,
        "region_code": firm.region_code,
        "industry_code": firm.industry_code,
        "certifications": "|" + "|".join(all_certs) + "|" if all_certs else "",
        "title": product.name,
        "head_tokens": _joined(words.head_words(product.name)),
        "name_tokens": _joined(words.index_words(product.name)),
        "category_tokens": _joined([*words.index_words(product.category), *words.index_words(industry)]),
        "body_tokens": _joined(body),
        "facets": _joined(facets(PRODUCT, firm.region_code, firm.industry_code, all_certs)),
    }


def _firm_entry(
    words: Analyzer, firm, industry: str, products: list, titles: list[str], certs: list[str]
) -> dict:
    body: list[str] = []
    for product in products:
        body += words.index_words(product.name)
    for title in titles:
        body += words.index_words(title)
    return {
        "kind": ENTERPRISE,
        "ref": firm.uscc,
        "uscc": firm.uscc,
        "region_code": firm.region_code,
        "industry_code": firm.industry_code,
        "certifications": "|" + "|".join(certs) + "|" if certs else "",
        "title": firm.name,
        "head_tokens": "",
        "name_tokens": _joined(words.index_words(firm.name)),
        "category_tokens": _joined(words.index_words(industry)),
        "body_tokens": _joined(body),
        "facets": _joined(facets(ENTERPRISE, firm.region_code, firm.industry_code, certs)),
    }


def _columns() -> set[str]:
    return {c.key for c in CatalogSearchEntry.__table__.columns}


def _write(conn: Connection, entries: list[dict]) -> int:
    """Insert ``entries`` (in order, so their ids follow it) and their full-text rows."""
    fts = backend(conn)
    allowed = _columns()
    start = conn.execute(select(func.coalesce(func.max(CatalogSearchEntry.id), 0))).scalar() or 0
    for offset, entry in enumerate(entries, start=1):
        entry["id"] = start + offset
    for chunk in _chunks(entries):
        conn.execute(
            insert(CatalogSearchEntry), [{k: v for k, v in e.items() if k in allowed} for e in chunk]
        )
        fts.add(conn, chunk)
    return len(entries)


def _state(conn: Connection) -> int | None:
    return conn.execute(select(CatalogSearchState.import_run_id).where(CatalogSearchState.id == 1)).scalar()


def _set_state(conn: Connection, run_id: int) -> None:
    conn.execute(delete(CatalogSearchState))
    conn.execute(insert(CatalogSearchState), [{"id": 1, "import_run_id": run_id}])


def _touched(conn: Connection, since: int) -> set[str]:
    """Credit codes of the enterprises whose rows, titles or products changed after run ``since``."""
    touched: set[str] = set()
    for model in (Enterprise, Recognition, Product):
        query = select(model.uscc).where(or_(model.import_run_id > since, model.withdrawn_run_id > since))
        touched.update(conn.execute(query.distinct()).scalars())
    return touched


def reindex_enterprises(conn: Connection, usccs: Iterable[str]) -> RefreshSummary:
    """Re-index these enterprises and their products now (inside the caller's transaction)."""
    fts = backend(conn)
    fts.ensure(conn)
    wanted = sorted(set(usccs))
    removed = 0
    for chunk in _chunks(wanted):
        ids = list(
            conn.execute(select(CatalogSearchEntry.id).where(CatalogSearchEntry.uscc.in_(chunk))).scalars()
        )
        fts.remove(conn, ids)
        conn.execute(delete(CatalogSearchEntry).where(CatalogSearchEntry.uscc.in_(chunk)))
        removed += len(ids)
    written = _write(conn, build_entries(conn, wanted)) if wanted else 0
    return RefreshSummary(written, removed, False)


def rebuild(conn: Connection) -> RefreshSummary:
    """Drop and write the whole index (inside the caller's transaction)."""
    fts = backend(conn)
    removed = conn.execute(select(func.count()).select_from(CatalogSearchEntry)).scalar() or 0
    fts.clear(conn)
    conn.execute(delete(CatalogSearchEntry))
    written = _write(conn, build_entries(conn))
    return RefreshSummary(written, removed, True)


def needs_refresh(engine: Engine) -> bool:
    """Whether an import ran since the index was last brought up to date (or it was never built)."""
    with engine.connect() as conn:
        last = conn.execute(select(func.coalesce(func.max(ImportRun.id), 0))).scalar() or 0
        state = _state(conn)
    return state is None or last > state


def refresh(engine: Engine, full: bool = False, timeout: float | None = None) -> RefreshSummary:
    """Bring the index up to date with the registry (see the module docstring); ``timeout`` is
    how long to wait for another writer (default ``HUIQI_LOCK_TIMEOUT``)."""
    analyzer()  # load the dictionary before taking the lock
    with writer_lock(engine, timeout), engine.begin() as conn:
        last = conn.execute(select(func.coalesce(func.max(ImportRun.id), 0))).scalar() or 0
        state = _state(conn)
        backend(conn).ensure(conn)
        if state is not None and not full and last == state:
            return RefreshSummary(0, 0, False)
        if state is None or full:
            summary = rebuild(conn)
        else:
            touched = _touched(conn, state)
            firms = conn.execute(select(func.count()).select_from(Enterprise)).scalar() or 1
            summary = (
                rebuild(conn) if len(touched) > _FULL_SHARE * firms else reindex_enterprises(conn, touched)
            )
        _set_state(conn, last)
        fts = backend(conn)
    if summary.written > _TIDY_AFTER and hasattr(fts, "tidy"):
        fts.tidy(engine)
    return summary


def ensure_fresh(engine: Engine) -> RefreshSummary | None:
    """Refresh the index when an import ran since it was built; None when it was up to date, or
    when another job is writing and an index already exists (a search then answers from the
    index as it is rather than wait for that job)."""
    if not needs_refresh(engine):
        return None
    with engine.connect() as conn:
        built = _state(conn) is not None
    try:
        return refresh(engine, timeout=0.5 if built else None)
    except BusyError:
        if not built:
            raise
        return None
