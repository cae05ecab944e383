"""Money (金额): rounded once, the same way everywhere, and split among payers without losing a yuan.

All money is in 万元. An amount is rounded once, when it is computed, to 0.0001 万元 (one
yuan), half away from zero; after that it is only added and shown, never rounded again, so
the same entitlement reads the same in the terminal, in JSON and in Excel. Python and Polars
use the same formula (:func:`round_wan`, :func:`round_wan_expr`).

>>> round_wan(3.34449999), round_wan(2.00005), round_wan(None)
(3.3445, 2.0001, None)
>>> format_wan(3.345), format_wan(1200.0), format_wan(12345.6789)
('3.345', '1,200', '12,345.6789')
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import polars as pl

PLACES = 4  # 0.0001 万元 = 1 元
_SCALE = 10**PLACES
_CENT = 1_000_000  # 0.01元 in 万元
_NUDGE = 1e-7  # absorbs binary noise (2.00005 is stored as 2.0000499999…)


def round_wan(value: float | None) -> float | None:
    """An amount in 万元 rounded to the yuan, half away from zero."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    sign = -1.0 if value < 0 else 1.0
    return sign * math.floor(abs(value) * _SCALE + 0.5 + _NUDGE) / _SCALE


def round_wan_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`round_wan` as a Polars expression (nulls stay null), the same float to the bit."""
    whole = (expr.abs() * _SCALE + 0.5 + _NUDGE).floor()
    # Polars divides by a constant as a multiplication by its inverse, which is not always the
    # nearest float (1033350 × 0.0001 = 103.33500000000001); dividing by a column of the
    # constant is a true division, as :func:`round_wan` does.
    scaled = whole / (whole * 0.0 + _SCALE)
    return pl.when(expr < 0).then(-scaled).otherwise(scaled)


def sum_wan_expr(expr: pl.Expr) -> pl.Expr:
    """The sum of amounts in 万元 taken in whole 0.01元 (integers): unlike a floating-point sum it
    does not depend on the order of the rows, which threads and partitions do not keep."""
    return (expr * _CENT).round().cast(pl.Int64).sum() / _CENT


def format_wan_expr(expr: pl.Expr) -> pl.Expr:
    """An amount as text inside a Polars expression: rounded to the yuan, no trailing zeros
    (the same digits :func:`format_wan` shows, without thousands separators)."""
    return round_wan_expr(expr).cast(pl.String).str.strip_suffix(".0")


def format_wan(value: float | None, unit: str = "") -> str:
    """An amount as people read it: thousands separators, no trailing zeros, never re-rounded."""
    if value is None:
        return "待核定"
    text = f"{value:,.{PLACES}f}".rstrip("0").rstrip(".")
    return text + unit


def split(total: float | None, weights: Sequence[float]) -> list[float | None]:
    """``total`` split in proportion to ``weights``, each part rounded, the parts adding up to
    the rounded total exactly (the rounding remainder goes to the largest part).

    >>> split(10.0, [1, 1, 1])
    [3.3334, 3.3333, 3.3333]
    >>> split(None, [0.3, 0.7])
    [None, None]
    """
    if total is None:
        return [None] * len(weights)
    whole = sum(weights)
    if not weights or whole <= 0:
        return [0.0] * len(weights)
    parts = [round_wan(total * w / whole) or 0.0 for w in weights]
    rest = round_wan((round_wan(total) or 0.0) - sum(parts)) or 0.0
    if rest:
        largest = max(range(len(parts)), key=lambda i: weights[i])
        parts[largest] = round_wan(parts[largest] + rest) or 0.0
    return parts
