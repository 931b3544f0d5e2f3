"""Quick quote (快速报价) and quote management (报价管理): the quote list, its steps, price history.

``POST /rating/`` prices without writing anything. Quotes follow the customers' visibility: a quote
one may not see answers 404, as one that does not exist. Owners see their own quotes without the
tenant's commission figures."""

from datetime import date, timedelta
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.context import context_of
from api.excel import xlsx_download
from api.params import date_param, int_param, request_user
from api.permissions import request_roles
from api.roles import (
    ADMIN_AGENT,
    ADMIN_AGENT_OWNER,
    TENANT_PEOPLE,
    TENANT_STAFF,
)
from api.v1.quotes.serializers import (
    InsurerBriefSerializer,
    QuoteDetailSerializer,
    QuoteInputSerializer,
    QuoteListSerializer,
    RatingInputSerializer,
    RatingResultSerializer,
    _option_row,
)
from api.views import ApiListView, ApiView
from core.errors import NotFound, ValidationFailed
from core.excel import XLSX
from customers.models import Vehicle
from customers.selectors import customers_visible, vehicles_visible
from customers.services import customer_for_owner
from quotes.excel import quotes_export
from quotes.models import (
    PaymentMethod,
    Quote,
    QuoteOption,
    QuoteStatus,
)
from quotes.selectors import price_history, quotes_for_list, quotes_visible, with_detail
from quotes.services import (
    QUOTE_VALID_DAYS,
    option_adjust,
    quote_accept,
    quote_cancel,
    quote_inputs,
    quote_pay,
    quote_request,
    quote_send,
    rate,
)


def _acting_role(request: Request, allowed: frozenset[str]) -> str:
    return context_of(request).acting_role(allowed)


def _is_owner_view(request: Request) -> bool:
    return not (request_roles(request) & TENANT_STAFF)


def _detail(request: Request, quote: Quote, status_code: int = 200) -> Response:
    fresh = _visible_quote(request, quote.pk)
    context = {"staff": not _is_owner_view(request), "roles": request_roles(request)}
    return Response(QuoteDetailSerializer(fresh, context=context).data, status=status_code)


def _link_owner(request: Request) -> None:
    """An owner whom an agent registered before they had an account is linked to that customer
    record by mobile the first time they look (their quotes must not look empty)."""
    if "owner" in request_roles(request) and not request_roles(request) & TENANT_STAFF:
        customer_for_owner(user=request_user(request))


def _visible_quote(request: Request, pk: int) -> Quote:
    _link_owner(request)
    quote = (
        with_detail(quotes_visible(user=request_user(request), roles=request_roles(request)))
        .filter(pk=pk)
        .first()
    )
    if quote is None:
        raise NotFound("报价单不存在")
    return quote


def _visible_vehicle(request: Request, pk: int) -> Vehicle:
    vehicle = vehicles_visible(user=request_user(request), roles=request_roles(request)).select_related(
        "customer"
    )
    found = vehicle.filter(pk=pk).first()
    if found is None:
        raise ValidationFailed(fields={"vehicle_id": ["车辆不存在或不在您的客户名下"]})
    return found


def _typed_vehicle(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in (data.get("vehicle") or {}).items() if v not in (None, "")}


def _rating_args(request: Request, data: dict[str, Any]) -> dict[str, Any]:
    vehicle = _visible_vehicle(request, data["vehicle_id"]) if data.get("vehicle_id") else None
    return {
        "vehicle": vehicle,
        "typed": _typed_vehicle(data),
        "province": data.get("province") or None,
        "history": dict(data.get("history") or {}),
        "coverages": _coverages(data),
    }


def _coverages(data: dict[str, Any]) -> dict[str, Any]:
    raw = dict(data.get("coverages") or {})
    raw["commercial"] = [dict(item) for item in raw.get("commercial") or []]
    return raw


# ---- rating -----------------------------------------------------------------------------------


