"""Versioned monitoring parameters per region (监测参数): 波动 thresholds, the watch list, the
亩产效益 scheme.

A setting is (kind, region, version, effective_from, params). The packaged defaults live in
``huiqi/data/monitor.toml``; officers add versions to the ``monitor_settings`` table
(:func:`add_setting`), never edit one. For an enterprise in region R on a day D the setting
that applies is, among those of its kind whose region contains R and that took effect by D,
the most specific region, then the latest date, then the highest version (:func:`applicable`).
A stored version's params are laid over the packaged default of its kind, so an officer may
state only what changes (``{"decline": -0.3}``).

>>> default = applicable(packaged("alerts"), "370702", dt.date(2025, 6, 1))
>>> default.version, default.params["decline"], default.label()
(1, -0.2, '全部地区第1版(2000-01-01起,默认阈值)')
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import polars as pl
from sqlalchemy import Engine, func, select

from huiqi.db.engine import session_scope
from huiqi.db.models import MonitorSetting
from huiqi.monitor.errors import MonitorError
from huiqi.registry.codes import region_name, region_prefix

KINDS = ("alerts", "watch", "mu")
KIND_ZH = {"alerts": "波动阈值", "watch": "重点企业与升规参数", "mu": "亩产效益评价办法"}


@dataclass(frozen=True)
class Setting:
    """One version of one kind of parameters for one region."""

    kind: str
    region: str  # "" everywhere, else a 行政区划代码
    version: int
    effective_from: dt.date
    params: dict[str, Any] = field(hash=False, compare=False)
    note: str | None = None
    stored: bool = False  # added to the database (not the packaged default)

    def covers(self, region_code: str) -> bool:
        return not self.region or region_code.startswith(region_prefix(self.region))

    def label(self) -> str:
        """``潍坊市第2版(2025-01-01起,…)``: what a run reports it used."""
        place = "全部地区" if not self.region else region_name(self.region)
        note = f",{self.note}" if self.note else ""
        return f"{place}第{self.version}版({self.effective_from.isoformat()}起{note})"

    def summary(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "region": self.region,
            "version": self.version,
            "effective_from": self.effective_from.isoformat(),
            "label": self.label(),
        }


@cache
def _packaged_raw() -> dict[str, Any]:
    text = resources.files("huiqi.data").joinpath("monitor.toml").read_text("utf-8")
    return tomllib.loads(text)


def packaged(kind: str) -> list[Setting]:
    """The packaged defaults of ``kind`` (``huiqi/data/monitor.toml``)."""
    out = []
    for entry in _packaged_raw().get(kind, []):
        params = {k: v for k, v in entry.items() if k not in ("region", "version", "effective_from", "note")}
        out.append(
            Setting(
                kind,
                entry.get("region", ""),
                int(entry["version"]),
                dt.date.fromisoformat(entry["effective_from"]),
                validate_params(kind, params),
                entry.get("note"),
            )
        )
    return out


def base_params(kind: str) -> dict[str, Any]:
    """The packaged everywhere-default params a stored version is laid over."""
    everywhere = [s for s in packaged(kind) if not s.region]
    return dict(max(everywhere, key=lambda s: (s.effective_from, s.version)).params) if everywhere else {}


def stored(engine: Engine, kind: str) -> list[Setting]:
    """The versions of ``kind`` officers added to the database."""
    with engine.connect() as conn:
        rows = conn.execute(select(MonitorSetting).where(MonitorSetting.kind == kind)).all()
    base = base_params(kind)
    return [
        Setting(kind, r.region_code, r.version, r.effective_from, {**base, **r.params}, r.note, True)
        for r in rows
    ]


def all_settings(engine: Engine | None, kind: str) -> list[Setting]:
    """Packaged defaults and stored versions of ``kind``."""
    return packaged(kind) + (stored(engine, kind) if engine is not None else [])


def applicable(settings: Iterable[Setting], region_code: str, on: dt.date) -> Setting | None:
    """The setting for an enterprise of ``region_code`` on ``on`` (None when none applies)."""
    fitting = [s for s in settings if s.covers(region_code) and s.effective_from <= on]
    if not fitting:
        return None
    return max(
        fitting, key=lambda s: (len(region_prefix(s.region)) if s.region else 0, s.effective_from, s.version)
    )


def assign(settings: list[Setting], region_codes: Iterable[str], on: dt.date) -> pl.DataFrame:
    """``region_code → setting`` (index into ``settings``) for each distinct region code.

    Resolved once per region code, not per enterprise; join the result on ``region_code``.
    """
    rows = []
    for code in sorted(set(region_codes)):
        chosen = applicable(settings, code, on)
        rows.append((code, None if chosen is None else settings.index(chosen)))
    return pl.DataFrame(rows, schema={"region_code": pl.String, "setting": pl.Int64}, orient="row")


def add_setting(
    engine: Engine,
    kind: str,
    region: str,
    effective_from: dt.date,
    params: dict[str, Any],
    note: str | None = None,
) -> Setting:
    """Store a new version of ``kind`` for ``region`` (the next number after every existing one)."""
    if kind not in KINDS:
        raise MonitorError(f"未知参数类别 {kind}(可选:{'、'.join(KINDS)})")
    if region:
        try:
            region_name(region)
        except KeyError:
            raise MonitorError(f"{region}: 不是有效的行政区划代码") from None
    full = validate_params(kind, {**base_params(kind), **params})
    with session_scope(engine) as session:
        latest = session.scalar(
            select(func.max(MonitorSetting.version)).where(
                MonitorSetting.kind == kind, MonitorSetting.region_code == region
            )
        )
        packaged_latest = max((s.version for s in packaged(kind) if s.region == region), default=0)
        version = max(latest or 0, packaged_latest) + 1
        session.add(
            MonitorSetting(
                kind=kind,
                region_code=region,
                version=version,
                effective_from=effective_from,
                params=params,
                note=note,
            )
        )
    return Setting(kind, region, version, effective_from, full, note, True)


def validate_params(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """Check a parameter set; a :class:`MonitorError` names the first bad field in Chinese."""
    checks = {"alerts": _check_alerts, "watch": _check_watch, "mu": _check_mu}
    checks[kind](params)
    return params


def _number(params: dict[str, Any], key: str, zh: str) -> float:
    value = params.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MonitorError(f"参数 {key}({zh})应为数字,实为 {value!r}")
    return float(value)


def _check_alerts(p: dict[str, Any]) -> None:
    if _number(p, "decline", "下滑阈值") >= 0:
        raise MonitorError("参数 decline(下滑阈值)应为负数,如 -0.2 表示下降20%")
    if _number(p, "surge", "异常增长阈值") <= 0:
        raise MonitorError("参数 surge(异常增长阈值)应为正数,如 0.5 表示增长50%")
    streak = _number(p, "streak", "持续下滑月数")
    if streak < 2 or not float(streak).is_integer():
        raise MonitorError("参数 streak(持续下滑月数)应为不小于2的整数")
    indicators = p.get("indicators")
    if not indicators or not all(isinstance(i, str) and i for i in indicators):
        raise MonitorError("参数 indicators(监测指标)应为指标名称的列表")


def _check_watch(p: dict[str, Any]) -> None:
    top = _number(p, "top", "重点企业数量")
    if top < 1 or not float(top).is_integer():
        raise MonitorError("参数 top(重点企业数量)应为正整数")
    if _number(p, "scale_line_wan", "规上标准") <= 0:
        raise MonitorError("参数 scale_line_wan(规上标准,万元)应为正数")
    if not 0 < _number(p, "reach", "升规培育起点") <= 1:
        raise MonitorError("参数 reach(升规培育起点)应在0到1之间,如 0.7")


def _check_mu(p: dict[str, Any]) -> None:
    if _number(p, "cap", "单项得分上限倍数") < 1:
        raise MonitorError("参数 cap(单项得分上限倍数)应不小于1")
    if p.get("group_by") not in ("city", "district", "all"):
        raise MonitorError("参数 group_by(评价分组)应为 city、district 或 all")
    grades = p.get("grades") or []
    try:
        shares = [float(share) for _, share in grades]
    except (TypeError, ValueError):
        raise MonitorError('参数 grades(等级)应为 [等级, 比例] 的列表,如 [["A", 0.2], …]') from None
    if not grades or abs(sum(shares) - 1) > 1e-9 or min(shares) <= 0:
        raise MonitorError("参数 grades(等级比例)应都为正数,合计为1")
    indicators = p.get("indicators") or []
    if not indicators:
        raise MonitorError("参数 indicators(评价指标)不能为空")
    names = set()
    for item in indicators:
        name = item.get("name")
        if not name or name in names:
            raise MonitorError(f"评价指标名称缺失或重复:{name!r}")
        names.add(name)
        for key in ("numerator", "denominator"):
            if not isinstance(item.get(key), str) or not item[key]:
                raise MonitorError(f"评价指标 {name}: 缺少 {key}(分子或分母指标)")
        if _number(item, "weight", f"{name}的权重") <= 0:
            raise MonitorError(f"评价指标 {name}: 权重应为正数")
        bench = item.get("benchmark", "group")
        if bench != "group" and not (
            isinstance(bench, int | float) and not isinstance(bench, bool) and bench > 0
        ):
            raise MonitorError(f"评价指标 {name}: benchmark(基准)应为 group 或正数")
