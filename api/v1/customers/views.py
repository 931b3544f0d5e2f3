"""Customers (客户管理), vehicles, follow-ups (跟踪记录), reminders (客户提醒) and the owner's own view.

Every lookup goes through the caller's visibility (customers_visible): a customer one may not see
answers 404, exactly as one that does not exist."""

from datetime import date
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api.excel import (
    ImportRejectedSerializer,
    ImportReportSerializer,
    ImportUploadSerializer,
    import_response,
    uploaded_file,
    xlsx_download,
)
from api.params import date_param, request_user
from api.permissions import request_roles
from api.roles import ADMIN_AGENT, ADMIN_AGENT_OWNER, OWNER, TENANT_PEOPLE, TENANT_STAFF
from api.views import ApiListView, ApiView
from core.errors import NotFound, PermissionDenied
from core.excel import XLSX
from customers.excel import customers_export, customers_import
from customers.models import Customer, FollowUp, Preference, Reminder, ReminderStatus, Vehicle
from customers.selectors import (
    customers_for_list,
    customers_visible,
    reminder_title,
    reminders_for_owner,
    reminders_todo,
    vehicles_visible,
)
from customers.services import (
    customer_create,
    customer_for_owner,
    customer_update,
    follow_up_record,
    owner_customer_or_404,
    reminder_close,
    vehicle_add,
    vehicle_update,
)
from network.selectors import distributor_of

# ---- serializers ------------------------------------------------------------------------------


class PromoterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CustomerListSerializer(serializers.ModelSerializer):
    vehicle_count = serializers.IntegerField(read_only=True)
    promoter = PromoterSerializer(allow_null=True, read_only=True)
    id_number = serializers.CharField(source="id_number_masked", read_only=True)

    class Meta:
        model = Customer
        fields = ["id", "name", "mobile", "id_number", "vehicle_count", "promoter", "registered_on"]


class VehicleSerializer(serializers.ModelSerializer):
    use_label = serializers.CharField(source="get_use_display", read_only=True)
    energy_label = serializers.CharField(source="get_energy_display", read_only=True)

    class Meta:
        model = Vehicle
        fields = [
            "id",
            "customer",
            "plate",
            "vin",
            "engine_no",
            "brand_model",
            "seats",
            "displacement",
            "energy",
            "energy_label",
            "use",
            "use_label",
            "first_registered_on",
            "purchase_date",
            "purchase_price",
            "mileage_km",
            "ctpl_expires_on",
            "commercial_expires_on",
            "maintenance_every_km",
            "maintenance_every_months",
            "last_maintained_on",
            "last_maintained_km",
            "next_maintenance_on",
            "next_inspection_on",
        ]


class VehicleInputSerializer(serializers.Serializer):
    """Types are checked here; formats and business rules (plate, VIN, ranges) in the service."""

    plate = serializers.CharField(max_length=20, allow_blank=True)
    vin = serializers.CharField(max_length=30, allow_blank=True, required=False)
    engine_no = serializers.CharField(max_length=40, allow_blank=True, required=False)
    brand_model = serializers.CharField(max_length=60, allow_blank=True, required=False)
    seats = serializers.IntegerField(required=False, allow_null=True)
    displacement = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
    energy = serializers.CharField(required=False, allow_blank=True)
    use = serializers.CharField(required=False, allow_blank=True)
    first_registered_on = serializers.DateField(required=False, allow_null=True)
    purchase_date = serializers.DateField(required=False, allow_null=True)
    purchase_price = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    mileage_km = serializers.IntegerField(required=False, allow_null=True)
    ctpl_expires_on = serializers.DateField(required=False, allow_null=True)
    commercial_expires_on = serializers.DateField(required=False, allow_null=True)
    maintenance_every_km = serializers.IntegerField(required=False, allow_null=True)
    maintenance_every_months = serializers.IntegerField(required=False, allow_null=True)
    last_maintained_on = serializers.DateField(required=False, allow_null=True)
    last_maintained_km = serializers.IntegerField(required=False, allow_null=True)


class FollowUpSerializer(serializers.ModelSerializer):
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "channel",
            "channel_label",
            "content",
            "next_contact_on",
            "vehicle",
            "author_name",
            "created_at",
        ]


class FollowUpInputSerializer(serializers.Serializer):
    channel = serializers.CharField(allow_blank=True)
    content = serializers.CharField(allow_blank=True, max_length=4000)
    next_contact_on = serializers.DateField(required=False, allow_null=True)
    vehicle = serializers.IntegerField(required=False, allow_null=True)


class ReminderSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    customer_mobile = serializers.CharField(source="customer.mobile", read_only=True)
    plate = serializers.CharField(source="vehicle.plate", read_only=True, default="")

    class Meta:
        model = Reminder
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "customer",
            "customer_name",
            "customer_mobile",
            "vehicle",
            "plate",
            "due_on",
            "remind_on",
            "lead_days",
            "status",
        ]

    def get_title(self, obj: Reminder) -> str:
        return reminder_title(obj)


class PreferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Preference
        fields = ["key", "label", "evidence", "weight", "computed_at"]


class CustomerDetailSerializer(serializers.ModelSerializer):
    promoter = PromoterSerializer(allow_null=True, read_only=True)
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    vehicles = VehicleSerializer(many=True, read_only=True)
    follow_ups = serializers.SerializerMethodField()
    reminders = serializers.SerializerMethodField()
    preferences = PreferenceSerializer(many=True, read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "mobile",
            "id_number",
            "birth_date",
            "licence_expires_on",
            "promoter",
            "registered_on",
            "note",
            "owner_reminders_opt_in",
            "vehicles",
            "follow_ups",
            "reminders",
            "preferences",
        ]

    @extend_schema_field(FollowUpSerializer(many=True))
    def get_follow_ups(self, obj: Customer) -> list[dict[str, Any]]:
        return FollowUpSerializer(obj.follow_ups.all()[:20], many=True).data  # type: ignore[return-value]

    @extend_schema_field(ReminderSerializer(many=True))
    def get_reminders(self, obj: Customer) -> list[dict[str, Any]]:
        rows = obj.reminders.filter(status=ReminderStatus.OPEN).select_related("vehicle", "customer")
        return ReminderSerializer(rows, many=True).data  # type: ignore[return-value]


class CustomerInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60, allow_blank=True, required=False)
    mobile = serializers.CharField(max_length=20, allow_blank=True, required=False)
    id_number = serializers.CharField(max_length=30, allow_blank=True, required=False)
    birth_date = serializers.DateField(required=False, allow_null=True)
    licence_expires_on = serializers.DateField(required=False, allow_null=True)
    promoter = serializers.IntegerField(required=False, allow_null=True)
    registered_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=500, allow_blank=True, required=False)
    owner_reminders_opt_in = serializers.BooleanField(required=False)
    vehicles = VehicleInputSerializer(many=True, required=False)


