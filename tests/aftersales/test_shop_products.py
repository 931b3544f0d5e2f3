"""A shop lists its own products; owners of a partner tenant see them on the shop's page; nobody
else edits them, and a tenant that doesn't work with the shop doesn't see them."""

import pytest

from aftersales.models import ShopProduct

pytestmark = pytest.mark.django_db

PACKAGE = {"kind": "service", "name": "小保养套餐（机油+机滤+工时）", "market_price": "458.00", "price": "299.00",
           "description": "含 4 升全合成机油", "image_url": "https://img.example.com/pkg.jpg"}  # fmt: skip


def test_a_shop_lists_its_products_and_partner_owners_see_them(api, garage, shop_api):
    shop = shop_api()
    made = shop.post("/api/v1/shop/products/", PACKAGE, format="json")
    assert made.status_code == 201, made.json()
    assert (made.json()["price"], made.json()["active"]) == ("299.00", True)
    hidden = shop.post("/api/v1/shop/products/", {**PACKAGE, "name": "下架的洗车", "price": "20", "market_price": "30",
                                                  "active": False}, format="json")  # fmt: skip
    assert hidden.status_code == 201
    seen = api("datang_owner").get(f"/api/v1/service-shops/{garage.shop.pk}/products/")
    assert seen.status_code == 200 and [p["name"] for p in seen.json()] == ["小保养套餐（机油+机滤+工时）"]
    assert api("bowei_admin").get(f"/api/v1/service-shops/{garage.shop.pk}/products/").status_code == 404
    assert (
        api("datang_owner").get(f"/api/v1/service-shops/{garage.other_shop.pk}/products/").status_code == 404
    )
    assert (
        api(None, host="datang.localhost")
        .get(f"/api/v1/service-shops/{garage.shop.pk}/products/")
        .status_code
        == 401
    )
    other = shop_api("13655597002")
    assert other.get("/api/v1/shop/products/").json() == []
    stolen = other.put(
        f"/api/v1/shop/products/{made.json()['id']}/", {**PACKAGE, "price": "1"}, format="json"
    )
    assert stolen.status_code == 404
    cheaper = shop.put(
        f"/api/v1/shop/products/{made.json()['id']}/", {**PACKAGE, "price": "269.00"}, format="json"
    )
    assert cheaper.status_code == 200 and cheaper.json()["price"] == "269.00"


def test_bad_products_name_their_field(garage, shop_api):
    shop = shop_api()
    shop.post("/api/v1/shop/products/", PACKAGE, format="json")
    cases = [
        ({"name": ""}, "name"),
        ({}, "name"),  # the same name again
        ({"name": "新品", "price": "500.00"}, "market_price"),
        ({"name": "新品", "price": "-1"}, "price"),
        ({"name": "新品", "kind": "gift"}, "kind"),
        ({"name": "新品", "image_url": "javascript:alert(1)"}, "image_url"),
    ]
    for change, field in cases:
        bad = shop.post("/api/v1/shop/products/", {**PACKAGE, **change}, format="json")
        assert bad.status_code == 400 and field in bad.json()["fields"], (change, bad.json())
    assert ShopProduct.objects.filter(shop=garage.shop).count() == 1
