"""Commands that work on the database: ingest, import, registry generate, rules, match, demo."""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.engine import Engine

from huiqi.cli_common import err, fail, open_engine, show_progress
from huiqi.db.engine import data_dir, database_url, session_scope
from huiqi.db.locks import writer_lock
from huiqi.errors import HuiqiError
from huiqi.extract.loaders import expand_paths

registry_app = typer.Typer(help="企业名录:生成合成数据,查看和对应词表中没有的类型。", no_args_is_help=True)


class MatchFormat(StrEnum):
    table = "table"
    json = "json"
    xlsx = "xlsx"
    csv = "csv"


class RulesFormat(StrEnum):
    table = "table"
    json = "json"


def ingest_paths(paths: list[Path], console: Console, version_of: int | None = None) -> int:
    """Store each document with its extraction; returns the number of files that failed."""
    from huiqi.library import STATUS_ZH, read_document, store_document

    missing = [p for p in paths if not p.exists()]
    for path in missing:
        err.print(
            f"[bold red]错误[/]: {escape(str(path))}: 文件或文件夹不存在", highlight=False, soft_wrap=True
        )
    files = expand_paths([p for p in paths if p.exists()])
    if not files and missing:
        raise typer.Exit(code=1)
    if not files:
        raise fail("没有找到可读取的政策文件(支持 .txt .html .docx .pdf)")
    if version_of is not None and len(files) != 1:
        raise fail("--version-of 只能用于一个文件")
    engine = open_engine()
    failed = len(missing)
    try:
        with show_progress() as progress:
            task = progress.add_task("入库政策文件", total=len(files))
            for path in files:
                progress.update(task, description=f"入库 {escape(path.name)}")
                try:
                    read = read_document(path)  # reading needs no lock; storing does
                    with writer_lock(engine), session_scope(engine) as session:
                        result = store_document(session, read, version_of)
                except HuiqiError as exc:
                    failed += 1
                    err.print(f"[bold red]错误[/]: {escape(str(exc))}", highlight=False, soft_wrap=True)
                else:
                    console.print(
                        f"{STATUS_ZH[result.status]} 编号{result.document_id} 第{result.version}版 "
                        f"{escape(path.name)} 《{escape(result.title or '无标题')}》奖补条款 {result.incentives} 条",
                        highlight=False,
                    )
                    if result.note:
                        console.print(f"  注意:{escape(result.note)}", highlight=False)
                progress.advance(task)
    finally:
        engine.dispose()
    return failed


def ingest(
    paths: list[Path] = typer.Argument(..., help="政策文件或文件夹,可以给多个。"),
    version_of: int | None = typer.Option(
        None, "--version-of", help="把这个文件作为政策库中该编号文件的新版本(文号或标题改了时使用)。"
    ),
) -> None:
    """把政策文件及其抽取结果存入政策库。按文号(无文号时按标题和地区)识别同一文件:内容相同不变,
    内容变化存为新版本,重新入库旧内容则恢复该版本为现行版本。

    例:huiqi ingest ../shared/seeds    huiqi ingest 修订稿.docx --version-of 3
    """
    if ingest_paths(paths, Console(), version_of):
        raise typer.Exit(code=1)


