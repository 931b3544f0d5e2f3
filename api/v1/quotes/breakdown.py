"""The shape of an option's ``breakdown`` (``QuoteRating.to_dict``, kept as JSON on ``QuoteOption``),
for the OpenAPI schema: the front end's breakdown types are generated from it instead of being
written by hand. The stored JSON is served as it is (``BreakdownField``); these serializers only
describe it. Decimals are exact strings ("665.00"); a part that was not quoted is null. An option
that could not be priced has an empty breakdown, or only ``error``. Fields added after the first
quotes were stored (``traffic_violation_factor``, ``history.source``, ``purchase_date``) may be absent
on old options."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


def _amount(**kwargs: object) -> serializers.CharField:
    return serializers.CharField(help_text="exact decimal string", **kwargs)  # type: ignore[arg-type]


class HistoryBreakdownSerializer(serializers.Serializer):
    ctpl_class = serializers.CharField()
    claim_free_years = serializers.IntegerField()
    claims_last_year = serializers.IntegerField()
    source = serializers.CharField(required=False)  # type: ignore[assignment]  # the key, not Field.source


class CtplBreakdownSerializer(serializers.Serializer):
    use = serializers.CharField()
    band = serializers.CharField()
    base_premium = _amount()
    region = serializers.CharField()
    floating_scheme = serializers.IntegerField()
    history_class = serializers.CharField()
    floating_rate = _amount()
    premium = _amount()


class VehicleTaxBreakdownSerializer(serializers.Serializer):
    table_province = serializers.CharField(allow_null=True)
    displacement_band = serializers.CharField(allow_null=True)
    exempt = serializers.BooleanField()
    annual_tax = _amount()
    tax_year = serializers.IntegerField()
    purchase_date = serializers.DateField(allow_null=True, required=False)
    months = serializers.IntegerField()
    amount = _amount()


class ActualValueBreakdownSerializer(serializers.Serializer):
    purchase_price = _amount()
    first_registration = serializers.DateField()
    valued_on = serializers.DateField(required=False)
    months_of_age = serializers.IntegerField()
    monthly_depreciation = _amount()
    floor = _amount(required=False)
    value = _amount()


class CommercialLineBreakdownSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    limit = _amount(allow_null=True)
    seats = serializers.IntegerField(allow_null=True)
    limit_per_seat = _amount(allow_null=True)
    base_premium = _amount()
    ncd = _amount()
    autonomous_pricing_factor = _amount()
    traffic_violation_factor = _amount(required=False)
    premium = _amount()


class BreakdownErrorSerializer(serializers.Serializer):
    field = serializers.CharField()
    code = serializers.CharField()


class QuoteBreakdownSerializer(serializers.Serializer):
    rated_on = serializers.DateField(required=False)
    region = serializers.CharField(required=False)
    insurer = serializers.CharField(allow_null=True, required=False)
    rating_table = serializers.CharField(allow_null=True, required=False)
    history = HistoryBreakdownSerializer(allow_null=True, required=False)
    ctpl = CtplBreakdownSerializer(allow_null=True, required=False)
    vehicle_tax = VehicleTaxBreakdownSerializer(allow_null=True, required=False)
    actual_value = ActualValueBreakdownSerializer(allow_null=True, required=False)
    commercial_lines = CommercialLineBreakdownSerializer(many=True, required=False)
    ctpl_premium = _amount(required=False)
    vehicle_tax_amount = _amount(required=False)
    commercial_premium = _amount(required=False)
    total = _amount(required=False)
    error = BreakdownErrorSerializer(required=False, help_text="why the option could not be priced")


@extend_schema_field(QuoteBreakdownSerializer)
class BreakdownField(serializers.JSONField):
    """The stored breakdown, served unchanged, typed in the schema as ``QuoteBreakdown``."""
