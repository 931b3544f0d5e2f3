"""证件照片 attached to a customer (a 行驶证 or 身份证 photo read with 拍照识别 that the user chose to keep):
staff attach and list them on a customer they may see, the owner on their own record; the file is a
download on the tenant's host only, for the same people (customers.documents)."""

from typing import Any

from django.http import FileResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api.params import request_user
from api.parsers import InMemoryImageUpload
from api.permissions import request_roles
from api.roles import OWNER
from api.views import ApiView
from core.errors import NotFound, PermissionDenied, ValidationFailed
from customers.documents import document_attach, document_response
from customers.models import Customer, Document, DocumentKind
from customers.selectors import customers_visible
from customers.services import customer_for_owner

STAFF_READERS = frozenset({"tenant_admin", "finance", "agent"})
STAFF_WRITERS = {"tenant_admin", "agent"}


class DocumentSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["id", "customer", "vehicle", "kind", "kind_label", "content_type", "size_bytes", "created_at", "file_url"]  # fmt: skip

    def get_file_url(self, document: Document) -> str:
        return f"/api/v1/documents/{document.pk}/file/"


class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    image = serializers.FileField(help_text="证件照片：JPEG、PNG 或 WebP，不超过 8 MB")
    vehicle = serializers.IntegerField(required=False, allow_null=True, help_text="该客户的车辆（行驶证）")


class _Upload(ApiView):
    """Multipart in memory only, stopped at 8 MB (as 拍照识别's uploads)."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if request.method == "POST":
            request._request.upload_handlers = [InMemoryImageUpload(request._request)]
        super().initial(request, *args, **kwargs)

    def attach(self, request: Request, customer: Customer) -> Response:
        body = DocumentUploadSerializer(data=request.data)
        if any(getattr(h, "too_large", False) for h in request._request.upload_handlers):
            raise ValidationFailed(fields={"image": ["图片不能超过 8 MB"]})
        body.is_valid(raise_exception=True)
        document = document_attach(
            actor=request_user(request),
            customer=customer,
            kind=body.validated_data["kind"],
            content=body.validated_data["image"].read(),
            vehicle_id=body.validated_data.get("vehicle"),
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


def _staff_customer(request: Request, pk: int) -> Customer:
    customer = (
        customers_visible(user=request_user(request), roles=request_roles(request)).filter(pk=pk).first()
    )
    if customer is None:
        raise NotFound("客户不存在")
    return customer


class CustomerDocumentsView(_Upload):
    allowed_roles = STAFF_READERS
    parser_classes = [MultiPartParser]

    @extend_schema(responses=DocumentSerializer(many=True), operation_id="customer_documents_list")
    def get(self, request: Request, pk: int) -> Response:
        customer = _staff_customer(request, pk)
        return Response(DocumentSerializer(customer.documents.all(), many=True).data)

    @extend_schema(
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer},
        operation_id="customer_documents_attach",
    )
    def post(self, request: Request, pk: int) -> Response:
        if not request_roles(request) & STAFF_WRITERS:
            raise PermissionDenied("当前角色只能查看客户")
        return self.attach(request, _staff_customer(request, pk))


class OwnerDocumentsView(_Upload):
    allowed_roles = OWNER
    parser_classes = [MultiPartParser]

    @extend_schema(responses=DocumentSerializer(many=True), operation_id="my_documents_list")
    def get(self, request: Request) -> Response:
        customer = customer_for_owner(user=request_user(request))
        rows = customer.documents.all() if customer else Document.objects.none()
        return Response(DocumentSerializer(rows, many=True).data)

    @extend_schema(
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer},
        operation_id="my_documents_attach",
    )
    def post(self, request: Request) -> Response:
        customer = customer_for_owner(user=request_user(request), create=True)
        assert customer is not None
        return self.attach(request, customer)


class DocumentFileView(ApiView):
    """The photo as a download, for staff who may see its customer and for that customer's owner."""

    allowed_roles = STAFF_READERS | {"owner"}

    @extend_schema(
        responses={(200, "image/*"): OpenApiResponse(description="证件照片（下载）")},
        operation_id="document_file",
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        user, roles = request_user(request), request_roles(request)
        visible = Customer.objects.none()
        if roles & STAFF_READERS:
            visible = customers_visible(user=user, roles=roles)
        own = customer_for_owner(user=user) if "owner" in roles else None
        document = Document.objects.filter(pk=pk).select_related("customer").first()
        if document is None or not (
            visible.filter(pk=document.customer_id).exists()
            or (own is not None and own.pk == document.customer_id)
        ):
            raise NotFound("证件照片不存在")
        return document_response(document)
