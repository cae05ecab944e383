"""产品目录: the editions of 优势工业产品目录 and 政府首购创新产品目录 — the list, a new edition,
an edition's page with its products, 遴选 of candidates from the region, 退出 with a reason,
发布 and the published Excel. Officers manage the editions of their region, admins any; the
others read the published ones (:mod:`huiqi.web.supply`, as the API)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool

from huiqi.catalog.editions import DRAFT, PUBLISHED
from huiqi.catalog.vocab import catalogs as catalog_names
from huiqi.catalog.vocab import settings
from huiqi.payout.errors import ServiceError
from huiqi.registry.codes import regions
from huiqi.web import supply
from huiqi.web.deps import DB
from huiqi.web.pages.common import V, read_form, redirect, render
from huiqi.web.pages.products import OPTIONS, TABS, certification_choices
from huiqi.web.routes.catalog import xlsx

router = APIRouter()
EditionId = Annotated[int, Path(ge=1, le=2**31 - 1)]
CANDIDATES = 50


def region_choices(v: V) -> list[tuple[str, str]]:
    """The regions an officer may publish a catalog for: its own and the districts inside it."""
    own = supply.officer_region(v.actor)
    if own is None:
        return []
    prefix = v.actor.region_prefix or own
    inside = sorted(code for code in regions().names if code.startswith(prefix) and code != own)
    return [(own, supply.full_place(own)), *((code, supply.full_place(code)) for code in inside)]


def _date(text: str, label: str) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        from huiqi.payout.errors import Invalid

        raise Invalid(f"{label}应为日期(YYYY-MM-DD)") from None


@router.get("/products/catalogs")
def catalogs_page(request: Request, v: V):
    engine = request.app.state.engine
    found = supply.visible_editions(engine, v.actor)
    defaults = {name: settings().certifications[name].criteria for name in catalog_names()}
    return render(
        request,
        "catalogs.html",
        v,
        tabs=TABS,
        editions=found,
        place=supply.full_place,
        can_create=v.role in supply.MANAGERS,
        catalogs=catalog_names(),
        criteria=defaults,
        region_choices=region_choices(v),
        year=dt.date.today().year,
    )


@router.post("/products/catalogs")
async def create(request: Request, v: V):
    v.need(*supply.MANAGERS)
    form = await read_form(request, v)
    fields = {
        k: str(form.get(k) or "")
        for k in ("catalog", "edition", "region", "criteria", "valid_from", "valid_to")
    }
    engine = request.app.state.engine

    def work():
        return supply.create_edition(
            engine,
            v.actor,
            fields["catalog"],
            fields["edition"][:64],
            fields["region"][:40] or None,
            fields["criteria"].strip()[:2000] or None,
            _date(fields["valid_from"], "有效期起"),
            _date(fields["valid_to"], "有效期止"),
        )

    try:
        info = await run_in_threadpool(work)
    except ServiceError as exc:
        if exc.status == 401:
            raise
        return redirect("/products/catalogs", f"未新建:{exc}", "error")
    return redirect(f"/products/catalogs/{info.id}", f"已新建{info.title}(草稿):请遴选产品后发布")


@router.get("/products/catalogs/{edition_id}")
def catalog_page(
    request: Request,
    v: V,
    session: DB,
    edition_id: EditionId,
    q: Annotated[str, Query(max_length=100)] = "",
    industry: Annotated[str, Query(pattern=r"^([A-Ta-t](\d{2,4})?)?$")] = "",
    certification: Annotated[str, Query(max_length=40)] = "",
    propose: Annotated[str, Query(pattern="^1?$")] = "",
):
    engine = request.app.state.engine
    info = supply.edition_for(engine, v.actor, edition_id)
    manages = v.role in supply.MANAGERS and supply.manages_region(v.actor, info.region_code)
    rows = supply.edition_entries(engine, info.id)
    listed = [r for r in rows if r["removed_on"] is None]
    removed = [r for r in rows if r["removed_on"] is not None]
    found = None
    if manages and info.status == DRAFT and (propose or q or industry or certification):
        found = supply.candidates(
            engine, info, q.strip(), industry or None, certification or None, CANDIDATES
        )
    taken = {r["product_id"] for r in listed}
    options = OPTIONS.get(session)
    return render(
        request,
        "catalog.html",
        v,
        info=info,
        listed=listed,
        removed=removed,
        manages=manages,
        draft=info.status == DRAFT,
        published=info.status == PUBLISHED,
        found=found,
        taken=taken,
        q=q.strip(),
        industry=industry,
        certification=certification,
        options=options,
        certifications=certification_choices(),
        place=supply.full_place,
    )


@router.get("/products/catalogs/{edition_id}/export")
def export(request: Request, v: V, edition_id: EditionId):
    """The edition as the Excel it is published as (说明, 入选产品, 已退出)."""
    engine = request.app.state.engine
    info = supply.edition_for(engine, v.actor, edition_id)
    content, name = supply.edition_workbook(engine, info)
    return xlsx(content, name)


async def _run(work):
    """Run a catalog change; a refusal the viewer can act on comes back as its message."""
    try:
        return await run_in_threadpool(work), None
    except ServiceError as exc:
        if exc.status in (401, 403, 404):
            raise
        return None, str(exc)


@router.post("/products/catalogs/{edition_id}/add")
async def add(request: Request, v: V, edition_id: EditionId):
    form = await read_form(request, v)
    ids = [int(x) for x in form.getlist("product_id") if str(x).isdigit() and len(str(x)) < 10]
    note = str(form.get("note") or "").strip()[:500] or None
    back = f"/products/catalogs/{edition_id}"
    if not ids:
        return redirect(back, "请先勾选要选入的产品", "warn")
    engine = request.app.state.engine
    outcome, failed = await _run(lambda: supply.add_products(engine, v.actor, edition_id, ids, note))
    if failed:
        return redirect(back, f"未选入:{failed}", "error")
    parts = [f"已选入 {len(outcome.added)} 个产品"]
    if outcome.already:
        parts.append(f"{len(outcome.already)} 个已在目录中")
    if outcome.refused:
        reasons = ";".join(f"产品{k}:{r}" for k, r in list(outcome.refused.items())[:3])
        parts.append(f"{len(outcome.refused)} 个未选入({reasons})")
    return redirect(back, ",".join(parts), "ok" if outcome.added and not outcome.refused else "warn")


@router.post("/products/catalogs/{edition_id}/remove")
async def remove(request: Request, v: V, edition_id: EditionId):
    form = await read_form(request, v)
    raw = str(form.get("product_id") or "")
    reason = str(form.get("reason") or "").strip()[:500]
    back = f"/products/catalogs/{edition_id}"
    if not raw.isdigit() or len(raw) > 9:
        return redirect(back, "请选择要退出的产品", "warn")
    if not reason:
        return redirect(back, "未退出:请写明退出原因(如 抽检不合格、失信被执行)", "error")
    engine = request.app.state.engine
    _, failed = await _run(lambda: supply.remove_product(engine, v.actor, edition_id, int(raw), reason))
    if failed:
        return redirect(back, f"未退出:{failed}", "error")
    return redirect(back, "已退出目录:退出日期和原因已记录,Excel 的“已退出”表中可见")


@router.post("/products/catalogs/{edition_id}/publish")
async def publish(request: Request, v: V, edition_id: EditionId):
    await read_form(request, v)
    engine = request.app.state.engine
    back = f"/products/catalogs/{edition_id}"
    info, failed = await _run(lambda: supply.publish(engine, v.actor, edition_id))
    if failed:
        return redirect(back, f"未发布:{failed}", "error")
    until = f",有效期至{info.valid_to}" if info.valid_to else ""
    return redirect(back, f"已发布{info.title}:共 {info.listed} 个产品{until},可下载 Excel")
