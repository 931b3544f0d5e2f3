"""Who is asking and where, resolved once per request and typed.

``context_of(request)`` answers a ``RequestContext``: the host's tenant (the public tenant on the
bare host), its schema, the user and the roles the token carries. Views get it as ``self.ctx``
(``api.views.ApiView``) instead of reading ``request.tenant`` and ``connection.schema_name``.
The shop and insurer a staff member works for are looked up here too, the same way for every
endpoint.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.db import connection
from django_tenants.utils import get_public_schema_name
from rest_framework.exceptions import PermissionDenied

import directory.selectors as directory_selectors
from api.roles import ACTING_ROLE_ORDER

if TYPE_CHECKING:
    from accounts.models import User
    from directory.models import Insurer, Shop
    from tenants.models import Tenant

_CACHE_ATTR = "_sxb_request_context"


@dataclass(frozen=True)
class RequestContext:
    tenant: Tenant
    schema_name: str
    user: User | None
    roles: frozenset[str]

    @property
    def is_public(self) -> bool:
        """On the platform's bare host (the public schema)."""
        return self.schema_name == get_public_schema_name()

    @property
    def tenant_id(self) -> int | None:
        """The host's tenant; None on the public host."""
        return None if self.is_public else int(self.tenant.pk)

    @property
    def actor(self) -> User:
        """The signed-in user (views behind ``HasAllowedRole`` always have one)."""
        if self.user is None:
            raise PermissionDenied("请先登录")
        return self.user

    def has_any(self, allowed: Iterable[str]) -> bool:
        return bool(self.roles & frozenset(allowed))

    def acting_role(self, allowed: Iterable[str]) -> str:
        """The role the caller acts as among ``allowed`` (the narrowest they hold)."""
        held = self.roles & frozenset(allowed)
        if not held:
            raise PermissionDenied("当前角色不能执行此操作")
        return next(str(role) for role in ACTING_ROLE_ORDER if role in held)


def context_of(request: Any) -> RequestContext:
    """The request's context, built on first use (after authentication) and kept on the request."""
    raw = getattr(request, "_request", request)
    cached = getattr(raw, _CACHE_ATTR, None)
    if cached is not None:
        return cast(RequestContext, cached)
    user = getattr(request, "user", None)
    signed_in = user if (user is not None and user.is_authenticated) else None
    context = RequestContext(
        tenant=raw.tenant,
        schema_name=str(connection.schema_name),  # type: ignore[attr-defined]
        user=signed_in,
        roles=frozenset(getattr(request, "roles", ()) or ()),
    )
    if signed_in is not None:
        setattr(raw, _CACHE_ATTR, context)
    return context


def shop_of(user: User) -> Shop:
    """The active shop the staff member works at (403 otherwise)."""
    return directory_selectors.shop_of(user)


def insurer_of(user: User) -> Insurer:
    """The insurer the staff member works for (403 ``not_insurer_staff`` otherwise)."""
    return directory_selectors.insurer_of(user)
