"""拍照识别 in the agent app (issue 23): on 新增客户 the agent picks a photo of a 身份证 and of a 行驶证
(drawn by tests/ocr_samples.py), a real worker reads them, the fields fill in, the VIN that fails its
check digit is filled as read and marked for a look; with 保存证件照片 ticked the licence photo is
kept with the new customer's car."""

import os
import random

import pytest
from celery.contrib.testing.worker import start_worker
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from config.celery import app
from customers.models import Customer, Document
from network.services import agent_create, tier_create
from tests.conftest import committed_db
from tests.e2e.test_branding_login import field, login
from tests.ocr_samples import id_card, vehicle_licence

pytestmark = [pytest.mark.e2e, pytest.mark.worker, committed_db]

AGENT_MOBILE = "13644449311"
BAD_VIN = "LFV2A21K3D4123456"  # the check digit (9th) should be 8


def test_an_agent_fills_a_new_customer_from_photos_and_keeps_the_licence(
    page: Page, url_on, settings, tmp_path
) -> None:
    settings.OCR_QUEUE = f"test-ocr-e2e-{os.getpid()}"
    with schema_context("datang"):
        tier = tier_create(
            actor=None, name="拍照销售", rank=23
        )  # ranks are unique per tenant; committed tests keep theirs
        agent_create(
            actor=None,
            name="严拍照",
            mobile=AGENT_MOBILE,
            licence_no="L-9311",
            tier_id=tier.pk,
            password="Agent@2026x",
        )
    rng = random.Random(1)
    card = id_card(rng, distort=False)
    licence = vehicle_licence(rng, distort=False, overrides={"vin": BAD_VIN})
    (tmp_path / "id.jpg").write_bytes(card.image)
    (tmp_path / "licence.jpg").write_bytes(licence.image)

    page.goto(url_on("datang", "/agent/"))
    login(page, AGENT_MOBILE, "Agent@2026x")
    page.get_by_test_id("entry-customers").click()
    page.get_by_text("新增").click()
    with start_worker(
        app, pool="solo", perform_ping_check=False, queues=[settings.OCR_QUEUE], shutdown_timeout=30
    ):
        page.get_by_test_id("ocr-id_card-file").set_input_files(str(tmp_path / "id.jpg"))
        expect(field(page, "customer-id-number")).to_have_value(card.truth["id_number"], timeout=120_000)
        expect(field(page, "customer-name")).to_have_value(card.truth["name"])

        page.get_by_test_id("ocr-vehicle_licence-file").set_input_files(str(tmp_path / "licence.jpg"))
        expect(field(page, "vehicle-plate")).to_have_value(licence.truth["plate"], timeout=120_000)
    expect(field(page, "vehicle-vin")).to_have_value(BAD_VIN)  # as read, not corrected
    expect(page.get_by_text("请核对车辆识别代号：车架号（VIN）第9位校验位不正确")).to_be_visible()
    expect(field(page, "vehicle-brand")).to_have_value(licence.truth["brand_model"])
    expect(field(page, "vehicle-registered")).to_have_value(licence.truth["registered_on"])

    field(page, "vehicle-vin").fill(BAD_VIN[:8] + "8" + BAD_VIN[9:])  # checked against the card
    field(page, "customer-mobile").fill("13644449312")
    page.get_by_test_id("ocr-vehicle_licence-keep").click()
    page.get_by_test_id("customer-save").click()
    expect(page.get_by_test_id("vehicle-row")).to_contain_text(licence.truth["plate"])

    with schema_context("datang"):
        customer = Customer.objects.get(mobile="13644449312")
        assert customer.name == card.truth["name"]
        kept = list(Document.objects.filter(customer=customer).values_list("kind", "vehicle__plate"))
        assert kept == [("vehicle_licence", licence.truth["plate"])]  # the ID card was not ticked: not kept
