"""Inbox messages from business events, delivered by each user's preferences; deliveries retried
with backoff and never sent twice."""

import json
import re
from datetime import timedelta

import pytest
import responses
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

import notices.services as notice_services
from accounts import sms
from core.events import emit
from core.models import WeChatBinding
from core.realtime import recent, user_channel
from notices.models import Delivery, DeliveryAttempt, DeliveryStatus, Notification
from notices.services import delivery_attempt, preferences_set
from notices.tasks import backoff_seconds, delivery_send_task
from tests.conftest import person
from tests.notices.conftest import WX, configure_wechat

SEND = f"{WX}/cgi-bin/message/template/send"


def service_step(step: str = "quoted", *, no: str = "SO202612010001") -> None:
    """The after-sales event the lead's service orders emit (same payload shape)."""
    owner, agent = person("datang_owner"), person("datang_agent")
    with transaction.atomic():
        emit(
            f"service_order.{step}",
            object_type="service_order",
            object_id=no[-4:],
            payload={"order_id": int(no[-4:]), "no": no, "state": "待车主确认", "owner_user_id": owner.pk,
                     "agent_user_id": agent.pk, "shop_id": 1},
        )  # fmt: skip


def in_datang_committed(django_capture_on_commit_callbacks, fn, *args, **kwargs):
    with schema_context("datang"), django_capture_on_commit_callbacks(execute=True):
        return fn(*args, **kwargs)


@pytest.fixture
def sms_outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def owner_on_wechat(datang):
    with schema_context("datang"):
        WeChatBinding.objects.create(openid="oXyZ-owner-openid-0001", user=person("datang_owner"))
    configure_wechat("datang")


def test_an_event_puts_a_message_in_the_owner_s_and_agent_s_inbox_and_pings_their_apps(
    api, datang, django_capture_on_commit_callbacks, sms_outbox, monkeypatch
) -> None:
    monkeypatch.setattr(notice_services, "_enqueue", lambda ids: None)  # delivery is tested below
    in_datang_committed(django_capture_on_commit_callbacks, service_step)
    owner = api("datang_owner")
    inbox = owner.get("/api/v1/notices/inbox/").json()["results"]
    assert [(m["category_label"], m["title"], m["body"]) for m in inbox] == [
        ("售后服务", "售后服务进度更新", "服务单 SO202612010001 当前状态：待车主确认。")
    ]
    assert owner.get("/api/v1/notices/unread/").json() == {"announcements": 0, "notifications": 1, "total": 1}
    assert api("datang_agent").get("/api/v1/notices/unread/").json()["notifications"] == 1
    pushed = recent(user_channel(person("datang_owner").pk, "datang"), count=5)
    assert pushed[-1]["event"] == "notices.notification"
    assert pushed[-1]["data"]["title"] == "售后服务进度更新"

    # The event is consumed once: replaying the consumer makes no second message.
    from notices.dispatch import process_events

    with schema_context("datang"):
        assert process_events() == 0
        assert Notification.objects.filter(kind="service_order.quoted").count() == 2

    read = owner.post(f"/api/v1/notices/inbox/{inbox[0]['id']}/read/")
    assert read.status_code == 200 and read.json()["read_at"]
    assert owner.get("/api/v1/notices/unread/").json()["total"] == 0


