"""The platform's shop directory."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from accounts.models import Role, User
from accounts.services import membership_grant, user_create
from core.errors import FieldErrors, PermissionDenied
from core.services import audit_event_record
from core.validators import normalize_mobile, normalize_uscc, validate_mobile, validate_uscc
from directory.models import Insurer, InsurerStaff, Shop, ShopStaff


@transaction.atomic
def shop_create(
    *,
    actor: User | None,
    name: str,
    uscc: str,
    address: str = "",
    phone: str = "",
    services: list[str] | None = None,
    hours: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Shop:
    errors = FieldErrors()
    if not (name or "").strip():
        errors.add("name", "请填写门店名称")
    uscc = normalize_uscc(uscc)
    try:
        validate_uscc(uscc)
    except DjangoValidationError as exc:
        errors.add("uscc", exc.messages[0])
    else:
        if Shop.objects.filter(uscc=uscc).exists():
            errors.add("uscc", "该统一社会信用代码已登记")
    if latitude is not None and not Decimal(-90) <= latitude <= Decimal(90):
        errors.add("latitude", "纬度应在 -90 到 90 之间")
    if longitude is not None and not Decimal(-180) <= longitude <= Decimal(180):
        errors.add("longitude", "经度应在 -180 到 180 之间")
    errors.raise_if_any()
    shop = Shop.objects.create(
        name=name.strip(), uscc=uscc, address=address.strip(), phone=phone.strip(), services=list(services or []),
        hours=hours.strip(), latitude=latitude, longitude=longitude,
    )  # fmt: skip
    audit_event_record(actor=actor, action="shop.create", summary=f"门店 {shop.name}", object_type="shop",
                       object_id=shop.pk)  # fmt: skip
    return shop


@transaction.atomic
def shop_staff_add(
    *, actor: User | None, shop: Shop, mobile: str, name: str, password: str | None = None
) -> User:
    """A person who works at ``shop``: found by mobile or created, with the shop_staff role."""
    errors = FieldErrors()
    mobile = normalize_mobile(mobile)
    try:
        validate_mobile(mobile)
    except DjangoValidationError as exc:
        errors.add("mobile", exc.messages[0])
    errors.raise_if_any()
    user = User.objects.filter(mobile=mobile).first() or user_create(
        mobile=mobile, name=name, password=password
    )
    existing: Any = ShopStaff.objects.filter(user=user).first()
    if existing is not None and existing.shop_id != shop.pk:
        errors.add("mobile", "此手机号已是其他门店的员工")
        errors.raise_if_any()
    ShopStaff.objects.get_or_create(user=user, defaults={"shop": shop})
    membership_grant(user=user, role=Role.SHOP_STAFF, tenant_id=None)
    return user


@transaction.atomic
def insurer_staff_add(
    *, actor: User | None, insurer: Insurer, mobile: str, name: str, password: str | None = None
) -> User:
    """A person who works for ``insurer``: found by mobile or created, with the insurer_staff role."""
    errors = FieldErrors()
    mobile = normalize_mobile(mobile)
    try:
        validate_mobile(mobile)
    except DjangoValidationError as exc:
        errors.add("mobile", exc.messages[0])
    errors.raise_if_any()
    user = User.objects.filter(mobile=mobile).first() or user_create(
        mobile=mobile, name=name, password=password
    )
    existing: Any = InsurerStaff.objects.filter(user=user).first()
    if existing is not None and existing.insurer_id != insurer.pk:
        errors.add("mobile", "此手机号已是其他保险公司的员工")
        errors.raise_if_any()
    InsurerStaff.objects.get_or_create(user=user, defaults={"insurer": insurer})
    membership_grant(user=user, role=Role.INSURER_STAFF, tenant_id=None)
    audit_event_record(actor=actor, action="insurer.staff_add", summary=f"{insurer.short_name} 员工 {mobile}",
                       object_type="insurer", object_id=insurer.pk)  # fmt: skip
    return user


def insurer_of(user: User) -> Insurer:
    staff = InsurerStaff.objects.select_related("insurer").filter(user=user).first()
    if staff is None:
        raise PermissionDenied("您不是任何保险公司的员工")
    return staff.insurer
