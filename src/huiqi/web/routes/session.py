"""Sign in and out (POST/DELETE /session), and who am I (GET /session)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from huiqi.accounts.users import SessionInfo, digest, sign_in, sign_out
from huiqi.payout.errors import Unauthorized
from huiqi.web.deps import COOKIE, CSRF_COOKIE, DB, bearer, session_info
from huiqi.web.errors import RESPONSES
from huiqi.web.schemas import Credentials, SessionOut, WhoAmI

router = APIRouter(tags=["登录"], responses=RESPONSES)


@router.post("/session", response_model=SessionOut, summary="登录")
def login(body: Credentials, request: Request, response: Response, session: DB) -> SessionOut:
    """用户名和密码换取令牌;同时设置 HttpOnly 的会话 Cookie(浏览器用)和 CSRF Cookie。"""
    client = request.client.host if request.client else None
    try:
        issued = sign_in(session, body.username, body.password, client)
    except Unauthorized:
        session.commit()  # the failure counts towards throttling
        raise
    session.commit()
    secure = request.url.scheme == "https"
    response.set_cookie(COOKIE, issued.token, httponly=True, samesite="strict", secure=secure, path="/")
    response.set_cookie(CSRF_COOKIE, issued.csrf, httponly=False, samesite="strict", secure=secure, path="/")
    return SessionOut(
        token=issued.token,
        role=issued.actor.role,
        expires_at=issued.expires_at,
        csrf=issued.csrf,
        username=issued.actor.username,
    )


@router.get("/session", response_model=WhoAmI, summary="当前登录")
async def whoami(info: Annotated[SessionInfo, Depends(session_info)]) -> WhoAmI:
    a = info.actor
    return WhoAmI(
        username=a.username,
        role=a.role,
        uscc=a.uscc,
        region_prefix=a.region_prefix,
        department=a.department,
        expires_at=info.expires_at,
    )


@router.delete("/session", status_code=204, summary="退出登录")
def logout(
    request: Request, response: Response, session: DB, info: Annotated[SessionInfo, Depends(session_info)]
) -> Response:
    token = bearer(request) or request.cookies.get(COOKIE)
    if token:
        sign_out(session, info.actor, token)
        session.commit()
        request.app.state.tokens.drop(digest(token))
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response
