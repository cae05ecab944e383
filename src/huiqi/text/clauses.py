"""Splitting Chinese text into sentences and clauses (句、分句) without breaking brackets.

Separators inside ``()``, ``《》``, ``“”``, ``【】``, ``〔〕`` and ``[]`` do not split, so a
responsible-unit list in parentheses or a quoted title with a comma stays whole.

>>> split_top("对A、B(含C,D)的企业,给予奖励;对E,给予补助", ",;")
['对A、B(含C,D)的企业', '给予奖励', '对E', '给予补助']
>>> split_sentences("第一句。第二句!“引号里。不断”第三句")
['第一句', '第二句', '“引号里。不断”第三句']
"""

from __future__ import annotations

import re
from functools import lru_cache

OPENERS = "(《“【〔[‘"
CLOSERS = ")》”】〕]’"
_PAIR = dict(zip(CLOSERS, OPENERS, strict=True))


def split_top(text: str, separators: str) -> list[str]:
    """Split ``text`` on any character of ``separators`` that is not inside brackets or quotes.

    Empty pieces are dropped; pieces are stripped of surrounding spaces.
    """
    return list(_split_top(text, separators))


@lru_cache(maxsize=8192)
def _split_top(text: str, separators: str) -> tuple[str, ...]:
    if not _BRACKETS.search(text):  # no bracket to respect: a plain split
        return tuple(p.strip() for p in _splitter(separators).split(text) if p.strip())
    # Only the separators and the brackets matter: visit those positions, not every character.
    marks = _marks(separators)
    pieces: list[str] = []
    depth: list[str] = []
    start = 0
    for m in marks.finditer(text):
        i, ch = m.start(), m.group(0)
        if ch in OPENERS and ch not in separators:
            depth.append(ch)
        elif ch in _PAIR and depth and depth[-1] == _PAIR[ch]:
            depth.pop()
        elif ch in separators and not depth:
            pieces.append(text[start:i])
            start = i + 1
    pieces.append(text[start:])
    return tuple(p.strip() for p in pieces if p.strip())


_BRACKETS = re.compile("[" + re.escape(OPENERS + CLOSERS) + "]")


@lru_cache(maxsize=64)
def _splitter(separators: str) -> re.Pattern[str]:
    return re.compile("[" + re.escape(separators) + "]")


@lru_cache(maxsize=64)
def _marks(separators: str) -> re.Pattern[str]:
    return re.compile("[" + re.escape(OPENERS + CLOSERS + separators) + "]")


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences on ``。!?`` (and newlines) outside brackets."""
    return split_top(text, "。!?\n")


def split_clauses(sentence: str) -> list[str]:
    """Split a sentence into clauses on ``;`` outside brackets (分号分句)."""
    return split_top(sentence, ";")


_RATIO_COLON = re.compile(r"(?<=\d):(?=\d)")


def split_parts(clause: str) -> list[str]:
    """Split a clause into comma parts (逗号短语) outside brackets; a colon ends a part too
    (按以下标准给予奖励:对实现…的企业分别给予…); a colon between digits (5:5, 1:1) is a ratio."""
    protected = _RATIO_COLON.sub("\x00", clause) if ":" in clause else clause
    return [part.replace("\x00", ":") for part in split_top(protected, ",:")]
