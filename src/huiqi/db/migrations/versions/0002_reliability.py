"""reliability: document identity and current version, fact identity and withdrawal, import
history modes, kinds waiting for an officer, one match run per question

Revision ID: 0002
Revises: 0001
"""

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_UQ = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
_NATURAL = {
    "recognitions": ("uscc", "kind", "granted_on", "review"),
    "events": ("uscc", "kind", "occurred_on"),
}


def _provenance(batch, facts: bool) -> None:
    if facts:
        batch.add_column(sa.Column("record_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("near_duplicate_of", sa.Integer(), nullable=True))
    batch.add_column(sa.Column("source", sa.String(length=255), nullable=True))
    batch.add_column(sa.Column("import_run_id", sa.Integer(), nullable=True))
    batch.add_column(sa.Column("withdrawn_run_id", sa.Integer(), nullable=True))


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("import_runs") as batch:
        batch.add_column(sa.Column("mode", sa.String(length=8), nullable=False, server_default="导入"))
        batch.add_column(sa.Column("source", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("sheet", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("rows_withdrawn", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("rows_warned", sa.Integer(), nullable=False, server_default="0"))

    for table in ("enterprises", "metrics"):
        with op.batch_alter_table(table) as batch:
            _provenance(batch, facts=False)
            batch.create_foreign_key(f"fk_{table}_import_run", "import_runs", ["import_run_id"], ["id"])
            batch.create_foreign_key(f"fk_{table}_withdrawn_run", "import_runs", ["withdrawn_run_id"], ["id"])

    for table, fields in _NATURAL.items():
        with op.batch_alter_table(table, naming_convention=_UQ) as batch:
            batch.drop_constraint(_unique_name(bind, table, "natural_key"), type_="unique")
            batch.alter_column("natural_key", new_column_name="identity", type_=sa.String(length=64))
            _provenance(batch, facts=True)
        op.add_column(table, sa.Column("natural_key", sa.String(length=40), nullable=True))
        rows = bind.execute(sa.text(f"SELECT id, {', '.join(fields)} FROM {table} ORDER BY id")).fetchall()
        first: dict[str, int] = {}
        for row in rows:
            parts = ["" if v is None else str(_plain(v)) for v in row[1:]]
            digest = hashlib.sha1("|".join(parts).encode()).hexdigest()
            ident, near = f"nk:{digest}", None
            if digest in first:  # two rows that are now one fact: keep both, flag the later one
                ident, near = f"nk:{digest}#{row[0]}", first[digest]
            first.setdefault(digest, row[0])
            bind.execute(
                sa.text(
                    f"UPDATE {table} SET natural_key = :n, identity = :i, near_duplicate_of = :d WHERE id = :id"
                ),
                {"n": digest, "i": ident, "d": near, "id": row[0]},
            )
        with op.batch_alter_table(table) as batch:
            batch.alter_column("natural_key", existing_type=sa.String(length=40), nullable=False)
            batch.create_unique_constraint(f"uq_{table}_identity", ["identity"])
            batch.create_index(f"ix_{table}_natural_key", ["natural_key"], unique=False)
            batch.create_foreign_key(f"fk_{table}_import_run", "import_runs", ["import_run_id"], ["id"])
            batch.create_foreign_key(f"fk_{table}_withdrawn_run", "import_runs", ["withdrawn_run_id"], ["id"])

    # documents: known by 文号 / title / text, with the version in force
    with op.batch_alter_table("documents", naming_convention=_UQ) as batch:
        batch.drop_constraint(_unique_name(bind, "documents", "name"), type_="unique")
        batch.add_column(sa.Column("identity", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("doc_number", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("current_version_id", sa.Integer(), nullable=True))
    from huiqi.library import document_identity

    documents = bind.execute(sa.text("SELECT id FROM documents ORDER BY id")).fetchall()
    taken: set[str] = set()
    for (doc_id,) in documents:
        latest = bind.execute(
            sa.text(
                "SELECT id, sha256, extraction FROM document_versions WHERE document_id = :d "
                "ORDER BY version DESC LIMIT 1"
            ),
            {"d": doc_id},
        ).fetchone()
        if latest is None:
            continue
        extraction = latest[2] if isinstance(latest[2], dict) else json.loads(latest[2])
        meta = extraction.get("document", {})
        ident = document_identity(meta, latest[1])
        if ident in taken:
            ident = f"{ident[:50]}#{doc_id}"
        taken.add(ident)
        bind.execute(
            sa.text(
                "UPDATE documents SET identity = :i, doc_number = :n, current_version_id = :v WHERE id = :d"
            ),
            {"i": ident, "n": meta.get("doc_number"), "v": latest[0], "d": doc_id},
        )
    bind.execute(
        sa.text("UPDATE documents SET identity = 'legacy:' || CAST(id AS VARCHAR) WHERE identity IS NULL")
    )
    with op.batch_alter_table("documents") as batch:
        batch.alter_column("identity", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint("uq_documents_identity", ["identity"])
        batch.create_foreign_key(
            "fk_documents_current_version",
            "document_versions",
            ["current_version_id"],
            ["id"],
            use_alter=True,
        )

    # a fact's stable reference (r:ID, e:ID, m:USCC:YEAR:MEASURE) instead of the matcher's integer
    with op.batch_alter_table("entitlements") as batch:
        batch.alter_column("fact_key", existing_type=sa.String(length=40), type_=sa.String(length=120))

    # one stored match run per (as-of, year)
    op.add_column("match_runs", sa.Column("run_key", sa.String(length=32), nullable=True))
    runs = bind.execute(sa.text("SELECT id, as_of, year FROM match_runs ORDER BY id DESC")).fetchall()
    seen: set[str] = set()
    for run_id, as_of, year in runs:
        key = f"{as_of}|{'all' if year is None else year}"
        if key in seen:
            key = f"{key}#{run_id}"[:32]
        seen.add(key)
        bind.execute(sa.text("UPDATE match_runs SET run_key = :k WHERE id = :i"), {"k": key, "i": run_id})
    with op.batch_alter_table("match_runs") as batch:
        batch.alter_column("run_key", existing_type=sa.String(length=32), nullable=False)
        batch.create_unique_constraint("uq_match_runs_run_key", ["run_key"])

    op.create_table(
        "pending_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table", sa.String(length=16), nullable=False),
        sa.Column("raw_kind", sa.String(length=255), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("import_run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["import_run_id"], ["import_runs.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pending_rows_raw_kind", "pending_rows", ["raw_kind"], unique=False)
    op.create_table(
        "kind_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table", sa.String(length=16), nullable=False),
        sa.Column("raw", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("table", "raw"),
    )


def _unique_name(bind, table: str, column: str) -> str:
    """The name of 0001's unnamed unique constraint: PostgreSQL's own, or the batch convention."""
    return f"{table}_{column}_key" if bind.dialect.name == "postgresql" else f"uq_{table}_{column}"


def _plain(value):
    """A stored value as the importer's digest sees it (booleans stored as 0/1 on SQLite)."""
    if isinstance(value, int) and not isinstance(value, bool) and value in (0, 1):
        return value == 1
    return value


def downgrade() -> None:
    raise NotImplementedError("0002 cannot be undone: identities of documents and facts were rebuilt")
