"""产品目录 over HTTP: editions of 优势工业产品目录 and 政府首购创新产品目录 — list, create,
propose candidates, select products with a note, take one out with the reason, publish, and the
published Excel. Officers manage the editions of their region, admins any (:mod:`huiqi.web.supply`);
every change is in the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from huiqi.web import supply
from huiqi.web.deps import Me
from huiqi.web.errors import RESPONSES
from huiqi.web.routes.catalog import XLSX_RESPONSE, hit_out, xlsx
from huiqi.web.schemas_catalog import (
    AddProductsIn,
    AddProductsOut,
    EditionDetail,
    EditionIn,
    EditionList,
    EditionOut,
    EntryOut,
    PublishIn,
    Refused,
    RemovalIn,
    SearchOut,
)

router = APIRouter(tags=["产品目录"], responses=RESPONSES)
EditionId = Annotated[int, Path(ge=1, le=2**31 - 1, description="目录版次编号")]
ProductId = Annotated[int, Path(ge=1, le=2**31 - 1, description="产品编号")]


def edition_out(info) -> EditionOut:
    return EditionOut(**supply.edition_dict(info))


def detail(engine, info) -> EditionDetail:
    rows = supply.edition_entries(engine, info.id)
    return EditionDetail(
        **supply.edition_dict(info),
        entries=[
            EntryOut(**{k: r[k] for k in EntryOut.model_fields if k != "region"}, region=r["region"])
            for r in rows
        ],
    )


@router.get("/catalogs", response_model=EditionList, summary="产品目录版次列表")
def list_editions(request: Request, me: Me) -> EditionList:
    """已发布的版次人人可见;草稿只对负责该地区的经办人员、管理员以及财政、审计可见。"""
    found = supply.visible_editions(request.app.state.engine, me)
    return EditionList(items=[edition_out(e) for e in found], total=len(found), next=None)


@router.post("/catalogs", response_model=EditionOut, status_code=201, summary="新建目录版次")
def create(body: EditionIn, request: Request, me: Me) -> EditionOut:
    """经办人员为本地区(默认本人负责的地区)新建一个草稿版次;遴选标准和有效期年限默认取目录的设定。"""
    info = supply.create_edition(
        request.app.state.engine,
        me,
        body.catalog,
        body.edition,
        body.region,
        body.criteria,
        body.valid_from,
        body.valid_to,
    )
    return edition_out(info)


@router.get("/catalogs/{edition_id}", response_model=EditionDetail, summary="一个目录版次及其产品")
def get(edition_id: EditionId, request: Request, me: Me) -> EditionDetail:
    engine = request.app.state.engine
    return detail(engine, supply.edition_for(engine, me, edition_id))


@router.get("/catalogs/{edition_id}/candidates", response_model=SearchOut, summary="遴选候选产品")
def candidates(
    edition_id: EditionId,
    request: Request,
    me: Me,
    q: Annotated[str, Query(max_length=100, description="检索词;留空列出本地区全部产品")] = "",
    industry: Annotated[str | None, Query(max_length=40, description="行业")] = None,
    certification: Annotated[str | None, Query(max_length=40, description="资质")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> SearchOut:
    """本版次发布地区内的产品(按检索词、行业、资质),供经办人员遴选。"""
    engine = request.app.state.engine
    info = supply.managed_edition(engine, me, edition_id)
    result = supply.candidates(engine, info, q, industry, certification, limit)
    return SearchOut(
        query=result.query,
        words=result.words,
        items=[hit_out(h) for h in result.items],
        total=result.total,
        next=None,
        relaxed=result.relaxed,
        windowed=result.windowed,
        filters=result.filters,
    )


@router.post("/catalogs/{edition_id}/products", response_model=AddProductsOut, summary="选入产品")
def add_products(edition_id: EditionId, body: AddProductsIn, request: Request, me: Me) -> AddProductsOut:
    """草稿版次中选入产品(可附入选说明)。不在发布地区内或已撤回的产品不选入,逐个说明原因。"""
    engine = request.app.state.engine
    outcome = supply.add_products(engine, me, edition_id, body.product_ids, body.note)
    return AddProductsOut(
        added=outcome.added,
        already=outcome.already,
        refused=[Refused(product_id=k, reason=v) for k, v in sorted(outcome.refused.items())],
        edition=edition_out(supply.edition_for(engine, me, edition_id)),
    )


@router.post(
    "/catalogs/{edition_id}/products/{product_id}/removal",
    response_model=EditionDetail,
    summary="产品退出目录",
)
def remove_product(
    edition_id: EditionId, product_id: ProductId, body: RemovalIn, request: Request, me: Me
) -> EditionDetail:
    """任何时候都可让产品退出(如抽检不合格、失信,强制退出),退出日期和原因保留并列入 Excel 的“已退出”表。"""
    engine = request.app.state.engine
    supply.remove_product(engine, me, edition_id, product_id, body.reason)
    return detail(engine, supply.edition_for(engine, me, edition_id))


@router.post("/catalogs/{edition_id}/publish", response_model=EditionOut, summary="发布目录版次")
def publish(edition_id: EditionId, request: Request, me: Me, body: PublishIn | None = None) -> EditionOut:
    """发布草稿版次(默认今天);有效期未设定时自发布日起按目录的年限计算。发布后不能再增加产品。"""
    on = body.published_on if body else None
    return edition_out(supply.publish(request.app.state.engine, me, edition_id, on))


@router.get(
    "/catalogs/{edition_id}/xlsx",
    response_class=Response,
    responses=XLSX_RESPONSE,
    summary="下载目录版次(Excel)",
)
def download(edition_id: EditionId, request: Request, me: Me) -> Response:
    """说明、入选产品、已退出三个工作表;所有文字单元格均为文本。"""
    engine = request.app.state.engine
    info = supply.edition_for(engine, me, edition_id)
    content, name = supply.edition_workbook(engine, info)
    return xlsx(content, name)
