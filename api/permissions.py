"""Permissions by role, declared on the view: ``allowed_roles = {"tenant_admin", "finance"}``."""

from typing import Any

from rest_framework.permissions import BasePermission


def request_roles(request: Any) -> set[str]:
    return set(getattr(request, "roles", set()) or set())


class HasAllowedRole(BasePermission):
    message = "当前账号的角色无权访问此功能"

    def has_permission(self, request: Any, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        allowed: set[str] | None = getattr(view, "allowed_roles", None)
        if allowed is None:
            return True
        return bool(request_roles(request) & set(allowed))
