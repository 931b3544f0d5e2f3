"""The 公众号 login and JS-SDK with WeChat's recorded answers (wechatpy's own client code runs)."""

import hashlib
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django_tenants.utils import schema_context

from accounts import sms
from accounts.models import Membership, Role, User
from core.crypto import decrypt_text
from core.models import WeChatBinding, WeChatSettings
from tests.notices.conftest import APP_ID, APP_SECRET, WX, configure_wechat

OAUTH = f"{WX}/sns/oauth2/access_token"
TICKET = "kgt8ON7yVITDhtdwci0qeZ6yk8JOKG8ZoEU4OV3HaJQ1Aw3MK5bYR9z2zAHLMuwAv4ie6GEf0gw9QRo4gpQ3Yg"


def oauth_answer(mock, code: str, openid: str) -> None:
    mock.add(
        responses.GET,
        re.compile(rf"{OAUTH}\?.*code={code}.*"),
        json={"access_token": "ACCESS_TOKEN_OAUTH", "expires_in": 7200, "refresh_token": "REFRESH",
              "openid": openid, "scope": "snsapi_base"},
    )  # fmt: skip


def begin(client, redirect: str = "http://datang.localhost/#/wechat") -> str:
    """What the page does before sending the owner to WeChat: ask for the authorize URL (which sets
    this browser's state cookie); returns the state WeChat will bring back."""
    response = client.get("/api/v1/wechat/oauth/url/", {"redirect": redirect})
    assert response.status_code == 200, response.json()
    return parse_qs(urlsplit(response.json()["url"]).query)["state"][0]


def test_a_new_wechat_user_binds_a_mobile_and_becomes_an_owner(api, datang, wechat_api) -> None:
    configure_wechat("datang")
    oauth_answer(wechat_api, "081Code1", "oNEW-openid-0001")
    client = api(None, host="datang.localhost")

    first = client.post(
        "/api/v1/wechat/oauth/login/", {"code": "081Code1", "state": begin(client)}, format="json"
    )
    assert first.status_code == 200, first.json()
    assert first.json()["bound"] is False
    ticket = first.json()["bind_ticket"]

    sms.outbox.clear()
    assert client.post("/api/v1/auth/sms/send/", {"mobile": "13922223333"}, format="json").status_code == 202
    code = sms.outbox[-1].params["code"]
    wrong = client.post("/api/v1/wechat/bind/", {"bind_ticket": ticket, "mobile": "13922223333", "code": "000000"},
                        format="json")  # fmt: skip
    assert wrong.status_code == 400 and "code" in wrong.json()["fields"]
    bound = client.post(
        "/api/v1/wechat/bind/", {"bind_ticket": ticket, "mobile": "13922223333", "code": code}, format="json"
    )
    assert bound.status_code == 200, bound.json()
    assert bound.json()["roles"] == ["owner"]
    user = User.objects.get(mobile="13922223333")
    assert Membership.objects.filter(user=user, tenant=datang, role=Role.OWNER).exists()
    with schema_context("datang"):
        assert WeChatBinding.objects.get(openid="oNEW-openid-0001").user == user

    me = api(None, host="datang.localhost")
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {bound.json()['token']}")
    assert me.get("/api/v1/me/").json()["mobile"] == "13922223333"
    # The ticket was used up.
    again = client.post("/api/v1/wechat/bind/", {"bind_ticket": ticket, "mobile": "13922223333", "code": code},
                        format="json")  # fmt: skip
    assert again.status_code == 400 and again.json()["code"] == "wechat_bind_expired"


