"""审核: an officer corrects, confirms or excludes each row of a reading (always with a reason),
sees what changed between versions, previews who would qualify and for how much, and publishes.

Every decision goes through :mod:`huiqi.review.service` (the overlay, the audit entry), exactly
as the API's; a correction sends only the fields the officer changed.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import ValidationError
from sqlalchemy import select

from huiqi.db.models import DocumentVersion
from huiqi.payout.errors import Invalid, NotFound, ServiceError
from huiqi.review import service
from huiqi.review.items import SECTION_ZH, SECTIONS, item_keys
from huiqi.review.overlay import review_version, snapshot
from huiqi.review.preview import Reading, compare, price
from huiqi.web.deps import DB
from huiqi.web.errors import validation_message
from huiqi.web.pages.common import V, in_session, read_form, redirect, render
from huiqi.web.pages.library import document_rows
from huiqi.web.pages.readings import FIELD_LABEL, LEVELS, RULE_LABEL, STATUS_LABEL, summary, value_text

router = APIRouter()
DocumentId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Section = Annotated[str, Path(pattern="^(incentives|targets|tasks|stacking)$")]
Index = Annotated[int, Path(ge=0, le=100000)]
KINDS = (
    ("fixed", "定额"),
    ("max", "最高"),
    ("min", "不少于"),
    ("ratio", "按比例"),
    ("unspecified", "未定额"),
)
COMPARATORS = ((">=", "不低于"), ("<=", "不高于"), ("~", "约"), ("=", "等于"))
# The fields each section's correction form shows, with how their text is read.
FORM_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "incentives": (
        ("subject", "text"),
        ("level", "level"),
        ("kind", "kind"),
        ("amount_wan", "wan"),
        ("cap_wan", "wan"),
        ("ratio", "percent"),
        ("base", "text"),
        ("per", "text"),
        ("payers", "payers"),
        ("one_time", "bool"),
        ("task", "text"),
    ),
    "targets": (
        ("indicator", "text"),
        ("comparator", "comparator"),
        ("value", "number"),
        ("value_max", "number"),
        ("unit", "text"),
        ("by", "year"),
        ("period", "text"),
        ("task", "text"),
    ),
    "tasks": (("title", "text"), ("responsible", "list")),
    "stacking": (("rule", "rule"),),
}
_PAYER = re.compile(r"^\s*([^\d%]+?)\s*(?:(\d+(?:\.\d+)?)\s*%)?\s*$")


def _number(label: str, text: str) -> float | None:
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise Invalid(f"{label}须为数字,填写的是“{text[:20]}”") from None


def parse_field(name: str, how: str, form) -> Any:
    """One field of a correction form as the value the reading holds (None for empty)."""
    label = FIELD_LABEL.get(name, name)
    raw = str(form.get(name) or "").strip()
    if how == "bool":
        return form.get(name) == "on"
    if how in ("wan", "number"):
        return _number(label, raw)
    if how == "percent":
        value = _number(label, raw)
        return None if value is None else round(value / 100, 9)
    if how == "year":
        value = _number(label, raw)
        return None if value is None else int(value)
    if how == "payers":
        if not raw:
            return None
        payers = []
        for part in re.split(r"[、,,;;\s]+(?=[^\d%\s])", raw):
            match = _PAYER.match(part)
            if not match:
                raise Invalid(f"出资须写成“市级 50%、区级 50%”的形式,无法识别“{part[:20]}”")
            share = None if match.group(2) is None else round(float(match.group(2)) / 100, 9)
            payers.append({"payer": match.group(1).strip(), "share": share})
        return payers
    if how == "list":
        return [p.strip() for p in re.split(r"[、,,;;]+", raw) if p.strip()] or None
    return raw or None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return abs(float(a) - float(b)) < 1e-9
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b or (a in (None, "", []) and b in (None, "", []))


def changed_fields(section: str, reading: dict[str, Any], form) -> dict[str, Any]:
    """The fields whose form value differs from what the row reads now."""
    out = {}
    for name, how in FORM_FIELDS[section]:
        value = parse_field(name, how, form)
        current = reading.get(name)
        if how == "bool":
            current = bool(current)
        if not _same(value, current):
            out[name] = value
    return out


def form_value(name: str, how: str, value: Any) -> str:
    """A reading's value as its form field shows it."""
    if value is None:
        return ""
    if how == "percent":
        return f"{value * 100:g}"
    if how == "payers":
        return value_text("payers", value) if value else ""
    if how == "list":
        return "、".join(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def version_changes(session, version: DocumentVersion) -> dict[str, Any] | None:
    """What the machine reads differently in ``version`` than in the version before it."""
    previous = session.scalar(
        select(DocumentVersion).where(
            DocumentVersion.document_id == version.document_id, DocumentVersion.version == version.version - 1
        )
    )
    if previous is None:
        return None
    out: dict[str, Any] = {"previous": previous.version, "sections": []}
    for section in SECTIONS:
        old_rows = previous.extraction.get(section) or []
        new_rows = version.extraction.get(section) or []
        old = dict(zip(item_keys(section, old_rows), old_rows, strict=True))
        new = dict(zip(item_keys(section, new_rows), new_rows, strict=True))
        added = [summary(section, r) for k, r in new.items() if k not in old]
        removed = [summary(section, r) for k, r in old.items() if k not in new]
        changed = []
        for key, row in new.items():
            if key in old and snapshot(old[key]) != snapshot(row):
                fields = [
                    (FIELD_LABEL.get(f, f), value_text(f, old[key].get(f)), value_text(f, row.get(f)))
                    for f in sorted(set(row) | set(old[key]))
                    if f not in ("notes", "text") and not _same(old[key].get(f), row.get(f))
                ]
                changed.append({"fields": summary(section, row), "diff": fields})
        if added or removed or changed:
            out["sections"].append(
                {"title": SECTION_ZH[section], "added": added, "removed": removed, "changed": changed}
            )
    return out


@router.get("/review")
def queue(request: Request, v: V, session: DB):
    v.need("officer", "admin")
    rows = [r for r in document_rows(session, with_pending=True, reviewer=v) if r.pending is not None]
    rows.sort(key=lambda r: (-(r.pending or 0), r.id))
    return render(request, "review_queue.html", v, rows=rows)


@router.get("/review/{document_id}")
def review_page(request: Request, v: V, session: DB, document_id: DocumentId, show: str = "all"):
    v.need("officer", "admin")
    document = service.document_or_404(session, document_id)
    service.check_reviewer(v.actor, document)
    version = service.latest_version(session, document_id)
    state = review_version(session, version)
    publication = service.latest_publication(session, document_id)
    sections = []
    for section in SECTIONS:
        rows = []
        for item in state.items[section]:
            if show == "blocking" and not item.blocking:
                continue
            changed = {
                n for n in FORM_FIELDS[section] if not _same(item.reading.get(n[0]), item.machine.get(n[0]))
            }
            rows.append(
                {
                    "item": item,
                    "ref": f"{section}-{item.index}",
                    "fields": summary(section, item.reading),
                    "status": STATUS_LABEL.get(item.status, item.status),
                    "changed": [
                        (
                            FIELD_LABEL.get(n, n),
                            value_text(n, item.machine.get(n)),
                            value_text(n, item.reading.get(n)),
                        )
                        for n, _ in changed
                    ],
                    "form": [
                        (
                            name,
                            how,
                            FIELD_LABEL.get(name, name),
                            form_value(name, how, item.reading.get(name)),
                        )
                        for name, how in FORM_FIELDS[section]
                    ],
                }
            )
        if rows:
            sections.append((section, SECTION_ZH[section], rows))
    return render(
        request,
        "review.html",
        v,
        document=document,
        version=version,
        sections=sections,
        blocking=state.blocking(),
        orphans=state.orphans,
        publication=publication,
        changes=version_changes(session, version),
        show=show,
        levels=LEVELS,
        kinds=KINDS,
        comparators=COMPARATORS,
        rules=tuple(RULE_LABEL.items())[:4],
    )


def _back(document_id: int, ref: str | None = None) -> str:
    return f"/review/{document_id}" + (f"#row-{ref}" if ref else "")


async def _act(request: Request, v: V, document_id: int, ref: str | None, work, done: str):
    """Run one decision; on a refusal come back to the row with the reason."""
    try:
        await in_session(request, work)
    except ValidationError as exc:
        message, _ = validation_message(list(exc.errors()))
        return redirect(_back(document_id, ref), f"未保存:{message}", "error")
    except ServiceError as exc:
        if exc.status in (401, 404):
            raise
        return redirect(_back(document_id, ref), f"未保存:{exc}", "error")
    return redirect(_back(document_id, ref), done)


@router.post("/review/{document_id}/rows/{section}/{index}/correct")
async def correct(request: Request, v: V, document_id: DocumentId, section: Section, index: Index):
    form = await read_form(request, v)
    version_id = int(str(form.get("version_id") or "0") or 0)
    reason = str(form.get("reason") or "").strip()

    def work(session):
        version = session.get(DocumentVersion, version_id)
        if version is None or version.document_id != document_id:
            raise NotFound("没有这个版本")
        item = review_version(session, version).find(section, index)
        if item is None:
            raise NotFound("没有这一行")
        if not reason:
            raise Invalid("请填写更正理由")
        changes = changed_fields(section, item.reading, form)
        if not changes:
            raise Invalid("没有改动任何字段")
        service.correct(session, v.actor, section, version_id, index, changes | {"reason": reason})
        session.commit()

    return await _act(request, v, document_id, f"{section}-{index}", work, "已保存更正")


@router.post("/review/{document_id}/rows/{section}/{index}/decide")
async def decide(request: Request, v: V, document_id: DocumentId, section: Section, index: Index):
    form = await read_form(request, v)
    version_id = int(str(form.get("version_id") or "0") or 0)
    action = str(form.get("action") or "")
    reason = str(form.get("reason") or "").strip()
    if action not in ("confirm", "exclude", "restore"):
        return redirect(_back(document_id), "未保存:操作不正确", "error")

    def work(session):
        version = session.get(DocumentVersion, version_id)
        if version is None or version.document_id != document_id:
            raise NotFound("没有这个版本")
        service.decide(session, v.actor, section, version_id, index, action, reason)
        session.commit()

    done = {"confirm": "已确认无误", "exclude": "已排除", "restore": "已撤销排除"}[action]
    return await _act(request, v, document_id, f"{section}-{index}", work, done)


@router.post("/review/{document_id}/orphans/{review_id}/dismiss")
async def dismiss(request: Request, v: V, document_id: DocumentId, review_id: Annotated[int, Path(ge=1)]):
    form = await read_form(request, v)
    reason = str(form.get("reason") or "").strip()

    def work(session):
        service.dismiss_orphan(session, v.actor, document_id, review_id, reason)
        session.commit()

    return await _act(request, v, document_id, None, work, "已撤销失效的审核记录")


@router.post("/review/{document_id}/publish")
async def publish(request: Request, v: V, document_id: DocumentId):
    form = await read_form(request, v)
    reason = str(form.get("reason") or "").strip()

    def work(session):
        service.publish(session, v.actor, document_id, reason)
        session.commit()

    return await _act(request, v, document_id, None, work, "已发布:审核后的读取结果从下一次匹配起参与兑付")


@router.post("/review/{document_id}/preview")
async def preview(request: Request, v: V, document_id: DocumentId):
    """How the reviewed reading would change who qualifies and how much (a background job)."""
    await read_form(request, v)

    def readings(session):
        document = service.document_or_404(session, document_id)
        service.check_reviewer(v.actor, document)
        version = service.latest_version(session, document_id)
        current = service.latest_publication(session, document_id)
        reviewed = review_version(session, version).reading()
        title = document.title or document.name
        base = (
            Reading("现行发布版本", current.reading, current.document_version_id, document_id)
            if current is not None
            else Reading(
                "尚未发布(目前不兑付)",
                {"document": reviewed["document"], "incentives": []},
                version.id,
                document_id,
            )
        )
        return title, base, Reading("审核后(待发布)", reviewed, version.id, document_id)

    title, base, new = await in_session(request, readings)
    engine = request.app.state.engine

    def work(progress):
        outcomes = price(engine, [base, new], dt.date.today(), step=progress)
        return {"comparison": compare(*outcomes), "title": title, "document_id": document_id}

    job = request.app.state.jobs.start(
        v.actor.id, f"预览审核结果的影响:《{title}》", "preview_result.html", f"/review/{document_id}", work
    )
    return redirect(f"/jobs/{job.id}")
