"""Failures of the monitoring commands, each with a Chinese message for the person at the terminal."""

from __future__ import annotations

from huiqi.errors import HuiqiError


class MonitorError(HuiqiError):
    """Bad input to a monitoring command: an impossible period, an unknown region or setting …"""
