"""工业产品信息平台 over HTTP: 智能检索 of products and enterprises, a product and the open
demands it could serve, demands with their ranked suppliers and the 对接清单 in Excel.

Who may see what is :mod:`huiqi.web.supply`'s (the pages read through the same functions).
Catalog editions are in :mod:`huiqi.web.routes.catalog_editions`, imports in
:mod:`huiqi.web.routes.imports`.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from huiqi.db.models import Demand
from huiqi.web import supply
from huiqi.web.deps import DB, Me, Paging
from huiqi.web.errors import RESPONSES
from huiqi.web.schemas_catalog import (
    DemandList,
    DemandMatchesOut,
    DemandOut,
    HitOut,
    MatchOut,
    ProductDemandsOut,
    ProductOut,
    SearchOut,
)

router = APIRouter(tags=["产品库与供需对接"], responses=RESPONSES)
ProductId = Annotated[int, Path(ge=1, le=2**31 - 1, description="产品编号")]
DemandKey = Annotated[int, Path(ge=1, le=2**31 - 1, description="平台内的需求编号(DemandOut.id)")]
Limit = Annotated[int, Query(ge=1, le=200, description="最多列出几条,默认20")]
Filter = Annotated[str | None, Query(min_length=1, max_length=40)]
XLSX_RESPONSE = {
    200: {
        "content": {supply.XLSX: {"schema": {"type": "string", "format": "binary"}}},
        "description": "Excel 工作簿",
    }
}


def xlsx(content: bytes, name: str) -> Response:
    """An Excel download; the file name in Chinese (RFC 5987)."""
    return Response(
        content,
        media_type=supply.XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def hit_out(hit) -> HitOut:
    return HitOut(
        **hit.to_dict(),
        product_id=int(hit.ref) if hit.kind == "product" else None,
        region=supply.full_place(hit.region_code),
    )


@router.get("/search", response_model=SearchOut, summary="智能检索产品和企业")
def search(
    request: Request,
    me: Me,
    q: Annotated[
        str, Query(max_length=100, description="检索词,如 数控机床、盾构机 刀盘;可留空只按条件筛选")
    ] = "",
    kind: Annotated[Literal["product", "enterprise"], Query(description="检索产品或企业")] = "product",
    region: Annotated[str | None, Query(max_length=40, description="地区:行政区划代码或地名")] = None,
    industry: Annotated[str | None, Query(max_length=40, description="行业:门类、行业代码或大类名称")] = None,
    certification: Annotated[
        str | None, Query(max_length=40, description="资质:首台(套)、优势工业产品目录、专精特新小巨人等")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="每页条数")] = 20,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,4}$", description="上一页返回的 next")] = None,
) -> SearchOut:
    """按中文分词和同义词(数控机床/加工中心/CNC)检索,按相关度排序;可按地区、行业、资质筛选。任何已登录用户可用。"""
    offset = int(cursor or 0)
    result = supply.search(request.app.state.engine, q, kind, region, industry, certification, limit, offset)
    following = offset + len(result.items)
    return SearchOut(
        query=result.query,
        words=result.words,
        items=[hit_out(h) for h in result.items],
        total=result.total,
        next=str(following) if result.items and following < min(result.total, 10_000) else None,
        relaxed=result.relaxed,
        windowed=result.windowed,
        filters=result.filters,
    )


@router.get("/products/{product_id}", response_model=ProductOut, summary="一个产品")
def product(product_id: ProductId, session: DB, me: Me) -> ProductOut:
    """产品、生产企业及其所入目录(任何已登录用户可查看)。"""
    item, maker = supply.product_or_404(session, product_id)
    return ProductOut(**supply.product_dict(session, me, item, maker))


@router.get("/products/{product_id}/demands", response_model=ProductDemandsOut, summary="产品可对接的需求")
def product_demands(
    product_id: ProductId, request: Request, session: DB, me: Me, limit: Limit = 20
) -> ProductDemandsOut:
    """该产品可满足的未截止需求,按匹配度排序并附理由。生产企业本身、所在地区的经办人员、财政、审计、管理员可查看。"""
    item, maker = supply.product_or_404(session, product_id)
    found = supply.demands_for_product(request.app.state.engine, me, item, maker, limit)
    return ProductDemandsOut(
        product_id=item.id, items=[MatchOut(**supply.match_dict(m)) for m in found], total=len(found)
    )


@router.get("/demands", response_model=DemandList, summary="需求列表")
def demands(
    session: DB,
    me: Me,
    page: Paging,
    status: Annotated[Literal["open", "all"], Query(description="open:未截止的(默认);all:全部")] = "open",
    region: Annotated[str | None, Query(max_length=40, description="地区:行政区划代码或地名")] = None,
    q: Annotated[str | None, Query(max_length=100, description="需求名称、需求方或需求编号中的文字")] = None,
) -> DemandList:
    """重大工程项目、政府采购和企业的需求(任何已登录用户可查看)。"""
    prefix = supply.region_filter(region) if region else None
    query = supply.demand_query(status == "open", prefix, q)
    total = supply.count(session, query)
    if page.after is not None:
        query = query.where(Demand.id > page.after)
    rows = list(session.scalars(query.order_by(Demand.id).limit(page.limit)))
    last = rows[-1].id if len(rows) == page.limit else None
    return DemandList(
        items=[DemandOut(**supply.demand_dict(d)) for d in rows],
        total=total,
        next=None if last is None else str(last),
    )


@router.get("/demands/{demand_key}", response_model=DemandOut, summary="一个需求")
def demand(demand_key: DemandKey, session: DB, me: Me) -> DemandOut:
    return DemandOut(**supply.demand_dict(supply.demand_or_404(session, demand_key)))


@router.get("/demands/{demand_key}/matches", response_model=DemandMatchesOut, summary="需求的供需对接结果")
def demand_matches(
    demand_key: DemandKey, request: Request, session: DB, me: Me, limit: Limit = 20
) -> DemandMatchesOut:
    """本地供应产品按匹配度排序,每条附中文理由(文本相关度、类别、资质、入选目录、本地优先)。需求方企业、需求地区的经办人员、财政、审计、管理员可查看。"""
    row = supply.demand_or_404(session, demand_key)
    result = supply.matches_for_demand(request.app.state.engine, me, row, limit)
    return DemandMatchesOut(
        demand=DemandOut(**supply.demand_dict(row)),
        items=[MatchOut(**supply.match_dict(m)) for m in result.matches],
        total=len(result.matches),
        candidates=result.candidates,
    )


@router.get(
    "/demands/{demand_key}/matches/xlsx",
    response_class=Response,
    responses=XLSX_RESPONSE,
    summary="下载需求的对接清单(Excel)",
)
def demand_matches_xlsx(
    demand_key: DemandKey, request: Request, session: DB, me: Me, limit: Limit = 50
) -> Response:
    """需求信息和对接清单两个工作表;所有文字单元格均为文本,不会被当作公式。"""
    row = supply.demand_or_404(session, demand_key)
    content, name = supply.demand_workbook(request.app.state.engine, me, row, limit)
    return xlsx(content, name)
