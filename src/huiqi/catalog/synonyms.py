"""Synonyms (同义词) of the product platform, from ``huiqi/data/synonyms.toml``.

A group holds words for one kind of product (数控机床 / 加工中心 / CNC). A group may be
``narrower_of`` a term of another group (数控车床 is a 数控机床): a search for the broader word
finds the narrower group's products, not the other way round. :meth:`Synonyms.expand` gives the
words a query word stands for, with the weight each counts.

>>> s = synonyms()
>>> sorted(s.expand("cnc"))[:3]
['cnc', 'cnc机床', 'cnc车床']
>>> s.expand("加工中心")["数控机床"], "数控车床" in s.expand("数控机床"), "数控机床" in s.expand("数控车床")
(0.85, True, False)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Group:
    """One group of synonyms; ``narrower_of`` names a term of a broader group."""

    terms: tuple[str, ...]
    narrower_of: str | None = None


class Synonyms:
    """Groups by term, and their expansion (see the module docstring)."""

    def __init__(self, groups: list[Group], weight: float) -> None:
        from huiqi.catalog.tokens import fold

        self.groups = [
            Group(tuple(fold(t) for t in g.terms), g.narrower_of and fold(g.narrower_of)) for g in groups
        ]
        self.weight = weight
        self._group_of: dict[str, int] = {}
        for index, group in enumerate(self.groups):
            for term in group.terms:
                self._group_of.setdefault(term, index)
        self._narrower: dict[int, list[int]] = {}
        for index, group in enumerate(self.groups):
            if group.narrower_of is not None and group.narrower_of in self._group_of:
                self._narrower.setdefault(self._group_of[group.narrower_of], []).append(index)

    def terms(self) -> list[str]:
        """Every term of every group."""
        return [t for g in self.groups for t in g.terms]

    def group_of(self, word: str) -> int | None:
        """The index of the group ``word`` belongs to, or None."""
        return self._group_of.get(word)

    def _below(self, index: int) -> list[int]:
        """The group and every group narrower than it, at any depth."""
        seen, todo = [], [index]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.append(current)
                todo.extend(self._narrower.get(current, []))
        return seen

    def expand(self, word: str) -> dict[str, float]:
        """The words ``word`` stands for and how much each counts (itself 1, the others less)."""
        out = {word: 1.0}
        index = self._group_of.get(word)
        if index is None:
            return out
        for group in self._below(index):
            for term in self.groups[group].terms:
                out.setdefault(term, self.weight)
        return out

    def same(self, a: str, b: str) -> bool:
        """Whether ``b`` is one of the words ``a`` stands for."""
        return b in self.expand(a)


@cache
def synonyms() -> Synonyms:
    """The packaged synonym groups (weight of a synonym match from ``catalog.toml``)."""
    from huiqi.catalog.vocab import settings

    raw = tomllib.loads(resources.files("huiqi.data").joinpath("synonyms.toml").read_text("utf-8"))
    groups = [Group(tuple(g["terms"]), g.get("narrower_of")) for g in raw.get("group", [])]
    return Synonyms(groups, float(settings().match.get("synonym", 0.85)))
