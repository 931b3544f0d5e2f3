"""Plan limits where agents and customers are created (one by one and from Excel), the platform's
revenue view, and who may see which tenant's billing."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from openpyxl import Workbook

from customers.excel import COLUMNS
from customers.models import Customer
from network.models import Distributor
from subscriptions.models import Invoice, Subscription
from subscriptions.services import _subscription_open, plan_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def datang_on_tiny(datang, team) -> Subscription:
    """Datang (4 agents in the team fixture) on a plan for 5 agents and 1 customer."""
    plan = plan_create(actor=None, code="tiny", name="迷你版", price_monthly=Decimal("99.00"), max_agents=5,
                       max_customers=1)  # fmt: skip
    return _subscription_open(tenant=datang, plan=plan)


def agent(api, mobile: str, licence: str):
    with schema_context("datang"):
        tier = Distributor.objects.get(name="钱多多").tier_id
    return api("datang_admin").post("/api/v1/network/agents/", {
        "name": "新人", "mobile": mobile, "licence_no": licence, "tier": tier}, format="json")  # fmt: skip


def test_the_fifth_agent_fits_the_sixth_is_refused_naming_the_limit_and_the_plan(api, datang_on_tiny) -> None:
    assert agent(api, "13655550011", "L-11").status_code == 201
    refused = agent(api, "13655550012", "L-12")
    assert refused.status_code == 402
    body = refused.json()
    assert body["code"] == "plan_limit_reached"
    assert "迷你版" in body["message"] and "代理人数上限 5" in body["message"]
    assert body["fields"] == {"limit": ["agents"], "plan": ["tiny"]}
    with schema_context("datang"):
        assert Distributor.objects.filter(kind="agent").count() == 5


def test_customers_stop_at_the_limit_one_by_one_and_from_excel(api, datang_on_tiny) -> None:
    admin = api("datang_admin")
    assert admin.post("/api/v1/customers/", {"name": "客一", "mobile": "13911110001"},
                      format="json").status_code == 201  # fmt: skip
    refused = admin.post("/api/v1/customers/", {"name": "客二", "mobile": "13911110002"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (402, "plan_limit_reached")
    assert "客户数上限 1" in refused.json()["message"]

    datang_on_tiny.plan.max_customers = 2  # room for one more; the file brings two
    datang_on_tiny.plan.save()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(COLUMNS)
    sheet.append(["客二", "13911110002"])
    sheet.append(["客三", "13911110003"])
    out = BytesIO()
    book.save(out)
    response = admin.post("/api/v1/customers/import/", {"file": SimpleUploadedFile("c.xlsx", out.getvalue())},
                          format="multipart")  # fmt: skip
    assert response.status_code == 402, response.content
    assert response.json()["code"] == "plan_limit_reached" and "本次新增 2" in response.json()["message"]
    with schema_context("datang"):
        assert list(Customer.objects.values_list("name", flat=True)) == ["客一"]


def test_an_agent_import_past_the_limit_imports_nothing(api, datang_on_tiny) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", "手机号", "执业登记号", "层级", "上级手机号"])
    sheet.append(["甲", "13611119001", "LIC-91", "代理人", ""])
    sheet.append(["乙", "13611119002", "LIC-92", "代理人", ""])
    out = BytesIO()
    book.save(out)
    response = api("datang_admin").post(
        "/api/v1/network/agents/import/",
        {"file": SimpleUploadedFile("a.xlsx", out.getvalue())},
        format="multipart",
    )
    assert (response.status_code, response.json()["code"]) == (402, "plan_limit_reached")
    with schema_context("datang"):
        assert Distributor.objects.filter(kind="agent").count() == 4


def test_a_tenant_without_a_subscription_has_no_limits(api, team) -> None:
    assert agent(api, "13655550013", "L-13").status_code == 201


def test_the_platform_sees_every_tenant_s_status_usage_and_mrr(api, datang, bowei, team, basic) -> None:
    sub = _subscription_open(tenant=datang, plan=basic)
    sub.status, sub.stripe_subscription_id = "active", "sub_datang"
    sub.save()
    _subscription_open(tenant=bowei, plan=basic)  # trialing: no revenue yet
    body = api("platform_admin").get("/api/v1/platform/subscriptions/").json()
    rows = {r["schema_name"]: r for r in body["tenants"]}
    assert (rows["datang"]["status"], rows["datang"]["mrr"], rows["datang"]["plan"]["name"]) == (
        "active", "299.00", "基础版")  # fmt: skip
    assert rows["datang"]["usage"]["agents"] == 4 and rows["datang"]["usage"]["customers"] == 0
    assert (rows["bowei"]["status"], rows["bowei"]["mrr"]) == ("trialing", "0.00")
    assert (body["total_mrr"], body["paying"]) == ("299.00", 1)


def test_plans_are_managed_by_the_platform_admin_only(api) -> None:
    made = api("platform_admin").post("/api/v1/platform/plans/", {
        "code": "team", "name": "团队版", "price_monthly": "599.00", "max_agents": 30}, format="json")  # fmt: skip
    assert made.status_code == 201, made.content
    changed = api("platform_admin").patch(f"/api/v1/platform/plans/{made.json()['id']}/",
                                          {"price_monthly": "649.00"}, format="json")  # fmt: skip
    assert (changed.json()["price_monthly"], changed.json()["max_agents"]) == ("649.00", 30)
    bad = api("platform_admin").post("/api/v1/platform/plans/", {"code": "team", "name": "", "price_monthly": "-1"},
                                     format="json")  # fmt: skip
    assert bad.status_code == 400 and {"name", "price_monthly"} <= set(bad.json()["fields"])
    assert api("datang_admin").get("/api/v1/platform/plans/", HTTP_HOST="localhost").status_code == 401
    assert api(None).get("/api/v1/platform/plans/").status_code == 401


def test_billing_isolation_own_tenant_other_tenant_public_host_anonymous(api, datang, bowei, basic) -> None:
    datang_sub = _subscription_open(tenant=datang, plan=basic)
    _subscription_open(tenant=bowei, plan=basic)
    Invoice.objects.create(subscription=datang_sub, stripe_invoice_id="in_datang", number="D-1", status="paid",
                           amount_due=Decimal("299"), amount_paid=Decimal("299"), issued_at=datang_sub.created_at)  # fmt: skip
    assert [i["number"] for i in api("datang_admin").get("/api/v1/billing/invoices/").json()["results"]] == [
        "D-1"
    ]
    assert api("bowei_admin").get("/api/v1/billing/invoices/").json()["results"] == []  # never Datang's
    # Datang's token on Bowei's host, anonymous, the public host, a role without billing
    assert api("datang_admin", host="bowei.localhost").get("/api/v1/billing/invoices/").status_code == 401
    for path in (
        "/api/v1/billing/",
        "/api/v1/billing/invoices/",
        "/api/v1/subscription/",
        "/api/v1/setup-checklist/",
    ):
        assert api(None, host="datang.localhost").get(path).status_code == 401
        assert api("platform_admin").get(path).status_code == 404  # tenant endpoints do not exist there
    assert api("datang_agent").get("/api/v1/billing/invoices/").status_code == 403
    assert api("datang_agent").get("/api/v1/setup-checklist/").status_code == 403
    assert api("datang_owner").get("/api/v1/subscription/").status_code == 200
    for path in ("/api/v1/billing/checkout/", "/api/v1/billing/plan/"):  # the writes too
        assert (
            api(None, host="datang.localhost").post(path, {"plan": "pro"}, format="json").status_code == 401
        )
        assert api("bowei_admin", host="datang.localhost").post(path, {"plan": "pro"}).status_code == 401
        assert api("platform_admin").post(path, {"plan": "pro"}, format="json").status_code == 404
    assert api("datang_admin").get("/api/v1/billing/").json()["plan"]["code"] == "basic"  # unchanged
    # the platform's views are not on tenant hosts, and not for tenant people
    for path in ("/api/v1/platform/subscriptions/", "/api/v1/platform/plans/"):
        assert api("datang_admin").get(path).status_code == 404
        assert api(None).get(path).status_code == 401
        assert api("datang_admin", host="localhost").get(path).status_code == 401  # a tenant token


def test_uploads_stop_at_the_plan_s_storage_counting_the_database_and_the_files(
    api, datang, settings, tmp_path
):
    """A plan with 1–2 MB to spare over what Datang's schema already takes: a 300 KB picture fits, a
    3 MB one would pass the limit and is refused naming it; nothing of it is stored."""
    import os

    from PIL import Image

    from subscriptions.limits import database_bytes, media_bytes

    settings.MEDIA_ROOT = tmp_path
    used_mb = database_bytes("datang") // (1024 * 1024) + 1
    plan = plan_create(
        actor=None, code="disk", name="小存储版", price_monthly=Decimal("99.00"), max_storage_mb=used_mb + 1
    )
    _subscription_open(tenant=datang, plan=plan)
    admin = api("datang_admin")
    product = admin.post("/api/v1/products/", {"name": "存储测试机油", "kind": "goods", "source": "壳牌",
                         "market_price": "210.00", "actual_price": "100.00", "stock": 5}, format="json").json()  # fmt: skip

    def picture(kilobytes: int) -> BytesIO:
        side = int((kilobytes * 1024 / 3) ** 0.5)
        out = BytesIO()
        Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(
            out, "PNG"
        )  # noise: no compression
        out.seek(0)
        out.name = "photo.png"
        return out

    assert (
        admin.post(
            f"/api/v1/products/{product['id']}/image/", {"image": picture(300)}, format="multipart"
        ).status_code
        == 200
    )
    stored = media_bytes("datang")
    assert stored > 300 * 1024
    refused = admin.post(
        f"/api/v1/products/{product['id']}/image/", {"image": picture(3000)}, format="multipart"
    )
    assert refused.status_code == 402, refused.json()
    assert refused.json()["fields"] == {"limit": ["storage_mb"], "plan": ["disk"]}
    assert "小存储版" in refused.json()["message"] and "存储空间" in refused.json()["message"]
    assert media_bytes("datang") == stored