def _customer_fields(validated: dict[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in validated.items() if k not in ("promoter", "vehicles")}
    if "promoter" in validated:
        fields["promoter_id"] = validated["promoter"]
    return fields


# ---- helpers ------------------------------------------------------------------------------------


def _scope_root_id(request: Request) -> int | None:
    """None for admins (any promoter); the agent's own node for agents (self and downline only)."""
    if request_roles(request) & {"tenant_admin"}:
        return None
    me = distributor_of(request_user(request))
    if me is None:
        raise PermissionDenied("您还不是本租户的代理人")
    return me.pk


def _require_writer(request: Request) -> None:
    if not request_roles(request) & ADMIN_AGENT:
        raise PermissionDenied("当前角色只能查看客户")


def _visible_customer(request: Request, pk: int) -> Customer:
    customer = (
        customers_visible(user=request_user(request), roles=request_roles(request))
        .select_related("promoter")
        .filter(pk=pk)
        .first()
    )
    if customer is None:
        raise NotFound("客户不存在")
    return customer


LIST_PARAMS = [
    OpenApiParameter("search", str, description="姓名、手机号或车牌"),
    OpenApiParameter("plate", str),
    OpenApiParameter("promoter", str, description="推广人姓名或手机号"),
    OpenApiParameter("registered_from", date),
    OpenApiParameter("registered_to", date),
]


def _list_rows(request: Request) -> Any:
    q = request.query_params
    return customers_for_list(
        user=request_user(request),
        roles=request_roles(request),
        search=q.get("search", "").strip(),
        plate=q.get("plate", "").strip(),
        promoter=q.get("promoter", "").strip(),
        registered_from=date_param(request, "registered_from"),
        registered_to=date_param(request, "registered_to"),
    )


# ---- customers ----------------------------------------------------------------------------------


@extend_schema_view(get=extend_schema(parameters=LIST_PARAMS, operation_id="customers_list"))
class CustomerListCreateView(ApiListView):
    allowed_roles = TENANT_STAFF
    serializer_class = CustomerListSerializer

    def get_queryset(self) -> Any:
        return _list_rows(self.request)

    @extend_schema(
        request=CustomerInputSerializer,
        responses={201: CustomerDetailSerializer},
        operation_id="customers_create",
    )
    def post(self, request: Request) -> Response:
        _require_writer(request)
        data = CustomerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = _customer_fields(data.validated_data)
        scope_root_id = _scope_root_id(request)
        if scope_root_id is not None and "promoter_id" not in fields:
            fields["promoter_id"] = scope_root_id  # an agent's customer is theirs unless they say otherwise
        customer = customer_create(
            actor=request_user(request),
            scope_root_id=scope_root_id,
            vehicles=list(data.validated_data.get("vehicles", [])),
            **fields,
        )
        return Response(
            CustomerDetailSerializer(_visible_customer(request, customer.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class CustomerDetailView(ApiView):
    allowed_roles = TENANT_STAFF

    @extend_schema(responses=CustomerDetailSerializer, operation_id="customers_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return Response(CustomerDetailSerializer(_visible_customer(request, pk)).data)

    @extend_schema(
        request=CustomerInputSerializer, responses=CustomerDetailSerializer, operation_id="customers_update"
    )
    def patch(self, request: Request, pk: int) -> Response:
        _require_writer(request)
        customer = _visible_customer(request, pk)
        data = CustomerInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "vehicles" in data.validated_data:
            raise serializers.ValidationError({"vehicles": ["车辆请在车辆信息中修改"]})
        customer_update(
            actor=request_user(request),
            customer=customer,
            scope_root_id=_scope_root_id(request),
            **_customer_fields(data.validated_data),
        )
        return Response(CustomerDetailSerializer(_visible_customer(request, pk)).data)


class CustomerImportView(ApiView):
    """Upload an .xlsx of customers and vehicles; all or nothing, with a row-by-row report."""

    allowed_roles = ADMIN_AGENT
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={200: ImportReportSerializer, 400: ImportRejectedSerializer},
        operation_id="customers_import",
    )
    def post(self, request: Request) -> Response:
        report = customers_import(
            actor=request_user(request),
            content=uploaded_file(request),
            scope_root_id=_scope_root_id(request),
        )
        return import_response(report)


class CustomerExportView(ApiView):
    allowed_roles = TENANT_STAFF

    @extend_schema(parameters=LIST_PARAMS, responses={(200, XLSX): bytes}, operation_id="customers_export")
    def get(self, request: Request) -> HttpResponse:
        rows = _list_rows(request).prefetch_related("vehicles")
        return xlsx_download(customers_export(customers=rows), "customers.xlsx")


# ---- vehicles and follow-ups -------------------------------------------------------------------


class CustomerVehiclesView(ApiView):
    allowed_roles = TENANT_STAFF

    @extend_schema(responses=VehicleSerializer(many=True), operation_id="customers_vehicles_list")
    def get(self, request: Request, pk: int) -> Response:
        return Response(VehicleSerializer(_visible_customer(request, pk).vehicles.all(), many=True).data)

    @extend_schema(
        request=VehicleInputSerializer,
        responses={201: VehicleSerializer},
        operation_id="customers_vehicles_create",
    )
    def post(self, request: Request, pk: int) -> Response:
        _require_writer(request)
        customer = _visible_customer(request, pk)
        data = VehicleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        vehicle = vehicle_add(actor=request_user(request), customer=customer, **data.validated_data)
        return Response(VehicleSerializer(vehicle).data, status=status.HTTP_201_CREATED)


def _visible_vehicle(request: Request, pk: int) -> Vehicle:
    vehicle = vehicles_visible(user=request_user(request), roles=request_roles(request)).filter(pk=pk).first()
    if vehicle is None:
        raise NotFound("车辆不存在")
    return vehicle


class VehicleDetailView(ApiView):
    allowed_roles = TENANT_PEOPLE

    @extend_schema(responses=VehicleSerializer, operation_id="vehicles_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return Response(VehicleSerializer(_visible_vehicle(request, pk)).data)

    @extend_schema(
        request=VehicleInputSerializer, responses=VehicleSerializer, operation_id="vehicles_update"
    )
    def patch(self, request: Request, pk: int) -> Response:
        if not request_roles(request) & ADMIN_AGENT_OWNER:
            raise PermissionDenied("当前角色只能查看车辆")
        vehicle = _visible_vehicle(request, pk)
        data = VehicleInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        vehicle = vehicle_update(actor=request_user(request), vehicle=vehicle, **data.validated_data)
        return Response(VehicleSerializer(vehicle).data)


class FollowUpListCreateView(ApiView):
    allowed_roles = TENANT_STAFF

    @extend_schema(responses=FollowUpSerializer(many=True), operation_id="customers_follow_ups_list")
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            FollowUpSerializer(_visible_customer(request, pk).follow_ups.all()[:200], many=True).data
        )

    @extend_schema(
        request=FollowUpInputSerializer,
        responses={201: FollowUpSerializer},
        operation_id="customers_follow_ups_create",
    )
    def post(self, request: Request, pk: int) -> Response:
        _require_writer(request)
        customer = _visible_customer(request, pk)
        data = FollowUpInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        follow_up = follow_up_record(
            actor=request_user(request),
            customer=customer,
            channel=v["channel"],
            content=v["content"],
            next_contact_on=v.get("next_contact_on"),
            vehicle_id=v.get("vehicle"),
        )
        return Response(FollowUpSerializer(follow_up).data, status=status.HTTP_201_CREATED)


# ---- reminders ----------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=[*ReminderStatus.values, ""]),
            OpenApiParameter("kind", str),
            OpenApiParameter("mine", bool, description="代理人：只看自己名下的客户"),
        ],
        operation_id="reminders_list",
    )
)
class ReminderListView(ApiListView):
    """The to-do list (待办提醒): reminders whose date has come, for the customers one may see."""

    allowed_roles = TENANT_STAFF
    serializer_class = ReminderSerializer

    def get_queryset(self) -> Any:
        q = self.request.query_params
        return reminders_todo(
            user=request_user(self.request),
            roles=request_roles(self.request),
            today=timezone.localdate(),
            status=q.get("status", ReminderStatus.OPEN),
            kind=q.get("kind", ""),
            mine_only=q.get("mine", "") in ("1", "true"),
        )


class ReminderCloseSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[ReminderStatus.DONE, ReminderStatus.DISMISSED])


