"""目标 and 督查督办 over HTTP: every target with its measure, current figure and progress (an
officer binds one or enters a figure by hand), and the task ledger of 责任单位 with statuses,
overdue flags and the report by unit (an officer of the document's region updates a row; one
whose account names a department, only its unit's rows). Enterprises see neither."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import polars as pl
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from huiqi.accounts.users import Actor
from huiqi.payout.errors import Forbidden, NotFound
from huiqi.web.deps import Me, Paging
from huiqi.web.errors import RESPONSES
from huiqi.web.routes.monitor_lists import (
    READERS,
    TARGET_HEADERS,
    Lists,
    bind,
    check_writer,
    filter_tasks,
    is_bound,
    page_of,
    task_ledger,
    tasks_workbook,
    unit_report,
    update_task,
    visible_targets,
    workbook,
)
from huiqi.web.schemas_monitor import (
    BindingIn,
    TargetList,
    TargetOut,
    TaskList,
    TaskUpdateIn,
    TaskUpdateOut,
    UnitReport,
)

router = APIRouter(responses=RESPONSES)
TAG = ["督查督办"]
DocumentQ = Annotated[str | None, Query(max_length=100, description="政策文件标题或文件名中的文字")]
AsOfQ = Annotated[dt.date | None, Query(description="按哪一天统计(YYYY-MM-DD),默认今天")]
UnitQ = Annotated[str | None, Query(max_length=64, description="责任单位名称中的文字")]
StatusQ = Annotated[str | None, Query(pattern="^(未启动|推进中|已完成|滞后)$", description="只看该状态")]
Key = Annotated[str, Path(pattern=r"^[0-9a-f]{12}$", description="目标编号")]


def targets_for(
    lists: Lists, me: Actor, document: str | None, bound: bool | None, as_of: dt.date
) -> list[dict]:
    if me.role not in READERS:
        raise Forbidden("目标进度只对经办人员和领导开放,企业账号不能查看")
    items = visible_targets(lists.targets(as_of), me)
    if document:
        items = [i for i in items if document in i["document"]]
    if bound is not None:
        items = [i for i in items if is_bound(i) == bound]
    return items


@router.get("/targets", response_model=TargetList, tags=TAG, summary="目标进度")
def targets(
    request: Request,
    me: Me,
    page: Paging,
    document: DocumentQ = None,
    bound: Annotated[bool | None, Query(description="true 只看已绑定的,false 只看待绑定的")] = None,
    as_of: AsOfQ = None,
) -> dict:
    """政策文件中的每个目标:能由企业名录计算的自动绑定(有效认定数、规上企业数、上市企业数、指标合计),
    给出当前值和进度;其余待经办人员绑定口径或人工填报。经办人员看本地区文件的目标。"""
    day = as_of or dt.date.today()
    items = targets_for(Lists.of(request.app), me, document, bound, day)
    rows, after = page_of(items, page.after or 0, page.limit)
    return {
        "as_of": day,
        "bound": sum(1 for i in items if is_bound(i)),
        "items": rows,
        "total": len(items),
        "next": after,
    }


@router.get("/targets/export", tags=TAG, summary="目标进度(Excel)", response_class=Response)
def targets_export(
    request: Request,
    me: Me,
    document: DocumentQ = None,
    bound: Annotated[bool | None, Query()] = None,
    as_of: AsOfQ = None,
) -> Response:
    day = as_of or dt.date.today()
    items = targets_for(Lists.of(request.app), me, document, bound, day)
    return workbook(f"目标进度_{day.isoformat()}.xlsx", [("目标进度", TARGET_HEADERS, items)])


@router.post(
    "/targets/{key}/binding",
    response_model=TargetOut,
    status_code=201,
    tags=TAG,
    summary="绑定目标口径或填报",
)
def bind_target(key: Key, body: BindingIn, request: Request, me: Me) -> dict:
    """给目标绑定统计口径(`认定:绿色工厂:省级以上`、`规上企业`、`上市+挂牌`、`指标:营业收入:规上`),
    或人工填报当前值;新的绑定取代旧的,旧的留作记录。本地区文件的目标由本地区经办人员办理。"""
    check_writer(me)
    lists = Lists.of(request.app)
    today = dt.date.today()
    found = next((i for i in visible_targets(lists.targets(today), me) if i["key"] == key), None)
    if found is None:
        raise NotFound(f"没有编号为 {key} 的目标")
    bind(lists.engine, me, found, body.measure, body.value, body.note)
    lists.changed()
    fresh = Lists.of(request.app)
    return next(i for i in fresh.targets(today) if i["key"] == key)


def _ledger(request: Request, me: Actor, document, unit, as_of, status=None, overdue=None) -> pl.DataFrame:
    frame = task_ledger(request.app.state.engine, me, document=document, unit=unit, today=as_of)
    return filter_tasks(frame, status, overdue)


@router.get("/tasks", response_model=TaskList, tags=TAG, summary="督查督办台账")
def tasks(
    request: Request,
    me: Me,
    page: Paging,
    document: DocumentQ = None,
    unit: UnitQ = None,
    status: StatusQ = None,
    overdue: Annotated[bool | None, Query(description="true 只看逾期的")] = None,
    as_of: AsOfQ = None,
) -> dict:
    """每条措施每个责任单位一行:状态(未启动/推进中/已完成/滞后)、说明、更新日期、时限和逾期提示;
    `can_update` 说明当前账号能否更新这一行。"""
    day = as_of or dt.date.today()
    frame = _ledger(request, me, document, unit, day, status, overdue)
    rows, after = page_of(frame.to_dicts(), page.after or 0, page.limit)
    return {"as_of": day, "items": rows, "total": frame.height, "next": after}


@router.get("/tasks/by-unit", response_model=UnitReport, tags=TAG, summary="督查督办:按责任单位汇总")
def tasks_by_unit(
    request: Request, me: Me, document: DocumentQ = None, unit: UnitQ = None, as_of: AsOfQ = None
) -> dict:
    """每个责任单位的任务数、各状态的数量和逾期数,逾期多的在前。"""
    day = as_of or dt.date.today()
    return {"as_of": day, "items": unit_report(_ledger(request, me, document, unit, day))}


@router.get("/tasks/export", tags=TAG, summary="督查督办台账(Excel)", response_class=Response)
def tasks_export(
    request: Request,
    me: Me,
    document: DocumentQ = None,
    unit: UnitQ = None,
    status: StatusQ = None,
    overdue: Annotated[bool | None, Query()] = None,
    as_of: AsOfQ = None,
) -> Response:
    """两张表:任务台账与按单位汇总。"""
    return tasks_workbook(_ledger(request, me, document, unit, as_of or dt.date.today(), status, overdue))


@router.post(
    "/tasks/updates", response_model=TaskUpdateOut, status_code=201, tags=TAG, summary="更新任务进展"
)
def create_update(body: TaskUpdateIn, request: Request, me: Me) -> dict:
    """责任单位的进展:状态、说明、日期,可设定完成时限;历史全部保留,台账显示最新一条。
    领导查看视图只读;经办人员只能更新本地区文件的任务(账号写明部门的,只能更新本单位的)。"""
    return update_task(
        request.app.state.engine, me, body.document, body.task_id, body.unit, body.status, body.note,
        body.deadline, body.date,
    )  # fmt: skip
