"""One JSON shape for every failure: {"code", "message", "fields"}."""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from core.errors import DomainError, RateLimited

logger = logging.getLogger("api.errors")

MESSAGES = {
    400: "输入有误，请检查标出的字段",
    401: "请先登录",
    403: "无权执行此操作",
    404: "未找到",
    405: "不支持此请求方法",
    406: "不支持的响应格式",
    413: "请求内容过大",
    415: "不支持的请求格式",
    429: "操作过于频繁，请稍后再试",
}


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF nests errors for nested serializers; clients get dotted names: ``branding.primary_color``."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "non_field_errors" and prefix == "":
                name = "non_field_errors"
            for sub_name, messages in _flatten(value, name).items():
                fields.setdefault(sub_name, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            fields[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                for sub_name, messages in _flatten(
                    item, f"{prefix}.{index}" if prefix else str(index)
                ).items():
                    fields.setdefault(sub_name, []).extend(messages)
    else:
        fields[prefix or "non_field_errors"] = [str(detail)]
    return fields


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "fields": fields or {}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    headers: dict[str, str] = {}
    if isinstance(exc, DomainError):
        set_rollback()
        if isinstance(exc, RateLimited) and exc.retry_after:
            headers["Retry-After"] = str(exc.retry_after)
        return Response(
            error_body(exc.code, exc.message, exc.fields), status=exc.status_code, headers=headers
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: let Django log it and answer 500 (see server_error below)
    set_rollback()
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
    status_code = exc.status_code
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        codes = exc.get_codes()
        first = next(iter(fields.values()))[0] if fields else MESSAGES[400]
        body = error_body("invalid", first if list(fields) == ["non_field_errors"] else MESSAGES[400], fields)
        if isinstance(codes, dict) and list(codes) == ["non_field_errors"]:
            body["fields"] = {}
        return Response(body, status=status_code, headers=headers)
    detail = exc.detail
    code = getattr(detail, "code", None) or exc.default_code
    if status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        message = MESSAGES[429]
        if getattr(exc, "wait", None):
            message = f"操作过于频繁，请 {int(exc.wait)} 秒后再试"  # type: ignore[attr-defined]
        return Response(error_body("rate_limited", message), status=status_code, headers=headers)
    message = str(detail) if isinstance(detail, str) else MESSAGES.get(status_code, "请求失败")
    return Response(error_body(str(code), message), status=status_code, headers=headers)


def error_response(
    status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
) -> JsonResponse:
    return JsonResponse(
        error_body(code, message, fields), status=status, json_dumps_params={"ensure_ascii": False}
    )


def too_large() -> JsonResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return error_response(413, "too_large", f"请求内容过大（上限 {limit / 1024 / 1024:.1f} MB，文件另计）")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 400s under /api/ (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields...) in
    the error shape; the first is a 413, as HTTP names it. Pages keep Django's own."""
    if not request.path.startswith("/api/"):
        return defaults.bad_request(request, exception or Exception())
    if isinstance(exception, RequestDataTooBig):
        return too_large()
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return error_response(413, "too_many_fields", "请求包含的字段或文件过多")
    return error_response(400, "bad_request", "请求无效")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if not request.path.startswith("/api/"):
        return defaults.permission_denied(request, exception or Exception())
    return error_response(403, "permission_denied", MESSAGES[403])


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(
        error_body("not_found", MESSAGES[404]), status=404, json_dumps_params={"ensure_ascii": False}
    )


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        error_body("server_error", "服务器内部错误，已记录，请稍后再试"),
        status=500,
        json_dumps_params={"ensure_ascii": False},
    )
