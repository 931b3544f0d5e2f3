"""Distribution network API: tiers, agents, moves, status, the organisation tree."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.context import context_of
from api.excel import (
    ImportRejectedSerializer,
    ImportReportSerializer,
    ImportUploadSerializer,
    import_response,
    uploaded_file,
    xlsx_download,
)
from api.permissions import request_roles
from api.roles import ADMIN_FINANCE, AGENT, AGENT_OWNER, TENANT_ADMIN, TENANT_STAFF
from api.throttles import LOGIN_THROTTLES
from api.views import ApiListView, ApiView
from core.errors import NotFound, PermissionDenied
from core.excel import XLSX
from core.validators import mask_mobile
from network.excel import agents_export, agents_import
from network.models import Distributor, DistributorStatus, NetworkSettings, Referral, Tier
from network.selectors import distributor_of, distributors_for_console, org_tree, tiers
from network.services import (
    agent_create,
    agent_join_by_referral,
    customer_referrer_ensure,
    distributor_move,
    distributor_set_status,
    network_settings,
    network_settings_update,
    referrer_by_code,
    tier_create,
)


class TierSerializer(serializers.ModelSerializer):
    distributor_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Tier
        fields = ["id", "name", "rank", "description", "distributor_count", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs: dict[str, dict[str, Any]] = {"name": {"validators": []}, "rank": {"validators": []}}


class TierListCreateView(ApiListView):
    allowed_roles = TENANT_STAFF
    serializer_class = TierSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        return tiers()

    @extend_schema(
        request=TierSerializer, responses={201: TierSerializer}, operation_id="network_tiers_create"
    )
    def post(self, request: Request) -> Response:
        if not request_roles(request) & TENANT_ADMIN:
            raise PermissionDenied("只有租户管理员可以设置层级")
        data = TierSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tier = tier_create(actor=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(TierSerializer(tier).data, status=status.HTTP_201_CREATED)


class TierBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tier
        fields = ["id", "name", "rank"]


class DistributorBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Distributor
        fields = ["id", "name"]


class DistributorSerializer(serializers.ModelSerializer):
    tier = TierBriefSerializer(read_only=True, allow_null=True)
    parent = DistributorBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Distributor
        fields = [
            "id",
            "kind",
            "name",
            "mobile",
            "licence_no",
            "tier",
            "parent",
            "status",
            "referral_code",
            "joined_at",
        ]


class AgentCreateSerializer(serializers.Serializer):
    # Blank values reach the service, which reports every bad field at once.
    name = serializers.CharField(max_length=60, allow_blank=True)
    mobile = serializers.CharField(max_length=20, allow_blank=True)
    licence_no = serializers.CharField(max_length=40, allow_blank=True)
    tier = serializers.IntegerField()
    parent = serializers.IntegerField(required=False, allow_null=True)  # type: ignore[assignment]
    password = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, write_only=True)


@extend_schema_view(get=extend_schema(operation_id="network_agents_list"))
class AgentListCreateView(ApiListView):
    allowed_roles = ADMIN_FINANCE
    serializer_class = DistributorSerializer

    def get_queryset(self) -> Any:
        q = self.request.query_params
        tier = q.get("tier", "")
        return distributors_for_console(
            search=q.get("search", "").strip(),
            tier_id=int(tier) if tier.isdigit() else None,
            status=q.get("status", ""),
            kind=q.get("kind", ""),
        )

    @extend_schema(
        request=AgentCreateSerializer,
        responses={201: DistributorSerializer},
        operation_id="network_agents_create",
    )
    def post(self, request: Request) -> Response:
        if not request_roles(request) & TENANT_ADMIN:
            raise PermissionDenied("只有租户管理员可以新增代理人")
        data = AgentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        agent = agent_create(
            actor=request.user,  # type: ignore[arg-type]
            name=v["name"],
            mobile=v["mobile"],
            licence_no=v["licence_no"],
            tier_id=v["tier"],
            parent_id=v.get("parent"),
            password=v.get("password") or None,
        )
        return Response(DistributorSerializer(agent).data, status=status.HTTP_201_CREATED)


def _agent_or_404(pk: int) -> Distributor:
    agent = Distributor.objects.select_related("tier", "parent").filter(pk=pk).first()
    if agent is None:
        raise NotFound("分销成员不存在")
    return agent


class AgentDetailView(ApiView):
    allowed_roles = ADMIN_FINANCE

    @extend_schema(responses=DistributorSerializer, operation_id="network_agents_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return Response(DistributorSerializer(_agent_or_404(pk)).data)


class MoveSerializer(serializers.Serializer):
    parent = serializers.IntegerField(allow_null=True)  # type: ignore[assignment]


class AgentMoveView(ApiView):
    allowed_roles = TENANT_ADMIN

    @extend_schema(
        request=MoveSerializer, responses=DistributorSerializer, operation_id="network_agents_move"
    )
    def post(self, request: Request, pk: int) -> Response:
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        distributor_move(actor=request.user, distributor_id=pk, new_parent_id=data.validated_data["parent"])  # type: ignore[arg-type]
        return Response(DistributorSerializer(_agent_or_404(pk)).data)


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DistributorStatus.choices)


class AgentStatusView(ApiView):
    allowed_roles = TENANT_ADMIN

    @extend_schema(
        request=StatusSerializer, responses=DistributorSerializer, operation_id="network_agents_status"
    )
    def post(self, request: Request, pk: int) -> Response:
        data = StatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        distributor_set_status(actor=request.user, distributor_id=pk, status=data.validated_data["status"])  # type: ignore[arg-type]
        return Response(DistributorSerializer(_agent_or_404(pk)).data)


def my_distributor(request: Request) -> Distributor:
    me = distributor_of(request.user)
    if me is None:
        raise NotFound("您还不是本租户的分销成员")
    return me


@extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/TreeNode"}})
class TreeChildrenField(serializers.ListField):
    """A node's children: nodes themselves (``TreeNode``, recursive)."""


class TreeNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    mobile = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    tier = serializers.CharField()
    parent_id = serializers.IntegerField(allow_null=True)
    team_size = serializers.IntegerField()
    premium = serializers.DecimalField(max_digits=14, decimal_places=2)
    children = TreeChildrenField(child=serializers.DictField())


class TreeView(ApiView):
    """The organisation: all of it for the tenant's admins, an agent's own team for the agent."""

    allowed_roles = TENANT_STAFF

    @extend_schema(responses=TreeNodeSerializer(many=True), operation_id="network_tree")
    def get(self, request: Request) -> Response:
        if request_roles(request) & ADMIN_FINANCE:
            return Response(org_tree())
        return Response(org_tree(root_id=my_distributor(request).pk))


class MyDistributorView(ApiView):
    """The logged-in agent's own record: tier, parent, referral code."""

    allowed_roles = AGENT

    @extend_schema(responses=DistributorSerializer, operation_id="network_me")
    def get(self, request: Request) -> Response:
        return Response(DistributorSerializer(my_distributor(request)).data)


class AgentImportView(ApiView):
    """Upload an .xlsx of agents. 200 with created > 0 when every row was good; 400 with the
    row-by-row report (and nothing written) otherwise."""

    allowed_roles = TENANT_ADMIN
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={200: ImportReportSerializer, 400: ImportRejectedSerializer},
        operation_id="network_agents_import",
    )
    def post(self, request: Request) -> Response:
        return import_response(agents_import(actor=request.user, content=uploaded_file(request)))  # type: ignore[arg-type]


class AgentExportView(ApiView):
    allowed_roles = ADMIN_FINANCE

    @extend_schema(responses={(200, XLSX): bytes}, operation_id="network_agents_export")
    def get(self, request: Request) -> HttpResponse:
        q = request.query_params
        tier = q.get("tier", "")
        rows = distributors_for_console(
            search=q.get("search", "").strip(),
            tier_id=int(tier) if tier.isdigit() else None,
            status=q.get("status", ""),
            kind=q.get("kind", ""),
        )
        return xlsx_download(agents_export(distributors=rows), "agents.xlsx")


class ReferralInfoSerializer(serializers.Serializer):
    code = serializers.CharField()
    inviter_name = serializers.CharField()
    kind = serializers.CharField()
    tenant_name = serializers.CharField()


