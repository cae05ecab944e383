"""运行监测, 亩产效益 and 督查督办 for the API and the pages: who may see and change what, the lists
:mod:`huiqi.monitor` computes (kept until the data under them changes), and their Excel files.

Who may do what (``docs/monitoring.md``, "API"):

* an officer reads the lists of its region and every division inside it, and changes what lies
  inside it (a threshold version, the watch list, a 亩产效益 run, a target's binding, a task's
  status); an officer whose account names a department (``--department 市工业和信息化局``)
  updates only the task rows of the units whose name contains it;
* finance and auditors — the leadership's view — read every region and change nothing;
* an admin reads and changes everywhere (as in 审核 and 数据导入);
* an enterprise sees its own 亩产效益 row and nothing else: the other lists are officers' lists.

Computing a list reads months of the registry (a few hundred milliseconds on the demo
population, seconds for the targets), so what was computed is kept in the server process
(:class:`ListCache`) and used again while the data under it is unchanged: the newest import run,
setting version, watch-list entry, target binding, document version and 亩产效益 run (one query
of maxima per request), and today's date. Writes through the API or the pages clear it at once; a
change written straight into the database outside an import is seen within ten minutes.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import polars as pl
from fastapi import FastAPI
from fastapi.responses import Response
from sqlalchemy import Engine, and_, func, select

from huiqi.accounts.scope import READ_ALL
from huiqi.accounts.users import Actor
from huiqi.db.engine import session_scope
from huiqi.db.models import (
    Document,
    DocumentVersion,
    Enterprise,
    ImportRun,
    MonitorRun,
    MonitorSetting,
    MuScore,
    TargetBinding,
    TaskUpdate,
    WatchEntry,
)
from huiqi.monitor import periods
from huiqi.monitor.errors import MonitorError
from huiqi.payout.errors import Forbidden, Invalid, NotFound
from huiqi.registry.codes import region_name, region_prefix

READERS = frozenset({"officer", "finance", "auditor", "admin"})
LEADERSHIP = frozenset({"finance", "auditor"})  # the leadership's view: reads everything, writes nothing
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CACHE_SECONDS = 600.0


# ------------------------------------------------------------------------------ scope


def district(code: str | None) -> str:
    """A division's name (``370102`` → 历下区); the code itself when it is not a known one."""
    if not code:
        return "全部地区"
    try:
        return region_name(code)
    except KeyError:
        return code


def region_code(text: str | None, name: str = "region") -> str | None:
    """A region option as a 行政区划代码: a code, a 2- or 4-digit prefix (``3701``) or a place
    name (济南市); None when empty. A :class:`Invalid` naming the field otherwise."""
    from huiqi.monitor.store import resolve_region

    if text is None or not text.strip():
        return None
    value = text.strip()
    if re.fullmatch(r"\d{2}|\d{4}", value):
        value = value.ljust(6, "0")
    try:
        return resolve_region(value)
    except MonitorError:
        raise Invalid(f"地区 {text}:不是有效的行政区划代码或地名", name) from None


def own_code(actor: Actor) -> str:
    """The 行政区划代码 of an officer's area (its prefix padded: ``3701`` → ``370100``)."""
    return (actor.region_prefix or "").ljust(6, "0")


def inside(actor: Actor, code: str | None) -> bool:
    """Whether the division ``code`` lies inside an officer's area (itself included)."""
    if code is None:
        return False
    try:
        prefix = region_prefix(code)
    except KeyError:
        prefix = code
    return prefix.startswith(actor.region_prefix or "\0")


def read_scope(actor: Actor, text: str | None = None, name: str = "region") -> str | None:
    """The region an officers' list covers for ``actor``: the one asked, which must lie inside an
    officer's area, else the officer's area, else everywhere (None). Enterprises: 403."""
    if actor.role not in READERS:
        raise Forbidden("这是经办人员和领导查看的清单,企业账号不能查看")
    code = region_code(text, name)
    if actor.role != "officer":
        return code
    if code is None:
        return own_code(actor)
    if not inside(actor, code):
        raise Forbidden(f"地区 {text} 不在您负责的{district(own_code(actor))}范围内", name)
    return code


