"""Quick quote (快速报价), quote management (报价管理), policies (保单) and the tenant's insurers.

``POST /rating/`` prices without writing anything. Quotes follow the customers' visibility: a quote
one may not see answers 404, as one that does not exist. Owners see their own quotes without the
tenant's commission figures."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.context import context_of
from api.excel import xlsx_download
from api.params import date_param, int_param, request_user
from api.permissions import HasAllowedRole, request_roles
from api.roles import (
    ADMIN_AGENT,
    ADMIN_AGENT_OWNER,
    ADMIN_FINANCE,
    TENANT_ADMIN,
    TENANT_PEOPLE,
    TENANT_STAFF,
)
from api.v1.quotes.breakdown import BreakdownField
from api.views import ApiView
from core.errors import NotFound, ValidationFailed
from core.excel import XLSX
from customers.models import Vehicle
from customers.selectors import customers_visible, vehicles_visible
from customers.services import customer_for_owner
from directory.models import Insurer, InsurerRatingTable
from directory.rating_data import DEFAULT_VEHICLE_TAX_TABLES, DISPLACEMENT_BANDS, VEHICLE_USE_NAMES
from quotes.excel import quotes_export
from quotes.models import (
    InsurerTerms,
    PaymentMethod,
    Policy,
    PolicyStatus,
    Quote,
    QuoteChannel,
    QuoteEvent,
    QuoteOption,
    QuoteStatus,
    TenantRatingTable,
    TenantVehicleTaxTable,
)
from quotes.pricing import Offer
from quotes.selectors import policies_visible, price_history, quotes_for_list, quotes_visible, with_detail
from quotes.services import (
    QUOTE_VALID_DAYS,
    TRANSITIONS,
    amount_due,
    factor_bounds,
    in_force_premium,
    insurer_terms_set,
    option_adjust,
    policy_surrender,
    quote_accept,
    quote_cancel,
    quote_inputs,
    quote_pay,
    quote_request,
    quote_send,
    rate,
    tenant_rating_table_set,
    vehicle_tax_table_set,
)


def _acting_role(request: Request, allowed: frozenset[str]) -> str:
    return context_of(request).acting_role(allowed)


def _is_owner_view(request: Request) -> bool:
    return not (request_roles(request) & TENANT_STAFF)


# ---- serializers ------------------------------------------------------------------------------


class InsurerBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Insurer
        fields = ["code", "name", "short_name", "logo", "color"]


class RatingVehicleSerializer(serializers.Serializer):
    """Typed vehicle details; over a chosen vehicle's record, they win."""

    plate = serializers.CharField(max_length=20, allow_blank=True, required=False)
    vin = serializers.CharField(max_length=30, allow_blank=True, required=False)
    brand_model = serializers.CharField(max_length=60, allow_blank=True, required=False)
    use = serializers.CharField(max_length=30, required=False, allow_blank=True)
    seats = serializers.IntegerField(required=False, allow_null=True)
    tonnage = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
    displacement = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
    energy = serializers.CharField(max_length=20, required=False, allow_blank=True)
    purchase_price = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    first_registered_on = serializers.DateField(required=False, allow_null=True)
    purchase_date = serializers.DateField(required=False, allow_null=True)
    ctpl_expires_on = serializers.DateField(required=False, allow_null=True)
    commercial_expires_on = serializers.DateField(required=False, allow_null=True)


class HistorySerializer(serializers.Serializer):
    ctpl_class = serializers.CharField(max_length=8, required=False, allow_blank=True, default="new")
    claim_free_years = serializers.IntegerField(required=False, default=0)
    claims_last_year = serializers.IntegerField(required=False, default=0)
    transferred = serializers.BooleanField(
        required=False,
        default=False,
        help_text="承继出险记录: the stated history carries over to this car (换车承继, or a policy bought "
        "elsewhere). Without it a car under a year old with no earlier policy is rated as new.",
    )


class RatedHistorySerializer(serializers.Serializer):
    """The history the price used: ``source`` new_vehicle means the stated one was set aside."""

    ctpl_class = serializers.CharField()
    claim_free_years = serializers.IntegerField()
    claims_last_year = serializers.IntegerField()
    source = serializers.ChoiceField(choices=["stated", "new_vehicle", "transferred"])  # type: ignore[assignment]
    transferred = serializers.BooleanField()


class CoverageChoiceSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    limit = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    seats = serializers.IntegerField(required=False, allow_null=True)
    limit_per_seat = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )


class CoveragesSerializer(serializers.Serializer):
    ctpl = serializers.BooleanField(default=True)
    vehicle_tax = serializers.BooleanField(default=True)
    commercial = CoverageChoiceSerializer(many=True, required=False, default=list)


class RatingInputSerializer(serializers.Serializer):
    vehicle_id = serializers.IntegerField(required=False, allow_null=True)
    vehicle = RatingVehicleSerializer(required=False, default=dict)
    province = serializers.CharField(max_length=20, required=False, allow_blank=True)
    history = HistorySerializer(required=False, default=dict)
    coverages = CoveragesSerializer(required=False, default=dict)
    insurers = serializers.ListField(child=serializers.CharField(max_length=12), required=False)


class NewCustomerSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60, allow_blank=True)
    mobile = serializers.CharField(max_length=20, allow_blank=True)
    id_number = serializers.CharField(max_length=30, allow_blank=True, required=False)


class QuoteInputSerializer(RatingInputSerializer):
    customer_id = serializers.IntegerField(required=False, allow_null=True)
    customer = NewCustomerSerializer(required=False, allow_null=True)


class OptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False)
    insurer = InsurerBriefSerializer()
    available = serializers.BooleanField()
    unavailable_reason = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)
    cheapest = serializers.BooleanField()
    base_factor = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    autonomous_pricing_factor = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    factor_min = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    factor_max = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    ctpl_premium = serializers.DecimalField(max_digits=14, decimal_places=2)
    vehicle_tax = serializers.DecimalField(max_digits=14, decimal_places=2)
    commercial_premium = serializers.DecimalField(max_digits=14, decimal_places=2)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    ctpl_commission_rate = serializers.DecimalField(max_digits=7, decimal_places=4, required=False)
    commercial_commission_rate = serializers.DecimalField(max_digits=7, decimal_places=4, required=False)
    commission = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, help_text="the tenant's 手续费 on this option"
    )
    breakdown = BreakdownField()


def _option_row(option: QuoteOption | Offer, *, staff: bool) -> dict[str, Any]:
    if isinstance(option, Offer):
        rating = option.rating
        row: dict[str, Any] = {
            "insurer": option.insurer,
            "available": rating is not None,
            "unavailable_reason": option.error.message if option.error else "",
            "rank": option.rank,
            "cheapest": option.cheapest,
            "base_factor": option.base_factor,
            "autonomous_pricing_factor": option.factor,
            "ctpl_premium": rating.ctpl_premium if rating else Decimal(0),
            "vehicle_tax": rating.vehicle_tax_amount if rating else Decimal(0),
            "commercial_premium": rating.commercial_premium if rating else Decimal(0),
            "total": rating.total if rating else Decimal(0),
            "breakdown": rating.to_dict() if rating else {},
        }
        rates = (option.terms.ctpl_commission_rate, option.terms.commercial_commission_rate)
    else:
        row = {
            name: getattr(option, name)
            for name in (
                "id", "insurer", "available", "unavailable_reason", "rank", "cheapest", "base_factor",
                "autonomous_pricing_factor", "ctpl_premium", "vehicle_tax", "commercial_premium", "total",
                "breakdown",
            )
        }  # fmt: skip
        rates = (option.ctpl_commission_rate, option.commercial_commission_rate)
    base = row["base_factor"]
    low, high = factor_bounds(row["insurer"], base) if base is not None else (None, None)
    row.update(factor_min=low, factor_max=high)
    if staff:
        row.update(
            ctpl_commission_rate=rates[0],
            commercial_commission_rate=rates[1],
            commission=(row["ctpl_premium"] * rates[0] + row["commercial_premium"] * rates[1]).quantize(
                Decimal("0.01")
            ),
        )
    return row


class RatingResultSerializer(serializers.Serializer):
    region = serializers.CharField()
    rated_on = serializers.DateField()
    valid_until = serializers.DateField()
    history = RatedHistorySerializer()
    options = OptionSerializer(many=True)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    mobile = serializers.CharField()


