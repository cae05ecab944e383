"""产品库: 智能检索 of products and enterprises with filters, a product's page (its maker, the
catalogs it is in, the open demands it could serve, 选入目录 for officers), and 供需对接: the
demands, a demand with its ranked suppliers and the 对接清单 in Excel.

Reads and rights are :mod:`huiqi.web.supply`'s, the API's own. Catalog editions are in
:mod:`huiqi.web.pages.catalogs`.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import defaultdict
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func, select

from huiqi.accounts.scope import sees_enterprise
from huiqi.catalog.editions import DRAFT, edition_info
from huiqi.catalog.index import ENTERPRISE, PRODUCT
from huiqi.catalog.vocab import settings
from huiqi.db.models import CatalogEdition, CatalogEntry, CatalogSearchEntry, Demand, Product
from huiqi.payout.errors import ServiceError
from huiqi.registry.codes import region_prefix, regions
from huiqi.search.highlight import marks, snippet
from huiqi.web import supply
from huiqi.web.deps import DB
from huiqi.web.pages.common import V, read_form, redirect, render
from huiqi.web.routes.catalog import xlsx

router = APIRouter()
ProductId = Annotated[int, Path(ge=1, le=2**31 - 1)]
DemandKey = Annotated[int, Path(ge=1, le=2**31 - 1)]
PAGE = 20
MAX_PAGE = 100
DEMAND_PAGE = 50
# Titles an enterprise holds, offered as filters beside the products' own certifications.
TITLE_FILTERS = ("专精特新小巨人", "专精特新中小企业", "制造业单项冠军", "高新技术企业")
TABS = (("产品检索", "/products"), ("供需对接", "/products/demands"), ("产品目录", "/products/catalogs"))
OPTIONS_SECONDS = 60.0


class _Options:
    """The filters' choices (regions and industries that have products), read from the search
    index and kept for a minute per database: a region just imported is offered up to a minute
    late (searching by it works at once), one no longer there is offered and finds nothing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # keyed by the engine itself, weakly: an id() could be reused by another engine
        self._cache: weakref.WeakKeyDictionary[Any, tuple[float, dict[str, Any]]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, session) -> dict[str, Any]:
        key = session.get_bind()
        with self._lock:
            found = self._cache.get(key)
        if found and time.monotonic() - found[0] < OPTIONS_SECONDS:
            return found[1]
        value = self._read(session)
        with self._lock:
            self._cache[key] = (time.monotonic(), value)
        return value

    @staticmethod
    def _read(session) -> dict[str, Any]:
        E = CatalogSearchEntry
        # grouped by the whole industry code and folded to its 大类 here: PostgreSQL does not
        # take substr(…, :a, :b) in GROUP BY as the same expression as in the select list
        rows = session.execute(
            select(E.region_code, E.industry_code, func.count())
            .where(E.kind == PRODUCT)
            .group_by(E.region_code, E.industry_code)
        ).all()
        districts: dict[str, int] = defaultdict(int)
        industries: dict[str, int] = defaultdict(int)
        for code, industry, n in rows:
            districts[code] += n
            if industry:
                industries[industry[:3]] += n
        cities: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for code in sorted(districts):
            city = code[:4] + "00"
            if code != city:
                cities[city].append((code, supply.place(code)))
        names = regions().names
        groups = [
            (city, supply.place(city), districts_of)
            for city, districts_of in sorted(cities.items())
            if city in names
        ]
        return {
            "regions": groups,
            "industries": [(code, supply.industry_text(code)) for code in sorted(industries)],
        }


OPTIONS = _Options()


def certification_choices() -> list[str]:
    return [*settings().certifications, *TITLE_FILTERS]


def _words(text: str) -> list[str]:
    """The query's words and their synonyms, to mark in the results."""
    from huiqi.catalog.search import build_query

    words, query = build_query(text)
    return list(dict.fromkeys([*words, *(w for group in query.groups for w in group)]))