def import_(
    kind: str | None = typer.Argument(
        None,
        help="表类型:enterprises/recognitions/events/metrics/products/demands"
        "(或 企业/认定/事项/指标/产品/需求)。",
    ),
    file: Path | None = typer.Argument(None, help="CSV 或 .xlsx 文件。"),
    template: str | None = typer.Option(None, "--template", help="只生成该表的空白模板(含说明页),不导入。"),
    out: Path | None = typer.Option(None, "--out", help="模板或错误报告的保存路径。"),
    replace: bool = typer.Option(
        False, "--replace", help="替换:本文件是该来源的完整名单,来源中已有而本文件没有的记录将被撤回。"
    ),
    delete: bool = typer.Option(
        False, "--delete", help="撤回:文件中列出的记录从名录中撤回(保留历史,不再参与匹配)。"
    ),
    source: str | None = typer.Option(
        None,
        "--source",
        help="来源名称(默认为文件名);每月文件名不同但属同一名单时,用同一来源名配合 --replace。",
    ),
) -> None:
    """导入企业名录数据(企业、认定、事项、指标);逐行校验,好行一次性入库,坏行写入错误报告。

    更正已导入的记录:改正后重新导入即可(按记录编号,或企业+类型+日期识别同一条记录);
    整份名单以新文件为准用 --replace;撤回个别记录用 --delete。

    例:huiqi import enterprises 企业.xlsx    huiqi import 认定 认定2024.xlsx --replace    huiqi import --template 认定
    """
    from huiqi.registry.importer import import_file, template_file

    if template:
        path = template_file(template, out)
        Console().print(f"模板已生成:{escape(str(path))}", highlight=False)
        return
    if not kind or not file:
        raise fail("请给出表类型和文件,例如:huiqi import enterprises 企业.csv;或用 --template 生成模板")
    engine = open_engine()
    try:
        with err.status("导入中…") as status:
            summary = import_file(
                engine,
                kind,
                file,
                out,
                step=lambda text: status.update(f"导入中:{escape(text)}"),
                replace=replace,
                withdraw=delete,
                source=source,
            )
    finally:
        engine.dispose()
    Console().print(escape(summary.describe()), highlight=False)
    if summary.rows_bad:
        raise typer.Exit(code=1)


def kinds(
    output_format: RulesFormat = typer.Option(RulesFormat.table, "--format", "-f", help="table 或 json。"),
) -> None:
    """列出名录中尚未对应到词表的认定、事项类型(相关行已暂存,对应后生效)。

    例:huiqi registry kinds
    """
    from huiqi.registry.importer import KIND_ZH, pending_kinds

    engine = open_engine()
    try:
        waiting = pending_kinds(engine)
    finally:
        engine.dispose()
    if output_format is RulesFormat.json:
        payload = [
            {"table": w.table, "kind": w.raw_kind, "rows": w.rows, "enterprises": w.enterprises}
            for w in waiting
        ]
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return
    if not waiting:
        Console().print("没有待对应的类型:名录中的认定和事项都已对应到词表。")
        return
    table = Table(title=f"待对应的类型 {len(waiting)} 个(用 huiqi registry map-kind 对应)")
    for header in ("表", "名称(按原文)", "行数", "企业数"):
        table.add_column(header)
    for w in waiting:
        table.add_row(KIND_ZH[w.table], escape(w.raw_kind), f"{w.rows:,}", f"{w.enterprises:,}")
    Console().print(table)


def map_kind(
    table: str = typer.Argument(..., help="认定 或 事项(recognitions / events)。"),
    name: str = typer.Argument(..., help="名录中写的名称(见 huiqi registry kinds)。"),
    kind: str = typer.Argument(..., help="词表中的类型名称。"),
    level: str | None = typer.Option(None, "--level", help="该名称本身表示的级别(如 国家级)。"),
) -> None:
    """把名录中的一个类型名称对应到词表中的类型,并导入等待它的暂存行。

    例:huiqi registry map-kind 认定 "国家级制造业单项冠军示范企业(第七批)" 制造业单项冠军 --level 国家级
    """
    from huiqi.registry.importer import map_kind as apply

    engine = open_engine()
    try:
        summary = apply(engine, table, name, kind, level)
    finally:
        engine.dispose()
    Console().print(
        f"已对应:“{escape(name)}” → {escape(kind)};暂存行 {summary.rows_total:,} 行,"
        f"新增 {summary.rows_new:,},更新 {summary.rows_changed:,},仍有误 {summary.rows_bad:,}",
        highlight=False,
    )
    for error in summary.errors:
        err.print(f"  第{error.row}行 {escape(error.column)}:{escape(error.reason)}", highlight=False)


