"""What an officer may change in a row, and the checks each value must pass.

These models are the bodies of the correction requests (``PATCH /api/v1/incentives/{id}`` …):
only the fields sent are changed, each must be valid on its own, and every request carries the
reason. The shapes follow ``../shared/spec/policy-json.md``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from huiqi.db.models import MAX_WAN

Reason = Annotated[str, Field(min_length=1, max_length=500, description="理由(必填)")]
Wan = Annotated[float, Field(gt=0, le=MAX_WAN, allow_inf_nan=False, description="万元")]
Share = Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
LevelName = Literal["国家级", "省级", "市级", "区县级"]


class _Patch(BaseModel):
    # at least one field to correct besides the reason
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 2})

    reason: Reason

    def changes(self) -> dict[str, object]:
        """The fields sent (besides the reason), as JSON values."""
        data = self.model_dump(mode="json", exclude={"reason"})
        return {name: data[name] for name in self.model_fields_set if name != "reason"}

    @model_validator(mode="after")
    def _something(self) -> _Patch:
        if not self.changes():
            raise ValueError("没有要更正的字段")
        return self


class PayerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payer: ShortText
    share: Share | None = None


class IncentivePatch(_Patch):
    """更正奖补条款."""

    subject: ShortText | None = None
    key: ShortText | None = Field(None, description="金标准导出时用的关键词(出现在对象中的短语)")
    level: LevelName | None = None
    kind: Literal["fixed", "max", "min", "ratio", "unspecified"] | None = None
    amount_wan: Wan | None = None
    cap_wan: Wan | None = None
    ratio: Share | None = None
    base: ShortText | None = None
    per: Annotated[str, Field(min_length=1, max_length=16)] | None = None
    payers: list[PayerIn] | None = Field(None, max_length=10)
    one_time: bool | None = None
    ratio_is_max: bool | None = None
    amount_min_wan: Wan | None = None
    ratio_min: Share | None = None
    task: Annotated[str, Field(min_length=1, max_length=32)] | None = None

    @field_validator("payers")
    @classmethod
    def _shares(cls, payers: list[PayerIn] | None) -> list[PayerIn] | None:
        if payers and sum(p.share or 0 for p in payers) > 1 + 1e-9:
            raise ValueError("各出资方比例之和不能超过100%")
        return payers

    @field_validator("kind")
    @classmethod
    def _kind_not_null(cls, kind: str | None) -> str | None:
        if kind is None:
            raise ValueError("kind 不能为空")
        return kind


class TargetPatch(_Patch):
    """更正目标."""

    indicator: ShortText | None = None
    value: Annotated[float, Field(ge=-1e12, le=1e12, allow_inf_nan=False)] | None = None
    value_max: Annotated[float, Field(ge=-1e12, le=1e12, allow_inf_nan=False)] | None = None
    unit: Annotated[str, Field(min_length=1, max_length=16)] | None = None
    comparator: Literal[">=", "<=", "~", "="] | None = None
    by: Annotated[int, Field(ge=1949, le=2100)] | None = None
    period: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    task: Annotated[str, Field(min_length=1, max_length=32)] | None = None


class TaskPatch(_Patch):
    """更正任务."""

    title: ShortText | None = None
    responsible: list[ShortText] | None = Field(None, max_length=50)


class StackingPatch(_Patch):
    """更正叠加规则."""

    rule: Literal["highest_only", "cap_per_enterprise", "supersedes", "repeatable"] | None = None


PATCHES: dict[str, type[_Patch]] = {
    "incentives": IncentivePatch,
    "targets": TargetPatch,
    "tasks": TaskPatch,
    "stacking": StackingPatch,
}
