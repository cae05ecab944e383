"""The rows of a reading an officer reviews, and their identity across versions of a document.

A row is known by its section and what the machine read: an incentive by its sentence and
subject, a target by its clause and indicator, a task by its title, a stacking rule by its
sentence and kind — with every number masked, so a new version that changes 100万元 to 120万元
is the same row (and a correction of its amount then needs a look); rows that agree on all of
that are told apart by their order. The key does not depend on the row's position, so a new
version that inserts a measure above it keeps it.

>>> keys = item_keys("incentives", [{"text": "奖励50万元", "subject": "甲"}, {"text": "奖励50万元", "subject": "甲"}])
>>> [k.split("#")[1] for k in keys], keys[0].split("#")[0] == keys[1].split("#")[0]
(['0', '1'], True)
>>> grant_key({"text": " 奖励80万元", "subject": "甲"}) == keys[0].split("#")[0]
True
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

SECTIONS = ("incentives", "targets", "tasks", "stacking")
SECTION_ZH = {"incentives": "奖补条款", "targets": "目标", "tasks": "任务", "stacking": "叠加规则"}
_IDENTITY = {
    "incentives": ("text", "subject"),
    "targets": ("text", "indicator"),
    "tasks": ("title",),
    "stacking": ("text", "rule"),
}


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _squash(value: Any) -> str:
    return _NUMBER.sub("#", "".join(str(value or "").split()))


def _digest(row: dict[str, Any], section: str) -> str:
    joined = "|".join(_squash(row.get(field)) for field in _IDENTITY[section])
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:16]


def item_keys(section: str, rows: list[dict[str, Any]]) -> list[str]:
    """The identity of each row: a digest of what identifies it, then ``#`` and its ordinal."""
    seen: dict[str, int] = {}
    out = []
    for row in rows:
        digest = _digest(row, section)
        out.append(f"{digest}#{seen.get(digest, 0)}")
        seen[digest] = seen.get(digest, 0) + 1
    return out


def grant_key(incentive: dict[str, Any]) -> str:
    """One grant: rows of the same sentence and subject (a grant split across budget levels)."""
    return _digest(incentive, "incentives")


def item_id(version_id: int, index: int) -> str:
    """The address of a row in the API: ``版本id-序号``."""
    return f"{version_id}-{index}"


def parse_item_id(text: str) -> tuple[int, int] | None:
    """``12-3`` → (12, 3); None for anything else."""
    head, _, tail = text.partition("-")
    if head.isdigit() and tail.isdigit() and len(head) < 10 and len(tail) < 7:
        return int(head), int(tail)
    return None
