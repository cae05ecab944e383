"""The ``huiqi`` command line: one Typer app for every job the platform does."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from huiqi.errors import HuiqiError
from huiqi.extract.loaders import expand_paths
from huiqi.extract.model import PolicyDoc
from huiqi.extract.pipeline import extract_file
from huiqi.report import progress_bar, render_policy

app = typer.Typer(
    name="huiqi",
    help="惠企:把产业政策文件读成结构化数据,让奖补资金找到该拿的企业。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
err = Console(stderr=True)


class OutputFormat(StrEnum):
    json = "json"
    jsonl = "jsonl"
    table = "table"


def _dump(doc: PolicyDoc, indent: int | None) -> str:
    return json.dumps(doc.model_dump(mode="json", exclude={"source"}), ensure_ascii=False, indent=indent)


def _report_error(exc: HuiqiError) -> None:
    err.print(f"[bold red]错误[/]: {escape(str(exc))}", highlight=False, soft_wrap=True)


def _documents(paths: list[Path]) -> Iterator[PolicyDoc | HuiqiError]:
    """Read each file in turn, yielding its PolicyDoc or the error that stopped it.

    A progress bar goes to stderr while several files are read, so stdout stays clean JSON.
    """
    if len(paths) < 2:
        for path in paths:
            yield _read_one(path)
        return
    with progress_bar(err) as progress:
        task = progress.add_task("读取政策文件", total=len(paths))
        for path in paths:
            progress.update(task, description=f"读取 {path.name}")
            yield _read_one(path)
            progress.advance(task)


def _read_one(path: Path) -> PolicyDoc | HuiqiError:
    try:
        return extract_file(path)
    except HuiqiError as exc:
        return exc


@app.command()
def extract(
    paths: list[Path] = typer.Argument(
        ..., help="政策文件(.txt .html .docx .pdf)或文件夹,可以给多个;文件夹读取其中所有支持的文件。"
    ),
    output_format: OutputFormat = typer.Option(
        OutputFormat.table,
        "--format",
        "-f",
        help="table:给人看的中文摘要;json:一个文件输出一个 JSON 对象,多个文件输出 JSON 数组;"
        "jsonl:每个文件一行 JSON。",
    ),
) -> None:
    """读取政策文件,抽取文件要素、任务及责任单位、奖补条款、目标和叠加规则。

    例:huiqi extract ../shared/seeds/000_2e8ad184d2b3b81a.txt --format json
    """
    files = expand_paths(paths)
    docs: list[PolicyDoc] = []
    failed = 0
    out = Console()
    for result in _documents(files):
        if isinstance(result, HuiqiError):
            failed += 1
            _report_error(result)
            continue
        if output_format is OutputFormat.jsonl:
            sys.stdout.write(_dump(result, None) + "\n")
            sys.stdout.flush()
        elif output_format is OutputFormat.table:
            render_policy(result, out)
        docs.append(result)
    if output_format is OutputFormat.json:
        if len(files) == 1 and paths == files and docs:
            sys.stdout.write(_dump(docs[0], 1) + "\n")
        else:
            payload = [
                doc.model_dump(mode="json", exclude={"source"}) | {"source": doc.source} for doc in docs
            ]
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
    if not files:
        _report_error(HuiqiError("没有找到可读取的政策文件(支持 .txt .html .docx .pdf)"))
    if failed or not files:
        raise typer.Exit(code=1)


from huiqi import cli_platform  # noqa: E402  (the database commands register on this app)

cli_platform.register(app)
from huiqi import cli_service  # noqa: E402  (the service's commands: serve, user, audit, up)

cli_service.register(app)

from huiqi import cli_monitor  # noqa: E402  (运行监测, 亩产效益, 目标与任务)

cli_monitor.register(app)

from huiqi import cli_catalog  # noqa: E402  (工业产品信息平台: search, supply, catalog)

cli_catalog.register(app)


def _log_bug(exc: BaseException) -> str:
    """Write the traceback of an unexpected failure to a log file (English, for developers)."""
    import tempfile
    import traceback

    from huiqi.db.engine import data_dir

    text = "".join(traceback.format_exception(exc))
    for folder in (data_dir() / "logs", Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / "huiqi-error.log"
            with path.open("a", encoding="utf-8") as log:
                log.write(text + "\n")
            return str(path)
        except OSError:
            continue
    return "(无法写入日志)"


def run(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit status; every failure is one Chinese line."""
    from typer import Abort
    from typer._click.exceptions import ClickException

    from huiqi import cli_i18n
    from huiqi.errors import describe_failure

    cli_i18n.install()
    command = typer.main.get_command(app)
    try:
        status = command.main(args=argv, prog_name="huiqi", standalone_mode=False)
    except ClickException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            exc.show()
            return 2
        path = exc.ctx.command_path if getattr(exc, "ctx", None) else "huiqi"
        err.print(
            f"[bold red]错误[/]: {escape(cli_i18n.usage_error_zh(exc))}(用 {path} --help 查看用法)",
            highlight=False,
            soft_wrap=True,
        )
        return 2
    except Abort:
        err.print("已取消。")
        return 130
    except Exception as exc:  # every failure reaches the user as one line, never a traceback
        message = describe_failure(exc)
        if message is None:
            message = f"内部错误 {type(exc).__name__},详细信息已记录在 {_log_bug(exc)}"
        elif not isinstance(exc, HuiqiError):
            _log_bug(exc)  # the user reads one line; a developer may need the whole story
        err.print(f"[bold red]错误[/]: {escape(message)}", highlight=False, soft_wrap=True)
        return 1
    return status if isinstance(status, int) else 0


def main() -> None:
    """The ``huiqi`` console script."""
    sys.exit(run())


if __name__ == "__main__":  # pragma: no cover
    main()
