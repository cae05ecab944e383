"""运行监测 pages: 波动企业 (filters by month, district, indicator and type; Excel), 百户重点企业
(a trend line per enterprise, the district totals, importing the list) and 升规纳统; the
亩产效益 (:mod:`~huiqi.web.pages.monitor_mu`) and 督查督办 (:mod:`~huiqi.web.pages.monitor_tasks`)
pages are mounted with them. The same functions and scope as the API
(:mod:`huiqi.web.routes.monitor_lists`): officers see their region, finance, auditors and admins
every region, enterprises their own 亩产效益 only."""

from __future__ import annotations

from typing import Annotated

import polars as pl
from fastapi import APIRouter, Query, Request
from sqlalchemy import func, select

from huiqi.db.models import Enterprise
from huiqi.monitor import periods
from huiqi.monitor.alerts import RULES
from huiqi.payout.errors import ServiceError
from huiqi.web.pages import charts, monitor_mu, monitor_tasks
from huiqi.web.pages.common import V, read_form, redirect, render
from huiqi.web.pages.monitor_charts import trend
from huiqi.web.routes.monitor_lists import (
    ALERT_HEADERS,
    READERS,
    UPGRADE_HEADERS,
    Lists,
    district,
    filter_alerts,
    import_watch,
    indicators_watched,
    read_scope,
    watch_workbook,
    workbook,
    write_scope,
)

router = APIRouter()
PAGE = 100
Text = Annotated[str, Query(max_length=32)]
PageQ = Annotated[int, Query(ge=1, le=100_000)]


def districts_in(engine, code: str | None) -> list[tuple[str, str]]:
    """(code, name) of the divisions with enterprises inside ``code`` (everywhere when None)."""
    from huiqi.registry.codes import region_prefix

    query = select(func.distinct(Enterprise.region_code))
    if code:
        query = query.where(Enterprise.region_code.startswith(region_prefix(code)))
    with engine.connect() as conn:
        codes = sorted(conn.scalars(query))
    return [(c, district(c)) for c in codes]


def area(v: V, region: str) -> str | None:
    """The region a page shows: the district chosen, inside the viewer's area."""
    return read_scope(v.actor, region or None)


