"""Bearer tokens bound to the host's tenant. A token carried to another tenant's host (or the public
host) is refused with 401 ``token_wrong_scope``: that is an isolation guard, so it fails loudly."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django_tenants.utils import get_public_schema_name
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.models import ELEVATED_ROLES, AuthToken, User, token_digest
from accounts.selectors import roles_of


def scope_tenant_id(request: HttpRequest) -> int | None:
    """The tenant the request's host belongs to; None on the public (platform) host."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == get_public_schema_name():
        return None
    return int(tenant.pk)


class TenantBoundTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[User, AuthToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Authorization 头格式应为：Bearer <token>", code="token_malformed"
            )
        try:
            raw = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("令牌无效", code="token_invalid") from exc
        token = (
            AuthToken.objects.select_related("user")
            .filter(digest=token_digest(raw), revoked_at__isnull=True, expires_at__gt=timezone.now())
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("登录已失效，请重新登录", code="token_invalid")
        if token.tenant_id != scope_tenant_id(request):
            raise exceptions.AuthenticationFailed(
                "此令牌不属于当前站点，请在本站重新登录", code="token_wrong_scope"
            )
        roles = roles_of(user=token.user, tenant_id=token.tenant_id)
        # Admin and finance roles need a token issued after a second factor.
        request.roles = roles if token.second_factor else roles - ELEVATED_ROLES
        if not request.roles:
            raise exceptions.AuthenticationFailed("账号在本站已无可用角色", code="no_role")
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword


class TenantBoundTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.TenantBoundTokenAuthentication"
    name = "BearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer"}
