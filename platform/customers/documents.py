"""证件照片 attached to a customer: the 行驶证 or 身份证 photo a user read with 拍照识别 and chose to keep.

Nothing is kept by reading a photo (``ocr.services``); this is the one way a document photo is
stored: checked like every image upload (format by its bytes, pixel cap before decoding, 8 MB),
counted against the plan's storage, saved in the tenant's storage under
``tenants/<schema>/documents/`` with a random name, and listed by a ``Document`` row (so the tenant
export lists it). The public media route never serves that folder (``catalog`` refuses it); the
file goes out through the API only, to those who may see the customer, as a download."""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse

from accounts.models import User
from core.errors import ValidationFailed
from core.limits import storage_limit_check
from core.services import audit_event_record
from core.tenancy import current_schema_name
from core.uploads import IMAGES, checked_image, media_response
from customers.models import Customer, Document, DocumentKind, Vehicle

MAX_DOCUMENT_BYTES = 8 * 1024 * 1024
DOCUMENT_FORMATS = {"jpeg", "png", "webp"}
DOCUMENTS_FOLDER = "documents"


def document_attach(
    *, actor: User, customer: Customer, kind: str, content: bytes, vehicle_id: int | None = None
) -> Document:
    if kind not in DocumentKind.values:
        raise ValidationFailed(
            fields={"kind": ["证件类型应为 vehicle_licence（行驶证）或 id_card（身份证）"]}
        )
    vehicle = None
    if vehicle_id is not None:
        vehicle = Vehicle.objects.filter(pk=vehicle_id, customer=customer).first()
        if vehicle is None:
            raise ValidationFailed(fields={"vehicle": ["该车辆不属于此客户"]})
    if not content:
        raise ValidationFailed(fields={"image": ["请选择证件照片"]})
    if len(content) > MAX_DOCUMENT_BYTES:
        raise ValidationFailed(fields={"image": ["图片不能超过 8 MB"]})
    fmt, _ = checked_image(field="image", content=content, formats=DOCUMENT_FORMATS)
    schema = current_schema_name()
    storage_limit_check(schema_name=schema, adding_bytes=len(content))
    name = default_storage.save(
        f"tenants/{schema}/{DOCUMENTS_FOLDER}/{uuid.uuid4().hex}{IMAGES[fmt].extensions[0]}",
        ContentFile(content),
    )
    try:
        with transaction.atomic():
            document = Document.objects.create(
                customer=customer,
                vehicle=vehicle,
                kind=kind,
                file=name,
                content_type=IMAGES[fmt].content_type,
                size_bytes=len(content),
                uploaded_by=actor,
            )
            audit_event_record(
                actor=actor,
                action="customer.document_attached",
                summary=f"客户 {customer.name} 附加了{document.get_kind_display()}照片",
                object_type="customer",
                object_id=customer.pk,
                data={"document_id": document.pk, "kind": kind},
            )
    except BaseException:
        default_storage.delete(name)
        raise
    return document


def document_response(document: Document) -> FileResponse:
    """The photo as a download (never inline), with the type its bytes say, nosniff and a sandbox."""
    response = media_response(document.file, as_download=True)
    response["Cache-Control"] = "private, no-store"
    return response
