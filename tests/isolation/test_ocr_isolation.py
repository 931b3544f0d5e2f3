"""A 拍照识别 job (a photo of someone's 行驶证 or 身份证, then its fields) is its sender's alone, on the
host it was sent to: another tenant's host, the same tenant's other users and a token from another
host all get nothing, and the worker's push names the sender's channel only, without the fields."""

import os
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from config.celery import app
from core import realtime
from ocr import services
from ocr.parsing import Line
from tests.conftest import person
from tests.ocr_samples import id_card


@pytest.fixture
def ocr_queue(settings):
    settings.OCR_QUEUE = f"test-ocr-nowhere-{os.getpid()}"
    yield settings.OCR_QUEUE
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(settings.OCR_QUEUE)


def submitted(api, who: str) -> str:
    sample = id_card(random.Random(11), distort=False)
    response = api(who).post(
        "/api/v1/ocr/id-card/", {"image": SimpleUploadedFile("id.jpg", sample.image)}, format="multipart"
    )
    assert response.status_code == 202, response.content
    return response.json()["id"]


def finish(schema: str, job_id: str, monkeypatch) -> None:
    """Run the worker's step in ``schema`` with the engine replaced by fixed lines (the reading
    itself is tested through a real worker elsewhere)."""
    from ocr import engine

    lines = [
        Line("姓名李小梅", 0.99, [[0, 0], [200, 0], [200, 30], [0, 30]]),
        Line("公民身份号码110101198512310023", 0.99, [[0, 60], [600, 60], [600, 90], [0, 90]]),
    ]
    monkeypatch.setattr(engine, "read_lines", lambda image: (lines, 0.01))
    with schema_context(schema):
        assert services.ocr_job_run(job_id) == "done"


def test_a_job_of_datang_is_not_readable_from_bowei_or_by_another_user(api, ocr_queue, monkeypatch) -> None:
    job_id = submitted(api, "datang_agent")
    finish("datang", job_id, monkeypatch)
    path = f"/api/v1/ocr/jobs/{job_id}/"

    mine = api("datang_agent").get(path)
    assert mine.status_code == 200
    assert {r["key"]: r["value"] for r in mine.json()["readings"]}["id_number"] == "110101198512310023"

    for response in (
        api("bowei_agent").get(path),  # another tenant's host: no such job there
        api("bowei_admin").get(path),
        api("datang_owner").get(path),  # same host, another user
        api("datang_admin").get(path),  # even the tenant's admin: the photo is the sender's
    ):
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "message": "识别任务不存在或已过期", "fields": {}}

    wrong_host = api("datang_agent", host="bowei.localhost").get(path)  # datang's token on bowei's host
    assert wrong_host.status_code == 401
    assert wrong_host.json()["code"] == "token_wrong_scope"


def test_the_same_job_id_sent_on_bowei_s_host_finds_bowei_s_job_only(api, ocr_queue, monkeypatch) -> None:
    datang_job = submitted(api, "datang_agent")
    bowei_job = submitted(api, "bowei_agent")
    assert api("bowei_agent").get(f"/api/v1/ocr/jobs/{bowei_job}/").status_code == 200
    assert api("bowei_agent").get(f"/api/v1/ocr/jobs/{datang_job}/").status_code == 404
    assert api("datang_agent").get(f"/api/v1/ocr/jobs/{bowei_job}/").status_code == 404


def test_the_worker_pushes_to_the_sender_s_channel_only_and_without_the_fields(
    api, ocr_queue, monkeypatch
) -> None:
    job_id = submitted(api, "datang_agent")
    pushed: list[tuple[list[str], str, dict]] = []
    monkeypatch.setattr(
        realtime, "publish", lambda channels, event, data: pushed.append((channels, event, data))
    )
    finish("datang", job_id, monkeypatch)
    agent = person("datang_agent")
    assert pushed == [([f"datang:user:{agent.pk}"], "ocr.done", {"id": job_id, "status": "done"})]
    with schema_context("datang"):
        assert services.cache.get(f"ocr:image:{job_id}") is None  # the photo is gone once read