def test_a_bound_owner_is_logged_in_straight_from_the_menu_link(api, datang, wechat_api) -> None:
    configure_wechat("datang")
    owner = User.objects.get(mobile="13700001021")
    with schema_context("datang"):
        WeChatBinding.objects.create(openid="oOWNER-openid-0002", user=owner)
    oauth_answer(wechat_api, "081Code2", "oOWNER-openid-0002")
    client = api(None, host="datang.localhost")
    response = client.post(
        "/api/v1/wechat/oauth/login/", {"code": "081Code2", "state": begin(client)}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["bound"], response.json()["user"]["mobile"]) == (True, "13700001021")
    assert response.json()["roles"] == ["owner"]
    exchange = [c for c in wechat_api.calls if "/sns/oauth2/access_token" in c.request.url][0]
    assert f"appid={APP_ID}" in exchange.request.url and "code=081Code2" in exchange.request.url


def test_a_bad_code_is_a_400_on_the_code_field(api, datang, wechat_api) -> None:
    configure_wechat("datang")
    wechat_api.add(responses.GET, re.compile(rf"{OAUTH}\?.*"),
                   json={"errcode": 40029, "errmsg": "invalid code, rid: 6747e0f1-7a1b2c3d"})  # fmt: skip
    client = api(None, host="datang.localhost")
    response = client.post(
        "/api/v1/wechat/oauth/login/", {"code": "expired", "state": begin(client)}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "wechat_code_invalid"
    assert "invalid code" in response.json()["fields"]["code"][0]


def test_login_before_the_admin_sets_up_the_account_is_a_409(api, bowei) -> None:
    client = api(None, host="bowei.localhost")
    # Bowei has no 公众号: there is no authorize URL to begin with, so no state, so no login either.
    response = client.get("/api/v1/wechat/oauth/url/", {"redirect": "http://bowei.localhost/"})
    assert response.status_code == 409 and response.json()["code"] == "wechat_not_configured"
    response = client.post("/api/v1/wechat/oauth/login/", {"code": "x", "state": ""}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "wechat_state_invalid"


def test_the_js_sdk_signature_matches_the_hand_computed_sha1_and_the_ticket_is_cached_per_tenant(
    api, datang, bowei, wechat_api
) -> None:
    configure_wechat("datang")
    configure_wechat("bowei", app_id="wx00000000000bowei")
    wechat_api.add(responses.GET, re.compile(rf"{WX}/cgi-bin/ticket/getticket\?.*"),
                   json={"errcode": 0, "errmsg": "ok", "ticket": TICKET, "expires_in": 7200})  # fmt: skip
    url = "http://datang.localhost/?ref=A7K2Q9"
    client = api(None, host="datang.localhost")
    signed = client.get("/api/v1/wechat/jssdk/", {"url": url + "#share"})
    assert signed.status_code == 200, signed.json()
    body = signed.json()
    plain = f"jsapi_ticket={TICKET}&noncestr={body['nonce_str']}&timestamp={body['timestamp']}&url={url}"
    assert body["signature"] == hashlib.sha1(plain.encode()).hexdigest()
    assert body["app_id"] == APP_ID

    client.get("/api/v1/wechat/jssdk/", {"url": url})
    tickets = [c for c in wechat_api.calls if "/ticket/getticket" in c.request.url]
    assert len(tickets) == 1  # the second signature used the cached ticket
    api(None, host="bowei.localhost").get("/api/v1/wechat/jssdk/", {"url": "http://bowei.localhost/"})
    assert len([c for c in wechat_api.calls if "/ticket/getticket" in c.request.url]) == 2  # Bowei's own

    other_site = client.get("/api/v1/wechat/jssdk/", {"url": "https://evil.example.com/"})
    assert other_site.status_code == 400 and "url" in other_site.json()["fields"]


def test_the_secret_is_write_only_masked_and_encrypted(api, datang) -> None:
    admin = api("datang_admin")
    assert admin.get("/api/v1/wechat/settings/").json()["app_secret_masked"] == ""
    saved = admin.put(
        "/api/v1/wechat/settings/",
        {"app_id": APP_ID, "app_secret": APP_SECRET, "template_ids": {"service": "TPL-1"}, "enabled": True},
        format="json",
    )
    assert saved.status_code == 200, saved.json()
    assert "app_secret" not in saved.json()
    assert saved.json()["app_secret_masked"] == "******a1b2"
    with schema_context("datang"):
        row = WeChatSettings.objects.get()
        assert APP_SECRET not in row.app_secret_cipher
        assert decrypt_text(row.app_secret_cipher) == APP_SECRET
    # Saving without a secret keeps the stored one.
    kept = admin.put(
        "/api/v1/wechat/settings/", {"app_id": APP_ID, "template_ids": {}, "enabled": True}, format="json"
    )
    assert kept.json()["app_secret_masked"] == "******a1b2"
    bad = admin.put(
        "/api/v1/wechat/settings/", {"app_id": "gh_123", "template_ids": {"lottery": "x"}}, format="json"
    )
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"app_id", "template_ids"}


def test_a_logged_in_agent_binds_the_wechat_they_are_in(api, datang, wechat_api) -> None:
    configure_wechat("datang")
    oauth_answer(wechat_api, "081Code3", "oAGENT-openid-0003")
    agent = api("datang_agent")
    state = begin(agent, "http://datang.localhost/agent/#/messages/settings")
    assert agent.post(
        "/api/v1/wechat/bind-me/", {"code": "081Code3", "state": state}, format="json"
    ).json() == {"bound": True}
    with schema_context("datang"):
        assert WeChatBinding.objects.get(openid="oAGENT-openid-0003").user.mobile == "13700001011"
    assert agent.get("/api/v1/notices/preferences/").json()["wechat_bound"] is True
    # The same WeChat cannot then be bound to someone else.
    oauth_answer(wechat_api, "081Code4", "oAGENT-openid-0003")
    owner = api("datang_owner")
    taken = owner.post("/api/v1/wechat/bind-me/", {"code": "081Code4", "state": begin(owner)}, format="json")
    assert taken.status_code == 409 and taken.json()["code"] == "wechat_already_bound"


def test_the_authorize_url_sends_wechat_back_to_this_site_only(api, datang) -> None:
    configure_wechat("datang")
    client = api(None, host="datang.localhost")
    ok = client.get("/api/v1/wechat/oauth/url/", {"redirect": "http://datang.localhost/#/wechat"})
    assert ok.status_code == 200
    url = ok.json()["url"]
    assert url.startswith("https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx1234567890abcdef")
    assert "scope=snsapi_base" in url and url.endswith("#wechat_redirect")
    away = client.get("/api/v1/wechat/oauth/url/", {"redirect": "https://evil.example.com/"})
    assert away.status_code == 400 and "redirect" in away.json()["fields"]


def test_the_agent_app_s_bind_button_comes_back_to_its_message_settings(api, datang) -> None:
    """The agent app's 「绑定微信」 sends WeChat back to /agent/#/messages/settings on the same host."""
    configure_wechat("datang")
    agent = api("datang_agent")
    ok = agent.get(
        "/api/v1/wechat/oauth/url/", {"redirect": "http://datang.localhost/agent/#/messages/settings"}
    )
    assert ok.status_code == 200
    assert (
        "redirect_uri=http%3A%2F%2Fdatang.localhost%2Fagent%2F%23%2Fmessages%2Fsettings" in ok.json()["url"]
    )
    # The JS-SDK signs the referral page only for this host.
    other = agent.get("/api/v1/wechat/jssdk/", {"url": "http://bowei.localhost/agent/"})
    assert other.status_code == 400 and "url" in other.json()["fields"]


def test_a_link_with_someone_else_s_code_and_state_logs_no_one_in(api, datang, wechat_api) -> None:
    """Login CSRF: the attacker begins a login in their own browser, stops at WeChat's answer and
    sends the victim the callback link (their code and state). The victim's browser has no such
    state: refused, and WeChat is not even asked about the code."""
    configure_wechat("datang")
    owner = User.objects.get(mobile="13700001021")
    with schema_context("datang"):
        WeChatBinding.objects.create(openid="oATTACKER-openid", user=owner)
    oauth_answer(wechat_api, "081Attack", "oATTACKER-openid")
    attacker = api(None, host="datang.localhost")
    their_state = begin(attacker)
    victim = api(None, host="datang.localhost")
    begin(victim)  # the victim's own, different state
    forged = victim.post(
        "/api/v1/wechat/oauth/login/", {"code": "081Attack", "state": their_state}, format="json"
    )
    assert forged.status_code == 400 and forged.json()["code"] == "wechat_state_invalid"
    assert list(forged.json()["fields"]) == ["state"]
    no_state = victim.post("/api/v1/wechat/oauth/login/", {"code": "081Attack"}, format="json")
    assert no_state.status_code == 400 and no_state.json()["code"] == "wechat_state_invalid"
    assert not [c for c in wechat_api.calls if "/sns/oauth2/access_token" in c.request.url]
    # The attacker's own browser may finish its own login, once.
    done = attacker.post(
        "/api/v1/wechat/oauth/login/", {"code": "081Attack", "state": their_state}, format="json"
    )
    assert done.status_code == 200 and done.json()["bound"] is True
    again = attacker.post(
        "/api/v1/wechat/oauth/login/", {"code": "081Attack", "state": their_state}, format="json"
    )
    assert again.status_code == 400 and again.json()["code"] == "wechat_state_invalid"


def test_an_attacker_s_code_is_not_bound_to_a_logged_in_victim(api, datang, wechat_api) -> None:
    configure_wechat("datang")
    oauth_answer(wechat_api, "081Bind", "oATTACKER-openid-2")
    attacker = api(None, host="datang.localhost")
    their_state = begin(attacker, "http://datang.localhost/agent/#/messages/settings")
    victim = api("datang_agent")
    response = victim.post(
        "/api/v1/wechat/bind-me/", {"code": "081Bind", "state": their_state}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "wechat_state_invalid"
    with schema_context("datang"):
        assert not WeChatBinding.objects.filter(openid="oATTACKER-openid-2").exists()


@pytest.mark.parametrize(
    "redirect",
    [
        "http://datang.localhost@evil.example.com/",
        "http://datang.localhost:x@evil.example.com/#/wechat",
        "https://evil.example.com/?next=http://datang.localhost/",
        "//evil.example.com/",
        "javascript:alert(document.domain)//http://datang.localhost/",
        "JavaScript://datang.localhost/%0aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "http:\\\\evil.example.com\\@datang.localhost/",
        "http://evil.example.com\\@datang.localhost/",
        "http://datang.localhost.evil.example.com/",
        "http://datang.localhost:8443/",
        "ftp://datang.localhost/",
        "/#/wechat",
        "http://datang.localhost/\nSet-Cookie:x",
        "",
    ],
)
def test_a_redirect_off_this_host_or_not_http_is_refused(api, datang, redirect) -> None:
    configure_wechat("datang")
    response = api(None, host="datang.localhost").get("/api/v1/wechat/oauth/url/", {"redirect": redirect})
    assert response.status_code == 400, redirect
    assert list(response.json()["fields"]) == ["redirect"]


def test_a_state_issued_on_one_tenant_is_refused_on_another(api, datang, bowei, wechat_api) -> None:
    """States live in each tenant's own cache: even with Datang's state in a cookie, Bowei refuses it."""
    configure_wechat("datang")
    configure_wechat("bowei", app_id="wx00000000000bowei")
    state = begin(api(None, host="datang.localhost"))
    oauth_answer(wechat_api, "081Cross", "oCROSS-openid")
    on_bowei = api(None, host="bowei.localhost")
    on_bowei.cookies["sxb_wx_state"] = state
    response = on_bowei.post(
        "/api/v1/wechat/oauth/login/", {"code": "081Cross", "state": state}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "wechat_state_invalid"
