"""The product platform's vocabulary (产品资质词表) and settings, from ``huiqi/data/catalog.toml``.

A certification (资质) is something a product holds: 首台(套), 首批次, 首版次, or a listing in a
catalog (优势工业产品目录, 政府首购创新产品目录). Cells name them the way people write them;
:func:`parse_certifications` turns a cell into canonical names, keeping names no entry knows
as written.

>>> parse_certifications("首台(套)技术装备、《济南优势工业产品目录(2025年版)》;自主品牌")
['首台(套)', '优势工业产品目录', '自主品牌']
>>> catalogs()
('优势工业产品目录', '政府首购创新产品目录')
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from huiqi.rules.vocabulary import squash


@dataclass(frozen=True)
class Certification:
    """One certification: canonical ``name``, its aliases as matched, and whether it is a catalog."""

    name: str
    aliases: tuple[str, ...]
    catalog: bool = False
    level_from_region: bool = False
    criteria: str = ""
    years: int | None = None


@dataclass(frozen=True)
class CatalogSettings:
    """The whole file: certifications by name, and the [match] and [search] tables."""

    certifications: dict[str, Certification]
    match: dict[str, float] = field(default_factory=dict)
    search: dict[str, Any] = field(default_factory=dict)


def _key(text: str) -> str:
    return re.sub(r"[《》〈〉<>]", "", squash(text))


@cache
def settings() -> CatalogSettings:
    """The packaged ``catalog.toml``, read once."""
    raw = tomllib.loads(resources.files("huiqi.data").joinpath("catalog.toml").read_text("utf-8"))
    certs = {
        name: Certification(
            name,
            tuple(_key(a) for a in entry.get("aliases", [name])),
            bool(entry.get("catalog", False)),
            bool(entry.get("level_from_region", False)),
            entry.get("criteria", ""),
            entry.get("years"),
        )
        for name, entry in raw.get("certification", {}).items()
    }
    return CatalogSettings(certs, dict(raw.get("match", {})), dict(raw.get("search", {})))


@cache
def _aliases() -> list[tuple[str, str]]:
    """(alias as matched, canonical name), longest alias first."""
    pairs = [(a, c.name) for c in settings().certifications.values() for a in c.aliases]
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def resolve_certification(text: str) -> str | None:
    """The canonical certification a name means, or None: an exact alias, else the longest
    alias the name contains (``国家首台(套)重大技术装备`` → 首台(套))."""
    key = _key(text)
    if not key:
        return None
    for alias, name in _aliases():
        if key == alias:
            return name
    for alias, name in _aliases():
        if alias in key:
            return name
    return None


_SEPARATORS = re.compile(r"[、;;,,/|\n]+")


def parse_certifications(value: Any) -> list[str]:
    """A 资质 cell as a list of certifications: canonical where known, else as written; no repeats."""
    out: list[str] = []
    for part in _SEPARATORS.split(str(value)):
        text = part.strip().strip("《》“”\"' ")
        if not text:
            continue
        name = resolve_certification(text) or squash(text)
        if name and name not in out:
            out.append(name)
    return out


def catalogs() -> tuple[str, ...]:
    """The certifications officers publish as catalog editions."""
    return tuple(c.name for c in settings().certifications.values() if c.catalog)


def resolve_catalog(text: str) -> str | None:
    """The catalog a name means (``优势产品目录`` → 优势工业产品目录), or None."""
    name = resolve_certification(text)
    return name if name in catalogs() else None
