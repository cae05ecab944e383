"""SQLAlchemy models: policy documents and their versions, the enterprise registry, match results.

Schema changes go through Alembic (``huiqi/db/migrations``); ``tests/test_db.py`` fails when
these models and the migrations disagree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Document(Base):
    """政策文件: one document, known by its 文号, else its title and region, else its text.

    ``identity`` is that key (``docnum:``, ``title:`` or ``text:`` and a digest); ``name`` is the file
    name it was last ingested from, for people only. ``current_version_id`` is the text in
    force: the latest ingested, or an earlier one ingested again.
    """

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    identity: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    doc_number: Mapped[str | None] = mapped_column(String(128))
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("document_versions.id", use_alter=True, name="fk_documents_current_version")
    )
    title: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(String(64))
    level: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document",
        order_by="DocumentVersion.version",
        foreign_keys="DocumentVersion.document_id",
    )


class DocumentVersion(Base):
    """One text of a document and its extraction; earlier versions stay so old results explain."""

    __tablename__ = "document_versions"
    __table_args__ = (
        UniqueConstraint("document_id", "sha256"),
        UniqueConstraint("document_id", "version"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    source_path: Mapped[str] = mapped_column(Text)
    ingested_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    effective_from: Mapped[dt.date | None] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    extraction: Mapped[dict[str, Any]] = mapped_column(JSON)
    document: Mapped[Document] = relationship(back_populates="versions", foreign_keys=[document_id])


class Enterprise(Base):
    """企业, keyed by 统一社会信用代码."""

    __tablename__ = "enterprises"
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    industry_code: Mapped[str | None] = mapped_column(String(8))
    scale: Mapped[str | None] = mapped_column(String(8))
    size: Mapped[str | None] = mapped_column(String(4))
    established_on: Mapped[dt.date | None] = mapped_column(Date)
    extras: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source: Mapped[str | None] = mapped_column(String(255))
    import_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id"))
    withdrawn_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id"))


class _Provenance:
    """Where a registry row came from and whether it was withdrawn (撤回), for every fact table.

    ``identity`` is unique: the official's 记录编号 when given (``id:…``), else the natural key
    (``nk:…``). ``natural_key`` is the digest of the fields that define the fact without free
    text; ``near_duplicate_of`` points at a stored fact this one closely resembles (a probable
    correction imported as new), which makes any grant it triggers 需申报.
    """

    record_id: Mapped[str | None] = mapped_column(String(64))
    identity: Mapped[str] = mapped_column(String(64), unique=True)
    natural_key: Mapped[str] = mapped_column(String(40), index=True)
    source: Mapped[str | None] = mapped_column(String(255))
    import_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id"))
    withdrawn_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id"))
    near_duplicate_of: Mapped[int | None] = mapped_column(Integer)


class Recognition(_Provenance, Base):
    """认定: a title an enterprise holds (first grant, or a passed 动态复核 when ``review``)."""

    __tablename__ = "recognitions"
    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(ForeignKey("enterprises.uscc"), index=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    level: Mapped[str | None] = mapped_column(String(16))
    granted_on: Mapped[dt.date] = mapped_column(Date)
    review: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    extras: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Event(_Provenance, Base):
    """事项: something an enterprise did, with its base amount (万元), quantity and date."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(ForeignKey("enterprises.uscc"), index=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    amount_wan: Mapped[float | None] = mapped_column(Float)
    quantity: Mapped[int | None] = mapped_column(Integer)
    level: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)
    extras: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Metric(Base):
    """指标: a periodic figure (period YYYY or YYYY-MM)."""

    __tablename__ = "metrics"
    uscc: Mapped[str] = mapped_column(ForeignKey("enterprises.uscc"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(String(255))
    import_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id"))
    withdrawn_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id"))


class ImportRun(Base):
    """One registry import: what came in, how many rows were kept, new, changed, withdrawn or
    refused. ``mode`` is 导入 (add and correct), 替换 (the file is the whole list of its source:
    rows of that source missing from it are withdrawn) or 撤回 (the file lists rows to withdraw)."""

    __tablename__ = "import_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(8), default="导入")
    source: Mapped[str | None] = mapped_column(String(255))
    sheet: Mapped[str | None] = mapped_column(String(255))
    file_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    rows_total: Mapped[int] = mapped_column(Integer)
    rows_ok: Mapped[int] = mapped_column(Integer)
    rows_bad: Mapped[int] = mapped_column(Integer)
    rows_new: Mapped[int] = mapped_column(Integer)
    rows_changed: Mapped[int] = mapped_column(Integer)
    rows_withdrawn: Mapped[int] = mapped_column(Integer, default=0)
    rows_warned: Mapped[int] = mapped_column(Integer, default=0)


class PendingRow(Base):
    """A registry row kept aside because its kind of 认定 or 事项 is not in the vocabulary yet.

    An officer maps the name to a kind (``huiqi registry map-kind``); the row is then checked
    again and stored like any other. Nothing an official sent is dropped.
    """

    __tablename__ = "pending_rows"
    id: Mapped[int] = mapped_column(primary_key=True)
    table: Mapped[str] = mapped_column(String(16))
    raw_kind: Mapped[str] = mapped_column(String(255), index=True)
    uscc: Mapped[str] = mapped_column(String(18))
    row: Mapped[int] = mapped_column(Integer)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    import_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id"))


class KindMapping(Base):
    """An officer's mapping of a name written in the registry to a vocabulary kind (词表补充)."""

    __tablename__ = "kind_mappings"
    __table_args__ = (UniqueConstraint("table", "raw"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    table: Mapped[str] = mapped_column(String(16))
    raw: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(64))
    level: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())


class MatchRun(Base):
    """One evaluation of all enterprises against all rules in force (政策找企业).

    ``run_key`` (as-of date and funding year) is unique: one stored run per question, even
    when two matches run at once.
    """

    __tablename__ = "match_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_key: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    as_of: Mapped[dt.date] = mapped_column(Date)
    year: Mapped[int | None] = mapped_column(Integer)
    enterprises: Mapped[int] = mapped_column(Integer)
    rules: Mapped[int] = mapped_column(Integer)
    entitlements: Mapped[int] = mapped_column(Integer)
    total_wan: Mapped[float] = mapped_column(Float)


class Entitlement(Base):
    """应享: enterprise × rule × triggering fact → amount, with the reason in Chinese.

    ``status`` is 享受 (paid) or 不重复享受 (suppressed by 就高不重复 or a superseding
    document; the reason names the winner), so every decision stays explainable.
    """

    __tablename__ = "entitlements"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("match_runs.id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    document_version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"))
    rule_id: Mapped[str] = mapped_column(String(64))
    document: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    fact_table: Mapped[str] = mapped_column(String(16))
    fact_key: Mapped[str] = mapped_column(String(120))
    fact: Mapped[str] = mapped_column(Text)
    year: Mapped[int] = mapped_column(Integer)
    amount_wan: Mapped[float | None] = mapped_column(Float)
    cap_wan: Mapped[float | None] = mapped_column(Float)
    payers: Mapped[list[Any]] = mapped_column(JSON)
    mode: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)


