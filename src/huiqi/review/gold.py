"""Export a reviewed reading as gold, in the scorer's format (``../shared/gold/*.yaml``).

Every officer correction then becomes a test case for the extractor: the file is named after the
document's source file (``NAME.yaml`` for ``NAME.txt``), rows carry the fields the scorer reads,
and each corrected row says in ``note`` what was corrected and why. An incentive's ``key`` (the
phrase the scorer looks for in a predicted subject) is the officer's ``key`` correction if there
is one, else the subject without its frame (对…的企业).

>>> default_key("对新入选国家级智能制造示范工厂的企业")
'新入选国家级智能制造示范工厂'
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from huiqi.review.overlay import Item, VersionReview, dumps

_DOCUMENT_FIELDS = (
    "title",
    "doc_number",
    "issuers",
    "issued_on",
    "effective_from",
    "expires_on",
    "region",
    "level",
)
_INCENTIVE_FIELDS = (
    "task",
    "text",
    "key",
    "subject",
    "level",
    "kind",
    "amount_wan",
    "cap_wan",
    "ratio",
    "ratio_is_max",
    "base",
    "per",
    "payers",
    "one_time",
)
_TARGET_FIELDS = ("text", "indicator", "value", "unit", "comparator", "by")
_TASK_FIELDS = ("id", "title", "responsible")
_STACKING_FIELDS = ("text", "rule")
_FRAME = re.compile(r"^(对于|对)|(的企业|的单位|的项目|企业|的)$")


def default_key(subject: str) -> str:
    """The subject without 对 in front and 的企业 behind."""
    key = subject.strip()
    for _ in range(2):
        key = _FRAME.sub("", key)
    return key or subject


def _note(item: Item) -> str | None:
    applied = [n for n in item.history if n.action == "correct" and n.applies]
    if not applied:
        return None
    parts = [f"{n.field}: {dumps(n.before)} → {dumps(n.after)}({n.reason})" for n in applied]
    return "审核更正:" + ";".join(parts)


def _rows(state: VersionReview, section: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    out = []
    for item in state.items.get(section, []):
        if item.status == "excluded":
            continue
        reading = item.reading
        row = {name: reading.get(name) for name in fields}
        if section == "incentives":
            row["key"] = reading.get("key") or default_key(reading.get("subject") or "")
            row["one_time"] = bool(reading.get("one_time"))
            row["ratio_is_max"] = bool(reading.get("ratio_is_max"))
        if note := _note(item):
            row["note"] = note
        out.append(row)
    return out


def gold(state: VersionReview) -> dict[str, Any]:
    """The reviewed reading of one version as a gold document."""
    meta = state.version.extraction.get("document") or {}
    return {
        "document": {name: meta.get(name) for name in _DOCUMENT_FIELDS},
        "tasks": _rows(state, "tasks", _TASK_FIELDS),
        "incentives": _rows(state, "incentives", _INCENTIVE_FIELDS),
        "targets": _rows(state, "targets", _TARGET_FIELDS),
        "stacking": _rows(state, "stacking", _STACKING_FIELDS),
    }


def gold_yaml(state: VersionReview) -> str:
    return yaml.safe_dump(gold(state), allow_unicode=True, sort_keys=False, width=1000)


def gold_file_name(document_name: str) -> str:
    """``001_x.txt`` → ``001_x.yaml``: the scorer pairs a gold file with the source of that stem."""
    return Path(document_name).stem + ".yaml"
