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
    fact_key: Mapped[str] = mapped_column(String(40))
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


class SearchEntry(Base):
    """检索索引: one searchable product or enterprise, its text already cut into words (jieba).

    Derived from the registry and rebuilt at will (``huiqi search --reindex``). The full-text
    structure over it is the database's own (SQLite FTS5 table ``search_fts``, PostgreSQL
    ``search_tsv`` with a GIN index), created by :mod:`huiqi.catalog.fts` when first needed.
    ``certifications`` is ``|``-delimited (``|首台(套)|优势工业产品目录|``) for filtering.
    """

    __tablename__ = "search_entries"
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


class SearchState(Base):
    """How far the search index has caught up: the last import run it has read."""

    __tablename__ = "search_state"
    id: Mapped[int] = mapped_column(primary_key=True)
    import_run_id: Mapped[int] = mapped_column(Integer, default=0)
    refreshed_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
