"""The database's own full-text search over ``catalog_search_entries`` (全文检索): SQLite FTS5 by default,
PostgreSQL's tsvector with a GIN index in production.

Both store the words the analyzer produced (:mod:`huiqi.catalog.tokens`) verbatim — no database
tokenizer second-guesses the Chinese — in five fields: the head of the name (中心词), the name,
the category, the body and *facets*. Facets
are made-up words that carry the filters (``类型product``, ``地区3701``, ``行业c34``,
``资质首台套``), so a filter is one more term the index intersects instead of a row it must
fetch; they weigh nothing in the ranking. A query (:class:`Query`) is a conjunction of
alternatives (a word or its synonyms) plus facet words.

* SQLite: an FTS5 table ``catalog_fts`` (rowid = entry id, ``detail=column``), ranked by bm25
  with field weights head 10, name 3, category 2, body 1, facets 0.
* PostgreSQL: ``catalog_tsv`` (entry id, ``tsv``: a tsvector built here with positions and the
  weights A head, B name, C category and body, D facets) with a GIN index, ranked by ``ts_rank``
  with A 1, B 0.3, C 0.15, D 0 (PostgreSQL has four weights, so category and body share one). A
  filter is part of the one tsquery, so after ``VACUUM`` a count needs no visit to the table; a
  broad query is ranked among its first matches in table order, which is the order entries were
  written.

The structures are derived data, created on first use and rebuilt at will. A query matching
more than ``window`` entries is ranked among the first ``window`` in entry order (the index
writes the entries it prefers first); the total stays exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, text

# field weights: head, name, category, body, facets
WEIGHTS = (10.0, 3.0, 2.0, 1.0, 0.0)
_PG_WEIGHTS = "{0, 0.15, 0.3, 1}"  # ts_rank's order is D, C, B, A
FIELDS = ("head_tokens", "name_tokens", "category_tokens", "body_tokens")
# PostgreSQL has four weights: A head, B name, C category and body, D facets (weighing nothing)
PG_FIELDS = ("head_tokens", "name_tokens", "category_tokens", "body_tokens", "facets")


@dataclass
class Query:
    """Every group must match: a group is a list of alternative words (a word or its synonyms);
    ``prefix`` words match any indexed word they begin. ``facets`` must all be present."""

    groups: list[list[str]] = field(default_factory=list)
    facets: list[str] = field(default_factory=list)
    prefix: set[str] = field(default_factory=set)
    any_group: bool = False  # True: at least one group instead of all (a relaxed query)


def _sqlite_term(word: str, prefix: bool) -> str:
    return f'"{word}"' + ("*" if prefix else "")


def sqlite_expression(query: Query) -> str:
    """The FTS5 MATCH expression of ``query``.

    >>> sqlite_expression(Query([["数控机床", "cnc"], ["立式"]], ["类型product"]))
    '("数控机床" OR "cnc") AND ("立式") AND facets : ("类型product")'
    """
    parts = ["(" + " OR ".join(_sqlite_term(w, w in query.prefix) for w in g) + ")" for g in query.groups]
    words = (" OR " if query.any_group else " AND ").join(parts)
    if words and query.any_group and len(parts) > 1:
        words = f"({words})"
    facets = [f'facets : ("{f}")' for f in query.facets]
    return " AND ".join([p for p in [words] if p] + facets)


def _pg_term(word: str, prefix: bool) -> str:
    return f"'{word}'" + (":*" if prefix else "")


def pg_expression(query: Query) -> str:
    """The tsquery text of ``query`` (words quoted, so PostgreSQL takes them as they are).

    >>> pg_expression(Query([["数控机床", "cnc"], ["立式"]], ["类型product"]))
    "('数控机床' | 'cnc') & ('立式') & '类型product'"
    """
    parts = ["(" + " | ".join(_pg_term(w, w in query.prefix) for w in g) + ")" for g in query.groups]
    words = (" | " if query.any_group else " & ").join(parts)
    if words and query.any_group and len(parts) > 1:
        words = f"({words})"
    return " & ".join([p for p in [words] if p] + [f"'{f}'" for f in query.facets])


def tsvector_literal(fields: Sequence[str]) -> str:
    """A tsvector in PostgreSQL's text form: each word with its positions and the weight of its
    field — four fields A B C D, or five (head, name, category, body, facets) as A B C C D.

    >>> tsvector_literal(["加工中心", "加工中心 立式", "机床", "", "类型product"])
    "'加工中心':1A,2B '立式':3B '机床':4C '类型product':5D"
    """
    positions: dict[str, list[str]] = {}
    position = 0
    for weight, words in zip("ABCD" if len(fields) == 4 else "ABCCD", fields, strict=True):
        for word in words.split():
            position = min(position + 1, 16383)
            positions.setdefault(word, []).append(f"{position}{weight}")
    return " ".join(f"'{w}':{','.join(p[:256])}" for w, p in positions.items())


@dataclass
class Page:
    """Entry ids of one page, best first, with their scores; ``total`` counts every match."""

    ids: list[int]
    scores: list[float]
    total: int
    windowed: bool = False


class SqliteFts:
    """FTS5 (see the module docstring)."""

    name = "sqlite"

    def ensure(self, conn: Connection) -> None:
        conn.execute(
            text(
                "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_fts USING fts5("
                "head_tokens, name_tokens, category_tokens, body_tokens, facets, "
                "tokenize='unicode61 remove_diacritics 0', detail='column')"
            )
        )

    def clear(self, conn: Connection) -> None:
        conn.execute(text("DROP TABLE IF EXISTS catalog_fts"))
        self.ensure(conn)

    def add(self, conn: Connection, rows: Sequence[dict]) -> None:
        if rows:
            conn.execute(
                text(
                    "INSERT INTO catalog_fts(rowid, head_tokens, name_tokens, category_tokens, body_tokens, facets) "
                    "VALUES (:id, :head_tokens, :name_tokens, :category_tokens, :body_tokens, :facets)"
                ),
                list(rows),
            )

    def remove(self, conn: Connection, ids: Sequence[int]) -> None:
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join(str(int(i)) for i in chunk)
            conn.execute(text(f"DELETE FROM catalog_fts WHERE rowid IN ({marks})"))

    def count(self, conn: Connection, query: Query) -> int:
        """How many entries match ``query``."""
        expression = sqlite_expression(query)
        return conn.execute(
            text("SELECT count(*) FROM catalog_fts WHERE catalog_fts MATCH :q"), {"q": expression}
        ).scalar()

    def search(self, conn: Connection, query: Query, limit: int, offset: int, window: int) -> Page:
        expression = sqlite_expression(query)
        args = {"q": expression}
        total = conn.execute(
            text("SELECT count(*) FROM catalog_fts WHERE catalog_fts MATCH :q"), args
        ).scalar()
        if not total:
            return Page([], [], 0)
        if not query.groups:  # filters only: entry order
            rows = conn.execute(
                text(
                    "SELECT rowid, 0.0 FROM catalog_fts WHERE catalog_fts MATCH :q "
                    "ORDER BY rowid LIMIT :limit OFFSET :offset"
                ),
                {**args, "limit": limit, "offset": offset},
            ).all()
            return Page([r[0] for r in rows], [0.0 for _ in rows], total)
        bound, windowed = "", False
        if total > window:
            last = conn.execute(
                text(
                    "SELECT rowid FROM catalog_fts WHERE catalog_fts MATCH :q ORDER BY rowid LIMIT 1 OFFSET :w"
                ),
                {**args, "w": window - 1},
            ).scalar()
            bound, windowed = f" AND rowid <= {int(last)}", True
        weights = ", ".join(str(w) for w in WEIGHTS)
        rows = conn.execute(
            text(
                f"SELECT rowid, bm25(catalog_fts, {weights}) AS score FROM catalog_fts "
                f"WHERE catalog_fts MATCH :q{bound} ORDER BY score, rowid LIMIT :limit OFFSET :offset"
            ),
            {**args, "limit": limit, "offset": offset},
        ).all()
        return Page([r[0] for r in rows], [-float(r[1]) for r in rows], total, windowed)


class PostgresFts:
    """tsvector + GIN (see the module docstring)."""

    name = "postgresql"

    def ensure(self, conn: Connection) -> None:
        conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS catalog_tsv ("
                "entry_id integer PRIMARY KEY REFERENCES catalog_search_entries(id) ON DELETE CASCADE, "
                "tsv tsvector NOT NULL)"
            )
        )
        conn.execute(text("CREATE INDEX IF NOT EXISTS catalog_tsv_gin ON catalog_tsv USING gin (tsv)"))

    def clear(self, conn: Connection) -> None:
        conn.execute(text("DROP TABLE IF EXISTS catalog_tsv"))
        self.ensure(conn)

    def add(self, conn: Connection, rows: Sequence[dict]) -> None:
        if rows:
            conn.execute(
                text("INSERT INTO catalog_tsv(entry_id, tsv) VALUES (:id, CAST(:tsv AS tsvector))"),
                [{"id": r["id"], "tsv": tsvector_literal([r[f] for f in PG_FIELDS])} for r in rows],
            )

    def remove(self, conn: Connection, ids: Sequence[int]) -> None:
        if ids:
            conn.execute(text("DELETE FROM catalog_tsv WHERE entry_id = ANY(:ids)"), {"ids": list(ids)})

    def tidy(self, engine) -> None:
        """After a large rewrite: VACUUM ANALYZE, so counts need not visit the table and the
        planner knows the words (outside any transaction)."""
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE catalog_tsv"))

    def count(self, conn: Connection, query: Query) -> int:
        """How many entries match ``query``."""
        return conn.execute(
            text("SELECT count(*) FROM catalog_tsv WHERE tsv @@ CAST(:q AS tsquery)"),
            {"q": pg_expression(query)},
        ).scalar()

    def search(self, conn: Connection, query: Query, limit: int, offset: int, window: int) -> Page:
        args = {"q": pg_expression(query), "limit": limit, "offset": offset}
        match = "tsv @@ CAST(:q AS tsquery)"
        total = conn.execute(text(f"SELECT count(*) FROM catalog_tsv WHERE {match}"), args).scalar()
        if not total:
            return Page([], [], 0)
        if not query.groups:  # filters only: entry order
            rows = conn.execute(
                text(
                    f"SELECT entry_id, 0.0 FROM catalog_tsv WHERE {match} ORDER BY entry_id LIMIT :limit OFFSET :offset"
                ),
                args,
            ).all()
            return Page([r[0] for r in rows], [0.0 for _ in rows], total)
        windowed = total > window
        # the first `window` matches in table order (the order entries were written, best first)
        matches = f"SELECT entry_id, tsv FROM catalog_tsv WHERE {match}" + (
            " LIMIT :window" if windowed else ""
        )
        rows = conn.execute(
            text(
                f"SELECT entry_id, ts_rank('{_PG_WEIGHTS}', tsv, CAST(:q AS tsquery), 0) AS score "
                f"FROM ({matches}) AS m ORDER BY score DESC, entry_id LIMIT :limit OFFSET :offset"
            ),
            {**args, "window": window},
        ).all()
        return Page([r[0] for r in rows], [float(r[1]) for r in rows], total, windowed)


def backend(conn: Connection) -> SqliteFts | PostgresFts:
    """The full-text backend of the connection's database."""
    return PostgresFts() if conn.dialect.name == "postgresql" else SqliteFts()
