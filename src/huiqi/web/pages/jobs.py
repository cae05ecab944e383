"""Long work behind a page (匹配、导入、测算、预览): run in the background, watched with progress.

A job runs in a small thread pool of the server process; its page (``/jobs/{id}``) shows the
step and a progress bar and refreshes itself until the job ends, then shows the result (or the
reason it failed, in Chinese). Only the person who started a job can see it. Jobs live in the
memory of one server process (``huiqi up`` and ``huiqi serve`` run one) and the last
:data:`KEEP` are kept; what a job changes in the database is there whatever happens to the job.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from huiqi.errors import HuiqiError
from huiqi.payout.errors import NotFound

log = logging.getLogger("huiqi.web.jobs")
KEEP = 200
Progress = Callable[[str, float | None], None]


@dataclass
class Job:
    """One piece of long work: who started it, where it is, and what came of it."""

    id: str
    owner: int
    title: str
    template: str  # renders ``result`` when the job is done
    back: str  # where the person came from
    state: str = "running"  # running / done / failed
    step: str = "排队等待"
    fraction: float | None = 0.0
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    @property
    def percent(self) -> int | None:
        return None if self.fraction is None else max(0, min(100, round(self.fraction * 100)))


def describe(exc: BaseException) -> str:
    """One Chinese sentence for a failed job; a bug is logged, never shown."""
    reason = getattr(exc, "reason", None)
    if isinstance(exc, HuiqiError):
        return str(reason or exc)
    log.exception("job failed", exc_info=exc)
    return "任务失败:服务器内部错误(问题已记录),请稍后重试或联系管理员"


class Jobs:
    """The server's jobs (thread-safe)."""

    def __init__(self, workers: int = 2) -> None:
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="huiqi-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def start(
        self, owner: int, title: str, template: str, back: str, work: Callable[[Progress], dict[str, Any]]
    ) -> Job:
        """Queue ``work(progress)``; its returned dict becomes the job's result."""
        job = Job(secrets.token_urlsafe(12), owner, title, template, back)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP:
                self._jobs.popitem(last=False)

        def progress(step: str, fraction: float | None = None) -> None:
            job.step, job.fraction = step, fraction

        def run() -> None:
            progress("开始", 0.0)
            try:
                job.result = work(progress)
                job.step, job.fraction, job.state = "完成", 1.0, "done"
            except BaseException as exc:  # the job's page says why; the server goes on
                job.error, job.state = describe(exc), "failed"
            finally:
                job.finished = time.monotonic()

        self._pool.submit(run)
        return job

    def get(self, job_id: str, owner: int) -> Job:
        job = self._jobs.get(job_id)
        if job is None or job.owner != owner:
            raise NotFound("没有这个任务(任务只对发起人可见,服务重启后不再保留)")
        return job

    def wait(self, job_id: str, timeout: float = 60.0) -> Job:
        """Block until a job ends (for tests and the benchmark)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self._jobs.get(job_id)
            if job is not None and job.state != "running":
                return job
            time.sleep(0.02)
        raise TimeoutError(job_id)