# --------------------------------------------------------------------------------------------
# 运行监测, 亩产效益 and 督查督办 (huiqi.monitor; migration 0200_monitor)


class MonitorSetting(Base):
    """A versioned set of monitoring parameters for a region (波动 thresholds, 亩产效益 scheme …).

    ``region_code`` "" applies everywhere; a code applies to the divisions inside it. The
    packaged defaults (``huiqi/data/monitor.toml``) are read alongside; a new version is added,
    never edited, so every run can say which version it used.
    """

    __tablename__ = "monitor_settings"
    __table_args__ = (UniqueConstraint("kind", "region_code", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    region_code: Mapped[str] = mapped_column(String(6))
    version: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[dt.date] = mapped_column(Date)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())


class MonitorRun(Base):
    """One monitoring or 亩产效益 run: what it covered and which setting versions it used."""

    __tablename__ = "monitor_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(7))
    region_code: Mapped[str] = mapped_column(String(6))
    settings: Mapped[list[Any]] = mapped_column(JSON)
    items: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())


class MuScore(Base):
    """亩产效益 score and grade of one enterprise in one run (the indicators' values and points
    in ``details``)."""

    __tablename__ = "mu_scores"
    __table_args__ = (UniqueConstraint("run_id", "uscc"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("monitor_runs.id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    year: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    grade: Mapped[str] = mapped_column(String(4))
    rank: Mapped[int] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)


class WatchEntry(Base):
    """百户重点企业: an enterprise on the imported watch list."""

    __tablename__ = "watch_entries"
    uscc: Mapped[str] = mapped_column(ForeignKey("enterprises.uscc"), primary_key=True)
    note: Mapped[str | None] = mapped_column(Text)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())


class TargetBinding(Base):
    """An officer's binding of a target (目标) to a registry measure, or a figure entered by hand."""

    __tablename__ = "target_bindings"
    id: Mapped[int] = mapped_column(primary_key=True)
    target_key: Mapped[str] = mapped_column(String(16), index=True)
    measure: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    value: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())


