"""The full-text index: store any text in a collection, find it again with a Chinese query.

An *item* (a policy document, a product, a demand …) is known by its collection and key and
made of *parts* (its title, each line, each clause …): :func:`replace` stores the parts of one
item with their jieba tokens (:mod:`huiqi.search.tokens`) and the digest of what they were made
from; :func:`stale` says which items changed since. :func:`search` finds the parts that hold
every word of a query, best first, and :func:`search_items` groups them by item.

The database does the searching: SQLite's FTS5 (``search_fts``, bm25 ranking) by default,
PostgreSQL's full-text search (a GIN-indexed tsvector of the tokens, ``ts_rank``) in
production, and a plain substring scan on any other database. A query that the tokens cannot
answer (a single character inside a word, a fragment jieba never cuts out) falls back to the
substring scan within the collection, so what is typed and visible in the text is always found.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import bindparam, delete, func, literal, select, text
from sqlalchemy.orm import Session

from huiqi.db.models import SearchEntry, SearchSource
from huiqi.search.tokens import index_tokens, query_groups, query_words

MAX_QUERY_CHARS = 100


@dataclass(frozen=True)
class Part:
    """One piece of text of an item: ``name`` is unique within the item (title, line:12 …)."""

    name: str
    text: str


@dataclass(frozen=True)
class Hit:
    """A part that matches, with its score (higher is better) and the words to highlight."""

    key: str
    part: str
    position: int
    text: str
    score: float
    words: tuple[str, ...]


@dataclass
class ItemHit:
    """An item that matches: its best score and its matching parts, in reading order."""

    key: str
    score: float
    parts: list[Hit] = field(default_factory=list)


def replace(session: Session, collection: str, key: str, parts: Sequence[Part], digest: str) -> int:
    """Index ``parts`` as the whole of item ``key`` (what was indexed for it before is dropped);
    returns the number of parts stored. Empty texts are skipped."""
    session.execute(
        delete(SearchEntry).where(SearchEntry.collection == collection, SearchEntry.item_key == key)
    )
    rows = [
        {
            "collection": collection,
            "item_key": key,
            "part": part.name,
            "position": position,
            "text": part.text,
            "tokens": index_tokens(part.text),
        }
        for position, part in enumerate(parts)
        if part.text and part.text.strip()
    ]
    if rows:
        session.execute(SearchEntry.__table__.insert(), rows)
    source = session.get(SearchSource, (collection, key))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if source is None:
        session.add(SearchSource(collection=collection, item_key=key, digest=digest, indexed_at=now))
    else:
        source.digest, source.indexed_at = digest, now
    session.flush()
    return len(rows)


def remove(session: Session, collection: str, keys: Iterable[str]) -> None:
    """Drop items from the index."""
    keys = list(keys)
    if not keys:
        return
    session.execute(
        delete(SearchEntry).where(SearchEntry.collection == collection, SearchEntry.item_key.in_(keys))
    )
    session.execute(
        delete(SearchSource).where(SearchSource.collection == collection, SearchSource.item_key.in_(keys))
    )


def stale(session: Session, collection: str, digests: dict[str, str]) -> tuple[list[str], list[str]]:
    """(keys to index because they are new or changed, indexed keys no longer in ``digests``)."""
    known = dict(
        session.execute(
            select(SearchSource.item_key, SearchSource.digest).where(SearchSource.collection == collection)
        ).all()
    )
    changed = [key for key, digest in digests.items() if known.get(key) != digest]
    gone = [key for key in known if key not in digests]
    return changed, gone


def _fts5_query(groups: list[list[str]]) -> str:
    """FTS5 MATCH syntax: every group must match; a group is its word or all its parts."""

    def quoted(token: str) -> str:
        return '"' + token.replace('"', '""') + '"'

    clauses = []
    for word, *parts in groups:
        alternative = " OR (" + " AND ".join(quoted(p) for p in parts) + ")" if parts else ""
        clauses.append(f"({quoted(word)}{alternative})")
    return " AND ".join(clauses)


def _tsquery(groups: list[list[str]]) -> str:
    """A tsquery literal whose lexemes are the tokens verbatim (no parser, like the index)."""

    def quoted(token: str) -> str:
        return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"

    clauses = []
    for word, *parts in groups:
        alternative = " | (" + " & ".join(quoted(p) for p in parts) + ")" if parts else ""
        clauses.append(f"({quoted(word)}{alternative})")
    return " & ".join(clauses)


_SQLITE_SEARCH = """
SELECT e.item_key, e.part, e.position, e.text, -bm25(search_fts) AS score
FROM search_fts JOIN search_entries AS e ON e.id = search_fts.rowid
WHERE search_fts MATCH :match AND e.collection = :collection {keys}
ORDER BY score DESC, e.id
LIMIT :limit
"""


def _fulltext(
    session: Session, collection: str, groups: list[list[str]], limit: int, keys: Collection[str] | None
) -> list[tuple]:
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        statement = text(_SQLITE_SEARCH.format(keys="AND e.item_key IN :keys" if keys is not None else ""))
        params: dict = {"match": _fts5_query(groups), "collection": collection, "limit": limit}
        if keys is not None:
            statement = statement.bindparams(bindparam("keys", expanding=True))
            params["keys"] = list(keys)
        return list(session.execute(statement, params).all())
    if dialect != "postgresql":
        return _substring(session, collection, [g[0] for g in groups], limit, keys)
    vector = func.array_to_tsvector(func.string_to_array(SearchEntry.tokens, " "))
    wanted = text("CAST(:tsq AS tsquery)").bindparams(bindparam("tsq", _tsquery(groups)))
    score = func.ts_rank(vector, wanted)
    query = select(
        SearchEntry.item_key, SearchEntry.part, SearchEntry.position, SearchEntry.text, score
    ).where(SearchEntry.collection == collection, vector.op("@@")(wanted))
    if keys is not None:
        query = query.where(SearchEntry.item_key.in_(list(keys)))
    return list(session.execute(query.order_by(score.desc(), SearchEntry.id).limit(limit)).all())


def _substring(
    session: Session, collection: str, words: list[str], limit: int, keys: Collection[str] | None
) -> list[tuple]:
    """Parts whose text holds every word as written (case-insensitive for Latin letters)."""
    lowered = func.lower(SearchEntry.text)
    query = select(
        SearchEntry.item_key, SearchEntry.part, SearchEntry.position, SearchEntry.text, literal(0.0)
    ).where(SearchEntry.collection == collection)
    for word in words:
        query = query.where(lowered.contains(word.lower(), autoescape=True))
    if keys is not None:
        query = query.where(SearchEntry.item_key.in_(list(keys)))
    return list(
        session.execute(query.order_by(SearchEntry.item_key, SearchEntry.position).limit(limit)).all()
    )


def search(
    session: Session,
    collection: str,
    query: str,
    limit: int = 200,
    keys: Collection[str] | None = None,
) -> list[Hit]:
    """Parts of ``collection`` holding every word of ``query``, best first (within ``keys`` when
    given). An empty query finds nothing."""
    query = (query or "").strip()[:MAX_QUERY_CHARS]
    groups = query_groups(query)
    if not groups:
        return []
    rows = _fulltext(session, collection, groups, limit, keys)
    words = tuple(dict.fromkeys(w for g in groups for w in g))
    if not rows:
        plain = [w for w in query.split() if w.strip()] or query_words(query)
        rows = _substring(session, collection, plain, limit, keys)
        words = tuple(plain)
    return [Hit(r[0], r[1], r[2], r[3], float(r[4] or 0.0), words) for r in rows]


def search_items(
    session: Session,
    collection: str,
    query: str,
    limit: int = 200,
    keys: Collection[str] | None = None,
    parts_per_item: int = 3,
) -> list[ItemHit]:
    """:func:`search` grouped by item, best item first, each with its best parts in reading order."""
    items: dict[str, ItemHit] = {}
    for hit in search(session, collection, query, limit, keys):
        item = items.setdefault(hit.key, ItemHit(hit.key, hit.score))
        item.score = max(item.score, hit.score)
        if len(item.parts) < parts_per_item:
            item.parts.append(hit)
    for item in items.values():
        item.parts.sort(key=lambda h: h.position)
    return sorted(items.values(), key=lambda i: -i.score)


def parts_of(session: Session, collection: str, key: str) -> list[Part]:
    """The parts stored for one item, in order (what :func:`replace` was given)."""
    rows = session.execute(
        select(SearchEntry.part, SearchEntry.text)
        .where(SearchEntry.collection == collection, SearchEntry.item_key == key)
        .order_by(SearchEntry.position)
    ).all()
    return [Part(name, body) for name, body in rows]
