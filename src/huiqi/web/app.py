"""The FastAPI application: every router under /api/v1, errors in the contract's shape, and the
web pages at ``/`` (:mod:`huiqi.web.pages`).

``create_app(url)`` builds the app over a database (default: the command line's, from
``HUIQI_DATABASE_URL`` / ``HUIQI_DATA_DIR``), bringing its schema up to date first. Evidence
files are kept under the data directory. The OpenAPI document is at ``/api/v1/openapi.json``.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from sqlalchemy.orm import sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from huiqi.db.engine import data_dir, database_url, make_engine
from huiqi.db.migrate import upgrade
from huiqi.payout.evidence import max_bytes
from huiqi.web import errors
from huiqi.web.deps import TokenCache
from huiqi.web.routes import (
    admin,
    applications,
    catalog,
    catalog_editions,
    documents,
    enterprises,
    imports,
    monitor,
    payouts,
    session,
)

PREFIX = "/api/v1"
OPENAPI = f"{PREFIX}/openapi.json"


class BodyLimit:
    """Refuse a request body larger than the upload limit (plus room for the form around it)
    before it is read in full, whatever Content-Length says. ``larger`` names the addresses
    that take bigger files (the registry import page) and their own limit."""

    def __init__(self, app: ASGIApp, limit: int, larger: dict[str, int] | None = None) -> None:
        self.app, self.limit, self.larger = app, limit, larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope.get("path", ""), self.limit)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(scope, send, limit)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise errors_too_large(limit)
            return message

        await self.app(scope, counted, send)


def errors_too_large(limit: int) -> Exception:
    from huiqi.payout.errors import TooLarge

    return TooLarge(f"请求内容超过{limit // (1024 * 1024)}MB 的上限", "file")


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    message = f"请求内容超过{limit // (1024 * 1024)}MB 的上限"
    if scope.get("path", "").startswith(f"{PREFIX}/") or "app" not in scope:
        response = errors.error_response(413, "too_large", message, "file")
    else:  # a page: the same refusal as an HTML page
        from starlette.requests import Request

        from huiqi.web.pages.common import error_page

        response = error_page(Request(scope), 413, message + ",请换用较小的文件。")
    await response({"type": "http"}, _nothing, send)


async def _nothing() -> Message:
    return {"type": "http.disconnect"}


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, with FastAPI's English validation-error schema replaced by ours."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    ref = {"$ref": "#/components/schemas/ErrorBody"}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, text in errors.ERROR_STATUSES.items():  # errors are JSON whatever a route returns
                responses[str(status)] = {
                    "description": text,
                    "content": {"application/json": {"schema": ref}},
                }
    components = schema.get("components", {}).get("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    app.openapi_schema = schema
    return schema


def create_app(url: str | None = None, evidence_dir: Path | None = None, pages: bool = True) -> FastAPI:
    url = url or database_url()
    upgrade(url)
    engine = make_engine(url)
    app = FastAPI(
        title="惠企 huiqi API",
        version="1",
        description="政策库与审核、企业应享、申报与审核、兑付、审计;产品库、供需对接、产品目录与导入。契约见 ../shared/spec/api.md。",
        openapi_url=OPENAPI,
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.sessions = sessionmaker(engine, expire_on_commit=False)
    app.state.tokens = TokenCache()
    app.state.evidence_dir = evidence_dir or data_dir() / "evidence"
    errors.install(app)
    for module in (
        session,
        documents,
        enterprises,
        applications,
        payouts,
        admin,
        catalog,
        catalog_editions,
        imports,
        monitor,
    ):
        app.include_router(module.router, prefix=PREFIX)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    if pages:
        from huiqi.web.pages import install

        install(app)  # the web pages at /, after the API so its routes and errors come first
    larger = dict.fromkeys(imports.paths(PREFIX), imports.MAX_BYTES + 256 * 1024)  # products, demands
    if pages:
        from huiqi.web.pages.imports import MAX_BYTES

        larger["/import"] = MAX_BYTES + 256 * 1024  # registry files run to tens of MB
    app.add_middleware(BodyLimit, limit=max_bytes() + 256 * 1024, larger=larger)
    gc.freeze()  # what was built at start-up is never garbage: keep it out of every collection
    return app
