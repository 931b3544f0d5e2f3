"""Shops for the booking and inventory tests, made the way the platform makes them (services), and
clients for their staff on the platform host."""

from decimal import Decimal

from rest_framework.test import APIClient

from accounts.services import auth_token_issue
from core.validators import uscc_check_char
from directory.models import Shop
from directory.services import shop_create, shop_staff_add


def uscc(seq: int) -> str:
    first17 = f"9143010{seq:04d}MA4L01"  # 长沙 (4301), a different credit code per shop
    return first17 + uscc_check_char(first17)


def shop_make(
    seq: int,
    name: str,
    *,
    latitude: str | None = None,
    longitude: str | None = None,
    services: list[str] | None = None,
    owner_tenant_id: int | None = None,
) -> Shop:
    shop = shop_create(
        actor=None, name=name, uscc=uscc(seq), address=f"长沙 {name}", phone="0731-88880000",
        services=services if services is not None else ["保养", "洗车"], hours="08:30-18:00",
        latitude=Decimal(latitude) if latitude else None, longitude=Decimal(longitude) if longitude else None,
    )  # fmt: skip
    if owner_tenant_id:
        Shop.objects.filter(pk=shop.pk).update(owner_tenant_id=owner_tenant_id)
        shop.refresh_from_db()
    return shop


def staff_client(shop: Shop, mobile: str) -> APIClient:
    """A client on the platform host logged in as a member of ``shop``'s staff."""
    staff = shop_staff_add(actor=None, shop=shop, mobile=mobile, name="门店员工")
    client = APIClient()
    client.defaults["HTTP_HOST"] = "localhost"
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {auth_token_issue(user=staff, tenant_id=None).token}")
    return client
