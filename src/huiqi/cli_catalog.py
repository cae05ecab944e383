"""Commands of the product platform (工业产品信息平台): ``search``, ``supply`` and ``catalog``."""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from huiqi.db.engine import data_dir, database_url, make_engine
from huiqi.db.migrate import upgrade
from huiqi.errors import HuiqiError

err = Console(stderr=True)
supply_app = typer.Typer(help="供需对接:需求找产品、产品找需求,导出对接清单。", no_args_is_help=True)
catalog_app = typer.Typer(
    help="产品目录:优势工业产品目录、政府首购创新产品目录的版次、遴选、发布和退出。", no_args_is_help=True
)


class Kind(StrEnum):
    product = "product"
    enterprise = "enterprise"


class Format(StrEnum):
    table = "table"
    json = "json"


class ExportFormat(StrEnum):
    table = "table"
    json = "json"
    xlsx = "xlsx"
    csv = "csv"


class ShowFormat(StrEnum):
    table = "table"
    json = "json"
    xlsx = "xlsx"


def _engine():
    url = database_url()
    upgrade(url)
    return make_engine(url)


def _json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")


def _date(text: str | None, option: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise HuiqiError(f"{option} {text}: 不是有效日期(格式 YYYY-MM-DD)") from None


def _place(code: str) -> str:
    from huiqi.registry.codes import region_name

    try:
        return region_name(code)
    except KeyError:
        return code


def _export(out: Path | None, name: str) -> Path:
    return out or data_dir() / "exports" / name


# --- huiqi search ------------------------------------------------------------------------------


def search(
    query: str = typer.Argument("", help="检索词,如“数控机床”“盾构机 刀盘”;可留空只按条件筛选。"),
    kind: Kind = typer.Option(Kind.product, "--kind", help="product:检索产品;enterprise:检索企业。"),
    region: str | None = typer.Option(None, "--region", help="地区:行政区划代码或地名(济南、370112)。"),
    industry: str | None = typer.Option(
        None, "--industry", help="行业:门类字母、行业代码(C34、3421)或大类名称。"
    ),
    certification: str | None = typer.Option(
        None,
        "--certification",
        help="资质:首台(套)、优势工业产品目录、专精特新小巨人等(产品本身或其生产企业具有)。",
    ),
    limit: int = typer.Option(20, "--limit", min=1, max=500, help="每页条数(最多500)。"),
    offset: int = typer.Option(0, "--offset", min=0, help="从第几条开始(翻页)。"),
    output_format: Format = typer.Option(Format.table, "--format", "-f", help="table 或 json。"),
    reindex: bool = typer.Option(False, "--reindex", help="先重建整个检索索引。"),
) -> None:
    """智能检索:按中文分词、同义词(数控机床/加工中心/CNC)检索产品或企业,按相关度排序,可按地区、行业、资质筛选。

    例:huiqi search 加工中心 --region 济南    huiqi search 盾构机 --kind enterprise    huiqi search --certification 首台套
    """
    from huiqi.catalog.index import refresh
    from huiqi.catalog.search import search as run

    engine = _engine()
    try:
        if reindex:
            with err.status("重建检索索引…"):
                done = refresh(engine, full=True)
            err.print(f"检索索引已重建:{done.written:,} 条", highlight=False)
        with err.status("检索中(导入后首次检索需更新检索索引)…"):
            result = run(engine, query, kind.value, region, industry, certification, limit, offset)
    finally:
        engine.dispose()
    if output_format is Format.json:
        _json(result.to_dict())
        return
    console = Console()
    what = "产品" if kind is Kind.product else "企业"
    note = ";没有同时含全部检索词的结果,以下为部分匹配" if result.relaxed else ""
    if result.windowed:
        note += f";匹配条目较多,在索引前{_window()}条中排序"
    asked = f"检索“{escape(query)}”" if query.strip() else "筛选"
    title = f"{what}{asked}:共 {result.total:,} 条{note}"
    if not result.items:
        console.print(
            title.replace("共 0 条", "没有找到")
            if result.words or not query
            else f"“{escape(query)}”都是常用词,请换个说法"
        )
        return
    table = Table(title=title, title_justify="left")
    headers = (
        ["序号", "产品编号", "产品", "生产企业", "类别"]
        if kind is Kind.product
        else ["序号", "企业", "统一社会信用代码"]
    )
    for header in [*headers, "所在地", "资质", "相关度"]:
        table.add_column(header, overflow="fold")
    for number, hit in enumerate(result.items, start=offset + 1):
        first = (
            [hit.ref, hit.title, hit.maker or "", hit.category or ""]
            if kind is Kind.product
            else [hit.title, hit.uscc]
        )
        cells = [
            str(number),
            *first,
            _place(hit.region_code),
            "、".join(hit.certifications),
            f"{hit.score:.3f}",
        ]
        table.add_row(*(escape(c) for c in cells))
    console.print(table)


def _window() -> int:
    from huiqi.catalog.vocab import settings

    return int(settings().search.get("rank_window", 2000))


# --- huiqi supply --------------------------------------------------------------------------------


def supply_match(
    demand: str | None = typer.Option(
        None, "--demand", help="只对接这一个需求(需求编号,重号时用列表中的编号)。"
    ),
    output_format: ExportFormat = typer.Option(
        ExportFormat.table, "--format", "-f", help="table / json / xlsx / csv。"
    ),
    out: Path | None = typer.Option(None, "--out", help="xlsx / csv 的保存路径(默认 数据目录/exports/)。"),
    top: int = typer.Option(10, "--top", min=1, max=500, help="每个需求列出的产品数。"),
    as_of: str | None = typer.Option(None, "--as-of", help="以哪天判断需求是否截止(YYYY-MM-DD),默认今天。"),
) -> None:
    """供需对接:为每个未截止的需求找出本地产品,按匹配度排序并说明理由(同等条件下本地、入选目录的优先)。

    例:huiqi supply match    huiqi supply match --demand XQ2026-00001 --format xlsx    huiqi supply match --format json
    """
    from huiqi.catalog.export import write_demand_xlsx, write_matches_csv, write_matches_xlsx
    from huiqi.catalog.matching import match_all, match_demand, records

    day = _date(as_of, "--as-of")
    engine = _engine()
    try:
        if demand:
            results = [match_demand(engine, demand, top)]
        else:
            from huiqi.report import progress_bar

            with progress_bar(err) as progress:
                task = progress.add_task("供需对接", total=None)
                results = match_all(
                    engine,
                    top,
                    day,
                    step=lambda done, total: progress.update(task, completed=done, total=total),
                )
    finally:
        engine.dispose()
    if not results:
        raise HuiqiError("没有未截止的需求:请先用 huiqi import demands 导入需求,或运行 huiqi demo")
    if output_format is ExportFormat.json:
        _json(records(results))
        return
    console = Console()
    stamp = dt.date.today().isoformat()
    if output_format is ExportFormat.xlsx:
        if demand:
            path = write_demand_xlsx(results[0], _export(out, f"对接清单_{results[0].demand.demand_id}.xlsx"))
        else:
            path = write_matches_xlsx(results, _export(out, f"对接清单_{stamp}.xlsx"))
        console.print(f"Excel 已导出:{escape(str(path))}", highlight=False)
        return
    if output_format is ExportFormat.csv:
        path = write_matches_csv(results, _export(out, f"对接清单_{stamp}.csv"))
        console.print(f"CSV 已导出:{escape(str(path))}", highlight=False)
        return
    for result in results:
        d = result.demand
        title = f"需求 {d.demand_id} {d.title}({d.buyer},{_place(d.region_code)})"
        if not result.matches:
            console.print(escape(title) + ":没有可对接的本地产品", highlight=False)
            continue
        table = Table(title=escape(title), title_justify="left")
        for header in ("排名", "产品", "生产企业", "所在地", "得分", "理由"):
            table.add_column(header, overflow="fold")
        for m in result.matches:
            table.add_row(
                str(m.rank),
                escape(m.product),
                escape(m.maker),
                _place(m.region_code),
                f"{m.score:.1f}",
                escape(m.reason),
            )
        console.print(table)


def supply_product(
    product_id: int = typer.Argument(..., help="产品编号(检索结果中的编号)。"),
    output_format: Format = typer.Option(Format.table, "--format", "-f", help="table 或 json。"),
    top: int = typer.Option(20, "--top", min=1, max=500, help="列出的需求数。"),
) -> None:
    """产品找需求:列出这个产品可以满足的未截止需求,按匹配度排序。

    例:huiqi supply product 128
    """
    from huiqi.catalog.matching import demands_for_product

    engine = _engine()
    try:
        found = demands_for_product(engine, product_id, top)
    finally:
        engine.dispose()
    if output_format is Format.json:
        _json([m.to_dict() for m in found])
        return
    if not found:
        Console().print(f"产品{product_id}暂无可对接的未截止需求")
        return
    table = Table(title=f"产品“{escape(found[0].product)}”可对接的需求 {len(found)} 条", title_justify="left")
    for header in ("排名", "需求编号", "需求", "得分", "理由"):
        table.add_column(header, overflow="fold")
    for m in found:
        table.add_row(
            str(m.rank), escape(m.demand_id), escape(m.demand_title), f"{m.score:.1f}", escape(m.reason)
        )
    Console().print(table)


def supply_demands(
    include_closed: bool = typer.Option(False, "--all", help="也列出已截止的需求。"),
    output_format: Format = typer.Option(Format.table, "--format", "-f", help="table 或 json。"),
) -> None:
    """列出需求(默认只列未截止的)。

    例:huiqi supply demands    huiqi supply demands --all --format json
    """
    from sqlalchemy import select

    from huiqi.catalog.matching import open_demands
    from huiqi.db.models import Demand

    engine = _engine()
    try:
        with engine.connect() as conn:
            rows = (
                conn.execute(
                    select(Demand).where(Demand.withdrawn_run_id.is_(None)).order_by(Demand.demand_id)
                ).all()
                if include_closed
                else open_demands(conn)
            )
    finally:
        engine.dispose()
    items = [
        {
            "id": r.id,
            "demand_id": r.demand_id,
            "buyer": r.buyer,
            "title": r.title,
            "region_code": r.region_code,
            "deadline": r.deadline,
        }
        for r in rows
    ]
    if output_format is Format.json:
        _json(items)
        return
    table = Table(title=f"需求 {len(items)} 条", title_justify="left")
    for header in ("编号", "需求编号", "需求方", "需求名称", "地区", "截止日期"):
        table.add_column(header, overflow="fold")
    for i in items:
        table.add_row(
            str(i["id"]), escape(i["demand_id"]), escape(i["buyer"]), escape(i["title"]), _place(i["region_code"]),
            str(i["deadline"] or "长期"),
        )  # fmt: skip
    Console().print(table)


supply_app.command("match")(supply_match)
supply_app.command("product")(supply_product)
supply_app.command("demands")(supply_demands)


# --- huiqi catalog -------------------------------------------------------------------------------


def catalog_list(
    output_format: Format = typer.Option(Format.table, "--format", "-f", help="table 或 json。"),
) -> None:
    """列出目录版次及其状态、入选产品数。

    例:huiqi catalog list
    """
    from huiqi.catalog.editions import list_editions

    engine = _engine()
    try:
        editions = list_editions(engine)
    finally:
        engine.dispose()
    if output_format is Format.json:
        _json([e.to_dict() for e in editions])
        return
    if not editions:
        Console().print("还没有目录版次:用 huiqi catalog create 新建")
        return
    table = Table(title="目录版次", title_justify="left")
    for header in ("编号", "目录", "状态", "发布日期", "有效期", "入选", "已退出"):
        table.add_column(header, overflow="fold")
    for e in editions:
        valid = f"{e.valid_from or ''}至{e.valid_to or ''}" if e.valid_from or e.valid_to else ""
        table.add_row(
            str(e.id),
            escape(e.title),
            e.status,
            str(e.published_on or ""),
            valid,
            str(e.listed),
            str(e.removed),
        )
    Console().print(table)


def catalog_create(
    catalog: str = typer.Argument(..., help="目录:优势工业产品目录 或 政府首购创新产品目录。"),
    edition: str = typer.Option(..., "--edition", help="版次,如“2025年版”“第一批”。"),
    region: str = typer.Option(..., "--region", help="发布地区:行政区划代码或地名(济南市)。"),
    criteria: str | None = typer.Option(None, "--criteria", help="遴选标准(默认用目录的标准)。"),
    valid_from: str | None = typer.Option(None, "--from", help="有效期起(YYYY-MM-DD,默认发布之日)。"),
    valid_to: str | None = typer.Option(None, "--to", help="有效期止(YYYY-MM-DD,默认按目录年限)。"),
) -> None:
    """新建目录版次(草稿),之后选入产品、发布。

    例:huiqi catalog create 优势工业产品目录 --edition 2025年版 --region 济南市
    """
    from huiqi.catalog.editions import create_edition

    engine = _engine()
    try:
        info = create_edition(
            engine, catalog, edition, region, criteria, _date(valid_from, "--from"), _date(valid_to, "--to")
        )
    finally:
        engine.dispose()
    Console().print(
        f"已新建{escape(info.title)},编号{info.id}(草稿);遴选标准:{escape(info.criteria or '')}",
        highlight=False,
    )


def catalog_propose(
    edition_id: int = typer.Argument(..., help="目录版次编号。"),
    query: str = typer.Argument("", help="检索词(可留空)。"),
    industry: str | None = typer.Option(None, "--industry", help="行业代码或名称。"),
    certification: str | None = typer.Option(None, "--certification", help="资质,如 首台套。"),
    limit: int = typer.Option(50, "--limit", min=1, max=500, help="列出的候选产品数。"),
) -> None:
    """列出发布地区内可选入该版次的候选产品(按检索相关度)。

    例:huiqi catalog propose 1 变压器 --certification 首台套
    """
    from huiqi.catalog.editions import propose

    engine = _engine()
    try:
        result = propose(engine, edition_id, query, limit, industry=industry, certification=certification)
    finally:
        engine.dispose()
    table = Table(title=f"候选产品 {result.total:,} 条(前 {len(result.items)} 条)", title_justify="left")
    for header in ("产品编号", "产品", "生产企业", "所在地", "资质"):
        table.add_column(header, overflow="fold")
    for hit in result.items:
        table.add_row(
            hit.ref,
            escape(hit.title),
            escape(hit.maker or ""),
            _place(hit.region_code),
            escape("、".join(hit.certifications)),
        )
    Console().print(table)


def catalog_add(
    edition_id: int = typer.Argument(..., help="目录版次编号。"),
    product_ids: list[int] = typer.Argument(..., help="产品编号,可以给多个。"),
    note: str | None = typer.Option(None, "--note", help="入选理由或备注。"),
) -> None:
    """把产品选入草稿状态的目录版次(须为发布地区内企业生产的产品)。

    例:huiqi catalog add 1 128 131 --note 技术领先
    """
    from huiqi.catalog.editions import add_products

    engine = _engine()
    try:
        outcome = add_products(engine, edition_id, product_ids, note)
    finally:
        engine.dispose()
    Console().print(f"选入 {len(outcome.added)} 个产品;已在目录中 {len(outcome.already)} 个", highlight=False)
    for product_id, reason in outcome.refused.items():
        err.print(f"[bold red]错误[/]: 产品{product_id}未选入:{escape(reason)}", highlight=False)
    if outcome.refused:
        raise typer.Exit(code=1)


def catalog_remove(
    edition_id: int = typer.Argument(..., help="目录版次编号。"),
    product_id: int = typer.Argument(..., help="产品编号。"),
    reason: str = typer.Option(..., "--reason", help="退出原因(如 抽检不合格,强制退出)。"),
) -> None:
    """产品退出目录(发布后也可以,如出现质量问题、失信行为时强制退出);记录保留日期和原因。

    例:huiqi catalog remove 1 128 --reason "抽检不合格,强制退出"
    """
    from huiqi.catalog.editions import remove_product

    engine = _engine()
    try:
        remove_product(engine, edition_id, product_id, reason)
    finally:
        engine.dispose()
    Console().print(f"产品{product_id}已退出目录版次{edition_id}", highlight=False)


def catalog_publish(
    edition_id: int = typer.Argument(..., help="目录版次编号。"),
    on: str | None = typer.Option(None, "--on", help="发布日期(YYYY-MM-DD,默认今天)。"),
    out: Path | None = typer.Option(None, "--out", help="发布的 Excel 保存路径(默认 数据目录/exports/)。"),
) -> None:
    """发布目录版次,并导出 Excel(说明、入选产品、已退出)。发布后不再增加产品。

    例:huiqi catalog publish 1
    """
    from huiqi.catalog.editions import entries, publish
    from huiqi.catalog.export import write_edition_xlsx

    engine = _engine()
    try:
        info = publish(engine, edition_id, _date(on, "--on"))
        rows = entries(engine, edition_id)
    finally:
        engine.dispose()
    path = write_edition_xlsx(
        info, rows, _export(out, f"{info.catalog}_{info.edition}_{info.region_code}.xlsx")
    )
    Console().print(
        f"已发布{escape(info.title)}:入选 {info.listed} 个产品,有效期 {info.valid_from} 至 {info.valid_to or '长期'};"
        f"Excel:{escape(str(path))}",
        highlight=False,
    )


def catalog_show(
    edition_id: int = typer.Argument(..., help="目录版次编号。"),
    output_format: ShowFormat = typer.Option(
        ShowFormat.table, "--format", "-f", help="table / json / xlsx。"
    ),
    out: Path | None = typer.Option(None, "--out", help="xlsx 的保存路径。"),
) -> None:
    """查看一个目录版次的入选产品和已退出产品。

    例:huiqi catalog show 1 --format xlsx
    """
    from huiqi.catalog.editions import entries, get_edition
    from huiqi.catalog.export import write_edition_xlsx

    engine = _engine()
    try:
        info = get_edition(engine, edition_id)
        rows = entries(engine, edition_id)
    finally:
        engine.dispose()
    if output_format is ShowFormat.json:
        _json({"edition": info.to_dict(), "entries": rows})
        return
    if output_format is ShowFormat.xlsx:
        path = write_edition_xlsx(
            info, rows, _export(out, f"{info.catalog}_{info.edition}_{info.region_code}.xlsx")
        )
        Console().print(f"Excel 已导出:{escape(str(path))}", highlight=False)
        return
    table = Table(title=f"{escape(info.title)}({info.status})", title_justify="left")
    for header in ("产品编号", "产品", "生产企业", "所在地", "入选日期", "退出"):
        table.add_column(header, overflow="fold")
    for r in rows:
        gone = f"{r['removed_on']} {r['removed_reason']}" if r["removed_on"] else ""
        table.add_row(
            str(r["product_id"]),
            escape(r["product"]),
            escape(r["maker"]),
            r["region"],
            str(r["added_on"]),
            escape(gone),
        )
    Console().print(table)


def catalog_facts_command(
    as_of: str | None = typer.Option(None, "--as-of", help="只列该日有效的入选(YYYY-MM-DD)。"),
    output_format: Format = typer.Option(Format.table, "--format", "-f", help="table 或 json。"),
) -> None:
    """入选目录作为认定类事实(供政策匹配使用):企业、目录、级别、起止日期。

    例:huiqi catalog facts --as-of 2026-01-01 --format json
    """
    from huiqi.catalog.editions import catalog_facts

    engine = _engine()
    try:
        facts = catalog_facts(engine, _date(as_of, "--as-of"))
    finally:
        engine.dispose()
    if output_format is Format.json:
        _json(facts.to_dicts())
        return
    table = Table(title=f"入选目录的事实 {facts.height} 条", title_justify="left")
    for header in ("统一社会信用代码", "目录", "级别", "起", "止", "产品"):
        table.add_column(header, overflow="fold")
    for r in facts.iter_rows(named=True):
        table.add_row(
            r["uscc"],
            r["kind"],
            r["level"] or "",
            str(r["granted_on"]),
            str(r["expires_on"] or ""),
            escape(r["product"]),
        )
    Console().print(table)


catalog_app.command("list")(catalog_list)
catalog_app.command("create")(catalog_create)
catalog_app.command("propose")(catalog_propose)
catalog_app.command("add")(catalog_add)
catalog_app.command("remove")(catalog_remove)
catalog_app.command("publish")(catalog_publish)
catalog_app.command("show")(catalog_show)
catalog_app.command("facts")(catalog_facts_command)


def register(app: typer.Typer) -> None:
    """Attach these commands to the main app."""
    app.command("search")(search)
    app.add_typer(supply_app, name="supply")
    app.add_typer(catalog_app, name="catalog")
