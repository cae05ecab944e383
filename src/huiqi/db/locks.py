"""One writer at a time per database (写入锁).

Two imports, an import and a match, two ingests: each batch job that writes takes the
database's writer lock first and holds it for its whole transaction, so jobs never interleave
half-way and never fail on each other with "database is locked" or a unique violation. A job
that finds the lock taken waits (``HUIQI_LOCK_TIMEOUT`` seconds, default 120) and then gives up
with one Chinese line.

* PostgreSQL: a session-level advisory lock on a connection of its own.
* SQLite: an exclusive ``flock`` on a file beside the database (``huiqi.db.lock``).

Readers never take the lock: SQLite's WAL and PostgreSQL's MVCC let them read while a job
writes.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, text

from huiqi.errors import BusyError

_ADVISORY_KEY = 0x6875_6971  # "huiq": one lock for every huiqi writer on this database
_POLL = 0.1


def lock_timeout() -> float:
    """Seconds to wait for another writer (``HUIQI_LOCK_TIMEOUT``, default 120)."""
    return float(os.environ.get("HUIQI_LOCK_TIMEOUT", "120"))


def _busy(waited: float) -> BusyError:
    return BusyError(
        f"数据库正被另一个任务(导入、入库或匹配)写入,已等待{waited:.0f}秒仍未完成,请稍后重试"
        "(可用环境变量 HUIQI_LOCK_TIMEOUT 调整等待秒数)"
    )


@contextlib.contextmanager
def writer_lock(engine: Engine, timeout: float | None = None) -> Iterator[None]:
    """Hold the database's writer lock for the duration of the block (waiting up to ``timeout``)."""
    timeout = lock_timeout() if timeout is None else timeout
    if engine.dialect.name == "postgresql":
        with _advisory(engine, timeout):
            yield
    elif engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        with _file_lock(Path(f"{engine.url.database}.lock"), timeout):
            yield
    else:  # an in-memory database has one connection: nothing to serialise
        yield


@contextlib.contextmanager
def _advisory(engine: Engine, timeout: float) -> Iterator[None]:
    start = time.monotonic()
    with engine.connect() as conn:
        while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _ADVISORY_KEY}).scalar():
            conn.rollback()
            if time.monotonic() - start >= timeout:
                raise _busy(time.monotonic() - start)
            time.sleep(_POLL)
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _ADVISORY_KEY})
            conn.commit()


@contextlib.contextmanager
def _file_lock(path: Path, timeout: float) -> Iterator[None]:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    with path.open("a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() - start >= timeout:
                    raise _busy(time.monotonic() - start) from None
                time.sleep(_POLL)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
