"""Request dependencies: a database session per request, the signed-in actor, CSRF, paging."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from huiqi.accounts.users import Actor, SessionInfo, digest, resolve
from huiqi.payout.errors import Forbidden, Unauthorized

COOKIE = "huiqi_session"
CSRF_COOKIE = "huiqi_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_LIMIT = 500


def db(request: Request) -> Iterator[Session]:
    """One session per request; writes commit explicitly in the endpoint, anything else rolls back."""
    session = request.app.state.sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


DB = Annotated[Session, Depends(db)]


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return None


def session_info(request: Request, session: DB) -> SessionInfo:
    """Who is calling: a bearer token, or a cookie session whose writes carry the CSRF token."""
    token = bearer(request)
    if token is not None:
        return resolve(session, token)
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        raise Unauthorized("请先登录(POST /api/v1/session)")
    info = resolve(session, cookie)
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or info.csrf_hash is None or not hmac.compare_digest(digest(sent), info.csrf_hash):
            raise Forbidden(
                f"缺少或错误的 CSRF 令牌(请在请求头 {CSRF_HEADER} 中带上登录时得到的 csrf)",
                code="csrf_failed",
            )
    return info


def current_actor(info: Annotated[SessionInfo, Depends(session_info)]) -> Actor:
    return info.actor


Me = Annotated[Actor, Depends(current_actor)]


def require(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise Forbidden("您的角色无权进行此操作")


class Page:
    """``?limit=`` (≤ 500) and ``?cursor=`` (opaque: the last id of the previous page)."""

    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="每页条数,最多500")] = 50,
        cursor: Annotated[str | None, Query(pattern=r"^\d{1,12}$", description="上一页返回的 next")] = None,
    ) -> None:
        self.limit = limit
        self.after = int(cursor) if cursor is not None else None


Paging = Annotated[Page, Depends(Page)]