def generate(
    n: int = typer.Option(5000, "--n", min=1, help="企业数量。"),
    city: list[str] = typer.Option(None, "--city", help="城市,可重复:济南市/潍坊市/滨州市/鲤城区;默认全部。"),
    out: Path | None = typer.Option(None, "--out", help="输出目录(默认 数据目录/synthetic)。"),
    seed: int = typer.Option(7, "--seed", help="随机种子(同一种子生成同样的数据)。"),
) -> None:
    """生成合成企业名录(企业、认定、事项、指标四张 CSV),可直接用 huiqi import 导入。

    例:huiqi registry generate --n 2000 --city 济南市
    """
    from huiqi.registry.synthetic import ALL_CITIES, write_csv
    from huiqi.registry.synthetic import generate as make

    folder = out or data_dir() / "synthetic"
    with show_progress() as progress:
        progress.add_task(f"生成 {n:,} 家企业", total=None)
        try:
            population = make(n, cities=city or ALL_CITIES, seed=seed)
        except ValueError as exc:
            raise fail(str(exc)) from exc
        paths = write_csv(population, folder)
    from huiqi.registry.importer import KIND_ZH

    for name, path in paths.items():
        rows = getattr(population, name).height
        Console().print(f"{KIND_ZH[name]}表 {rows:,} 行 → {escape(str(path))}", highlight=False)


registry_app.command("generate")(generate)
registry_app.command("kinds")(kinds)
registry_app.command("map-kind")(map_kind)


