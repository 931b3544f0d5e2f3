"""The platform's shop directory."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from accounts.models import Role, User
from accounts.services import membership_grant, user_create
from core.errors import FieldErrors
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


def _staff_add(
    *, employer: Shop | Insurer, mobile: str, name: str, password: str | None, elsewhere: str
) -> tuple[User, str]:
    """A person who works for ``employer`` (a shop or an insurer), found by mobile or created; one
    person works for one employer of a kind. Returns the person and the normalised mobile."""
    staff_model: Any = ShopStaff if isinstance(employer, Shop) else InsurerStaff
    field = "shop" if isinstance(employer, Shop) else "insurer"
    role = Role.SHOP_STAFF if isinstance(employer, Shop) else Role.INSURER_STAFF
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
    existing = staff_model.objects.filter(user=user).first()
    if existing is not None and getattr(existing, f"{field}_id") != employer.pk:
        errors.add("mobile", elsewhere)
        errors.raise_if_any()
    staff_model.objects.get_or_create(user=user, defaults={field: employer})
    membership_grant(user=user, role=role, tenant_id=None)
    return user, mobile


@transaction.atomic
def shop_staff_add(
    *, actor: User | None, shop: Shop, mobile: str, name: str, password: str | None = None
) -> User:
    """A person who works at ``shop``, with the shop_staff role."""
    user, _ = _staff_add(
        employer=shop, mobile=mobile, name=name, password=password, elsewhere="此手机号已是其他门店的员工"
    )
    return user


@transaction.atomic
def insurer_staff_add(
    *, actor: User | None, insurer: Insurer, mobile: str, name: str, password: str | None = None
) -> User:
    """A person who works for ``insurer`` (claims, policy push), with the insurer_staff role."""
    user, mobile = _staff_add(employer=insurer, mobile=mobile, name=name, password=password,
                              elsewhere="此手机号已是其他保险公司的员工")  # fmt: skip
    audit_event_record(actor=actor, action="insurer.staff_add", summary=f"{insurer.short_name} 员工 {mobile}",
                       object_type="insurer", object_id=insurer.pk)  # fmt: skip
    return user
