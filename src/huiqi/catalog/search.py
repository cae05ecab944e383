"""智能检索: ranked Chinese search over products and enterprises, with filters.

A query is cut into words by the same analyzer as the index; each word stands for itself and
its synonyms (数控机床 / 加工中心 / CNC), and an ASCII word also for the words it begins (vmc →
vmc850). Every word must match; when no entry has them all, any word may (``relaxed``).
Results are ranked by the database's full-text ranking (the head of the name counts most, then
the name, category and description), the first 200 re-ordered so that entries naming the
query's own words come before those holding only their synonyms; filtered by region (any level: 省、市、区县), industry (门类, 大类 … 小类, or a
大类 name) and certification (a product's own, its catalogs, its maker's titles).

:func:`search` is what an API calls; it brings the index up to date first when an import ran
since it was built. See :mod:`huiqi.catalog.fts` for how each database answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from huiqi.catalog.errors import CatalogError
from huiqi.catalog.fts import Query, backend
from huiqi.catalog.index import ENTERPRISE, PRODUCT, ensure_fresh, facet_word
from huiqi.catalog.synonyms import synonyms
from huiqi.catalog.tokens import analyzer
from huiqi.catalog.vocab import resolve_certification, settings
from huiqi.db.models import CatalogSearchEntry, Enterprise, Product
from huiqi.registry.codes import (
    SECTION_NAMES,
    clean_industry_code,
    clean_region_code,
    code_for_place,
    industry_divisions,
    region_prefix,
)

MAX_LIMIT = 500
RERANKED = 200  # results re-ordered by the query's own words (see _ranked)


@dataclass
class SearchHit:
    """One result: a product (``ref`` its id) or an enterprise (``ref`` its credit code)."""

    kind: str
    ref: str
    uscc: str
    title: str
    region_code: str
    industry_code: str | None
    certifications: list[str]
    score: float
    maker: str | None = None  # a product's enterprise
    category: str | None = None  # a product's category

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class SearchResult:
    """A page of hits, the total number of matches and how the query was read."""

    query: str
    words: list[str]
    items: list[SearchHit]
    total: int
    relaxed: bool = False
    windowed: bool = False
    filters: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "words": self.words,
            "items": [h.to_dict() for h in self.items],
            "total": self.total,
            "relaxed": self.relaxed,
            "windowed": self.windowed,
            "filters": self.filters,
        }


def region_facet(text: str) -> tuple[str, str]:
    """(facet word, code) of a region filter: a 6-digit code or a place name."""
    try:
        code = clean_region_code(text)
    except ValueError:
        code = code_for_place(text)
        if code is None:
            raise CatalogError(f"地区“{text}”不是有效的行政区划代码或地名") from None
    return facet_word("地区", region_prefix(code)), code


def industry_facet(text: str) -> tuple[str, str]:
    """(facet word, code) of an industry filter: 门类 letter, a code, or a 大类 name."""
    value = text.strip()
    if re.fullmatch(r"[A-Ta-t]", value):
        letter = value.upper()
        return facet_word("行业", letter), letter
    if re.fullmatch(r"[A-Za-z]?\d{2,4}", value):
        try:
            code = clean_industry_code(value)
        except ValueError as exc:
            raise CatalogError(f"行业“{text}”:{exc}") from None
        return facet_word("行业", code), code
    named = [d for d in industry_divisions().values() if value in d.name]
    exact = [d for d in named if d.name == value]
    if len(exact) == 1 or len(named) == 1:
        division = (exact or named)[0]
        return facet_word("行业", division.section + division.code), division.section + division.code
    if not named:
        sections = [k for k, v in SECTION_NAMES.items() if v == value]
        if sections:
            return facet_word("行业", sections[0]), sections[0]
        raise CatalogError(f"行业“{text}”不是行业代码或国民经济行业大类名称")
    raise CatalogError(f"行业“{text}”对应多个大类:{'、'.join(d.name for d in named[:6])},请写得更具体")


def certification_name(text: str) -> str:
    """The certification or title a filter means: a product certification, a vocabulary kind of
    认定, or the name as written."""
    from huiqi.rules.vocabulary import load_vocabulary, squash

    name = resolve_certification(text)
    if name:
        return name
    resolved = load_vocabulary().resolve(text, "recognition")
    return resolved.kind if resolved else squash(text)


def build_query(text: str) -> tuple[list[str], Query]:
    """The words of ``text`` and the query they make (each word or its synonyms; ASCII words
    also as prefixes)."""
    words = list(dict.fromkeys(analyzer().words(text)))
    query = Query()
    table = synonyms()
    for word in words:
        query.groups.append(list(table.expand(word)))
        if word.isascii() and len(word) >= 2:
            query.prefix.add(word)
    return words, query


def search(
    engine: Engine,
    text: str = "",
    kind: str = PRODUCT,
    region: str | None = None,
    industry: str | None = None,
    certification: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    refresh: bool = True,
) -> SearchResult:
    """Search products (``kind`` product) or enterprises (``kind`` enterprise); see the module doc.

    ``limit`` defaults to the page size of ``catalog.toml`` and is at most 500. ``refresh``
    first brings the index up to date when an import ran since it was built.
    """
    if kind not in (PRODUCT, ENTERPRISE):
        raise CatalogError(f"检索类型应为 product(产品)或 enterprise(企业),不是“{kind}”")
    config = settings().search
    limit = int(config.get("page_size", 20)) if limit is None else limit
    if not 1 <= limit <= MAX_LIMIT:
        raise CatalogError(f"每页条数应在1至{MAX_LIMIT}之间")
    if offset < 0:
        raise CatalogError("起始位置不能为负数")
    words, query = build_query(text or "")
    if text and text.strip() and not words:
        return SearchResult(text, [], [], 0)
    filters: dict[str, str] = {}
    query.facets.append(facet_word("类型", kind))
    if region:
        word, filters["region"] = region_facet(region)
        query.facets.append(word)
    if industry:
        word, filters["industry"] = industry_facet(industry)
        query.facets.append(word)
    if certification:
        filters["certification"] = certification_name(certification)
        query.facets.append(facet_word("资质", filters["certification"]))
    if refresh:
        ensure_fresh(engine)
    window = int(config.get("rank_window", 2000))
    with engine.connect() as conn:
        fts = backend(conn)
        fts.ensure(conn)
        page = _ranked(conn, fts, query, words, limit, offset, window)
        relaxed = False
        if page.total == 0 and len(query.groups) > 1:
            query.any_group = True
            page = _ranked(conn, fts, query, words, limit, offset, window)
            relaxed = page.total > 0
        hits = _hits(conn, page.ids, page.scores)
    return SearchResult(text, words, hits, page.total, relaxed, page.windowed, filters)


def _ranked(conn, fts, query: Query, words: list[str], limit: int, offset: int, window: int):
    """A page in the database's ranking, with the first :data:`RERANKED` results re-ordered so
    that entries naming the query's own words (in their head or name) come before those that
    only hold synonyms of them: a search for 加工中心 lists 立式加工中心 before 数控车床."""
    if not query.groups or offset + limit > RERANKED:
        return fts.search(conn, query, limit, offset, window)
    top = fts.search(conn, query, RERANKED, 0, window)
    if not top.ids:
        return top
    named = {
        r.id: set(r.head_tokens.split()) | set(r.name_tokens.split())
        for r in conn.execute(
            select(
                CatalogSearchEntry.id, CatalogSearchEntry.head_tokens, CatalogSearchEntry.name_tokens
            ).where(CatalogSearchEntry.id.in_(top.ids))
        )
    }
    prefixes = [w for w in words if w in query.prefix]

    def own_words(entry_id: int) -> int:
        held = named.get(entry_id, set())
        exact = sum(1 for w in words if w in held)
        return exact + sum(1 for w in prefixes if w not in held and any(h.startswith(w) for h in held))

    order = sorted(range(len(top.ids)), key=lambda i: (-own_words(top.ids[i]), -top.scores[i], top.ids[i]))
    chosen = order[offset : offset + limit]
    top.ids, top.scores = [top.ids[i] for i in chosen], [top.scores[i] for i in chosen]
    return top


def _hits(conn, ids: list[int], scores: list[float]) -> list[SearchHit]:
    if not ids:
        return []
    rows = {
        r.id: r for r in conn.execute(select(CatalogSearchEntry).where(CatalogSearchEntry.id.in_(ids))).all()
    }
    product_ids = [int(rows[i].ref) for i in ids if i in rows and rows[i].kind == PRODUCT]
    details = {}
    if product_ids:
        query = (
            select(Product.id, Product.category, Enterprise.name)
            .join(Enterprise, Enterprise.uscc == Product.uscc)
            .where(Product.id.in_(product_ids))
        )
        details = {r[0]: (r[1], r[2]) for r in conn.execute(query)}
    hits = []
    for entry_id, score in zip(ids, scores, strict=True):
        row = rows.get(entry_id)
        if row is None:
            continue
        category, maker = details.get(int(row.ref), (None, None)) if row.kind == PRODUCT else (None, None)
        hits.append(
            SearchHit(
                row.kind,
                row.ref,
                row.uscc,
                row.title,
                row.region_code,
                row.industry_code,
                [c for c in row.certifications.split("|") if c],
                round(score, 6),
                maker,
                category,
            )
        )
    return hits