def test_read_all_clears_messages_and_announcements(
    api, team, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    monkeypatch.setattr(notice_services, "_enqueue", lambda ids: None)
    in_datang_committed(django_capture_on_commit_callbacks, service_step, "accepted", no="SO202612010002")
    in_datang_committed(django_capture_on_commit_callbacks, service_step, "done", no="SO202612010003")
    api("datang_admin").post(
        "/api/v1/notices/announcements/",
        {"title": "通知", "body_html": "<p>x</p>", "effective_from": "2026-12-01", "audience": "all"},
        format="json",
    )
    agent = api("datang_agent")
    assert agent.get("/api/v1/notices/unread/").json() == {"announcements": 1, "notifications": 2, "total": 3}
    assert agent.post("/api/v1/notices/inbox/read-all/").json() == {"marked": 3}
    assert agent.get("/api/v1/notices/unread/").json()["total"] == 0


def test_the_tenant_s_template_words_the_message(
    api, datang, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    monkeypatch.setattr(notice_services, "_enqueue", lambda ids: None)
    admin = api("datang_admin")
    saved = admin.put(
        "/api/v1/notices/templates/service_order/",
        {"title": "【大唐】您的爱车进度", "body": "服务单 {no}：{state}（{step}）", "enabled": True},
        format="json",
    )
    assert saved.status_code == 200 and saved.json()["customized"] is True
    bad = admin.put(
        "/api/v1/notices/templates/service_order/",
        {"title": "x", "body": "{password} {no.__class__}"},
        format="json",
    )
    assert bad.status_code == 400 and "body" in bad.json()["fields"]
    assert (
        admin.put("/api/v1/notices/templates/nope/", {"title": "x", "body": "y"}, format="json").status_code
        == 404
    )

    in_datang_committed(django_capture_on_commit_callbacks, service_step, "accepted")
    message = api("datang_owner").get("/api/v1/notices/inbox/").json()["results"][0]
    assert (message["title"], message["body"]) == (
        "【大唐】您的爱车进度",
        "服务单 SO202612010001：待车主确认（accepted）",
    )

    reset = admin.delete("/api/v1/notices/templates/service_order/")
    assert reset.json()["title"] == "售后服务进度更新" and reset.json()["customized"] is False


def test_deliveries_follow_each_user_s_preferences(
    api, datang, owner_on_wechat, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    monkeypatch.setattr(notice_services, "_enqueue", lambda ids: None)
    owner = api("datang_owner")
    prefs = owner.get("/api/v1/notices/preferences/").json()
    assert prefs["wechat_bound"] is True
    service = next(i for i in prefs["items"] if i["category"] == "service")
    assert (service["wechat"], service["sms"], service["email"]) == (True, True, True)
    for item in prefs["items"]:
        if item["category"] == "service":
            item["sms"] = False  # no SMS about repairs
    prefs["email"] = "zhao.owner@example.com"
    saved = owner.put("/api/v1/notices/preferences/", prefs, format="json")
    assert saved.status_code == 200, saved.json()

    in_datang_committed(django_capture_on_commit_callbacks, service_step)
    owner_user, agent_user = person("datang_owner"), person("datang_agent")
    with schema_context("datang"):
        by_user = {
            uid: sorted(Delivery.objects.filter(notification__user_id=uid).values_list("channel", "address"))
            for uid in (owner_user.pk, agent_user.pk)
        }
    assert by_user[owner_user.pk] == [
        ("email", "zhao.owner@example.com"),
        ("wechat", "oXyZ-owner-openid-0001"),
    ]
    # The agent keeps the defaults, has no WeChat bound and no email: SMS only.
    assert by_user[agent_user.pk] == [("sms", agent_user.mobile)]

    bad = owner.put("/api/v1/notices/preferences/", {"items": [{"category": "lottery", "wechat": True,
                                                                 "sms": True, "email": True}]}, format="json")  # fmt: skip
    assert bad.status_code == 400 and "items.0.category" in bad.json()["fields"]


def _owner_wechat_delivery(django_capture_on_commit_callbacks, monkeypatch) -> int:
    monkeypatch.setattr(notice_services, "_enqueue", lambda ids: None)
    with schema_context("datang"):
        preferences_set(actor=person("datang_owner"), choices=[
            {"category": "service", "channel": "sms", "enabled": False},
        ])  # fmt: skip
    in_datang_committed(django_capture_on_commit_callbacks, service_step)
    with schema_context("datang"):
        return Delivery.objects.get(notification__user=person("datang_owner"), channel="wechat").pk


def test_a_failing_provider_is_retried_until_it_answers_and_the_message_goes_once(
    owner_on_wechat, wechat_api, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    delivery_id = _owner_wechat_delivery(django_capture_on_commit_callbacks, monkeypatch)
    wechat_api.add(responses.POST, re.compile(rf"{SEND}\?.*"), status=500, body="upstream error")
    wechat_api.add(responses.POST, re.compile(rf"{SEND}\?.*"), status=500, body="upstream error")
    wechat_api.add(
        responses.POST, re.compile(rf"{SEND}\?.*"), json={"errcode": 0, "errmsg": "ok", "msgid": 200228332}
    )

    with schema_context("datang"):
        result = delivery_send_task.apply(args=[delivery_id])
        assert result.successful(), result.traceback
        delivery = Delivery.objects.get(pk=delivery_id)
        log = list(DeliveryAttempt.objects.filter(delivery=delivery).values_list("number", "ok"))
    sends = [c for c in wechat_api.calls if "/message/template/send" in c.request.url]
    assert len(sends) == 3
    assert [c.response.status_code for c in sends] == [500, 500, 200]
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 3)
    assert "200228332" in delivery.response
    assert log == [(1, False), (2, False), (3, True)]
    sent = json.loads(sends[-1].request.body)
    assert (sent["touser"], sent["template_id"]) == ("oXyZ-owner-openid-0001", "TPL-SERVICE-1")
    assert sent["data"]["keyword1"]["value"] == "服务单 SO202612010001 当前状态：待车主确认。"

    # The same task delivered again (acks_late after a lost ack) sends nothing more.
    with schema_context("datang"):
        delivery_send_task.apply(args=[delivery_id])
    assert len([c for c in wechat_api.calls if "/message/template/send" in c.request.url]) == 3


def test_backoff_doubles_from_thirty_seconds() -> None:
    assert [backoff_seconds(n) for n in range(5)] == [30, 60, 120, 240, 480]
    assert backoff_seconds(20) == 3600


class WorkerDied(BaseException):
    """Stands for the process being killed: nothing after it runs."""


def test_a_worker_that_dies_after_the_provider_call_causes_no_second_send(
    datang, sms_outbox, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    monkeypatch.setattr(notice_services, "_enqueue", lambda ids: None)
    in_datang_committed(django_capture_on_commit_callbacks, service_step)
    with schema_context("datang"):
        delivery = Delivery.objects.get(notification__user=person("datang_owner"), channel="sms")

    def die(*args, **kwargs):
        raise WorkerDied

    with monkeypatch.context() as m:
        m.setattr(notice_services, "_delivery_record_sent", die)
        with schema_context("datang"), pytest.raises(WorkerDied):
            delivery_attempt(delivery.pk)
    assert len(sms_outbox) == 1  # the provider got it; the worker died before recording that

    with schema_context("datang"):
        # Redelivered at once: the claim is still fresh, another worker may be on it.
        assert delivery_attempt(delivery.pk).status == DeliveryStatus.SENDING
        # Redelivered after the lease: the outcome is unknown, so it is not sent again.
        later = delivery_attempt(delivery.pk, now=timezone.now() + timedelta(minutes=6))
        assert later.status == DeliveryStatus.UNCERTAIN
        assert delivery_attempt(delivery.pk, now=timezone.now() + timedelta(minutes=7)).status == "uncertain"
        assert DeliveryAttempt.objects.filter(delivery=delivery).count() == 1
    assert len(sms_outbox) == 1
    assert sms_outbox[0].mobile == person("datang_owner").mobile


def test_email_goes_through_django_s_mail_backend(
    api, datang, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    monkeypatch.setattr(notice_services, "_enqueue", lambda ids: None)
    with schema_context("datang"):
        preferences_set(actor=person("datang_agent"), choices=[], email="wang.hf@example.com")
    in_datang_committed(django_capture_on_commit_callbacks, service_step)
    with schema_context("datang"):
        email = Delivery.objects.get(channel="email")
        delivery_send_task.apply(args=[email.pk])
        email.refresh_from_db()
    assert email.status == DeliveryStatus.SENT
    assert [(m.to, m.subject) for m in mail.outbox] == [(["wang.hf@example.com"], "售后服务进度更新")]
