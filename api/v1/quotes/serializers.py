"""The quote API's serializers: rating input and results, quotes, options, policies. Owners
see options without the tenant's commission figures (``_option_row(staff=False)``)."""

from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.roles import (
    ADMIN_AGENT,
    ADMIN_AGENT_OWNER,
    TENANT_STAFF,
)
from api.v1.quotes.breakdown import BreakdownField
from api.v1.quotes.stored_inputs import QuoteCoveragesField, QuoteHistoryField, VehicleSnapshotField
from directory.models import Insurer
from quotes.models import (
    Policy,
    PolicyStatus,
    Quote,
    QuoteChannel,
    QuoteEvent,
    QuoteOption,
    QuoteStatus,
)
from quotes.pricing import Offer
from quotes.services import (
    TRANSITIONS,
    amount_due,
    factor_bounds,
    in_force_premium,
)

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
    vehicle_snapshot = VehicleSnapshotField()
    history = QuoteHistoryField()
    coverages = QuoteCoveragesField()

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
