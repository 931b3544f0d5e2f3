"""Real-time push: published after commit only, read over Server-Sent Events from the channels the
server picks for the user on this host, resumed from Last-Event-ID without loss."""

import json

import pytest
from django.db import transaction
from django_tenants.utils import schema_context

from accounts.services import auth_token_issue
from core import realtime
from core.validators import uscc_check_char
from directory.services import shop_create, shop_staff_add
from tests.conftest import person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def short_streams(settings):
    settings.REALTIME_STREAM_SECONDS = 0.3
    keys = list(realtime.client().scan_iter(f"{settings.REALTIME_KEY_PREFIX}:*"))
    if keys:
        realtime.client().delete(*keys)


def read_stream(client, url: str, **headers) -> list[tuple[str, dict]]:
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/event-stream"
    text = b"".join(response.streaming_content).decode()
    events = []
    for block in text.split("\n\n"):
        lines = dict(
            line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":")
        )
        if "data" in lines:
            events.append((lines.get("id", ""), json.loads(lines["data"])))
    return events


def ticket(client) -> str:
    made = client.post("/api/v1/realtime/ticket/")
    assert made.status_code == 200, made.json()
    return made.json()["url"]


def test_a_push_is_sent_after_commit_and_never_on_rollback(django_capture_on_commit_callbacks):
    agent = person("datang_agent")
    channel = realtime.user_channel(agent.pk, "datang")
    with django_capture_on_commit_callbacks(execute=True):
        realtime.publish([channel], "quote.sent", {"quote_no": "Q2026112600001", "premium": "2023.00"})
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        realtime.publish([channel], "quote.sent", {"quote_no": "Q-rolled-back"})
        raise RuntimeError("the write failed")
    assert [m["data"]["quote_no"] for m in realtime.recent(channel)] == ["Q2026112600001"]


def test_a_page_reads_its_own_channel_on_its_host_and_resumes_from_last_event_id(
    api, django_capture_on_commit_callbacks
):
    agent, owner = person("datang_agent"), person("datang_owner")
    client = api("datang_agent")
    url = ticket(client)
    with django_capture_on_commit_callbacks(execute=True), schema_context("datang"):
        realtime.publish([realtime.user_channel(agent.pk)], "service_order.accepted", {"no": "S1"})
        realtime.publish([realtime.user_channel(owner.pk)], "service_order.accepted", {"no": "owner-only"})
        realtime.publish([realtime.user_channel(agent.pk, "bowei")], "x", {"no": "bowei-host"})
    # A fresh connection starts after what is already there; one resuming from an id gets the rest.
    assert read_stream(client, url) == []
    first = read_stream(client, url, HTTP_LAST_EVENT_ID="0-0")
    assert [(m["event"], m["data"]["no"]) for _, m in first] == [("service_order.accepted", "S1")]
    with django_capture_on_commit_callbacks(execute=True), schema_context("datang"):
        realtime.publish(
            [realtime.user_channel(agent.pk)], "service_order.quoted", {"no": "S1", "total": "680.00"}
        )
    resumed = read_stream(client, url, HTTP_LAST_EVENT_ID=first[-1][0])
    assert [(m["event"], m["data"]["total"]) for _, m in resumed] == [("service_order.quoted", "680.00")]


def test_a_ticket_only_works_on_its_host_and_while_the_token_lives(api):
    client = api("datang_agent")
    url = ticket(client)
    elsewhere = api(None, host="bowei.localhost").get(url)
    assert elsewhere.status_code == 401 and elsewhere.json()["code"] == "token_wrong_scope"
    assert api(None).get(url).status_code == 401
    forged = api(None, host="datang.localhost").get(url[:-3] + "abc")
    assert forged.status_code == 401 and forged.json()["code"] == "ticket_invalid"
    assert api(None, host="datang.localhost").post("/api/v1/realtime/ticket/").status_code == 401
    client.post("/api/v1/auth/logout/")
    revoked = api(None, host="datang.localhost").get(url)
    assert revoked.status_code == 401 and revoked.json()["code"] == "token_invalid"


def test_shop_staff_read_their_shop_channel_and_no_other(api, django_capture_on_commit_callbacks):
    first17 = "91430100MA4L7R2K0"
    shop = shop_create(actor=None, name="长沙岳麓店", uscc=first17 + uscc_check_char(first17))
    other17 = "91430100MA4L7R2K1"
    other = shop_create(actor=None, name="长沙雨花店", uscc=other17 + uscc_check_char(other17))
    staff = shop_staff_add(actor=None, shop=shop, mobile="13655598001", name="岳麓店小李")
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {auth_token_issue(user=staff, tenant_id=None).token}")
    url = ticket(client)
    with django_capture_on_commit_callbacks(execute=True):
        realtime.publish([realtime.shop_channel(other.pk)], "service_order.requested", {"no": "other"})
        realtime.publish([realtime.shop_channel(shop.pk)], "service_order.requested", {"no": "mine"})
    got = read_stream(client, url, HTTP_LAST_EVENT_ID="0-0_0-0")
    assert [m["data"]["no"] for _, m in got] == ["mine"]


def test_each_stream_gets_the_message_in_order_with_its_week_long_ttl_and_stays_bounded(
    django_capture_on_commit_callbacks,
):
    """The append (one script for all channels): on every channel, each committed message as one
    entry ``m``, in commit order, the stream's TTL a week, its length kept near STREAM_MAXLEN."""
    shop, user = realtime.shop_channel(3), realtime.user_channel(7, "datang")
    for no in ("SO1", "SO2"):
        with django_capture_on_commit_callbacks(execute=True):
            realtime.publish([user, shop, ""], "order.step", {"order_no": no, "status": "维修中"})
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        realtime.publish([user, shop], "order.step", {"order_no": "SO-rolled-back"})
        raise RuntimeError("the write failed")
    for channel in (user, shop):
        key = realtime.stream_key(channel)
        rows = realtime.client().xrange(key)
        assert [list(fields) for _, fields in rows] == [[b"m"], [b"m"]]
        messages = [json.loads(fields[b"m"]) for _, fields in rows]
        assert [(m["event"], m["data"]) for m in messages] == [
            ("order.step", {"order_no": "SO1", "status": "维修中"}),
            ("order.step", {"order_no": "SO2", "status": "维修中"}),
        ]
        assert realtime.STREAM_TTL_SECONDS - 5 <= realtime.client().ttl(key) <= realtime.STREAM_TTL_SECONDS
    message = json.dumps({"event": "x", "data": {}, "at": "2026-12-06T00:00:00+00:00"})
    for _ in range(realtime.STREAM_MAXLEN + 300):
        realtime._append([shop], message)
    # MAXLEN ~ trims whole nodes (100 entries each): at least STREAM_MAXLEN left, fewer than appended
    assert (
        realtime.STREAM_MAXLEN
        <= realtime.client().xlen(realtime.stream_key(shop))
        < realtime.STREAM_MAXLEN + 302
    )