class PolicyNumbersSerializer(serializers.Serializer):
    ctpl = serializers.CharField(allow_null=True)
    commercial = serializers.CharField(allow_null=True)


class QuoteListSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    channel_label = serializers.CharField(source="get_channel_display")
    customer = PersonSerializer()
    promoter = PersonSerializer(allow_null=True)
    policy_numbers = serializers.SerializerMethodField()
    insurer = serializers.SerializerMethodField()
    surrendered = serializers.SerializerMethodField(
        help_text="none: no policy surrendered; partial: some (the quote keeps its status); all: 已退保"
    )

    class Meta:
        model = Quote
        fields = [
            "id", "number", "policy_numbers", "customer", "vehicle", "plate", "status", "status_label", "channel",
            "channel_label", "promoter", "premium", "insurer", "surrendered", "created_at", "valid_until",
            "updated_at",
        ]  # fmt: skip

    @extend_schema_field(serializers.ChoiceField(choices=["none", "partial", "all"]))
    def get_surrendered(self, obj: Quote) -> str:
        states = [p.status for p in obj.policies.all()]
        cancelled = states.count(PolicyStatus.CANCELLED)
        return "none" if not cancelled else ("all" if cancelled == len(states) else "partial")

    @extend_schema_field(PolicyNumbersSerializer)
    def get_policy_numbers(self, obj: Quote) -> dict[str, str | None]:
        numbers = {p.line: p.number for p in obj.policies.all()}
        return {"ctpl": numbers.get("ctpl"), "commercial": numbers.get("commercial")}

    @extend_schema_field(InsurerBriefSerializer(allow_null=True))
    def get_insurer(self, obj: Quote) -> dict[str, Any] | None:
        return InsurerBriefSerializer(obj.chosen_option.insurer).data if obj.chosen_option else None


class QuoteEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuoteEvent
        fields = [
            "id",
            "action",
            "from_status",
            "to_status",
            "actor_name",
            "actor_role",
            "note",
            "data",
            "at",
        ]


class PolicySerializer(serializers.ModelSerializer):
    insurer = InsurerBriefSerializer()
    line_label = serializers.CharField(source="get_line_display")
    status_label = serializers.CharField(source="get_status_display")
    quote_number = serializers.CharField(source="quote.number")
    customer_name = serializers.CharField(source="customer.name")
    plate = serializers.CharField(source="vehicle.plate")

    class Meta:
        model = Policy
        fields = [
            "id", "quote", "quote_number", "insurer", "line", "line_label", "number", "premium", "vehicle_tax",
            "commission_rate", "starts_on", "ends_on", "status", "status_label", "issued_at", "cancelled_at",
            "refund_amount", "cancel_reason", "customer", "customer_name", "plate",
        ]  # fmt: skip


class PaymentSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    method = serializers.CharField()
    method_label = serializers.CharField()
    reference = serializers.CharField()
    paid_at = serializers.DateTimeField()


