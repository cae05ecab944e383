"""The allowed status arrows of entitlements and applications (the one home of this vocabulary).

Migration 0100 writes the same list into ``status_arrows``, and database triggers refuse any
status change that is not an arrow (and any insert whose status is not a start, written ``''``).
The code moves a status only by a conditional UPDATE (``… WHERE status = expected``), so of two
concurrent requests exactly one moves it.

>>> allowed("application", "submitted", "approved"), allowed("application", "rejected", "approved")
(True, False)
"""

from __future__ import annotations

ARROWS: tuple[tuple[str, str, str], ...] = (
    ("entitlement", "", "open"),
    ("entitlement", "open", "confirmed"),  # 免申即享: an officer confirms it
    ("entitlement", "open", "applied"),  # 需申报: the enterprise applies
    ("entitlement", "applied", "approved"),
    ("entitlement", "applied", "rejected"),
    ("entitlement", "confirmed", "paid"),
    ("entitlement", "approved", "paid"),
    ("entitlement", "paid", "confirmed"),  # a payout reversed: payable again
    ("entitlement", "paid", "approved"),
    ("application", "", "submitted"),
    ("application", "submitted", "approved"),
    ("application", "submitted", "rejected"),
    ("application", "submitted", "returned"),  # more material needed
    ("application", "returned", "submitted"),
)

ENTITLEMENT_ZH = {
    "open": "待处理",
    "confirmed": "已确认待兑付",
    "applied": "已申报待审核",
    "approved": "已审核待兑付",
    "rejected": "申报未通过",
    "paid": "已兑付",
    "suppressed": "不重复享受",
    "capped": "已达上限",
    "withdrawn": "已不再符合",
}
APPLICATION_ZH = {
    "submitted": "待审核",
    "returned": "退回补充材料",
    "approved": "审核通过",
    "rejected": "未通过",
}
DECISIONS = {"approve": "approved", "reject": "rejected", "return": "returned"}


def allowed(machine: str, old: str, new: str) -> bool:
    return (machine, old, new) in ARROWS
