"""目标 (dated targets) bound to what the registry can count or sum, with the current figure and progress.

A target is read from the library (the latest version of each document). :func:`auto_measure`
binds it when its indicator names nothing but something the registry measures, so a binding is
never a guess on part of a phrase:

* a recognition kind of the vocabulary (单项冠军, 专精特新 …), with a level floor read from
  ``省级以上`` / ``市级及以上`` → the count of enterprises holding a valid one;
* 规上 (规模以上) 企业 → the count of 规上 enterprises;
* 上市 (and 挂牌 / 新三板) 企业 → the count of enterprises that listed;
* a metric (营业收入, 税收 …) in 元 units, optionally of 规上 enterprises → the year's sum.

Counts are of the document's region (its place name resolved to a 行政区划代码). A target that
says 新增 / 新认定 / 每年 / 全年 / 实现 counts what happened in its year; otherwise recognitions
are those valid on the day asked (granted by then and not expired). Anything left over in the
indicator (软件和信息技术服务业营业收入, 创新型中小企业 …) leaves the target unbound, listed for an
officer to bind (:func:`parse_measure` reads the short form) or to enter a figure by hand.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any

import polars as pl

from huiqi.monitor.errors import MonitorError
from huiqi.registry.codes import code_for_place, region_prefix
from huiqi.registry.schema import INDICATOR_SYNONYMS, INDICATOR_UNITS
from huiqi.rules.vocabulary import LEVELS, Vocabulary, load_vocabulary, squash

COUNT_UNITS = ("家", "个", "项", "户")
MONEY_UNITS = {"万元": 1.0, "亿元": 1e4, "亿": 1e4, "万亿元": 1e8, "万亿": 1e8}
_FLOW = re.compile(r"新增|新认定|新培育|每年|全年|实现")
_LEVEL_FLOOR = re.compile(r"(国家|省|市|区县|县)级?(?:及)?以上")
_SCOPE = re.compile(
    r"全市|全区|全县|全省|规上|规模以上|工业|企业|数量|累计|新增|新认定|新培育|每年|全年|实现|年|的|等|和|及|、|\"|“|”"
)


@dataclass(frozen=True)
class TargetRow:
    """One target as read, with its document and a stable key for bindings."""

    key: str
    document: str  # file name
    title: str
    region: str | None  # 行政区划代码 of the document's region
    text: str
    indicator: str
    value: float
    unit: str | None
    comparator: str
    by: int | None


def target_key(document: str, text: str, indicator: str, value: float) -> str:
    raw = "\x00".join((document, text, indicator, repr(float(value))))
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:12]


def targets_of(
    name: str, title: str | None, region: str | None, extraction: dict[str, Any]
) -> list[TargetRow]:
    code = code_for_place(region) if region else None
    rows = []
    for t in extraction.get("targets", []):
        by = t.get("by")
        rows.append(
            TargetRow(
                target_key(name, t["text"], t["indicator"], t["value"]),
                name,
                title or name,
                code,
                t["text"],
                t["indicator"],
                float(t["value"]),
                t.get("unit"),
                t.get("comparator", "="),
                int(by) if isinstance(by, int) or (isinstance(by, str) and by.isdigit()) else None,
            )
        )
    return rows


def _levels_from(floor: str) -> list[str]:
    word = {"国家": "国家级", "省": "省级", "市": "市级", "区县": "区县级", "县": "区县级"}[floor]
    return list(LEVELS[: LEVELS.index(word) + 1])


def _metric_names() -> list[tuple[str, str]]:
    names = [(n, n) for n in INDICATOR_UNITS] + list(INDICATOR_SYNONYMS.items())
    return sorted(names, key=lambda pair: -len(pair[0]))


def auto_measure(indicator: str, unit: str | None, vocab: Vocabulary | None = None) -> dict[str, Any] | None:
    """The measure a target's indicator names exactly, or None.

    >>> auto_measure("市级以上绿色工厂", "家")
    {'type': 'recognitions', 'kinds': ['绿色工厂'], 'levels': ['国家级', '省级', '市级'], 'flow': False}
    >>> auto_measure("规上工业企业数量", "家")
    {'type': 'scale'}
    >>> auto_measure("全市规上工业企业年营业收入", "万亿")
    {'type': 'metric', 'indicator': '营业收入', 'scale': True}
    >>> auto_measure("软件和信息技术服务业营业收入", "亿元") is None
    True
    """
    if not unit:
        return None
    vocab = vocab or load_vocabulary()
    text = squash(indicator)
    flow = bool(_FLOW.search(text))
    if unit in COUNT_UNITS:
        floor = _LEVEL_FLOOR.search(text)
        rest = _LEVEL_FLOOR.sub("", text)
        if "上市" in rest:
            kinds = ["上市"] + (["挂牌"] if re.search("挂牌|新三板", rest) else [])
            if not _SCOPE.sub("", re.sub("上市|挂牌|新三板", "", rest)):
                return {"type": "listings", "kinds": kinds, "flow": flow}
            return None
        mentions = vocab.find(rest, "recognition")
        if mentions:
            left = rest
            for m in sorted(mentions, key=lambda m: -m.start):
                left = left[: m.start] + left[m.end :]
            if _SCOPE.sub("", left):
                return None
            levels = _levels_from(floor.group(1)) if floor else None
            return {
                "type": "recognitions",
                "kinds": [m.kind for m in mentions],
                "levels": levels,
                "flow": flow,
            }
        if re.search("规上|规模以上", text) and not _SCOPE.sub("", text):
            return {"type": "scale"}
        return None
    if unit in MONEY_UNITS:
        for name, canonical in _metric_names():
            if name in text:
                if _SCOPE.sub("", text.replace(name, "", 1)):
                    return None
                return {
                    "type": "metric",
                    "indicator": canonical,
                    "scale": bool(re.search("规上|规模以上", text)),
                }
    return None


def describe(measure: dict[str, Any] | None) -> str | None:
    """A measure in Chinese: ``有效认定数:绿色工厂(国家级/省级/市级)``."""
    if measure is None:
        return None
    kind = measure["type"]
    if kind == "recognitions":
        levels = f"({'/'.join(measure['levels'])})" if measure.get("levels") else ""
        head = "当年新认定数" if measure.get("flow") else "有效认定企业数"
        return f"{head}:{'、'.join(measure['kinds'])}{levels}"
    if kind == "scale":
        return "规上企业数"
    if kind == "listings":
        return ("当年" if measure.get("flow") else "累计") + f"{'或'.join(measure['kinds'])}企业数"
    return f"{'规上企业' if measure.get('scale') else '全部企业'}{measure['indicator']}合计"


def parse_measure(text: str) -> dict[str, Any]:
    """An officer's binding in short form.

    ``认定:绿色工厂[:省级以上][:新增]``, ``规上企业``, ``上市`` or ``上市+挂牌`` (``:新增``),
    ``指标:营业收入[:规上]``.

    >>> parse_measure("认定:绿色工厂:省级以上")
    {'type': 'recognitions', 'kinds': ['绿色工厂'], 'levels': ['国家级', '省级'], 'flow': False}
    >>> parse_measure("指标:税收:规上")
    {'type': 'metric', 'indicator': '税收', 'scale': True}
    """
    parts = [p.strip() for p in re.split(r"[::]", text.strip()) if p.strip()]
    vocab = load_vocabulary()
    if not parts:
        raise MonitorError("绑定口径为空")
    head, rest = parts[0], parts[1:]
    flow = "新增" in rest
    if head == "认定" and rest:
        resolved = vocab.resolve(rest[0], "recognition")
        if resolved is None:
            raise MonitorError(f"绑定口径 {text}: 认定类型 {rest[0]} 不在资格词表中")
        levels = None
        for part in rest[1:]:
            if floor := _LEVEL_FLOOR.fullmatch(part):
                levels = _levels_from(floor.group(1))
            elif part in LEVELS:
                levels = [part]
        return {"type": "recognitions", "kinds": [resolved.kind], "levels": levels, "flow": flow}
    if head in ("规上企业", "规上"):
        return {"type": "scale"}
    if head in ("上市", "上市+挂牌"):
        return {"type": "listings", "kinds": head.split("+"), "flow": flow}
    if head == "指标" and rest:
        name = dict(_metric_names()).get(rest[0])
        if name is None:
            raise MonitorError(f"绑定口径 {text}: 未知指标 {rest[0]}")
        return {"type": "metric", "indicator": name, "scale": "规上" in rest[1:]}
    raise MonitorError(
        f"绑定口径 {text}: 应为 认定:类型[:省级以上][:新增]、规上企业、上市[+挂牌]、指标:名称[:规上] 之一"
    )


@dataclass
class Registry:
    """The registry frames the measures read (loaded once for all targets)."""

    enterprises: pl.DataFrame  # uscc, region_code, scale
    recognitions: pl.DataFrame  # uscc, kind, level, granted_on, review, expires_on
    events: pl.DataFrame  # uscc, kind, occurred_on
    annual: pl.DataFrame  # uscc, period (YYYY), indicator, value


def _in(frame: pl.DataFrame, region: str | None, registry: Registry) -> pl.DataFrame:
    if not region:
        return frame
    inside = registry.enterprises.filter(pl.col("region_code").str.starts_with(region_prefix(region)))
    return frame.join(inside.select("uscc"), on="uscc", how="semi")


def measure_value(
    measure: dict[str, Any], target: TargetRow, registry: Registry, as_of: dt.date
) -> tuple[float | None, str]:
    """(current figure in the target's unit, what it counts) for one bound target."""
    year = target.by or as_of.year
    kind = measure["type"]
    if kind == "recognitions":
        rows = _in(registry.recognitions, target.region, registry).filter(
            pl.col("kind").is_in(measure["kinds"])
        )
        if measure.get("levels"):
            rows = rows.filter(pl.col("level").is_in(measure["levels"]))
        if measure.get("flow"):
            rows = rows.filter(~pl.col("review") & (pl.col("granted_on").dt.year() == year))
            return float(rows["uscc"].n_unique()), f"{year}年新认定"
        valid = (pl.col("granted_on") <= as_of) & (
            pl.col("expires_on").is_null() | (pl.col("expires_on") >= as_of)
        )
        return float(rows.filter(valid)["uscc"].n_unique()), f"{as_of.isoformat()}有效"
    if kind == "scale":
        rows = _in(registry.enterprises, target.region, registry).filter(pl.col("scale") == "规上")
        return float(rows.height), "企业名录现状"
    if kind == "listings":
        rows = _in(registry.events, target.region, registry).filter(pl.col("kind").is_in(measure["kinds"]))
        if measure.get("flow"):
            rows = rows.filter(pl.col("occurred_on").dt.year() == year)
            return float(rows["uscc"].n_unique()), f"{year}年"
        return float(
            rows.filter(pl.col("occurred_on") <= as_of)["uscc"].n_unique()
        ), f"截至{as_of.isoformat()}"
    figures = _in(registry.annual, target.region, registry).filter(
        pl.col("indicator") == measure["indicator"]
    )
    if measure.get("scale"):
        scale = registry.enterprises.filter(pl.col("scale") == "规上").select("uscc")
        figures = figures.join(scale, on="uscc", how="semi")
    years = sorted(int(p) for p in figures["period"].unique().to_list() if int(p) <= year)
    if not years:
        return None, "无数据"
    used = years[-1]
    total = figures.filter(pl.col("period") == str(used))["value"].sum()
    return float(total) / MONEY_UNITS.get(target.unit or "万元", 1.0), f"{used}年合计"


def progress(current: float | None, target: TargetRow) -> float | None:
    """current / target for goals to reach (≥, =, 左右); None for ceilings (≤) or no figure."""
    if current is None or target.value <= 0 or target.comparator == "<=":
        return None
    return round(current / target.value, 4)


def _documents(session, document: str | None) -> list[tuple[str, str | None, str | None, dict]]:
    from huiqi.library import current_versions

    out = []
    for version in current_versions(session):
        doc = version.document
        if document and document not in doc.name and document not in (doc.title or ""):
            continue
        out.append((doc.name, doc.title, doc.region, version.extraction))
    return out


def load_registry_frames(engine) -> Registry:
    from sqlalchemy import select

    from huiqi.db.models import Enterprise, Event, Recognition
    from huiqi.monitor.store import load_metrics

    with engine.connect() as conn:
        enterprises = pl.read_database(
            select(Enterprise.uscc, Enterprise.region_code, Enterprise.scale),
            conn,
            schema_overrides={"uscc": pl.String, "region_code": pl.String, "scale": pl.String},
        )
        recognitions = pl.read_database(
            select(
                Recognition.uscc,
                Recognition.kind,
                Recognition.level,
                Recognition.granted_on,
                Recognition.review,
                Recognition.expires_on,
            ),
            conn,
            schema_overrides={
                "uscc": pl.String,
                "kind": pl.String,
                "level": pl.String,
                "granted_on": pl.Date,
                "review": pl.Boolean,
                "expires_on": pl.Date,
            },
        )
        events = pl.read_database(
            select(Event.uscc, Event.kind, Event.occurred_on).where(Event.kind.in_(["上市", "挂牌"])),
            conn,
            schema_overrides={"uscc": pl.String, "kind": pl.String, "occurred_on": pl.Date},
        )
    annual = load_metrics(engine).filter(pl.col("period").str.len_chars() == 4)
    return Registry(enterprises, recognitions, events, annual)


def latest_bindings(engine) -> dict[str, dict[str, Any]]:
    from sqlalchemy import select

    from huiqi.db.models import TargetBinding

    with engine.connect() as conn:
        rows = conn.execute(select(TargetBinding).order_by(TargetBinding.id)).all()
    return {r.target_key: {"measure": r.measure, "value": r.value, "note": r.note} for r in rows}


def target_items(engine, document: str | None = None, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Every target of the library (or of documents matching ``document``) with its binding,
    current figure and progress; the JSON items of ``huiqi targets``."""
    from huiqi.db.engine import session_scope

    as_of = as_of or dt.date.today()
    with session_scope(engine) as session:
        documents = _documents(session, document)
    targets = [t for name, title, region, ex in documents for t in targets_of(name, title, region, ex)]
    registry = load_registry_frames(engine) if targets else None
    bindings = latest_bindings(engine)
    vocab = load_vocabulary()
    items = []
    for t in targets:
        bound = bindings.get(t.key, {})
        measure = bound.get("measure") or auto_measure(t.indicator, t.unit, vocab)
        source = "人工绑定" if bound.get("measure") else ("自动" if measure else None)
        current, basis = None, None
        if bound.get("value") is not None:
            current, basis, source = bound["value"], bound.get("note") or "人工填报", "人工填报"
        elif measure is not None and registry is not None:
            current, basis = measure_value(measure, t, registry, as_of)
        items.append(
            {
                "key": t.key,
                "document": t.title,
                "text": t.text,
                "indicator": t.indicator,
                "value": t.value,
                "unit": t.unit,
                "comparator": t.comparator,
                "by": t.by,
                "region": t.region,
                "measure": describe(measure),
                "measure_spec": measure,
                "source": source,
                "current": None if current is None else round(current, 4),
                "basis": basis,
                "progress": progress(current, t),
            }
        )
    return items


def bind_target(
    engine, key: str, measure: str | None = None, value: float | None = None, note: str | None = None
) -> None:
    """Store an officer's binding (a measure in short form) or a figure entered by hand."""
    from huiqi.db.engine import session_scope
    from huiqi.db.models import TargetBinding

    if (measure is None) == (value is None):
        raise MonitorError("请给出绑定口径(--measure)或人工填报的数值(--value)之一")
    known = {item["key"] for item in target_items(engine)}
    if key not in known:
        raise MonitorError(f"目标编号 {key}: 政策库中没有这个目标(huiqi targets 列出全部编号)")
    spec = parse_measure(measure) if measure is not None else None
    with session_scope(engine) as session:
        session.add(TargetBinding(target_key=key, measure=spec, value=value, note=note))
