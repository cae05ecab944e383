"""督查督办: every measure (任务) of the library with its 责任单位, a status per unit, overdue flags.

The ledger has one row per (document, task, responsible unit). A unit's status is the latest of
its updates (``task_updates``, kept as history): 未启动 (no update yet), 推进中, 已完成 or 滞后,
with a note and a date. The deadline is the one an update sets, else the one read from the
document: the end of the latest target year tied to the task, else the document's expiry date.
A row is overdue (逾期) when its deadline has passed and it is not 已完成.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import polars as pl
from sqlalchemy import Engine, select

from huiqi.db.engine import session_scope
from huiqi.db.models import TaskUpdate
from huiqi.monitor.errors import MonitorError

STATUSES = ("未启动", "推进中", "已完成", "滞后")
_UNIT_TAIL = re.compile(r"等[^、,,]{0,6}?(?:部门|单位)$|等$")


def clean_unit(name: str) -> str:
    """A 责任单位 as a ledger key.

    >>> clean_unit("市商务局等有关部门"), clean_unit("市工业和信息化局等市直有关部门"), clean_unit("市财政局")
    ('市商务局', '市工业和信息化局', '市财政局')
    """
    return _UNIT_TAIL.sub("", name.strip()) or name.strip()


def _deadline(extraction: dict[str, Any], task_id: str, expires: str | None) -> dt.date | None:
    years = [
        int(t["by"])
        for t in extraction.get("targets", [])
        if t.get("task") == task_id and str(t.get("by") or "").isdigit()
    ]
    if years:
        return dt.date(max(years), 12, 31)
    return dt.date.fromisoformat(expires) if expires else None


def ledger_rows(session, document: str | None = None) -> list[dict[str, Any]]:
    """(document, task, unit) rows read from the latest version of each document."""
    from huiqi.library import current_versions

    rows = []
    for version in current_versions(session):
        doc = version.document
        if document and document not in doc.name and document not in (doc.title or ""):
            continue
        extraction = version.extraction
        expires = extraction.get("document", {}).get("expires_on")
        for task in extraction.get("tasks", []):
            units = list(dict.fromkeys(clean_unit(u) for u in task.get("responsible", []))) or ["未明确"]
            for unit in units:
                rows.append(
                    {
                        "document": doc.name,
                        "title": doc.title or doc.name,
                        "task_id": task["id"],
                        "task": task["title"],
                        "unit": unit,
                        "read_deadline": _deadline(extraction, task["id"], expires),
                    }
                )
    return rows


def ledger(
    engine: Engine, document: str | None = None, unit: str | None = None, today: dt.date | None = None
) -> pl.DataFrame:
    """The task ledger with each row's current status, note, dates and overdue flag."""
    today = today or dt.date.today()
    with session_scope(engine) as session:
        rows = ledger_rows(session, document)
        updates = [
            (u.document, u.task_id, u.unit, u.status, u.note, u.deadline, u.updated_on, u.id)
            for u in session.scalars(select(TaskUpdate))
        ]
    schema = {
        "document": pl.String,
        "title": pl.String,
        "task_id": pl.String,
        "task": pl.String,
        "unit": pl.String,
        "read_deadline": pl.Date,
    }
    frame = pl.DataFrame(rows, schema=schema)
    latest = (
        pl.DataFrame(
            updates,
            schema={
                "document": pl.String,
                "task_id": pl.String,
                "unit": pl.String,
                "status": pl.String,
                "note": pl.String,
                "set_deadline": pl.Date,
                "updated_on": pl.Date,
                "id": pl.Int64,
            },
            orient="row",
        )
        .sort("id")
        .group_by("document", "task_id", "unit")
        .agg(
            pl.col("status", "note", "updated_on").last(),
            set_deadline=pl.col("set_deadline").drop_nulls().last(),
        )
    )
    frame = frame.join(latest, on=["document", "task_id", "unit"], how="left").with_columns(
        status=pl.col("status").fill_null("未启动"),
        deadline=pl.coalesce("set_deadline", "read_deadline"),
    )
    frame = frame.with_columns(
        overdue=(pl.col("deadline") < today).fill_null(False) & (pl.col("status") != "已完成")
    ).drop("set_deadline", "read_deadline")
    if unit:
        frame = frame.filter(pl.col("unit").str.contains(unit, literal=True))
    return frame


def by_unit(frame: pl.DataFrame) -> pl.DataFrame:
    """督查 report: per unit, how many tasks in each status and how many overdue."""
    counts = [(pl.col("status") == s).sum().alias(s) for s in STATUSES]
    return (
        frame.group_by("unit")
        .agg(*counts, tasks=pl.len(), overdue=pl.col("overdue").sum())
        .sort(["overdue", "tasks", "unit"], descending=[True, True, False])
    )


def update_task(
    engine: Engine,
    document: str,
    task_id: str,
    unit: str,
    status: str,
    note: str | None = None,
    deadline: dt.date | None = None,
    on: dt.date | None = None,
) -> dict[str, Any]:
    """Record a unit's status of a task; a :class:`MonitorError` names what does not fit."""
    if status not in STATUSES:
        raise MonitorError(f"状态 {status}: 应为{'/'.join(STATUSES)}之一")
    with session_scope(engine) as session:
        rows = ledger_rows(session, document)
        names = sorted({r["document"] for r in rows})
        if not names:
            raise MonitorError(f"政策文件 {document}: 政策库中没有(可给文件名或标题中的一段)")
        if len(names) > 1:
            raise MonitorError(f"政策文件 {document}: 对应多个文件({'、'.join(names)}),请写得更具体")
        mine = [r for r in rows if r["task_id"] == task_id]
        if not mine:
            raise MonitorError(f"任务 {task_id}: 《{rows[0]['title']}》中没有这一条措施")
        units = [r["unit"] for r in mine]
        if clean_unit(unit) not in units:
            raise MonitorError(f"责任单位 {unit}: 不是任务 {task_id} 的责任单位(应为{'、'.join(units)}之一)")
        update = TaskUpdate(
            document=names[0],
            task_id=task_id,
            unit=clean_unit(unit),
            status=status,
            note=note,
            deadline=deadline,
            updated_on=on or dt.date.today(),
        )
        session.add(update)
    return {"document": names[0], "task_id": task_id, "unit": clean_unit(unit), "status": status}
