"""亩产效益 over HTTP: run an evaluation (stored, replacing the earlier run of the same year and
region), the grades in force with each indicator's value, benchmark and points, the enterprises
left out for a missing figure, and the Excel file. An enterprise sees its own row only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from huiqi.accounts.users import Actor
from huiqi.payout.errors import Invalid
from huiqi.web.deps import Me, Paging
from huiqi.web.errors import RESPONSES
from huiqi.web.routes.monitor_lists import (
    Lists,
    mu_grades,
    mu_run,
    mu_scheme_indicators,
    mu_workbook,
    mu_years,
    page_of,
    read_scope,
    write_scope,
)
from huiqi.web.schemas_monitor import MuGradeList, MuMissingList, MuRunIn, MuRunOut

router = APIRouter(responses=RESPONSES)
TAG = ["亩产效益"]
YearQ = Annotated[int | None, Query(ge=2000, le=2100, description="评价年度,默认有评价结果的最新年度")]
RegionQ = Annotated[str | None, Query(max_length=32, description="行政区划代码、前缀或地名")]
GradeQ = Annotated[str | None, Query(pattern=r"^[A-Z]$", description="只看该等级")]


def scope(me: Actor, region: str | None) -> tuple[str | None, str | None]:
    """(region code, credit code): an enterprise sees itself only, whatever it asks."""
    if me.role == "enterprise":
        return None, me.uscc
    return read_scope(me, region), None


def year_of(lists: Lists, year: int | None) -> int | None:
    if year is not None:
        return year
    stored = mu_years(lists.engine)
    return stored[0] if stored else lists.latest_year()


@router.post("/mu-runs", response_model=MuRunOut, status_code=201, tags=TAG, summary="开展亩产效益评价")
def create_run(body: MuRunIn, request: Request, me: Me) -> dict:
    """对有用地面积的企业按亩均税收等指标打分、按组内排名分 A/B/C/D 类并保存;同一年度和地区再评价时替换上次结果。
    经办人员评价本地区,管理员可评价任意地区或全部;所用评价办法版本随结果记录。"""
    code = write_scope(me, body.region)
    lists = Lists.of(request.app)
    year = body.year or lists.latest_year()
    if year is None:
        raise Invalid("指标表中没有年度数据,无法开展亩产效益评价", "year")
    summary = mu_run(lists.engine, me, year, code)
    lists.changed()
    return summary


@router.get("/mu-grades", response_model=MuGradeList, tags=TAG, summary="亩产效益评价结果")
def grades(
    request: Request,
    me: Me,
    page: Paging,
    year: YearQ = None,
    region: RegionQ = None,
    grade: GradeQ = None,
) -> dict:
    """每家企业最近一次评价的得分、等级、组内名次,每项指标的数值、基准和得分,以及该等级的差别化措施。
    企业只看到自己的一行。"""
    code, uscc = scope(me, region)
    lists = Lists.of(request.app)
    chosen = year_of(lists, year)
    if chosen is None:
        return {"year": None, "region": code, "grades": {}, "items": [], "total": 0, "next": None}
    offset = page.after or 0
    items, total, counts = mu_grades(
        lists.engine, chosen, code, uscc=uscc, grade=grade, offset=offset, limit=page.limit
    )
    after = str(offset + page.limit) if offset + page.limit < total else None
    return {"year": chosen, "region": code, "grades": counts, "items": items, "total": total, "next": after}


def _missing(lists: Lists, me: Actor, year: int, region: str | None):
    import polars as pl

    if me.role == "enterprise":
        from sqlalchemy import select

        from huiqi.db.models import Enterprise

        with lists.engine.connect() as conn:
            own = conn.scalar(select(Enterprise.region_code).where(Enterprise.uscc == me.uscc))
        if own is None:
            return None
        return lists.mu_missing(year, own).filter(pl.col("uscc") == me.uscc)
    return lists.mu_missing(year, read_scope(me, region))


@router.get("/mu-missing", response_model=MuMissingList, tags=TAG, summary="缺数据未评价的企业")
def missing(request: Request, me: Me, page: Paging, year: YearQ = None, region: RegionQ = None) -> dict:
    """有用地面积但缺少某项数据(或除数为0)的企业和所缺内容,按现有数据计算;这些企业不评等级。"""
    lists = Lists.of(request.app)
    chosen = year_of(lists, year)
    frame = None if chosen is None else _missing(lists, me, chosen, region)
    rows = [] if frame is None else frame.to_dicts()
    page_rows, after = page_of(rows, page.after or 0, page.limit)
    code, _ = scope(me, region)
    return {"year": chosen, "region": code, "items": page_rows, "total": len(rows), "next": after}


@router.get("/mu-grades/export", tags=TAG, summary="亩产效益评价结果(Excel)", response_class=Response)
def export(request: Request, me: Me, year: YearQ = None, region: RegionQ = None) -> Response:
    """两张表:亩产效益评价(每项指标的数值和得分)与缺数据企业。"""
    import polars as pl

    code, uscc = scope(me, region)
    lists = Lists.of(request.app)
    chosen = year_of(lists, year)
    if chosen is None:
        raise Invalid("还没有亩产效益评价结果,也没有年度数据", "year")
    items, _, _ = mu_grades(lists.engine, chosen, code, uscc=uscc, limit=None)
    left = _missing(lists, me, chosen, region)
    empty = pl.DataFrame(schema={"uscc": pl.String})
    return mu_workbook(chosen, items, mu_scheme_indicators(lists.engine), empty if left is None else left)
