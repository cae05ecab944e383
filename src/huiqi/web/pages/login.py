"""登录 and 退出: the sign-in form, each role to its own home page.

The form posts the user name and password to the same sign-in as ``POST /api/v1/session``
(throttling, the audit entry, the session and CSRF cookies). A login token (a random value in a
cookie and in the form, compared on post) keeps another site from signing a browser in to an
account of its choosing.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from huiqi.accounts.users import digest, sign_in, sign_out
from huiqi.payout.errors import Throttled, Unauthorized
from huiqi.web.deps import COOKIE, CSRF_COOKIE
from huiqi.web.pages.common import (
    ROLE_HOME,
    V,
    in_session,
    optional_viewer,
    read_form,
    redirect,
    render,
    safe_next,
)

router = APIRouter()
LOGIN_COOKIE = "huiqi_login"


@router.get("/")
def home(request: Request) -> RedirectResponse:
    v = optional_viewer(request)
    return RedirectResponse(v.home if v else "/login", status_code=303)


def _form(request: Request, error: str | None = None, username: str = "", status: int = 200, next_: str = ""):
    token = secrets.token_urlsafe(16)
    response = render(
        request,
        "login.html",
        None,
        http_status=status,
        error=error,
        username=username,
        next=next_,
        login_token=token,
    )
    secure = request.url.scheme == "https"
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/login")
    return response


@router.get("/login")
def login_form(request: Request, next: str = ""):
    v = optional_viewer(request)
    if v is not None:
        return RedirectResponse(safe_next(next, v.home), status_code=303)
    return _form(request, next_=safe_next(next, ""))


@router.post("/login")
async def login(request: Request):
    form = await request.form()
    username = str(form.get("username") or "").strip()[:64]
    password = str(form.get("password") or "")
    next_ = safe_next(str(form.get("next") or ""), "")
    expected = request.cookies.get(LOGIN_COOKIE, "")
    sent = str(form.get("login_token") or "")
    if not expected or not hmac.compare_digest(expected, sent):
        return _form(request, "登录页面已过期,请重新输入用户名和密码", username, 400, next_)
    if not username or not password:
        return _form(request, "请输入用户名和密码", username, 422, next_)
    client = request.client.host if request.client else None

    def work(session):
        try:
            issued = sign_in(session, username, password, client)
        except Unauthorized:
            session.commit()  # the failure counts towards throttling
            raise
        session.commit()
        return issued

    try:
        issued = await in_session(request, work)
    except Throttled as exc:
        return _form(request, str(exc), username, 429, next_)
    except Unauthorized:
        return _form(request, "用户名或密码错误,请重新输入", username, 401, next_)
    response = RedirectResponse(next_ or ROLE_HOME.get(issued.actor.role, "/library"), status_code=303)
    secure = request.url.scheme == "https"
    response.set_cookie(COOKIE, issued.token, httponly=True, samesite="strict", secure=secure, path="/")
    response.set_cookie(CSRF_COOKIE, issued.csrf, httponly=False, samesite="strict", secure=secure, path="/")
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, v: V):
    await read_form(request, v)
    token = request.cookies.get(COOKIE, "")

    def work(session):
        sign_out(session, v.actor, token)
        session.commit()

    await in_session(request, work)
    request.app.state.tokens.drop(digest(token))
    response = redirect("/login", "已退出登录")
    response.delete_cookie(COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response
