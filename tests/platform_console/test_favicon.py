"""Issue 22: ``/favicon.ico`` answers on every host with an icon, never a 404: the tenant's
uploaded favicon, else one drawn in the tenant's primary colour (the default colour on the
platform host)."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.platform_console.conftest import image_bytes

pytestmark = pytest.mark.django_db


def icon_colour(response) -> object:
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    image = Image.open(BytesIO(response.content))
    assert image.format == "ICO"
    return image.convert("RGB").getpixel((image.width // 2, 2))  # the square's top edge


def test_the_platform_host_answers_with_the_default_colour(api) -> None:
    # DEFAULT_PRIMARY_COLOR #1F6FEB = (31, 111, 235)
    assert icon_colour(api(None, host="localhost").get("/favicon.ico")) == (31, 111, 235)


def test_each_tenant_host_answers_in_its_own_primary_colour(api) -> None:
    # datang #C8102E = (200, 16, 46); bowei #0B5FA5 = (11, 95, 165)
    assert icon_colour(api(None, host="datang.localhost").get("/favicon.ico")) == (200, 16, 46)
    assert icon_colour(api(None, host="bowei.localhost").get("/favicon.ico")) == (11, 95, 165)


def test_an_uploaded_favicon_is_served_on_its_tenants_host_only(api) -> None:
    png = image_bytes(size=(32, 32), color="#00FF00")
    response = api("datang_admin").post(
        "/api/v1/branding/images/favicon/", {"file": SimpleUploadedFile("f.png", png)}, format="multipart"
    )
    assert response.status_code == 200
    served = api(None, host="datang.localhost").get("/favicon.ico")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == png
    assert icon_colour(api(None, host="bowei.localhost").get("/favicon.ico")) == (11, 95, 165)