def write_scope(actor: Actor, text: str | None = None, name: str = "region") -> str | None:
    """The region a change covers: an officer's own area (or a division inside it), anywhere for
    an admin (None: everywhere); the leadership's view and enterprises change nothing (403)."""
    if actor.role in LEADERSHIP:
        raise Forbidden("领导查看视图只能查看,不能修改")
    if actor.role not in ("officer", "admin"):
        raise Forbidden("只有经办人员或管理员可以修改")
    return read_scope(actor, text, name)


def check_writer(actor: Actor) -> None:
    write_scope(actor)


def parse_period(text: str | None, name: str = "period") -> str | None:
    """``YYYY-MM`` (also 2025-1, 2025年3月); a Chinese :class:`Invalid` for anything else."""
    if text is None or not text.strip():
        return None
    try:
        return periods.parse(text)
    except MonitorError as exc:
        raise Invalid(str(exc), name) from None


# ------------------------------------------------------------------------------ the cache


_STAMP = select(
    select(func.max(ImportRun.id)).scalar_subquery(),
    select(func.max(MonitorSetting.id)).scalar_subquery(),
    select(func.count()).select_from(WatchEntry).scalar_subquery(),
    select(func.max(WatchEntry.added_at)).scalar_subquery(),
    select(func.max(TargetBinding.id)).scalar_subquery(),
    select(func.max(DocumentVersion.id)).scalar_subquery(),
    select(func.sum(Document.current_version_id)).scalar_subquery(),
    select(func.max(MonitorRun.id)).scalar_subquery(),
)


def data_stamp(engine: Engine) -> tuple:
    """What the lists are computed from, as a few maxima and today's date (one small query)."""
    with engine.connect() as conn:
        row = conn.execute(_STAMP).one()
    return (*(str(v) for v in row), dt.date.today().isoformat())


