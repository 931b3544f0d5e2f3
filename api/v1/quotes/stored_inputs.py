"""The shape of what a quote keeps of its request (``quotes.services.quote_inputs``, JSON on
``Quote``): the vehicle as rated (``vehicle_snapshot``), the claim history the price used
(``history``) and the chosen coverages (``coverages``). For the OpenAPI schema only, like
``breakdown.py``: the stored JSON is served as it is (the fields at the end), and the front end's
types are generated from these instead of being written by hand. Decimals are exact strings
("200000.00"), dates ISO. A vehicle key is absent when neither the customer's car nor the caller had
it; ``history.source`` and ``history.transferred`` may be absent on old quotes."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


def _amount(**kwargs: object) -> serializers.CharField:
    return serializers.CharField(help_text="exact decimal string", **kwargs)  # type: ignore[arg-type]


class VehicleSnapshotSerializer(serializers.Serializer):
    plate = serializers.CharField(required=False)
    vin = serializers.CharField(required=False)
    brand_model = serializers.CharField(required=False)
    use = serializers.CharField(required=False)
    seats = serializers.IntegerField(required=False, allow_null=True)
    tonnage = _amount(required=False, allow_null=True)
    displacement = _amount(required=False, allow_null=True)
    energy = serializers.CharField(required=False)
    purchase_price = _amount(required=False, allow_null=True)
    first_registered_on = serializers.DateField(required=False, allow_null=True)
    purchase_date = serializers.DateField(required=False, allow_null=True)
    ctpl_expires_on = serializers.DateField(required=False, allow_null=True)
    commercial_expires_on = serializers.DateField(required=False, allow_null=True)


class StatedHistorySerializer(serializers.Serializer):
    """The history as the caller stated it."""

    ctpl_class = serializers.CharField()
    claim_free_years = serializers.IntegerField()
    claims_last_year = serializers.IntegerField()


class QuoteHistorySerializer(StatedHistorySerializer):
    """The history the price used; ``stated`` is what the caller said when it was set aside (a car
    under a year old with no earlier policy is rated as new)."""

    source = serializers.ChoiceField(  # type: ignore[assignment]  # the key, not Field.source
        choices=["stated", "new_vehicle", "transferred"], required=False
    )
    transferred = serializers.BooleanField(required=False)
    stated = StatedHistorySerializer(required=False)


class QuoteCoverageLineSerializer(serializers.Serializer):
    """One 商业险 line: its code and the limit chosen (per seat for the seat lines); unset keys are absent."""

    code = serializers.CharField()
    limit = _amount(required=False)
    seats = serializers.IntegerField(required=False)
    limit_per_seat = _amount(required=False)


class QuoteCoveragesSerializer(serializers.Serializer):
    ctpl = serializers.BooleanField()
    vehicle_tax = serializers.BooleanField()
    commercial = QuoteCoverageLineSerializer(many=True)


@extend_schema_field(VehicleSnapshotSerializer)
class VehicleSnapshotField(serializers.JSONField):
    """The stored vehicle, served unchanged, typed in the schema as ``VehicleSnapshot``."""


@extend_schema_field(QuoteHistorySerializer)
class QuoteHistoryField(serializers.JSONField):
    """The stored history, served unchanged, typed in the schema as ``QuoteHistory``."""


@extend_schema_field(QuoteCoveragesSerializer)
class QuoteCoveragesField(serializers.JSONField):
    """The stored coverages, served unchanged, typed in the schema as ``QuoteCoverages``."""