class RatingView(ApiView):
    """Price a quick quote with every insurer the tenant works with. Writes nothing."""

    allowed_roles = TENANT_PEOPLE

    @extend_schema(
        request=RatingInputSerializer, responses=RatingResultSerializer, operation_id="rating_create"
    )
    def post(self, request: Request) -> Response:
        body = RatingInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        args = _rating_args(request, body.validated_data)
        today = timezone.localdate()
        inputs = quote_inputs(
            vehicle=args["vehicle"],
            vehicle_overrides=args["typed"],
            province=args["province"],
            history=args["history"],
            coverages=args["coverages"],
            today=today,
        )
        offers = rate(inputs, insurer_codes=body.validated_data.get("insurers"))
        offers.sort(key=lambda o: (o.rank is None, o.rank or 0, o.insurer.sort))
        staff = not _is_owner_view(request)
        result = {
            "region": inputs.region,
            "rated_on": today,
            "valid_until": today + timedelta(days=QUOTE_VALID_DAYS),
            "history": inputs.history,
            "options": [_option_row(o, staff=staff) for o in offers],
        }
        return Response(RatingResultSerializer(result).data)


# ---- quotes -----------------------------------------------------------------------------------


LIST_PARAMS = [
    OpenApiParameter("status", str, description=f"一个或多个状态，逗号分隔：{', '.join(QuoteStatus.values)}"),
    OpenApiParameter("plate", str),
    OpenApiParameter("customer", str, description="客户姓名或手机号"),
    OpenApiParameter("customer_id", int),
    OpenApiParameter("vehicle_id", int),
    OpenApiParameter("promoter", str, description="推广员姓名或手机号"),
    OpenApiParameter("number", str, description="报价单号或保单号"),
    OpenApiParameter("created_from", date),
    OpenApiParameter("created_to", date),
]


def _list_rows(request: Request) -> Any:
    _link_owner(request)
    q = request.query_params
    bad = [s for s in q.get("status", "").split(",") if s and s not in QuoteStatus.values]
    if bad:
        raise serializers.ValidationError({"status": [f"未知的状态：{', '.join(bad)}"]})
    return quotes_for_list(
        user=request_user(request),
        roles=request_roles(request),
        status=q.get("status", "").strip(),
        plate=q.get("plate", "").strip(),
        customer=q.get("customer", "").strip(),
        customer_id=int_param(request, "customer_id"),
        vehicle_id=int_param(request, "vehicle_id"),
        promoter=q.get("promoter", "").strip(),
        number=q.get("number", "").strip(),
        created_from=date_param(request, "created_from"),
        created_to=date_param(request, "created_to"),
    )


@extend_schema_view(get=extend_schema(parameters=LIST_PARAMS, operation_id="quotes_list"))
class QuoteListCreateView(ApiListView):
    allowed_roles = TENANT_PEOPLE
    serializer_class = QuoteListSerializer

    def get_queryset(self) -> Any:
        return _list_rows(self.request)

    @extend_schema(
        request=QuoteInputSerializer, responses={201: QuoteDetailSerializer}, operation_id="quotes_create"
    )
    def post(self, request: Request) -> Response:
        ctx = context_of(request)
        role = ctx.acting_role(ADMIN_AGENT_OWNER)  # before the body: finance is refused, not corrected
        body = QuoteInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        quote = quote_request(
            actor=ctx.actor,
            role=role,
            roles=set(ctx.roles),
            vehicle_id=data.get("vehicle_id"),
            customer_id=data.get("customer_id"),
            new_customer=data.get("customer"),
            vehicle_data=_typed_vehicle(data),
            province=data.get("province") or None,
            history=dict(data.get("history") or {}),
            coverages=_coverages(data),
            insurer_codes=data.get("insurers"),
        )
        return _detail(request, quote, status.HTTP_201_CREATED)


class QuoteExportView(ApiView):
    allowed_roles = TENANT_STAFF

    @extend_schema(parameters=LIST_PARAMS, responses={(200, XLSX): bytes}, operation_id="quotes_export")
    def get(self, request: Request) -> HttpResponse:
        return xlsx_download(quotes_export(quotes=_list_rows(request)), "quotes.xlsx")


