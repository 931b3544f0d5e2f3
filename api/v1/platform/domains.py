"""自定义域名 on the tenant's host: its admins add a domain, see the DNS records to create, ask for
a check, make a verified one primary, remove one."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.context import context_of
from api.params import request_user
from api.roles import TENANT_ADMIN
from api.views import ApiView
from tenants.domains import dns_records_for, domain_add, domain_make_primary, domain_remove, domain_verify
from tenants.models import Domain
from tenants.selectors import domains_for_tenant


class DnsRecordSerializer(serializers.Serializer):
    type = serializers.CharField()
    name = serializers.CharField()
    value = serializers.CharField()


class TenantDomainSerializer(serializers.ModelSerializer):
    verified = serializers.SerializerMethodField()
    dns_records = serializers.SerializerMethodField()

    class Meta:
        model = Domain
        fields = [
            "id",
            "domain",
            "is_primary",
            "verified",
            "verified_at",
            "last_checked_at",
            "last_check_error",
            "created_at",
            "dns_records",
        ]

    def get_verified(self, domain: Domain) -> bool:
        return domain.verified_at is not None

    @extend_schema_field(DnsRecordSerializer(many=True))
    def get_dns_records(self, domain: Domain) -> list[dict[str, str]]:
        return dns_records_for(domain) if domain.verification_token else []


class DomainAddSerializer(serializers.Serializer):
    domain = serializers.CharField(max_length=300, allow_blank=True)


class DomainsPageView(ApiView):
    allowed_roles = TENANT_ADMIN

    def tenant_id(self, request: Request) -> int:
        return int(context_of(request).tenant.pk)


class DomainListCreateView(DomainsPageView):
    @extend_schema(responses=TenantDomainSerializer(many=True), operation_id="domains_list")
    def get(self, request: Request) -> Response:
        domains = domains_for_tenant(tenant_id=self.tenant_id(request))
        return Response(TenantDomainSerializer(domains, many=True).data)

    @extend_schema(
        request=DomainAddSerializer, responses={201: TenantDomainSerializer}, operation_id="domains_create"
    )
    def post(self, request: Request) -> Response:
        body = DomainAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        domain = domain_add(
            actor=request_user(request),
            tenant=context_of(request).tenant,
            hostname=body.validated_data["domain"],
        )
        return Response(TenantDomainSerializer(domain).data, status=status.HTTP_201_CREATED)


class DomainDetailView(DomainsPageView):
    @extend_schema(responses={204: None}, operation_id="domains_delete")
    def delete(self, request: Request, pk: int) -> Response:
        domain_remove(actor=request_user(request), tenant=context_of(request).tenant, domain_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DomainVerifyView(DomainsPageView):
    @extend_schema(request=None, responses=TenantDomainSerializer, operation_id="domains_verify")
    def post(self, request: Request, pk: int) -> Response:
        domain = domain_verify(actor=request_user(request), tenant=context_of(request).tenant, domain_id=pk)
        return Response(TenantDomainSerializer(domain).data)


class DomainPrimaryView(DomainsPageView):
    @extend_schema(request=None, responses=TenantDomainSerializer, operation_id="domains_make_primary")
    def post(self, request: Request, pk: int) -> Response:
        domain = domain_make_primary(
            actor=request_user(request),
            tenant=context_of(request).tenant,
            domain_id=pk,
        )
        return Response(TenantDomainSerializer(domain).data)
