"""The web pages (网页端): server-rendered Chinese pages for enterprises, officers, finance and
auditors, on the same service functions as the API (``/api/v1``).

:func:`install` mounts them on the app at ``/``: the page routes (left out of the OpenAPI
document), the static files under ``/static`` (the pages' own CSS, script and icon; nothing is
fetched from elsewhere), the background jobs, and error handling that answers a page with an
HTML page in Chinese while the API keeps its JSON errors. See ``docs/web.md``.
"""

from __future__ import annotations

import logging
import re
import threading
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from huiqi.payout.errors import ServiceError
from huiqi.web.errors import validation_message
from huiqi.web.pages.common import STATIC, LoginRequired, error_page, login_redirect
from huiqi.web.pages.jobs import Jobs

log = logging.getLogger("huiqi.web.pages")
API = "/api/"


def _page_error(request: Request, exc: Exception):
    """The page's answer to a failure: sign in again, or an error page with one Chinese line."""
    if isinstance(exc, LoginRequired) or (isinstance(exc, ServiceError) and exc.status == 401):
        return login_redirect(request)
    if isinstance(exc, ServiceError):
        return error_page(request, exc.status, str(exc))
    if isinstance(exc, RequestValidationError):
        problems = list(exc.errors())
        if any(p.get("loc", ("",))[0] == "path" for p in problems):
            return error_page(request, 404, "没有这个页面,或它不属于您。请检查地址。")
        message, _ = validation_message(problems)
        reason = re.sub(r"^字段 [\w.]+:", "", message)  # the page's words, not a parameter's name
        return error_page(request, 422, f"地址中的查询条件不正确({reason}),请从页面上的链接或按钮进入。")
    if isinstance(exc, StarletteHTTPException):
        if exc.status_code == 404:
            return error_page(request, 404, "没有这个页面,或它不属于您。请检查地址。")
        if exc.status_code == 405:
            return error_page(request, 405, "这个地址不接受这种请求方式,请从页面上的链接或按钮进入。")
        return error_page(request, 400, "请求有误,请返回重试。")
    if isinstance(exc, IntegrityError):
        log.warning("integrity error on a page: %s", exc.orig)
        return error_page(request, 409, "数据库拒绝了这次修改(与已有记录冲突或违反规则),没有保存任何内容。")
    if isinstance(exc, OperationalError):
        log.error("database error on a page: %s", exc.orig)
        return error_page(request, 503, "数据库暂时无法处理请求,请稍后再试。")
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, 500, "服务器内部错误,请稍后再试(问题已记录)。")


def _either(api_handler):
    async def handler(request: Request, exc: Exception):
        if request.url.path.startswith(API):
            return await api_handler(request, exc)
        return _page_error(request, exc)

    return handler


def _warm_up(app: FastAPI) -> None:
    """Load the tokenizer and index the policy library in the background at start-up, so the
    first search does not wait for it."""

    def run() -> None:
        from huiqi.search import policy

        try:
            with app.state.sessions() as session:
                policy.sync(session)
                session.commit()
        except Exception:  # the library page indexes on demand anyway
            log.exception("search index warm-up failed")

    threading.Thread(target=run, name="huiqi-search-warm-up", daemon=True).start()


def install(app: FastAPI) -> None:
    """Mount the pages on ``app`` (after the API's routers and error handlers)."""
    from huiqi.web.pages import (
        audit,
        catalogs,
        desk,
        enterprise,
        finance,
        imports,
        jobs_view,
        library,
        login,
        monitor,
        products,
        review,
        simulate,
    )

    app.state.jobs = Jobs()
    modules = (login, library, review, enterprise, desk, finance, simulate, imports, jobs_view, audit)
    # 产品目录 before 产品库: /products/catalogs must not be read as a product's number
    for module in (*modules, catalogs, products):
        app.include_router(module.router, include_in_schema=False)
    app.include_router(monitor.router, include_in_schema=False)  # 运行监测, 亩产效益, 督查督办
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for exc_class, handler in list(app.exception_handlers.items()):
        app.exception_handlers[exc_class] = _either(handler)
    app.exception_handlers[LoginRequired] = lambda request, exc: login_redirect(request)
    running = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(started):
        _warm_up(app)
        async with running(started) as state:
            yield state

    app.router.lifespan_context = lifespan
