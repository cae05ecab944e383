"""Request and response bodies of 运行监测, 亩产效益 and 督查督办 (``/api/v1/monitor``, ``/mu-…``,
``/targets``, ``/tasks``). Items carry the same keys as the command line's JSON output."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from huiqi.web.schemas import _In

Region = Annotated[str, Field(min_length=2, max_length=32, description="行政区划代码、前缀(3701)或地名")]
Note = Annotated[str, Field(min_length=1, max_length=500, description="说明")]
Status = Literal["未启动", "推进中", "已完成", "滞后"]


class SettingUsed(BaseModel):
    kind: str
    region: str
    version: int
    effective_from: str
    label: str = Field(description="全部地区第1版(2000-01-01起,默认阈值)")


class SettingOut(BaseModel):
    kind: str
    kind_zh: str
    region: str = Field(description="行政区划代码,空为全部地区")
    region_name: str
    version: int
    effective_from: dt.date
    params: dict[str, Any] = Field(description="完整参数(新增的版本只写改动的字段,其余取默认)")
    note: str | None
    stored: bool = Field(description="true:经办人员新增的版本;false:软件自带的默认版本")
    label: str


class SettingList(BaseModel):
    items: list[SettingOut]
    total: int
    next: str | None


class SettingIn(_In):
    kind: Literal["alerts", "watch", "mu"] = Field(
        description="alerts 波动阈值;watch 重点企业与升规;mu 亩产效益"
    )
    region: Region | None = Field(None, description="适用地区;经办人员默认本地区,管理员不填为全部地区")
    effective_from: dt.date
    params: dict[str, Any] = Field(description='只写改动的字段,如 {"decline": -0.3}')
    note: Note | None = None


# ------------------------------------------------------------------ 波动企业


class AlertOut(BaseModel):
    uscc: str
    name: str
    region_code: str
    district: str
    indicator: str
    period: str
    value: float | None = Field(description="本月")
    previous: float | None = Field(description="去年同月")
    change: float | None = Field(description="同比,小数:-0.3 即下降30%")
    unit: str
    rule: str = Field(description="未报送、下滑、持续下滑、异常增长之一(同时命中时按此顺序取第一个)")
    rules: list[str]
    reason: str
    setting: str = Field(description="所用阈值版本")


class AlertList(BaseModel):
    period: str | None = Field(description="月份;指标表中没有月度数据时为 null")
    region: str | None
    settings: list[SettingUsed]
    counts: dict[str, int] = Field(description="筛选前各类型的条数")
    items: list[AlertOut]
    total: int
    next: str | None


# ------------------------------------------------------------------ 百户重点企业


class MonthOut(BaseModel):
    period: str
    value: float | None
    previous: float | None
    change: float | None


class WatchOut(BaseModel):
    uscc: str
    name: str | None
    region_code: str | None
    district: str | None
    value: float | None = Field(description="本月")
    previous: float | None
    change: float | None
    ytd: float | None = Field(description="本年累计")
    ytd_previous: float | None
    ytd_change: float | None
    trend: str = Field(description="近12个月走势,▁▂▃▄▅▆▇█,未报送为 ·")
    months: list[MonthOut]


class DistrictMonthOut(BaseModel):
    region_code: str
    district: str
    period: str
    enterprises: int
    value: float | None
    previous: float | None
    change: float | None


class WatchList(BaseModel):
    period: str | None
    region: str | None
    indicator: str | None
    source: str | None = Field(description="导入名单,或按上年营业收入取前N家")
    setting: SettingUsed | None
    items: list[WatchOut]
    total: int
    next: str | None
    districts: list[DistrictMonthOut]


class WatchEntryOut(BaseModel):
    uscc: str
    name: str
    region_code: str
    district: str
    note: str | None


class WatchEntries(BaseModel):
    items: list[WatchEntryOut]
    total: int
    next: str | None


class WatchImportOut(BaseModel):
    listed: int = Field(description="名单中的企业数")
    region: str | None
    errors: list[str] = Field(description="未导入的行,每行一句说明")


# ------------------------------------------------------------------ 升规纳统


class UpgradeOut(BaseModel):
    uscc: str
    name: str
    region_code: str
    district: str
    revenue_wan: float
    basis: str
    gap_wan: float = Field(description="距规上标准,负数为已超过")
    share: float = Field(description="达到规上标准的比例")


class UpgradeList(BaseModel):
    period: str | None
    region: str | None
    line_wan: float | None
    reach: float | None
    setting: SettingUsed | None
    items: list[UpgradeOut]
    total: int
    next: str | None


# ------------------------------------------------------------------ 亩产效益


class MuRunIn(_In):
    year: Annotated[int, Field(ge=2000, le=2100)] | None = Field(None, description="评价年度,默认最新年度")
    region: Region | None = Field(None, description="评价地区;经办人员默认本地区,管理员不填为全部")


class MuRunOut(BaseModel):
    run_id: int
    year: int
    region: str | None
    settings: list[SettingUsed]
    scored: int
    missing: int
    grades: dict[str, int]


class MuIndicatorOut(BaseModel):
    name: str
    value: float | None
    benchmark: float | None
    points: float | None
    weight: float | None
    unit: str | None


class MuGradeOut(BaseModel):
    uscc: str
    name: str
    region_code: str
    district: str
    year: int
    score: float
    grade: str
    rank: int
    group: str | None
    indicators: list[MuIndicatorOut]
    setting: str | None
    measures: list[str] = Field(description="该等级的差别化措施")
    run_id: int


class MuGradeList(BaseModel):
    year: int | None
    region: str | None
    grades: dict[str, int] = Field(description="各等级企业数")
    items: list[MuGradeOut]
    total: int
    next: str | None


class MuMissingOut(BaseModel):
    uscc: str
    name: str
    region_code: str
    district: str
    missing: list[str] = Field(description="缺少的数据,如 缺综合能耗")
    setting: str


class MuMissingList(BaseModel):
    year: int | None
    region: str | None
    items: list[MuMissingOut]
    total: int
    next: str | None


# ------------------------------------------------------------------ 目标


class TargetOut(BaseModel):
    key: str
    document: str
    text: str
    indicator: str
    value: float
    unit: str | None
    comparator: str
    by: int | None
    region: str | None
    measure: str | None = Field(description="统计口径;未绑定为 null")
    source: str | None = Field(description="自动、人工绑定、人工填报")
    current: float | None
    basis: str | None
    progress: float | None = Field(description="当前值/目标值;上限类目标和未绑定的为 null")


class TargetList(BaseModel):
    as_of: dt.date
    bound: int
    items: list[TargetOut]
    total: int
    next: str | None


class BindingIn(_In):
    measure: Annotated[str, Field(min_length=1, max_length=100)] | None = Field(
        None, description="认定:类型[:省级以上][:新增]、规上企业、上市[+挂牌]、指标:名称[:规上]"
    )
    value: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = Field(
        None, description="人工填报的当前值"
    )
    note: Note | None = None

    @model_validator(mode="after")
    def _one(self) -> BindingIn:
        if (self.measure is None) == (self.value is None):
            raise ValueError("请给出绑定口径 measure 或人工填报的数值 value 之一")
        return self


# ------------------------------------------------------------------ 督查督办


class TaskOut(BaseModel):
    document: str = Field(description="政策文件的文件名(更新进展时用)")
    title: str
    task_id: str
    task: str
    unit: str
    status: str
    note: str | None
    updated_on: dt.date | None
    deadline: dt.date | None
    overdue: bool
    can_update: bool = Field(description="当前账号能否更新这一行")


class TaskList(BaseModel):
    as_of: dt.date
    items: list[TaskOut]
    total: int
    next: str | None


class UnitReportOut(BaseModel):
    unit: str
    tasks: int
    overdue: int
    statuses: dict[str, int] = Field(description="未启动、推进中、已完成、滞后各几项")


class UnitReport(BaseModel):
    as_of: dt.date
    items: list[UnitReportOut]


class TaskUpdateIn(_In):
    document: Annotated[str, Field(min_length=1, max_length=255, description="台账中的 document")]
    task_id: Annotated[str, Field(min_length=1, max_length=32)]
    unit: Annotated[str, Field(min_length=1, max_length=64, description="责任单位")]
    status: Status
    note: Note | None = None
    deadline: dt.date | None = Field(None, description="设定完成时限")
    date: dt.date | None = Field(None, description="进展日期,默认今天")


class TaskUpdateOut(BaseModel):
    document: str
    task_id: str
    unit: str
    status: str
    note: str | None
    deadline: dt.date | None
    date: dt.date
