"""政策测算: load a draft (征求意见稿) or a document of the library, change its amounts, and see
over the registry who would qualify and what it would cost by year and paying level, beside
the policy in force — before anything is published, and without storing anything.

A draft uploaded or pasted here is read by the extractor and kept in the server's memory for
the person who loaded it (the last :data:`KEEP` drafts); it never enters the library.
"""

from __future__ import annotations

import datetime as dt
import secrets
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from huiqi.db.models import Document
from huiqi.errors import DocumentError
from huiqi.payout.errors import Invalid, NotFound, ServiceError
from huiqi.review import service
from huiqi.review.overlay import review_version
from huiqi.review.preview import Outcome, Reading, as_if_in_force, compare, price, with_amounts
from huiqi.web.deps import DB
from huiqi.web.pages.common import V, in_session, read_form, redirect, render
from huiqi.web.pages.library import DRAFT, document_rows
from huiqi.web.pages.readings import amount_text

router = APIRouter()
KEEP = 50
MAX_DRAFT_BYTES = 5 * 1024 * 1024
SUFFIXES = (".txt", ".html", ".htm", ".docx", ".pdf")


class Drafts:
    """Drafts loaded for a simulation, per person, in memory."""

    def __init__(self) -> None:
        self._items: OrderedDict[str, tuple[int, str, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, owner: int, name: str, reading: dict[str, Any]) -> str:
        key = secrets.token_urlsafe(9)
        with self._lock:
            self._items[key] = (owner, name, reading)
            while len(self._items) > KEEP:
                self._items.popitem(last=False)
        return key

    def get(self, key: str, owner: int) -> tuple[str, dict[str, Any]]:
        found = self._items.get(key)
        if found is None or found[0] != owner:
            raise NotFound("没有这份测算草稿(草稿只对上传人可见,服务重启后需重新上传)")
        return found[1], found[2]


def _drafts(request: Request) -> Drafts:
    if not hasattr(request.app.state, "drafts"):
        request.app.state.drafts = Drafts()
    return request.app.state.drafts


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The three full years before this one: what the registry's facts mostly cover."""
    return dt.date(today.year - 3, 1, 1), dt.date(today.year - 1, 12, 31)


def _source(request: Request, v: V, session, source: str) -> tuple[str, dict[str, Any], int | None, int]:
    """(title, reading, document id, version id) of ``doc:ID`` (its reviewed latest version) or
    ``draft:KEY``."""
    kind, _, key = source.partition(":")
    if kind == "doc" and key.isdigit():
        document = service.document_or_404(session, int(key))
        version = service.latest_version(session, document.id)
        return (
            document.title or document.name,
            review_version(session, version).reading(),
            document.id,
            version.id,
        )
    if kind == "draft":
        name, reading = _drafts(request).get(key, v.actor.id)
        return name, reading, None, 0
    raise NotFound("请选择要测算的文件")


@router.get("/simulate")
def simulate_page(
    request: Request,
    v: V,
    session: DB,
    source: Annotated[str, Query(max_length=40)] = "",
):
    v.need("officer", "admin")
    rows = document_rows(session)
    rows.sort(key=lambda r: (r.status != DRAFT, r.id))
    published = [r for r in rows if r.published_version]
    start, end = default_period(dt.date.today())
    context: dict[str, Any] = {
        "rows": rows,
        "published": published,
        "start": start,
        "end": end,
        "source": source,
    }
    if source:
        title, reading, document_id, _ = _source(request, v, session, source)
        context |= {
            "title": title,
            "incentives": [
                (n, row, amount_text(row)) for n, row in enumerate(reading.get("incentives") or [])
            ],
            # a document of the library is compared with what is published of it, unless it is a draft
            "compare_default": document_id
            if any(r.id == document_id and r.status != DRAFT for r in published)
            else None,
        }
    return render(request, "simulate.html", v, **context)


@router.post("/simulate/load")
async def load(request: Request, v: V):
    """Read an uploaded or pasted draft into a reading for the simulation."""
    v.need("officer", "admin")
    form = await read_form(request, v)
    upload = form.get("file")
    text = str(form.get("text") or "").strip()
    if hasattr(upload, "filename") and upload.filename:
        data = await upload.read(MAX_DRAFT_BYTES + 1)
        name = FilePath(upload.filename).name
        if len(data) > MAX_DRAFT_BYTES:
            return redirect("/simulate", "文件超过5MB,请确认是否为单份政策文件", "error")
        suffix = FilePath(name).suffix.lower()
        if suffix not in SUFFIXES:
            return redirect("/simulate", "只能读取 .txt、.html、.docx 或 .pdf 格式的政策文件", "error")
    elif text:
        data, name, suffix = text.encode("utf-8"), "粘贴的文本", ".txt"
    else:
        return redirect("/simulate", "请上传征求意见稿文件,或粘贴文件全文", "warn")

    def read() -> dict[str, Any]:
        from huiqi.extract.pipeline import extract_file

        with tempfile.TemporaryDirectory(prefix="huiqi-draft-") as folder:
            path = FilePath(folder) / f"draft{suffix}"
            path.write_bytes(data)
            try:
                policy = extract_file(path)
            except DocumentError as exc:
                raise Invalid(f"{name}:{exc.reason}") from exc
        return policy.model_dump(mode="json", exclude={"source"})

    from fastapi.concurrency import run_in_threadpool

    try:
        reading = await run_in_threadpool(read)
    except ServiceError as exc:
        return redirect("/simulate", f"未能读取:{exc}", "error")
    title = (reading.get("document") or {}).get("title") or name
    key = _drafts(request).add(v.actor.id, title, reading)
    count = len(reading.get("incentives") or [])
    return redirect(f"/simulate?source=draft:{key}", f"已读取《{title}》:奖补条款 {count} 条")


def _date(form, name: str, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(form.get(name) or ""))
    except ValueError:
        raise Invalid(f"{label}须为日期(年-月-日)") from None


def _changes(form, incentives: list[dict[str, Any]]) -> dict[int, dict[str, float | None]]:
    """The amounts the person changed, by incentive index (empty fields leave a row as read)."""
    out: dict[int, dict[str, float | None]] = {}
    for n, row in enumerate(incentives):
        for name, label, scale in (
            ("amount_wan", "金额", 1.0),
            ("cap_wan", "上限", 1.0),
            ("ratio", "比例", 100.0),
        ):
            raw = str(form.get(f"{name}_{n}") or "").strip().replace(",", "")
            if not raw:
                continue
            try:
                value = float(raw) / scale
            except ValueError:
                raise Invalid(f"第{n + 1}条的{label}须为数字,填写的是“{raw[:20]}”") from None
            if value <= 0:
                raise Invalid(f"第{n + 1}条的{label}须大于0")
            current = row.get(name)
            if current is None or abs(current - value) > 1e-9:
                out.setdefault(n, {})[name] = value
    return out


@router.post("/simulate/run")
async def run(request: Request, v: V):
    v.need("officer", "admin")
    form = await read_form(request, v)
    source = str(form.get("source") or "")
    against = str(form.get("compare") or "")

    def prepare(session):
        title, reading, document_id, version_id = _source(request, v, session, source)
        starts, ends = _date(form, "start", "测算起始日"), _date(form, "end", "测算截止日")
        if ends < starts:
            raise Invalid("测算截止日不能早于起始日")
        changes = _changes(form, reading.get("incentives") or [])
        new = Reading(
            "测算方案", as_if_in_force(with_amounts(reading, changes), starts, ends), version_id, document_id
        )
        base: Reading | None = None
        base_title = None
        if against.isdigit():
            document = session.get(Document, int(against))
            publication = service.latest_publication(session, int(against)) if document else None
            if publication is None:
                raise Invalid("所选的对比文件尚未发布")
            base_title = document.title or document.name
            base = Reading(
                "现行政策",
                as_if_in_force(publication.reading, starts, ends),
                publication.document_version_id,
                document.id,
            )
        edits = [
            (n + 1, (reading["incentives"][n].get("subject") or ""), fields)
            for n, fields in sorted(changes.items())
        ]
        return title, new, base, base_title, (starts, ends), edits

    try:
        title, new, base, base_title, period, edits = await in_session(request, prepare)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        return redirect(f"/simulate?source={source}", f"未开始测算:{exc}", "error")
    engine = request.app.state.engine

    def work(progress):
        readings = [base, new] if base is not None else [new]
        outcomes = price(engine, readings, dt.date.today(), step=progress)
        before = outcomes[0] if base is not None else Outcome("无对比(不计现行政策)")
        return {
            "comparison": compare(before, outcomes[-1]),
            "title": title,
            "base_title": base_title,
            "period": period,
            "edits": edits,
            "source": source,
        }

    job = request.app.state.jobs.start(
        v.actor.id, f"政策测算:《{title}》", "simulate_result.html", f"/simulate?source={source}", work
    )
    return redirect(f"/jobs/{job.id}")