class ListCache:
    """Computed lists by key, each with the data stamp it was computed under; thread-safe,
    small, and never older than :data:`CACHE_SECONDS`."""

    def __init__(self, size: int = 48, seconds: float = CACHE_SECONDS) -> None:
        self._items: dict[tuple, tuple[tuple, float, Any]] = {}
        self._lock = threading.Lock()
        self.size, self.seconds = size, seconds

    def get(self, key: tuple, stamp: tuple, compute: Callable[[], Any]) -> Any:
        found = self._items.get(key)
        if found is not None and found[0] == stamp and time.monotonic() - found[1] < self.seconds:
            return found[2]
        value = compute()
        with self._lock:
            if len(self._items) >= self.size:
                oldest = min(self._items, key=lambda k: self._items[k][1])
                self._items.pop(oldest, None)
            self._items[key] = (stamp, time.monotonic(), value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_CACHE_LOCK = threading.Lock()


def cache_of(app: FastAPI) -> ListCache:
    """The app's list cache (made on first use)."""
    cache = getattr(app.state, "monitor_cache", None)
    if cache is None:
        with _CACHE_LOCK:
            cache = getattr(app.state, "monitor_cache", None)
            if cache is None:
                cache = app.state.monitor_cache = ListCache()
    return cache


@dataclass
class Lists:
    """The lists over one app's database: its engine, its cache and this request's data stamp."""

    engine: Engine
    cache: ListCache
    stamp: tuple = field(default=())

    @classmethod
    def of(cls, app: FastAPI) -> Lists:
        engine = app.state.engine
        return cls(engine, cache_of(app), data_stamp(engine))

    def kept(self, key: tuple, compute: Callable[[], Any]) -> Any:
        return self.cache.get(key, self.stamp, compute)

    def changed(self) -> None:
        """After a write: forget every computed list."""
        self.cache.clear()

    # -- months and years --------------------------------------------------------------------

    def month(self, text: str | None) -> str | None:
        """The month asked, else the newest month of the metrics (None when there is none)."""
        from huiqi.monitor.store import latest_month

        return parse_period(text) or self.kept(("latest_month",), lambda: latest_month(self.engine))

    def latest_year(self) -> int | None:
        from huiqi.monitor.store import latest_year

        return self.kept(("latest_year",), lambda: latest_year(self.engine))

    # -- 波动企业 -------------------------------------------------------------------------------

    def alerts(self, month: str, region: str | None) -> tuple[pl.DataFrame, list[dict]]:
        """The 波动企业 of ``month`` in ``region`` (the items of ``huiqi monitor --format json``,
        with ``district``) and the setting versions they used."""
        return self.kept(("alerts", month, region), lambda: _alerts(self.engine, month, region))

    # -- 百户重点企业 and 升规纳统 -------------------------------------------------------------

    def watch(self, month: str, region: str | None, top: int | None) -> WatchView:
        return self.kept(("watch", month, region, top), lambda: _watch(self.engine, month, region, top))

    def upgrade(self, month: str, region: str | None) -> UpgradeView:
        return self.kept(("upgrade", month, region), lambda: _upgrade(self.engine, month, region))

    # -- 亩产效益 -------------------------------------------------------------------------------

    def mu_missing(self, year: int, region: str | None) -> pl.DataFrame:
        """Enterprises with land not graded for ``year`` and what each lacks, as the figures
        stand now."""
        return self.kept(("mu_missing", year, region), lambda: _mu(self.engine, year, region).missing)

    # -- 目标 -----------------------------------------------------------------------------------

    def targets(self, as_of: dt.date) -> list[dict[str, Any]]:
        from huiqi.monitor.targets import target_items

        return self.kept(("targets", as_of), lambda: target_items(self.engine, None, as_of))


# ------------------------------------------------------------------------------ 波动企业


def _alerts(engine: Engine, month: str, region: str | None) -> tuple[pl.DataFrame, list[dict]]:
    from huiqi.monitor.alerts import fluctuations, needed_periods, watched_indicators
    from huiqi.monitor.settings import all_settings
    from huiqi.monitor.store import load_enterprises, load_metrics

    settings = all_settings(engine, "alerts")
    firms = load_enterprises(engine, region)
    monthly = load_metrics(engine, needed_periods(month, settings), watched_indicators(settings), region)
    items = fluctuations(monthly, firms, month, settings)
    labels = set(items["setting"].unique().to_list())
    used = [s.summary() for s in settings if s.label() in labels]
    items = items.with_columns(district=pl.col("region_code").map_elements(district, return_dtype=pl.String))
    return items, used


def indicators_watched(engine: Engine) -> list[str]:
    from huiqi.monitor.alerts import watched_indicators
    from huiqi.monitor.settings import all_settings

    return watched_indicators(all_settings(engine, "alerts"))


def filter_alerts(items: pl.DataFrame, indicator: str | None, rule: str | None) -> pl.DataFrame:
    if indicator:
        items = items.filter(pl.col("indicator") == indicator)
    if rule:
        items = items.filter(pl.col("rules").list.contains(rule))
    return items


# ------------------------------------------------------------------------------ 百户重点企业


@dataclass
class WatchView:
    """The watch list of a month: one row per enterprise (with its twelve months) and the
    district totals month by month."""

    period: str
    region: str | None
    indicator: str
    source: str
    imported: bool
    setting: dict[str, Any]
    items: pl.DataFrame
    districts: pl.DataFrame


def _watch_setting(engine: Engine, month: str, region: str | None):
    from huiqi.monitor.settings import all_settings, applicable

    on = dt.date(int(month[:4]), int(month[5:]), 1)
    setting = applicable(all_settings(engine, "watch"), region or "", on)
    assert setting is not None  # the packaged default covers everywhere
    return setting


def _watch(engine: Engine, month: str, region: str | None, top: int | None) -> WatchView:
    from huiqi.monitor.store import load_watch

    data = load_watch(engine, month, region, top)
    series, summary = data.series, data.summary
    per_firm = series.group_by("uscc", maintain_order=True).agg(
        months=pl.struct("period", "value", "previous", pl.col("change").round(4))
    )
    name_of = pl.col("region_code").map_elements(district, return_dtype=pl.String)
    items = summary.join(per_firm, on="uscc", how="left").with_columns(
        pl.col("change", "ytd_change").round(4), district=name_of
    )
    districts = data.districts.with_columns(pl.col("change").round(4), district=name_of)
    return WatchView(
        month, region, data.indicator, data.source, data.imported, data.setting.summary(), items, districts
    )


def watch_entries(engine: Engine, region: str | None) -> list[dict[str, Any]]:
    """The imported watch list inside ``region``."""
    query = select(WatchEntry.uscc, Enterprise.name, Enterprise.region_code, WatchEntry.note).join(
        Enterprise, Enterprise.uscc == WatchEntry.uscc
    )
    if region:
        query = query.where(Enterprise.region_code.startswith(region_prefix(region)))
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(WatchEntry.uscc)).all()
    return [
        {"uscc": r.uscc, "name": r.name, "region_code": r.region_code, "district": district(r.region_code),
         "note": r.note}
        for r in rows
    ]  # fmt: skip


