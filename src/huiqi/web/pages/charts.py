"""Charts drawn on the server as inline SVG: nothing third-party in the page, nothing fetched.

Each function returns SVG markup sized by its ``viewBox`` (it scales to the width of its box);
colours come from the stylesheet through class names, so the pages' palette lives in one place.
Every chart is shown beside a table holding its numbers, for reading the exact figures and for
screen readers (each SVG has a title and ``role="img"``).

>>> "国家级" in hbar([("国家级", 10.0), ("省级", 5.0)], "各级金额")
True
"""

from __future__ import annotations

import datetime as dt
import math

from markupsafe import Markup, escape

from huiqi.money import format_wan

WIDTH = 640
SERIES_CLASSES = ("s1", "s2", "s3", "s4")


def _label(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _nice(top: float) -> float:
    """A round axis maximum at or above ``top``."""
    if top <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(top))
    for step in (1, 2, 2.5, 5, 10):
        if top <= step * power:
            return step * power
    return 10 * power


def hbar(
    rows: list[tuple[str, float]] | list[tuple[str, list[float]]],
    title: str,
    unit: str = "万元",
    label_chars: int = 16,
    series: list[str] | None = None,
    classes: list[str] | None = None,
) -> Markup:
    """Horizontal bars, one group per label: one bar per value (several values: one per series,
    named in a legend); the longest labels are cut with ….

    >>> "已兑付" in hbar([("甲", [3.0, 1.0])], "x", series=["已承诺", "已兑付"])
    True
    """
    if not rows:
        return Markup('<p class="muted">暂无数据</p>')
    classes = classes or list(SERIES_CLASSES)
    groups = [
        (label, list(values) if isinstance(values, list | tuple) else [values]) for label, values in rows
    ]
    per = max(len(values) for _, values in groups)
    bar_h, left, right = (18 if per == 1 else 11), 200, 110
    row_h = bar_h * per + 10
    legend = 22 if series and per > 1 else 0
    height = row_h * len(groups) + 8 + legend
    top = max((v for _, values in groups for v in values), default=0.0) or 1.0
    span = WIDTH - left - right
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for n, (label, values) in enumerate(groups):
        y = 4 + n * row_h
        parts.append(
            f'<text class="axis" x="{left - 8}" y="{y + row_h / 2 + 2:.1f}" text-anchor="end">'
            f"{escape(_label(label, label_chars))}<title>{escape(label)}</title></text>"
        )
        for s, value in enumerate(values):
            if not value:
                continue  # a zero is read in the table beside the chart
            width = max(0.0, value / top * span)
            name = f"{series[s]} " if series and s < len(series) else ""
            by = y + 3 + s * bar_h
            parts.append(
                f'<rect class="bar {classes[s % len(classes)]}" x="{left}" y="{by}" '
                f'width="{width:.1f}" height="{bar_h - 2}" rx="2">'
                f"<title>{escape(label)} {escape(name)}{escape(format_wan(value))}{escape(unit)}</title></rect>"
                f'<text class="value" x="{left + width + 6:.1f}" y="{by + bar_h - 4}">{escape(format_wan(value))}</text>'
            )
    if legend:
        x = left
        for s, name in enumerate(series or []):
            parts.append(
                f'<rect class="bar {classes[s % len(classes)]}" x="{x}" y="{height - 16}" width="12" height="12"/>'
                f'<text class="axis" x="{x + 16}" y="{height - 6}">{escape(name)}</text>'
            )
            x += 30 + 14 * len(name)
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(
    categories: list[str],
    series: list[tuple[str, list[float]]],
    title: str,
    unit: str = "万元",
    classes: list[str] | None = None,
) -> Markup:
    """Grouped columns: one group per category (a month, a year), one column per series, a legend."""
    if not categories or not series:
        return Markup('<p class="muted">暂无数据</p>')
    classes = classes or list(SERIES_CLASSES)
    height, left, bottom, top_pad = 260, 56, 46, 28
    plot_h = height - bottom - top_pad
    peak = _nice(max((max(values) if values else 0.0) for _, values in series))
    group = (WIDTH - left - 10) / len(categories)
    bar = max(2.0, min(22.0, (group - 6) / len(series)))
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in range(5):
        value = peak * tick / 4
        y = top_pad + plot_h - plot_h * tick / 4
        parts.append(
            f'<line class="grid" x1="{left}" x2="{WIDTH - 10}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(format_wan(value))}</text>'
        )
    every = max(1, math.ceil(len(categories) / 12))
    for i, category in enumerate(categories):
        x0 = left + i * group + (group - bar * len(series)) / 2
        for s, (name, values) in enumerate(series):
            value = values[i] if i < len(values) else 0.0
            h = plot_h * value / peak if peak else 0.0
            parts.append(
                f'<rect class="bar {classes[s % len(classes)]}" x="{x0 + s * bar:.1f}" '
                f'y="{top_pad + plot_h - h:.1f}" width="{bar - 1:.1f}" height="{h:.1f}">'
                f"<title>{escape(category)} {escape(name)}:{escape(format_wan(value))}{escape(unit)}</title></rect>"
            )
        if i % every == 0:
            parts.append(
                f'<text class="axis" x="{left + i * group + group / 2:.1f}" y="{height - bottom + 16}" '
                f'text-anchor="middle">{escape(category)}</text>'
            )
    x = left
    for s, (name, _) in enumerate(series):
        parts.append(
            f'<rect class="bar {classes[s % len(classes)]}" x="{x}" y="{height - 16}" width="12" height="12"/>'
            f'<text class="axis" x="{x + 16}" y="{height - 6}">{escape(name)}</text>'
        )
        x += 28 + 14 * len(name)
    parts.append(f'<text class="axis" x="{left}" y="14">单位:{escape(unit)}</text></svg>')
    return Markup("".join(parts))