class QuoteDetailSerializer(QuoteListSerializer):
    options = serializers.SerializerMethodField()
    events = QuoteEventSerializer(many=True)
    policies = serializers.SerializerMethodField()
    payment = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    amount_due = serializers.SerializerMethodField(
        help_text="what 确认收款 takes: the total less refunds of policies surrendered before payment"
    )
    in_force_premium = serializers.SerializerMethodField(
        help_text="premium of the policies still in force (车船税 excluded): what 业绩 counts for this quote"
    )
    vehicle_snapshot = serializers.JSONField()
    history = serializers.JSONField()
    coverages = serializers.JSONField()

    class Meta(QuoteListSerializer.Meta):
        fields = [
            *QuoteListSerializer.Meta.fields,
            "region", "rated_on", "vehicle_snapshot", "history", "coverages", "options", "policies", "payment",
            "events", "actions", "amount_due", "in_force_premium",
        ]  # fmt: skip

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_amount_due(self, obj: Quote) -> str:
        return format(amount_due(obj), "f")

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_in_force_premium(self, obj: Quote) -> str:
        return format(in_force_premium(obj), ".2f")

    def _staff(self) -> bool:
        return bool(self.context.get("staff"))

    @extend_schema_field(OptionSerializer(many=True))
    def get_options(self, obj: Quote) -> list[dict[str, Any]]:
        rows = [_option_row(o, staff=self._staff()) for o in obj.options.all()]
        return OptionSerializer(rows, many=True).data  # type: ignore[return-value]

    @extend_schema_field(PolicySerializer(many=True))
    def get_policies(self, obj: Quote) -> list[dict[str, Any]]:
        data = PolicySerializer(obj.policies.all(), many=True).data
        if not self._staff():
            for row in data:
                row.pop("commission_rate", None)
        return data  # type: ignore[return-value]

    @extend_schema_field(PaymentSerializer(allow_null=True))
    def get_payment(self, obj: Quote) -> dict[str, Any] | None:
        payment = getattr(obj, "payment", None)
        if payment is None:
            return None
        return PaymentSerializer(
            {
                "amount": payment.amount,
                "method": payment.method,
                "method_label": payment.get_method_display(),
                "reference": payment.reference,
                "paid_at": payment.paid_at,
            }
        ).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, obj: Quote) -> list[str]:
        """What the caller may do next (the buttons to show)."""
        roles: set[str] = self.context.get("roles", set())
        who = {
            "adjust": ADMIN_AGENT,
            "send": ADMIN_AGENT,
            "accept": ADMIN_AGENT_OWNER,
            "pay": TENANT_STAFF,
            "cancel": ADMIN_AGENT_OWNER,
        }
        actions = [a for a, allowed in who.items() if roles & allowed and obj.status in TRANSITIONS[a][0]]
        expired = obj.valid_until < timezone.localdate()
        if expired:
            actions = [a for a in actions if a not in ("adjust", "send", "accept")]
        if (
            "accept" in actions
            and obj.status == QuoteStatus.PLATFORM_QUOTED
            and obj.channel != QuoteChannel.OWNER
        ):
            actions.remove("accept")
        if not obj.coverages.get("commercial") and "adjust" in actions:
            actions.remove("adjust")
        return actions


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


class RatingView(APIView):
    """Price a quick quote with every insurer the tenant works with. Writes nothing."""

    permission_classes = [HasAllowedRole]
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
class QuoteListCreateView(generics.ListAPIView):
    permission_classes = [HasAllowedRole]
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


class QuoteExportView(APIView):
    permission_classes = [HasAllowedRole]
    allowed_roles = TENANT_STAFF

    @extend_schema(parameters=LIST_PARAMS, responses={(200, XLSX): bytes}, operation_id="quotes_export")
    def get(self, request: Request) -> HttpResponse:
        return xlsx_download(quotes_export(quotes=_list_rows(request)), "quotes.xlsx")


class QuoteDetailView(APIView):
    permission_classes = [HasAllowedRole]
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


class CustomerPriceHistoryView(generics.ListAPIView):
    """价格管理: one customer's prices across insurers over time."""

    permission_classes = [HasAllowedRole]
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


# ---- policies ---------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=[*PolicyStatus.values]),
            OpenApiParameter("customer_id", int),
            OpenApiParameter("number", str),
            OpenApiParameter("plate", str),
        ],
        operation_id="policies_list",
    )
)
class PolicyListView(generics.ListAPIView):
    permission_classes = [HasAllowedRole]
    allowed_roles = TENANT_PEOPLE
    serializer_class = PolicySerializer

    def get_queryset(self) -> Any:
        q = self.request.query_params
        _link_owner(self.request)
        rows = policies_visible(user=request_user(self.request), roles=request_roles(self.request))
        if q.get("status"):
            rows = rows.filter(status=q["status"])
        customer_id = int_param(self.request, "customer_id")
        if customer_id:
            rows = rows.filter(customer_id=customer_id)
        if q.get("number"):
            rows = rows.filter(number__icontains=q["number"].strip())
        if q.get("plate"):
            rows = rows.filter(vehicle__plate__contains=q["plate"].strip().upper())
        return rows.select_related("insurer", "quote", "customer", "vehicle").order_by("-issued_at", "line")


class SurrenderSerializer(serializers.Serializer):
    refund_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    reason = serializers.CharField(max_length=200, allow_blank=True)


