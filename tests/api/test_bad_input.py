"""Bad input gets a 4xx in the error shape ({code, message, fields}) naming what was wrong, never
a 500 or an HTML page. Each case here was a 500 (or an HTML answer) before its fix."""

import json
import time

import pytest
import requests
import responses
import stripe
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from core.models import ProcessedWebhook
from tests.notices.conftest import WX, configure_wechat
from tests.notices.test_wechat import begin

pytestmark = pytest.mark.django_db


def assert_error_shape(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert set(body) == {"code", "message", "fields"}, body
    assert isinstance(body["message"], str) and body["message"]
    if code is not None:
        assert body["code"] == code, body
    return body


@pytest.mark.parametrize(
    ("host", "path"),
    [
        ("localhost", "/api/v1/auth/token/"),
        ("datang.localhost", "/api/v1/auth/sms/send/"),
        ("datang.localhost", "/api/v1/auth/sms/token/"),
        ("datang.localhost", "/api/v1/wechat/oauth/login/"),
        ("localhost", "/api/v1/signup/sms/"),
    ],
)
def test_a_list_as_the_body_of_a_throttled_endpoint_is_a_400(api, host, path) -> None:
    response = api(None, host=host).post(path, [], format="json")
    body = assert_error_shape(response, 400, "invalid")
    assert (body["message"], body["fields"]) == ("请求体应为 JSON 对象", {})


def test_deeply_nested_json_is_a_400_before_login(api) -> None:
    nested = "[" * 100_000 + "]" * 100_000
    response = api(None).post("/api/v1/auth/token/", nested, content_type="application/json")
    body = assert_error_shape(response, 400, "parse_error")
    assert "嵌套" in body["message"]


def test_json_nested_deeper_than_the_limit_is_refused_even_when_python_could_parse_it(api) -> None:
    """65 levels: json.loads manages it, the parser refuses it (no endpoint takes more than a few)."""
    body = {"mobile": "13700001001", "password": "x"}
    inner: dict = body
    for _ in range(64):
        inner["x"] = {}
        inner = inner["x"]
    response = api(None).post("/api/v1/auth/token/", body, format="json")
    assert_error_shape(response, 400, "parse_error")


@pytest.mark.parametrize(
    ("who", "path", "param"),
    [
        ("datang_admin", "/api/v1/products/", "source"),
        ("datang_admin", "/api/v1/customers/", "search"),
        ("datang_owner", "/api/v1/service-orders/", "search"),
    ],
)
def test_a_nul_byte_in_a_query_parameter_is_a_400_naming_it(api, who, path, param) -> None:
    response = api(who).get(path, {param: "a\x00b"})
    body = assert_error_shape(response, 400, "invalid")
    assert body["fields"] == {param: ["不能包含空字符（\\x00）"]}


def test_a_nul_byte_in_a_json_body_string_is_a_400_naming_the_field(api) -> None:
    response = api(None).post(
        "/api/v1/auth/token/", {"mobile": "1370000\x001001", "password": "x"}, format="json"
    )
    body = assert_error_shape(response, 400, "invalid")
    assert body["fields"] == {"mobile": ["不能包含空字符（\\x00）"]}


def test_a_nul_byte_in_a_nested_body_string_names_its_dotted_path(api) -> None:
    response = api("datang_admin").post(
        "/api/v1/customers/",
        {"name": "李四", "mobile": "13912345678", "vehicles": [{"plate": "粤B\x002088Z"}]},
        format="json",
    )
    body = assert_error_shape(response, 400, "invalid")
    assert body["fields"] == {"vehicles.0.plate": ["不能包含空字符（\\x00）"]}


def test_putting_empty_network_settings_is_a_400_naming_the_field(api) -> None:
    response = api("datang_admin").put("/api/v1/network/settings/", {}, format="json")
    body = assert_error_shape(response, 400, "invalid")
    assert list(body["fields"]) == ["agent_signup_requires_approval"]


def test_a_huge_maintenance_interval_is_a_400_naming_it(api) -> None:
    response = api("datang_admin").post(
        "/api/v1/customers/",
        {
            "name": "李四",
            "mobile": "13912345678",
            "vehicles": [{"plate": "粤B2088Z", "maintenance_every_km": 10**12, "mileage_km": 10**10}],
        },
        format="json",
    )
    body = assert_error_shape(response, 400, "invalid")
    assert set(body["fields"]) == {"vehicles.0.maintenance_every_km", "vehicles.0.mileage_km"}


def test_wechat_login_while_wechat_is_unreachable_is_a_502(api, datang) -> None:
    configure_wechat("datang")
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, f"{WX}/sns/oauth2/access_token", body=requests.ConnectionError("unreachable"))
        client = api(None, host="datang.localhost")
        response = client.post(
            "/api/v1/wechat/oauth/login/", {"code": "081CodeX", "state": begin(client)}, format="json"
        )
    body = assert_error_shape(response, 502, "wechat_unavailable")
    assert body["fields"] == {}


