"""品牌设置: the tenant admin edits its branding on its host; the platform admin edits any tenant's.
Bad input is a 400 naming the field; uploads are checked images kept in the tenant's own folder."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import AuditEvent
from tests.platform_console.conftest import image_bytes

pytestmark = pytest.mark.django_db


def upload(client, url: str, content: bytes, name: str = "logo.png"):
    return client.post(url, {"file": SimpleUploadedFile(name, content)}, format="multipart")


def test_the_tenant_admin_changes_colours_and_h5_title_and_the_public_branding_follows(
    api, in_schema
) -> None:
    admin = api("datang_admin")
    response = admin.patch(
        "/api/v1/branding/settings/",
        {"primary_color": "#0a7c3e", "secondary_color": "#FFB300", "h5_title": "大唐车险·车主服务"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["primary_color"] == "#0A7C3E"
    seen = api(None, host="datang.localhost").get("/api/v1/branding/").json()
    assert (seen["primary_color"], seen["secondary_color"], seen["h5_title"]) == (
        "#0A7C3E",
        "#FFB300",
        "大唐车险·车主服务",
    )
    assert seen["display_name"] == "大唐经纪"  # untouched fields stay
    with in_schema("datang"):
        event = AuditEvent.objects.filter(action="branding.update").latest("id")
    assert event.actor_name == "陈大唐"
    # Bowei's branding is its own
    assert api(None, host="bowei.localhost").get("/api/v1/branding/").json()["primary_color"] == "#0B5FA5"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"primary_color": "red"}, "primary_color"),
        ({"secondary_color": "#12345G"}, "secondary_color"),
        ({"display_name": "  "}, "display_name"),
        ({"h5_title": "很" * 61}, "h5_title"),
    ],
)
def test_bad_branding_fields_are_a_400_naming_the_field(api, body, field) -> None:
    response = api("datang_admin").patch("/api/v1/branding/settings/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == [field]


def test_a_logo_upload_is_kept_in_the_tenants_folder_and_served_only_on_its_host(api, settings) -> None:
    admin = api("datang_admin")
    png = image_bytes(size=(240, 80))
    response = upload(admin, "/api/v1/branding/images/logo/", png)
    assert response.status_code == 200, response.json()
    logo_url = response.json()["logo_url"]
    assert logo_url.startswith("/media/tenants/datang/branding/logo-") and logo_url.endswith(".png")
    assert (settings.MEDIA_ROOT / logo_url.removeprefix("/media/")).read_bytes() == png
    served = api(None, host="datang.localhost").get(logo_url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == png
    assert api(None, host="bowei.localhost").get(logo_url).status_code == 404
    assert api(None, host="datang.localhost").get("/api/v1/branding/").json()["logo_url"] == logo_url


def test_a_favicon_upload_sets_the_favicon_url(api) -> None:
    response = upload(
        api("datang_admin"), "/api/v1/branding/images/favicon/", image_bytes(size=(32, 32)), "f.png"
    )
    assert response.status_code == 200
    assert response.json()["favicon_url"].startswith("/media/tenants/datang/branding/favicon-")


@pytest.mark.parametrize(
    ("kind", "content", "message"),
    [
        ("logo", b"%PDF-1.4 not an image at all", "不是有效的图片文件"),
        ("logo", b"\x89PNG" + b"\0" * (2 * 1024 * 1024 + 1), "图片不能超过 2048 KB"),
        ("logo", image_bytes("BMP"), "只支持"),
        ("favicon", image_bytes(size=(1024, 1024)), "图标边长不能超过 512 像素"),
        ("favicon", image_bytes("JPEG"), "只支持"),
    ],
)
def test_bad_uploads_are_a_400_naming_the_field(api, kind, content, message) -> None:
    response = upload(api("datang_admin"), f"/api/v1/branding/images/{kind}/", content)
    assert response.status_code == 400
    assert message in response.json()["fields"][kind][0]


def test_the_platform_admin_edits_any_tenants_branding_from_the_platform_host(api, bowei) -> None:
    platform = api("platform_admin")
    response = platform.patch(
        f"/api/v1/platform/tenants/{bowei.pk}/branding/", {"primary_color": "#222222"}, format="json"
    )
    assert response.status_code == 200
    assert api(None, host="bowei.localhost").get("/api/v1/branding/").json()["primary_color"] == "#222222"
    logo = upload(platform, f"/api/v1/platform/tenants/{bowei.pk}/branding/images/logo/", image_bytes())
    # the platform console shows it from Bowei's own host, the only one that serves it
    assert logo.json()["logo_url"].startswith("http://bowei.localhost/media/tenants/bowei/branding/logo-")
    stored = api(None, host="bowei.localhost").get("/api/v1/branding/").json()["logo_url"]
    assert logo.json()["logo_url"] == f"http://bowei.localhost{stored}"
    bad = platform.patch(
        f"/api/v1/platform/tenants/{bowei.pk}/branding/", {"primary_color": "#22"}, format="json"
    )
    assert bad.status_code == 400 and "primary_color" in bad.json()["fields"]


def test_only_admins_edit_branding(api) -> None:
    assert (
        api("datang_agent").patch("/api/v1/branding/settings/", {"primary_color": "#000000"}).status_code
        == 403
    )
