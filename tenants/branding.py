"""Branding writes: the tenant admin on its own host, or the platform admin for any tenant.

Uploaded logos and favicons are checked to be images (Pillow) and kept under the tenant's own
media folder (``tenants/<schema>/branding/``), served only on that tenant's hosts like product
images (``api.v1.catalog.views.tenant_media``).
"""

import uuid
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image

from accounts.models import User
from core.errors import FieldErrors, ValidationFailed
from core.limits import storage_limit_check
from core.services import audit_event_record
from core.uploads import checked_image
from core.validators import validate_hex_color
from tenants.models import Branding, Tenant
from tenants.selectors import branding_for_tenant

LOGO_MAX_BYTES = 2 * 1024 * 1024
FAVICON_MAX_BYTES = 256 * 1024
LOGO_FORMATS = {"png", "jpeg", "webp", "gif"}
FAVICON_FORMATS = {"png", "ico", "gif"}
FAVICON_MAX_SIDE = 512
TEXT_LIMITS = {"display_name": 60, "short_name": 20, "slogan": 120, "h5_title": 60}
EDITABLE = ("display_name", "short_name", "slogan", "primary_color", "secondary_color", "h5_title")


def _branding_row(tenant: Tenant) -> Branding:
    branding = Branding.objects.select_for_update().filter(tenant_id=tenant.pk).first()
    if branding is None:
        defaults = branding_for_tenant(tenant=tenant)
        branding = Branding(tenant=tenant, display_name=defaults.display_name, short_name=defaults.short_name)
    return branding


@transaction.atomic
def branding_update(*, actor: User | None, tenant: Tenant, changes: dict[str, Any]) -> Branding:
    """Change the named fields; every bad one is reported at once (400 naming the field)."""
    errors = FieldErrors()
    clean: dict[str, str] = {}
    for field in EDITABLE:
        if field not in changes:
            continue
        value = str(changes[field] or "").strip()
        if field in ("primary_color", "secondary_color"):
            try:
                validate_hex_color(value)
            except DjangoValidationError as exc:
                errors.add(field, exc.messages[0])
                continue
            value = value.upper()
        elif len(value) > TEXT_LIMITS[field]:
            errors.add(field, f"不能超过 {TEXT_LIMITS[field]} 个字")
            continue
        if field == "display_name" and not value:
            errors.add(field, "请填写显示名称")
            continue
        clean[field] = value
    errors.raise_if_any("品牌设置有误")
    branding = _branding_row(tenant)
    for field, value in clean.items():
        setattr(branding, field, value)
    branding.save()
    audit_event_record(actor=actor, action="branding.update", summary=f"修改品牌设置：{'、'.join(clean) or '无变化'}",
                       object_type="tenant", object_id=tenant.pk, data=clean)  # fmt: skip
    return branding


def _checked_image(
    *, field: str, content: bytes, max_bytes: int, formats: set[str]
) -> tuple[str, Image.Image]:
    if not content:
        raise ValidationFailed(fields={field: ["请选择图片文件"]})
    if len(content) > max_bytes:
        raise ValidationFailed(fields={field: [f"图片不能超过 {max_bytes // 1024} KB"]})
    return checked_image(field=field, content=content, formats=formats)


@transaction.atomic
def branding_image_set(*, actor: User | None, tenant: Tenant, kind: str, content: bytes) -> Branding:
    """``kind`` is ``logo`` or ``favicon``; the URL served on the tenant's hosts is stored."""
    if kind == "logo":
        fmt, _ = _checked_image(field="logo", content=content, max_bytes=LOGO_MAX_BYTES, formats=LOGO_FORMATS)
    elif kind == "favicon":
        fmt, image = _checked_image(
            field="favicon", content=content, max_bytes=FAVICON_MAX_BYTES, formats=FAVICON_FORMATS
        )
        if max(image.size) > FAVICON_MAX_SIDE:
            raise ValidationFailed(fields={"favicon": [f"图标边长不能超过 {FAVICON_MAX_SIDE} 像素"]})
    else:
        raise ValidationFailed(fields={"kind": ["应为 logo 或 favicon"]})
    storage_limit_check(schema_name=tenant.schema_name, adding_bytes=len(content))
    ext = "jpg" if fmt == "jpeg" else fmt
    name = default_storage.save(
        f"tenants/{tenant.schema_name}/branding/{kind}-{uuid.uuid4().hex}.{ext}", ContentFile(content)
    )
    url = f"/media/{name}"
    branding = _branding_row(tenant)
    if kind == "logo":
        branding.logo_url = url
    else:
        branding.favicon_url = url
    branding.save()
    audit_event_record(actor=actor, action=f"branding.{kind}", summary=f"上传{'标志' if kind == 'logo' else '网站图标'}",
                       object_type="tenant", object_id=tenant.pk, data={"url": url})  # fmt: skip
    return branding
