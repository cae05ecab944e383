"""Errors of the service's workflows, each with the HTTP status and code it is reported under.

The messages are Chinese sentences for the person who made the request; ``field`` names the
request field at fault, if one is. The web layer turns them into the contract's error shape; the
command line prints the message.
"""

from __future__ import annotations

from huiqi.errors import HuiqiError


class ServiceError(HuiqiError):
    """A request the service refuses; ``status`` and ``code`` say how, the message says why."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        if code:
            self.code = code


class NotFound(ServiceError):
    """Unknown, or not the caller's to see (the two are never told apart)."""

    status = 404
    code = "not_found"


class Forbidden(ServiceError):
    """The caller's role may not do this to an object it can see."""

    status = 403
    code = "forbidden"


class Conflict(ServiceError):
    """The object is not in a state that allows this (already decided, already paid …)."""

    status = 409
    code = "conflict"


class Invalid(ServiceError):
    """A value is wrong in itself (an amount above what may be approved, a bad code …)."""

    status = 422
    code = "invalid"


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"


class Throttled(ServiceError):
    """Too many failed sign-ins: try again later."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TooLarge(ServiceError):
    status = 413
    code = "too_large"


class UnsupportedMedia(ServiceError):
    status = 415
    code = "unsupported_media_type"
