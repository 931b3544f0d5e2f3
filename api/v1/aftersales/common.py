"""What every after-sales view shares: the list filters, finding an order among the ones the viewer
may see, and the step views (one order, one service call, the order answered afresh)."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from django.db.models import Q, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales import services as svc
from aftersales.models import OrderState, ServiceOrder
from aftersales.selectors import with_totals
from api.params import choice_param, date_param, int_param
from api.v1.aftersales.serializers import ServiceOrderDetailSerializer, order_detail
from api.views import ApiView
from core.errors import NotFound

LIST_PARAMS = [
    OpenApiParameter("state", str, enum=OrderState.values),
    OpenApiParameter("shop", int),
    OpenApiParameter("search", str),
    OpenApiParameter("date_from", str),
    OpenApiParameter("date_to", str),
]


def filtered(request: Request, rows: QuerySet[ServiceOrder]) -> QuerySet[ServiceOrder]:
    if state := choice_param(request, "state", OrderState.values):
        rows = rows.filter(state=state)
    if (shop := int_param(request, "shop", message="门店编号应为整数")) is not None:
        rows = rows.filter(shop_id=shop)
    search = request.query_params.get("search", "").strip()
    if search:
        rows = rows.filter(
            Q(no__icontains=search) | Q(plate__icontains=search.upper()) | Q(customer_name__icontains=search)
        )
    since, until = date_param(request, "date_from"), date_param(request, "date_to")
    if since:
        rows = rows.filter(created_at__date__gte=since)
    if until:
        rows = rows.filter(created_at__date__lte=until)
    return rows


def one(rows: QuerySet[ServiceOrder], pk: int) -> ServiceOrder:
    """The order a step acts on, if the viewer may see it: the bare row (the service locks and
    re-reads it and answers with what it wrote, ``step_answer``)."""
    order = rows.filter(pk=pk).first()
    if order is None:
        raise NotFound("工单不存在", code="service_order_not_found")
    return order


def unread(
    rows: QuerySet[ServiceOrder] | None, pk: int, locked_by: Callable[[], ServiceOrder | None] | None = None
) -> ServiceOrder:
    """The order a step acts on, not read yet: the service's locked read looks for it among
    ``rows`` (the orders the viewer may see; None when ``locked_by`` reads among them) and answers
    404 when it is not there, before the step checks who acts (403) or the state (409) — one read
    instead of a bare read and the lock.
    ``locked_by`` is that read prepared (``OrderStepView.step_locked``), when the view has one."""
    order = ServiceOrder(pk=pk)
    order.visible_in = rows  # type: ignore[attr-defined]
    order.locked_by = locked_by  # type: ignore[attr-defined]
    return order


def detail(rows: QuerySet[ServiceOrder], pk: int) -> ServiceOrder:
    order = (
        with_totals(rows)
        .select_related("tenant", "review")
        .prefetch_related("items", "progress")
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise NotFound("工单不存在", code="service_order_not_found")
    return order


def step_answer(order: ServiceOrder, viewer: str, *, status: int = 200) -> Response:
    """The order a step has just written and committed, as ``viewer`` sees it: the row the service
    locked and wrote (with its tenant, shop, insurer and review), its items and progress read now
    (unless the step has them already: the items it read or wrote under the lock), the totals
    summed from those items (what ``with_totals`` sums in the database for a list)."""
    svc.with_read(order, "progress")
    items = svc.with_read(order, "items")
    order.quoted_total = sum((i.amount for i in items), Decimal("0.00"))  # type: ignore[attr-defined]
    order.cost_total = sum((i.cost_amount for i in items), Decimal("0.00"))  # type: ignore[attr-defined]
    order.item_count = len(items)  # type: ignore[attr-defined]
    return Response(order_detail(order, viewer), status=status)


def detail_answer(rows: QuerySet[ServiceOrder], pk: int, viewer: str, *, status: int = 200) -> Response:
    """The order as ``viewer`` sees it, read afresh (the answer of the detail views and of every step)."""
    return Response(order_detail(detail(rows, pk), viewer), status=status)


@dataclass(frozen=True)
class Step:
    """One step of an order: the body it takes and the service call it makes (which locks the
    order, checks the viewer and the state, writes the step and returns the order it wrote)."""

    body: type[serializers.Serializer]
    run: Callable[[svc.Actor, ServiceOrder, dict[str, Any]], ServiceOrder]


class OrderStepView(ApiView):
    # (no docstring: drf-spectacular would make it every step's description)
    # A step on one order: find it among the viewer's orders, validate the body, call the service,
    # answer the order it wrote (step_answer). Subclasses say who acts (``step_actor``) and on which orders
    # (``step_rows``); ``step_views`` makes one documented view per step.
    viewer: ClassVar[str] = ""
    step: ClassVar[Step | None] = None

    def step_actor(self) -> svc.Actor:
        raise NotImplementedError

    def step_rows(self, actor: svc.Actor) -> QuerySet[ServiceOrder]:
        raise NotImplementedError

    def step_locked(self, actor: svc.Actor, pk: int) -> Callable[[], ServiceOrder | None] | None:
        """The service's locked read of order ``pk`` among ``step_rows``, prepared once per process
        (``core.prepared``), or None for the service to build it from ``step_rows``."""
        return None

    def post(self, request: Request, pk: int) -> Response:
        assert self.step is not None
        actor = self.step_actor()
        body = self.step.body(data=request.data)
        if not body.is_valid():
            one(self.step_rows(actor), pk)  # an order the viewer cannot see is a 404 whatever the body
            body.is_valid(raise_exception=True)
        locked_by = self.step_locked(actor, pk)  # else the service locks among step_rows
        order = unread(self.step_rows(actor) if locked_by is None else None, pk, locked_by)
        return step_answer(self.step.run(actor, order, body.validated_data), self.viewer)


def step_views(
    base: type[OrderStepView], steps: dict[str, Step], operation_id: str
) -> dict[str, type[OrderStepView]]:
    """One subclass of ``base`` per step (``OwnerApproveView`` from ``OwnerActionView``), each
    documented as its own operation (``operation_id`` with ``{name}`` for the step's name)."""

    def view(name: str, step: Step) -> type[OrderStepView]:
        @extend_schema(
            request=step.body,
            responses=ServiceOrderDetailSerializer,
            operation_id=operation_id.format(name=name),
        )
        def post(self: OrderStepView, request: Request, pk: int) -> Response:
            return OrderStepView.post(self, request, pk)

        class_name = f"{base.__name__.removesuffix('ActionView')}{name.title()}View"
        return type(class_name, (base,), {"step": step, "post": post})

    return {name: view(name, step) for name, step in steps.items()}