class PolicySurrenderView(APIView):
    """退保 (tenant admin or finance): records the refund and emits ``policy.cancelled``."""

    permission_classes = [HasAllowedRole]
    allowed_roles = ADMIN_FINANCE

    @extend_schema(request=SurrenderSerializer, responses=PolicySerializer, operation_id="policies_surrender")
    def post(self, request: Request, pk: int) -> Response:
        policy = (
            policies_visible(user=request_user(request), roles=request_roles(request)).filter(pk=pk).first()
        )
        if policy is None:
            raise NotFound("保单不存在")
        body = SurrenderSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        policy = policy_surrender(
            actor=request_user(request),
            role=_acting_role(request, ADMIN_FINANCE),
            policy=policy,
            refund_amount=body.validated_data["refund_amount"],
            reason=body.validated_data["reason"],
        )
        fresh = Policy.objects.select_related("insurer", "quote", "customer", "vehicle").get(pk=policy.pk)
        return Response(PolicySerializer(fresh).data)


# ---- the tenant's insurers --------------------------------------------------------------------


class TermsSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    ctpl_commission_rate = serializers.DecimalField(max_digits=7, decimal_places=4)
    commercial_commission_rate = serializers.DecimalField(max_digits=7, decimal_places=4)
    autonomous_pricing_factor = serializers.DecimalField(
        max_digits=5, decimal_places=4, required=False, allow_null=True
    )


class RatingTableBriefSerializer(serializers.Serializer):
    use = serializers.CharField()
    use_label = serializers.CharField()
    name = serializers.CharField()
    source = serializers.ChoiceField(choices=["insurer", "tenant"])  # type: ignore[assignment]
    updated_at = serializers.DateTimeField()


class InsurerRowSerializer(InsurerBriefSerializer):
    terms = TermsSerializer(allow_null=True)
    factor_min = serializers.DecimalField(max_digits=5, decimal_places=4)
    factor_max = serializers.DecimalField(max_digits=5, decimal_places=4)
    default_factor = serializers.DecimalField(max_digits=5, decimal_places=4)
    agent_adjustment = serializers.DecimalField(max_digits=5, decimal_places=4)
    rating_tables = RatingTableBriefSerializer(many=True)

    class Meta(InsurerBriefSerializer.Meta):
        fields = [
            *InsurerBriefSerializer.Meta.fields,
            "factor_min", "factor_max", "default_factor", "agent_adjustment", "terms", "rating_tables",
        ]  # fmt: skip


def _insurer_rows(insurers: list[Insurer]) -> list[dict[str, Any]]:
    terms = {t.insurer_id: t for t in InsurerTerms.objects.all()}
    tables: dict[int, dict[str, dict[str, Any]]] = {}
    for model, source in ((InsurerRatingTable, "insurer"), (TenantRatingTable, "tenant")):
        for t in model.objects.filter(insurer__in=insurers):
            tables.setdefault(t.insurer_id, {})[t.use] = {
                "use": t.use,
                "use_label": VEHICLE_USE_NAMES.get(t.use, t.use),  # type: ignore[call-overload]
                "name": t.name,
                "source": source,
                "updated_at": t.updated_at,
            }
    return [
        {
            **{f: getattr(i, f) for f in ("code", "name", "short_name", "logo", "color", "factor_min", "factor_max",
                                          "default_factor", "agent_adjustment")},
            "terms": terms.get(i.pk),
            "rating_tables": list(tables.get(i.pk, {}).values()),
        }
        for i in insurers
    ]  # fmt: skip


def _insurer_or_404(code: str) -> Insurer:
    insurer = Insurer.objects.filter(code=code.upper(), active=True).first()
    if insurer is None:
        raise NotFound("保险公司不存在")
    return insurer


class InsurerListView(APIView):
    """The platform's insurers, with this tenant's terms (None: not set up)."""

    permission_classes = [HasAllowedRole]
    allowed_roles = TENANT_STAFF

    @extend_schema(responses=InsurerRowSerializer(many=True), operation_id="insurers_list")
    def get(self, request: Request) -> Response:
        rows = _insurer_rows(list(Insurer.objects.filter(active=True)))
        return Response(InsurerRowSerializer(rows, many=True).data)


