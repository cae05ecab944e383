"""Request and response bodies of the API (their JSON Schemas are the OpenAPI document's)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from huiqi.db.models import MAX_WAN

Wan = Annotated[float, Field(gt=0, le=MAX_WAN, allow_inf_nan=False, description="万元")]
Reason = Annotated[str, Field(min_length=1, max_length=500, description="理由(必填)")]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


Timestamp = Annotated[dt.datetime, AfterValidator(_utc)]  # stored as naive UTC, sent with its zone


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------ session and accounts


class Credentials(_In):
    username: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=256)]


class SessionOut(BaseModel):
    token: str
    role: str
    expires_at: Timestamp
    csrf: str = Field(description="使用 Cookie 会话时,修改类请求须在 X-CSRF-Token 头中带上它")
    username: str


class WhoAmI(BaseModel):
    username: str
    role: str
    uscc: str | None
    region_prefix: str | None
    department: str | None
    expires_at: Timestamp


class UserIn(_In):
    username: Annotated[str, Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")]
    password: Annotated[str, Field(min_length=8, max_length=256)]
    role: Literal["enterprise", "officer", "finance", "auditor", "admin"]
    uscc: Annotated[str, Field(min_length=18, max_length=18)] | None = None
    region: Annotated[str, Field(min_length=2, max_length=6, pattern=r"^\d+$")] | None = None
    department: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class UserOut(BaseModel):
    id: int
    username: str
    role: str
    uscc: str | None
    region_prefix: str | None
    department: str | None
    active: bool


class UserList(BaseModel):
    items: list[UserOut]
    total: int
    next: str | None


# ------------------------------------------------------------------ documents and review


class DocumentSummary(BaseModel):
    id: int
    name: str
    title: str | None
    doc_number: str | None
    region: str | None
    level: str | None
    version: int
    version_id: int
    issued_on: str | None
    expires_on: str | None
    published_version: int | None
    published_at: Timestamp | None
    pending_review: int = Field(description="最新版本中阻止发布的待审核处数")


class DocumentList(BaseModel):
    items: list[DocumentSummary]
    total: int
    next: str | None


class ReviewNoteOut(BaseModel):
    id: int
    action: str
    field: str | None
    machine: Any
    before: Any
    after: Any
    reason: str
    by: str
    at: str
    version_id: int
    applies: bool
    note: str | None


class ItemOut(BaseModel):
    id: str = Field(description="版本id-序号,用于审核接口")
    section: str
    index: int
    key: str
    status: Literal["machine", "confirmed", "corrected", "excluded"]
    flagged: bool = Field(description="系统抽取时提示待核")
    blocking: bool = Field(description="是否阻止发布")
    reading: dict[str, Any]
    machine: dict[str, Any]
    history: list[ReviewNoteOut]
    needs_look: list[ReviewNoteOut]


class VersionOut(BaseModel):
    id: int
    version: int
    ingested_at: Timestamp
    sha256: str
    published: bool


class DocumentOut(BaseModel):
    id: int
    name: str
    title: str | None
    document: dict[str, Any]
    version: int
    version_id: int
    latest: bool
    published_version: int | None
    incentives: list[ItemOut]
    targets: list[ItemOut]
    tasks: list[ItemOut]
    stacking: list[ItemOut]
    blocking: list[str]
    orphans: list[ReviewNoteOut]
    versions: list[VersionOut]


class DecisionIn(_In):
    reason: Reason


class DismissIn(_In):
    review_id: Id
    reason: Reason


class PublishIn(_In):
    reason: Reason


class PublicationOut(BaseModel):
    id: int
    document_id: int
    version_id: int
    reading_sha256: str
    published_at: Timestamp


# ------------------------------------------------------------------ enterprises and entitlements


class PayerOut(BaseModel):
    payer: str
    share: float | None = None
    amount_wan: float | None = None


class EntitlementOut(BaseModel):
    id: int
    uscc: str
    document_id: int
    document: str
    subject: str
    kind: str
    fact: str
    year: int
    amount_wan: float | None
    cap_wan: float | None
    payers: list[PayerOut]
    mode: str
    status: str = Field(
        description="open/confirmed/applied/approved/rejected/paid/suppressed/capped/withdrawn"
    )
    status_zh: str
    reason: str
    committed_wan: float | None
    application_id: int | None


class EntitlementList(BaseModel):
    items: list[EntitlementOut]
    total: int
    next: str | None


class FactOut(BaseModel):
    kind: str
    level: str | None
    date: dt.date
    amount_wan: float | None = None
    quantity: int | None = None
    review: bool | None = None


class EnterpriseOut(BaseModel):
    uscc: str
    name: str
    region_code: str
    region: str | None
    industry_code: str | None
    scale: str | None
    size: str | None
    established_on: dt.date | None
    recognitions: list[FactOut]
    events: list[FactOut]
    metrics: dict[str, dict[str, float]]


class EnterpriseSummary(BaseModel):
    uscc: str
    name: str
    region_code: str


class EnterpriseList(BaseModel):
    items: list[EnterpriseSummary]
    total: int
    next: str | None


class ConfirmIn(_In):
    ids: Annotated[list[Id], Field(min_length=1, max_length=5000)] | None = None
    document: Id | None = None
    region: Annotated[str, Field(min_length=2, max_length=6, pattern=r"^\d+$")] | None = None


class Skipped(BaseModel):
    id: int
    reason: str


class ConfirmOut(BaseModel):
    confirmed: list[int]
    skipped: list[Skipped]


# ------------------------------------------------------------------ applications


class ApplicationIn(_In):
    entitlement_id: Id
    claimed_wan: Wan
    base_wan: Wan | None = Field(None, description="申报的计算基数(如设备购置款),按比例的奖补须填写")
    note: Annotated[str, Field(max_length=2000)] = ""


class ResubmitIn(_In):
    note: Reason


class DecisionBody(_In):
    decision: Literal["approve", "reject", "return"]
    amount_wan: Wan | None = Field(None, description="核定金额;不填则为按规则计算的金额")
    reason: Reason


class EvidenceOut(BaseModel):
    id: int
    file_name: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: Timestamp


class ApplicationEventOut(BaseModel):
    from_status: str
    to_status: str
    amount_wan: float | None
    reason: str
    by: str
    at: Timestamp


class ApplicationOut(BaseModel):
    id: int
    entitlement_id: int
    uscc: str
    status: str
    status_zh: str
    claimed_wan: float
    base_wan: float | None
    note: str
    computed_wan: float | None
    approved_wan: float | None
    decision_reason: str | None
    submitted_at: Timestamp
    decided_at: Timestamp | None
    evidence: list[EvidenceOut]
    history: list[ApplicationEventOut]


class ApplicationList(BaseModel):
    items: list[ApplicationOut]
    total: int
    next: str | None


# ------------------------------------------------------------------ payouts


class PayoutIn(_In):
    application_id: Id | None = None
    entitlement_id: Id | None = None
    reference: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._/\-]+$")] | None = (
        None
    )


class ReversalIn(_In):
    reason: Reason
    reference: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._/\-]+$")] | None = (
        None
    )


class SplitOut(BaseModel):
    payer: str
    amount_wan: float


class ReversalOut(BaseModel):
    id: int
    payout_id: int
    amount_wan: float
    reference: str
    reason: str
    reversed_at: Timestamp


class PayoutOut(BaseModel):
    id: int
    entitlement_id: int
    application_id: int | None
    uscc: str
    amount_wan: float
    reference: str
    split: list[SplitOut]
    paid_at: Timestamp
    reversal: ReversalOut | None


class PayoutList(BaseModel):
    items: list[PayoutOut]
    total: int
    next: str | None


# ------------------------------------------------------------------ parameters, match runs, audit


class ParameterIn(_In):
    name: Literal["district_retention"]
    region: Annotated[str, Field(max_length=6, pattern=r"^(\d{2}|\d{4}|\d{6})?$")] = ""
    value: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
    reason: Reason


class ParameterOut(BaseModel):
    id: int
    name: str
    region_prefix: str
    version: int
    value: float
    set_at: Timestamp
    reason: str


class ParameterList(BaseModel):
    items: list[ParameterOut]
    total: int
    next: str | None


class MatchRunIn(_In):
    as_of: dt.date | None = Field(None, description="以哪一天为准,默认今天")
    year: Annotated[int, Field(ge=2000, le=2100)] | None = None


class MatchRunOut(BaseModel):
    id: int | None
    as_of: dt.date
    year: int | None
    rules: int
    enterprises: int
    rows: int
    tracked_new: int
    tracked_updated: int
    inputs: dict[str, Any]


class AuditOut(BaseModel):
    seq: int
    at: str
    actor: str
    action: str
    object_type: str
    object_id: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class AuditList(BaseModel):
    items: list[AuditOut]
    total: int
    next: str | None


class AuditVerdict(BaseModel):
    ok: bool
    checked: int
    bad_seq: int | None
    message: str
