"""Caps on open streams: five per user, a bound per host (tenant), the one over refused with 429 in
the error shape; a stream that ends gives its slot back, and a killed one's slot lapses with its lease."""

import time

import pytest

from core import realtime
from tests.conftest import person
from tests.realtime.test_stream import read_stream, ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def caps(settings):
    settings.REALTIME_STREAM_SECONDS = 0.2
    settings.REALTIME_MAX_STREAMS_PER_USER = 5
    settings.REALTIME_MAX_STREAMS_PER_TENANT = 200
    settings.REALTIME_KEEPALIVE_SECONDS = 15


def test_a_sixth_stream_of_one_user_is_refused_until_one_closes(api):
    agent = api("datang_agent")
    url = ticket(agent)
    held = [agent.get(url) for _ in range(5)]  # opened and not read: each holds its slot
    assert [r.status_code for r in held] == [200] * 5
    refused = agent.get(url)
    assert refused.status_code == 429
    assert refused.json() == {
        "code": "too_many_streams",
        "message": "此账号打开的实时连接已达 5 个，请关闭其他页面后重试",
        "fields": {},
    }
    assert refused["Retry-After"] == "15"
    # Another person on the same host is not affected by the agent's streams.
    assert api("datang_admin").get(ticket(api("datang_admin"))).status_code == 200
    b"".join(held[0].streaming_content)  # one ends (its time is up) and the server closes it
    assert agent.get(url).status_code == 200
    assert agent.get(url).status_code == 429


def test_the_user_cap_counts_streams_on_every_host(api, datang, bowei):
    # One person, an owner on two tenants' hosts: five streams in all, wherever they are.
    from accounts.services import membership_grant

    owner = person("datang_owner")
    membership_grant(user=owner, role="owner", tenant_id=bowei.pk)
    on_datang = api("datang_owner")
    on_bowei = api("datang_owner", host="bowei.localhost", token_host="bowei.localhost")
    datang_url, bowei_url = ticket(on_datang), ticket(on_bowei)
    assert [on_datang.get(datang_url).status_code for _ in range(3)] == [200] * 3
    assert [on_bowei.get(bowei_url).status_code for _ in range(3)] == [200, 200, 429]
    assert realtime.open_streams(realtime.slot_keys(owner.pk, "datang")[0]) == 5


def test_a_full_tenant_refuses_new_streams_and_other_tenants_are_not_affected(api, settings):
    settings.REALTIME_MAX_STREAMS_PER_TENANT = 3
    agent, admin = api("datang_agent"), api("datang_admin")
    agent_url, admin_url = ticket(agent), ticket(admin)
    assert [agent.get(agent_url).status_code for _ in range(2)] == [200, 200]
    assert admin.get(admin_url).status_code == 200
    full = admin.get(admin_url)
    assert full.status_code == 429 and full.json()["code"] == "site_streams_full"
    assert full.json()["fields"] == {}
    assert realtime.open_streams(realtime.slot_keys(0, "datang")[1]) == 3
    bowei = api("bowei_agent")
    assert bowei.get(ticket(bowei)).status_code == 200


def test_a_stream_that_ends_gives_its_slot_back(api):
    agent = api("datang_agent")
    url = ticket(agent)
    for _ in range(7):  # each one read to its end (the stream's time is up) before the next opens
        assert read_stream(agent, url) == []
    assert realtime.open_streams(realtime.slot_keys(person("datang_agent").pk, "datang")[0]) == 0


def test_a_killed_connection_frees_its_slot_when_its_lease_runs_out(api, settings):
    settings.REALTIME_KEEPALIVE_SECONDS = 0.2  # lease: three keepalives, 0.6 s
    agent = api("datang_agent")
    url = ticket(agent)
    # Five streams whose process died: never read, never closed, never renewed.
    assert [agent.get(url).status_code for _ in range(5)] == [200] * 5
    assert agent.get(url).status_code == 429
    time.sleep(0.7)
    assert agent.get(url).status_code == 200


def test_a_renewed_lease_holds_past_its_first_term_and_a_lapsed_one_is_lost(settings):
    settings.REALTIME_KEEPALIVE_SECONDS = 0.2
    held, lapsed = (
        realtime.Slot(realtime.slot_keys(41, "datang")),
        realtime.Slot(realtime.slot_keys(42, "datang")),
    )
    assert held.acquire() == realtime.SLOT_OK and lapsed.acquire() == realtime.SLOT_OK
    for _ in range(4):  # 0.8 s in all, renewed every 0.2 s
        time.sleep(0.2)
        assert held.renew()
    assert not lapsed.renew()
    assert realtime.open_streams(held.keys[1]) == 1
    held.release()
    assert realtime.open_streams(held.keys[1]) == 0


def test_the_stream_client_waits_longer_than_a_keepalive_and_holds_many_connections(settings):
    # redis-py's defaults (5 s read timeout, 100 connections) cut a 15 s XREAD and a 101st stream.
    options = realtime.client_options()
    assert options["socket_timeout"] >= 60 > settings.REALTIME_KEEPALIVE_SECONDS
    assert options["max_connections"] >= 10_000