class InsurerTermsView(APIView):
    permission_classes = [HasAllowedRole]
    allowed_roles = ADMIN_FINANCE

    @extend_schema(
        request=TermsSerializer, responses=InsurerRowSerializer, operation_id="insurers_terms_update"
    )
    def put(self, request: Request, code: str) -> Response:
        insurer = _insurer_or_404(code)
        body = TermsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        insurer_terms_set(actor=request_user(request), insurer=insurer, **body.validated_data)
        return Response(InsurerRowSerializer(_insurer_rows([insurer])[0]).data)


class RatingTableSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80, allow_blank=True)
    coverages = serializers.JSONField()
    source = serializers.CharField(read_only=True)  # type: ignore[assignment]


class InsurerRatingTableView(APIView):
    """The 商业险 table a tenant prices an insurer with: its own if it keeps one, else the insurer's."""

    permission_classes = [HasAllowedRole]
    allowed_roles = TENANT_ADMIN

    @extend_schema(responses=RatingTableSerializer, operation_id="insurers_rating_table_retrieve")
    def get(self, request: Request, code: str, use: str) -> Response:
        insurer = _insurer_or_404(code)
        for model, source in ((TenantRatingTable, "tenant"), (InsurerRatingTable, "insurer")):
            table = model.objects.filter(insurer=insurer, use=use).first()
            if table is not None:
                return Response({"name": table.name, "coverages": table.coverages, "source": source})
        raise NotFound("该使用性质还没有费率表")

    @extend_schema(
        request=RatingTableSerializer,
        responses=RatingTableSerializer,
        operation_id="insurers_rating_table_update",
    )
    def put(self, request: Request, code: str, use: str) -> Response:
        insurer = _insurer_or_404(code)
        body = RatingTableSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        table = tenant_rating_table_set(
            actor=request_user(request), insurer=insurer, use=use, **body.validated_data
        )
        return Response({"name": table.name, "coverages": table.coverages, "source": "tenant"})


# ---- 车船税 tables ------------------------------------------------------------------------------


class VehicleTaxTableSerializer(serializers.Serializer):
    province = serializers.CharField()
    annual_tax = serializers.ListField(child=serializers.DecimalField(max_digits=8, decimal_places=2))
    bands = serializers.ListField(child=serializers.CharField(), read_only=True)
    source = serializers.ChoiceField(choices=["tenant", "built_in"], read_only=True)  # type: ignore[assignment]


class VehicleTaxTableInputSerializer(serializers.Serializer):
    annual_tax = serializers.ListField(child=serializers.DecimalField(max_digits=8, decimal_places=2))


def _tax_row(province: str, amounts: Any, source: str) -> dict[str, Any]:
    return {
        "province": province,
        "annual_tax": list(amounts),
        "bands": list(DISPLACEMENT_BANDS.labels),
        "source": source,
    }


class VehicleTaxTableListView(APIView):
    """The provinces the tenant can quote 车船税 in: its own tables, then the built-in ones."""

    permission_classes = [HasAllowedRole]
    allowed_roles = TENANT_STAFF

    @extend_schema(responses=VehicleTaxTableSerializer(many=True), operation_id="vehicle_tax_tables_list")
    def get(self, request: Request) -> Response:
        own = {
            t.province: _tax_row(t.province, t.annual_tax, "tenant")
            for t in TenantVehicleTaxTable.objects.all()
        }
        built_in = {
            p: _tax_row(p, t.annual_tax, "built_in")
            for p, t in DEFAULT_VEHICLE_TAX_TABLES.items()
            if p not in own
        }
        return Response(VehicleTaxTableSerializer([*own.values(), *built_in.values()], many=True).data)


class VehicleTaxTableView(APIView):
    permission_classes = [HasAllowedRole]
    allowed_roles = TENANT_ADMIN

    @extend_schema(
        request=VehicleTaxTableInputSerializer,
        responses=VehicleTaxTableSerializer,
        operation_id="vehicle_tax_tables_update",
    )
    def put(self, request: Request, province: str) -> Response:
        body = VehicleTaxTableInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        table = vehicle_tax_table_set(actor=request_user(request), province=province, **body.validated_data)
        return Response(VehicleTaxTableSerializer(_tax_row(table.province, table.annual_tax, "tenant")).data)
