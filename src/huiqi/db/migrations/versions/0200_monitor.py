"""monitoring: settings, runs, 亩产效益 scores, watch list, target bindings, task updates

Revision ID: 0200
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0200"
down_revision = "0002"
branch_labels = None
depends_on = None

_NOW = sa.text("(CURRENT_TIMESTAMP)")


def upgrade() -> None:
    op.create_table(
        "monitor_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=_NOW, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "region_code", "version"),
    )
    op.create_table(
        "monitor_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=_NOW, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "mu_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("grade", sa.String(length=4), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["monitor_runs.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "uscc"),
    )
    with op.batch_alter_table("mu_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mu_scores_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mu_scores_uscc"), ["uscc"], unique=False)
    op.create_table(
        "watch_entries",
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("added_at", sa.DateTime(), server_default=_NOW, nullable=False),
        sa.ForeignKeyConstraint(["uscc"], ["enterprises.uscc"]),
        sa.PrimaryKeyConstraint("uscc"),
    )
    op.create_table(
        "target_bindings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_key", sa.String(length=16), nullable=False),
        sa.Column("measure", sa.JSON(), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=_NOW, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("target_bindings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_target_bindings_target_key"), ["target_key"], unique=False)
    op.create_table(
        "task_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document", sa.String(length=255), nullable=False),
        sa.Column("task_id", sa.String(length=32), nullable=False),
        sa.Column("unit", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("updated_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=_NOW, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("task_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_updates_document"), ["document"], unique=False)


def downgrade() -> None:
    op.drop_table("task_updates")
    op.drop_table("target_bindings")
    op.drop_table("watch_entries")
    op.drop_table("mu_scores")
    op.drop_table("monitor_runs")
    op.drop_table("monitor_settings")
