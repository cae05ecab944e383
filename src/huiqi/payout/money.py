"""Money arithmetic of the money path: the platform's one rounding rule (:mod:`huiqi.money`) and
splits by paying level that add up exactly.

>>> round_wan(3.34449999), round_wan(0.1 + 0.2)
(3.3445, 0.3)
>>> split(10, [("市级", 0.3), ("区级", 0.7)])
[('市级', 3.0), ('区级', 7.0)]
>>> split(1, [("市级", 1), ("区级", 1), ("县级", 1)])
[('市级', 0.3334), ('区级', 0.3333), ('县级', 0.3333)]
"""

from __future__ import annotations

from collections.abc import Sequence

from huiqi import money


def round_wan(value: float) -> float:
    """万元 rounded once, as everywhere (:func:`huiqi.money.round_wan`)."""
    return money.round_wan(value) or 0.0


def split(total: float, weights: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    """``total`` shared by weight, the parts adding up to the rounded total exactly."""
    if not weights:
        return []
    shares = [w for _, w in weights]
    if sum(shares) <= 0:
        shares = [1.0] * len(weights)
    parts = money.split(total, shares)
    return [(name, part or 0.0) for (name, _), part in zip(weights, parts, strict=True)]
