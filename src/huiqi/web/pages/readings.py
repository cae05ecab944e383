"""A document's reading as people see it: each row's fields in Chinese, and the document text
with every extracted row marked where it was read from.

>>> lines = ["一、支持创新", "对新认定的国家级企业技术中心,给予100万元奖励。"]
>>> rows = [Anchor("incentives", 0, "对新认定的国家级企业技术中心,给予100万元奖励", "incentive", False)]
>>> [[(text, [a.ref for a in anchors]) for text, anchors in line] for line in mark_lines(lines, rows)]
[[('一、支持创新', [])], [('对新认定的国家级企业技术中心,给予100万元奖励', ['incentives-0']), ('。', [])]]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from huiqi.extract.model import Incentive
from huiqi.report import KIND_LABEL, describe_amount
from huiqi.review.items import SECTION_ZH

RULE_LABEL = {
    "highest_only": "就高不重复",
    "cap_per_enterprise": "每家企业限额",
    "supersedes": "以本文件为准",
    "repeatable": "可叠加享受",
    "exclusive": "不得同时享受",
}
STATUS_LABEL = {"machine": "机器读取", "confirmed": "已确认", "corrected": "已更正", "excluded": "已排除"}
COMPARATOR_LABEL = {">=": "不低于", "<=": "不高于", "~": "约", "=": ""}
LEVELS = ("国家级", "省级", "市级", "区县级")
FIELD_LABEL = {
    "subject": "对象",
    "key": "关键词",
    "level": "级别",
    "kind": "方式",
    "amount_wan": "金额(万元)",
    "cap_wan": "上限(万元)",
    "ratio": "比例",
    "base": "基数",
    "per": "计量单位",
    "payers": "出资",
    "one_time": "一次性",
    "ratio_is_max": "比例为上限",
    "amount_min_wan": "金额下限(万元)",
    "ratio_min": "比例下限",
    "task": "所属任务",
    "indicator": "指标",
    "value": "目标值",
    "value_max": "目标上限",
    "unit": "单位",
    "comparator": "比较",
    "by": "年份",
    "period": "期间",
    "title": "任务",
    "responsible": "责任单位",
    "rule": "规则",
}


def payers_text(payers: list[dict[str, Any]] | None) -> str:
    if not payers:
        return "未写明"
    parts = []
    for p in payers:
        share = p.get("share")
        parts.append(f"{p.get('payer')}" + ("" if share in (None, 1.0) else f" {share * 100:g}%"))
    return "、".join(parts)


def amount_text(row: dict[str, Any]) -> str:
    """The amount of an incentive row in words (最高200万元, 设备购置款的10%,最高500万元)."""
    try:
        return describe_amount(Incentive.model_validate(row))
    except Exception:  # a row an officer left half-corrected still shows
        return "—"


def value_text(name: str, value: Any) -> str:
    """One field's value for people."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if name == "kind":
        return KIND_LABEL.get(value, str(value))
    if name == "rule":
        return RULE_LABEL.get(value, str(value))
    if name == "comparator":
        return COMPARATOR_LABEL.get(value, str(value)) or "等于"
    if name in ("ratio", "ratio_min") and isinstance(value, int | float):
        return f"{value * 100:g}%"
    if name == "payers" and isinstance(value, list):
        return payers_text(value)
    if name == "responsible" and isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def summary(section: str, row: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs that say what a row reads, in the order people check them."""
    if section == "incentives":
        out = [
            ("对象", row.get("subject") or "—"),
            ("级别", row.get("level") or "不限"),
            ("金额", amount_text(row)),
            ("出资", payers_text(row.get("payers"))),
        ]
        if row.get("task"):
            out.append(("所属任务", str(row["task"])))
        return out
    if section == "targets":
        goal = (
            f"{COMPARATOR_LABEL.get(row.get('comparator') or '=', '')}{value_text('value', row.get('value'))}"
            f"{row.get('unit') or ''}"
        )
        return [
            ("指标", row.get("indicator") or "—"),
            ("目标", goal),
            ("年份", value_text("by", row.get("by"))),
        ]
    if section == "tasks":
        return [
            ("编号", str(row.get("id") or "—")),
            ("任务", row.get("title") or "—"),
            ("责任单位", value_text("responsible", row.get("responsible"))),
        ]
    limit = row.get("limit_wan")
    out = [("规则", RULE_LABEL.get(row.get("rule") or "", row.get("rule") or "—"))]
    if limit:
        out.append(("限额", f"{limit:g}万元"))
    return out


@dataclass(frozen=True)
class Anchor:
    """Where one row was read from: its section, index, source text, style and whether it stands
    out (flagged by the extractor or waiting for an officer)."""

    section: str
    index: int
    text: str
    css: str
    flagged: bool

    @property
    def ref(self) -> str:
        return f"{self.section}-{self.index}"

    @property
    def label(self) -> str:
        return f"{SECTION_ZH[self.section]}{self.index + 1}"


def _squash(text: str) -> str:
    return "".join(text.split())


def mark_lines(lines: list[str], anchors: list[Anchor]) -> list[list[tuple[str, list[Anchor]]]]:
    """Each line cut into segments, each with the rows read from it (longest source text first;
    rows with the same text share a segment, a text inside a marked one joins it)."""
    spans: dict[int, list[tuple[int, int, list[Anchor]]]] = {}
    for anchor in sorted(anchors, key=lambda a: -len(a.text or "")):
        text = re.sub(r"[。;;]+$", "", (anchor.text or "").strip())
        if len(text) < 4:
            continue
        for n, line in enumerate(lines):
            at = line.find(text)
            if at < 0 and _squash(text) != text:
                at = line.find(_squash(text))
                text = _squash(text) if at >= 0 else text
            if at < 0:
                continue
            end = at + len(text)
            taken = spans.setdefault(n, [])
            inside = next((s for s in taken if s[0] <= at and end <= s[1]), None)
            if inside is not None:
                inside[2].append(anchor)
            elif all(end <= a or at >= b for a, b, _ in taken):
                taken.append((at, end, [anchor]))
            break
    out = []
    for n, line in enumerate(lines):
        segments: list[tuple[str, list[Anchor]]] = []
        at = 0
        for start, end, found in sorted(spans.get(n, []), key=lambda s: s[0]):
            if start > at:
                segments.append((line[at:start], []))
            segments.append((line[start:end], sorted(found, key=lambda a: (a.section, a.index))))
            at = end
        if at < len(line):
            segments.append((line[at:], []))
        out.append(segments)
    return out


def located(marked: list[list[tuple[str, list[Anchor]]]]) -> dict[str, str]:
    """Each row found in the text → the ref of the marked segment it was read from (rows that
    share a sentence share a segment, named after the first of them)."""
    return {a.ref: found[0].ref for line in marked for _, found in line if found for a in found}
