"""Where the data lives and how to reach it.

SQLite (WAL) in a data directory is the embedded default; ``HUIQI_DATABASE_URL`` (any
SQLAlchemy URL, e.g. ``postgresql+psycopg://user@host/db``) overrides it.

>>> database_url({"HUIQI_DATA_DIR": "/srv/huiqi"})
'sqlite:////srv/huiqi/huiqi.db'
>>> database_url({"HUIQI_DATABASE_URL": "postgresql+psycopg://u@db/huiqi"})
'postgresql+psycopg://u@db/huiqi'
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from huiqi.errors import HuiqiError

DEFAULT_DATA_DIR = "huiqi-data"


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """The folder for the embedded database and exports (``HUIQI_DATA_DIR``, else ./huiqi-data)."""
    env = os.environ if env is None else env
    return Path(env.get("HUIQI_DATA_DIR") or DEFAULT_DATA_DIR)


def database_url(env: Mapping[str, str] | None = None) -> str:
    """``HUIQI_DATABASE_URL`` if set, else a SQLite file in :func:`data_dir`."""
    env = os.environ if env is None else env
    if url := env.get("HUIQI_DATABASE_URL"):
        return url
    return f"sqlite:///{data_dir(env) / 'huiqi.db'}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=60000")
    # switching to WAL needs a moment of exclusive access: only the first connection does it.
    # Two commands started at once on a new database both try; the one that finds the file busy
    # leaves it to the other (WAL is a property of the file, kept once set).
    for attempt in range(50):
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            time.sleep(0.05 * (attempt + 1))
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default :func:`database_url`); SQLite gets WAL and foreign keys."""
    url = url or database_url()
    if url.startswith("sqlite:///"):
        folder = Path(url.removeprefix("sqlite:///")).parent
        if folder.exists() and not folder.is_dir():
            raise HuiqiError(
                f"{folder}: 数据目录应是文件夹,现在是一个文件(请改用 HUIQI_DATA_DIR 指定其他目录)"
            )
        folder.mkdir(parents=True, exist_ok=True)
    sqlite = url.startswith("sqlite")
    # a reader waits for a writer's commit instead of failing with "database is locked"
    engine = create_engine(url, connect_args={"timeout": 60} if sqlite else {})
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error (nothing half-written)."""
    session = sessionmaker(engine, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
