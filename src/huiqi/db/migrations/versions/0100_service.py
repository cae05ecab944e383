"""the service: accounts, review overlay, publications, money parameters, money path, audit chain

Besides tables this migration creates what keeps money safe in the database itself: the allowed
status arrows (``status_arrows``, the same list as :data:`huiqi.payout.states.ARROWS`) enforced by
triggers on every status change, triggers that make the ledgers append-only, and the first link
of the audit chain.

Revision ID: 0100
Revises: 0200
"""

import sqlalchemy as sa
from alembic import op

revision = "0100"
down_revision = "0200"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_audit_head_single"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("hash"),
    )
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failures_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failures_username"), ["username"], unique=False)

    op.create_table(
        "status_arrows",
        sa.Column("machine", sa.String(length=16), nullable=False),
        sa.Column("from_status", sa.String(length=12), nullable=False),
        sa.Column("to_status", sa.String(length=12), nullable=False),
        sa.PrimaryKeyConstraint("machine", "from_status", "to_status"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("region_prefix", sa.String(length=6), nullable=True),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.CheckConstraint("role <> 'enterprise' OR uscc IS NOT NULL", name="ck_users_enterprise_uscc"),
        sa.CheckConstraint("role <> 'officer' OR region_prefix IS NOT NULL", name="ck_users_officer_region"),
        sa.CheckConstraint(
            "role IN ('enterprise', 'officer', 'finance', 'auditor', 'admin')", name="ck_users_role"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "access_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("csrf_hash", sa.String(length=64), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("access_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "limit_usage",
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("limit_key", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=120), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("limit_wan", sa.Float(), nullable=False),
        sa.Column("used_wan", sa.Float(), nullable=False),
        sa.CheckConstraint("limit_wan >= 0", name="ck_limit_usage_limit"),
        sa.CheckConstraint("used_wan >= 0 AND used_wan <= limit_wan", name="ck_limit_usage_within_limit"),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
        ),
        sa.PrimaryKeyConstraint("uscc", "limit_key", "period"),
    )
    op.create_table(
        "match_run_inputs",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["match_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id", "kind", "key"),
    )
    op.create_table(
        "money_parameters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("region_prefix", sa.String(length=6), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "name <> 'district_retention' OR value <= 1", name="ck_money_parameters_retention_share"
        ),
        sa.CheckConstraint("value >= 0 AND value <= 1000000000", name="ck_money_parameters_value"),
        sa.CheckConstraint("version >= 1", name="ck_money_parameters_version"),
        sa.ForeignKeyConstraint(
            ["set_by"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "region_prefix", "version"),
    )
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("document_version_id", sa.Integer(), nullable=False),
        sa.Column("reading", sa.JSON(), nullable=False),
        sa.Column("reading_sha256", sa.String(length=64), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
        ),
        sa.ForeignKeyConstraint(
            ["document_version_id"],
            ["document_versions.id"],
        ),
        sa.ForeignKeyConstraint(
            ["published_by"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publications_document_id"), ["document_id"], unique=False)

    op.create_table(
        "reading_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("document_version_id", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=16), nullable=False),
        sa.Column("item_key", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=True),
        sa.Column("machine", sa.Text(), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("(action = 'correct') = (field IS NOT NULL)", name="ck_reading_reviews_field"),
        sa.CheckConstraint(
            "action IN ('correct', 'confirm', 'exclude', 'restore', 'dismiss')",
            name="ck_reading_reviews_action",
        ),
        sa.CheckConstraint("reason <> ''", name="ck_reading_reviews_reason"),
        sa.CheckConstraint(
            "section IN ('incentives', 'targets', 'tasks', 'stacking')", name="ck_reading_reviews_section"
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
        ),
        sa.ForeignKeyConstraint(
            ["document_version_id"],
            ["document_versions.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reading_reviews", schema=None) as batch_op:
        batch_op.create_index("ix_reading_reviews_item", ["document_id", "section", "item_key"], unique=False)

    op.create_table(
        "tracked_entitlements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("grant_key", sa.String(length=40), nullable=False),
        sa.Column("fact_key", sa.String(length=120), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("document_version_id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=True),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("fact", sa.Text(), nullable=False),
        sa.Column("amount_wan", sa.Float(), nullable=True),
        sa.Column("cap_wan", sa.Float(), nullable=True),
        sa.Column("formula", sa.JSON(), nullable=False),
        sa.Column("payers", sa.JSON(), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("match_status", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("committed_wan", sa.Float(), nullable=True),
        sa.Column("committed_split", sa.JSON(), nullable=True),
        sa.Column("committed_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(state IN ('confirmed', 'approved', 'paid')) = (committed_wan IS NOT NULL)",
            name="ck_tracked_entitlements_committed_state",
        ),
        sa.CheckConstraint(
            "state IN ('open', 'confirmed', 'applied', 'approved', 'rejected', 'paid')",
            name="ck_tracked_entitlements_state",
        ),
        sa.CheckConstraint(
            "committed_wan IS NULL OR (committed_wan > 0 AND committed_wan <= 10000000.0)",
            name="ck_tracked_entitlements_committed",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
        ),
        sa.ForeignKeyConstraint(
            ["document_version_id"],
            ["document_versions.id"],
        ),
        sa.ForeignKeyConstraint(["last_run_id"], ["match_runs.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
        ),
        sa.ForeignKeyConstraint(
            ["uscc"],
            ["enterprises.uscc"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uscc", "document_id", "grant_key", "fact_key", "year"),
    )
    with op.batch_alter_table("tracked_entitlements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracked_entitlements_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_tracked_entitlements_uscc"), ["uscc"], unique=False)
        batch_op.create_index(
            "uq_tracked_entitlements_one_grant_per_fact",
            ["fact_key"],
            unique=True,
            sqlite_where=sa.text("state IN ('confirmed', 'approved', 'paid')"),
            postgresql_where=sa.text("state IN ('confirmed', 'approved', 'paid')"),
        )

    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entitlement_id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("claimed_wan", sa.Float(), nullable=False),
        sa.Column("base_wan", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("computed_wan", sa.Float(), nullable=True),
        sa.Column("approved_wan", sa.Float(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("submitted_by", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(status = 'approved') = (approved_wan IS NOT NULL)", name="ck_applications_approved_amount"
        ),
        sa.CheckConstraint(
            "status IN ('submitted', 'returned', 'approved', 'rejected')", name="ck_applications_status"
        ),
        sa.CheckConstraint(
            "approved_wan IS NULL OR (approved_wan > 0 AND approved_wan <= computed_wan)",
            name="ck_applications_approved_within_computed",
        ),
        sa.CheckConstraint(
            "base_wan IS NULL OR (base_wan > 0 AND base_wan <= 10000000.0)", name="ck_applications_base"
        ),
        sa.CheckConstraint("claimed_wan > 0 AND claimed_wan <= 10000000.0", name="ck_applications_claimed"),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["entitlement_id"],
            ["tracked_entitlements.id"],
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_applications_entitlement_id"), ["entitlement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_applications_uscc"), ["uscc"], unique=False)
        batch_op.create_index(
            "uq_applications_one_live_per_entitlement",
            ["entitlement_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('submitted', 'returned', 'approved')"),
            postgresql_where=sa.text("status IN ('submitted', 'returned', 'approved')"),
        )

    op.create_table(
        "application_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=12), nullable=False),
        sa.Column("to_status", sa.String(length=12), nullable=False),
        sa.Column("amount_wan", sa.Float(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("application_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_events_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "media_type IN ('application/pdf', 'image/jpeg', 'image/png')", name="ck_evidence_media_type"
        ),
        sa.CheckConstraint("size > 0", name="ck_evidence_size"),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_application_id"), ["application_id"], unique=False)

    op.create_table(
        "payouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entitlement_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("amount_wan", sa.Float(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("follows_reversal_id", sa.Integer(), nullable=True),
        sa.Column("paid_by", sa.Integer(), nullable=False),
        sa.Column("paid_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("amount_wan > 0 AND amount_wan <= 10000000.0", name="ck_payouts_amount"),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
        ),
        sa.ForeignKeyConstraint(
            ["entitlement_id"],
            ["tracked_entitlements.id"],
        ),
        *_follows_reversal_fk(inline=True),
        sa.ForeignKeyConstraint(
            ["paid_by"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("follows_reversal_id"),
        sa.UniqueConstraint("id", "entitlement_id", name="uq_payouts_id_entitlement"),
        sa.UniqueConstraint("reference"),
    )
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.create_index(
            "uq_payouts_first_per_entitlement",
            ["entitlement_id"],
            unique=True,
            sqlite_where=sa.text("follows_reversal_id IS NULL"),
            postgresql_where=sa.text("follows_reversal_id IS NULL"),
        )

    op.create_table(
        "payout_lines",
        sa.Column("payout_id", sa.Integer(), nullable=False),
        sa.Column("payer", sa.String(length=16), nullable=False),
        sa.Column("amount_wan", sa.Float(), nullable=False),
        sa.CheckConstraint("amount_wan >= 0", name="ck_payout_lines_amount"),
        sa.ForeignKeyConstraint(
            ["payout_id"],
            ["payouts.id"],
        ),
        sa.PrimaryKeyConstraint("payout_id", "payer"),
    )
    op.create_table(
        "payout_reversals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payout_id", sa.Integer(), nullable=False),
        sa.Column("entitlement_id", sa.Integer(), nullable=False),
        sa.Column("amount_wan", sa.Float(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reversed_by", sa.Integer(), nullable=False),
        sa.Column("reversed_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("reason <> ''", name="ck_payout_reversals_reason"),
        sa.CheckConstraint("amount_wan > 0", name="ck_payout_reversals_amount"),
        sa.ForeignKeyConstraint(
            ["payout_id", "entitlement_id"],
            ["payouts.id", "payouts.entitlement_id"],
            name="fk_payout_reversals_payout",
        ),
        sa.ForeignKeyConstraint(
            ["reversed_by"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("id", "entitlement_id", name="uq_payout_reversals_id_entitlement"),
        sa.UniqueConstraint("payout_id"),
        sa.UniqueConstraint("reference"),
    )
    for constraint in _follows_reversal_fk(inline=False):
        op.create_foreign_key(
            constraint.name,
            "payouts",
            "payout_reversals",
            ["follows_reversal_id", "entitlement_id"],
            ["id", "entitlement_id"],
        )
    _safeguards()


def downgrade() -> None:
    _drop_safeguards()
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_payouts_follows_reversal", "payouts", type_="foreignkey")
    op.drop_table("payout_reversals")
    op.drop_table("payout_lines")
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_payouts_first_per_entitlement",
            sqlite_where=sa.text("follows_reversal_id IS NULL"),
            postgresql_where=sa.text("follows_reversal_id IS NULL"),
        )

    op.drop_table("payouts")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_application_id"))

    op.drop_table("evidence")
    with op.batch_alter_table("application_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_events_application_id"))

    op.drop_table("application_events")
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_applications_one_live_per_entitlement",
            sqlite_where=sa.text("status IN ('submitted', 'returned', 'approved')"),
            postgresql_where=sa.text("status IN ('submitted', 'returned', 'approved')"),
        )
        batch_op.drop_index(batch_op.f("ix_applications_uscc"))
        batch_op.drop_index(batch_op.f("ix_applications_entitlement_id"))

    op.drop_table("applications")
    with op.batch_alter_table("tracked_entitlements", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_tracked_entitlements_one_grant_per_fact",
            sqlite_where=sa.text("state IN ('confirmed', 'approved', 'paid')"),
            postgresql_where=sa.text("state IN ('confirmed', 'approved', 'paid')"),
        )
        batch_op.drop_index(batch_op.f("ix_tracked_entitlements_uscc"))
        batch_op.drop_index(batch_op.f("ix_tracked_entitlements_document_id"))

    op.drop_table("tracked_entitlements")
    with op.batch_alter_table("reading_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_reading_reviews_item")

    op.drop_table("reading_reviews")
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publications_document_id"))

    op.drop_table("publications")
    op.drop_table("money_parameters")
    op.drop_table("match_run_inputs")
    op.drop_table("limit_usage")
    with op.batch_alter_table("access_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_tokens_user_id"))

    op.drop_table("access_tokens")
    op.drop_table("users")
    op.drop_table("status_arrows")
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failures_username"))
        batch_op.drop_index(batch_op.f("ix_login_failures_at"))

    op.drop_table("login_failures")
    op.drop_table("audit_log")
    op.drop_table("audit_head")


# The allowed status arrows; '' is the start (the status a row may be inserted with).
# The same list as huiqi.payout.states.ARROWS (tests/test_payout_states.py keeps them equal).
ARROWS = [
    ("entitlement", "", "open"),
    ("entitlement", "open", "confirmed"),
    ("entitlement", "open", "applied"),
    ("entitlement", "applied", "approved"),
    ("entitlement", "applied", "rejected"),
    ("entitlement", "confirmed", "paid"),
    ("entitlement", "approved", "paid"),
    ("entitlement", "paid", "confirmed"),
    ("entitlement", "paid", "approved"),
    ("application", "", "submitted"),
    ("application", "submitted", "approved"),
    ("application", "submitted", "rejected"),
    ("application", "submitted", "returned"),
    ("application", "returned", "submitted"),
]
STATUS_COLUMNS = {"tracked_entitlements": ("entitlement", "state"), "applications": ("application", "status")}
APPEND_ONLY = (
    "audit_log",
    "reading_reviews",
    "publications",
    "money_parameters",
    "application_events",
    "evidence",
    "payouts",
    "payout_lines",
    "payout_reversals",
)


def _follows_reversal_fk(inline: bool) -> list[sa.ForeignKeyConstraint]:
    """payouts → payout_reversals: inline on SQLite (which allows forward references), added
    after both tables exist elsewhere."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if inline != sqlite:
        return []
    return [
        sa.ForeignKeyConstraint(
            ["follows_reversal_id", "entitlement_id"],
            ["payout_reversals.id", "payout_reversals.entitlement_id"],
            name="fk_payouts_follows_reversal",
        )
    ]


def _safeguards() -> None:
    arrows = sa.table("status_arrows", sa.column("machine"), sa.column("from_status"), sa.column("to_status"))
    op.bulk_insert(arrows, [{"machine": m, "from_status": a, "to_status": b} for m, a, b in ARROWS])
    head = sa.table("audit_head", sa.column("id"), sa.column("seq"), sa.column("hash"))
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": "0" * 64}])
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_triggers()
    else:
        _postgresql_triggers()


def _sqlite_triggers() -> None:
    for table, (machine, column) in STATUS_COLUMNS.items():
        arrow = (
            f"SELECT 1 FROM status_arrows WHERE machine = '{machine}' "
            f"AND from_status = {{old}} AND to_status = NEW.{column}"
        )
        op.execute(
            f"CREATE TRIGGER tr_{table}_arrow BEFORE UPDATE OF {column} ON {table} FOR EACH ROW "
            f"WHEN NEW.{column} <> OLD.{column} AND NOT EXISTS ({arrow.format(old=f'OLD.{column}')}) "
            f"BEGIN SELECT RAISE(ABORT, 'status_arrow: {machine}'); END"
        )
        op.execute(
            f"CREATE TRIGGER tr_{table}_start BEFORE INSERT ON {table} FOR EACH ROW "
            f"WHEN NOT EXISTS ({arrow.format(old=repr(''))}) "
            f"BEGIN SELECT RAISE(ABORT, 'status_arrow: {machine}'); END"
        )
    for table in APPEND_ONLY:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER tr_{table}_no_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'append_only: {table}'); END"
            )
    op.execute(
        "CREATE TRIGGER tr_audit_head_forward BEFORE UPDATE ON audit_head FOR EACH ROW "
        "WHEN NEW.seq NOT IN (OLD.seq, OLD.seq + 1) "
        "BEGIN SELECT RAISE(ABORT, 'append_only: audit_head'); END"
    )
    op.execute(
        "CREATE TRIGGER tr_audit_head_no_delete BEFORE DELETE ON audit_head "
        "BEGIN SELECT RAISE(ABORT, 'append_only: audit_head'); END"
    )


def _postgresql_triggers() -> None:
    op.execute(
        """
        CREATE FUNCTION huiqi_status_arrow() RETURNS trigger AS $$
        DECLARE
            v_machine text := TG_ARGV[0];
            v_old text := '';
            v_new text := to_jsonb(NEW) ->> TG_ARGV[1];
        BEGIN
            IF TG_OP = 'UPDATE' THEN
                v_old := to_jsonb(OLD) ->> TG_ARGV[1];
                IF v_old = v_new THEN
                    RETURN NEW;
                END IF;
            END IF;
            IF NOT EXISTS (
                SELECT 1 FROM status_arrows a
                WHERE a.machine = v_machine AND a.from_status = v_old AND a.to_status = v_new
            ) THEN
                RAISE EXCEPTION 'status_arrow: % % -> %', v_machine, v_old, v_new
                    USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        """
        CREATE FUNCTION huiqi_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'append_only: %', TG_TABLE_NAME USING ERRCODE = 'check_violation';
        END
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        """
        CREATE FUNCTION huiqi_audit_head_forward() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'DELETE' OR NEW.seq NOT IN (OLD.seq, OLD.seq + 1) THEN
                RAISE EXCEPTION 'append_only: audit_head' USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END
        $$ LANGUAGE plpgsql
        """
    )
    for table, (machine, column) in STATUS_COLUMNS.items():
        op.execute(
            f"CREATE TRIGGER tr_{table}_arrow BEFORE INSERT OR UPDATE OF {column} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION huiqi_status_arrow('{machine}', '{column}')"
        )
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER tr_{table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION huiqi_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER tr_{table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION huiqi_append_only()"
        )
    op.execute(
        "CREATE TRIGGER tr_audit_head_forward BEFORE UPDATE OR DELETE ON audit_head "
        "FOR EACH ROW EXECUTE FUNCTION huiqi_audit_head_forward()"
    )


def _drop_safeguards() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        names = [f"tr_{t}_{s}" for t in STATUS_COLUMNS for s in ("arrow", "start")]
        names += [f"tr_{t}_no_{e}" for t in APPEND_ONLY for e in ("update", "delete")]
        names += ["tr_audit_head_forward", "tr_audit_head_no_delete"]
        for name in names:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        return
    for function in ("huiqi_status_arrow", "huiqi_append_only", "huiqi_audit_head_forward"):
        op.execute(f"DROP FUNCTION IF EXISTS {function}() CASCADE")
