"""Pydantic models of the interchange format for a structured policy document.

Field names follow ``../shared/spec/policy-json.md`` exactly; money is in 万元, ratios are
fractions, dates are ISO strings. Extra fields (``needs_review``, ``notes``) carry the
extractor's own doubts for the reviewing officer and are allowed by the spec.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Level = Literal["国家级", "省级", "市级", "区县级"]
IncentiveKind = Literal["fixed", "max", "min", "ratio", "unspecified"]
Comparator = Literal[">=", "<=", "~", "="]
StackingRule = Literal["highest_only", "cap_per_enterprise", "supersedes", "repeatable", "exclusive"]
LimitPeriod = Literal["year", "project", "policy"]
LimitScope = Literal["document", "sections"]
LimitBasis = Literal["fixed", "new_tax_retained", "tax_retained"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class DocumentInfo(_Model):
    """政策文件 — the document's own fields."""

    title: str | None = None
    doc_number: str | None = None
    issuers: list[str] = Field(default_factory=list)
    issued_on: str | None = None
    effective_from: str | None = None
    expires_on: str | None = None
    region: str | None = None
    level: Level | None = None
    plan: bool = False
    horizon_start: str | None = None
    horizon_end: str | None = None
    needs_review: bool = False
    notes: list[str] = Field(default_factory=list)


class Task(_Model):
    """措施 / 任务 — a numbered measure and its 责任单位."""

    id: str
    title: str
    responsible: list[str] = Field(default_factory=list)


class Payer(_Model):
    """Who pays which share of an incentive (市级 0.3, 区级 0.7 …)."""

    payer: str
    share: float | None = None


class Incentive(_Model):
    """奖补条款 — one payable benefit as written."""

    task: str | None = None
    section: str | None = None
    text: str
    subject: str
    level: Level | None = None
    kind: IncentiveKind
    amount_wan: float | None = None
    cap_wan: float | None = None
    ratio: float | None = None
    base: str | None = None
    per: str | None = None
    payers: list[Payer] | None = None
    one_time: bool = False
    ratio_is_max: bool = False
    amount_min_wan: float | None = None
    ratio_min: float | None = None
    needs_review: bool = False
    notes: list[str] = Field(default_factory=list)


class Target(_Model):
    """目标 — a dated quantitative goal."""

    text: str
    indicator: str
    value: float
    unit: str | None = None
    comparator: Comparator = "="
    by: int | str | None = None
    task: str | None = None
    period: str | None = None
    value_max: float | None = None


class Stacking(_Model):
    """叠加规则 — how benefits combine (就高不重复, 每家企业最高限额, 不得同时享受 …).

    The typed fields are the project's extension of the spec (``docs/extraction.md``):
    ``sections`` names the section ids a rule is limited to (with every section nested in
    them), ``[]`` meaning the whole document; a ``cap_per_enterprise`` also carries its limit
    (``limit_wan`` or a ``basis`` of tax retained), ``period``, ``scope`` and ``payer``.
    """

    text: str
    rule: StackingRule
    sections: list[str] = Field(default_factory=list)
    limit_wan: float | None = None
    period: LimitPeriod | None = None
    scope: LimitScope | None = None
    basis: LimitBasis | None = None
    payer: str | None = None


class PolicyDoc(_Model):
    """A whole structured policy document: the output of ``huiqi extract``."""

    document: DocumentInfo = Field(default_factory=DocumentInfo)
    tasks: list[Task] = Field(default_factory=list)
    incentives: list[Incentive] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    stacking: list[Stacking] = Field(default_factory=list)
    source: str | None = None
