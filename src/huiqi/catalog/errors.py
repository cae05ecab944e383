"""Failures of the product platform a user can act on, each with a Chinese message."""

from __future__ import annotations

from huiqi.errors import HuiqiError


class CatalogError(HuiqiError):
    """A search filter, demand, product or catalog edition that cannot be used as given (产品平台)."""


class NotFoundError(CatalogError):
    """No such demand, product or catalog edition (未找到)."""
