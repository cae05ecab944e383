"""The reading lexicon (阅读词表): words and named patterns, loaded from ``data/lexicon.toml``.

The extractor's vocabulary lives in one data file: word lists (grant verbs, cap words, recipients,
plan types), the words that state a level, the per-units, the payer words, and named regular
expressions with example sentences. Modules ask for them by name:

>>> LEXICON.pattern("tax_treatment").search("研发费用按75%加计扣除") is not None
True
>>> LEXICON.per_unit("每台(套)补助5万元"), LEXICON.per_unit("每人每月补贴1500元")
('台套', '人月')
>>> LEXICON.level_word("省内")
'省级'

A pattern's text may name a word list as ``⟨name⟩``; it is replaced by ``(?:w1|w2|…)`` (longest
word first). ``⟨province⟩`` names China's provincial-level divisions (``text/places.py``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

from huiqi.text.places import PROVINCES

_REFERENCE = re.compile(r"⟨(?P<name>[a-z_]+)⟩")


@dataclass(frozen=True)
class NamedPattern:
    """One named pattern: its regular expression and the sentences it must and must not match."""

    name: str
    doc: str
    regex: re.Pattern[str]
    matches: tuple[str, ...]
    rejects: tuple[str, ...]


class Lexicon:
    """The parsed lexicon; build it with :func:`load_lexicon` (``LEXICON`` is the packaged one)."""

    def __init__(self, data: dict) -> None:
        self._data = data
        self._words: dict[str, list[str]] = {k: list(v) for k, v in data.get("words", {}).items()}
        self._words["province"] = list(PROVINCES)
        self._patterns: dict[str, NamedPattern] = {}
        for name, entry in data.get("patterns", {}).items():
            regex = entry["regex"]
            text = "|".join(regex) if isinstance(regex, list) else regex
            self._patterns[name] = NamedPattern(
                name,
                entry.get("doc", ""),
                re.compile(self.expand(text)),
                tuple(entry.get("matches", ())),
                tuple(entry.get("rejects", ())),
            )

    def words(self, name: str) -> list[str]:
        """A word list by name (``grant``, ``cap``, ``recipient``, ``plan_type`` …)."""
        return list(self._words[name])

    def alternation(self, name: str) -> str:
        """A word list as a regular-expression group ``(?:…)``, longest word first, escaped."""
        words = sorted(self._words[name], key=len, reverse=True)
        return "(?:" + "|".join(w if _is_regex(w) else re.escape(w) for w in words) + ")"

    def expand(self, text: str) -> str:
        """Replace every ``⟨name⟩`` in a pattern's text by that word list's alternation."""
        return _REFERENCE.sub(lambda m: self.alternation(m.group("name")), text)

    def pattern(self, name: str) -> re.Pattern[str]:
        """A named pattern's compiled regular expression."""
        return self._patterns[name].regex

    def patterns(self) -> list[NamedPattern]:
        """Every named pattern, in file order (for the example tests and the docs)."""
        return list(self._patterns.values())

    @cached_property
    def level_words(self) -> dict[str, str]:
        """Word → level for the plain level words (国家 → 国家级, 省内 → 省级), longest first."""
        pairs = [(w, level) for level, words in self._data.get("level_words", {}).items() for w in words]
        return dict(sorted(pairs, key=lambda p: -len(p[0])))

    def level_word(self, word: str) -> str | None:
        """The level a plain level word states, or None."""
        return self.level_words.get(word)

    @cached_property
    def level_word_pattern(self) -> str:
        """Any plain level word, as a regular-expression group (longest first)."""
        return "(?:" + "|".join(re.escape(w) for w in self.level_words) + ")"

    @cached_property
    def level_patterns(self) -> list[tuple[re.Pattern[str], str]]:
        """The contextual level patterns with their level, national first."""
        names = {
            "level_national": "国家级",
            "level_province": "省级",
            "level_city": "市级",
            "level_county": "区县级",
        }
        return [(self.pattern(name), level) for name, level in names.items()]

    @cached_property
    def payers(self) -> list[tuple[str, str]]:
        """(word, budget level) pairs for payer phrases, in the order they are tried."""
        return [(w, level) for level, words in self._data.get("payers", {}).items() for w in words]

    @cached_property
    def per_units(self) -> list[tuple[re.Pattern[str], str]]:
        """(pattern, unit) pairs: the words that count an amount per unit, in the order tried."""
        return [
            (re.compile("|".join(words)), unit) for unit, words in self._data.get("per_units", {}).items()
        ]

    @cached_property
    def _any_per_unit(self) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p.pattern})" for p, _ in self.per_units))

    def per_unit(self, text: str) -> str | None:
        """The unit an amount in ``text`` is counted in (每场 → 场, /辆 → 辆), or None."""
        if not self._any_per_unit.search(text):
            return None
        for pattern, unit in self.per_units:
            if pattern.search(text):
                return unit
        return None


def _is_regex(word: str) -> bool:
    """A word written as a regular expression (``\\d``, ``(?!…)``, ``[…]``); others are literal."""
    return "\\" in word or "(?" in word or "[" in word


@cache
def load_lexicon(text: str | None = None) -> Lexicon:
    """Parse a lexicon (the packaged ``data/lexicon.toml`` when ``text`` is None)."""
    if text is None:
        text = resources.files("huiqi").joinpath("data/lexicon.toml").read_text(encoding="utf-8")
    return Lexicon(tomllib.loads(text))


LEXICON = load_lexicon()