def rules(
    output_format: RulesFormat = typer.Option(RulesFormat.table, "--format", "-f", help="table 或 json。"),
) -> None:
    """列出政策库中可执行的规则,以及无法自动执行、需要人工处理的奖补条款和原因。

    例:huiqi rules
    """
    from huiqi.match.service import compile_library

    engine = open_engine()
    compiled, leftovers = compile_library(engine)
    engine.dispose()
    if not compiled and not leftovers:
        raise fail("政策库中还没有奖补条款:请先用 huiqi ingest 入库政策文件")
    if output_format is RulesFormat.json:
        payload = {
            "rules": [
                {
                    "rule_id": r.rule_id,
                    "document": r.document,
                    "subject": r.subject,
                    "fact": r.describe_fact(),
                    "amount": r.describe_amount(),
                    "window": r.window,
                    "mode": r.mode,
                    "open_conditions": r.open_conditions,
                }
                for r in compiled
            ],
            "uncompiled": [
                {"document": u.document, "subject": u.subject, "text": u.text, "reason": u.reason}
                for u in leftovers
            ],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return
    console = Console()
    table = Table(title=f"可执行规则 {len(compiled)} 条")
    for header in ("文件", "触发事实", "金额", "方式", "待核实"):
        table.add_column(header, overflow="fold")
    for r in compiled:
        table.add_row(
            *(escape(t) for t in (r.document[:18], r.describe_fact(), r.describe_amount(), r.mode)),
            escape(r.open_conditions or ""),
        )
    console.print(table)
    left = Table(title=f"需人工处理的奖补条款 {len(leftovers)} 条")
    for header in ("文件", "对象", "原因"):
        left.add_column(header, overflow="fold")
    for u in leftovers:
        left.add_row(escape(u.document[:18]), escape(u.subject), escape(u.reason))
    console.print(left)


def match(
    as_of: str | None = typer.Option(None, "--as-of", help="以哪一天为准(YYYY-MM-DD),默认今天。"),
    year: int | None = typer.Option(None, "--year", help="只看该兑现年度。"),
    output_format: MatchFormat = typer.Option(
        MatchFormat.table, "--format", "-f", help="table / json / xlsx / csv。"
    ),
    out: Path | None = typer.Option(None, "--out", help="xlsx 或 csv 的保存路径(默认 数据目录/exports/)。"),
    enterprise: str | None = typer.Option(None, "--enterprise", help="只解释这一家企业(统一社会信用代码)。"),
    cluster: str | None = typer.Option(
        None,
        "--cluster",
        help="按地区分区在 Dask 集群上匹配:local:N 为本机 N 个工作进程,或调度器地址 tcp://主机:8786。结果与单机相同。",
    ),
    partitions: Path | None = typer.Option(
        None,
        "--partitions",
        help="分区 Parquet 文件目录(集群各节点须能以同一路径读写;默认数据目录下的临时目录)。",
    ),
) -> None:
    """政策找企业:把全部企业与全部有效规则逐一匹配,计算金额、说明理由,并保存结果。

    例:huiqi match --year 2024 --format xlsx    huiqi match --format csv --out 应享清单.csv
    huiqi match --enterprise 91370700MA3XXXXXXX    huiqi match --cluster local:2
    """
    from huiqi.match.report import summarise, write_csv, write_json, write_xlsx
    from huiqi.match.service import run_match

    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError as exc:
        raise fail(f"--as-of {as_of}: 不是有效日期(格式 YYYY-MM-DD,且须是日历上存在的日子)") from exc
    engine = open_engine()
    try:
        if enterprise:
            _explain(engine, enterprise.strip().upper(), day, year, output_format is MatchFormat.json)
            return
        if cluster:
            _check_cluster(cluster)
        with show_progress() as progress:
            progress.add_task(f"按地区分区匹配({cluster})" if cluster else "匹配全部企业与规则", total=None)
            if cluster:
                import shutil
                import tempfile

                folder = partitions
                if folder is None:
                    (data_dir() / "partitions").mkdir(parents=True, exist_ok=True)
                    folder = Path(tempfile.mkdtemp(prefix="run-", dir=data_dir() / "partitions"))
                try:
                    result = run_match(engine, day, year, cluster=cluster, partitions=folder)
                except OSError as exc:
                    raise fail(f"--cluster {cluster}: 无法连接集群或读写分区目录({exc})") from exc
                finally:
                    if partitions is None:
                        shutil.rmtree(folder, ignore_errors=True)
            else:
                result = run_match(engine, day, year)
        if result.enterprises.is_empty():
            raise fail("企业名录为空:请先用 huiqi import 导入企业,或运行 huiqi demo")
        if not result.rules:
            raise fail("政策库中没有可执行的规则:请先用 huiqi ingest 入库政策文件(huiqi rules 查看原因)")
        if output_format is MatchFormat.json:
            write_json(result.entitlements, sys.stdout)
            return
        console = Console()
        if output_format in (MatchFormat.xlsx, MatchFormat.csv):
            suffix = f"_{year}年度" if year else ""
            path = out or data_dir() / "exports" / f"应享清单_{day.isoformat()}{suffix}.{output_format.value}"
            if output_format is MatchFormat.xlsx:
                console.print(
                    f"Excel 已导出:{escape(str(write_xlsx(result.entitlements, path)))}", highlight=False
                )
            else:
                console.print(
                    f"CSV 已导出:{escape(str(write_csv(result.entitlements, path)))}", highlight=False
                )
            return
        summarise(result.entitlements, result.enterprises, console)
        if result.leftovers:
            console.print(f"另有 {len(result.leftovers)} 条奖补条款无法自动执行,见 huiqi rules。")
    finally:
        engine.dispose()


def _check_cluster(address: str) -> None:
    """``local:N`` (N ≥ 1 worker processes on this machine) or a scheduler's ``tcp://``/``tls://`` address."""
    if address.startswith("local:"):
        workers = address.removeprefix("local:")
        if not workers.isdigit() or int(workers) < 1:
            raise fail(f"--cluster {address}: local: 后应为工作进程数,例如 local:2")
    elif not address.startswith(("tcp://", "tls://")):
        raise fail(f"--cluster {address}: 应为 local:N(本机 N 个工作进程)或调度器地址 tcp://主机:端口")


def _explain(engine, uscc: str, day: dt.date, year: int | None, as_json: bool = False) -> None:
    from huiqi.match.reference import facts_by_enterprise
    from huiqi.match.report import explain
    from huiqi.match.service import (
        compile_library,
        indicators_of,
        load_figures,
        load_registry,
        load_tax,
        match_frames,
    )

    me, mine = load_registry(engine, uscc)
    if me.is_empty():
        raise fail(f"{uscc}: 企业名录中没有这家企业")
    rules_, _ = compile_library(engine)
    figures = load_figures(engine, indicators_of(rules_), uscc)
    frame = match_frames(me, mine, rules_, day, year, load_tax(engine, uscc, figures), figures)
    own = facts_by_enterprise(mine)[uscc]
    row = me.row(0, named=True)
    if as_json:
        from huiqi.match.report import nearest_misses, records

        matched = set(frame["rule"].to_list())
        payload = {
            "uscc": uscc,
            "name": row.get("name"),
            "entitlements": records(frame, include_suppressed=True),
            "nearest_misses": nearest_misses(row["region_code"], own, rules_, day, year, matched)[:10],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")
        return
    explain(uscc, row.get("name"), row["region_code"], own, frame, rules_, day, year, Console())


def import_synthetic(engine: Engine, n: int, console: Console) -> None:
    """Generate ``n`` synthetic enterprises (facts from 2020 on) and import every file of them."""
    from huiqi.registry.importer import KINDS, import_file
    from huiqi.registry.synthetic import generate, write_csv

    with show_progress() as progress:
        progress.add_task(f"生成 {n:,} 家企业", total=None)
        # facts from 2020 on: every seed document (the earliest is of 2019-12-11) is in force
        paths = write_csv(generate(n, start_year=2020), data_dir() / "synthetic")
    with show_progress() as progress:
        task = progress.add_task("导入企业名录", total=len(KINDS))
        for kind in KINDS:
            progress.update(task, description=f"导入 {kind}")
            summary = import_file(
                engine, kind, paths[kind], None, step=lambda text: progress.update(task, description=text)
            )
            console.print(summary.describe(), highlight=False)
            progress.advance(task)


def demo(
    seeds: Path = typer.Option(Path("../shared/seeds"), help="种子政策文件所在目录。"),
    n: int = typer.Option(5000, "--n", min=100, help="合成企业数量。"),
    year: int | None = typer.Option(None, "--year", help="只看该兑现年度(默认全部年度)。"),
) -> None:
    """平台主任务:种子政策入库 → 生成合成企业名录并导入 → 政策找企业 → 中文汇总和 Excel 清单。

    例:huiqi demo --seeds ../shared/seeds --n 5000
    """
    from huiqi.match.report import summarise, write_xlsx
    from huiqi.match.service import run_match

    if not seeds.is_dir():
        raise fail(f"{seeds}: 目录不存在(请在仓库根目录运行,并确保 ../shared 在旁边)")
    console = Console()
    console.rule("[bold]1. 政策文件入库")
    ingest_paths([seeds], console)
    console.rule("[bold]2. 合成企业名录")
    engine = open_engine()
    try:
        import_synthetic(engine, n, console)
        console.rule("[bold]3. 政策找企业")
        day = dt.date.today()
        with show_progress() as progress:
            progress.add_task("匹配全部企业与规则", total=None)
            result = run_match(engine, day, year)
        summarise(result.entitlements, result.enterprises, console)
        used = set(result.entitlements["rule"].unique().to_list())
        console.print(
            f"可执行规则 {len(result.rules)} 条,其中 {len(used)} 条在本次匹配中有企业享受;"
            f"无法自动执行的奖补条款 {len(result.leftovers)} 条(见 huiqi rules)。"
        )
        for index, rule in enumerate(result.rules):
            if index not in used:
                console.print(
                    f"  本次无企业享受:《{escape(rule.document)}》{escape(rule.describe_fact())}",
                    highlight=False,
                )
        path = write_xlsx(result.entitlements, data_dir() / "exports" / f"应享清单_{day.isoformat()}.xlsx")
        console.print(f"Excel 清单:{escape(str(path))}", highlight=False)
        console.print(f"数据库:{escape(database_url())}", highlight=False)
    finally:
        engine.dispose()


def register(app: typer.Typer) -> None:
    """Attach these commands to the main app."""
    app.command()(ingest)
    app.command("import")(import_)
    app.add_typer(registry_app, name="registry")
    app.command()(rules)
    app.command()(match)
    app.command()(demo)