def test_wechat_login_while_wechat_answers_500_is_a_502(api, datang) -> None:
    configure_wechat("datang")
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, f"{WX}/sns/oauth2/access_token", status=500, body="<html>down</html>")
        client = api(None, host="datang.localhost")
        response = client.post(
            "/api/v1/wechat/oauth/login/", {"code": "081CodeY", "state": begin(client)}, format="json"
        )
    assert_error_shape(response, 502, "wechat_unavailable")


@pytest.mark.parametrize("schema", ["nosuchtenant", "public"])
def test_a_signed_stripe_event_naming_an_unknown_tenant_is_acknowledged_and_ignored(api, schema) -> None:
    event_id = f"evt_unknown_{schema}_{time.time_ns()}"
    payload = json.dumps({
        "id": event_id, "object": "event", "type": "payment_intent.succeeded", "api_version": "2025-01-27",
        "created": int(time.time()),
        "data": {"object": {"id": "pi_x", "object": "payment_intent", "metadata": {"tenant": schema}}},
    })  # fmt: skip
    header = stripe.WebhookSignature.generate_signature_header(payload, settings.STRIPE_WEBHOOK_SECRET)
    response = api(None).post("/api/v1/payments/stripe/webhook/", payload, content_type="application/json",
                              HTTP_STRIPE_SIGNATURE=header)  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json() == {"result": "unknown tenant"}
    with schema_context("public"):  # recorded: Stripe does not retry it for days
        assert ProcessedWebhook.objects.filter(event_id=event_id).count() == 1


TEN_MB = 10 * 1024 * 1024


def test_a_10_mb_json_body_is_a_413_in_the_error_shape(api) -> None:
    payload = json.dumps({"mobile": "13700001001", "password": "x" * TEN_MB})
    response = api(None).post("/api/v1/auth/token/", payload, content_type="application/json")
    assert_error_shape(response, 413, "too_large")


def test_a_10_mb_form_body_is_a_413_in_the_error_shape(api) -> None:
    response = api("datang_admin").post(
        "/api/v1/customers/", f"name={'x' * TEN_MB}", content_type="application/x-www-form-urlencoded"
    )
    assert_error_shape(response, 413, "too_large")


def test_a_10_mb_body_to_a_path_that_is_not_an_endpoint_is_a_413_not_a_page(api) -> None:
    response = api(None).post("/api/v1/nowhere/", "x" * TEN_MB, content_type="application/octet-stream")
    assert response.status_code in (404, 413)
    assert_error_shape(response, response.status_code)


def test_django_level_errors_under_api_are_in_the_error_shape() -> None:
    client = Client(HTTP_HOST="localhost")
    assert_error_shape(client.get("/api/v1/no/such/thing/"), 404, "not_found")
    assert_error_shape(client.get("/api/"), 404, "not_found")
    # A path that does not end in a slash: CommonMiddleware would redirect (or, for a POST, raise).
    missing_slash = client.post("/api/v1/auth/token", {"mobile": "1"})
    assert_error_shape(missing_slash, 404, "not_found")


def test_an_unknown_host_is_a_404_in_the_error_shape_under_api() -> None:
    response = Client(HTTP_HOST="nosuch.localhost").get("/api/v1/me/")
    assert_error_shape(response, 404)


def test_a_bug_under_api_is_a_500_in_the_error_shape(api, monkeypatch) -> None:
    from api.v1.accounts import me

    def boom(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(me.MeView, "get", boom)
    client = api("datang_admin")
    client.raise_request_exception = False
    response = client.get("/api/v1/me/")
    assert_error_shape(response, 500, "server_error")


def test_the_js_sdk_signature_while_wechat_is_unreachable_is_a_502(api, datang) -> None:
    configure_wechat("datang")
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, f"{WX}/cgi-bin/token", body=requests.ConnectTimeout("timed out"))
        response = api(None, host="datang.localhost").get(
            "/api/v1/wechat/jssdk/", {"url": "http://datang.localhost/"}
        )
    assert_error_shape(response, 502, "wechat_unavailable")
