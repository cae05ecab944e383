"""product platform: products, demands, catalog editions and entries, the search index

The full-text structure over ``catalog_search_entries`` (SQLite FTS5, PostgreSQL tsvector + GIN) is
derived data: huiqi.catalog.fts creates it when the index is first built.

Revision ID: 0300
Revises: 0100
"""

import sqlalchemy as sa
from alembic import op

revision = "0300"
down_revision = "0100"
branch_labels = None
depends_on = None

_NOW = sa.text("(CURRENT_TIMESTAMP)")


def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("certifications", sa.JSON(), nullable=False),
        sa.Column("capacity", sa.Text(), nullable=True),
        sa.Column("extras", sa.JSON(), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=True),
        sa.Column("identity", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=True),
        sa.Column("import_run_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["uscc"], ["enterprises.uscc"]),
        sa.ForeignKeyConstraint(["import_run_id"], ["import_runs.id"]),
        sa.ForeignKeyConstraint(["withdrawn_run_id"], ["import_runs.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("identity"),
    )
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_products_uscc"), ["uscc"], unique=False)
    op.create_table(
        "demands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("demand_id", sa.String(length=64), nullable=False),
        sa.Column("buyer", sa.Text(), nullable=False),
        sa.Column("buyer_uscc", sa.String(length=18), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("extras", sa.JSON(), nullable=False),
        sa.Column("identity", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=True),
        sa.Column("import_run_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["import_run_id"], ["import_runs.id"]),
        sa.ForeignKeyConstraint(["withdrawn_run_id"], ["import_runs.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("identity"),
    )
    with op.batch_alter_table("demands", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_demands_demand_id"), ["demand_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_demands_region_code"), ["region_code"], unique=False)
    op.create_table(
        "catalog_editions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("catalog", sa.String(length=64), nullable=False),
        sa.Column("edition", sa.String(length=64), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=_NOW, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("catalog", "region_code", "edition"),
    )
    op.create_table(
        "catalog_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("added_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("removed_on", sa.Date(), nullable=True),
        sa.Column("removed_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["edition_id"], ["catalog_editions.id"]),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("edition_id", "product_id"),
    )
    with op.batch_alter_table("catalog_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_catalog_entries_edition_id"), ["edition_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_catalog_entries_product_id"), ["product_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_catalog_entries_uscc"), ["uscc"], unique=False)
    op.create_table(
        "catalog_search_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("industry_code", sa.String(length=8), nullable=True),
        sa.Column("certifications", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("head_tokens", sa.Text(), nullable=False),
        sa.Column("name_tokens", sa.Text(), nullable=False),
        sa.Column("category_tokens", sa.Text(), nullable=False),
        sa.Column("body_tokens", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "ref"),
    )
    with op.batch_alter_table("catalog_search_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_catalog_search_entries_uscc"), ["uscc"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_catalog_search_entries_region_code"), ["region_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_catalog_search_entries_industry_code"), ["industry_code"], unique=False
        )
    op.create_table(
        "catalog_search_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_run_id", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(), server_default=_NOW, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    # the derived full-text structures go first (they depend on catalog_search_entries)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS catalog_fts")
    else:
        op.execute("DROP TABLE IF EXISTS catalog_tsv")
    op.drop_table("catalog_search_state")
    op.drop_table("catalog_search_entries")
    op.drop_table("catalog_entries")
    op.drop_table("catalog_editions")
    op.drop_table("demands")
    op.drop_table("products")