class QuoteDetailView(ApiView):
    allowed_roles = TENANT_PEOPLE

    @extend_schema(responses=QuoteDetailSerializer, operation_id="quotes_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return _detail(request, _visible_quote(request, pk))


class AdjustSerializer(serializers.Serializer):
    factor = serializers.DecimalField(max_digits=6, decimal_places=4)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")


class AcceptSerializer(serializers.Serializer):
    option = serializers.IntegerField(source="option_id")


class PaySerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    reference = serializers.CharField(max_length=60, allow_blank=True, required=False, default="")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")


class QuoteStepView(ApiView):
    """One step of the quote's state machine: the body checked, the service run as the caller, the
    quote answered as the caller may see it."""

    allowed_roles = ADMIN_AGENT
    body_serializer: type[serializers.Serializer]
    step: Any  # the service, called with actor, role, quote and the body's fields

    def post(self, request: Request, pk: int, **ids: int) -> Response:
        quote = _visible_quote(request, pk)
        body = self.body_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        quote = type(self).step(
            actor=request_user(request),
            role=self.ctx.acting_role(self.allowed_roles or ()),
            quote=quote,
            **ids,
            **body.validated_data,
        )
        return _detail(request, quote)


def _step_schema(body: type[serializers.Serializer], operation_id: str, description: str) -> Any:
    return extend_schema_view(
        post=extend_schema(
            request=body, responses=QuoteDetailSerializer, operation_id=operation_id, description=description
        )
    )


@_step_schema(AdjustSerializer, "quotes_option_adjust", "Re-price one option with another 自主定价系数.")
class QuoteOptionAdjustView(QuoteStepView):
    body_serializer = AdjustSerializer
    step = option_adjust


@_step_schema(NoteSerializer, "quotes_send", "平台已报价 -> 代理人已报价 (the owner sees it).")
class QuoteSendView(QuoteStepView):
    body_serializer = NoteSerializer
    step = quote_send


@_step_schema(AcceptSerializer, "quotes_accept", "The customer takes an option: policies issued (已出单).")
class QuoteAcceptView(QuoteStepView):
    allowed_roles = ADMIN_AGENT_OWNER
    body_serializer = AcceptSerializer
    step = quote_accept


@_step_schema(
    PaySerializer,
    "quotes_pay",
    "Premium received: 已出单 -> 已完成, for the amount due (a 已退保 quote takes no payment: 409).",
)
class QuotePayView(QuoteStepView):
    allowed_roles = TENANT_STAFF
    body_serializer = PaySerializer
    step = quote_pay


@_step_schema(CancelSerializer, "quotes_cancel", "Cancel an open quote (已取消).")
class QuoteCancelView(QuoteStepView):
    allowed_roles = ADMIN_AGENT_OWNER
    body_serializer = CancelSerializer
    step = quote_cancel


class PriceHistoryRowSerializer(serializers.Serializer):
    quote_id = serializers.IntegerField(source="quote.id")
    quote_number = serializers.CharField(source="quote.number")
    quote_status = serializers.CharField(source="quote.status")
    rated_on = serializers.DateField(source="quote.rated_on")
    plate = serializers.CharField(source="quote.plate")
    insurer = InsurerBriefSerializer()
    rank = serializers.IntegerField(allow_null=True)
    cheapest = serializers.BooleanField()
    chosen = serializers.SerializerMethodField()
    ctpl_premium = serializers.DecimalField(max_digits=14, decimal_places=2)
    vehicle_tax = serializers.DecimalField(max_digits=14, decimal_places=2)
    commercial_premium = serializers.DecimalField(max_digits=14, decimal_places=2)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)

    def get_chosen(self, obj: QuoteOption) -> bool:
        return obj.quote.chosen_option_id == obj.pk


class CustomerPriceHistoryView(ApiListView):
    """价格管理: one customer's prices across insurers over time."""

    allowed_roles = TENANT_STAFF
    serializer_class = PriceHistoryRowSerializer

    def get_queryset(self) -> Any:
        pk = self.kwargs["pk"]
        if (
            not customers_visible(user=request_user(self.request), roles=request_roles(self.request))
            .filter(pk=pk)
            .exists()
        ):
            raise NotFound("客户不存在")
        return price_history(
            user=request_user(self.request), roles=request_roles(self.request), customer_id=pk
        )