def timeline(
    items: list[tuple[str, dt.date | None, dt.date | None, str]],
    today: dt.date,
    title: str,
    months: int = 18,
) -> Markup:
    """Windows as bars on a month axis from a little before today (a Gantt chart): each item is
    (label, opens, closes, css class); an open end runs to the edge, today is a line."""
    if not items:
        return Markup('<p class="muted">暂无数据</p>')
    start = dt.date(today.year, today.month, 1) - dt.timedelta(days=92)
    start = dt.date(start.year, start.month, 1)
    end_month = start.month - 1 + months
    end = dt.date(start.year + end_month // 12, end_month % 12 + 1, 1)
    left, row_h, head = 210, 26, 30
    span = WIDTH - left - 10
    total = (end - start).days
    height = head + row_h * len(items) + 6

    def x(day: dt.date) -> float:
        return left + span * min(max((day - start).days, 0), total) / total

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    month = start
    while month < end:
        parts.append(
            f'<line class="grid" x1="{x(month):.1f}" x2="{x(month):.1f}" y1="{head - 6}" y2="{height}"/>'
        )
        if month.month in (1, 4, 7, 10) and x(month) < WIDTH - 50:
            parts.append(f'<text class="axis" x="{x(month) + 3:.1f}" y="{head - 10}">{month:%Y-%m}</text>')
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    for n, (label, opens, closes, css) in enumerate(items):
        y = head + n * row_h
        a, b = x(opens or start), x(closes or end)
        shown = f"{opens or '—'} 至 {closes or '长期'}"
        parts.append(
            f'<text class="axis" x="{left - 8}" y="{y + 16}" text-anchor="end">{escape(_label(label, 15))}'
            f"<title>{escape(label)}</title></text>"
            f'<rect class="bar {escape(css)}" x="{a:.1f}" y="{y + 4}" width="{max(b - a, 2):.1f}" height="{row_h - 10}" rx="3">'
            f"<title>{escape(label)}:{escape(shown)}</title></rect>"
        )
    parts.append(
        f'<line class="today" x1="{x(today):.1f}" x2="{x(today):.1f}" y1="{head - 6}" y2="{height}"/>'
        f'<text class="today-label" x="{x(today) + 3:.1f}" y="{height - 2}">今天</text></svg>'
    )
    return Markup("".join(parts))
