"""The base of every API view: who is asking and where, resolved once (``api.context``), and the
role check, fail closed.

    class QuoteSendView(ApiView):
        allowed_roles = ADMIN_AGENT          # from api.roles; no declaration = nobody gets in

        def post(self, request, pk):
            quote_send(actor=self.ctx.actor, ...)

``self.ctx`` is a typed ``RequestContext`` (tenant, schema, user, roles, ``acting_role``);
``self.shop()`` and ``self.insurer()`` answer the shop or insurer a staff member works for. Views
built on DRF's generic views mix in ``ContextMixin`` the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rest_framework import generics
from rest_framework.views import APIView

from api.context import RequestContext, context_of, insurer_of, shop_of
from api.permissions import HasAllowedRole
from api.roles import RoleSet

if TYPE_CHECKING:
    from directory.models import Insurer, Shop


class ContextMixin:
    request: Any
    permission_classes: Any = [HasAllowedRole]
    # None: refused to everyone (fail closed). Set it to one of api.roles' sets.
    allowed_roles: ClassVar[RoleSet | None] = None

    @property
    def ctx(self) -> RequestContext:
        return context_of(self.request)

    def shop(self) -> Shop:
        return shop_of(self.ctx.actor)

    def insurer(self) -> Insurer:
        return insurer_of(self.ctx.actor)


class ApiView(ContextMixin, APIView):
    pass


class ApiListView(ContextMixin, generics.ListAPIView):
    pass