def import_watch(engine: Engine, name: str, content: bytes, region: str | None) -> tuple[int, list[str]]:
    """Replace the watch list inside ``region`` with the enterprises of an uploaded file."""
    from huiqi.monitor.store import import_watch_list

    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        raise Invalid(f"{name}:只能导入 CSV 或 Excel(.xlsx)文件", "file")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / (Path(name).name or f"名单{suffix}")
        path.write_bytes(content)
        try:
            return import_watch_list(engine, path, region)
        except MonitorError as exc:
            raise Invalid(str(exc), "file") from None


# ------------------------------------------------------------------------------ 升规纳统


@dataclass
class UpgradeView:
    period: str
    region: str | None
    line_wan: float
    reach: float
    setting: dict[str, Any]
    items: pl.DataFrame


def _upgrade(engine: Engine, month: str, region: str | None) -> UpgradeView:
    from huiqi.monitor.store import load_enterprises, load_metrics
    from huiqi.monitor.watch import upgrade_candidates

    setting = _watch_setting(engine, month, region)
    line, reach = float(setting.params["scale_line_wan"]), float(setting.params["reach"])
    firms = load_enterprises(engine, region)
    wanted = [*periods.months_back(month, 12), str(int(month[:4]) - 1)]
    metrics = load_metrics(engine, wanted, ["营业收入"], region)
    items = upgrade_candidates(metrics, firms, month, line, reach).with_columns(
        district=pl.col("region_code").map_elements(district, return_dtype=pl.String)
    )
    return UpgradeView(month, region, line, reach, setting.summary(), items)


# ------------------------------------------------------------------------------ settings


def setting_rows(engine: Engine, actor: Actor, kind: str | None) -> list[dict[str, Any]]:
    """Every version (packaged and added) of ``kind`` (all kinds when None) that concerns the
    reader: for an officer, the versions for everywhere, for a region containing its area, or
    for a division inside it."""
    from huiqi.monitor.settings import KIND_ZH, KINDS, all_settings

    rows = []
    for k in [kind] if kind else list(KINDS):
        for s in all_settings(engine, k):
            if (
                actor.role == "officer"
                and s.region
                and not (s.covers(own_code(actor)) or inside(actor, s.region))
            ):
                continue
            rows.append(
                {
                    "kind": s.kind,
                    "kind_zh": KIND_ZH[s.kind],
                    "region": s.region,
                    "region_name": district(s.region),
                    "version": s.version,
                    "effective_from": s.effective_from,
                    "params": s.params,
                    "note": s.note,
                    "stored": s.stored,
                    "label": s.label(),
                }
            )
    return rows


