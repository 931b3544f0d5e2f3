"""Shops in the platform's directory; a tenant partners with a shop; the shop's staff, on the
platform host, redeem that tenant's gift packs exactly once — and nobody else's."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.services import auth_token_issue
from catalog.models import IssuedPack, Redemption
from catalog.services import pack_issue, pack_save, product_save
from core.validators import uscc_check_char
from customers.services import customer_create
from directory.models import Shop
from directory.services import shop_staff_add

pytestmark = pytest.mark.django_db
USCC17 = "91440300MA5F1234X"


def uscc(first17: str = USCC17) -> str:
    return first17 + uscc_check_char(first17)


@pytest.fixture
def shop_client(api):
    """福田门店 in the directory (created by the platform admin) with one member of staff."""
    platform = api("platform_admin")
    made = platform.post("/api/v1/platform/shops/", {"name": "福田门店", "uscc": uscc(), "address": "深圳福田",
                         "services": ["保养", "洗车"], "latitude": "22.540000", "longitude": "114.050000"}, format="json")  # fmt: skip
    assert made.status_code == 201, made.json()
    shop = Shop.objects.get(pk=made.json()["id"])
    staff = shop_staff_add(actor=None, shop=shop, mobile="13655599001", name="门店小王")
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {auth_token_issue(user=staff, tenant_id=None).token}")
    return shop, client


def issue_code(schema: str, mobile: str) -> str:
    with schema_context(schema):
        oil = product_save(actor=None, name="门店机油", kind="goods", market_price=Decimal("210"),
                           actual_price=Decimal("100"), stock=5)  # fmt: skip
        pack = pack_save(actor=None, name="门店礼包", expires_on=timezone.localdate() + timedelta(days=5),
                         redeem_mode="whole", items=[{"product": oil.pk, "quantity": 1}])  # fmt: skip
        return pack_issue(
            actor=None, pack=pack, customer=customer_create(actor=None, name="到店客户", mobile=mobile)
        ).code


def test_the_shop_directory_checks_the_credit_code(api):
    platform = api("platform_admin")
    bad = platform.post("/api/v1/platform/shops/", {"name": "坏码门店", "uscc": USCC17 + "0"}, format="json")
    wrong = uscc()[:-1] + ("0" if uscc()[-1] != "0" else "1")
    assert (
        platform.post("/api/v1/platform/shops/", {"name": "x", "uscc": wrong}, format="json").status_code
        == 400
    )
    assert bad.status_code == 400 and "uscc" in bad.json()["fields"]
    assert api("datang_admin").get("/api/v1/platform/shops/").status_code in (401, 403, 404)


def test_a_partner_shop_redeems_the_tenants_pack_once(api, shop_client):
    shop, staff = shop_client
    code = issue_code("datang", "13912349201")
    refused = staff.post("/api/v1/shop/gift-packs/redeem/", {"code": code}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "not_partner"
    admin = api("datang_admin")
    listed = admin.get("/api/v1/shops/").json()
    assert [(s["name"], s["partner"]) for s in listed] == [("福田门店", False)]
    assert admin.post("/api/v1/partner-shops/", {"shop": shop.pk}, format="json").status_code == 201
    assert staff.get("/api/v1/shop/gift-packs/lookup/", {"code": code}).json()["customer_name"] == "到店客户"
    done = staff.post("/api/v1/shop/gift-packs/redeem/", {"code": code}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "redeemed"
    again = staff.post("/api/v1/shop/gift-packs/redeem/", {"code": code}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_redeemed"
    with schema_context("datang"):
        assert Redemption.objects.get(issued__code=code).place == "福田门店"
    # Bowei does not partner with the shop: its codes are refused by name, and stay unredeemed.
    bowei_code = issue_code("bowei", "13912349202")
    other = staff.post("/api/v1/shop/gift-packs/redeem/", {"code": bowei_code}, format="json")
    assert other.status_code == 400 and "博维" in other.json()["message"]
    with schema_context("bowei"):
        assert IssuedPack.objects.get(code=bowei_code).status == "issued"
    assert (
        staff.post(
            "/api/v1/shop/gift-packs/redeem/", {"code": "NOSUCH-ABCDEFGHJK"}, format="json"
        ).status_code
        == 404
    )
    # Only shop staff use the counter; a tenant's admin token is for its own host.
    assert (
        api("platform_admin")
        .post("/api/v1/shop/gift-packs/redeem/", {"code": code}, format="json")
        .status_code
        == 403
    )
    assert api(None).get("/api/v1/shop/me/").status_code == 401
    assert staff.get("/api/v1/shop/me/").json()["name"] == "福田门店"