def _hits(session, actor, result, words: list[str]) -> list[dict[str, Any]]:
    """The search page's rows: a product with its description marked, an enterprise with its
    first products."""
    product_ids = [int(h.ref) for h in result.items if h.kind == PRODUCT]
    makers = [h.uscc for h in result.items if h.kind == ENTERPRISE]
    details = {}
    if product_ids:
        details = {
            r.id: r
            for r in session.execute(
                select(Product.id, Product.description, Product.capacity).where(Product.id.in_(product_ids))
            )
        }
    made: dict[str, list[tuple[int, str]]] = defaultdict(list)
    if makers:
        for r in session.execute(
            select(Product.id, Product.uscc, Product.name)
            .where(Product.uscc.in_(makers), Product.withdrawn_run_id.is_(None))
            .order_by(Product.id)
        ):
            if len(made[r.uscc]) < 6:
                made[r.uscc].append((r.id, r.name))
    rows = []
    for hit in result.items:
        row = {
            "hit": hit,
            "title": marks(hit.title, words),
            "region": supply.full_place(hit.region_code),
            "industry": supply.industry_text(hit.industry_code),
        }
        if hit.kind == PRODUCT:
            detail = details.get(int(hit.ref))
            row["description"] = snippet(detail.description or "", words, 70) if detail else []
            row["capacity"] = detail.capacity if detail else None
        else:
            row["products"] = [(pid, marks(name, words)) for pid, name in made[hit.uscc]]
            row["link"] = (
                f"/enterprises/{hit.uscc}" if sees_enterprise(actor, hit.uscc, hit.region_code) else None
            )
        rows.append(row)
    return rows


