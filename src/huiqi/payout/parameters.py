"""Parameters that change money (资金参数), as versioned data set per region by an admin.

Each change is a new version (the old ones stay), so a past match run can be reproduced from the
versions it recorded. A parameter applies to the enterprises whose 行政区划代码 starts with its
region prefix; the longest prefix wins, ``''`` is everywhere, and without any row the built-in
default holds (the loosest choice, which an officer should replace with the real figure).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiqi.accounts.users import Actor, utcnow
from huiqi.audit.chain import record
from huiqi.db.models import MoneyParameter
from huiqi.payout.errors import Invalid


@dataclass(frozen=True)
class ParameterSpec:
    name: str
    zh: str
    low: float
    high: float
    default: float


SPECS: dict[str, ParameterSpec] = {
    "district_retention": ParameterSpec(
        "district_retention",
        "区级留成比例:企业当年新增税收中区县留成的份额,用于“以当年新增税收区留成财力为限”的单企上限",
        0.0,
        1.0,
        1.0,
    ),
}


def _check_prefix(prefix: str) -> str:
    from huiqi.registry.codes import regions

    prefix = prefix.strip()
    if prefix == "":
        return prefix
    if not (prefix.isdigit() and len(prefix) in (2, 4, 6)):
        raise Invalid("地区须为空(全部地区)或2、4、6位行政区划代码前缀", "region")
    if not any(code.startswith(prefix) for code in regions().names):
        raise Invalid(f"地区前缀 {prefix} 不对应任何行政区划", "region")
    return prefix


def set_parameter(
    session: Session, actor: Actor, name: str, region: str, value: float, reason: str
) -> MoneyParameter:
    """Store a new version of ``name`` for ``region`` (a prefix; '' for everywhere)."""
    spec = SPECS.get(name)
    if spec is None:
        raise Invalid(f"未知参数 {name}(可设:{'、'.join(SPECS)})", "name")
    if not (spec.low <= value <= spec.high):
        raise Invalid(f"{name} 须在 {spec.low:g} 到 {spec.high:g} 之间", "value")
    if not (reason or "").strip():
        raise Invalid("请填写理由", "reason")
    prefix = _check_prefix(region)
    latest = session.scalar(
        select(func.max(MoneyParameter.version)).where(
            MoneyParameter.name == name, MoneyParameter.region_prefix == prefix
        )
    )
    parameter = MoneyParameter(
        name=name,
        region_prefix=prefix,
        version=(latest or 0) + 1,
        value=value,
        set_by=actor.id,
        set_at=utcnow(),
        reason=reason.strip(),
    )
    session.add(parameter)
    session.flush()
    record(
        session,
        actor.username,
        "parameter.set",
        "parameter",
        f"{name}@{prefix or '*'}",
        after={"version": parameter.version, "value": value},
        reason=reason,
    )
    return parameter


def current_parameters(session: Session) -> list[MoneyParameter]:
    """The newest version of every (parameter, region)."""
    newest = (
        select(func.max(MoneyParameter.id))
        .group_by(MoneyParameter.name, MoneyParameter.region_prefix)
        .scalar_subquery()
    )
    query = select(MoneyParameter).where(MoneyParameter.id.in_(newest))
    return list(session.scalars(query.order_by(MoneyParameter.name, MoneyParameter.region_prefix)))


@dataclass(frozen=True)
class Resolved:
    """The value that holds for one region, and the stored version it came from (None: default)."""

    value: float
    parameter_id: int | None
    version: int | None
    region_prefix: str | None


def resolve(parameters: list[MoneyParameter], name: str, region_code: str) -> Resolved:
    """The value of ``name`` for an enterprise in ``region_code``: the longest matching prefix."""
    matching = [p for p in parameters if p.name == name and region_code.startswith(p.region_prefix)]
    best = max(matching, key=lambda p: len(p.region_prefix), default=None)
    if best is None:
        return Resolved(SPECS[name].default, None, None, None)
    return Resolved(best.value, best.id, best.version, best.region_prefix)
