"""拍照识别 through a real Celery worker (real Redis broker): a generated 行驶证 and 身份证 photo posted
to the API are read by the worker, which loads the model once, and the page gets every field back
with its check, and an ``ocr.done`` push on the sender's realtime stream.

The images are drawn by tests/ocr_samples.py (made-up people and cars). One worker for the module:
the model is loaded once per test session (ocr.engine keeps it), a few seconds in all."""

import json
import os
import random
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.uploadedfile import SimpleUploadedFile

from config.celery import app
from core import realtime
from ocr import engine
from tests.conftest import committed_db, person
from tests.ocr_samples import id_card, vehicle_licence


@pytest.fixture
def worker(settings):
    settings.OCR_QUEUE = f"test-ocr-{os.getpid()}"
    with start_worker(
        app, pool="solo", perform_ping_check=False, queues=[settings.OCR_QUEUE], shutdown_timeout=10
    ):
        yield


def wait_done(client, job_id: str) -> dict:
    deadline = time.monotonic() + 120  # a loaded CI machine: the first photo also loads the model
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/ocr/jobs/{job_id}/").json()
        if job["status"] != "pending":
            return job
        time.sleep(0.2)
    raise AssertionError("the worker did not read the photo in 120 s")


@pytest.mark.worker
@committed_db
def test_a_photographed_licence_and_id_card_come_back_filled_through_the_worker(api, worker) -> None:
    rng = random.Random(2026)
    licence, card = vehicle_licence(rng), id_card(rng)
    agent = api("datang_agent")

    sent = agent.post(
        "/api/v1/ocr/vehicle-licence/",
        {"image": SimpleUploadedFile("licence.jpg", licence.image)},
        format="multipart",
    )
    assert sent.status_code == 202, sent.content
    job = wait_done(agent, sent.json()["id"])
    assert job["status"] == "done", job
    read = {r["key"]: r for r in job["readings"]}
    assert list(read) == [
        "plate",
        "vehicle_type",
        "owner",
        "address",
        "use_character",
        "brand_model",
        "vin",
        "engine_no",
        "registered_on",
        "issued_on",
    ]
    assert {key: r["value"] for key, r in read.items()} == licence.truth
    assert read["vin"]["flagged"] is False and read["vin"]["problem"] == ""
    assert read["plate"]["label"] == "号牌号码" and 0.8 <= read["plate"]["confidence"] <= 1

    sent = agent.post(
        "/api/v1/ocr/id-card/", {"image": SimpleUploadedFile("id.webp", card.image)}, format="multipart"
    )
    job = wait_done(agent, sent.json()["id"])
    assert {r["key"]: r["value"] for r in job["readings"]} == card.truth
    assert not any(r["flagged"] for r in job["readings"])

    assert engine.loads == 1  # the solo worker runs in this process: one model for both photos

    # the sender's stream says each job is done, with its id only (no fields in a stream kept a week)
    channel = realtime.user_channel(person("datang_agent").pk, "datang")
    pushed = [
        json.loads(fields[b"m"]) for _, fields in realtime.client().xrange(realtime.stream_key(channel))
    ]
    done = [m["data"] for m in pushed if m["event"] == "ocr.done"]
    assert [d["status"] for d in done] == ["done", "done"]
    assert all(set(d) == {"id", "status"} for d in done)
