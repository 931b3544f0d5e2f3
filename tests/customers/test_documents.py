"""证件照片 (issue 23): a 行驶证/身份证 photo is stored only when a user attaches it to the customer (or
their vehicle); then it is in the tenant's storage, served only by the API on the tenant's host to
those who may see the customer, as a download with the type its bytes say, never by the public media
route, and listed in the tenant export."""

import csv
import io
import random
import zipfile
from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from PIL import Image

from customers.models import Document
from customers.services import customer_create
from tenants.tasks import tenant_export_build_task
from tests.ocr_samples import id_card, vehicle_licence


def upload(client, path: str, content: bytes, kind: str = "id_card", **extra):
    return client.post(
        path, {"kind": kind, "image": SimpleUploadedFile("photo.jpg", content), **extra}, format="multipart"
    )


@pytest.fixture
def customer(team, as_distributor):
    agent = as_distributor(team.lead)
    created = agent.post(
        "/api/v1/customers/",
        {"name": "李小梅", "mobile": "13655557001", "vehicles": [{"plate": "粤B7D001"}]},
        format="json",
    )
    assert created.status_code == 201, created.content
    return agent, created.json()


def test_an_agent_attaches_an_id_card_photo_and_downloads_it_as_an_attachment(customer) -> None:
    agent, body = customer
    photo = id_card(random.Random(5), distort=False).image
    attached = upload(agent, f"/api/v1/customers/{body['id']}/documents/", photo)
    assert attached.status_code == 201, attached.content
    document = attached.json()
    assert (document["kind"], document["kind_label"], document["content_type"]) == (
        "id_card",
        "身份证",
        "image/jpeg",
    )
    assert document["size_bytes"] == len(photo)
    with schema_context("datang"):
        stored = Document.objects.get(pk=document["id"])
        assert stored.file.startswith("tenants/datang/documents/") and stored.file.endswith(".jpg")
        assert default_storage.open(stored.file).read() == photo

    listed = agent.get(f"/api/v1/customers/{body['id']}/documents/").json()
    assert [d["id"] for d in listed] == [document["id"]]

    download = agent.get(document["file_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "image/jpeg"
    assert download["Content-Disposition"].startswith("attachment;")  # never inline
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert b"".join(download.streaming_content) == photo

    # the public media route, which serves product images on this host, does not serve it
    public = agent.get(f"/media/{stored.file}")
    assert public.status_code == 404


def test_a_licence_photo_attaches_to_the_customer_s_own_vehicle_only(customer) -> None:
    agent, body = customer
    photo = vehicle_licence(random.Random(6), distort=False, fmt="PNG").image
    path = f"/api/v1/customers/{body['id']}/documents/"
    car = body["vehicles"][0]["id"]
    attached = upload(agent, path, photo, kind="vehicle_licence", vehicle=car)
    assert attached.status_code == 201, attached.content
    assert (attached.json()["vehicle"], attached.json()["content_type"]) == (car, "image/png")

    with schema_context("datang"):
        other = customer_create(
            actor=None, name="别人", mobile="13655557002", vehicles=[{"plate": "粤B7D002"}]
        )
        other_car = other.vehicles.get().pk
    refused = upload(agent, path, photo, kind="vehicle_licence", vehicle=other_car)
    assert refused.status_code == 400
    assert refused.json()["fields"] == {"vehicle": ["该车辆不属于此客户"]}


def test_hostile_document_uploads_are_4xx_naming_the_field(customer) -> None:
    agent, body = customer
    path = f"/api/v1/customers/{body['id']}/documents/"
    out = BytesIO()
    Image.new("RGB", (20, 20)).save(out, "GIF")
    cases = [
        (upload(agent, path, b"<svg onload=alert(1)>"), "image", "不是有效的图片文件"),
        (upload(agent, path, out.getvalue()), "image", "只支持 JPEG、PNG、WEBP 格式"),
        (upload(agent, path, b"\xff\xd8\xff" + b"\x00" * (8 * 1024 * 1024)), "image", "图片不能超过 8 MB"),
        (upload(agent, path, id_card(random.Random(1), distort=False).image, kind="passport"), "kind", None),
    ]
    for response, field, message in cases:
        assert response.status_code == 400, response.content
        assert list(response.json()["fields"]) == [field]
        if message:
            assert response.json()["fields"][field] == [message]
    with schema_context("datang"):
        assert not Document.objects.filter(customer_id=body["id"]).exists()  # nothing half-kept


def test_a_document_is_not_readable_from_bowei_another_owner_or_an_agent_who_cannot_see_the_customer(
    customer, api
) -> None:
    agent, body = customer
    document = upload(
        agent, f"/api/v1/customers/{body['id']}/documents/", id_card(random.Random(2), distort=False).image
    )
    url = document.json()["file_url"]
    for client in (api("bowei_agent"), api("bowei_admin"), api("datang_owner")):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert api("datang_agent", host="bowei.localhost").get(url).status_code == 401  # token of another host
    assert api("datang_admin").get(url).status_code == 200  # the tenant's admin sees every customer


def test_an_owner_attaches_their_own_licence_and_sees_only_their_own(api) -> None:
    owner = api("datang_owner")
    added = owner.post("/api/v1/my/vehicles/", {"plate": "粤B7D003"}, format="json")
    assert added.status_code == 201, added.content
    photo = vehicle_licence(random.Random(8), distort=False, fmt="WEBP").image
    attached = upload(
        owner, "/api/v1/my/documents/", photo, kind="vehicle_licence", vehicle=added.json()["id"]
    )
    assert attached.status_code == 201, attached.content
    assert attached.json()["content_type"] == "image/webp"
    assert [d["id"] for d in owner.get("/api/v1/my/documents/").json()] == [attached.json()["id"]]
    download = owner.get(attached.json()["file_url"])
    assert download.status_code == 200 and download["Content-Type"] == "image/webp"
    assert api("bowei_agent").get(attached.json()["file_url"]).status_code == 404


def test_attached_documents_are_listed_in_the_tenant_export(customer, api, datang) -> None:
    agent, body = customer
    document = upload(
        agent, f"/api/v1/customers/{body['id']}/documents/", id_card(random.Random(3), distort=False).image
    )
    platform = api("platform_admin")
    export_id = platform.post(f"/api/v1/platform/tenants/{datang.pk}/deletion/").json()["id"]
    assert tenant_export_build_task.apply(args=[export_id]).get()["status"] == "ready"
    download = platform.get(f"/api/v1/platform/exports/{export_id}/download/")
    archive = zipfile.ZipFile(BytesIO(b"".join(download.streaming_content)))
    with archive.open("schema/customers_document.csv") as raw:
        rows = list(csv.DictReader(io.TextIOWrapper(raw, "utf-8")))
    with schema_context("datang"):
        stored = Document.objects.get(pk=document.json()["id"])
    assert [(r["kind"], r["file"], r["customer_id"]) for r in rows if r["id"] == str(stored.pk)] == [
        ("id_card", stored.file, str(body["id"]))
    ]
