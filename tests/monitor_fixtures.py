"""Small registries for the monitoring tests: valid credit codes, rows written straight to the DB."""

from __future__ import annotations

from sqlalchemy import insert
from stdnum.cn import uscc as stdnum_uscc

from huiqi.db.engine import session_scope
from huiqi.db.models import Enterprise, Metric


def code(n: int, region: str = "370702") -> str:
    """A valid 统一社会信用代码 in ``region`` (n picks the organisation part)."""
    body = f"91{region}{n:08d}"
    org = body[8:16]
    total = sum(int(c) * w for c, w in zip(org, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    body += {10: "X", 11: "0"}.get(check, str(check))
    return body + stdnum_uscc.calc_check_digit(body)


def add_registry(engine, firms: list[tuple], metrics: list[tuple]) -> None:
    """firms: (uscc, name, region_code, scale); metrics: (uscc, period, indicator, value)."""
    with session_scope(engine) as session:
        if firms:
            session.execute(
                insert(Enterprise),
                [{"uscc": u, "name": n, "region_code": r, "scale": s, "extras": {}} for u, n, r, s in firms],
            )
        if metrics:
            session.execute(
                insert(Metric),
                [
                    {"uscc": u, "period": p, "indicator": i, "value": float(v), "unit": None}
                    for u, p, i, v in metrics
                ],
            )
