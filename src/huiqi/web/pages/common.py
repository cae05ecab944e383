"""What every page shares: templates, who is signed in, CSRF on forms, messages after a redirect,
navigation by role, and the HTML error page.

Pages use the API's cookie session (``huiqi_session``, HttpOnly, SameSite=Strict) and its CSRF
token: the readable ``huiqi_csrf`` cookie set at sign-in goes into every form as a hidden
``csrf`` field, and a form is accepted only when that value's digest is the one stored with the
session — the same check as the ``X-CSRF-Token`` header of the API.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from huiqi.accounts.users import ROLE_ZH, Actor, digest
from huiqi.money import format_wan
from huiqi.payout.errors import Forbidden
from huiqi.web.deps import COOKIE, CSRF_COOKIE, _lookup

log = logging.getLogger("huiqi.web.pages")

WEB = Path(__file__).resolve().parents[1]
TEMPLATES = WEB / "templates"
STATIC = WEB / "static"
FLASH_COOKIE = "huiqi_flash"
LOCAL = ZoneInfo("Asia/Shanghai")  # stored times are UTC; people read Beijing time
T = TypeVar("T")

ROLE_HOME = {
    "enterprise": "/me",
    "officer": "/desk",
    "finance": "/dashboard",
    "auditor": "/dashboard",
    "admin": "/dashboard",
}
# (label, address, roles): the navigation, in order; every signed-in role sees 政策库 and 产品库.
NAV = (
    ("政策库", "/library", frozenset(ROLE_ZH)),
    ("我的政策", "/me", frozenset({"enterprise"})),
    ("申报日历", "/me/calendar", frozenset({"enterprise"})),
    ("工作台", "/desk", frozenset({"officer"})),
    ("审核", "/review", frozenset({"officer", "admin"})),
    ("看板", "/dashboard", frozenset({"finance", "auditor", "admin"})),
    ("兑付", "/payouts", frozenset({"finance"})),
    ("企业", "/enterprises", frozenset({"officer", "finance", "auditor", "admin"})),
    ("产品库", "/products", frozenset(ROLE_ZH)),
    ("政策测算", "/simulate", frozenset({"officer", "admin"})),
    ("数据导入", "/import", frozenset({"officer", "admin"})),
    ("审计", "/audit", frozenset({"auditor"})),
    ("运行监测", "/monitor", frozenset({"officer", "finance", "auditor", "admin"})),
    ("亩产效益", "/monitor/mu", frozenset({"enterprise"})),
    ("督查督办", "/supervision", frozenset({"officer", "finance", "auditor", "admin"})),
)
SECURITY_HEADERS = {
    # everything the pages use is served from here: no inline script, no third party
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class LoginRequired(Exception):
    """No usable session: the page sends the browser to the sign-in form."""


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a page, and the CSRF token their forms carry."""

    actor: Actor
    csrf: str
    csrf_hash: str | None

    @property
    def role(self) -> str:
        return self.actor.role

    @property
    def home(self) -> str:
        return ROLE_HOME.get(self.actor.role, "/library")

    def need(self, *roles: str) -> None:
        """Refuse (403 page) a role that has no business on this page."""
        if self.actor.role not in roles:
            raise Forbidden("您的角色不能使用这个页面")


async def viewer(request: Request) -> Viewer:
    """The signed-in viewer from the session cookie; no session → the sign-in page."""
    token = request.cookies.get(COOKIE)
    if not token:
        raise LoginRequired
    info = _lookup(request, token)
    return Viewer(info.actor, request.cookies.get(CSRF_COOKIE, ""), info.csrf_hash)


V = Annotated[Viewer, Depends(viewer)]


def optional_viewer(request: Request) -> Viewer | None:
    """The viewer if the cookie holds a live session (for error pages), else None."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        info = _lookup(request, token)
    except Exception:
        return None
    return Viewer(info.actor, request.cookies.get(CSRF_COOKIE, ""), info.csrf_hash)


async def read_form(request: Request, v: Viewer) -> FormData:
    """The posted form, after checking its CSRF token against the session's."""
    form = await request.form()
    sent = str(form.get("csrf") or "")
    if not sent or v.csrf_hash is None or not hmac.compare_digest(digest(sent), v.csrf_hash):
        raise Forbidden("页面已过期或来源不明(缺少有效的表单令牌),请刷新页面后重试", code="csrf_failed")
    return form


