"""Request and response bodies of the product platform's API (产品库、供需对接、产品目录、导入)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from huiqi.web.schemas import Id, Reason, _In

# ------------------------------------------------------------------ 智能检索


class HitOut(BaseModel):
    kind: str = Field(description="product(产品)或 enterprise(企业)")
    ref: str = Field(description="产品编号(数字)或企业的统一社会信用代码")
    product_id: int | None = Field(description="产品时为产品编号")
    uscc: str
    title: str = Field(description="产品名称或企业名称")
    maker: str | None = Field(description="产品的生产企业")
    category: str | None
    region_code: str
    region: str
    industry_code: str | None
    certifications: list[str] = Field(description="资质:产品本身的、所入目录、生产企业的认定")
    score: float = Field(description="相关度(越大越相关)")


class SearchOut(BaseModel):
    query: str
    words: list[str] = Field(description="检索词切分出的词")
    items: list[HitOut]
    total: int
    next: str | None
    relaxed: bool = Field(description="没有同时含全部词的结果时,放宽为含任一词")
    windowed: bool = Field(description="结果很多时只在最靠前的2000条中排序,总数仍准确")
    filters: dict[str, str]


# ------------------------------------------------------------------ products and demands


class ListingOut(BaseModel):
    edition_id: int
    title: str = Field(description="《济南市优势工业产品目录(2025年版)》")
    catalog: str
    status: str = Field(description="草稿或已发布")
    added_on: dt.date
    note: str | None
    removed_on: dt.date | None
    removed_reason: str | None
    in_force: bool = Field(description="已发布、在有效期内且未退出")


class ProductOut(BaseModel):
    id: int
    number: str | None = Field(description="企业自己的产品编号")
    name: str
    category: str | None
    description: str | None
    capacity: str | None
    certifications: list[str]
    uscc: str
    maker: str
    region_code: str
    region: str
    industry_code: str | None
    catalogs: list[ListingOut] = Field(description="列入的目录版次(您可查看的)")


class DemandOut(BaseModel):
    id: int = Field(description="平台内的需求编号(路径中使用)")
    demand_id: str = Field(description="需求方自己的需求编号")
    buyer: str
    buyer_uscc: str | None
    title: str
    description: str | None
    category: str | None
    region_code: str
    region: str
    deadline: dt.date | None
    open: bool = Field(description="未撤回且未过截止日期")
    days_left: int | None


class DemandList(BaseModel):
    items: list[DemandOut]
    total: int
    next: str | None


class MatchOut(BaseModel):
    demand_id: str
    demand_key: int = Field(description="平台内的需求编号")
    demand: str
    rank: int
    uscc: str
    maker: str
    product_id: int
    product: str
    region_code: str
    region: str
    score: float = Field(description="匹配得分 0–100")
    reason: str = Field(description="匹配理由(中文)")
    parts: dict[str, float] = Field(description="得分构成:text、category、certification、catalog、local")
    certifications: list[str]


class DemandMatchesOut(BaseModel):
    demand: DemandOut
    items: list[MatchOut]
    total: int
    candidates: int = Field(description="参与打分的候选产品数")


class ProductDemandsOut(BaseModel):
    product_id: int
    items: list[MatchOut]
    total: int


# ------------------------------------------------------------------ catalog editions


class EditionIn(_In):
    catalog: Annotated[
        str, Field(min_length=1, max_length=64, description="优势工业产品目录或政府首购创新产品目录")
    ]
    edition: Annotated[str, Field(min_length=1, max_length=64, description="版次,如 2025年版")]
    region: (
        Annotated[str, Field(min_length=2, max_length=40, description="发布地区:行政区划代码或地名")] | None
    ) = None
    criteria: Annotated[str, Field(min_length=1, max_length=2000, description="遴选标准")] | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class EditionOut(BaseModel):
    id: int
    catalog: str
    edition: str
    title: str
    region_code: str
    region: str
    level: str = Field(description="省级、市级或区县级")
    criteria: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    status: str = Field(description="草稿或已发布")
    published_on: dt.date | None
    listed: int = Field(description="入选产品数")
    removed: int = Field(description="已退出产品数")


class EditionList(BaseModel):
    items: list[EditionOut]
    total: int
    next: str | None


class EntryOut(BaseModel):
    product_id: int
    product: str
    category: str | None
    certifications: list[str]
    uscc: str
    maker: str
    region_code: str
    region: str
    added_on: dt.date
    note: str | None
    removed_on: dt.date | None
    removed_reason: str | None


class EditionDetail(EditionOut):
    entries: list[EntryOut] = Field(description="入选产品(含已退出的,带退出日期和原因)")


class AddProductsIn(_In):
    product_ids: Annotated[list[Id], Field(min_length=1, max_length=500)]
    note: Annotated[str, Field(min_length=1, max_length=500, description="入选说明")] | None = None


class Refused(BaseModel):
    product_id: int
    reason: str


class AddProductsOut(BaseModel):
    added: list[int]
    already: list[int] = Field(description="已在目录中")
    refused: list[Refused]
    edition: EditionOut


class RemovalIn(_In):
    reason: Reason


class PublishIn(_In):
    published_on: dt.date | None = Field(None, description="发布日期,默认今天")


# ------------------------------------------------------------------ imports


class RowErrorOut(BaseModel):
    row: int = Field(description="行号(表头为第1行)")
    column: str
    value: str
    reason: str


class ImportOut(BaseModel):
    kind: str
    kind_zh: str
    mode: str = Field(description="导入、替换或撤回")
    file_name: str
    sheet: str | None
    rows_total: int
    rows_new: int
    rows_changed: int
    rows_unchanged: int
    rows_withdrawn: int
    rows_bad: int = Field(description="有误未导入的行数")
    rows_warned: int = Field(description="已导入但请核实的行数")
    message: str
    errors: list[RowErrorOut] = Field(description="逐行错误(行号、列、值、原因),最多5000条")
    errors_total: int
    warnings: list[RowErrorOut]
