"""Errors in the contract's shape, in Chinese, never with a stack trace.

``{"error": {"code": "snake_case", "message": "中文说明", "field": "name" | null}}``. FastAPI's
English validation errors are replaced by one Chinese sentence naming the field; unknown routes,
wrong methods, database contention and anything unexpected get the same shape.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from huiqi.payout.errors import ServiceError, Throttled

log = logging.getLogger("huiqi.web")


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    """The one shape of every error response."""

    error: ErrorDetail


ERROR_STATUSES = {
    400: "请求有误",
    401: "未登录或登录已失效",
    403: "无权进行此操作",
    404: "对象不存在(或不属于您)",
    409: "状态冲突(已处理、已兑付、超过限额等)",
    413: "上传的文件过大",
    415: "文件类型不被接受",
    422: "字段格式或取值不正确",
    429: "登录失败次数过多",
}
RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text} for status, text in ERROR_STATUSES.items()
}


def error_response(
    status: int, code: str, message: str, field: str | None = None, headers: dict | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "field": field}}
    return JSONResponse(body, status_code=status, headers=headers)


_TYPE_ZH = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不认识的字段",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "model_type": "应为 JSON 对象",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "date_type": "应为日期(YYYY-MM-DD)",
    "date_parsing": "应为日期(YYYY-MM-DD)",
    "date_from_datetime_parsing": "应为日期(YYYY-MM-DD)",
    "date_from_datetime_inexact": "应为日期(YYYY-MM-DD)",
    "string_pattern_mismatch": "格式不正确",
    "json_invalid": "请求体不是有效的 JSON",
    "json_type": "请求体不是有效的 JSON",
    "union_tag_invalid": "取值不正确",
    "enum": "取值不正确",
    "string_unicode": "应为文本",
    "uuid_parsing": "格式不正确",
}


def _reason(error: dict[str, Any]) -> str:
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    if kind in ("string_too_short", "too_short"):
        least = ctx.get("min_length", 1)
        return "不能为空" if least <= 1 else f"至少{least}{'个字符' if kind.startswith('string') else '项'}"
    if kind == "string_too_long":
        return f"最多{ctx.get('max_length')}个字符"
    if kind == "too_long":
        return f"最多{ctx.get('max_length')}项"
    if kind == "greater_than":
        return f"须大于{ctx.get('gt')}"
    if kind == "greater_than_equal":
        return f"须不小于{ctx.get('ge')}"
    if kind == "less_than":
        return f"须小于{ctx.get('lt')}"
    if kind == "less_than_equal":
        return f"须不超过{ctx.get('le')}"
    if kind == "literal_error":
        return f"须为以下之一:{ctx.get('expected', '')}".replace(" or ", "、").replace("'", "")
    return _TYPE_ZH.get(kind, "格式或取值不正确")


def _field(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    if parts and parts[0].isdigit() and loc and loc[0] == "body":  # json_invalid: a position
        return None
    return ".".join(parts) or None


def validation_message(errors: list[dict[str, Any]]) -> tuple[str, str | None]:
    """The first problem as one Chinese sentence, and the field it is about."""
    first = errors[0]
    field = _field(tuple(first.get("loc", ())))
    reason = _reason(first)
    more = f"(另有{len(errors) - 1}处问题)" if len(errors) > 1 else ""
    if first.get("type") in ("json_invalid", "json_type"):
        return reason + more, None
    return (f"字段 {field}:{reason}" if field else reason) + more, field


def install(app: FastAPI) -> None:
    """Register the handlers that give every failure the contract's shape."""

    @app.exception_handler(ServiceError)
    async def _service(_: Request, exc: ServiceError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Throttled) else None
        return error_response(exc.status, exc.code, str(exc), exc.field, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        message, field = validation_message(list(exc.errors()))
        return error_response(422, "invalid", message, field)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {
            404: ("not_found", "没有这个地址"),
            405: ("method_not_allowed", "该地址不支持这种请求方法"),
        }
        code, message = messages.get(exc.status_code, ("http_error", "请求有误"))
        status = exc.status_code if 400 <= exc.status_code < 500 else 400
        return error_response(status, code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("integrity error: %s", exc.orig)
        return error_response(409, "conflict", "数据库拒绝了这次修改(与已有记录冲突或违反规则)")

    @app.exception_handler(OperationalError)
    async def _operational(_: Request, exc: OperationalError) -> JSONResponse:
        log.error("database error: %s", exc.orig)
        return error_response(503, "database_busy", "数据库暂时无法处理请求,请稍后再试")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "服务器内部错误,请稍后再试(问题已记录)")
