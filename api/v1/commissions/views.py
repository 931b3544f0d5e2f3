"""Commission plans (返利分成方案), campaigns, the ledger, monthly settlement (费用结算), statements,
an agent's income (我的收入) and performance (业绩查询).

Finance and tenant admins manage everything; an agent reads only their own entries and statements
(and their team's performance)."""

from datetime import date
from decimal import Decimal
from typing import Any, cast

from django.db.models import Count, DecimalField, Exists, OuterRef, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.context import context_of
from api.excel import xlsx_download
from api.params import int_param, request_user
from api.permissions import HasAllowedRole, request_roles
from api.roles import ADMIN_FINANCE, AGENT, TENANT_STAFF
from api.serializers import RemovedSerializer
from api.views import ApiListView, ApiView
from commissions.engine import current_open_period
from commissions.exports import statement_pdf, statement_xlsx
from commissions.models import (
    Campaign,
    Entry,
    EntryKind,
    Line,
    Period,
    Plan,
    PromotionBearer,
    RateKind,
    Scheme,
    SettlementMode,
    SettlementRun,
    Statement,
)
from commissions.selectors import (
    entries_with_state,
    entry_state,
    income_summary,
    performance,
    rule_text,
    statement_status_by,
    team_ids,
)
from commissions.services import (
    adjustment_create,
    campaign_create,
    plan_put_in_force,
    plan_remove,
    plan_save,
    settlement_close,
    statement_pay,
)
from core.errors import NotFound, PermissionDenied
from directory.models import Insurer
from network.models import Distributor
from network.selectors import distributor_of


def _me(request: Request) -> Distributor:
    me = distributor_of(request_user(request))
    if me is None:
        raise PermissionDenied("您还不是本租户的代理人")
    return me


def _get(model: Any, pk: int, message: str) -> Any:
    row = model.objects.filter(pk=pk).first()
    if row is None:
        raise NotFound(message)
    return row


# ---- plans ------------------------------------------------------------------------------------


class RuleSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    line = serializers.ChoiceField(choices=Line.choices)
    insurer = serializers.SlugRelatedField(
        slug_field="code", queryset=Insurer.objects.all(), required=False, allow_null=True, help_text="PICC …"
    )
    tier = serializers.IntegerField(required=False, allow_null=True, source="tier_id")
    distance = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    referrer = serializers.BooleanField(
        default=False, help_text="级差方案：推荐车主（无职级）的累计比例，仅限商品、服务"
    )
    rate_kind = serializers.ChoiceField(choices=RateKind.choices, default=RateKind.PERCENT)
    rate = serializers.DecimalField(max_digits=7, decimal_places=4, required=False, allow_null=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    cap = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_to = serializers.DateField(required=False, allow_null=True)


class VolumeTierSerializer(serializers.Serializer):
    lines = serializers.ListField(
        child=serializers.ChoiceField(choices=Line.choices), help_text="计入通算并获得奖励的业务"
    )
    insurer_codes = serializers.ListField(
        child=serializers.CharField(max_length=12), required=False, default=list,
        help_text="只计这些保险公司的保险业务（空：全部）",
    )  # fmt: skip
    threshold = serializers.DecimalField(max_digits=14, decimal_places=2)
    rate = serializers.DecimalField(max_digits=7, decimal_places=4)


class PlanInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60, allow_blank=True)
    scheme = serializers.ChoiceField(choices=Scheme.choices)
    settlement_mode = serializers.ChoiceField(choices=SettlementMode.choices)
    promotion_bearer = serializers.ChoiceField(
        choices=PromotionBearer.choices, default=PromotionBearer.TENANT
    )
    promotion_shares = serializers.ListField(
        child=serializers.DecimalField(max_digits=5, decimal_places=2), required=False, default=list,
        help_text="按固定比例逐级分担：各级百分比，销售本人在前（50, 30, 20），合计 100",
    )  # fmt: skip
    rules = RuleSerializer(many=True)
    volume_tiers = VolumeTierSerializer(many=True, required=False, default=list)


class PlanListSerializer(serializers.ModelSerializer):
    scheme_label = serializers.CharField(source="get_scheme_display")
    settlement_mode_label = serializers.CharField(source="get_settlement_mode_display")
    promotion_bearer_label = serializers.CharField(source="get_promotion_bearer_display")
    rule_count = serializers.IntegerField(help_text="项目数")
    used = serializers.BooleanField(help_text="已产生佣金：只能归档，不能修改或删除")
    created_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "id", "name", "scheme", "scheme_label", "settlement_mode", "settlement_mode_label", "promotion_bearer",
            "promotion_bearer_label", "promotion_shares", "in_force", "status",
            "rule_count", "used", "created_at", "created_by_name", "updated_at",
        ]  # fmt: skip

    def get_created_by_name(self, obj: Plan) -> str:
        return (obj.created_by.name or obj.created_by.mobile) if obj.created_by else ""


