"""Products, gift packs, issuing and redeeming through the API: derived values, per-tenant images,
exactly-once redemption (also under concurrency), packs given with a policy charged by promotion
settlement, and no tenant seeing or redeeming another's."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context
from PIL import Image

from catalog.models import GiftPack, IssuedPack, Redemption
from catalog.services import pack_issue, pack_save, product_save, redeem
from catalog.services import process_events as gift_packs_process_events
from commissions.models import Entry
from core.errors import DomainError
from core.events import emit
from customers.services import customer_create
from tests.commissions.conftest import sell
from tests.conftest import PEOPLE, committed_db
from tests.insurers import car

pytestmark = pytest.mark.django_db


def new_product(client, **overrides):
    body = {"name": "壳牌蓝喜力机油", "kind": "goods", "source": "壳牌华南", "market_price": "210.00",
            "actual_price": "100.00", "stock": 40, **overrides}  # fmt: skip
    return client.post("/api/v1/products/", body, format="json")


@pytest.fixture
def catalog(api):
    """Two products and a pack of 机油*1 + 奶茶*2 in Datang."""
    admin = api("datang_admin")
    oil = new_product(admin).json()
    tea = new_product(
        admin, name="奶茶", source="一点点", market_price="15.00", actual_price="7.00", stock=500
    ).json()
    pack = admin.post(
        "/api/v1/gift-packs/",
        {"name": "续保礼包", "expires_on": str(timezone.localdate() + timedelta(days=30)),
         "items": [{"product": oil["id"], "quantity": 1}, {"product": tea["id"], "quantity": 2}]},
        format="json",
    )  # fmt: skip
    assert pack.status_code == 201, pack.json()
    return {"oil": oil, "tea": tea, "pack": pack.json()}


def test_products_are_checked_and_kept_like_the_original_screen(api, as_distributor, team):
    admin = api("datang_admin")
    assert new_product(admin, actual_price="250.00").json()["fields"].keys() == {"actual_price"}
    assert new_product(admin, stock=None).json()["fields"].keys() == {"stock"}
    assert new_product(admin, kind="service", name="精洗", stock=5).json()["fields"].keys() == {"stock"}
    assert new_product(admin, market_price="-1").status_code == 400
    made = new_product(admin)
    assert made.status_code == 201 and made.json()["kind_label"] == "商品"
    assert new_product(admin, kind="service", name="精洗", stock=None).status_code == 201
    rows = admin.get("/api/v1/products/", {"name": "机油", "source": "壳牌"}).json()["results"]
    assert [(r["name"], r["market_price"], r["actual_price"]) for r in rows] == [
        ("壳牌蓝喜力机油", "210.00", "100.00")
    ]
    assert new_product(as_distributor(team.lead)).status_code == 403
    assert admin.delete(f"/api/v1/products/{made.json()['id']}/").json() == {"outcome": "deleted"}


def test_a_product_image_is_kept_per_tenant_and_resized_for_the_h5(api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    admin = api("datang_admin")
    product = new_product(admin).json()
    picture = BytesIO()
    Image.new("RGB", (1500, 1000), "#C8102E").save(picture, "PNG")
    picture.seek(0)
    picture.name = "oil.png"
    uploaded = admin.post(f"/api/v1/products/{product['id']}/image/", {"image": picture}, format="multipart")
    assert uploaded.status_code == 200, uploaded.json()
    h5_url = uploaded.json()["image_h5_url"]
    assert h5_url.startswith("/media/tenants/datang/products/") and "-h5.jpg?exp=" in h5_url
    served = admin.get(h5_url)
    assert served.status_code == 200
    assert Image.open(BytesIO(b"".join(served.streaming_content))).size == (750, 500)
    assert api("bowei_admin").get(h5_url).status_code == 404  # another tenant's host
    assert api("bowei_admin").get(h5_url.replace("/datang/", "/bowei/")).status_code == 404
    not_image = BytesIO(b"%PDF-1.4 not an image")
    not_image.name = "x.png"
    refused = admin.post(f"/api/v1/products/{product['id']}/image/", {"image": not_image}, format="multipart")
    assert refused.status_code == 400 and "image" in refused.json()["fields"]


def test_a_packs_values_come_from_its_contents_unless_overridden(api, catalog):
    pack = catalog["pack"]
    # 机油 210/100 × 1 + 奶茶 15/7 × 2
    assert (pack["market_value"], pack["actual_value"], pack["contents"]) == (
        "240.00",
        "114.00",
        "壳牌蓝喜力机油*1, 奶茶*2",
    )
    admin = api("datang_admin")
    body = {
        **{k: pack[k] for k in ("name", "expires_on", "redeem_mode", "items")},
        "actual_value_override": "99.00",
    }
    body["items"] = [{"product": i["product"], "quantity": i["quantity"]} for i in body["items"]]
    updated = admin.put(f"/api/v1/gift-packs/{pack['id']}/", body, format="json").json()
    assert (updated["market_value"], updated["actual_value"]) == ("240.00", "99.00")
    listed = admin.get("/api/v1/gift-packs/", {"status": "active"}).json()
    assert [(p["name"], p["issued_count"], p["redeemed_count"]) for p in listed] == [("续保礼包", 0, 0)]
    assert admin.get("/api/v1/gift-packs/", {"status": "expired"}).json() == []
    # A product in a pack is archived, not deleted.
    assert admin.delete(f"/api/v1/products/{catalog['oil']['id']}/").json() == {"outcome": "archived"}


def test_an_agent_issues_a_pack_and_it_is_redeemed_exactly_once(api, as_distributor, team, catalog):
    with schema_context("datang"):
        mine = customer_create(
            actor=None, name="礼包客户", mobile=PEOPLE["datang_owner"].mobile, promoter_id=team.lead.pk
        )
        theirs = customer_create(
            actor=None, name="别人的客户", mobile="13912349101", promoter_id=team.peer.pk
        )
    agent = as_distributor(team.lead)
    url = f"/api/v1/gift-packs/{catalog['pack']['id']}/issue/"
    assert agent.post(url, {"customer": theirs.pk}, format="json").json()["fields"].keys() == {"customer"}
    issued = agent.post(url, {"customer": mine.pk}, format="json")
    assert issued.status_code == 201, issued.json()
    code = issued.json()["code"]
    assert code.startswith("DATANG-") and len(code) == len("DATANG-") + 10
    assert issued.json()["value"] == "114.00"
    owner_sees = api("datang_owner").get("/api/v1/my/gift-packs/").json()
    assert [(p["code"], p["pack_name"], p["status_label"]) for p in owner_sees] == [
        (code, "续保礼包", "未兑换")
    ]

    admin = api("datang_admin")
    assert (
        admin.get("/api/v1/gift-packs/lookup/", {"code": code.lower()}).json()["customer_name"] == "礼包客户"
    )
    first = admin.post("/api/v1/gift-packs/redeem/", {"code": code, "place": "福田门店"}, format="json")
    assert first.status_code == 200 and first.json()["status"] == "redeemed"
    again = admin.post("/api/v1/gift-packs/redeem/", {"code": code}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_redeemed"
    assert (
        admin.post("/api/v1/gift-packs/redeem/", {"code": "DATANG-XXXXXXXXXX"}, format="json").status_code
        == 404
    )
    foreign = api("bowei_admin").post("/api/v1/gift-packs/redeem/", {"code": code}, format="json")
    assert foreign.status_code == 400 and foreign.json()["code"] == "foreign_code"
    looked_up = api("bowei_admin").get("/api/v1/gift-packs/lookup/", {"code": code})
    assert looked_up.status_code == 400 and looked_up.json()["code"] == "foreign_code"
    assert api("bowei_admin").get("/api/v1/gift-packs/").json() == []
    assert api("bowei_admin").get("/api/v1/gift-packs/issued/").json()["results"] == []
    counts = admin.get(f"/api/v1/gift-packs/{catalog['pack']['id']}/").json()
    assert (counts["issued_count"], counts["redeemed_count"]) == (1, 1)


def test_item_by_item_redemption_and_expiry(catalog):
    with schema_context("datang"):
        pack = GiftPack.objects.get(pk=catalog["pack"]["id"])
        pack.redeem_mode = "per_item"
        pack.save()
        customer = customer_create(actor=None, name="逐项客户", mobile="13912349102")
        issued = pack_issue(actor=None, pack=pack, customer=customer)
        oil, tea = list(issued.items.order_by("id"))
        assert redeem(actor=None, code=issued.code, item_id=tea.pk).status == "partial"
        with pytest.raises(DomainError) as twice:
            redeem(actor=None, code=issued.code, item_id=tea.pk)
        assert twice.value.code == "already_redeemed"
        assert redeem(actor=None, code=issued.code, item_id=oil.pk).status == "redeemed"
        late = pack_issue(actor=None, pack=pack, customer=customer)
        IssuedPack.objects.filter(pk=late.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
        with pytest.raises(DomainError) as expired:
            redeem(actor=None, code=late.code, item_id=late.items.first().pk)  # type: ignore[union-attr]
        assert expired.value.code == "pack_expired" and "过期" in expired.value.message
        GiftPack.objects.filter(pk=pack.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
        with pytest.raises(DomainError) as stale:
            pack_issue(actor=None, pack=pack, customer=customer)
        assert stale.value.code == "pack_expired"


def test_a_pack_given_with_a_policy_is_charged_to_the_seller(
    api, team, insurers, as_distributor, catalog, django_capture_on_commit_callbacks
):
    admin = api("datang_admin")
    assert admin.post(f"/api/v1/gift-packs/{catalog['pack']['id']}/rules/",
                      {"line": "commercial", "min_premium": "500"}, format="json").status_code == 201  # fmt: skip
    tiers = admin.get("/api/v1/network/tiers/").json()
    rules = [{"line": "commercial", "tier": t["id"], "rate": "0.10"} for t in tiers if t["name"] == "团队长"]
    plan = admin.post("/api/v1/commissions/plans/", {"name": "随单礼包方案", "scheme": "differential",
                      "settlement_mode": "cross_level", "promotion_bearer": "seller", "rules": rules}, format="json")  # fmt: skip
    admin.post(f"/api/v1/commissions/plans/{plan.json()['id']}/in-force/")
    with schema_context("datang"):
        vehicle = customer_create(actor=None, name="随单客户", mobile="13912349103", promoter_id=team.lead.pk,
                                  vehicles=[car(plate="粤B8G001", vin="")]).vehicles.get()  # fmt: skip
    agent = as_distributor(team.lead)
    quote = agent.post("/api/v1/quotes/", {"vehicle_id": vehicle.pk, "history": {"ctpl_class": "A1", "claim_free_years": 1},
                       "coverages": {"ctpl": True, "commercial": [{"code": "third_party", "limit": "1000000"}]}},
                       format="json").json()  # fmt: skip
    agent.post(f"/api/v1/quotes/{quote['id']}/send/", {}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        agent.post(
            f"/api/v1/quotes/{quote['id']}/accept/", {"option": quote["options"][0]["id"]}, format="json"
        )
    with schema_context("datang"):
        given = IssuedPack.objects.get(customer__name="随单客户")
        assert (given.channel, given.policy.line, given.value) == ("policy", "commercial", Decimal("114.00"))  # type: ignore[union-attr]
        charged = Entry.objects.get(kind="promotion")
        # PICC 三者险 748.00 × 10% to the seller, less the pack's actual value 114.00
        assert (charged.distributor_id, charged.amount) == (team.lead.pk, Decimal("-114.00"))
        assert Entry.objects.get(kind="commission", line="commercial").amount == Decimal("74.80")


@pytest.mark.worker
@committed_db
def test_a_hundred_concurrent_redemptions_of_one_code_have_exactly_one_winner() -> None:
    with schema_context("bowei"):
        oil = product_save(actor=None, name="并发机油", kind="goods", market_price=Decimal("10"),
                           actual_price=Decimal("5"), stock=10)  # fmt: skip
        pack = pack_save(actor=None, name="并发礼包", expires_on=timezone.localdate() + timedelta(days=3),
                         redeem_mode="whole", items=[{"product": oil.pk, "quantity": 1}])  # fmt: skip
        customer = customer_create(actor=None, name="并发客户", mobile="13912349104")
        code = pack_issue(actor=None, pack=pack, customer=customer).code

    def attempt(_: int) -> str:
        try:
            with schema_context("bowei"):
                redeem(actor=None, code=code)
            return "ok"
        except DomainError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, range(100)))
    assert outcomes.count("ok") == 1 and set(outcomes) == {"ok", "already_redeemed"}
    with schema_context("bowei"):
        assert Redemption.objects.filter(issued__code=code).count() == 1


def test_a_campaign_gives_the_pack_to_many_customers_all_or_none(api, catalog):
    with schema_context("datang"):
        ids = [customer_create(actor=None, name=f"活动客户{i}", mobile=f"1391234920{i}").pk for i in range(3)]
    admin = api("datang_admin")
    url = f"/api/v1/gift-packs/{catalog['pack']['id']}/campaign/"
    refused = admin.post(url, {"customers": [*ids, 999999]}, format="json")
    assert refused.status_code == 400 and "999999" in refused.json()["fields"]["customers"][0]
    with schema_context("datang"):
        assert IssuedPack.objects.count() == 0
    done = admin.post(url, {"customers": [*ids, ids[0]]}, format="json")
    assert done.status_code == 201 and done.json()["issued"] == 3
    with schema_context("datang"):
        assert set(IssuedPack.objects.values_list("channel", flat=True)) == {"campaign"}
    assert api("datang_agent").post(url, {"customers": ids}, format="json").status_code == 403


def test_a_switched_off_rule_gives_nothing_with_later_policies(api, team, catalog):
    admin = api("datang_admin")
    url = f"/api/v1/gift-packs/{catalog['pack']['id']}/rules/"
    assert admin.post(url, {"line": "commercial", "min_premium": "-1"}, format="json").status_code == 400
    rule = admin.post(url, {"line": "commercial", "min_premium": "500"}, format="json").json()
    with schema_context("datang"):
        first = sell(team.lead, premium="800.00")
        emit("policy.issued", object_type="policy", object_id=first.pk, payload={})
        gift_packs_process_events()
        assert IssuedPack.objects.filter(policy=first).count() == 1
    off = admin.patch(f"{url}{rule['id']}/", {"active": False}, format="json")
    assert off.status_code == 200 and off.json()["active"] is False
    with schema_context("datang"):
        later = sell(team.lead, premium="800.00")
        emit("policy.issued", object_type="policy", object_id=later.pk, payload={})
        gift_packs_process_events()
        assert not IssuedPack.objects.filter(policy=later).exists()


def test_gift_pack_rule_writes_are_audited_and_refused_by_field(api, catalog):
    """Adding or changing a 随单赠送 rule leaves an audit row (before the API split the view wrote
    the rule itself, with none); a bad line or a negative floor is refused naming the field."""
    from core.models import AuditEvent

    admin = api("datang_admin")
    pack_id = catalog["pack"]["id"]
    url = f"/api/v1/gift-packs/{pack_id}/rules/"
    bad_line = admin.post(url, {"line": "life", "min_premium": "10"}, format="json")
    assert bad_line.status_code == 400
    assert bad_line.json()["code"] == "invalid" and list(bad_line.json()["fields"]) == ["line"]
    negative = admin.post(url, {"line": "ctpl", "min_premium": "-0.01"}, format="json")
    assert list(negative.json()["fields"]) == ["min_premium"]
    rule = admin.post(url, {"line": "ctpl", "insurer_code": "PICC", "min_premium": "950.00"}, format="json")
    assert rule.status_code == 201
    changed = admin.patch(f"{url}{rule.json()['id']}/", {"min_premium": "1200.00"}, format="json")
    assert changed.status_code == 200 and changed.json()["min_premium"] == "1200.00"
    with schema_context("datang"):
        rows = list(
            AuditEvent.objects.filter(action__startswith="gift_pack.rule.", object_id=str(pack_id))
            .order_by("id")
            .values_list("action", "summary", "actor_name")
        )
    name = PEOPLE["datang_admin"].name
    pack_name = catalog["pack"]["name"]
    assert rows == [
        ("gift_pack.rule.add", f"礼包 {pack_name} 随单赠送：ctpl PICC 保费≥950.00", name),
        ("gift_pack.rule.change", f"礼包 {pack_name} 随单赠送：ctpl PICC 保费≥1200.00", name),
    ]