@router.get("/products")
def search_page(
    request: Request,
    v: V,
    session: DB,
    q: Annotated[str, Query(max_length=100)] = "",
    kind: Annotated[str, Query(pattern="^(product|enterprise)$")] = PRODUCT,
    region: Annotated[str, Query(pattern=r"^(\d{6})?$")] = "",
    industry: Annotated[str, Query(pattern=r"^([A-Ta-t](\d{2,4})?)?$")] = "",
    certification: Annotated[str, Query(max_length=40)] = "",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
):
    engine = request.app.state.engine
    text = q.strip()
    result = supply.search(
        engine, text, kind, region or None, industry or None, certification or None, PAGE, (page - 1) * PAGE
    )
    words = _words(text) if text else []
    filters = {
        "q": text,
        "kind": kind,
        "region": region,
        "industry": industry,
        "certification": certification,
    }
    base = {k: val for k, val in filters.items() if val and not (k == "kind" and val == PRODUCT)}
    pages = min(MAX_PAGE, -(-result.total // PAGE))
    return render(
        request,
        "products.html",
        v,
        tabs=TABS,
        result=result,
        rows=_hits(session, v.actor, result, words),
        searched=bool(text or region or industry or certification),
        options=OPTIONS.get(session),
        certifications=certification_choices(),
        page=page,
        pages=pages,
        link=lambda **change: "/products?" + urlencode({**base, **change}),
        kind_link=lambda k: "/products?" + urlencode({**base, "kind": k}),
        **filters,
    )


def _drafts_for(engine, v, maker_region: str, product_id: int, session) -> list:
    """Draft editions the viewer manages that could take this product (its maker is inside their
    region and the product is not listed there yet)."""
    if v.role not in supply.MANAGERS:
        return []
    listed = set(
        session.scalars(
            select(CatalogEntry.edition_id).where(
                CatalogEntry.product_id == product_id, CatalogEntry.removed_on.is_(None)
            )
        )
    )
    drafts = session.scalars(select(CatalogEdition).where(CatalogEdition.status == DRAFT)).all()
    return [
        edition_info(e)
        for e in drafts
        if supply.manages_region(v.actor, e.region_code)
        and maker_region.startswith(region_prefix(e.region_code))
        and e.id not in listed
    ]


@router.get("/products/demands")
def demands_page(
    request: Request,
    v: V,
    session: DB,
    q: Annotated[str, Query(max_length=100)] = "",
    region: Annotated[str, Query(pattern=r"^(\d{6})?$")] = "",
    status: Annotated[str, Query(pattern="^(open|all)$")] = "open",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
):
    prefix = supply.region_filter(region) if region else None
    query = supply.demand_query(status == "open", prefix, q)
    total = supply.count(session, query)
    rows = session.scalars(
        query.order_by(Demand.deadline.is_(None), Demand.deadline, Demand.id)
        .offset((page - 1) * DEMAND_PAGE)
        .limit(DEMAND_PAGE)
    ).all()
    places = session.execute(
        select(Demand.region_code, func.count())
        .where(Demand.withdrawn_run_id.is_(None))
        .group_by(Demand.region_code)
        .order_by(Demand.region_code)
    ).all()
    base = {k: val for k, val in (("q", q.strip()), ("region", region), ("status", status)) if val}
    return render(
        request,
        "demands.html",
        v,
        tabs=TABS,
        rows=[supply.demand_dict(d) for d in rows],
        total=total,
        q=q.strip(),
        region=region,
        status=status,
        regions=[(code, supply.full_place(code), n) for code, n in places],
        page=page,
        pages=max(1, -(-total // DEMAND_PAGE)),
        link=lambda **change: "/products/demands?" + urlencode({**base, **change}),
    )


@router.get("/products/demands/{demand_key}")
def demand_page(request: Request, v: V, session: DB, demand_key: DemandKey):
    demand = supply.demand_or_404(session, demand_key)
    result = own = None
    engine = request.app.state.engine
    if supply.sees_matches(v.actor, demand):
        result = supply.matches_for_demand(engine, v.actor, demand, 20)
    elif v.role == "enterprise" and session.scalar(
        select(Product.id).where(Product.uscc == v.actor.uscc, Product.withdrawn_run_id.is_(None)).limit(1)
    ):
        own = supply.own_matches(engine, v.actor, demand)  # a maker sees how its own products fit
    words = [] if result is None else [*result.demand.title_words, *result.demand.description_words]
    return render(
        request,
        "demand.html",
        v,
        tabs=TABS,
        demand=supply.demand_dict(demand),
        result=result,
        own=own,
        words=words,
        head=None if result is None else result.demand.head,
        place=supply.full_place,
    )


@router.get("/products/demands/{demand_key}/export")
def demand_export(request: Request, v: V, session: DB, demand_key: DemandKey):
    """The 对接清单 of a demand as Excel (需求信息 and 对接清单; every text cell a string cell)."""
    demand = supply.demand_or_404(session, demand_key)
    content, name = supply.demand_workbook(request.app.state.engine, v.actor, demand, 50)
    return xlsx(content, name)


@router.get("/products/{product_id}")
def product_page(request: Request, v: V, session: DB, product_id: ProductId):
    engine = request.app.state.engine
    product, maker = supply.product_or_404(session, product_id)
    item = supply.product_dict(session, v.actor, product, maker)
    demands = None
    if sees_enterprise(v.actor, maker.uscc, maker.region_code):
        found = supply.demands_for_product(engine, v.actor, product, maker, 10)
        rows = {
            d.id: d
            for d in session.scalars(select(Demand).where(Demand.id.in_([m.demand_key for m in found])))
        }
        demands = [(m, supply.demand_dict(rows[m.demand_key])) for m in found if m.demand_key in rows]
    return render(
        request,
        "product.html",
        v,
        tabs=TABS,
        item=item,
        product=product,
        maker=maker,
        industry=supply.industry_text(maker.industry_code),
        maker_link=sees_enterprise(v.actor, maker.uscc, maker.region_code),
        own=v.role == "enterprise" and v.actor.uscc == maker.uscc,
        demands=demands,
        drafts=_drafts_for(engine, v, maker.region_code, product.id, session),
        place=supply.full_place,
    )


@router.post("/products/{product_id}/catalog")
async def add_to_catalog(request: Request, v: V, product_id: ProductId):
    """选入目录 from a product's page: into one of the viewer's draft editions."""
    form = await read_form(request, v)
    back = f"/products/{product_id}"
    raw = str(form.get("edition_id") or "")
    if not raw.isdigit():
        return redirect(back, "请选择要选入的目录版次", "warn")
    note = str(form.get("note") or "").strip()[:500] or None
    engine = request.app.state.engine
    try:
        outcome = await run_in_threadpool(supply.add_products, engine, v.actor, int(raw), [product_id], note)
    except ServiceError as exc:
        if exc.status in (401, 403, 404):  # not the viewer's edition: the error page, as in catalogs
            raise
        return redirect(back, f"未选入:{exc}", "error")
    if outcome.added:
        return redirect(f"/products/catalogs/{raw}", "已选入目录(草稿,发布后生效)")
    if outcome.already:
        return redirect(back, "该产品已在这个目录中", "warn")
    return redirect(back, f"未选入:{outcome.refused.get(product_id, '')}", "error")
