"""政策库 and 审核: the library, one document with its reviewed reading, corrections,
confirmations, exclusions, publication and the gold export."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from fastapi.responses import PlainTextResponse
from sqlalchemy import func, select

from huiqi.db.models import Document, DocumentVersion, Publication
from huiqi.payout.errors import NotFound
from huiqi.review import service
from huiqi.review.fields import IncentivePatch, StackingPatch, TargetPatch, TaskPatch
from huiqi.review.gold import gold_file_name, gold_yaml
from huiqi.review.items import item_id, parse_item_id
from huiqi.review.overlay import Item, ReviewNote, VersionReview, review_version
from huiqi.web.deps import DB, Me, Paging
from huiqi.web.errors import RESPONSES
from huiqi.web.schemas import (
    DecisionIn,
    DismissIn,
    DocumentList,
    DocumentOut,
    DocumentSummary,
    ItemOut,
    PublicationOut,
    PublishIn,
    ReviewNoteOut,
    VersionOut,
)

router = APIRouter(tags=["政策库与审核"], responses=RESPONSES)
DocumentId = Annotated[int, Path(ge=1, le=2**31 - 1, description="文件编号")]
ItemId = Annotated[str, Path(pattern=r"^\d{1,9}-\d{1,6}$", description="条目编号:版本id-序号")]


def _note(note: ReviewNote) -> ReviewNoteOut:
    return ReviewNoteOut(**asdict(note))


def item_out(version_id: int, item: Item) -> ItemOut:
    return ItemOut(
        id=item_id(version_id, item.index),
        section=item.section,
        index=item.index,
        key=item.key,
        status=item.status,
        flagged=item.flagged,
        blocking=item.blocking,
        reading=item.reading,
        machine=item.machine,
        history=[_note(n) for n in item.history],
        needs_look=[_note(n) for n in item.needs_look],
    )


def _published(session, document_ids: list[int]) -> dict[int, Publication]:
    if not document_ids:
        return {}
    newest = (
        select(func.max(Publication.id))
        .where(Publication.document_id.in_(document_ids))
        .group_by(Publication.document_id)
        .scalar_subquery()
    )
    return {p.document_id: p for p in session.scalars(select(Publication).where(Publication.id.in_(newest)))}


@router.get("/documents", response_model=DocumentList, summary="政策库")
def list_documents(
    session: DB,
    me: Me,
    page: Paging,
    q: Annotated[str | None, Query(max_length=100, description="在标题、地区中查找")] = None,
) -> DocumentList:
    """所有文件(最新版本),可按标题或地区查找;pending_review 为阻止发布的待审核处数。"""
    query = select(Document)
    if q and q.strip():
        term = q.strip()
        query = query.where(
            Document.title.contains(term, autoescape=True) | Document.region.contains(term, autoescape=True)
        )
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    if page.after is not None:
        query = query.where(Document.id > page.after)
    documents = list(session.scalars(query.order_by(Document.id).limit(page.limit)))
    published = _published(session, [d.id for d in documents])
    items = []
    for document in documents:
        version = service.latest_version(session, document.id)
        meta = version.extraction.get("document") or {}
        pub = published.get(document.id)
        pub_version = session.get(DocumentVersion, pub.document_version_id).version if pub else None
        items.append(
            DocumentSummary(
                id=document.id,
                name=document.name,
                title=document.title,
                doc_number=meta.get("doc_number"),
                region=document.region,
                level=document.level,
                version=version.version,
                version_id=version.id,
                issued_on=meta.get("issued_on"),
                expires_on=meta.get("expires_on"),
                published_version=pub_version,
                published_at=pub.published_at if pub else None,
                pending_review=len(review_version(session, version).blocking()),
            )
        )
    last = documents[-1].id if len(documents) == page.limit else None
    return DocumentList(items=items, total=total, next=None if last is None else str(last))


def _version(session, document_id: int, version: int | None) -> DocumentVersion:
    if version is None:
        return service.latest_version(session, document_id)
    found = session.scalar(
        select(DocumentVersion).where(
            DocumentVersion.document_id == document_id, DocumentVersion.version == version
        )
    )
    if found is None:
        raise NotFound(f"文件 {document_id} 没有第{version}版", "version")
    return found


def document_out(session, document: Document, state: VersionReview) -> DocumentOut:
    version = state.version
    versions = list(
        session.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == document.id)
            .order_by(DocumentVersion.version)
        )
    )
    published_ids = set(
        session.scalars(select(Publication.document_version_id).where(Publication.document_id == document.id))
    )
    pub = service.latest_publication(session, document.id)
    pub_version = next((v.version for v in versions if pub and v.id == pub.document_version_id), None)
    return DocumentOut(
        id=document.id,
        name=document.name,
        title=document.title,
        document=version.extraction.get("document") or {},
        version=version.version,
        version_id=version.id,
        latest=version.id == versions[-1].id,
        published_version=pub_version,
        incentives=[item_out(version.id, i) for i in state.items["incentives"]],
        targets=[item_out(version.id, i) for i in state.items["targets"]],
        tasks=[item_out(version.id, i) for i in state.items["tasks"]],
        stacking=[item_out(version.id, i) for i in state.items["stacking"]],
        blocking=state.blocking(),
        orphans=[_note(n) for n in state.orphans],
        versions=[
            VersionOut(
                id=v.id,
                version=v.version,
                ingested_at=v.ingested_at,
                sha256=v.sha256,
                published=v.id in published_ids,
            )
            for v in versions
        ],
    )


@router.get("/documents/{document_id}", response_model=DocumentOut, summary="文件详情(含审核状态)")
def get_document(
    document_id: DocumentId,
    session: DB,
    me: Me,
    version: Annotated[int | None, Query(ge=1, le=100000, description="第几版,默认最新")] = None,
) -> DocumentOut:
    """文件要素,以及奖补条款、目标、任务、叠加规则:机器读取值、审核后的值、审核记录、哪些需要重新确认。"""
    document = service.document_or_404(session, document_id)
    state = review_version(session, _version(session, document_id, version))
    return document_out(session, document, state)


def _parse(item: str) -> tuple[int, int]:
    parsed = parse_item_id(item)
    if parsed is None:
        raise NotFound("条目编号应为 版本id-序号")
    return parsed


def _correct(section: str, item: str, body: Any, session, me) -> ItemOut:
    version_id, index = _parse(item)
    result = service.correct(session, me, section, version_id, index, body.model_dump(exclude_unset=True))
    session.commit()
    return item_out(version_id, result)


@router.patch("/incentives/{item}", response_model=ItemOut, summary="更正奖补条款")
def patch_incentive(item: ItemId, body: IncentivePatch, session: DB, me: Me) -> ItemOut:
    """只传要更正的字段,外加 reason。记录更正人、时间、更正前后的值。"""
    return _correct("incentives", item, body, session, me)


@router.patch("/targets/{item}", response_model=ItemOut, summary="更正目标")
def patch_target(item: ItemId, body: TargetPatch, session: DB, me: Me) -> ItemOut:
    return _correct("targets", item, body, session, me)


@router.patch("/tasks/{item}", response_model=ItemOut, summary="更正任务")
def patch_task(item: ItemId, body: TaskPatch, session: DB, me: Me) -> ItemOut:
    return _correct("tasks", item, body, session, me)


@router.patch("/stacking/{item}", response_model=ItemOut, summary="更正叠加规则")
def patch_stacking(item: ItemId, body: StackingPatch, session: DB, me: Me) -> ItemOut:
    return _correct("stacking", item, body, session, me)


ACTION_ZH = {"confirm": "确认无误", "exclude": "排除(不作为奖补执行)", "restore": "撤销排除"}


def _decision_route(section: str, action: str) -> None:
    def endpoint(item: ItemId, body: DecisionIn, session: DB, me: Me) -> ItemOut:
        version_id, index = _parse(item)
        result = service.decide(session, me, section, version_id, index, action, body.reason)
        session.commit()
        return item_out(version_id, result)

    endpoint.__name__ = f"{action}_{section}"
    router.post(
        f"/{section}/{{item}}/{action}",
        response_model=ItemOut,
        summary=f"{ACTION_ZH[action]}",
        description=f"对一行{ACTION_ZH[action]},须写理由。",
    )(endpoint)


for _section in ("incentives", "targets", "tasks", "stacking"):
    for _action in ("confirm", "exclude", "restore"):
        _decision_route(_section, _action)


@router.post("/documents/{document_id}/dismiss", response_model=DocumentOut, summary="撤销失效的审核记录")
def dismiss(document_id: DocumentId, body: DismissIn, session: DB, me: Me) -> DocumentOut:
    """旧版本上的审核意见所指的行在新版本中已不存在时,确认其失效(须写理由)。"""
    state = service.dismiss_orphan(session, me, document_id, body.review_id, body.reason)
    session.commit()
    return document_out(session, service.document_or_404(session, document_id), state)


@router.post(
    "/documents/{document_id}/publish", response_model=PublicationOut, status_code=201, summary="发布"
)
def publish(
    document_id: DocumentId, session: DB, me: Me, body: Annotated[PublishIn, Body()]
) -> PublicationOut:
    """发布最新版本的审核结果;仍有待审核的行时返回 409 并列出原因。只有已发布的文件参与兑付。"""
    publication = service.publish(session, me, document_id, body.reason)
    session.commit()
    return PublicationOut(
        id=publication.id,
        document_id=publication.document_id,
        version_id=publication.document_version_id,
        reading_sha256=publication.reading_sha256,
        published_at=publication.published_at,
    )


class YamlResponse(PlainTextResponse):
    media_type = "application/yaml"


@router.get(
    "/documents/{document_id}/gold",
    response_class=YamlResponse,
    summary="导出金标准(YAML)",
    responses={
        200: {
            "content": {
                "application/yaml": {"schema": {"type": "object", "required": ["document", "incentives"]}}
            },
            "description": "评分脚本格式的 YAML(../shared/gold)",
        }
    },
)
def export_gold(
    document_id: DocumentId,
    session: DB,
    me: Me,
    version: Annotated[int | None, Query(ge=1, le=100000)] = None,
) -> YamlResponse:
    """审核后的读取结果,按 ../shared/gold 的格式导出;每条更正在 note 中写明。"""
    document = service.document_or_404(session, document_id)
    state = review_version(session, _version(session, document_id, version))
    name = gold_file_name(document.name)
    return YamlResponse(
        gold_yaml(state),
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(name)}"},
    )


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
