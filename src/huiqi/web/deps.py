"""Request dependencies: a database session per request, the signed-in actor, CSRF, paging.

The request's database session is opened and closed in the thread pool, around the endpoint
(before the response is sent), so a connection is never held while a response goes out and the
event loop never waits for one that only it could give back. Who a token belongs to is read on
the event loop with a connection of its own, returned at once, and kept for
:data:`TOKEN_CACHE_SECONDS` in the process (its expiry is still checked on every request); a
sign-out ends the token at once in this process and within that time in the others.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from huiqi.accounts.users import Actor, SessionInfo, digest, resolve, utcnow
from huiqi.payout.errors import Forbidden, Unauthorized

COOKIE = "huiqi_session"
CSRF_COOKIE = "huiqi_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_LIMIT = 500
TOKEN_CACHE_SECONDS = 5.0
TOKEN_CACHE_SIZE = 10_000


class TokenCache:
    """token digest → (session info, when it was read); small, thread-safe, time-bounded."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[SessionInfo, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> SessionInfo | None:
        found = self._items.get(key)
        if found is None or time.monotonic() - found[1] > TOKEN_CACHE_SECONDS:
            return None
        return found[0]

    def put(self, key: str, info: SessionInfo) -> None:
        with self._lock:
            if len(self._items) >= TOKEN_CACHE_SIZE:
                self._items.clear()
            self._items[key] = (info, time.monotonic())

    def drop(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)


def db(request: Request) -> Iterator[Session]:
    """One session per request; writes commit explicitly in the endpoint, anything else rolls back."""
    session = request.app.state.sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


DB = Annotated[Session, Depends(db, scope="function")]


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return None


def _lookup(request: Request, token: str) -> SessionInfo:
    cache: TokenCache = request.app.state.tokens
    key = digest(token)
    info = cache.get(key)
    if info is None:
        with request.app.state.sessions() as session:
            info = resolve(session, token)
        cache.put(key, info)
    elif info.expires_at <= utcnow():
        cache.drop(key)
        raise Unauthorized("登录已过期,请重新登录", code="token_expired")
    return info


async def session_info(request: Request) -> SessionInfo:
    """Who is calling: a bearer token, or a cookie session whose writes carry the CSRF token."""
    token = bearer(request)
    if token is not None:
        return _lookup(request, token)
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        raise Unauthorized("请先登录(POST /api/v1/session)")
    info = _lookup(request, cookie)
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or info.csrf_hash is None or not hmac.compare_digest(digest(sent), info.csrf_hash):
            raise Forbidden(
                f"缺少或错误的 CSRF 令牌(请在请求头 {CSRF_HEADER} 中带上登录时得到的 csrf)",
                code="csrf_failed",
            )
    return info


async def current_actor(request: Request) -> Actor:
    """The signed-in actor (:func:`session_info` without a second level of dependencies)."""
    return (await session_info(request)).actor


Me = Annotated[Actor, Depends(current_actor)]


def require(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise Forbidden("您的角色无权进行此操作")


class Page:
    """``?limit=`` (≤ 500) and ``?cursor=`` (opaque: the last id of the previous page)."""

    def __init__(self, limit: int, cursor: str | None) -> None:
        self.limit = limit
        self.after = int(cursor) if cursor is not None else None


async def paging(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="每页条数,最多500")] = 50,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,12}$", description="上一页返回的 next")] = None,
) -> Page:
    return Page(limit, cursor)


Paging = Annotated[Page, Depends(paging)]