def add_setting(
    engine: Engine, actor: Actor, kind: str, region: str | None, on: dt.date, params: dict, note: str | None
) -> dict[str, Any]:
    """A new version of ``kind`` for ``region`` (an officer: inside its area; everywhere: admins
    only), recorded in the audit log."""
    from huiqi.monitor import settings

    code = write_scope(actor, region)
    try:
        added = settings.add_setting(engine, kind, code or "", on, params, note)
    except MonitorError as exc:
        raise Invalid(str(exc), "params") from None
    audit(engine, actor, "monitor.setting", "monitor_setting", f"{kind}:{code or '*'}:{added.version}",
          {"params": params, "effective_from": on.isoformat(), "note": note})  # fmt: skip
    return next(
        r for r in setting_rows(engine, Actor(0, "", "admin"), kind)
        if r["region"] == (code or "") and r["version"] == added.version and r["stored"]
    )  # fmt: skip


# ------------------------------------------------------------------------------ 亩产效益


def _mu(engine: Engine, year: int, region: str | None):
    from huiqi.monitor.store import score_region

    result = score_region(engine, year, region)
    result.missing = result.missing.with_columns(
        district=pl.col("region_code").map_elements(district, return_dtype=pl.String)
    )
    return result


def mu_run(engine: Engine, actor: Actor, year: int, region: str | None) -> dict[str, Any]:
    """Score and grade ``year`` in ``region`` and store the run (replacing an earlier run of the
    same year and region); the audit log records who ran it."""
    from huiqi.monitor.store import save_mu

    result = _mu(engine, year, region)
    if result.scored.is_empty() and result.missing.is_empty():
        raise Invalid(f"{year}年{district(region)}没有企业填报用地面积,无法开展亩产效益评价", "year")
    run_id = save_mu(engine, year, region, result.settings, result.scored)
    grades = dict(result.scored.group_by("grade").len().iter_rows()) if result.scored.height else {}
    summary = {
        "run_id": run_id,
        "year": year,
        "region": region,
        "settings": [s.summary() for s in result.settings],
        "scored": result.scored.height,
        "missing": result.missing.height,
        "grades": {g: grades[g] for g in sorted(grades)},
    }
    audit(engine, actor, "monitor.mu_run", "monitor_run", run_id, summary)
    return summary


