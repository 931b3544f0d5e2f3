"""Domain errors. Services raise these; the API renders them as
``{"code": ..., "message": ..., "fields": {...}}`` with the status each class names; every code is
one of ``core.error_codes.ErrorCode``."""

from collections.abc import Mapping, Sequence
from typing import Any

from core.error_codes import ErrorCode


class DomainError(Exception):
    status_code = 400
    default_code: ErrorCode = "invalid"
    default_message = "请求无效"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: ErrorCode | None = None,
        fields: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.code: ErrorCode = code or self.default_code
        self.fields = {name: list(msgs) for name, msgs in (fields or {}).items()}
        super().__init__(self.message)


class ValidationFailed(DomainError):
    status_code = 400
    default_code: ErrorCode = "invalid"
    default_message = "输入有误，请检查标出的字段"


class NotFound(DomainError):
    status_code = 404
    default_code: ErrorCode = "not_found"
    default_message = "未找到"


class PermissionDenied(DomainError):
    status_code = 403
    default_code: ErrorCode = "permission_denied"
    default_message = "无权执行此操作"


class StateConflict(DomainError):
    status_code = 409
    default_code: ErrorCode = "state_conflict"
    default_message = "当前状态不允许此操作"


class AuthenticationFailed(DomainError):
    status_code = 401
    default_code: ErrorCode = "authentication_failed"
    default_message = "认证失败"


class UpstreamUnavailable(DomainError):
    """A service we depend on (WeChat, an insurer, Stripe) could not be reached or answered garbage."""

    status_code = 502
    default_code: ErrorCode = "upstream_unavailable"
    default_message = "外部服务暂时无法连接，请稍后再试"


class RateLimited(DomainError):
    status_code = 429
    default_code: ErrorCode = "rate_limited"
    default_message = "操作过于频繁，请稍后再试"

    def __init__(self, message: str | None = None, *, retry_after: int | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class FieldErrors:
    """Collects errors per field so a service can report every bad field at once."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self, message: str | None = None) -> None:
        if self.fields:
            raise ValidationFailed(message, fields=self.fields)
