"""What the pages read about enterprises: entitlements with their status in plain words,
applications followed to payout, payouts, the rules in force (cached), near misses and the
calendar of windows.

>>> plain_reason("2023-10-28 国家级绿色工厂 → 符合“国家级绿色工厂(新认定)”:30万元")
'您的2023-10-28 国家级绿色工厂符合“国家级绿色工厂(新认定)”,金额:30万元'
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from huiqi.db.models import (
    Application,
    ApplicationEvent,
    Enterprise,
    Event,
    Payout,
    PayoutLine,
    PayoutReversal,
    Publication,
    TrackedEntitlement,
    User,
)
from huiqi.payout.states import APPLICATION_ZH
from huiqi.rules.model import MODE_APPLY, Rule
from huiqi.web.routes.enterprises import COLUMNS, LIVE_APPLICATION, entitlement_dict

T = TrackedEntitlement
# What happens next, for each entitlement status, in the enterprise's words.
NEXT_STEP = {
    ("open", "免申即享"): "无需申报:经办人员确认后由财政直接兑付",
    ("open", "需申报"): "需要在线申报并上传证明材料",
    ("confirmed", None): "已确认,等待财政兑付",
    ("applied", None): "已申报,等待经办人员审核",
    ("approved", None): "审核通过,等待财政兑付",
    ("rejected", None): "申报未通过",
    ("paid", None): "已兑付到账",
    ("suppressed", None): "同一认定或事项已享受金额更高的奖补(就高不重复),本项不再享受",
    ("capped", None): "已达到单个企业可享受的上限",
    ("withdrawn", None): "最近一次匹配中已不再符合条件",
}


def plain_reason(reason: str | None) -> str:
    """The matcher's reason (fact → 符合“rule”:amount; …) as a sentence to the enterprise."""
    text = (reason or "").strip()
    if not text:
        return ""
    first, _, rest = text.partition(";")
    if " → " in first:
        fact, _, rule = first.partition(" → ")
        first = f"您的{fact}{rule}"
    first = first.replace("”:", "”,金额:", 1)
    return first + (f";{rest}" if rest else "")


def next_step(status: str, mode: str) -> str:
    return NEXT_STEP.get((status, mode)) or NEXT_STEP.get((status, None), "")


def money_text(row: dict[str, Any]) -> tuple[float | None, str]:
    """(the figure to add up, how it reads): committed, else owed, else the ceiling."""
    if row.get("committed_wan") is not None:
        return row["committed_wan"], "核定"
    if row.get("amount_wan") is not None:
        return row["amount_wan"], ""
    if row.get("cap_wan") is not None:
        return row["cap_wan"], "最高"
    return None, "待核定"


def entitlements(session: Session, uscc: str, current_only: bool = False) -> list[dict[str, Any]]:
    """Every tracked entitlement of one enterprise, as the API shows it, plus plain words."""
    query = select(*COLUMNS, LIVE_APPLICATION.label("application_id")).where(T.uscc == uscc)
    if current_only:
        query = query.where(T.current.is_(True) | (T.state != "open"))
    out = []
    for row in session.execute(query.order_by(T.year.desc(), T.id)).all():
        item = entitlement_dict(row)
        item["plain"] = plain_reason(item["reason"])
        item["next"] = next_step(item["status"], item["mode"])
        item["money"], item["money_how"] = money_text(item)
        out.append(item)
    return out


@dataclass
class ApplicationView:
    """An application with its entitlement, its steps and its payout."""

    app: Application
    entitlement: TrackedEntitlement
    enterprise: str
    history: list[tuple[ApplicationEvent, str]] = field(default_factory=list)
    payouts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status_zh(self) -> str:
        return APPLICATION_ZH[self.app.status]

    @property
    def paid(self) -> dict[str, Any] | None:
        return next((p for p in reversed(self.payouts) if p["reversal"] is None), None)

    def steps(self) -> list[tuple[str, str, str]]:
        """(name, state: done / current / todo / failed, when) of 提交 → 审核 → 兑付."""
        app = self.app
        decided = {"approved": "done", "rejected": "failed", "returned": "current", "submitted": "current"}
        paid = self.paid
        return [
            ("提交申报", "done", app.submitted_at),
            (
                {"returned": "退回补充材料", "rejected": "审核未通过"}.get(app.status, "经办人员审核"),
                decided[app.status],
                app.decided_at,
            ),
            (
                "财政兑付",
                "done" if paid else "current" if app.status == "approved" else "todo",
                paid["paid_at"] if paid else None,
            ),
        ]


