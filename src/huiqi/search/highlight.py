"""Showing where a query matched: the text cut into plain and marked segments, and a snippet.

Templates render the segments, escaping each and wrapping the marked ones in ``<mark>``; no
HTML is ever built from the text here.

>>> marks("对新认定的国家级企业给予奖励", ["国家级", "奖励"])
[('对新认定的', False), ('国家级', True), ('企业给予', False), ('奖励', True)]
>>> snippet("一" * 50 + "给予奖励" + "二" * 50, ["奖励"], width=10)
[('…一给予', False), ('奖励', True), ('二二二二二…', False)]
"""

from __future__ import annotations

from collections.abc import Iterable

Segments = list[tuple[str, bool]]


def spans(text: str, words: Iterable[str]) -> list[tuple[int, int]]:
    """Where any of ``words`` occurs in ``text`` (longest word first, no overlaps), in order."""
    lowered = text.lower()
    taken: list[tuple[int, int]] = []
    for word in sorted({w.lower() for w in words if w and w.strip()}, key=len, reverse=True):
        start = lowered.find(word)
        while start >= 0:
            end = start + len(word)
            if all(end <= a or start >= b for a, b in taken):
                taken.append((start, end))
            start = lowered.find(word, end)
    return sorted(taken)


def marks(text: str, words: Iterable[str]) -> Segments:
    """``text`` as (segment, marked) pairs covering it exactly."""
    out: Segments = []
    at = 0
    for start, end in spans(text, words):
        if start > at:
            out.append((text[at:start], False))
        out.append((text[start:end], True))
        at = end
    if at < len(text):
        out.append((text[at:], False))
    return out


def snippet(text: str, words: Iterable[str], width: int = 60) -> Segments:
    """About ``width`` characters around the first match (the start when nothing matches), with
    … where the text was cut, as segments."""
    found = spans(text, words)
    if len(text) <= width:
        return marks(text, words)
    centre = found[0][0] if found else 0
    start = max(0, min(centre - width // 3, len(text) - width))
    end = min(len(text), start + width)
    segments = marks(text[start:end], words)
    if start > 0:
        segments.insert(0, ("…", False))
    if end < len(text):
        segments.append(("…", False))
    return _merge(segments)


def _merge(segments: Segments) -> Segments:
    out: Segments = []
    for piece, marked in segments:
        if out and out[-1][1] == marked:
            out[-1] = (out[-1][0] + piece, marked)
        else:
            out.append((piece, marked))
    return out
