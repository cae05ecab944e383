"""运行监测 over HTTP: 波动企业, 百户重点企业 (and its imported list), 升规纳统, the versioned
thresholds; with :mod:`~huiqi.web.routes.monitor_mu` (亩产效益) and
:mod:`~huiqi.web.routes.monitor_tasks` (目标, 督查督办) under the same router.

Officers see their region, the leadership's view (finance, auditors) and admins every region;
enterprises none of these lists (see :mod:`~huiqi.web.routes.monitor_lists`). Lists are
``{"items", "total", "next"}`` with ``?limit=`` and ``?cursor=``; each has an Excel export whose
text cells never become formulas.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import Response

from huiqi.monitor.alerts import RULES
from huiqi.web.deps import Me, Paging
from huiqi.web.errors import RESPONSES
from huiqi.web.routes import monitor_mu, monitor_tasks
from huiqi.web.routes.monitor_lists import (
    ALERT_HEADERS,
    UPGRADE_HEADERS,
    Lists,
    add_setting,
    filter_alerts,
    import_watch,
    page_of,
    read_scope,
    setting_rows,
    watch_entries,
    watch_workbook,
    workbook,
    write_scope,
)
from huiqi.web.schemas_monitor import (
    AlertList,
    SettingIn,
    SettingList,
    SettingOut,
    UpgradeList,
    WatchEntries,
    WatchImportOut,
    WatchList,
)

router = APIRouter(responses=RESPONSES)
TAG = ["运行监测"]
PeriodQ = Annotated[str | None, Query(max_length=16, description="月份 YYYY-MM,默认最新月份")]
RegionQ = Annotated[
    str | None, Query(max_length=32, description="行政区划代码、前缀或地名;经办人员默认本地区")
]
IndicatorQ = Annotated[str | None, Query(max_length=16, description="只看该指标(营业收入、用电量 …)")]
RuleQ = Annotated[
    str | None, Query(pattern="^(" + "|".join(RULES) + ")$", description="只看该类型:" + "、".join(RULES))
]
TopQ = Annotated[int | None, Query(ge=1, le=1000, description="未导入名单时按上年营业收入取前 N 家")]
KindQ = Annotated[str | None, Query(pattern="^(alerts|watch|mu)$", description="参数类别")]
OFFICERS = {403: {"description": "企业账号;或所选地区不在您负责的范围内"}}


def _alerts(request: Request, me, period, region, indicator, rule):
    from huiqi.payout.errors import Invalid
    from huiqi.web.routes.monitor_lists import indicators_watched

    code = read_scope(me, region)
    lists = Lists.of(request.app)
    month = lists.month(period)
    if indicator and indicator not in indicators_watched(lists.engine):
        watched = "、".join(indicators_watched(lists.engine))
        raise Invalid(f"指标 {indicator}:不是监测的指标(可选:{watched})", "indicator")
    if month is None:
        return None, code, None, []
    items, used = lists.alerts(month, code)
    return month, code, items, used


@router.get("/monitor/alerts", response_model=AlertList, tags=TAG, summary="波动企业清单", responses=OFFICERS)
def alerts(
    request: Request,
    me: Me,
    page: Paging,
    period: PeriodQ = None,
    region: RegionQ = None,
    indicator: IndicatorQ = None,
    rule: RuleQ = None,
) -> dict:
    """某月营业收入、工业增加值、用电量、税收同比下滑20%以上、增长50%以上(请核实)、连续3个月同比下降,
    或去年同月报送而本月未报送的企业;阈值按地区分版本,`settings` 列出所用版本。"""
    month, code, items, used = _alerts(request, me, period, region, indicator, rule)
    if items is None:
        return {
            "period": None,
            "region": code,
            "settings": [],
            "counts": {},
            "items": [],
            "total": 0,
            "next": None,
        }
    counts = dict(items.group_by("rule").len().iter_rows())
    chosen = filter_alerts(items, indicator, rule)
    rows, after = page_of(chosen.to_dicts(), page.after or 0, page.limit)
    return {
        "period": month,
        "region": code,
        "settings": used,
        "counts": {r: counts.get(r, 0) for r in RULES},
        "items": rows,
        "total": chosen.height,
        "next": after,
    }


@router.get("/monitor/alerts/export", tags=TAG, summary="波动企业清单(Excel)", response_class=Response)
def alerts_export(
    request: Request,
    me: Me,
    period: PeriodQ = None,
    region: RegionQ = None,
    indicator: IndicatorQ = None,
    rule: RuleQ = None,
) -> Response:
    """与列表相同的筛选;文本单元格一律按文本写入,不会成为公式。"""
    month, _, items, _ = _alerts(request, me, period, region, indicator, rule)
    rows = [] if items is None else filter_alerts(items, indicator, rule).to_dicts()
    return workbook(f"波动企业清单_{month or '无数据'}.xlsx", [("波动企业清单", ALERT_HEADERS, rows)])


def _watch(request: Request, me, period, region, top):
    code = read_scope(me, region)
    lists = Lists.of(request.app)
    month = lists.month(period)
    return code, (None if month is None else lists.watch(month, code, top))


@router.get("/monitor/watch", response_model=WatchList, tags=TAG, summary="百户重点企业", responses=OFFICERS)
def watch(
    request: Request, me: Me, page: Paging, period: PeriodQ = None, region: RegionQ = None, top: TopQ = None
) -> dict:
    """导入的重点企业名单(本地区),未导入时按上年营业收入取前 N 家:近12个月、同比、本年累计、走势,
    以及各区县合计(只计两年都有数据的企业)。"""
    code, view = _watch(request, me, period, region, top)
    if view is None:
        return {"period": None, "region": code, "indicator": None, "source": None, "setting": None,
                "items": [], "total": 0, "next": None, "districts": []}  # fmt: skip
    rows, after = page_of(view.items.to_dicts(), page.after or 0, page.limit)
    return {
        "period": view.period,
        "region": code,
        "indicator": view.indicator,
        "source": view.source,
        "setting": view.setting,
        "items": rows,
        "total": view.items.height,
        "next": after,
        "districts": view.districts.to_dicts(),
    }


@router.get("/monitor/watch/export", tags=TAG, summary="百户重点企业(Excel)", response_class=Response)
def watch_export(
    request: Request, me: Me, period: PeriodQ = None, region: RegionQ = None, top: TopQ = None
) -> Response:
    _, view = _watch(request, me, period, region, top)
    if view is None:
        return workbook("百户重点企业_无数据.xlsx", [("重点企业", [("uscc", "统一社会信用代码")], [])])
    return watch_workbook(view)


@router.get("/monitor/watch-list", response_model=WatchEntries, tags=TAG, summary="导入的重点企业名单")
def watch_list(request: Request, me: Me, page: Paging, region: RegionQ = None) -> dict:
    code = read_scope(me, region)
    entries = watch_entries(request.app.state.engine, code)
    rows, after = page_of(entries, page.after or 0, page.limit)
    return {"items": rows, "total": len(entries), "next": after}


@router.put("/monitor/watch-list", response_model=WatchImportOut, tags=TAG, summary="导入重点企业名单")
def put_watch_list(
    request: Request,
    me: Me,
    file: Annotated[UploadFile, File(description="CSV 或 xlsx,含“统一社会信用代码”列")],
    region: RegionQ = None,
) -> dict:
    """文件就是名单的全部:经办人员替换本地区的名单(其他地区的不动),管理员不填地区时替换全部。
    逐行检查信用代码和企业是否在名录(本地区)中;坏行逐条说明,好行照常导入;没有一行可用时原名单不动(422)。"""
    from huiqi.payout.errors import Invalid
    from huiqi.web.routes.monitor_lists import audit

    code = write_scope(me, region)
    content = file.file.read(20 * 1024 * 1024 + 1)
    if len(content) > 20 * 1024 * 1024:
        raise Invalid("名单文件超过20MB", "file")
    lists = Lists.of(request.app)
    count, errors = import_watch(lists.engine, file.filename or "名单.csv", content, code)
    if not count:
        first = f":{errors[0]}" if errors else ""
        raise Invalid(f"名单中没有可用的企业,原名单未改动{first}", "file")
    lists.changed()
    audit(lists.engine, me, "monitor.watch_list", "watch_list", code or "*",
          {"listed": count, "file": file.filename, "errors": len(errors)})  # fmt: skip
    return {"listed": count, "region": code, "errors": errors}


@router.get(
    "/monitor/upgrade", response_model=UpgradeList, tags=TAG, summary="升规纳统培育对象", responses=OFFICERS
)
def upgrade(request: Request, me: Me, page: Paging, period: PeriodQ = None, region: RegionQ = None) -> dict:
    """规下企业近12个月营业收入(不满12个月用上年数)达到规上标准2000万元的70%以上的,越接近越靠前。"""
    code = read_scope(me, region)
    lists = Lists.of(request.app)
    month = lists.month(period)
    if month is None:
        return {"period": None, "region": code, "line_wan": None, "reach": None, "setting": None,
                "items": [], "total": 0, "next": None}  # fmt: skip
    view = lists.upgrade(month, code)
    rows, after = page_of(view.items.to_dicts(), page.after or 0, page.limit)
    return {
        "period": month,
        "region": code,
        "line_wan": view.line_wan,
        "reach": view.reach,
        "setting": view.setting,
        "items": rows,
        "total": view.items.height,
        "next": after,
    }


@router.get("/monitor/upgrade/export", tags=TAG, summary="升规纳统培育对象(Excel)", response_class=Response)
def upgrade_export(request: Request, me: Me, period: PeriodQ = None, region: RegionQ = None) -> Response:
    code = read_scope(me, region)
    lists = Lists.of(request.app)
    month = lists.month(period)
    rows = [] if month is None else lists.upgrade(month, code).items.to_dicts()
    return workbook(f"升规纳统培育_{month or '无数据'}.xlsx", [("升规纳统培育", UPGRADE_HEADERS, rows)])


@router.get("/monitor/settings", response_model=SettingList, tags=TAG, summary="监测参数(全部版本)")
def settings(request: Request, me: Me, page: Paging, kind: KindQ = None) -> dict:
    """波动阈值、重点企业与升规参数、亩产效益评价办法:软件自带的默认版本和经办人员新增的版本。
    经办人员看到全部地区的、覆盖本地区的和本地区内的版本。"""
    read_scope(me)
    rows = setting_rows(request.app.state.engine, me, kind)
    chosen, after = page_of(rows, page.after or 0, page.limit)
    return {"items": chosen, "total": len(rows), "next": after}


@router.post(
    "/monitor/settings", response_model=SettingOut, status_code=201, tags=TAG, summary="新增参数版本"
)
def create_setting(body: SettingIn, request: Request, me: Me) -> dict:
    """新增一个版本(从不修改旧版本):经办人员为本地区(或其下辖地区),管理员为任意地区或全部地区;
    只写改动的字段,其余取默认;每次运行都记录所用版本。"""
    lists = Lists.of(request.app)
    row = add_setting(lists.engine, me, body.kind, body.region, body.effective_from, body.params, body.note)
    lists.changed()
    return row


router.include_router(monitor_mu.router)
router.include_router(monitor_tasks.router)