def mu_years(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return sorted(conn.scalars(select(func.distinct(MuScore.year))), reverse=True)


def _mu_query(year: int, prefix: str | None, uscc: str | None):
    latest = (
        select(MuScore.uscc, func.max(MuScore.run_id).label("run_id"))
        .where(MuScore.year == year)
        .group_by(MuScore.uscc)
        .subquery()
    )
    query = (
        select(MuScore.id)
        .join(latest, and_(latest.c.uscc == MuScore.uscc, latest.c.run_id == MuScore.run_id))
        .join(Enterprise, Enterprise.uscc == MuScore.uscc)
    )
    if prefix:
        query = query.where(Enterprise.region_code.startswith(prefix))
    if uscc:
        query = query.where(MuScore.uscc == uscc)
    return query


def mu_grades(
    engine: Engine,
    year: int,
    region: str | None,
    *,
    uscc: str | None = None,
    grade: str | None = None,
    offset: int = 0,
    limit: int | None = 50,
) -> tuple[list[dict[str, Any]], int, dict[str, int]]:
    """The grades in force for ``year`` (each enterprise's latest run) inside ``region``: one page
    of rows (score, grade, rank, each indicator's value, benchmark and points, the grade's
    differentiated measures), the number of rows and the count of each grade."""
    from huiqi.monitor.mu import measures_for
    from huiqi.monitor.settings import all_settings

    ids = _mu_query(year, region_prefix(region) if region else None, uscc).subquery()
    counted = (
        select(MuScore.grade, func.count()).where(MuScore.id.in_(select(ids.c.id))).group_by(MuScore.grade)
    )
    rows = (
        select(MuScore, Enterprise.name, Enterprise.region_code)
        .join(Enterprise, Enterprise.uscc == MuScore.uscc)
        .where(MuScore.id.in_(select(ids.c.id)))
    )
    if grade:
        rows = rows.where(MuScore.grade == grade)
    rows = rows.order_by(MuScore.score.desc(), MuScore.uscc).offset(offset)
    if limit is not None:
        rows = rows.limit(limit)
    with engine.connect() as conn:
        counts = dict(conn.execute(counted).all())
        found = conn.execute(rows).all()
    schemes = {s.label(): s for s in all_settings(engine, "mu")}
    items = []
    for r in found:
        details = r.details or {}
        scheme = schemes.get(details.get("setting"))
        items.append(
            {
                "uscc": r.uscc,
                "name": r.name,
                "region_code": r.region_code,
                "district": district(r.region_code),
                "year": r.year,
                "score": r.score,
                "grade": r.grade,
                "rank": r.rank,
                "group": details.get("group"),
                "indicators": details.get("indicators") or [],
                "setting": details.get("setting"),
                "measures": measures_for(scheme, r.grade) if scheme else [],
                "run_id": r.run_id,
            }
        )
    total = sum(counts.values()) if not grade else counts.get(grade, 0)
    return items, total, {g: counts[g] for g in sorted(counts)}


def mu_scheme_indicators(engine: Engine) -> list[str]:
    from huiqi.monitor.settings import all_settings

    names = [i["name"] for s in all_settings(engine, "mu") for i in s.params["indicators"]]
    return list(dict.fromkeys(names))


# ------------------------------------------------------------------------------ 目标


def is_bound(item: dict[str, Any]) -> bool:
    """A target with a measure (bound automatically or by an officer) or a figure entered by hand."""
    return item["measure"] is not None or item["source"] == "人工填报"


def visible_targets(items: Iterable[dict[str, Any]], actor: Actor) -> list[dict[str, Any]]:
    """The targets of the documents whose region lies inside an officer's area; all of them for
    the leadership's view and admins."""
    if actor.role in READ_ALL:
        return list(items)
    return [i for i in items if inside(actor, i.get("region"))]


def bind(engine: Engine, actor: Actor, item: dict[str, Any], measure: str | None, value: float | None,
         note: str | None) -> None:  # fmt: skip
    """Bind a target to a measure in short form, or enter its current figure by hand."""
    from huiqi.monitor.targets import bind_target

    if actor.role == "officer" and not inside(actor, item.get("region")):
        raise NotFound(f"没有编号为 {item['key']} 的目标")
    try:
        bind_target(engine, item["key"], measure, value, note)
    except MonitorError as exc:
        raise Invalid(str(exc), "measure" if measure is not None else "value") from None
    audit(engine, actor, "monitor.target_binding", "target", item["key"],
          {"measure": measure, "value": value, "note": note})  # fmt: skip


# ------------------------------------------------------------------------------ 督查督办


def _document_prefixes(engine: Engine) -> dict[str, str | None]:
    """Document file name → the region prefix it governs (None when its region is unknown)."""
    from huiqi.review.service import document_prefix

    with session_scope(engine) as session:
        docs = session.scalars(select(Document).where(Document.current_version_id.is_not(None))).all()
        return {d.name: document_prefix(d) for d in docs}


def _unit_is_mine(actor: Actor, unit: str) -> bool:
    from huiqi.monitor.tasks import clean_unit

    if not actor.department:
        return True
    department = clean_unit(actor.department)
    return department == unit or department in unit


def task_ledger(
    engine: Engine,
    actor: Actor,
    *,
    document: str | None = None,
    unit: str | None = None,
    today: dt.date | None = None,
) -> pl.DataFrame:
    """The ledger rows ``actor`` may see, each with ``can_update`` (may this caller update it)."""
    from huiqi.monitor.tasks import ledger

    if actor.role not in READERS:
        raise Forbidden("督查督办台账只对经办人员和领导开放,企业账号不能查看")
    frame = ledger(engine, document, unit, today)
    prefixes = _document_prefixes(engine)
    seen, may = [], []
    for name, row_unit in zip(frame["document"].to_list(), frame["unit"].to_list(), strict=True):
        prefix = prefixes.get(name)
        if actor.role == "officer":
            visible = prefix is not None and prefix.startswith(actor.region_prefix or "\0")
            seen.append(visible)
            may.append(visible and _unit_is_mine(actor, row_unit))
        else:
            seen.append(True)
            may.append(actor.role == "admin")
    return frame.with_columns(can_update=pl.Series(may, dtype=pl.Boolean)).filter(
        pl.Series(seen, dtype=pl.Boolean)
    )


def filter_tasks(frame: pl.DataFrame, status: str | None, overdue: bool | None) -> pl.DataFrame:
    if status:
        frame = frame.filter(pl.col("status") == status)
    if overdue is not None:
        frame = frame.filter(pl.col("overdue") == overdue)
    return frame


def unit_report(frame: pl.DataFrame) -> list[dict[str, Any]]:
    from huiqi.monitor.tasks import STATUSES, by_unit

    return [
        {
            "unit": r["unit"],
            "tasks": r["tasks"],
            "overdue": r["overdue"],
            "statuses": {s: r[s] for s in STATUSES},
        }
        for r in by_unit(frame).iter_rows(named=True)
    ]


def update_task(
    engine: Engine,
    actor: Actor,
    document: str,
    task_id: str,
    unit: str,
    status: str,
    note: str | None,
    deadline: dt.date | None,
    on: dt.date | None,
) -> dict[str, Any]:
    """A unit's status of one task (a row of the ledger ``actor`` may update), kept as history."""
    from huiqi.monitor import tasks

    check_writer(actor)
    rows = task_ledger(engine, actor, document=None)
    mine = rows.filter(
        (pl.col("document") == document)
        & (pl.col("task_id") == task_id)
        & (pl.col("unit") == tasks.clean_unit(unit))
    )
    if mine.is_empty():
        raise NotFound(
            f"台账中没有《{document}》任务 {task_id} 由 {unit} 负责的这一行(或它不在您负责的范围内)"
        )
    if not mine["can_update"][0]:
        raise Forbidden(f"您的账号属于{actor.department},只能更新本单位负责的任务", "unit")
    try:
        done = tasks.update_task(engine, document, task_id, unit, status, note, deadline, on)
    except MonitorError as exc:
        raise Invalid(str(exc), "status" if status not in tasks.STATUSES else None) from None
    done |= {"note": note, "deadline": deadline, "date": on or dt.date.today()}
    audit(engine, actor, "monitor.task_update", "task", f"{document}#{task_id}#{done['unit']}",
          {"status": status, "note": note, "deadline": deadline.isoformat() if deadline else None,
           "date": done["date"].isoformat()})  # fmt: skip
    return done


def task_updates_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(TaskUpdate)) or 0


