"""Customers API: agents add customers and cars, every format is checked, and nobody sees a
customer they should not (other agents' teams, other tenants, anonymous)."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context
from openpyxl import Workbook, load_workbook

from core.crypto import decrypt_text
from core.validators import id_number_check_char
from customers.excel import COLUMNS
from customers.models import Customer, FollowUp, Reminder, Vehicle
from customers.services import customer_create
from tests.conftest import PEOPLE

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"  # the GB 11643 example: born 1949-12-31, check char X
VIN = "LSVAU218XN2183294"  # check digit X in position 9


def valid_id(born: date, seq: str = "123") -> str:
    first17 = f"440305{born:%Y%m%d}{seq}"
    return first17 + id_number_check_char(first17)


def new_customer(client, **overrides):
    body = {
        "name": "李四",
        "mobile": "13912345678",
        "id_number": ID_NUMBER,
        "vehicles": [
            {
                "plate": "粤B2088Z",
                "vin": VIN,
                "engine_no": "EA888123",
                "brand_model": "大众 迈腾 2.0T",
                "seats": 5,
                "displacement": "2.0",
                "use": "family",
                "first_registered_on": "2022-03-15",
                "purchase_price": "215000.00",
                "mileage_km": 36000,
                "last_maintained_on": str(timezone.localdate() - timedelta(days=30)),
                "last_maintained_km": 34000,
                "ctpl_expires_on": str(timezone.localdate() + timedelta(days=50)),
                "commercial_expires_on": str(timezone.localdate() + timedelta(days=50)),
            }
        ],
    }
    body.update(overrides)
    return client.post("/api/v1/customers/", body, format="json")


def test_agent_adds_a_customer_with_a_car_and_is_their_promoter(team, as_distributor) -> None:
    agent = as_distributor(team.lead)
    response = new_customer(agent)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["promoter"] == {"id": team.lead.pk, "name": "王海峰"}
    assert body["id_number"] == "110105********002X"  # masked, never the number
    assert body["birth_date"] == "1949-12-31"
    car = body["vehicles"][0]
    assert (car["plate"], car["energy"], car["use_label"]) == ("粤B2088Z", "fuel", "家庭自用汽车")
    assert car["next_inspection_on"] == "2028-03-15"  # a 2022 family car: year 6
    assert [r["kind"] for r in body["reminders"]] == ["renewal"]  # 50 days out: the 60-day stage
    assert body["reminders"][0]["title"].startswith("粤B2088Z 交强险、商业险将于")

    listed = agent.get("/api/v1/customers/").json()
    assert listed["count"] == 1
    row = listed["results"][0]
    assert (row["name"], row["vehicle_count"], row["promoter"]["name"]) == ("李四", 1, "王海峰")
    assert row["registered_on"] == str(timezone.localdate())


def test_id_numbers_are_encrypted_at_rest_with_the_tenant_s_key(team, as_distributor) -> None:
    new_customer(as_distributor(team.lead))
    with schema_context("datang"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number_cipher, id_number_masked FROM customers_customer")
            cipher, masked = cursor.fetchone()
        assert ID_NUMBER not in cipher and masked == "110105********002X"
        assert decrypt_text(cipher) == ID_NUMBER
    with pytest.raises(ValueError):
        decrypt_text(cipher, schema="bowei")  # another tenant's key cannot read it


def test_every_bad_field_is_named_and_nothing_is_written(team, as_distributor) -> None:
    agent = as_distributor(team.lead)
    response = new_customer(
        agent,
        name="",
        mobile="12345678901",
        id_number="110105194912310021",  # wrong check digit
        vehicles=[
            {"plate": "粤B208", "vin": "LSVAU2180N2183294", "seats": 0, "first_registered_on": "2099-01-01"}
        ],
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert set(fields) == {
        "name",
        "mobile",
        "id_number",
        "vehicles.0.plate",
        "vehicles.0.vin",
        "vehicles.0.seats",
        "vehicles.0.first_registered_on",
    }
    assert "校验位" in fields["id_number"][0] and "校验位" in fields["vehicles.0.vin"][0]
    bad_type = agent.post(
        "/api/v1/customers/",
        {"name": "甲", "mobile": "13900000001", "birth_date": "31/12/1980"},
        format="json",
    )
    assert bad_type.status_code == 400 and set(bad_type.json()["fields"]) == {"birth_date"}
    with schema_context("datang"):
        assert Customer.objects.count() == 0 and Vehicle.objects.count() == 0


def test_duplicates_are_refused_by_field(team, as_distributor) -> None:
    agent = as_distributor(team.lead)
    assert new_customer(agent).status_code == 201
    again = new_customer(agent, id_number=valid_id(date(1985, 6, 1)))
    assert again.status_code == 400
    assert set(again.json()["fields"]) == {"mobile", "vehicles.0.plate", "vehicles.0.vin"}
    same_id = new_customer(agent, mobile="13912345679", vehicles=[])
    assert same_id.json()["fields"] == {"id_number": ["该身份证号已登记在另一位客户名下"]}


def test_agents_see_their_own_and_their_downline_s_customers_only(team, as_distributor, api) -> None:
    lead, member, peer = as_distributor(team.lead), as_distributor(team.member), as_distributor(team.peer)
    mine = new_customer(lead, vehicles=[]).json()["id"]
    members = new_customer(member, name="张三", mobile="13912340002", id_number="", vehicles=[]).json()["id"]
    peers = new_customer(peer, name="钱客", mobile="13912340003", id_number="", vehicles=[]).json()["id"]

    assert {c["id"] for c in lead.get("/api/v1/customers/").json()["results"]} == {mine, members}
    assert {c["id"] for c in member.get("/api/v1/customers/").json()["results"]} == {members}
    assert {c["id"] for c in peer.get("/api/v1/customers/").json()["results"]} == {peers}
    assert api("datang_admin").get("/api/v1/customers/").json()["count"] == 3

    for path in (
        f"/api/v1/customers/{peers}/",
        f"/api/v1/customers/{peers}/follow-ups/",
        f"/api/v1/customers/{peers}/vehicles/",
    ):
        assert lead.get(path).status_code == 404
    assert member.patch(f"/api/v1/customers/{mine}/", {"name": "改名"}, format="json").status_code == 404
    assert lead.get(f"/api/v1/customers/{members}/").status_code == 200


def test_an_agent_may_place_a_customer_only_in_their_own_subtree(team, as_distributor) -> None:
    lead = as_distributor(team.lead)
    to_member = new_customer(lead, vehicles=[], promoter=team.member.pk)
    assert to_member.status_code == 201 and to_member.json()["promoter"]["name"] == "刘小军"
    to_peer = new_customer(lead, mobile="13912340009", id_number="", vehicles=[], promoter=team.peer.pk)
    assert to_peer.status_code == 400 and list(to_peer.json()["fields"]) == ["promoter"]
    foreign = new_customer(lead, mobile="13912340010", id_number="", vehicles=[], promoter=999999)
    assert foreign.json()["fields"]["promoter"] == ["推广人不存在（或不属于本租户）"]


def test_other_tenants_and_strangers_see_nothing(team, as_distributor, api) -> None:
    customer_id = new_customer(as_distributor(team.lead)).json()["id"]
    bowei = api("bowei_admin")
    assert bowei.get("/api/v1/customers/").json()["count"] == 0
    assert bowei.get(f"/api/v1/customers/{customer_id}/").status_code == 404
    assert bowei.get("/api/v1/reminders/").json()["count"] == 0
    # A Datang token presented on Bowei's host is not a Bowei login.
    crossing = api("datang_admin", host="bowei.localhost", token_host="datang.localhost")
    assert crossing.get("/api/v1/customers/").status_code == 401
    anonymous = api(None, host="datang.localhost")
    for path in (
        "/api/v1/customers/",
        f"/api/v1/customers/{customer_id}/",
        "/api/v1/reminders/",
        "/api/v1/my/vehicles/",
    ):
        assert anonymous.get(path).status_code == 401
    # The owner role does not open the agents' list.
    assert api("datang_owner").get("/api/v1/customers/").status_code == 403


def test_search_by_name_mobile_plate_promoter_and_dates(team, as_distributor, api) -> None:
    new_customer(as_distributor(team.lead))
    new_customer(
        as_distributor(team.member),
        name="张三",
        mobile="13912340002",
        id_number="",
        vehicles=[{"plate": "粤A99999"}],
    )
    admin = api("datang_admin")

    def names(query: str) -> list[str]:
        return [c["name"] for c in admin.get(f"/api/v1/customers/?{query}").json()["results"]]

    assert names("search=张") == ["张三"]
    assert names("search=13912345678") == ["李四"]
    assert names("search=b2088") == ["李四"]  # plates match case-insensitively
    assert names("plate=粤A9") == ["张三"]
    assert names("promoter=刘小军") == ["张三"]
    today = timezone.localdate()
    assert len(names(f"registered_from={today}&registered_to={today}")) == 2
    assert names(f"registered_to={today - timedelta(days=1)}") == []
    bad = admin.get("/api/v1/customers/?registered_from=yesterday")
    assert bad.status_code == 400 and list(bad.json()["fields"]) == ["registered_from"]


def test_follow_ups_are_recorded_and_listed_newest_first(team, as_distributor) -> None:
    agent = as_distributor(team.lead)
    customer_id = new_customer(agent).json()["id"]
    url = f"/api/v1/customers/{customer_id}/follow-ups/"
    first = agent.post(url, {"channel": "phone", "content": "电话沟通续保，客户倾向平安"}, format="json")
    assert first.status_code == 201 and first.json()["author_name"] == "王海峰"
    next_week = str(timezone.localdate() + timedelta(days=7))
    agent.post(url, {"channel": "wechat", "content": "发送报价", "next_contact_on": next_week}, format="json")
    listed = agent.get(url).json()
    assert [(f["channel_label"], f["next_contact_on"]) for f in listed] == [
        ("微信", next_week),
        ("电话", None),
    ]
    bad = agent.post(url, {"channel": "fax", "content": "", "next_contact_on": "2001-01-01"}, format="json")
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"channel", "content", "next_contact_on"}
    with schema_context("datang"):
        assert FollowUp.objects.count() == 2


def test_the_agent_s_to_do_list_and_closing_a_reminder(team, as_distributor) -> None:
    agent = as_distributor(team.lead)
    new_customer(agent)
    todo = agent.get("/api/v1/reminders/").json()
    assert todo["count"] == 1 and todo["results"][0]["kind"] == "renewal"
    reminder_id = todo["results"][0]["id"]
    assert as_distributor(team.peer).get("/api/v1/reminders/").json()["count"] == 0
    assert (
        as_distributor(team.peer)
        .post(f"/api/v1/reminders/{reminder_id}/close/", {"status": "done"}, format="json")
        .status_code
        == 404
    )
    done = agent.post(f"/api/v1/reminders/{reminder_id}/close/", {"status": "done"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    again = agent.post(f"/api/v1/reminders/{reminder_id}/close/", {"status": "dismissed"}, format="json")
    assert again.status_code == 409
    assert agent.get("/api/v1/reminders/").json()["count"] == 0
    assert agent.get("/api/v1/reminders/?status=done").json()["count"] == 1


def test_the_owner_sees_the_cars_their_agent_registered_and_adds_one(team, as_distributor, api) -> None:
    owner_mobile = PEOPLE["datang_owner"].mobile
    new_customer(as_distributor(team.lead), mobile=owner_mobile)
    owner = api("datang_owner")
    cars = owner.get("/api/v1/my/vehicles/").json()
    assert [c["plate"] for c in cars] == ["粤B2088Z"]
    added = owner.post(
        "/api/v1/my/vehicles/", {"plate": "粤BF12345", "brand_model": "比亚迪 汉"}, format="json"
    )
    assert added.status_code == 201 and added.json()["energy"] == "new_energy"
    bad = owner.post("/api/v1/my/vehicles/", {"plate": "粤B2088Z"}, format="json")
    assert bad.status_code == 400 and "已登记" in bad.json()["fields"]["plate"][0]
    reminders = owner.get("/api/v1/my/reminders/").json()
    assert [r["kind"] for r in reminders] == ["renewal"]
    assert (
        owner.patch("/api/v1/my/customer/", {"owner_reminders_opt_in": False}, format="json").status_code
        == 200
    )
    assert owner.get("/api/v1/my/reminders/").json() == []
    with schema_context("datang"):
        assert Customer.objects.get(mobile=owner_mobile).vehicles.count() == 2


def test_an_owner_who_came_alone_gets_a_customer_record_when_adding_a_car(datang, api) -> None:
    owner = api("datang_owner")
    assert owner.get("/api/v1/my/vehicles/").json() == []
    assert owner.get("/api/v1/my/customer/").status_code == 404
    assert owner.post("/api/v1/my/vehicles/", {"plate": "粤B54321"}, format="json").status_code == 201
    profile = owner.get("/api/v1/my/customer/").json()
    assert profile["mobile"] == PEOPLE["datang_owner"].mobile
    with schema_context("datang"):
        assert Customer.objects.get(mobile=PEOPLE["datang_owner"].mobile).promoter is None
    assert api("bowei_agent").get("/api/v1/customers/").json()["count"] == 0  # Bowei sees none of it


def xlsx(rows: list[list]) -> BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "customers.xlsx"
    return out


def test_excel_import_is_all_or_nothing_with_a_row_report(team, api) -> None:
    admin = api("datang_admin")
    good = [
        "陈一",
        "13912350001",
        "",
        team.lead.mobile,
        "粤B11111",
        VIN,
        "",
        "丰田 凯美瑞",
        5,
        2.5,
        "家庭自用汽车",
        date(2021, 5, 1),
        180000,
        42000,
        date(2027, 5, 1),
        date(2027, 5, 1),
    ]
    second_car = ["陈一", "13912350001", "", "", "粤B22222", "", "", "", "", "", "", "", "", "", "", ""]
    bad = [
        "",
        "1391235",
        "110105194912310021",
        "13000000000",
        "粤B3",
        "",
        "",
        "",
        "五",
        "",
        "自用",
        "2021/5/1",
        "",
        "",
        "",
        "",
    ]
    response = admin.post(
        "/api/v1/customers/import/", {"file": xlsx([good, second_car, bad])}, format="multipart"
    )
    assert response.status_code == 400
    report = response.json()
    assert report["created"] == 0 and [e["row"] for e in report["errors"]] == [4]
    assert set(report["errors"][0]["errors"]) == {"推广人手机号", "座位数", "使用性质", "初次登记日期"}
    with schema_context("datang"):
        assert Customer.objects.count() == 0

    fixed = [
        "王二",
        "13912350002",
        valid_id(date(1990, 1, 2)),
        "",
        "粤B33333",
        "",
        "",
        "",
        7,
        "",
        "企业非营业客车",
        "",
        "",
        "",
        "",
        "",
    ]
    response = admin.post(
        "/api/v1/customers/import/", {"file": xlsx([good, second_car, fixed])}, format="multipart"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 3, "errors": []}
    with schema_context("datang"):
        chen = Customer.objects.get(mobile="13912350001")
        assert sorted(chen.vehicles.values_list("plate", flat=True)) == ["粤B11111", "粤B22222"]
        assert chen.promoter == team.lead
        assert Vehicle.objects.get(plate="粤B33333").use == "enterprise"

    formats = admin.post(
        "/api/v1/customers/import/",
        {
            "file": xlsx(
                [
                    [
                        "赵五",
                        "13912350003",
                        "",
                        "",
                        "粤B4",
                        "LSVAU2180N2183294",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                    ]
                ]
            )
        },
        format="multipart",
    ).json()
    assert set(formats["errors"][0]["errors"]) == {"车牌号", "车架号"}

    exported = admin.get("/api/v1/customers/export/")
    assert exported.status_code == 200
    sheet = load_workbook(BytesIO(exported.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(COLUMNS)
    assert sorted(r[4] for r in rows[1:]) == ["粤B11111", "粤B22222", "粤B33333"]
    assert {r[2] for r in rows[1:]} == {
        None,
        valid_id(date(1990, 1, 2))[:6] + "********" + valid_id(date(1990, 1, 2))[-4:],
    }


def test_reminders_of_one_tenant_never_show_in_another(team, as_distributor, api, bowei) -> None:
    new_customer(as_distributor(team.lead))
    with schema_context("bowei"):
        customer_create(
            actor=None,
            name="博维客户",
            mobile="13912360001",
            vehicles=[{"plate": "粤C12345", "ctpl_expires_on": timezone.localdate() + timedelta(days=3)}],
        )
        assert Reminder.objects.count() == 1
    assert [r["plate"] for r in api("bowei_admin").get("/api/v1/reminders/").json()["results"]] == [
        "粤C12345"
    ]
    assert [r["plate"] for r in api("datang_admin").get("/api/v1/reminders/").json()["results"]] == [
        "粤B2088Z"
    ]


def test_the_customer_list_costs_the_same_queries_for_one_customer_or_many(
    team, as_distributor, api, steady_hosts
) -> None:
    agent = as_distributor(team.lead)
    admin = api("datang_admin")
    new_customer(agent, vehicles=[{"plate": "粤B00001"}])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin.get("/api/v1/customers/").status_code == 200
        return len(ctx.captured_queries)

    one = queries()
    for i in range(2, 7):
        new_customer(
            agent, name=f"客户{i}", mobile=f"1391234000{i}", id_number="", vehicles=[{"plate": f"粤B0000{i}"}]
        )
    assert admin.get("/api/v1/customers/").json()["count"] == 6
    assert queries() == one