class PlanDetailSerializer(PlanListSerializer):
    rules = RuleSerializer(many=True)
    volume_tiers = VolumeTierSerializer(many=True)

    class Meta(PlanListSerializer.Meta):
        fields = [*PlanListSerializer.Meta.fields, "rules", "volume_tiers"]


def _plans() -> Any:
    return Plan.objects.select_related("created_by").annotate(
        rule_count=Count("rules", distinct=True), used=Exists(Entry.objects.filter(plan=OuterRef("pk")))
    )


def _plan_detail(pk: int) -> dict[str, Any]:
    plan = _plans().prefetch_related("rules", "volume_tiers").filter(pk=pk).first()
    if plan is None:
        raise NotFound("方案不存在")
    return PlanDetailSerializer(plan).data


def _plan_args(data: dict[str, Any]) -> dict[str, Any]:
    rules = []
    for rule in data["rules"]:
        rule = dict(rule)
        insurer = rule.pop("insurer", None)
        rule["insurer"] = insurer.pk if insurer else None
        rule["tier"] = rule.pop("tier_id", None)
        rules.append(rule)
    return {**data, "rules": rules, "volume_tiers": [dict(t) for t in data.get("volume_tiers", [])]}


class PlanListCreateView(ApiListView):
    allowed_roles = ADMIN_FINANCE
    serializer_class = PlanListSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        return _plans()

    @extend_schema(
        request=PlanInputSerializer, responses={201: PlanDetailSerializer}, operation_id="plans_create"
    )
    def post(self, request: Request) -> Response:
        body = PlanInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plan = plan_save(actor=request_user(request), **_plan_args(body.validated_data))
        return Response(_plan_detail(plan.pk), status=status.HTTP_201_CREATED)


class PlanDetailView(ApiView):
    allowed_roles = ADMIN_FINANCE

    @extend_schema(responses=PlanDetailSerializer, operation_id="plans_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return Response(_plan_detail(pk))

    @extend_schema(request=PlanInputSerializer, responses=PlanDetailSerializer, operation_id="plans_update")
    def put(self, request: Request, pk: int) -> Response:
        plan = _get(Plan, pk, "方案不存在")
        body = PlanInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plan_save(actor=request_user(request), plan=plan, **_plan_args(body.validated_data))
        return Response(_plan_detail(pk))

    @extend_schema(responses={200: RemovedSerializer}, operation_id="plans_destroy")
    def delete(self, request: Request, pk: int) -> Response:
        outcome = plan_remove(actor=request_user(request), plan=_get(Plan, pk, "方案不存在"))
        return Response({"outcome": outcome})


class PlanInForceView(ApiView):
    allowed_roles = ADMIN_FINANCE

    @extend_schema(request=None, responses=PlanDetailSerializer, operation_id="plans_put_in_force")
    def post(self, request: Request, pk: int) -> Response:
        plan_put_in_force(actor=request_user(request), plan=_get(Plan, pk, "方案不存在"))
        return Response(_plan_detail(pk))


# ---- campaigns --------------------------------------------------------------------------------


class CampaignSerializer(serializers.ModelSerializer):
    lines = serializers.ListField(child=serializers.ChoiceField(choices=Line.choices))
    insurer_codes = serializers.ListField(child=serializers.CharField(max_length=12), required=False)
    regions = serializers.ListField(child=serializers.CharField(max_length=10), required=False)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "lines",
            "insurer_codes",
            "regions",
            "rate",
            "distance",
            "valid_from",
            "valid_to",
        ]
        extra_kwargs = {"name": {"allow_blank": True}}


class CampaignListCreateView(ApiListView):
    allowed_roles = ADMIN_FINANCE
    serializer_class = CampaignSerializer
    pagination_class = None
    queryset = Campaign.objects.all()

    @extend_schema(
        request=CampaignSerializer, responses={201: CampaignSerializer}, operation_id="campaigns_create"
    )
    def post(self, request: Request) -> Response:
        body = CampaignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        campaign = campaign_create(actor=request_user(request), **body.validated_data)
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)


# ---- periods and settlement -------------------------------------------------------------------


class RunSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = SettlementRun
        fields = [
            "id",
            "status",
            "status_label",
            "progress",
            "step",
            "statements",
            "error",
            "created_at",
            "finished_at",
        ]


class PeriodSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="__str__")  # type: ignore[assignment]
    status_label = serializers.CharField(source="get_status_display")
    entries = serializers.IntegerField(source="entry_count")
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    run = serializers.SerializerMethodField()

    class Meta:
        model = Period
        fields = [
            "id",
            "label",
            "year",
            "month",
            "status",
            "status_label",
            "entries",
            "total",
            "closed_at",
            "run",
        ]

    @extend_schema_field(RunSerializer(allow_null=True))
    def get_run(self, obj: Period) -> dict[str, Any] | None:
        run = getattr(obj, "run", None)
        return RunSerializer(run).data if run else None


class PeriodListView(ApiListView):
    """Months with entries (and the current one), newest first."""

    allowed_roles = ADMIN_FINANCE
    serializer_class = PeriodSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        current_open_period()
        return (
            Period.objects.select_related("run")
            .annotate(
                entry_count=Count("entries"),
                total=Coalesce(Sum("entries__amount"), Value(Decimal(0)), output_field=DecimalField()),
            )
            .order_by("-year", "-month")
        )


class PeriodCloseView(ApiView):
    """Start the month's settlement run (Celery); poll the run for progress."""

    allowed_roles = ADMIN_FINANCE

    @extend_schema(request=None, responses={202: RunSerializer}, operation_id="periods_close")
    def post(self, request: Request, pk: int) -> Response:
        run = settlement_close(actor=request_user(request), period=_get(Period, pk, "结算月份不存在"))
        return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class PeriodRunView(ApiView):
    allowed_roles = ADMIN_FINANCE

    @extend_schema(responses=RunSerializer, operation_id="periods_run")
    def get(self, request: Request, pk: int) -> Response:
        run = SettlementRun.objects.filter(period_id=pk).first()
        if run is None:
            raise NotFound("该月份尚未结算")
        return Response(RunSerializer(run).data)


# ---- entries and statements -------------------------------------------------------------------


class EntrySerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="period.__str__")
    kind_label = serializers.CharField(source="get_kind_display")
    line_label = serializers.SerializerMethodField()
    distributor_name = serializers.CharField(source="distributor.name")
    rule = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()
    reversal = serializers.BooleanField(source="reverses_id", read_only=True)

    class Meta:
        model = Entry
        fields = [
            "id", "period", "kind", "kind_label", "state", "distributor", "distributor_name", "source_type",
            "source_id", "source_number", "line", "line_label", "insurer_code", "level", "rule", "basis", "rate",
            "amount", "formula", "sale_at", "reversal", "reason", "created_at",
        ]  # fmt: skip

    def get_line_label(self, obj: Entry) -> str:
        return dict(Line.choices).get(obj.line, "")

    def get_rule(self, obj: Entry) -> str:
        if obj.campaign_id:
            return f"活动「{obj.campaign.name}」" if obj.campaign else ""
        return rule_text(obj.rule)

    @extend_schema_field(serializers.ChoiceField(choices=["pending", "confirmed", "settled"]))
    def get_state(self, obj: Entry) -> str:
        return entry_state(obj, self.context.get("statuses", {}))


class EntryPage(generics.ListAPIView):
    serializer_class = EntrySerializer

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = list(page if page is not None else self.get_queryset())
        data = EntrySerializer(rows, many=True, context={"statuses": statement_status_by(rows)}).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def filtered(self, rows: Any) -> Any:
        q = self.request.query_params
        if q.get("period"):
            year, _, month = q["period"].partition("-")
            if not (year.isdigit() and month.isdigit()):
                raise serializers.ValidationError({"period": ["月份格式应为 2026-10"]})
            rows = rows.filter(period__year=int(year), period__month=int(month))
        if q.get("kind"):
            if q["kind"] not in EntryKind.values:
                raise serializers.ValidationError({"kind": ["未知的类型"]})
            rows = rows.filter(kind=q["kind"])
        if q.get("source"):
            rows = rows.filter(source_number__icontains=q["source"].strip())
        return entries_with_state(rows).order_by("-sale_at", "-id")


ENTRY_PARAMS = [
    OpenApiParameter("period", str, description="2026-10"),
    OpenApiParameter("kind", str, enum=EntryKind.values),
    OpenApiParameter("source", str, description="保单号"),
]


