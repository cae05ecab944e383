"""What each role may see: an enterprise its own credit code, an officer its region prefix.

Finance, auditors and admins see every enterprise. Objects outside a caller's scope are reported
as not found, so nobody learns what exists.

>>> officer = Actor(1, "li", "officer", region_prefix="3701")
>>> sees_enterprise(officer, "91370100MA3C7X0Q1D", "370102"), sees_enterprise(officer, "x", "370702")
(True, False)
>>> sees_enterprise(Actor(2, "acme", "enterprise", uscc="A"), "B", "370102")
False
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from huiqi.accounts.users import Actor

READ_ALL = frozenset({"finance", "auditor", "admin"})


def sees_enterprise(actor: Actor, uscc: str, region_code: str) -> bool:
    if actor.role == "enterprise":
        return uscc == actor.uscc
    if actor.role == "officer":
        return region_code.startswith(actor.region_prefix or "\0")
    return actor.role in READ_ALL


def enterprise_clause(actor: Actor, uscc_column, region_column) -> ColumnElement[bool]:
    """The SQL condition for the enterprises ``actor`` may see."""
    if actor.role == "enterprise":
        return uscc_column == actor.uscc
    if actor.role == "officer":
        return region_column.startswith(actor.region_prefix or "\0", autoescape=True)
    return true() if actor.role in READ_ALL else false()
