"""Money arithmetic of the money path: one rounding rule, and splits that add up exactly.

Amounts are 万元 rounded half-up to 6 decimals (0.01 元, one 分), once, with :func:`round_wan`.

>>> round_wan(3.3450005), round_wan(0.1 + 0.2)
(3.345001, 0.3)
>>> split(10, [("市级", 0.3), ("区级", 0.7)])
[('市级', 3.0), ('区级', 7.0)]
>>> split(1, [("市级", 1), ("区级", 1), ("县级", 1)])
[('市级', 0.333333), ('区级', 0.333333), ('县级', 0.333334)]
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

QUANTUM = Decimal("0.000001")


def round_wan(value: float) -> float:
    """万元 to the 分, half-up."""
    return float(Decimal(repr(value)).quantize(QUANTUM, rounding=ROUND_HALF_UP))


def split(total: float, weights: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    """``total`` shared by weight, each part rounded, the last taking what rounding left over."""
    if not weights:
        return []
    whole = sum(w for _, w in weights)
    if whole <= 0:
        weights = [(name, 1.0) for name, _ in weights]
        whole = float(len(weights))
    parts = [(name, round_wan(total * w / whole)) for name, w in weights[:-1]]
    rest = round_wan(total - sum(amount for _, amount in parts))
    return [*parts, (weights[-1][0], rest)]
