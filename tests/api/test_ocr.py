"""拍照识别 endpoints (issue 23) without a worker: who may send a photo, what is refused (always a 4xx
in the error shape naming the field), and that a queued job is the sender's own on the sender's host.
The reading itself, through a real worker, is in tests/ocr/test_ocr_worker.py."""

import os
import random
from io import BytesIO

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from PIL import Image

from api.v1.ocr.views import OcrThrottle
from config.celery import app
from tests.api.test_uploads_and_media import bomb_png
from tests.ocr_samples import vehicle_licence

LICENCE = "/api/v1/ocr/vehicle-licence/"
ID_CARD = "/api/v1/ocr/id-card/"


@pytest.fixture
def ocr_queue(settings):
    """Jobs go to a queue of this test's own, emptied afterwards (no worker reads it here)."""
    settings.OCR_QUEUE = f"test-ocr-nowhere-{os.getpid()}"
    yield settings.OCR_QUEUE
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(settings.OCR_QUEUE)


def photo(fmt: str = "JPEG", name: str = "licence.jpg") -> SimpleUploadedFile:
    sample = vehicle_licence(random.Random(3), distort=False, fmt=fmt)
    return SimpleUploadedFile(name, sample.image)


def send(client, path: str, upload: SimpleUploadedFile, field: str = "image"):
    return client.post(path, {field: upload}, format="multipart")


def assert_refused(response, status: int, field: str, message: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["fields"] == {field: [message]}


@pytest.mark.parametrize("who", ["datang_agent", "datang_owner", "datang_admin"])
def test_staff_and_owners_queue_a_photo_and_read_their_pending_job(api, ocr_queue, who) -> None:
    client = api(who)
    response = send(client, LICENCE, photo())
    assert response.status_code == 202, response.content
    job = response.json()
    assert (job["kind"], job["status"], job["error"], job["readings"]) == (
        "vehicle_licence",
        "pending",
        "",
        [],
    )
    assert len(job["id"]) == 32
    again = client.get(f"/api/v1/ocr/jobs/{job['id']}/")
    assert again.status_code == 200
    assert again.json() == job
    with schema_context("datang"):
        assert cache.get(f"ocr:image:{job['id']}")[:3] == b"\xff\xd8\xff"  # held for the worker only


@pytest.mark.parametrize(("fmt", "name"), [("PNG", "a.png"), ("WEBP", "a.webp")])
def test_png_and_webp_photos_are_accepted_on_the_id_card_endpoint(api, ocr_queue, fmt, name) -> None:
    response = send(api("datang_agent"), ID_CARD, photo(fmt, name))
    assert response.status_code == 202, response.content
    assert response.json()["kind"] == "id_card"


def test_a_pdf_named_jpg_is_refused_naming_the_field(api, ocr_queue) -> None:
    fake = SimpleUploadedFile("licence.jpg", b"%PDF-1.4\n" + b"0" * 2000, content_type="image/jpeg")
    assert_refused(send(api("datang_agent"), LICENCE, fake), 400, "image", "不是有效的图片文件")


def test_a_gif_is_refused_naming_the_formats(api, ocr_queue) -> None:
    out = BytesIO()
    Image.new("RGB", (40, 40), "white").save(out, "GIF")
    gif = SimpleUploadedFile("a.gif", out.getvalue())
    assert_refused(send(api("datang_agent"), LICENCE, gif), 400, "image", "只支持 JPEG、PNG、WEBP 格式")


def test_a_photo_over_8_mb_is_refused_while_it_arrives(api, ocr_queue) -> None:
    big = SimpleUploadedFile(
        "big.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * (8 * 1024 * 1024 - 3)
    )  # 8 MB + 1 byte
    assert_refused(send(api("datang_agent"), LICENCE, big), 400, "image", "图片不能超过 8 MB")


def test_a_photo_of_exactly_8_mb_passes_the_size_check(api, ocr_queue) -> None:
    """8 MB is allowed: this one is then refused for what it is, not for its size."""
    exact = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * (8 * 1024 * 1024 - 4))
    assert_refused(send(api("datang_agent"), LICENCE, exact), 400, "image", "不是有效的图片文件")


def test_a_pixel_bomb_is_refused_before_decoding(api, ocr_queue) -> None:
    bomb = SimpleUploadedFile("bomb.png", bomb_png())
    assert_refused(send(api("datang_agent"), LICENCE, bomb), 400, "image", "图片过大：最多 40 百万像素")


def test_the_wrong_field_name_is_refused_naming_image(api, ocr_queue) -> None:
    response = send(api("datang_agent"), LICENCE, photo(), field="file")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["image"]


def test_an_empty_file_and_a_json_body_are_4xx_in_the_error_shape(api, ocr_queue) -> None:
    client = api("datang_agent")
    empty = send(client, LICENCE, SimpleUploadedFile("e.jpg", b""))
    assert empty.status_code == 400 and list(empty.json()["fields"]) == ["image"]
    as_json = client.post(LICENCE, {"image": "aGVsbG8="}, format="json")
    assert as_json.status_code == 415
    assert set(as_json.json()) == {"code", "message", "fields"}


def test_anonymous_is_401_and_the_platform_host_has_no_ocr(api, ocr_queue) -> None:
    assert send(api(None, host="datang.localhost"), LICENCE, photo()).status_code == 401
    on_platform = send(api("platform_admin"), LICENCE, photo())
    assert on_platform.status_code == 404
    assert on_platform.json()["code"] == "not_found"


def test_photos_are_throttled_per_user(api, ocr_queue, monkeypatch) -> None:
    monkeypatch.setattr(OcrThrottle, "THROTTLE_RATES", {"ocr": "2/min"})
    agent = api("datang_agent")
    assert [send(agent, LICENCE, photo()).status_code for _ in range(3)] == [202, 202, 429]
    third = send(agent, ID_CARD, photo())
    assert third.status_code == 429 and set(third.json()) == {"code", "message", "fields"}
    assert send(api("datang_owner"), LICENCE, photo()).status_code == 202  # another user: own count


def test_an_unknown_or_malformed_job_id_is_404(api) -> None:
    client = api("datang_agent")
    for job_id in ("0" * 32, "nope", "../../etc"):
        response = client.get(f"/api/v1/ocr/jobs/{job_id}/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