class ReminderCloseView(ApiView):
    allowed_roles = ADMIN_AGENT

    @extend_schema(
        request=ReminderCloseSerializer, responses=ReminderSerializer, operation_id="reminders_close"
    )
    def post(self, request: Request, pk: int) -> Response:
        reminder = (
            reminders_todo(
                user=request_user(request),
                roles=request_roles(request),
                today=timezone.localdate(),
                status="",
            )
            .filter(pk=pk)
            .first()
        )
        if reminder is None:
            raise NotFound("提醒不存在")
        data = ReminderCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reminder = reminder_close(
            actor=request_user(request), reminder=reminder, status=data.validated_data["status"]
        )
        return Response(ReminderSerializer(reminder).data)


# ---- the owner's own view (H5) ------------------------------------------------------------------


class OwnerProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "name", "mobile", "owner_reminders_opt_in"]
        read_only_fields = ["id", "mobile"]


class OwnerProfileView(ApiView):
    allowed_roles = OWNER

    @extend_schema(responses=OwnerProfileSerializer, operation_id="my_customer_retrieve")
    def get(self, request: Request) -> Response:
        return Response(OwnerProfileSerializer(owner_customer_or_404(user=request_user(request))).data)

    @extend_schema(
        request=OwnerProfileSerializer, responses=OwnerProfileSerializer, operation_id="my_customer_update"
    )
    def patch(self, request: Request) -> Response:
        customer = customer_for_owner(user=request_user(request), create=True)
        assert customer is not None
        data = OwnerProfileSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        customer = customer_update(actor=request_user(request), customer=customer, **data.validated_data)
        return Response(OwnerProfileSerializer(customer).data)


class OwnerVehiclesView(ApiView):
    allowed_roles = OWNER

    @extend_schema(responses=VehicleSerializer(many=True), operation_id="my_vehicles_list")
    def get(self, request: Request) -> Response:
        customer = customer_for_owner(user=request_user(request))
        rows = customer.vehicles.all() if customer else Vehicle.objects.none()
        return Response(VehicleSerializer(rows, many=True).data)

    @extend_schema(
        request=VehicleInputSerializer, responses={201: VehicleSerializer}, operation_id="my_vehicles_create"
    )
    def post(self, request: Request) -> Response:
        data = VehicleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer = customer_for_owner(user=request_user(request), create=True)
        assert customer is not None
        vehicle = vehicle_add(actor=request_user(request), customer=customer, **data.validated_data)
        return Response(VehicleSerializer(vehicle).data, status=status.HTTP_201_CREATED)


class OwnerRemindersView(ApiView):
    allowed_roles = OWNER

    @extend_schema(responses=ReminderSerializer(many=True), operation_id="my_reminders_list")
    def get(self, request: Request) -> Response:
        customer = customer_for_owner(user=request_user(request))
        if customer is None:
            return Response([])
        rows = reminders_for_owner(customer=customer, today=timezone.localdate()).select_related("customer")
        return Response(ReminderSerializer(rows, many=True).data)
