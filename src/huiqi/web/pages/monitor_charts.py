"""Small inline SVG charts of the monitoring pages: a trend line of twelve months beside the same
months a year before, and a progress bar. Drawn on the server like :mod:`huiqi.web.pages.charts`,
coloured by the stylesheet (``static/monitor.css``) through class names, each with a title.

>>> "<polyline" in trend([1.0, 2.0, None, 4.0], [1.0, 1.0, 1.0, 1.0], "营业收入")
True
>>> 'width="80.0"' in progress(0.5, "进度")
True
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from huiqi.money import format_wan


def _segments(values: Sequence[float | None], x, y) -> list[str]:
    """Polyline point lists, broken where a month has no figure."""
    parts: list[str] = []
    current: list[str] = []
    for i, value in enumerate(values):
        if value is None:
            if current:
                parts.append(" ".join(current))
            current = []
            continue
        current.append(f"{x(i):.1f},{y(value):.1f}")
    if current:
        parts.append(" ".join(current))
    return parts


def trend(
    values: Sequence[float | None],
    previous: Sequence[float | None],
    title: str,
    labels: Sequence[str] | None = None,
    width: int = 170,
    height: int = 40,
) -> Markup:
    """This year's months as a line, the same months a year before as a dashed line, one scale;
    a month without a figure leaves a gap (and a dot where a lone month stands)."""
    known = [v for v in (*values, *previous) if v is not None]
    if not known:
        return Markup('<span class="muted small">无数据</span>')
    low, high = min(known), max(known)
    span = (high - low) or 1.0
    pad = 3
    n = max(len(values), 2)

    def x(i: int) -> float:
        return pad + (width - 2 * pad) * i / (n - 1)

    def y(v: float) -> float:
        return height - pad - (height - 2 * pad) * (v - low) / span

    shown = "、".join(
        f"{labels[i] if labels else i + 1}:{format_wan(v) if v is not None else '未报送'}"
        for i, v in enumerate(values)
    )
    parts = [
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}:{escape(shown)}</title>'
    ]
    for points in _segments(previous, x, y):
        parts.append(f'<polyline class="before" points="{points}"/>')
    for points in _segments(values, x, y):
        if " " in points:
            parts.append(f'<polyline class="now" points="{points}"/>')
        else:
            cx, cy = points.split(",")
            parts.append(f'<circle class="now" cx="{cx}" cy="{cy}" r="2"/>')
    last = next((i for i in range(len(values) - 1, -1, -1) if values[i] is not None), None)
    if last is not None:
        parts.append(f'<circle class="last" cx="{x(last):.1f}" cy="{y(values[last]):.1f}" r="2.5"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def progress(share: float | None, title: str, width: int = 160) -> Markup:
    """A bar filled to ``share`` (capped at the bar's end; beyond 100% it turns to the done
    colour), with the percentage beside it."""
    if share is None:
        return Markup('<span class="muted small">—</span>')
    filled = max(0.0, min(share, 1.0)) * width
    css = "done" if share >= 1 else "low" if share < 0.5 else "mid"
    text = f"{share * 100:.1f}%"
    return Markup(
        f'<svg class="progress {css}" viewBox="0 0 {width + 56} 16" width="{width + 56}" height="16" role="img" '
        f'aria-label="{escape(title)} {text}"><title>{escape(title)} {text}</title>'
        f'<rect class="track" x="0" y="3" width="{width}" height="10" rx="5"/>'
        f'<rect class="fill" x="0" y="3" width="{filled:.1f}" height="10" rx="5"/>'
        f'<text x="{width + 6}" y="13">{text}</text></svg>'
    )
