"""Users, sign-in and tokens.

A token is 32 random bytes (URL-safe); only its SHA-256 is stored, with an expiry. Browsers may
keep the token in an HttpOnly cookie instead of a header; such a session also gets a CSRF token
that every state-changing request must echo in ``X-CSRF-Token``. Failed sign-ins are stored and
counted: after :data:`MAX_FAILURES` for one user name (or :data:`MAX_CLIENT_FAILURES` from one
client) inside :data:`WINDOW`, sign-in answers 429 until the window has passed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from huiqi.accounts.passwords import burn_time, hash_password, verify_password
from huiqi.audit.chain import record
from huiqi.db.models import ROLES, AccessToken, LoginFailure, User
from huiqi.payout.errors import Conflict, Invalid, Throttled, Unauthorized

ROLE_ZH = {
    "enterprise": "企业",
    "officer": "经办人员",
    "finance": "财政",
    "auditor": "审计",
    "admin": "管理员",
}
MAX_FAILURES = 5
MAX_CLIENT_FAILURES = 20
WINDOW = dt.timedelta(minutes=15)
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
MIN_PASSWORD = 8


def token_hours() -> float:
    """How long a token lives (``HUIQI_TOKEN_HOURS``, default 8 hours: one working day)."""
    return float(os.environ.get("HUIQI_TOKEN_HOURS", "8"))


def utcnow() -> dt.datetime:
    """Naive UTC, as every service timestamp is stored."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Actor:
    """Who is asking: the signed-in user's identity, role and scope."""

    id: int
    username: str
    role: str
    uscc: str | None = None
    region_prefix: str | None = None
    department: str | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.username, user.role, user.uscc, user.region_prefix, user.department)


def _region_prefix(value: str) -> str:
    """A 行政区划代码 (its covering prefix) or a 2/4-digit prefix of a real division."""
    from huiqi.registry.codes import clean_region_code, region_prefix, regions

    text = value.strip()
    if re.fullmatch(r"\d{2}|\d{4}", text):
        if any(code.startswith(text) for code in regions().names):
            return text
        raise Invalid(f"地区前缀 {text} 不对应任何行政区划", "region")
    try:
        return region_prefix(clean_region_code(text))
    except ValueError as exc:
        raise Invalid(f"地区 {text}:{exc}", "region") from exc


def add_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    *,
    uscc: str | None = None,
    region: str | None = None,
    department: str | None = None,
    actor: str = "system",
) -> User:
    """Create an account; the scope a role needs (credit code, region) is checked and required."""
    from huiqi.registry.codes import clean_uscc

    if not _USERNAME.fullmatch(username or ""):
        raise Invalid("用户名须为2~64位字母、数字或 _ . @ -", "username")
    if role not in ROLES:
        raise Invalid(f"角色须为 {'/'.join(ROLES)} 之一", "role")
    if len(password or "") < MIN_PASSWORD:
        raise Invalid(f"密码至少{MIN_PASSWORD}位", "password")
    if role == "enterprise":
        if not uscc:
            raise Invalid("企业账号须绑定统一社会信用代码(--uscc)", "uscc")
        try:
            uscc = clean_uscc(uscc)
        except ValueError as exc:
            raise Invalid(f"统一社会信用代码 {uscc}:{exc}", "uscc") from exc
    elif uscc:
        raise Invalid("只有企业账号绑定统一社会信用代码", "uscc")
    prefix = None
    if role == "officer":
        if not region:
            raise Invalid("经办人员账号须绑定地区(--region,行政区划代码或其前缀)", "region")
        prefix = _region_prefix(region)
    elif region:
        raise Invalid("只有经办人员账号绑定地区", "region")
    if department and role != "officer":
        raise Invalid("只有经办人员账号可填写部门", "department")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"用户名 {username} 已存在", "username")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        uscc=uscc,
        region_prefix=prefix,
        department=department or None,
        active=True,
    )
    session.add(user)
    session.flush()
    after = {"role": role, "uscc": uscc, "region_prefix": prefix, "department": department}
    record(session, actor, "user.add", "user", username, after=after)
    return user


def set_password(session: Session, username: str, password: str, actor: str = "system") -> User:
    """Replace a user's password (and end the sessions signed in with the old one)."""
    if len(password or "") < MIN_PASSWORD:
        raise Invalid(f"密码至少{MIN_PASSWORD}位", "password")
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise Invalid(f"没有用户 {username}", "username")
    user.password_hash = hash_password(password)
    session.execute(update(AccessToken).where(AccessToken.user_id == user.id).values(revoked=True))
    record(session, actor, "user.password", "user", username)
    return user


def _throttle(session: Session, username: str, client: str | None, now: dt.datetime) -> None:
    since = now - WINDOW
    by_name = session.scalar(
        select(func.count()).where(LoginFailure.username == username, LoginFailure.at >= since)
    )
    by_client = (
        session.scalar(select(func.count()).where(LoginFailure.client == client, LoginFailure.at >= since))
        if client
        else 0
    )
    if by_name >= MAX_FAILURES or by_client >= MAX_CLIENT_FAILURES:
        minutes = int(WINDOW.total_seconds() // 60)
        raise Throttled(f"登录失败次数过多,请{minutes}分钟后再试", int(WINDOW.total_seconds()))


@dataclass(frozen=True)
class Issued:
    token: str
    csrf: str
    expires_at: dt.datetime
    actor: Actor


def sign_in(session: Session, username: str, password: str, client: str | None = None) -> Issued:
    """Check the password and issue a token, or raise :class:`Unauthorized` / :class:`Throttled`.

    A failure is committed by the caller like any other write, so it counts even though the
    request fails.
    """
    now = utcnow()
    username = (username or "")[:64]
    _throttle(session, username, client, now)
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        burn_time(password)
    if user is None or not user.active or not verify_password(user.password_hash, password):
        session.add(LoginFailure(username=username, client=(client or None) and client[:64], at=now))
        raise Unauthorized("用户名或密码错误")
    session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    expires = now + dt.timedelta(hours=token_hours())
    session.add(
        AccessToken(
            token_hash=digest(token),
            user_id=user.id,
            created_at=now,
            expires_at=expires,
            csrf_hash=digest(csrf),
            revoked=False,
        )
    )
    record(
        session,
        user.username,
        "session.sign_in",
        "user",
        user.username,
        after={"expires_at": expires.isoformat()},
        reason=client,
    )
    return Issued(token, csrf, expires, Actor.of(user))


@dataclass(frozen=True)
class SessionInfo:
    actor: Actor
    expires_at: dt.datetime
    csrf_hash: str | None


def resolve(session: Session, token: str) -> SessionInfo:
    """The user a token belongs to; :class:`Unauthorized` when unknown, expired or revoked."""
    row = session.execute(
        select(User, AccessToken.expires_at, AccessToken.csrf_hash)
        .join(AccessToken, AccessToken.user_id == User.id)
        .where(AccessToken.token_hash == digest(token), AccessToken.revoked.is_(False))
    ).first()
    if row is None or not row[0].active:
        raise Unauthorized("未登录或登录已失效,请重新登录")
    if row[1] <= utcnow():
        raise Unauthorized("登录已过期,请重新登录", code="token_expired")
    return SessionInfo(Actor.of(row[0]), row[1], row[2])


def sign_out(session: Session, actor: Actor, token: str) -> None:
    session.execute(update(AccessToken).where(AccessToken.token_hash == digest(token)).values(revoked=True))
    record(session, actor.username, "session.sign_out", "user", actor.username)