async def in_session(request: Request, work: Callable[[Session], T]) -> T:
    """Run ``work`` with a database session in the thread pool; the caller commits."""

    def run() -> T:
        with request.app.state.sessions() as session:
            try:
                return work(session)
            finally:
                session.expunge_all()  # what ``work`` returns stays readable once the session ends
                session.rollback()

    return await run_in_threadpool(run)


# --------------------------------------------------------------------------- rendering


def _wan(value: Any, empty: str = "—") -> str:
    if value is None or value == "":
        return empty
    return format_wan(float(value))


def _when(value: dt.datetime | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def _day(value: dt.date | str | None) -> str:
    if value is None or value == "":
        return "—"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _count(value: Any) -> str:
    return "—" if value is None else f"{int(value):,}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.4g}%"


_LONG_DECIMAL = re.compile(r"\d+\.\d{5,}")


def tidy(text: Any) -> str:
    """Numbers written with float noise (0.690000000000001万元) as people write them (0.69万元)."""
    return _LONG_DECIMAL.sub(lambda m: f"{round(float(m.group()), 4):g}", "" if text is None else str(text))


def _marked(segments: list[tuple[str, bool]]) -> Markup:
    """Highlight segments (see :mod:`huiqi.search.highlight`) as escaped text with <mark>."""
    return Markup("").join(
        Markup("<mark>{}</mark>").format(text) if hit else Markup("{}").format(text) for text, hit in segments
    )


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(wan=_wan, when=_when, day=_day, pct=_pct, marked=_marked, tidy=tidy, count=_count)
    env.globals.update(ROLE_ZH=ROLE_ZH)
    return env


ENV = _environment()


def nav_for(v: Viewer | None, path: str) -> list[tuple[str, str, bool]]:
    """(label, address, current) of the links this viewer's role may follow."""
    if v is None:
        return []
    links = [(label, href) for label, href, roles in NAV if v.role in roles]
    # the current link is the longest address the path starts with
    best = max(
        (href for _, href in links if path == href or path.startswith(href + "/")), key=len, default=""
    )
    return [(label, href, href == best) for label, href in links]


def _flash(request: Request) -> tuple[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    kind, _, message = unquote(raw).partition("|")
    return (kind if kind in ("ok", "warn", "error") else "ok"), message[:500]


def render(
    request: Request, template: str, v: Viewer | None, *, http_status: int = 200, **context: Any
) -> HTMLResponse:
    """A page from ``template`` with the layout's context (viewer, navigation, message)."""
    flash = _flash(request)
    body = ENV.get_template(template).render(
        request=request,
        path=request.url.path,
        viewer=v,
        nav=nav_for(v, request.url.path),
        csrf=v.csrf if v else "",
        flash=flash,
        today=dt.date.today(),
        **context,
    )
    response = HTMLResponse(body, status_code=http_status, headers=SECURITY_HEADERS)
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def redirect(url: str, message: str | None = None, kind: str = "ok") -> RedirectResponse:
    """303 to ``url``; ``message`` is shown once on the page there."""
    response = RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})
    if message:
        response.set_cookie(
            FLASH_COOKIE, quote(f"{kind}|{message}"), httponly=True, samesite="strict", path="/"
        )
    return response


ERROR_TITLES = {
    400: "请求有误",
    403: "无权访问",
    404: "没有找到",
    405: "请求方式不对",
    409: "操作未能完成",
    413: "上传内容过大",
    415: "文件类型不被接受",
    422: "填写有误",
    429: "稍后再试",
    500: "服务器内部错误",
    503: "系统繁忙",
}


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """The HTML error page: a title and one Chinese sentence, never a code or a trace."""
    v = optional_viewer(request)
    title = ERROR_TITLES.get(status, "出错了")
    return render(
        request, "error.html", v, http_status=status, title=title, message=message, status_code=status
    )


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    response = RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    return response


def safe_next(value: str | None, fallback: str) -> str:
    """Only an address on this site (a path), never another host."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return fallback