class ReferralInfoView(APIView):
    """What a referral link shows before signing up: who invites, to which tenant."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []  # public: no token, no role (tests/api/test_view_roles.py)

    @extend_schema(responses=ReferralInfoSerializer, operation_id="network_referral_info")
    def get(self, request: Request, code: str) -> Response:
        referrer = referrer_by_code(code=code)
        body = {
            "code": referrer.referral_code,
            "inviter_name": referrer.name,
            "kind": referrer.kind,
            "tenant_name": context_of(request).tenant.name,
        }
        return Response(ReferralInfoSerializer(body).data)


class AgentJoinSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=12)
    name = serializers.CharField(max_length=60, allow_blank=True)
    mobile = serializers.CharField(max_length=20, allow_blank=True)
    licence_no = serializers.CharField(max_length=40, allow_blank=True)
    sms_code = serializers.RegexField(r"^\d{6}$", error_messages={"invalid": "验证码为6位数字"})
    password = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, write_only=True)


class AgentJoinView(APIView):
    """An agent invited by another signs up (mobile verified by an SMS code)."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []  # public: no token, no role (tests/api/test_view_roles.py)
    throttle_classes = LOGIN_THROTTLES

    @extend_schema(
        request=AgentJoinSerializer, responses={201: DistributorSerializer}, operation_id="network_join"
    )
    def post(self, request: Request) -> Response:
        data = AgentJoinSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        agent = agent_join_by_referral(
            code=v["code"],
            name=v["name"],
            mobile=v["mobile"],
            licence_no=v["licence_no"],
            sms_code=v["sms_code"],
            password=v.get("password") or None,
        )
        return Response(DistributorSerializer(agent).data, status=status.HTTP_201_CREATED)


class ReferredPersonSerializer(serializers.Serializer):
    name = serializers.CharField()
    mobile = serializers.CharField()
    created_at = serializers.DateTimeField()


class MyReferralSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.CharField()
    owner_link = serializers.CharField()
    agent_link = serializers.CharField(allow_blank=True)
    referrals = ReferredPersonSerializer(many=True)


class MyReferralView(ApiView):
    """My referral code and links (an owner's is created on first visit) and who signed up through it."""

    allowed_roles = AGENT_OWNER

    @extend_schema(responses=MyReferralSerializer, operation_id="network_my_referral")
    def get(self, request: Request) -> Response:
        me = distributor_of(request.user)
        if me is None:
            if "owner" not in request_roles(request):
                raise NotFound("您还不是本租户的分销成员")
            me = customer_referrer_ensure(user=request.user)  # type: ignore[arg-type]
        base = request.build_absolute_uri("/")
        referrals = Referral.objects.filter(referrer=me).select_related("user")[:200]
        body = {
            "code": me.referral_code,
            "kind": me.kind,
            "owner_link": f"{base}#/login?ref={me.referral_code}",
            "agent_link": f"{base}agent/#/join?code={me.referral_code}" if me.kind == "agent" else "",
            "referrals": [
                {
                    "name": r.user.name or "车主",
                    "mobile": mask_mobile(r.user.mobile),
                    "created_at": r.created_at,
                }
                for r in referrals
            ],
        }
        return Response(MyReferralSerializer(body).data)


class NetworkSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = NetworkSettings
        fields = ["agent_signup_requires_approval"]
        extra_kwargs = {"agent_signup_requires_approval": {"required": True}}


class NetworkSettingsView(ApiView):
    allowed_roles = ADMIN_FINANCE

    @extend_schema(responses=NetworkSettingsSerializer, operation_id="network_settings_retrieve")
    def get(self, request: Request) -> Response:
        return Response(NetworkSettingsSerializer(network_settings()).data)

    @extend_schema(
        request=NetworkSettingsSerializer,
        responses=NetworkSettingsSerializer,
        operation_id="network_settings_update",
    )
    def put(self, request: Request) -> Response:
        if not request_roles(request) & TENANT_ADMIN:
            raise PermissionDenied("只有租户管理员可以修改设置")
        data = NetworkSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = network_settings_update(actor=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(NetworkSettingsSerializer(row).data)
