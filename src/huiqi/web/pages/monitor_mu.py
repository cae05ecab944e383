"""亩产效益 pages: the grades table with the distribution of grades, each enterprise's indicators
(value, benchmark, points), the enterprises left out for a missing figure, a run for officers;
an enterprise sees its own evaluation only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from huiqi.payout.errors import NotFound, ServiceError
from huiqi.web.pages import charts
from huiqi.web.pages.common import V, read_form, redirect, render
from huiqi.web.routes.monitor_lists import (
    READERS,
    Lists,
    district,
    mu_grades,
    mu_run,
    mu_scheme_indicators,
    mu_workbook,
    mu_years,
    read_scope,
    write_scope,
)

router = APIRouter()
PAGE = 100
YearQ = Annotated[int | None, Query(ge=2000, le=2100)]
Text = Annotated[str, Query(max_length=32)]


def _year(lists: Lists, year: int | None) -> int | None:
    if year is not None:
        return year
    stored = mu_years(lists.engine)
    return stored[0] if stored else lists.latest_year()


def _own_missing(lists: Lists, uscc: str, year: int):
    from sqlalchemy import select

    from huiqi.db.models import Enterprise

    with lists.engine.connect() as conn:
        own = conn.scalar(select(Enterprise.region_code).where(Enterprise.uscc == uscc))
    if own is None:
        return []
    return [r for r in lists.mu_missing(year, own).to_dicts() if r["uscc"] == uscc]


@router.get("/monitor/mu")
def mu_page(
    request: Request,
    v: V,
    year: YearQ = None,
    region: Text = "",
    grade: Annotated[str, Query(pattern=r"^[A-Z]?$")] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    """亩产效益评价: grades, their distribution and the missing figures (an enterprise: its own)."""
    from huiqi.web.pages.monitor import districts_in

    lists = Lists.of(request.app)
    chosen = _year(lists, year)
    if v.role == "enterprise":
        items = [] if chosen is None else mu_grades(lists.engine, chosen, None, uscc=v.actor.uscc)[0]
        if items:
            return mu_firm(request, v, v.actor.uscc or "", chosen)
        missing = [] if chosen is None else _own_missing(lists, v.actor.uscc or "", chosen)
        return render(request, "monitor_mu_firm.html", v, tab="mu", year=chosen, item=None, missing=missing,
                      chart=None, years=mu_years(lists.engine))  # fmt: skip
    v.need(*READERS)
    code = read_scope(v.actor, region or None)
    rows, total, counts = ([], 0, {}) if chosen is None else mu_grades(
        lists.engine, chosen, code, grade=grade or None, offset=(page - 1) * PAGE, limit=PAGE
    )  # fmt: skip
    missing = [] if chosen is None else lists.mu_missing(chosen, code).to_dicts()
    names = mu_scheme_indicators(lists.engine)
    for row in rows:
        row["points"] = {i["name"]: i["points"] for i in row["indicators"]}
    distribution = charts.hbar(
        [(f"{g}类", float(n)) for g, n in counts.items()], "亩产效益等级分布", unit="家"
    )
    return render(
        request,
        "monitor_mu.html",
        v,
        tab="mu",
        year=chosen,
        years=mu_years(lists.engine),
        region=region,
        districts=districts_in(lists.engine, read_scope(v.actor)),
        grade=grade,
        rows=rows,
        total=total,
        counts=counts,
        graded=sum(counts.values()),
        missing=missing,
        names=names,
        chart=distribution,
        page=page,
        pages=max(1, -(-total // PAGE)),
        can_run=v.role in ("officer", "admin"),
        scope_name=district(code),
        query_string=request.url.query,
    )


@router.get("/monitor/mu/export")
def mu_export(request: Request, v: V, year: YearQ = None, region: Text = ""):
    import polars as pl

    lists = Lists.of(request.app)
    chosen = _year(lists, year)
    if chosen is None:
        raise NotFound("还没有亩产效益评价结果")
    if v.role == "enterprise":
        items = mu_grades(lists.engine, chosen, None, uscc=v.actor.uscc, limit=None)[0]
        missing = pl.DataFrame(_own_missing(lists, v.actor.uscc or "", chosen) or None)
    else:
        v.need(*READERS)
        code = read_scope(v.actor, region or None)
        items = mu_grades(lists.engine, chosen, code, limit=None)[0]
        missing = lists.mu_missing(chosen, code)
    return mu_workbook(chosen, items, mu_scheme_indicators(lists.engine), missing)


@router.get("/monitor/mu/{uscc}")
def mu_firm(
    request: Request,
    v: V,
    uscc: Annotated[str, Path(pattern=r"^[0-9A-Za-z]{18}$")],
    year: YearQ = None,
):
    """One enterprise's evaluation: its score, grade and rank, each indicator's value against
    the benchmark and the points it earned, and the measures for its grade."""
    lists = Lists.of(request.app)
    chosen = _year(lists, year)
    uscc = uscc.upper()
    if v.role == "enterprise":
        if uscc != v.actor.uscc:
            raise NotFound("没有这家企业的评价结果,或它不在您可查看的范围内")
        code = None
    else:
        v.need(*READERS)
        code = read_scope(v.actor)
    items = [] if chosen is None else mu_grades(lists.engine, chosen, code, uscc=uscc)[0]
    item = items[0] if items else None
    missing = [] if item or chosen is None else _own_missing(lists, uscc, chosen)
    if item is None and not missing:
        raise NotFound("没有这家企业的评价结果,或它不在您可查看的范围内")
    chart = None
    if item:
        chart = charts.hbar(
            [(i["name"], [float(i["points"] or 0), float(i["weight"] or 0)]) for i in item["indicators"]],
            "各项指标得分与权重",
            unit="分",
            series=["得分", "权重(达到基准时的得分)"],
        )
    return render(request, "monitor_mu_firm.html", v, tab="mu", year=chosen, item=item, missing=missing,
                  chart=chart, years=mu_years(lists.engine))  # fmt: skip


@router.post("/monitor/mu/run")
async def mu_run_page(request: Request, v: V):
    """Run the evaluation of a year for the viewer's area (an admin: everywhere)."""
    v.need("officer", "admin")
    form = await read_form(request, v)
    back = "/monitor/mu"
    lists = Lists.of(request.app)
    try:
        year = int(str(form.get("year") or 0)) or lists.latest_year()
        if year is None or not 2000 <= year <= 2100:
            return redirect(back, "请填写评价年度(如 2025)", "warn")
        code = write_scope(v.actor, None)
        summary = mu_run(lists.engine, v.actor, year, code)
    except ValueError:
        return redirect(back, "评价年度应为四位数字,如 2025", "error")
    except ServiceError as exc:
        return redirect(back, f"未评价:{exc}", "error")
    lists.changed()
    grades = "、".join(f"{g}类 {n} 家" for g, n in summary["grades"].items()) or "无"
    return redirect(
        f"{back}?year={year}",
        f"{year}年{district(code)}亩产效益评价完成:参评 {summary['scored']} 家({grades}),"
        f"缺数据未评价 {summary['missing']} 家",
    )