def pages(total: int) -> int:
    return max(1, -(-total // PAGE))


@router.get("/monitor")
def alerts_page(
    request: Request,
    v: V,
    period: Text = "",
    region: Text = "",
    indicator: Text = "",
    rule: Text = "",
    page: PageQ = 1,
):
    """波动企业清单."""
    v.need(*READERS)
    code = area(v, region)
    lists = Lists.of(request.app)
    month = lists.month(period)
    if rule and rule not in RULES:
        rule = ""
    watched = indicators_watched(lists.engine)
    if indicator not in watched:
        indicator = ""
    items, used = (None, []) if month is None else lists.alerts(month, code)
    chosen = filter_alerts(items, indicator or None, rule or None) if items is not None else None
    counts = dict(items.group_by("rule").len().iter_rows()) if items is not None else {}
    rows = [] if chosen is None else chosen.slice((page - 1) * PAGE, PAGE).to_dicts()
    total = 0 if chosen is None else chosen.height
    by_district = (
        [] if chosen is None else chosen.group_by("district").len().sort("len", descending=True).rows()[:15]
    )
    latest = lists.month(None)
    months = [] if latest is None else periods.months_back(latest, 24)
    return render(
        request,
        "monitor_alerts.html",
        v,
        tab="alerts",
        month=month,
        months=months,
        region=region,
        code=code,
        districts=districts_in(lists.engine, read_scope(v.actor)),
        indicator=indicator,
        indicators=watched,
        rule=rule,
        rules=RULES,
        counts=counts,
        used=used,
        rows=rows,
        total=total,
        firms=0 if chosen is None else chosen["uscc"].n_unique(),
        page=page,
        pages=pages(total),
        chart=charts.hbar([(name, float(n)) for name, n in by_district], "各区县波动条数", unit="条"),
        query_string=request.url.query,
    )


@router.get("/monitor/export")
def alerts_export(
    request: Request, v: V, period: Text = "", region: Text = "", indicator: Text = "", rule: Text = ""
):
    v.need(*READERS)
    code = area(v, region)
    lists = Lists.of(request.app)
    month = lists.month(period)
    rows = []
    if month is not None:
        items, _ = lists.alerts(month, code)
        rows = filter_alerts(items, indicator or None, rule if rule in RULES else None).to_dicts()
    return workbook(f"波动企业清单_{month or '无数据'}.xlsx", [("波动企业清单", ALERT_HEADERS, rows)])


# ------------------------------------------------------------------------------ 百户重点企业


@router.get("/monitor/watch")
def watch_page(request: Request, v: V, period: Text = "", region: Text = "", page: PageQ = 1):
    """百户重点企业: each enterprise's months with a trend line, and the district totals."""
    v.need(*READERS)
    code = area(v, region)
    lists = Lists.of(request.app)
    month = lists.month(period)
    view = None if month is None else lists.watch(month, code, None)
    rows, chart, latest_districts, total_row = [], None, [], None
    recent = [] if month is None else periods.months_back(month, 12)[::-1]
    if view is not None:
        for item in view.items.slice((page - 1) * PAGE, PAGE).to_dicts():
            months = item["months"] or []
            item["svg"] = trend(
                [m["value"] for m in months],
                [m["previous"] for m in months],
                f"{item['name']} 近12个月{view.indicator}",
                [m["period"] for m in months],
            )
            rows.append(item)
        totals = (
            view.districts.group_by("period")
            .agg(pl.col("value").sum(), pl.col("previous").sum())
            .sort("period")
            .with_columns(
                change=pl.when(pl.col("previous") > 0).then(pl.col("value") / pl.col("previous") - 1)
            )
        )
        chart = charts.columns(
            [p[2:] for p in totals["period"].to_list()],
            [("本年", totals["value"].to_list()), ("上年同月", totals["previous"].to_list())],
            f"重点企业{view.indicator}合计(按月)",
        )
        latest_districts = (
            view.districts.filter(pl.col("period") == month).sort("value", descending=True).to_dicts()
        )
        total_row = totals.filter(pl.col("period") == month).to_dicts()
    return render(
        request,
        "monitor_watch.html",
        v,
        tab="watch",
        month=month,
        region=region,
        districts=districts_in(lists.engine, read_scope(v.actor)),
        view=view,
        rows=rows,
        recent=recent,
        chart=chart,
        latest_districts=latest_districts,
        total_row=total_row[0] if total_row else None,
        page=page,
        pages=pages(view.items.height if view else 0),
        can_import=v.role in ("officer", "admin"),
        query_string=request.url.query,
    )


@router.get("/monitor/watch/export")
def watch_export(request: Request, v: V, period: Text = "", region: Text = ""):
    v.need(*READERS)
    code = area(v, region)
    lists = Lists.of(request.app)
    month = lists.month(period)
    if month is None:
        return workbook("百户重点企业_无数据.xlsx", [("重点企业", [("uscc", "统一社会信用代码")], [])])
    return watch_workbook(lists.watch(month, code, None))


@router.post("/monitor/watch/import")
async def watch_import(request: Request, v: V):
    """Replace the watch list of the viewer's area with an uploaded file."""
    v.need("officer", "admin")
    form = await read_form(request, v)
    back = "/monitor/watch"
    upload = form.get("file")
    if not hasattr(upload, "filename") or not upload.filename:
        return redirect(back, "请选择名单文件(CSV 或 Excel,含“统一社会信用代码”列)", "warn")
    content = await upload.read(20 * 1024 * 1024 + 1)
    if len(content) > 20 * 1024 * 1024:
        return redirect(back, f"{upload.filename}:文件超过20MB", "error")
    lists = Lists.of(request.app)
    try:
        code = write_scope(v.actor, None)
        count, errors = import_watch(lists.engine, upload.filename, content, code)
    except ServiceError as exc:
        return redirect(back, f"未导入:{exc}", "error")
    if not count:
        first = f":{errors[0]}" if errors else ""
        return redirect(back, f"名单中没有可用的企业,原名单未改动{first}", "error")
    lists.changed()
    from huiqi.web.routes.monitor_lists import audit

    audit(lists.engine, v.actor, "monitor.watch_list", "watch_list", code or "*",
          {"listed": count, "file": upload.filename, "errors": len(errors)})  # fmt: skip
    message = f"重点企业名单已更新:{count} 家({district(code)})"
    if errors:
        shown = ";".join(errors[:3]) + ("…" if len(errors) > 3 else "")
        return redirect(back, f"{message};{len(errors)} 行未导入:{shown}", "warn")
    return redirect(back, message)


# ------------------------------------------------------------------------------ 升规纳统


@router.get("/monitor/upgrade")
def upgrade_page(request: Request, v: V, period: Text = "", region: Text = "", page: PageQ = 1):
    v.need(*READERS)
    code = area(v, region)
    lists = Lists.of(request.app)
    month = lists.month(period)
    view = None if month is None else lists.upgrade(month, code)
    rows = [] if view is None else view.items.slice((page - 1) * PAGE, PAGE).to_dicts()
    return render(
        request,
        "monitor_upgrade.html",
        v,
        tab="upgrade",
        month=month,
        region=region,
        districts=districts_in(lists.engine, read_scope(v.actor)),
        view=view,
        rows=rows,
        over=0 if view is None else view.items.filter(pl.col("gap_wan") <= 0).height,
        page=page,
        pages=pages(0 if view is None else view.items.height),
        query_string=request.url.query,
    )


@router.get("/monitor/upgrade/export")
def upgrade_export(request: Request, v: V, period: Text = "", region: Text = ""):
    v.need(*READERS)
    code = area(v, region)
    lists = Lists.of(request.app)
    month = lists.month(period)
    rows = [] if month is None else lists.upgrade(month, code).items.to_dicts()
    return workbook(f"升规纳统培育_{month or '无数据'}.xlsx", [("升规纳统培育", UPGRADE_HEADERS, rows)])


router.include_router(monitor_mu.router)
router.include_router(monitor_tasks.router)
