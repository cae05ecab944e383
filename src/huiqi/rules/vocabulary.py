"""The qualification vocabulary (资格词表): canonical kinds of 认定 and 事项, and their aliases.

The data lives in ``huiqi/data/vocabulary.toml`` so an officer can extend it without code.
Two questions are asked of it:

* :meth:`Vocabulary.resolve` — a registry cell such as ``国家级专精特新"小巨人"企业`` names which
  canonical kind (and level)?  Used by the importer; unknown names are reported, never guessed.
* :meth:`Vocabulary.find` — which kinds does a clause's subject mention?  Used by the rule
  compiler; a subject may name several (``技术中心或工程研究中心``).

>>> vocab = load_vocabulary()
>>> vocab.resolve('国家级专精特新"小巨人"企业', "recognition")
Resolved(table='recognition', kind='专精特新小巨人', level='国家级')
>>> vocab.resolve("中华老字号", "recognition")
Resolved(table='recognition', kind='老字号', level='国家级')
>>> vocab.resolve("区块链示范", "recognition") is None
True
>>> vocab.resolve("拟上市辅导", "event") is None  # nothing is guessed from part of a name
True
>>> [m.kind for m in vocab.find("新认定的国家级、省级行业(企业)技术中心或工程研究中心", "recognition")]
['企业技术中心', '工程研究中心']
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

from huiqi.extract.lexicon import LEXICON
from huiqi.text.normalize import normalize

Table = Literal["recognition", "event"]

LEVELS = ("国家级", "省级", "市级", "区县级")
# Words that state a level inside a name; longest first so 国家级 wins over 国家.
# Words that state a level inside a name, longest first (国家级 before 国家): the reading
# lexicon's own list (data/lexicon.toml), so there is one home for level words.
LEVEL_WORDS: dict[str, str] = dict(LEXICON.level_words)
_NOISE = re.compile(r"[\s\"'“”‘’「」『』《》〈〉]")
_TRAILING = re.compile(r"(企业|单位|称号|认定|名单)+$")
_GENERIC_END = re.compile(r"(?:企业|单位|称号|认定|名单|示范|试点|荣誉|资格|资质)+$")
_BATCH = re.compile(
    r"\((?:第[一二三四五六七八九十百\d]+批(?:次)?|\d{4}(?:[-—~至]\d{4})?年?度?|\d{4}年?第?[一二三四\d]批)\)"
    r"|^(?:第[一二三四五六七八九十百\d]+批(?:次)?|\d{4}年度?(?:第[一二三四五六七八九十\d]+批)?)"
)
_PLACE_END = ("省", "市", "区", "县", "自治区", "自治州", "旗")
_REGION_LEVEL = {"province": "省级", "city": "市级", "county": "区县级"}


def _place_prefix(text: str) -> tuple[str, str] | None:
    """(place, level) when ``text`` starts with a place name: 浙江省 / 浙江 → 省级, 杭州市 → 市级."""
    from huiqi.registry.codes import region_level, regions
    from huiqi.text.places import PROVINCES

    by_name = regions().by_name
    for size in range(min(len(text) - 2, 9), 1, -1):
        head = text[:size]
        if head.endswith(_PLACE_END) and len(codes := by_name.get(head, frozenset())) == 1:
            return head, _REGION_LEVEL[region_level(next(iter(codes)))]
        if head in PROVINCES:
            return head, "省级"
    return None


def _spellings(text: str):
    """The name with more and more of its surrounding words set aside, each with the level
    those words stated (see :meth:`Vocabulary.resolve`)."""
    yield text, None
    text = _BATCH.sub("", text)
    yield text, None
    level = None
    if place := _place_prefix(text):
        text, level = text[len(place[0]) :], place[1]
        yield text, level
    for word, word_level in LEVEL_WORDS.items():
        if text.startswith(word):
            text, level = text[len(word) :], level or word_level
            yield text, level
            break
    yield _TRAILING.sub("", text) or text, level
    yield _GENERIC_END.sub("", text) or text, level


def squash(text: str) -> str:
    """Text as matched: NFKC, simplified, no quotes or spaces, ASCII brackets.

    >>> squash("专精特新“小巨人” 企业")
    '专精特新小巨人企业'
    """
    return _NOISE.sub("", normalize(text)).replace("（", "(").replace("）", ")")


@dataclass(frozen=True)
class Resolved:
    """A name resolved to a canonical kind; ``level`` when the name itself fixes it."""

    table: Table
    kind: str
    level: str | None


@dataclass(frozen=True)
class Mention:
    """A kind found inside a clause, where, and the level the alias fixes (if any)."""

    kind: str
    start: int
    end: int
    level: str | None


@dataclass(frozen=True)
class Alias:
    text: str
    kind: str
    level: str | None


@dataclass
class KindInfo:
    """One canonical kind: its levels (认定) or level words (事项) and what its amount holds."""

    table: Table
    kind: str
    levels: tuple[str, ...] = ()
    level_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    amount: str = ""


@dataclass(frozen=True)
class Indicator:
    """A periodic figure of the metrics table (指标): its unit and the names written for it."""

    name: str
    unit: str
    aliases: tuple[str, ...]
    share_of: str = ""  # the whole that a bare 占比 of this figure is a share of (软件业务收入 → 营业收入)


@dataclass
class Vocabulary:
    kinds: dict[tuple[Table, str], KindInfo]
    aliases: dict[Table, list[Alias]]
    clause_aliases: dict[Table, list[Alias]] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    # 元 per unit of another currency ([currency.*]), by every name written for it (美元, 美金)
    currencies: dict[str, float] = field(default_factory=dict)

    def indicator_names(self) -> dict[str, str]:
        """Every name of an indicator (lower case, as written in a registry cell) → its canonical name."""
        names = {}
        for info in self.indicators.values():
            for alias in (info.name, *info.aliases):
                names.setdefault(alias.lower(), info.name)
        return names

    def kinds_of(self, table: Table) -> list[str]:
        """Canonical kind names of one table, in file order."""
        return [info.kind for (t, _), info in self.kinds.items() if t == table]

    def info(self, table: Table, kind: str) -> KindInfo:
        return self.kinds[(table, kind)]

    def resolve(self, name: str, table: Table) -> Resolved | None:
        """The canonical kind a registry cell names, or None when no alias fits exactly.

        Officials write a kind with words around it; these are set aside step by step, and
        the first step at which what is left is an alias decides: a batch or year note
        (第三批, 2023年度, (2022年)), a place that states the level (浙江省 → 省级, 杭州市 →
        市级), a level word (国家级), and generic endings (企业, 单位, 称号, 示范, 试点 …).
        Nothing is guessed from a part of the name (拟上市辅导 is not 上市,
        高新技术企业培育库入库企业 is not 高新技术企业), and a name that means different kinds
        at different levels (专精特新优质企业) needs its level.
        """
        stated: str | None = None
        seen: list[str] = []
        for text, level in _spellings(squash(name)):
            stated = stated or level
            if not text or text in seen:
                continue
            seen.append(text)
            candidates = [a for a in self.aliases[table] if a.text == text]
            if not candidates:
                continue
            if len({a.kind for a in candidates}) > 1:
                candidates = [a for a in candidates if stated and a.level == stated]
                if len({a.kind for a in candidates}) != 1:
                    return None
            best = candidates[0]
            return Resolved(table, best.kind, best.level or stated)
        if table == "event":
            for text in reversed(seen):
                if found := self._event_with_level(text):
                    return found
        return None

    def _event_with_level(self, text: str) -> Resolved | None:
        """An event name with its level written inside (主导制定国际标准 → 标准制定, 国际标准)."""
        for (table, kind), info in self.kinds.items():
            if table != "event":
                continue
            for level, words in info.level_words.items():
                for word in sorted(words, key=len, reverse=True):
                    rest = text.replace(word, "", 1) if word in text else None
                    if rest and any(a.kind == kind and a.text == rest for a in self.aliases["event"]):
                        return Resolved("event", kind, level)
        return None

    def find(self, clause: str, table: Table, level: str | None = None) -> list[Mention]:
        """Kinds mentioned in ``clause``, left to right, longest alias first, no overlaps.

        Where one alias names different kinds by level (专精特新优质企业), ``level`` picks.
        """
        text = squash(clause)
        taken: list[tuple[int, int]] = []
        found: list[Mention] = []
        ordered = sorted(self.clause_aliases[table], key=lambda a: (-len(a.text), a.level != level))
        for alias in ordered:
            for match in re.finditer(re.escape(alias.text), text):
                span = match.span()
                if any(span[0] < end and start < span[1] for start, end in taken):
                    continue
                taken.append(span)
                found.append(Mention(alias.kind, span[0], span[1], alias.level))
        found.sort(key=lambda m: m.start)
        unique: list[Mention] = []
        for mention in found:
            if all(m.kind != mention.kind for m in unique):
                unique.append(mention)
        return unique

    def event_level(self, kind: str, clause: str) -> str | None:
        """The canonical level of an event that ``clause`` states (国际标准, 境外, ...)."""
        text = squash(clause)
        words = [(word, level) for level, ws in self.info("event", kind).level_words.items() for word in ws]
        for word, level in sorted(words, key=lambda w: -len(w[0])):
            if word in text:
                return level
        return None


def _parse_alias(raw: str, table: Table, kind: str) -> Alias:
    text, _, level = raw.partition("=")
    if level and level not in LEVELS:
        raise ValueError(f"词表 {kind}: 别名 {raw} 的级别 {level} 不是 {'/'.join(LEVELS)} 之一")
    return Alias(squash(text), kind, level or None)


@cache
def load_vocabulary() -> Vocabulary:
    """Read the packaged vocabulary (cached: it is immutable data).

    ``data/vocabulary.toml`` holds the kinds the seed documents reward; ``data/vocabulary.d/``
    the national and provincial catalogues by domain (one file each, read in name order). A kind
    may appear in one file only.
    """
    data = resources.files("huiqi.data")
    raw = tomllib.loads(data.joinpath("vocabulary.toml").read_text("utf-8"))
    extra = data.joinpath("vocabulary.d")
    if extra.is_dir():
        for part in sorted((f for f in extra.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name):
            merge_vocabulary(raw, tomllib.loads(part.read_text("utf-8")), part.name)
    return build_vocabulary(raw)


def merge_vocabulary(into: dict, part: dict, name: str) -> None:
    """Add the tables of one vocabulary file to another; a kind defined twice is an error."""
    for section in ("recognition", "event", "indicator", "currency"):
        for kind, entry in part.get(section, {}).items():
            if kind in into.setdefault(section, {}):
                raise ValueError(f"词表 {name}: {section} {kind} 已在其他词表文件中定义")
            into[section][kind] = entry


def build_vocabulary(raw: dict) -> Vocabulary:
    """A :class:`Vocabulary` from the parsed TOML structure (tests build small ones)."""
    kinds: dict[tuple[Table, str], KindInfo] = {}
    aliases: dict[Table, list[Alias]] = {"recognition": [], "event": []}
    clause_aliases: dict[Table, list[Alias]] = {"recognition": [], "event": []}
    for table in ("recognition", "event"):
        for kind, entry in raw.get(table, {}).items():
            if table == "recognition":
                levels = tuple(entry.get("levels", ()))
                if bad := [lv for lv in levels if lv not in LEVELS]:
                    raise ValueError(f"词表 {kind}: 未知级别 {bad}")
                info = KindInfo(table, kind, levels=levels)
            else:
                words = {lv: tuple(ws) for lv, ws in entry.get("levels", {}).items()}
                info = KindInfo(table, kind, levels=tuple(words), level_words=words)
                info.amount = entry.get("amount", "")
            kinds[(table, kind)] = info
            own = [_parse_alias(a, table, kind) for a in entry.get("aliases", ())]
            own.append(Alias(squash(kind), kind, None))
            aliases[table].extend(own)
            if "in_clauses" in entry:
                allowed = {squash(a) for a in entry["in_clauses"]}
                own = [a for a in own if a.text in allowed]
            clause_aliases[table].extend(own)
    for table in aliases:
        aliases[table].sort(key=lambda a: -len(a.text))
    indicators = {
        name: Indicator(name, entry["unit"], tuple(entry.get("aliases", ())), entry.get("share_of", ""))
        for name, entry in raw.get("indicator", {}).items()
    }
    for name, info in indicators.items():
        if info.share_of and info.share_of not in indicators:
            raise ValueError(f"词表 指标 {name}: share_of {info.share_of} 不是词表中的指标")
    currencies: dict[str, float] = {}
    for name, entry in raw.get("currency", {}).items():
        rate = entry.get("yuan")
        if not isinstance(rate, int | float) or rate <= 0:
            raise ValueError(f"词表 货币 {name}: 须写明每单位折合多少元(yuan = 正数)")
        for written in (name, *entry.get("aliases", ())):
            currencies[written] = float(rate)
    return Vocabulary(kinds, aliases, clause_aliases, indicators, currencies)