# ------------------------------------------------------------------------------ audit, paging, Excel


def audit(engine: Engine, actor: Actor, action: str, object_type: str, object_id: Any, after: Any) -> None:
    """One audit entry for a change already stored (the monitoring functions commit their own)."""
    from huiqi.audit.chain import record

    with session_scope(engine) as session:
        record(session, actor.username, action, object_type, object_id, after=after)


def page_of(rows: Sequence[Any], offset: int, limit: int) -> tuple[list[Any], str | None]:
    """One page of an ordered list and the cursor of the next (the offset, as text)."""
    chosen = list(rows[offset : offset + limit])
    return chosen, str(offset + limit) if offset + limit < len(rows) else None


def workbook(name: str, sheets: list[tuple[str, Sequence[tuple[str, str]], Iterable[dict]]]) -> Response:
    """An Excel download: one sheet per (title, [(key, 中文表头)], rows); text never a formula
    (:func:`huiqi.monitor.export.write_workbook`)."""
    from huiqi.monitor.export import write_workbook

    with tempfile.TemporaryDirectory() as folder:
        content = write_workbook(Path(folder) / "list.xlsx", sheets).read_bytes()
    return Response(
        content,
        media_type=XLSX,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "no-store",
        },
    )


ALERT_HEADERS = [
    ("uscc", "统一社会信用代码"), ("name", "企业名称"), ("district", "区县"), ("indicator", "指标"),
    ("period", "月份"), ("value", "本月"), ("previous", "去年同月"), ("change", "同比"), ("unit", "单位"),
    ("rule", "类型"), ("reason", "原因"), ("setting", "阈值版本"),
]  # fmt: skip
UPGRADE_HEADERS = [
    ("uscc", "统一社会信用代码"), ("name", "企业名称"), ("district", "区县"), ("revenue_wan", "营业收入(万元)"),
    ("basis", "口径"), ("gap_wan", "距规上标准(万元)"), ("share", "达到比例"),
]  # fmt: skip
DISTRICT_HEADERS = [
    ("district", "区县"), ("period", "月份"), ("enterprises", "企业数"), ("value", "合计"),
    ("previous", "去年同月"), ("change", "同比"),
]  # fmt: skip
MISSING_HEADERS = [
    ("uscc", "统一社会信用代码"),
    ("name", "企业名称"),
    ("district", "区县"),
    ("missing", "缺少"),
]
TARGET_HEADERS = [
    ("key", "编号"), ("document", "政策文件"), ("indicator", "目标"), ("comparator", "比较"), ("value", "目标值"),
    ("unit", "单位"), ("by", "年份"), ("measure", "统计口径"), ("current", "当前值"), ("basis", "口径说明"),
    ("progress", "进度"), ("source", "来源"), ("text", "原文"),
]  # fmt: skip
TASK_HEADERS = [
    ("title", "政策文件"), ("task_id", "任务"), ("task", "措施"), ("unit", "责任单位"), ("status", "状态"),
    ("note", "说明"), ("updated_on", "更新日期"), ("deadline", "时限"), ("overdue_text", "逾期"),
]  # fmt: skip
UNIT_HEADERS = [
    ("unit", "责任单位"), ("tasks", "任务数"), ("未启动", "未启动"), ("推进中", "推进中"), ("已完成", "已完成"),
    ("滞后", "滞后"), ("overdue", "逾期"),
]  # fmt: skip


