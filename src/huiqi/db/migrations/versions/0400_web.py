"""web: the full-text search index (any text, in collections)

``search_entries`` holds each searchable piece of text with its jieba tokens and
``search_sources`` what each item was indexed from. The full-text index is the database's own:
on SQLite an FTS5 table over the tokens (``search_fts``, external content, kept in step with
``search_entries`` by triggers); on PostgreSQL a GIN index on the tokens as a tsvector (each
token taken verbatim, no parser: ``array_to_tsvector(string_to_array(tokens, ' '))``).

Revision ID: 0400
Revises: 0300
"""

import sqlalchemy as sa
from alembic import op

revision = "0400"
down_revision = "0300"
branch_labels = None
depends_on = None

_SQLITE_FTS = (
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "tokens, content='search_entries', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_entries_fts_insert AFTER INSERT ON search_entries BEGIN "
    "INSERT INTO search_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    "CREATE TRIGGER search_entries_fts_delete AFTER DELETE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens); END",
    "CREATE TRIGGER search_entries_fts_update AFTER UPDATE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens); "
    "INSERT INTO search_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
)
_POSTGRES_FTS = (
    "CREATE INDEX ix_search_entries_fulltext ON search_entries "
    "USING gin (array_to_tsvector(string_to_array(tokens, ' ')))",
)


def upgrade() -> None:
    op.create_table(
        "search_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collection", sa.String(length=32), nullable=False),
        sa.Column("item_key", sa.String(length=64), nullable=False),
        sa.Column("part", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tokens", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("collection", "item_key", "part"),
    )
    with op.batch_alter_table("search_entries", schema=None) as batch_op:
        batch_op.create_index("ix_search_entries_item", ["collection", "item_key"], unique=False)
    op.create_table(
        "search_sources",
        sa.Column("collection", sa.String(length=32), nullable=False),
        sa.Column("item_key", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("indexed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("collection", "item_key"),
    )
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE_FTS if dialect == "sqlite" else _POSTGRES_FTS if dialect == "postgresql" else ():
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS search_entries_fts_{name}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_search_entries_fulltext")
    op.drop_table("search_sources")
    with op.batch_alter_table("search_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_search_entries_item")
    op.drop_table("search_entries")