def payouts_of(session: Session, entitlement_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The payouts of entitlements, each with its split and reversal, oldest first."""
    if not entitlement_ids:
        return {}
    out: dict[int, list[dict[str, Any]]] = {}
    payouts = list(
        session.scalars(select(Payout).where(Payout.entitlement_id.in_(entitlement_ids)).order_by(Payout.id))
    )
    ids = [p.id for p in payouts]
    lines: dict[int, list[tuple[str, float]]] = {}
    for line in session.scalars(select(PayoutLine).where(PayoutLine.payout_id.in_(ids))) if ids else []:
        lines.setdefault(line.payout_id, []).append((line.payer, line.amount_wan))
    reversals = (
        {
            r.payout_id: r
            for r in session.scalars(select(PayoutReversal).where(PayoutReversal.payout_id.in_(ids)))
        }
        if ids
        else {}
    )
    for p in payouts:
        out.setdefault(p.entitlement_id, []).append(
            {
                "id": p.id,
                "amount_wan": p.amount_wan,
                "reference": p.reference,
                "paid_at": p.paid_at,
                "split": sorted(lines.get(p.id, [])),
                "reversal": reversals.get(p.id),
                "application_id": p.application_id,
            }
        )
    return out


def application_view(session: Session, app: Application) -> ApplicationView:
    ent = session.get(TrackedEntitlement, app.entitlement_id)
    name = session.scalar(select(Enterprise.name).where(Enterprise.uscc == app.uscc)) or app.uscc
    history = list(
        session.execute(
            select(ApplicationEvent, User.username)
            .join(User, User.id == ApplicationEvent.user_id)
            .where(ApplicationEvent.application_id == app.id)
            .order_by(ApplicationEvent.id)
        ).all()
    )
    payouts = payouts_of(session, [ent.id]).get(ent.id, [])
    return ApplicationView(app, ent, name, [(e, u) for e, u in history], payouts)


def applications_of(session: Session, uscc: str) -> list[ApplicationView]:
    apps = session.scalars(
        select(Application).where(Application.uscc == uscc).order_by(Application.id.desc())
    )
    return [application_view(session, a) for a in apps]


def event_amount(session: Session, fact_key: str) -> float | None:
    """The amount the registry holds for the event behind a fact reference (``e:ID``)."""
    if not fact_key.startswith("e:") or not fact_key[2:].isdigit():
        return None
    return session.scalar(select(Event.amount_wan).where(Event.id == int(fact_key[2:])))


# --------------------------------------------------------------------------- rules in force

_cache_lock = threading.Lock()
_cache: dict[str, tuple[Any, list[Rule]]] = {}


def published_rules(engine: Engine) -> list[Rule]:
    """The rules of the published documents (the money path's library), compiled once per set
    of publications in this process."""
    from huiqi.match.service import compile_library

    with engine.connect() as conn:
        key = conn.execute(select(func.max(Publication.id), func.count(Publication.id))).one()
    url = str(engine.url)
    cached = _cache.get(url)
    if cached is not None and cached[0] == tuple(key):
        return cached[1]
    rules = compile_library(engine, published_only=True).rules
    with _cache_lock:
        _cache[url] = (tuple(key), rules)
    return rules


def near_misses(engine: Engine, uscc: str, today: dt.date, top: int = 8) -> list[dict[str, Any]]:
    """The policies in force where the enterprise is that it nearly meets, with what is missing
    (the matcher's own :func:`huiqi.match.report.nearest_misses`)."""
    from huiqi.match.reference import facts_by_enterprise
    from huiqi.match.report import nearest_misses
    from huiqi.match.service import indicators_of, load_figures, load_registry, load_tax, match_frames

    rules = published_rules(engine)
    me, mine = load_registry(engine, uscc)
    if me.is_empty() or not rules:
        return []
    figures = load_figures(engine, indicators_of(rules), uscc)
    frame = match_frames(me, mine, rules, today, None, load_tax(engine, uscc, figures), figures)
    own = facts_by_enterprise(mine).get(uscc, [])
    region = me.row(0, named=True)["region_code"]
    return nearest_misses(region, own, rules, today, None, set(frame["rule"].to_list()))[:top]


@dataclass
class Window:
    """One line of the 申报日历: a policy's window, and whether the enterprise has something to apply for."""

    document: str
    opens: dt.date | None
    closes: dt.date | None
    rules: int
    apply_rules: int
    to_apply: list[dict[str, Any]] = field(default_factory=list)

    def state(self, today: dt.date) -> str:
        if self.closes and self.closes < today:
            return "已截止"
        if self.opens and self.opens > today:
            return "未开始"
        if self.closes and (self.closes - today).days <= 90:
            return "即将截止"
        return "进行中"

    def days_left(self, today: dt.date) -> int | None:
        return None if self.closes is None else (self.closes - today).days


def calendar(engine: Engine, region_code: str, own: list[dict[str, Any]]) -> list[Window]:
    """The windows of the published policies that reach the enterprise's region, soonest
    deadline first; each with the enterprise's 需申报 entitlements still to apply for."""
    from huiqi.match.reference import in_jurisdiction

    windows: dict[str, Window] = {}
    for rule in published_rules(engine):
        if not in_jurisdiction(rule, region_code):
            continue
        w = windows.setdefault(rule.document, Window(rule.document, rule.starts, rule.ends, 0, 0))
        w.rules += 1
        w.apply_rules += rule.mode == MODE_APPLY
        if rule.starts and (w.opens is None or rule.starts < w.opens):
            w.opens = rule.starts
        if rule.ends and (w.closes is None or rule.ends > w.closes):
            w.closes = rule.ends
    for item in own:
        if item["status"] == "open" and item["mode"] == MODE_APPLY and item["document"] in windows:
            windows[item["document"]].to_apply.append(item)
    far = dt.date.max
    return sorted(windows.values(), key=lambda w: (w.closes or far, w.document))