def watch_workbook(view: WatchView) -> Response:
    recent = periods.months_back(view.period, 12)[::-1]
    rows = []
    for item in view.items.to_dicts():
        for month in item.pop("months") or []:
            item[month["period"]] = month["value"]
        rows.append(item)
    headers = [("uscc", "统一社会信用代码"), ("name", "企业名称"), ("district", "区县")]
    headers += [(p, p) for p in recent]
    headers += [("change", "本月同比"), ("ytd", "本年累计"), ("ytd_change", "累计同比"), ("trend", "走势")]
    return workbook(
        f"百户重点企业_{view.period}.xlsx",
        [("重点企业", headers, rows), ("区县合计", DISTRICT_HEADERS, view.districts.to_dicts())],
    )


def mu_workbook(year: int, items: list[dict[str, Any]], names: list[str], missing: pl.DataFrame) -> Response:
    rows = []
    for item in items:
        row = dict(item)
        for ind in row.pop("indicators"):
            row[f"{ind['name']}_值"] = ind["value"]
            row[f"{ind['name']}_得分"] = ind["points"]
        rows.append(row)
    headers = [("rank", "名次"), ("uscc", "统一社会信用代码"), ("name", "企业名称"), ("district", "区县")]
    headers += [("score", "得分"), ("grade", "等级")]
    for name in names:
        headers += [(f"{name}_值", name), (f"{name}_得分", f"{name}得分")]
    headers += [("measures", "差别化措施"), ("setting", "评价办法")]
    return workbook(
        f"亩产效益评价_{year}.xlsx",
        [("亩产效益评价", headers, rows), ("缺数据企业", MISSING_HEADERS, missing.to_dicts())],
    )


def tasks_workbook(frame: pl.DataFrame) -> Response:
    from huiqi.monitor.tasks import by_unit

    rows = frame.with_columns(overdue_text=pl.when("overdue").then(pl.lit("逾期")).otherwise(pl.lit("")))
    return workbook(
        f"督查督办_{dt.date.today().isoformat()}.xlsx",
        [
            ("任务台账", TASK_HEADERS, rows.to_dicts()),
            ("按单位汇总", UNIT_HEADERS, by_unit(frame).to_dicts()),
        ],
    )
