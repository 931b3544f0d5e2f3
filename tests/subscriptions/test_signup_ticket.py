"""进入我的控制台 signs the new admin in: a one-time ticket, issued once per signup to the browser that
submitted it, short-lived, spent by its first use, good on the new tenant's host only."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_redis import get_redis_connection

from subscriptions import services
from subscriptions.models import Signup
from subscriptions.services import signup_provision
from tests.subscriptions.test_signup import MOBILE, form, send_code

pytestmark = pytest.mark.django_db


def ticket_of(url: str) -> str:
    prefix = "http://huaxin.localhost/console/#/login?ticket="
    assert url.startswith(prefix), url
    return url.removeprefix(prefix)


def test_the_new_admin_is_signed_in_once_by_a_short_lived_ticket(api, datang) -> None:
    body = form(sms_code=send_code(api))
    signup = api(None).post("/api/v1/signup/", body, format="json").json()
    ask = f"/api/v1/signup/{signup['id']}/ticket/"
    # not before the tenant exists
    early = api(None).post(ask, {"request_id": body["request_id"]}, format="json")
    assert early.status_code == 409, early.content
    signup_provision(signup_id=signup["id"])

    # only the browser that submitted the form knows the request_id (the progress URL has the id)
    stranger = api(None).post(ask, {"request_id": signup["id"]}, format="json")
    assert stranger.status_code == 404
    issued = api(None).post(ask, {"request_id": body["request_id"]}, format="json")
    assert issued.status_code == 200, issued.content
    assert issued.json()["expires_in"] == 120
    ticket = ticket_of(issued.json()["signin_url"])
    assert len(ticket) >= 40
    # short expiry, and the ticket itself is not what Redis keeps
    redis = get_redis_connection("default")
    assert 0 < redis.ttl(services._ticket_key(ticket)) <= 120
    assert redis.get(f"sxb-signup-ticket:{ticket}") is None
    # once per signup
    again = api(None).post(ask, {"request_id": body["request_id"]}, format="json")
    assert again.status_code == 409

    # not on the platform host (the route is the tenant's), nor on another tenant's host
    assert api(None).post("/api/v1/auth/signup-ticket/", {"ticket": ticket}, format="json").status_code == 404
    host = api(None, host="huaxin.localhost")
    signed_in = host.post("/api/v1/auth/signup-ticket/", {"ticket": ticket}, format="json")
    assert signed_in.status_code == 200, signed_in.content
    assert (signed_in.json()["user"]["mobile"], signed_in.json()["roles"]) == (MOBILE, ["tenant_admin"])
    host.credentials(HTTP_AUTHORIZATION=f"Bearer {signed_in.json()['token']}")
    assert host.get("/api/v1/me/").json()["scope"]["schema_name"] == "huaxin"

    # reused: refused, and no second token
    reused = api(None, host="huaxin.localhost").post(
        "/api/v1/auth/signup-ticket/", {"ticket": ticket}, format="json"
    )
    assert reused.status_code == 401 and reused.json()["code"] == "ticket_invalid"
    forged = api(None, host="huaxin.localhost").post(
        "/api/v1/auth/signup-ticket/", {"ticket": "x" * 43}, format="json"
    )
    assert forged.status_code == 401 and forged.json()["code"] == "ticket_invalid"


def test_a_ticket_is_spent_on_another_tenant_s_host_and_none_is_issued_late(api, datang) -> None:
    body = form(sms_code=send_code(api))
    signup = api(None).post("/api/v1/signup/", body, format="json").json()
    signup_provision(signup_id=signup["id"])
    ticket = services.signup_ticket_issue(signup_id=signup["id"], request_id=body["request_id"])

    other = api(None, host="datang.localhost").post(
        "/api/v1/auth/signup-ticket/", {"ticket": ticket}, format="json"
    )
    assert other.status_code == 401 and other.json()["code"] == "ticket_invalid"
    # tried on the wrong host, it is gone for the right one too
    home = api(None, host="huaxin.localhost").post(
        "/api/v1/auth/signup-ticket/", {"ticket": ticket}, format="json"
    )
    assert home.status_code == 401

    # 30 minutes after provisioning, no ticket at all: the admin logs in with the password
    get_redis_connection("default").delete(f"sxb-signup-ticket-issued:{signup['id']}")
    Signup.objects.filter(pk=signup["id"]).update(updated_at=timezone.now() - timedelta(minutes=31))
    late = api(None).post(
        f"/api/v1/signup/{signup['id']}/ticket/", {"request_id": body["request_id"]}, format="json"
    )
    assert late.status_code == 409
