"""Permissions by role, declared on the view: ``allowed_roles = roles.ADMIN_FINANCE`` (``api.roles``).

Fail closed: a view that declares no ``allowed_roles`` is refused to everyone (it is the default
permission class, ``REST_FRAMEWORK['DEFAULT_PERMISSION_CLASSES']``). Public endpoints (login,
signup, the Stripe webhook...) say so with ``permission_classes = [AllowAny]``.
"""

from typing import Any

from rest_framework.permissions import BasePermission


def request_roles(request: Any) -> set[str]:
    return set(getattr(request, "roles", set()) or set())


class HasAllowedRole(BasePermission):
    message = "当前账号的角色无权访问此功能"

    def has_permission(self, request: Any, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        allowed: frozenset[str] | set[str] | None = getattr(view, "allowed_roles", None)
        if allowed is None:
            return False
        return bool(request_roles(request) & set(allowed))