@extend_schema_view(
    get=extend_schema(
        parameters=[*ENTRY_PARAMS, OpenApiParameter("distributor", int)], operation_id="entries_list"
    )
)
class EntryListView(EntryPage):
    permission_classes = [HasAllowedRole]
    allowed_roles = ADMIN_FINANCE

    def get_queryset(self) -> Any:
        rows = Entry.objects.all()
        if (distributor := int_param(self.request, "distributor")) is not None:
            rows = rows.filter(distributor_id=distributor)
        return self.filtered(rows)


@extend_schema_view(get=extend_schema(parameters=ENTRY_PARAMS, operation_id="my_income_entries"))
class MyEntryListView(EntryPage):
    """我的收入: each entry with its source, rule, basis, rate and arithmetic."""

    permission_classes = [HasAllowedRole]
    allowed_roles = AGENT

    def get_queryset(self) -> Any:
        return self.filtered(Entry.objects.filter(distributor=_me(self.request)))


class AdjustmentSerializer(serializers.Serializer):
    distributor = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    reason = serializers.CharField(max_length=200, allow_blank=True)


class AdjustmentView(ApiView):
    allowed_roles = ADMIN_FINANCE

    @extend_schema(
        request=AdjustmentSerializer, responses={201: EntrySerializer}, operation_id="adjustments_create"
    )
    def post(self, request: Request) -> Response:
        body = AdjustmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        distributor = Distributor.objects.filter(pk=body.validated_data["distributor"]).first()
        if distributor is None:
            raise serializers.ValidationError({"distributor": ["分销人员不存在"]})
        entry = adjustment_create(
            actor=request_user(request),
            distributor=distributor,
            amount=body.validated_data["amount"],
            reason=body.validated_data["reason"],
        )
        row = entries_with_state(Entry.objects.filter(pk=entry.pk)).get()
        return Response(EntrySerializer(row, context={"statuses": {}}).data, status=status.HTTP_201_CREATED)


class CounterpartySerializer(serializers.Serializer):
    distributor_id = serializers.IntegerField(allow_null=True, help_text="null: the company")
    name = serializers.CharField()
    receive = serializers.DecimalField(max_digits=14, decimal_places=2)
    pay = serializers.DecimalField(max_digits=14, decimal_places=2)


class StatementSerializer(serializers.ModelSerializer):
    totals = serializers.DictField(child=serializers.DecimalField(max_digits=14, decimal_places=2))
    counterparties = CounterpartySerializer(many=True)
    period = serializers.CharField(source="period.__str__")
    period_status = serializers.CharField(source="period.status")
    distributor_name = serializers.CharField(source="distributor.name")
    distributor_mobile = serializers.CharField(source="distributor.mobile")
    tier = serializers.CharField(source="distributor.tier.name", default="")
    settlement_mode_label = serializers.CharField(source="get_settlement_mode_display")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Statement
        fields = [
            "id", "period", "period_status", "distributor", "distributor_name", "distributor_mobile", "tier",
            "settlement_mode", "settlement_mode_label", "totals", "earned", "receivable", "payable",
            "counterparties", "status", "status_label", "paid_at",
        ]  # fmt: skip


def _statements() -> Any:
    return Statement.objects.select_related("period", "distributor__tier")


class StatementListView(ApiListView):
    allowed_roles = ADMIN_FINANCE
    serializer_class = StatementSerializer

    @extend_schema(parameters=[OpenApiParameter("period", int, description="结算月份 id")])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        rows = _statements().order_by("-period__year", "-period__month", "-earned", "id")
        if (period := int_param(self.request, "period")) is not None:
            rows = rows.filter(period_id=period)
        return rows


def _statement_for(request: Request, pk: int) -> Statement:
    rows = _statements()
    if not request_roles(request) & ADMIN_FINANCE:
        rows = rows.filter(distributor=_me(request))
    statement = rows.filter(pk=pk).first()
    if statement is None:
        raise NotFound("对账单不存在")
    return cast(Statement, statement)


def _statement_entries(statement: Statement) -> list[Entry]:
    rows = Entry.objects.filter(period=statement.period, distributor=statement.distributor)
    return list(entries_with_state(rows).order_by("sale_at", "id"))


class StatementDetailSerializer(StatementSerializer):
    entries = EntrySerializer(many=True)

    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields, "entries"]