class TaskUpdate(Base):
    """督查督办: one unit's status of one measure (未启动/推进中/已完成/滞后), kept as history."""

    __tablename__ = "task_updates"
    id: Mapped[int] = mapped_column(primary_key=True)
    document: Mapped[str] = mapped_column(String(255), index=True)
    task_id: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(8))
    note: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    updated_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())


# ======================================================================================


# The service (issue 10): accounts, the officer review overlay and publication, versioned money
# parameters, the money path (tracked entitlements, applications, payouts) and the audit chain.
# Invariants that protect money live in the database too: check constraints here, partial unique
# indexes, and triggers (status arrows, append-only tables) created by migration 0100.
# =============================================================================================

from sqlalchemy import (  # noqa: E402  (kept with the block it serves)
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    text,
)

ROLES = ("enterprise", "officer", "finance", "auditor", "admin")
REVIEW_SECTIONS = ("incentives", "targets", "tasks", "stacking")
REVIEW_ACTIONS = ("correct", "confirm", "exclude", "restore", "dismiss")
ENTITLEMENT_STATES = ("open", "confirmed", "applied", "approved", "rejected", "paid")
APPLICATION_STATES = ("submitted", "returned", "approved", "rejected")
COMMITTED_STATES = ("confirmed", "approved", "paid")  # money promised: one grant per fact
LIVE_APPLICATION_STATES = ("submitted", "returned", "approved")
EVIDENCE_TYPES = ("application/pdf", "image/jpeg", "image/png")
MAX_WAN = 10_000_000.0  # 1,000 亿元: no single amount in this domain comes near it


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class User(Base):
    """账号: one person or enterprise login with its role and scope (credit code or region prefix)."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="ck_users_role"),
        CheckConstraint("role <> 'enterprise' OR uscc IS NOT NULL", name="ck_users_enterprise_uscc"),
        CheckConstraint("role <> 'officer' OR region_prefix IS NOT NULL", name="ck_users_officer_region"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    uscc: Mapped[str | None] = mapped_column(String(18))
    region_prefix: Mapped[str | None] = mapped_column(String(6))
    department: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())


class AccessToken(Base):
    """登录令牌: the SHA-256 of a bearer or cookie token (never the token), with its expiry."""

    __tablename__ = "access_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    csrf_hash: Mapped[str | None] = mapped_column(String(64))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginFailure(Base):
    """登录失败: one failed sign-in, counted to throttle guessing."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    client: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class ReadingReview(Base):
    """审核记录: one officer decision on one row of a document's reading (append-only overlay).

    ``item_key`` identifies the row across versions of the document (its text and subject as the
    machine read them). ``machine`` is what the machine had read when the decision was made (the
    field's value, or the whole row for a confirmation), ``before``/``after`` what the officer saw
    and set; all three are JSON text.
    """

    __tablename__ = "reading_reviews"
    __table_args__ = (
        CheckConstraint(_in("section", REVIEW_SECTIONS), name="ck_reading_reviews_section"),
        CheckConstraint(_in("action", REVIEW_ACTIONS), name="ck_reading_reviews_action"),
        CheckConstraint("(action = 'correct') = (field IS NOT NULL)", name="ck_reading_reviews_field"),
        CheckConstraint("reason <> ''", name="ck_reading_reviews_reason"),
        Index("ix_reading_reviews_item", "document_id", "section", "item_key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    document_version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"))
    section: Mapped[str] = mapped_column(String(16))
    item_key: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(8))
    field: Mapped[str | None] = mapped_column(String(32))
    machine: Mapped[str] = mapped_column(Text)
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Publication(Base):
    """发布: an officer released one version of a document to pay, with the reviewed reading frozen."""

    __tablename__ = "publications"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    document_version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"))
    reading: Mapped[dict[str, Any]] = mapped_column(JSON)
    reading_sha256: Mapped[str] = mapped_column(String(64))
    published_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[dt.datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(Text)


class MoneyParameter(Base):
    """资金参数: one version of a parameter that changes money (区级留成比例 …) for a region prefix."""

    __tablename__ = "money_parameters"
    __table_args__ = (
        UniqueConstraint("name", "region_prefix", "version"),
        CheckConstraint("value >= 0 AND value <= 1000000000", name="ck_money_parameters_value"),
        CheckConstraint(
            "name <> 'district_retention' OR value <= 1", name="ck_money_parameters_retention_share"
        ),
        CheckConstraint("version >= 1", name="ck_money_parameters_version"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    region_prefix: Mapped[str] = mapped_column(String(6))  # '' = everywhere
    version: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[dt.datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(Text)


class MatchRunInput(Base):
    """匹配依据: what a match run used (publications, parameters, vocabulary), to reproduce it."""

    __tablename__ = "match_run_inputs"
    run_id: Mapped[int] = mapped_column(ForeignKey("match_runs.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class TrackedEntitlement(Base):
    """应享台账: the stable identity of one entitlement, across match runs and document versions.

    Keyed by (uscc, document, grant, fact, year): re-running the match updates the row instead of
    adding one, so what was confirmed, applied for or paid is never offered again.
    """

    __tablename__ = "tracked_entitlements"
    __table_args__ = (
        UniqueConstraint("uscc", "document_id", "grant_key", "fact_key", "year"),
        CheckConstraint(_in("state", ENTITLEMENT_STATES), name="ck_tracked_entitlements_state"),
        CheckConstraint(
            f"committed_wan IS NULL OR (committed_wan > 0 AND committed_wan <= {MAX_WAN})",
            name="ck_tracked_entitlements_committed",
        ),
        CheckConstraint(
            f"({_in('state', COMMITTED_STATES)}) = (committed_wan IS NOT NULL)",
            name="ck_tracked_entitlements_committed_state",
        ),
        Index(
            "uq_tracked_entitlements_one_grant_per_fact",
            "fact_key",
            unique=True,
            sqlite_where=text(_in("state", COMMITTED_STATES)),
            postgresql_where=text(_in("state", COMMITTED_STATES)),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(ForeignKey("enterprises.uscc"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    grant_key: Mapped[str] = mapped_column(String(40))
    fact_key: Mapped[str] = mapped_column(String(120))
    year: Mapped[int] = mapped_column(Integer)
    document_version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"))
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("publications.id"))
    document: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    fact: Mapped[str] = mapped_column(Text)
    amount_wan: Mapped[float | None] = mapped_column(Float)
    cap_wan: Mapped[float | None] = mapped_column(Float)
    formula: Mapped[dict[str, Any]] = mapped_column(JSON)
    payers: Mapped[list[Any]] = mapped_column(JSON)
    mode: Mapped[str] = mapped_column(String(8))
    match_status: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("match_runs.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(12), default="open")
    committed_wan: Mapped[float | None] = mapped_column(Float)
    committed_split: Mapped[list[Any] | None] = mapped_column(JSON)
    committed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Application(Base):
    """申报: an enterprise's claim on a 需申报 entitlement, reviewed by an officer."""

    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint(_in("status", APPLICATION_STATES), name="ck_applications_status"),
        CheckConstraint(f"claimed_wan > 0 AND claimed_wan <= {MAX_WAN}", name="ck_applications_claimed"),
        CheckConstraint(
            f"base_wan IS NULL OR (base_wan > 0 AND base_wan <= {MAX_WAN})", name="ck_applications_base"
        ),
        CheckConstraint(
            "approved_wan IS NULL OR (approved_wan > 0 AND approved_wan <= computed_wan)",
            name="ck_applications_approved_within_computed",
        ),
        CheckConstraint(
            "(status = 'approved') = (approved_wan IS NOT NULL)", name="ck_applications_approved_amount"
        ),
        Index(
            "uq_applications_one_live_per_entitlement",
            "entitlement_id",
            unique=True,
            sqlite_where=text(_in("status", LIVE_APPLICATION_STATES)),
            postgresql_where=text(_in("status", LIVE_APPLICATION_STATES)),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    entitlement_id: Mapped[int] = mapped_column(ForeignKey("tracked_entitlements.id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    status: Mapped[str] = mapped_column(String(12), default="submitted")
    claimed_wan: Mapped[float] = mapped_column(Float)
    base_wan: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    computed_wan: Mapped[float | None] = mapped_column(Float)
    approved_wan: Mapped[float | None] = mapped_column(Float)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    submitted_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ApplicationEvent(Base):
    """申报进度: one step of an application (submitted, returned, approved …), append-only."""

    __tablename__ = "application_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    from_status: Mapped[str] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    amount_wan: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime)


class Evidence(Base):
    """申报材料: one uploaded file (type sniffed from its bytes), stored by its SHA-256."""

    __tablename__ = "evidence"
    __table_args__ = (
        CheckConstraint(_in("media_type", EVIDENCE_TYPES), name="ck_evidence_media_type"),
        CheckConstraint("size > 0", name="ck_evidence_size"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    file_name: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime)


class LimitUsage(Base):
    """限额占用: money committed under one per-enterprise limit of a document, in one period
    (``period`` is the year, the fact of a per-project limit, or ``all`` for the whole policy)."""

    __tablename__ = "limit_usage"
    __table_args__ = (
        CheckConstraint("limit_wan >= 0", name="ck_limit_usage_limit"),
        CheckConstraint("used_wan >= 0 AND used_wan <= limit_wan", name="ck_limit_usage_within_limit"),
    )
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    limit_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    period: Mapped[str] = mapped_column(String(120), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    limit_wan: Mapped[float] = mapped_column(Float)
    used_wan: Mapped[float] = mapped_column(Float, default=0.0)


class Payout(Base):
    """兑付: money paid for one entitlement, by finance, with a reference; never edited.

    A payout is undone only by a :class:`PayoutReversal`; a new payout of the same entitlement
    must name the reversal it follows, so at most one payout of an entitlement stands.
    """

    __tablename__ = "payouts"
    __table_args__ = (
        CheckConstraint(f"amount_wan > 0 AND amount_wan <= {MAX_WAN}", name="ck_payouts_amount"),
        UniqueConstraint("id", "entitlement_id", name="uq_payouts_id_entitlement"),
        ForeignKeyConstraint(
            ["follows_reversal_id", "entitlement_id"],
            ["payout_reversals.id", "payout_reversals.entitlement_id"],
            name="fk_payouts_follows_reversal",
            use_alter=True,
        ),
        Index(
            "uq_payouts_first_per_entitlement",
            "entitlement_id",
            unique=True,
            sqlite_where=text("follows_reversal_id IS NULL"),
            postgresql_where=text("follows_reversal_id IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    entitlement_id: Mapped[int] = mapped_column(ForeignKey("tracked_entitlements.id"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    amount_wan: Mapped[float] = mapped_column(Float)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    follows_reversal_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    paid_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    paid_at: Mapped[dt.datetime] = mapped_column(DateTime)


class PayoutLine(Base):
    """兑付分担: the part of a payout one budget level (市级, 区级 …) pays."""

    __tablename__ = "payout_lines"
    __table_args__ = (CheckConstraint("amount_wan >= 0", name="ck_payout_lines_amount"),)
    payout_id: Mapped[int] = mapped_column(ForeignKey("payouts.id"), primary_key=True)
    payer: Mapped[str] = mapped_column(String(16), primary_key=True)
    amount_wan: Mapped[float] = mapped_column(Float)


class PayoutReversal(Base):
    """冲正: the counter-entry that undoes one payout (the payout itself stays as it was)."""

    __tablename__ = "payout_reversals"
    __table_args__ = (
        CheckConstraint("amount_wan > 0", name="ck_payout_reversals_amount"),
        CheckConstraint("reason <> ''", name="ck_payout_reversals_reason"),
        UniqueConstraint("id", "entitlement_id", name="uq_payout_reversals_id_entitlement"),
        ForeignKeyConstraint(
            ["payout_id", "entitlement_id"],
            ["payouts.id", "payouts.entitlement_id"],
            name="fk_payout_reversals_payout",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    payout_id: Mapped[int] = mapped_column(Integer, unique=True)
    entitlement_id: Mapped[int] = mapped_column(Integer)
    amount_wan: Mapped[float] = mapped_column(Float)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    reversed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reversed_at: Mapped[dt.datetime] = mapped_column(DateTime)


class StatusArrow(Base):
    """状态流转: an allowed change of status; a database trigger refuses every other change."""

    __tablename__ = "status_arrows"
    machine: Mapped[str] = mapped_column(String(16), primary_key=True)
    from_status: Mapped[str] = mapped_column(String(12), primary_key=True)
    to_status: Mapped[str] = mapped_column(String(12), primary_key=True)


class AuditEntry(Base):
    """审计日志: one change (who, when, what, before/after), chained to the previous by SHA-256."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The newest link of the audit chain (one row): appenders lock it, so the chain never forks."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="ck_audit_head_single"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


# --------------------------------------------------------------------------------------------
# 工业产品信息平台: products, demands, catalog editions, the search index (huiqi.catalog;
# migration 0300_catalog)


class Product(Base):
    """产品: what a local enterprise makes, as imported (``huiqi import products``).

    ``identity`` is unique: the maker's 产品编号 when given (``id:…``), else the maker and the
    product name as matched (``nk:…``). ``certifications`` holds canonical names (首台(套),
    优势工业产品目录 …) and, as written, those no vocabulary entry knows.
    """

    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(ForeignKey("enterprises.uscc"), index=True)
    name: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    certifications: Mapped[list[Any]] = mapped_column(JSON, default=list)
    capacity: Mapped[str | None] = mapped_column(Text)
    extras: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    record_id: Mapped[str | None] = mapped_column(String(64))
    identity: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str | None] = mapped_column(String(255))
    import_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id"))
    withdrawn_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id"))


class Demand(Base):
    """需求: what a buyer needs (a major project, a government purchase, an enterprise).

    ``demand_id`` is the buyer's own reference; ``identity`` (unique) joins it to the buyer
    (its credit code when the buyer is an enterprise, else its name as matched). A demand is
    open until its ``deadline`` passes or it is withdrawn.
    """

    __tablename__ = "demands"
    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[str] = mapped_column(String(64), index=True)
    buyer: Mapped[str] = mapped_column(Text)
    buyer_uscc: Mapped[str | None] = mapped_column(String(18))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(Text)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    extras: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    identity: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str | None] = mapped_column(String(255))
    import_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id"))
    withdrawn_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id"))


class CatalogEdition(Base):
    """目录版次: one edition of a product catalog (优势工业产品目录 2025年版, 政府首购创新产品目录).

    ``catalog`` is the canonical catalog name (``huiqi/data/catalog.toml``), ``region_code`` the
    issuing region, ``criteria`` the 遴选标准 in words. ``status`` is 草稿 while an officer selects
    products and 已发布 once published (``published_on``); products are listed from
    ``valid_from`` to ``valid_to``.
    """

    __tablename__ = "catalog_editions"
    __table_args__ = (UniqueConstraint("catalog", "region_code", "edition"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    catalog: Mapped[str] = mapped_column(String(64))
    edition: Mapped[str] = mapped_column(String(64))
    region_code: Mapped[str] = mapped_column(String(6))
    criteria: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8))
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())


class CatalogEntry(Base):
    """入选产品: a product selected into a catalog edition; ``removed_on`` and ``removed_reason``
    record a 退出 (e.g. 强制退出 after a quality problem), which keeps the row."""

    __tablename__ = "catalog_entries"
    __table_args__ = (UniqueConstraint("edition_id", "product_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("catalog_editions.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    added_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    removed_on: Mapped[dt.date | None] = mapped_column(Date)
    removed_reason: Mapped[str | None] = mapped_column(Text)


class CatalogSearchEntry(Base):
    """检索索引: one searchable product or enterprise, its text already cut into words (jieba).

    Derived from the registry and rebuilt at will (``huiqi search --reindex``). The full-text
    structure over it is the database's own (SQLite FTS5 table ``catalog_fts``, PostgreSQL
    ``catalog_tsv`` with a GIN index), created by :mod:`huiqi.catalog.fts` when first needed.
    ``certifications`` is ``|``-delimited (``|首台(套)|优势工业产品目录|``) for filtering.
    """

    __tablename__ = "catalog_search_entries"
    __table_args__ = (UniqueConstraint("kind", "ref"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    ref: Mapped[str] = mapped_column(String(64))
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    industry_code: Mapped[str | None] = mapped_column(String(8), index=True)
    certifications: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(Text)
    head_tokens: Mapped[str] = mapped_column(Text)
    name_tokens: Mapped[str] = mapped_column(Text)
    category_tokens: Mapped[str] = mapped_column(Text)
    body_tokens: Mapped[str] = mapped_column(Text)


class CatalogSearchState(Base):
    """How far the search index has caught up: the last import run it has read."""

    __tablename__ = "catalog_search_state"
    id: Mapped[int] = mapped_column(primary_key=True)
    import_run_id: Mapped[int] = mapped_column(Integer, default=0)
    refreshed_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())


# =============================================================================================
# Full-text search (issue 11; huiqi.search, migration 0400_web): any text, in collections.
# The full-text index itself is the database's own: on SQLite an FTS5 table over ``tokens``
# (``search_fts``, kept in step by triggers), on PostgreSQL a GIN index of the tokens as a
# tsvector. Neither is a model: :func:`described_by_models` tells Alembic's comparison (and
# autogenerate) to leave them alone.
# =============================================================================================

# SQLite FTS5 virtual tables (their shadow tables share the prefix) and PostgreSQL tsvector tables:
# the policy library's general index (huiqi.search) and the product catalog's (huiqi.catalog)
FULLTEXT_TABLES = ("search_fts", "catalog_fts", "catalog_tsv")
FULLTEXT_INDEXES = ("ix_search_entries_fulltext",)  # PostgreSQL GIN index of the tokens


def described_by_models(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
    """Alembic's ``include_name``: False for the full-text objects the database manages itself
    (the SQLite FTS5 table with its shadow tables, the PostgreSQL GIN index)."""
    if name is None:
        return True
    if type_ == "table":
        return not any(name == t or name.startswith(f"{t}_") for t in FULLTEXT_TABLES)
    if type_ == "index":
        return name not in FULLTEXT_INDEXES
    return True


class SearchEntry(Base):
    """检索条目: one searchable piece of text (a title, a line, a clause, a product name …) of one
    item of a collection, with its jieba tokens (space-separated) that the full-text index reads."""

    __tablename__ = "search_entries"
    __table_args__ = (
        UniqueConstraint("collection", "item_key", "part"),
        Index("ix_search_entries_item", "collection", "item_key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    collection: Mapped[str] = mapped_column(String(32))
    item_key: Mapped[str] = mapped_column(String(64))
    part: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    tokens: Mapped[str] = mapped_column(Text)


class SearchSource(Base):
    """检索来源: what an indexed item was indexed from (a digest), so a changed item is re-indexed."""

    __tablename__ = "search_sources"
    collection: Mapped[str] = mapped_column(String(32), primary_key=True)
    item_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    indexed_at: Mapped[dt.datetime] = mapped_column(DateTime)
