"""The tenant's insurers: their terms (自主定价系数 ranges), rating tables and the 车船税 tables
by province."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.params import request_user
from api.roles import (
    ADMIN_FINANCE,
    TENANT_ADMIN,
    TENANT_STAFF,
)
from api.v1.quotes.serializers import InsurerBriefSerializer
from api.views import ApiView
from core.errors import NotFound
from directory.models import Insurer, InsurerRatingTable
from directory.rating_data import DEFAULT_VEHICLE_TAX_TABLES, DISPLACEMENT_BANDS, VEHICLE_USE_NAMES
from quotes.models import (
    InsurerTerms,
    TenantRatingTable,
    TenantVehicleTaxTable,
)
from quotes.services import (
    insurer_terms_set,
    tenant_rating_table_set,
    vehicle_tax_table_set,
)

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


class InsurerListView(ApiView):
    """The platform's insurers, with this tenant's terms (None: not set up)."""

    allowed_roles = TENANT_STAFF

    @extend_schema(responses=InsurerRowSerializer(many=True), operation_id="insurers_list")
    def get(self, request: Request) -> Response:
        rows = _insurer_rows(list(Insurer.objects.filter(active=True)))
        return Response(InsurerRowSerializer(rows, many=True).data)


class InsurerTermsView(ApiView):
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


class InsurerRatingTableView(ApiView):
    """The 商业险 table a tenant prices an insurer with: its own if it keeps one, else the insurer's."""

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


class VehicleTaxTableListView(ApiView):
    """The provinces the tenant can quote 车船税 in: its own tables, then the built-in ones."""

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


class VehicleTaxTableView(ApiView):
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