class StatementDetailView(ApiView):
    """A statement with its lines: finance sees any, an agent their own."""

    allowed_roles = TENANT_STAFF

    @extend_schema(responses=StatementDetailSerializer, operation_id="statements_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        statement = _statement_for(request, pk)
        entries = _statement_entries(statement)
        data = StatementSerializer(statement).data
        data["entries"] = EntrySerializer(
            entries,
            many=True,
            context={"statuses": {(statement.period_id, statement.distributor_id): statement.status}},
        ).data
        return Response(data)


class StatementPayView(ApiView):
    allowed_roles = ADMIN_FINANCE

    @extend_schema(request=None, responses=StatementSerializer, operation_id="statements_pay")
    def post(self, request: Request, pk: int) -> Response:
        statement = statement_pay(actor=request_user(request), statement=_statement_for(request, pk))
        return Response(StatementSerializer(_statement_for(request, statement.pk)).data)


class StatementExportView(ApiView):
    allowed_roles = TENANT_STAFF

    @extend_schema(
        parameters=[
            OpenApiParameter("file", str, enum=["xlsx", "pdf"], description="DRF keeps ?format= for itself")
        ],
        responses={(200, "application/pdf"): bytes, (200, "application/octet-stream"): bytes},
        operation_id="statements_export",
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        statement = _statement_for(request, pk)
        kind = request.query_params.get("file", "xlsx")
        entries = _statement_entries(statement)
        name = f"statement-{statement.period}-{statement.distributor_id}"
        if kind == "pdf":
            tenant = context_of(request).tenant
            body = statement_pdf(statement, entries, tenant_name=getattr(tenant, "name", ""))
            response = HttpResponse(body, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
            return response
        if kind != "xlsx":
            raise serializers.ValidationError({"file": ["应为 xlsx 或 pdf"]})
        return xlsx_download(statement_xlsx(statement, entries), f"{name}.xlsx")


# ---- an agent's own view ----------------------------------------------------------------------


class IncomeMonthSerializer(serializers.Serializer):
    period = serializers.CharField()
    period_status = serializers.CharField()
    totals = serializers.DictField(child=serializers.DecimalField(max_digits=14, decimal_places=2))
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    count = serializers.IntegerField()
    statement_id = serializers.IntegerField(allow_null=True)
    statement_status = serializers.CharField(allow_null=True)


class IncomeSummarySerializer(serializers.Serializer):
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    pending = serializers.DecimalField(max_digits=14, decimal_places=2)
    settled = serializers.DecimalField(max_digits=14, decimal_places=2)
    months = IncomeMonthSerializer(many=True)


class MyIncomeView(ApiView):
    allowed_roles = AGENT

    @extend_schema(responses=IncomeSummarySerializer, operation_id="my_income_summary")
    def get(self, request: Request) -> Response:
        months = income_summary(distributor_id=_me(request).pk)
        rows = [
            {**m, "period": str(m["period"]), "period_status": m["period"].status} for m in months
        ]  # fmt: skip
        total = sum((m["total"] for m in months), Decimal(0))
        settled = sum((m["total"] for m in months if m["statement_status"] == "paid"), Decimal(0))
        pending = sum((m["total"] for m in months if m["period"].status != "closed"), Decimal(0))
        return Response(
            IncomeSummarySerializer(
                {"total": total, "pending": pending, "settled": settled, "months": rows}
            ).data
        )


class PerformanceRowSerializer(serializers.Serializer):
    distributor_id = serializers.IntegerField()
    name = serializers.CharField()
    month = serializers.CharField()
    policies = serializers.IntegerField()
    premium = serializers.DecimalField(max_digits=14, decimal_places=2)
    commission = serializers.DecimalField(max_digits=14, decimal_places=2)


def _month_param(request: Request, name: str, default: date) -> date:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return default
    year, _, month = raw.partition("-")
    if not (year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
        raise serializers.ValidationError({name: ["月份格式应为 2026-10"]})
    return date(int(year), int(month), 1)


class PerformanceView(ApiView):
    """业绩查询: per seller and month. Agents see themselves and their team; finance everyone."""

    allowed_roles = TENANT_STAFF

    @extend_schema(
        parameters=[OpenApiParameter("from", str, description="2026-01"), OpenApiParameter("to", str)],
        responses=PerformanceRowSerializer(many=True),
        operation_id="performance_list",
    )
    def get(self, request: Request) -> Response:
        today = timezone.localdate()
        start = _month_param(request, "from", date(today.year, 1, 1))
        last = _month_param(request, "to", date(today.year, today.month, 1))
        end = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
        ids = None if request_roles(request) & ADMIN_FINANCE else team_ids(_me(request).pk)
        return Response(
            PerformanceRowSerializer(performance(distributor_ids=ids, start=start, end=end), many=True).data
        )
