"""督查督办 pages: 目标进度 (progress bars; officers bind a target to a measure or enter its
figure) and 任务台账 (statuses with overdue flags, the report by unit, and the status form for
those who may update a row)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import polars as pl
from fastapi import APIRouter, Path, Query, Request

from huiqi.monitor.tasks import STATUSES
from huiqi.payout.errors import NotFound, ServiceError
from huiqi.web.pages.common import V, read_form, redirect, render
from huiqi.web.pages.monitor_charts import progress
from huiqi.web.routes.monitor_lists import (
    READERS,
    TARGET_HEADERS,
    Lists,
    bind,
    filter_tasks,
    is_bound,
    task_ledger,
    tasks_workbook,
    unit_report,
    update_task,
    visible_targets,
    workbook,
)

router = APIRouter()
PAGE = 100
Text = Annotated[str, Query(max_length=64)]
COMPARATOR_ZH = {">=": "≥", "<=": "≤", "~": "约", "=": ""}


def _targets(request: Request, v: V, document: str, bound: str) -> list[dict]:
    v.need(*READERS)
    items = visible_targets(Lists.of(request.app).targets(dt.date.today()), v.actor)
    if document:
        items = [i for i in items if document in i["document"]]
    if bound in ("1", "0"):
        items = [i for i in items if is_bound(i) == (bound == "1")]
    return items


@router.get("/supervision")
def targets_page(
    request: Request, v: V, document: Text = "", bound: Annotated[str, Query(pattern="^[01]?$")] = ""
):
    """目标进度: bound targets with their current figure and a progress bar, the rest to bind."""
    items = _targets(request, v, document, bound)
    for item in items:
        item["bar"] = progress(item["progress"], item["indicator"])
        goal = f"{COMPARATOR_ZH.get(item['comparator'], '')}{item['value']:g}{item['unit'] or ''}"
        item["goal"] = goal
    documents = sorted({i["document"] for i in _targets(request, v, "", "")})
    return render(
        request,
        "monitor_targets.html",
        v,
        tab="targets",
        items=items,
        bound_items=[i for i in items if is_bound(i)],
        open_items=[i for i in items if not is_bound(i)],
        documents=documents,
        document=document,
        bound=bound,
        can_bind=v.role in ("officer", "admin"),
        query_string=request.url.query,
    )


@router.get("/supervision/export")
def targets_export(
    request: Request, v: V, document: Text = "", bound: Annotated[str, Query(pattern="^[01]?$")] = ""
):
    items = _targets(request, v, document, bound)
    return workbook(f"目标进度_{dt.date.today().isoformat()}.xlsx", [("目标进度", TARGET_HEADERS, items)])


@router.post("/supervision/bind/{key}")
async def bind_page(request: Request, v: V, key: Annotated[str, Path(pattern=r"^[0-9a-f]{12}$")]):
    """Bind a target to a measure in short form, or enter its current figure by hand."""
    v.need("officer", "admin")
    form = await read_form(request, v)
    back = f"/supervision#t-{key}"
    measure = str(form.get("measure") or "").strip() or None
    raw = str(form.get("value") or "").strip()
    note = str(form.get("note") or "").strip()[:500] or None
    try:
        value = float(raw) if raw else None
    except ValueError:
        return redirect(back, f"未保存:人工填报的数值 {raw} 不是数字", "error")
    if (measure is None) == (value is None):
        return redirect(back, "未保存:请填写统计口径,或填写人工填报的数值(二选一)", "warn")
    lists = Lists.of(request.app)
    found = next(
        (i for i in visible_targets(lists.targets(dt.date.today()), v.actor) if i["key"] == key), None
    )
    if found is None:
        raise NotFound("没有这个目标,或它不在您负责的地区内")
    try:
        bind(lists.engine, v.actor, found, measure, value, note)
    except ServiceError as exc:
        return redirect(back, f"未保存:{exc}", "error")
    lists.changed()
    done = f"已绑定口径 {measure}" if measure else f"已填报当前值 {value:g}"
    return redirect(back, f"目标“{found['indicator']}”{done}")


# ------------------------------------------------------------------------------ 任务台账


@router.get("/supervision/tasks")
def tasks_page(
    request: Request,
    v: V,
    document: Text = "",
    unit: Text = "",
    status: Annotated[str, Query(pattern="^(未启动|推进中|已完成|滞后)?$")] = "",
    overdue: Annotated[str, Query(pattern="^1?$")] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    """任务台账 with the report by unit; a status form on each row the viewer may update."""
    v.need(*READERS)
    engine = request.app.state.engine
    whole = task_ledger(engine, v.actor, document=document or None, unit=unit or None)
    frame = filter_tasks(whole, status or None, True if overdue else None)
    rows = frame.slice((page - 1) * PAGE, PAGE).to_dicts()
    documents = (
        task_ledger(engine, v.actor).unique("document", keep="first").select("document", "title").rows()
    )
    return render(
        request,
        "monitor_tasks.html",
        v,
        tab="tasks",
        rows=rows,
        total=frame.height,
        overdue_count=whole.filter(pl.col("overdue")).height,
        report=unit_report(whole),
        statuses=STATUSES,
        documents=sorted(documents, key=lambda d: d[1]),
        document=document,
        unit=unit,
        status=status,
        overdue=overdue,
        page=page,
        pages=max(1, -(-frame.height // PAGE)),
        query_string=request.url.query,
    )


@router.get("/supervision/tasks/export")
def tasks_export(
    request: Request,
    v: V,
    document: Text = "",
    unit: Text = "",
    status: Annotated[str, Query(pattern="^(未启动|推进中|已完成|滞后)?$")] = "",
    overdue: Annotated[str, Query(pattern="^1?$")] = "",
):
    v.need(*READERS)
    frame = task_ledger(request.app.state.engine, v.actor, document=document or None, unit=unit or None)
    return tasks_workbook(filter_tasks(frame, status or None, True if overdue else None))


@router.post("/supervision/tasks/update")
async def task_update_page(request: Request, v: V):
    """A unit's status of one task, with a note and a date (and a deadline when one is set)."""
    form = await read_form(request, v)
    back = str(form.get("back") or "/supervision/tasks")
    if not back.startswith("/supervision/tasks"):
        back = "/supervision/tasks"
    fields = {k: str(form.get(k) or "").strip() for k in ("document", "task_id", "unit", "status", "note")}
    try:
        on = dt.date.fromisoformat(str(form.get("date"))) if form.get("date") else None
        deadline = dt.date.fromisoformat(str(form.get("deadline"))) if form.get("deadline") else None
    except ValueError:
        return redirect(back, "未保存:日期应为 YYYY-MM-DD", "error")
    if fields["status"] not in STATUSES:
        return redirect(
            back, f"未保存:状态 {fields['status'] or '(空)'} 应为{'/'.join(STATUSES)}之一", "error"
        )
    try:
        done = update_task(
            request.app.state.engine, v.actor, fields["document"], fields["task_id"], fields["unit"],
            fields["status"], fields["note"][:500] or None, deadline, on,
        )  # fmt: skip
    except ServiceError as exc:
        if exc.status == 404:
            raise
        return redirect(back, f"未保存:{exc}", "error")
    return redirect(back, f"已更新:任务 {done['task_id']} {done['unit']} → {done['status']}")
