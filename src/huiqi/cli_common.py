"""What every group of ``huiqi`` commands shares: the error line, the database, progress,
JSON output. One home, so every command fails, waits and prints the same way."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from sqlalchemy import Engine

from huiqi.report import progress_bar

err = Console(stderr=True)


def fail(message: str) -> typer.Exit:
    """Print one Chinese error line and return the Exit to raise (status 1)."""
    err.print(f"[bold red]错误[/]: {escape(message)}", highlight=False, soft_wrap=True, emoji=False)
    return typer.Exit(code=1)


def open_engine() -> Engine:
    """The configured database, brought up to the current schema first."""
    from huiqi.db.engine import database_url, make_engine
    from huiqi.db.migrate import upgrade

    url = database_url()
    upgrade(url)
    return make_engine(url)


def show_progress() -> Progress:
    """The one progress display of long steps, on standard error."""
    return progress_bar(err)


def print_json(payload: Any) -> None:
    """One JSON document on standard output, Chinese as is."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")
