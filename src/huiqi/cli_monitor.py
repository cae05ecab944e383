"""Commands of 运行监测, 亩产效益 and 督查督办: ``monitor``, ``mu``, ``targets``, ``tasks``."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path

import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from huiqi.cli_common import err, fail, open_engine, print_json
from huiqi.db.engine import data_dir
from huiqi.errors import HuiqiError


class Format(StrEnum):
    table = "table"
    json = "json"
    xlsx = "xlsx"


class View(StrEnum):
    alerts = "alerts"
    watch = "watch"
    upgrade = "upgrade"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1%}"


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _district(code: str) -> str:
    from huiqi.registry.codes import region_name

    try:
        return region_name(code)
    except KeyError:
        return code


_COMPARATOR_ZH = {">=": "≥", "<=": "≤", "~": "约", "=": ""}


def _export_path(out: Path | None, name: str) -> Path:
    return out or data_dir() / "exports" / name


# --- huiqi monitor ---------------------------------------------------------------------------


def monitor(
    period: str | None = typer.Option(None, "--period", help="月份 YYYY-MM,默认指标表中最新的月份。"),
    region: str | None = typer.Option(
        None, "--region", help="只看该地区:行政区划代码或地名(370700、潍坊市)。"
    ),
    view: View = typer.Option(
        View.alerts, "--view", help="alerts:波动企业清单;watch:百户重点企业;upgrade:升规纳统培育对象。"
    ),
    output_format: Format = typer.Option(Format.table, "--format", "-f", help="table / json / xlsx。"),
    out: Path | None = typer.Option(None, "--out", help="xlsx 的保存路径(默认 数据目录/exports/)。"),
    top: int | None = typer.Option(
        None, "--top", min=1, help="重点企业数量(未导入名单时按上年营业收入取前 N 家)。"
    ),
    watch_file: Path | None = typer.Option(
        None, "--watch-file", help="导入百户重点企业名单(CSV 或 xlsx,含“统一社会信用代码”列),替换原名单。"
    ),
) -> None:
    """运行监测:波动企业清单(下滑、异常增长、持续下滑、未报送)、百户重点企业、升规纳统培育对象。

    例:huiqi monitor --period 2025-12 --region 潍坊市    huiqi monitor --view watch --format xlsx
    """
    from huiqi.monitor import periods as months
    from huiqi.monitor.store import latest_month, resolve_region

    engine = open_engine()
    try:
        if watch_file is not None:
            _import_watch(engine, watch_file)
            return
        code = resolve_region(region)
        month = months.parse(period) if period else latest_month(engine)
        if month is None:
            raise fail("指标表中没有月度数据:请先用 huiqi import metrics 导入月度指标,或运行 huiqi demo")
        if view is View.alerts:
            _alerts(engine, month, code, output_format, out)
        elif view is View.watch:
            _watch(engine, month, code, output_format, out, top)
        else:
            _upgrade(engine, month, code, output_format, out)
    except HuiqiError as exc:
        raise fail(str(exc)) from exc
    finally:
        engine.dispose()


def _import_watch(engine, path: Path) -> None:
    from huiqi.monitor.store import import_watch_list

    count, errors = import_watch_list(engine, path)
    for line in errors:
        err.print(f"[bold red]错误[/]: {path.name} {line}", highlight=False, soft_wrap=True)
    if count:
        Console().print(f"百户重点企业名单已更新:{count} 家(来自 {path.name})", highlight=False)
    else:
        err.print("名单中没有可用的企业,原名单未改动", highlight=False)
    if errors or not count:
        raise typer.Exit(code=1)


def _alerts(engine, month: str, code: str | None, output_format: Format, out: Path | None) -> None:
    from huiqi.monitor.alerts import fluctuations, needed_periods, watched_indicators
    from huiqi.monitor.export import write_workbook
    from huiqi.monitor.settings import all_settings
    from huiqi.monitor.store import load_enterprises, load_metrics, record_run

    settings = all_settings(engine, "alerts")
    firms = load_enterprises(engine, code)
    monthly = load_metrics(engine, needed_periods(month, settings), watched_indicators(settings), code)
    items = fluctuations(monthly, firms, month, settings)
    used_labels = set(items["setting"].unique().to_list())
    used = [s for s in settings if s.label() in used_labels] or settings[:1]
    run_id = record_run(engine, "alerts", month, code, used, items.height)
    if output_format is Format.json:
        print_json(
            {
                "run_id": run_id,
                "period": month,
                "region": code,
                "settings": [s.summary() for s in used],
                "items": items.to_dicts(),
            }
        )
        return
    headers = [
        ("uscc", "统一社会信用代码"),
        ("name", "企业名称"),
        ("district", "区县"),
        ("indicator", "指标"),
        ("period", "月份"),
        ("value", "本月"),
        ("previous", "去年同月"),
        ("change", "同比"),
        ("unit", "单位"),
        ("rule", "类型"),
        ("reason", "原因"),
        ("setting", "阈值版本"),
    ]
    rows = items.with_columns(
        district=pl.col("region_code").map_elements(_district, return_dtype=pl.String)
    ).to_dicts()
    if output_format is Format.xlsx:
        path = write_workbook(
            _export_path(out, f"波动企业清单_{month}.xlsx"), [("波动企业清单", headers, rows)]
        )
        Console().print(f"Excel 已导出:{path}")
        return
    console = Console()
    count = items["uscc"].n_unique()
    console.print(
        f"{month} 波动企业 {count} 家({items.height} 条);阈值:{'、'.join(s.label() for s in used)}",
        highlight=False,
    )
    by_rule = items.group_by("rule").len()
    console.print("  " + ",".join(f"{r} {n} 条" for r, n in sorted(by_rule.iter_rows())), highlight=False)
    table = Table(title=f"波动企业清单 {month}")
    for header in ("企业", "区县", "指标", "本月", "去年同月", "同比", "类型", "原因"):
        table.add_column(header, overflow="fold")
    for r in rows:
        table.add_row(
            r["name"], r["district"], r["indicator"], _num(r["value"]), _num(r["previous"]),
            _pct(r["change"]), r["rule"], r["reason"],
        )  # fmt: skip
    console.print(table)


def _watch(
    engine, month: str, code: str | None, output_format: Format, out: Path | None, top: int | None
) -> None:
    from huiqi.monitor import periods as months
    from huiqi.monitor.export import write_workbook
    from huiqi.monitor.store import load_watch

    data = load_watch(engine, month, code, top)
    setting, indicator, source = data.setting, data.indicator, data.source
    series, summary = data.series, data.summary
    districts = data.districts.with_columns(
        district=pl.col("region_code").map_elements(_district, return_dtype=pl.String)
    )
    label = setting.label()
    if output_format is Format.json:
        per_firm = series.group_by("uscc").agg(
            months=pl.struct("period", "value", "previous", pl.col("change").round(4))
        )
        items = summary.join(per_firm, on="uscc", how="left").with_columns(
            pl.col("change", "ytd_change").round(4), indicator=pl.lit(indicator), period=pl.lit(month)
        )
        print_json(
            {
                "period": month,
                "region": code,
                "source": source,
                "setting": setting.summary(),
                "items": items.to_dicts(),
                "districts": districts.with_columns(pl.col("change").round(4)).to_dicts(),
            }
        )
        return
    recent = months.months_back(month, 12)[::-1]
    if output_format is Format.xlsx:
        wide = series.pivot("period", index="uscc", values="value")
        rows = summary.join(wide, on="uscc", how="left").with_columns(
            district=pl.col("region_code").map_elements(_district, return_dtype=pl.String)
        )
        headers = [("uscc", "统一社会信用代码"), ("name", "企业名称"), ("district", "区县")]
        headers += [(p, p) for p in recent]
        headers += [
            ("change", "本月同比"),
            ("ytd", "本年累计"),
            ("ytd_change", "累计同比"),
            ("trend", "走势"),
        ]
        dist_headers = [
            ("district", "区县"), ("period", "月份"), ("enterprises", "企业数"),
            ("value", "合计"), ("previous", "去年同月"), ("change", "同比"),
        ]  # fmt: skip
        path = write_workbook(
            _export_path(out, f"百户重点企业_{month}.xlsx"),
            [("重点企业", headers, rows.to_dicts()), ("区县合计", dist_headers, districts.to_dicts())],
        )
        Console().print(f"Excel 已导出:{path}")
        return
    console = Console()
    console.print(f"百户重点企业({source},{indicator},{label})", highlight=False)
    table = Table(title=f"{month} 重点企业{indicator}")
    for header in ("企业", "区县", "本月", "同比", "本年累计", "累计同比", f"近12个月走势({recent[0]}起)"):
        table.add_column(header, overflow="fold")
    for r in summary.iter_rows(named=True):
        table.add_row(
            r["name"], _district(r["region_code"]), _num(r["value"]), _pct(r["change"]),
            _num(r["ytd"]), _pct(r["ytd_change"]), r["trend"],
        )  # fmt: skip
    console.print(table)
    latest = districts.filter(pl.col("period") == month)
    dist = Table(title=f"{month} 区县合计")
    for header in ("区县", "企业数", "合计", "去年同月", "同比"):
        dist.add_column(header)
    for r in latest.iter_rows(named=True):
        dist.add_row(
            r["district"], str(r["enterprises"]), _num(r["value"]), _num(r["previous"]), _pct(r["change"])
        )
    console.print(dist)


def _upgrade(engine, month: str, code: str | None, output_format: Format, out: Path | None) -> None:
    from huiqi.monitor import periods as months
    from huiqi.monitor.export import write_workbook
    from huiqi.monitor.settings import all_settings, applicable
    from huiqi.monitor.store import load_enterprises, load_metrics
    from huiqi.monitor.watch import upgrade_candidates

    setting = applicable(
        all_settings(engine, "watch"), code or "", dt.date(int(month[:4]), int(month[5:]), 1)
    )
    assert setting is not None
    line, reach = float(setting.params["scale_line_wan"]), float(setting.params["reach"])
    firms = load_enterprises(engine, code)
    wanted = [*months.months_back(month, 12), str(int(month[:4]) - 1)]
    metrics = load_metrics(engine, wanted, ["营业收入"], code)
    items = upgrade_candidates(metrics, firms, month, line, reach).with_columns(
        district=pl.col("region_code").map_elements(_district, return_dtype=pl.String)
    )
    if output_format is Format.json:
        print_json({"period": month, "region": code, "setting": setting.summary(), "items": items.to_dicts()})
        return
    headers = [
        ("uscc", "统一社会信用代码"), ("name", "企业名称"), ("district", "区县"), ("revenue_wan", "营业收入(万元)"),
        ("basis", "口径"), ("gap_wan", "距规上标准(万元)"), ("share", "达到比例"),
    ]  # fmt: skip
    if output_format is Format.xlsx:
        path = write_workbook(
            _export_path(out, f"升规纳统培育_{month}.xlsx"), [("升规纳统培育", headers, items.to_dicts())]
        )
        Console().print(f"Excel 已导出:{path}")
        return
    console = Console()
    console.print(
        f"升规纳统培育对象 {items.height} 家:规下企业营业收入达到规上标准{line:,.0f}万元的{reach:.0%}以上({setting.label()})",
        highlight=False,
    )
    table = Table(title=f"{month} 升规纳统培育对象")
    for _, header in headers[1:]:
        table.add_column(header, overflow="fold")
    for r in items.iter_rows(named=True):
        gap = "已达标准" if r["gap_wan"] <= 0 else _num(r["gap_wan"])
        table.add_row(r["name"], r["district"], _num(r["revenue_wan"]), r["basis"], gap, f"{r['share']:.1%}")
    console.print(table)


# --- huiqi mu --------------------------------------------------------------------------------


def mu(
    year: int | None = typer.Option(None, "--year", help="评价年度,默认指标表中最新的年度。"),
    region: str | None = typer.Option(None, "--region", help="只评价该地区:行政区划代码或地名。"),
    output_format: Format = typer.Option(Format.table, "--format", "-f", help="table / json / xlsx。"),
    out: Path | None = typer.Option(None, "--out", help="xlsx 的保存路径(默认 数据目录/exports/)。"),
) -> None:
    """亩产效益评价:有用地的企业按亩均税收等指标打分,分 A/B/C/D 类,缺数据的企业单独列出。

    例:huiqi mu --year 2025 --region 潍坊市    huiqi mu --year 2025 --format xlsx
    """
    from huiqi.monitor.export import write_workbook
    from huiqi.monitor.mu import measures_for
    from huiqi.monitor.store import latest_year, resolve_region, save_mu, score_region

    engine = open_engine()
    try:
        code = resolve_region(region)
        year = year or latest_year(engine)
        if year is None:
            raise fail("指标表中没有年度数据:请先用 huiqi import metrics 导入年度指标,或运行 huiqi demo")
        result = score_region(engine, year, code)
        if result.scored.is_empty() and result.missing.is_empty():
            raise fail(f"{year}年没有企业填报用地面积,无法开展亩产效益评价")
        run_id = save_mu(engine, year, code, result.settings, result.scored)
    except HuiqiError as exc:
        raise fail(str(exc)) from exc
    finally:
        engine.dispose()
    scheme_of = {s.label(): s for s in result.settings}
    scored = result.scored.with_columns(
        district=pl.col("region_code").map_elements(_district, return_dtype=pl.String)
    )
    if output_format is Format.json:
        items = []
        for row in scored.to_dicts():
            row["measures"] = measures_for(scheme_of[row["setting"]], row["grade"])
            items.append(row)
        print_json(
            {
                "run_id": run_id,
                "year": year,
                "region": code,
                "settings": [s.summary() for s in result.settings],
                "items": items,
                "missing": result.missing.to_dicts(),
            }
        )
        return
    names = [i["name"] for s in result.settings for i in s.params["indicators"]]
    names = list(dict.fromkeys(names))
    if output_format is Format.xlsx:
        rows = []
        for row in scored.to_dicts():
            for item in row.pop("indicators"):
                row[f"{item['name']}_值"] = item["value"]
                row[f"{item['name']}_得分"] = item["points"]
            rows.append(row)
        headers = [("rank", "名次"), ("uscc", "统一社会信用代码"), ("name", "企业名称"), ("district", "区县")]
        headers += [("score", "得分"), ("grade", "等级")]
        for name in names:
            headers += [(f"{name}_值", f"{name}"), (f"{name}_得分", f"{name}得分")]
        headers.append(("setting", "评价办法"))
        missing_headers = [
            ("uscc", "统一社会信用代码"),
            ("name", "企业名称"),
            ("region_code", "行政区划代码"),
            ("missing", "缺少"),
        ]
        path = write_workbook(
            _export_path(out, f"亩产效益评价_{year}.xlsx"),
            [("亩产效益评价", headers, rows), ("缺数据企业", missing_headers, result.missing.to_dicts())],
        )
        Console().print(f"Excel 已导出:{path}")
        return
    console = Console()
    console.print(
        f"{year}年亩产效益评价:参评 {scored.height} 家,缺数据未评价 {result.missing.height} 家;"
        f"评价办法:{'、'.join(scheme_of)}",
        highlight=False,
    )
    counts = dict(scored.group_by("grade").len().iter_rows())
    for scheme in result.settings:
        for grade, share in scheme.params["grades"]:
            measures = "、".join(measures_for(scheme, grade)) or "—"
            console.print(f"  {grade}类 {counts.get(grade, 0)} 家(约{share:.0%}):{measures}", highlight=False)
    table = Table(title=f"{year}年亩产效益评价(前 30 名)")
    for header in ("名次", "企业", "区县", "得分", "等级", *names):
        table.add_column(header, overflow="fold")
    for row in scored.sort("score", descending=True).head(30).iter_rows(named=True):
        points = {i["name"]: f"{i['points']:.1f}" for i in row["indicators"]}
        table.add_row(
            str(row["rank"]), row["name"], row["district"], f"{row['score']:.2f}", row["grade"],
            *(points.get(n, "—") for n in names),
        )  # fmt: skip
    console.print(table)
    if not result.missing.is_empty():
        left = Table(title=f"缺数据未评价 {result.missing.height} 家")
        for header in ("企业", "区县", "缺少"):
            left.add_column(header, overflow="fold")
        for row in result.missing.head(50).iter_rows(named=True):
            left.add_row(row["name"], _district(row["region_code"]), "、".join(row["missing"]))
        console.print(left)


# --- huiqi targets ---------------------------------------------------------------------------


def targets(
    document: str | None = typer.Option(None, "--document", help="只看标题或文件名含该文字的政策文件。"),
    output_format: Format = typer.Option(Format.table, "--format", "-f", help="table / json / xlsx。"),
    out: Path | None = typer.Option(None, "--out", help="xlsx 的保存路径(默认 数据目录/exports/)。"),
    as_of: str | None = typer.Option(None, "--as-of", help="按哪一天统计有效认定(YYYY-MM-DD),默认今天。"),
    bind: str | None = typer.Option(None, "--bind", help="要绑定或填报的目标编号(见列表“编号”列)。"),
    measure: str | None = typer.Option(
        None,
        "--measure",
        help="绑定口径:认定:类型[:省级以上][:新增]、规上企业、上市[+挂牌]、指标:名称[:规上]。",
    ),
    value: float | None = typer.Option(None, "--value", help="人工填报的当前数值(与 --bind 一起用)。"),
    note: str | None = typer.Option(None, "--note", help="填报说明。"),
) -> None:
    """目标进度:政策文件中的每个目标,能由企业名录计算的自动绑定,给出当前值和完成进度;其余列出待绑定。

    例:huiqi targets --document 济南    huiqi targets --bind 3f2a9c1d0b4e --measure 认定:绿色工厂:省级以上
    """
    from huiqi.monitor.export import write_workbook
    from huiqi.monitor.targets import bind_target, target_items

    engine = open_engine()
    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
        if bind:
            bind_target(engine, bind.strip(), measure, value, note)
            Console().print(f"目标 {bind} 已{'绑定口径' if measure else '填报数值'}", highlight=False)
            return
        items = target_items(engine, document, day)
    except ValueError as exc:
        raise fail(f"--as-of {as_of}: 不是有效日期(格式 YYYY-MM-DD)") from exc
    except HuiqiError as exc:
        raise fail(str(exc)) from exc
    finally:
        engine.dispose()
    if not items:
        raise fail("政策库中没有读到目标:请先用 huiqi ingest 入库政策文件")
    if output_format is Format.json:
        print_json({"as_of": day.isoformat(), "items": items})
        return
    headers = [
        ("key", "编号"), ("document", "政策文件"), ("indicator", "目标"), ("comparator", "比较"), ("value", "目标值"),
        ("unit", "单位"), ("by", "年份"), ("measure", "统计口径"), ("current", "当前值"), ("basis", "口径说明"),
        ("progress", "进度"), ("source", "来源"), ("text", "原文"),
    ]  # fmt: skip
    if output_format is Format.xlsx:
        path = write_workbook(
            _export_path(out, f"目标进度_{day.isoformat()}.xlsx"), [("目标进度", headers, items)]
        )
        Console().print(f"Excel 已导出:{path}")
        return
    console = Console()
    bound = [i for i in items if i["measure"]]
    console.print(
        f"目标 {len(items)} 个:已绑定 {len(bound)} 个,待绑定或人工填报 {len(items) - len(bound)} 个",
        highlight=False,
    )
    table = Table(title="目标进度(已绑定)")
    for header in ("编号", "政策文件", "目标", "目标值", "统计口径", "当前值", "进度"):
        table.add_column(header, overflow="fold")
    for i in bound:
        goal = f"{_COMPARATOR_ZH.get(i['comparator'], '')}{i['value']:g}{i['unit'] or ''}"
        current = "—" if i["current"] is None else f"{i['current']:,.2f}({i['basis']})"
        table.add_row(
            i["key"], i["document"][:16], i["indicator"], f"{goal}({i['by'] or '每年'})", i["measure"],
            current, "—" if i["progress"] is None else f"{i['progress']:.1%}",
        )  # fmt: skip
    console.print(table)
    left = Table(title="待绑定或人工填报的目标")
    for header in ("编号", "政策文件", "目标", "目标值"):
        left.add_column(header, overflow="fold")
    for i in items:
        if not i["measure"]:
            left.add_row(
                i["key"],
                i["document"][:16],
                i["indicator"],
                f"{i['value']:g}{i['unit'] or ''}({i['by'] or '每年'})",
            )
    console.print(left)


# --- huiqi tasks -----------------------------------------------------------------------------


def tasks(
    document: str | None = typer.Option(None, "--document", help="只看标题或文件名含该文字的政策文件。"),
    unit: str | None = typer.Option(None, "--unit", help="只看该责任单位(名称中的一段即可)。"),
    output_format: Format = typer.Option(Format.table, "--format", "-f", help="table / json / xlsx。"),
    out: Path | None = typer.Option(None, "--out", help="xlsx 的保存路径(默认 数据目录/exports/)。"),
    update: str | None = typer.Option(
        None, "--update", help="更新该任务编号的进展(需同时给 --document、--unit、--status)。"
    ),
    status: str | None = typer.Option(None, "--status", help="未启动 / 推进中 / 已完成 / 滞后。"),
    note: str | None = typer.Option(None, "--note", help="进展说明。"),
    deadline: str | None = typer.Option(None, "--deadline", help="设定完成时限(YYYY-MM-DD)。"),
) -> None:
    """督查督办:每条措施的责任单位、进展状态、说明、时限和逾期提示,按单位汇总。

    例:huiqi tasks --document 济南 --unit 市工业和信息化局
        huiqi tasks --document 济南 --update 1 --unit 市工业和信息化局 --status 推进中 --note 已完成方案
    """
    from huiqi.monitor.export import write_workbook
    from huiqi.monitor.tasks import by_unit, ledger, update_task

    engine = open_engine()
    try:
        if update:
            if not (document and unit and status):
                raise fail("更新进展需同时给出 --document、--unit 和 --status")
            try:
                limit = dt.date.fromisoformat(deadline) if deadline else None
            except ValueError:
                raise fail(f"--deadline {deadline}: 不是有效日期(格式 YYYY-MM-DD)") from None
            done = update_task(engine, document, update.strip(), unit, status, note, limit)
            Console().print(
                f"已更新:任务 {done['task_id']} {done['unit']} → {done['status']}", highlight=False
            )
            return
        frame = ledger(engine, document, unit)
    except HuiqiError as exc:
        raise fail(str(exc)) from exc
    finally:
        engine.dispose()
    if frame.is_empty():
        raise fail("没有找到措施:请先用 huiqi ingest 入库政策文件,或检查 --document / --unit")
    report = by_unit(frame)
    if output_format is Format.json:
        print_json({"items": frame.to_dicts(), "by_unit": report.to_dicts()})
        return
    headers = [
        ("title", "政策文件"), ("task_id", "任务"), ("task", "措施"), ("unit", "责任单位"), ("status", "状态"),
        ("note", "说明"), ("updated_on", "更新日期"), ("deadline", "时限"), ("overdue_text", "逾期"),
    ]  # fmt: skip
    rows = frame.with_columns(overdue_text=pl.when("overdue").then(pl.lit("逾期")).otherwise(pl.lit("")))
    unit_headers = [
        ("unit", "责任单位"),
        ("tasks", "任务数"),
        *((s, s) for s in ("未启动", "推进中", "已完成", "滞后")),
    ]
    unit_headers.append(("overdue", "逾期"))
    if output_format is Format.xlsx:
        path = write_workbook(
            _export_path(out, f"督查督办_{dt.date.today().isoformat()}.xlsx"),
            [("任务台账", headers, rows.to_dicts()), ("按单位汇总", unit_headers, report.to_dicts())],
        )
        Console().print(f"Excel 已导出:{path}")
        return
    console = Console()
    table = Table(title=f"任务台账 {frame.height} 条")
    for _, header in headers[1:]:
        table.add_column(header, overflow="fold")
    for r in rows.iter_rows(named=True):
        table.add_row(
            r["task_id"], r["task"], r["unit"], r["status"], r["note"] or "", str(r["updated_on"] or ""),
            str(r["deadline"] or ""), r["overdue_text"],
        )  # fmt: skip
    console.print(table)
    summary = Table(title="按责任单位汇总")
    for _, header in unit_headers:
        summary.add_column(header)
    for r in report.iter_rows(named=True):
        summary.add_row(*(str(r[k]) for k, _ in unit_headers))
    console.print(summary)


def register(app: typer.Typer) -> None:
    """Attach these commands to the main app."""
    app.command()(monitor)
    app.command()(mu)
    app.command()(targets)
    app.command()(tasks)
