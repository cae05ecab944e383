"""Month arithmetic on ``YYYY-MM`` periods.

>>> shift("2025-02", -3), shift("2025-02", -12), months_back("2025-02", 3)
('2024-11', '2024-02', ['2025-02', '2025-01', '2024-12'])
>>> parse("2025-1"), parse("2025年3月")
('2025-01', '2025-03')
"""

from __future__ import annotations

import re

from huiqi.monitor.errors import MonitorError

_PERIOD = re.compile(r"(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*月?")


def parse(text: str) -> str:
    """A month as ``YYYY-MM``; a :class:`MonitorError` in Chinese when it is not one."""
    match = _PERIOD.fullmatch(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1900 <= int(match.group(1)) <= 2100:
        raise MonitorError(f"期间 {text}: 应为 YYYY-MM 形式的月份,如 2025-06")
    return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"


def index(period: str) -> int:
    """Months since year 0 (``2025-01`` → 24300)."""
    return int(period[:4]) * 12 + int(period[5:7]) - 1


def from_index(i: int) -> str:
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def shift(period: str, months: int) -> str:
    return from_index(index(period) + months)


def months_back(period: str, count: int) -> list[str]:
    """``period`` and the ``count - 1`` months before it, newest first."""
    return [shift(period, -k) for k in range(count)]
