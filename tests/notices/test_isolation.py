"""Every notices endpoint × (own tenant, other tenant, public host, anonymous)."""

import pytest
from django_tenants.utils import schema_context

from core.models import WeChatSettings
from notices.services import announcement_publish
from tests.conftest import person

ADMIN_READS = [
    "/api/v1/notices/announcements/",
    "/api/v1/notices/templates/",
    "/api/v1/notices/deliveries/",
    "/api/v1/wechat/settings/",
]
INBOX_READS = ["/api/v1/notices/inbox/", "/api/v1/notices/unread/"]
TENANT_PERSONAL_READS = ["/api/v1/notices/my-announcements/", "/api/v1/notices/preferences/"]
PERSONAL_READS = INBOX_READS + TENANT_PERSONAL_READS


@pytest.fixture
def datang_announcement(team) -> int:
    with schema_context("datang"):
        return announcement_publish(
            actor=person("datang_admin"), title="大唐内部政策", body_html="<p>仅限大唐</p>", effective_from=None or
            __import__("datetime").date(2026, 12, 1),
        ).pk  # fmt: skip


@pytest.mark.parametrize("path", ADMIN_READS + PERSONAL_READS)
def test_own_tenant_reads_its_own(api, path, datang_announcement) -> None:
    client = api("datang_admin")
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", ADMIN_READS)
def test_agents_cannot_read_the_console_s_pages(api, path) -> None:
    assert api("datang_agent").get(path).status_code == 403


@pytest.mark.parametrize("path", ADMIN_READS + PERSONAL_READS)
def test_another_tenant_s_token_is_refused(api, path) -> None:
    assert api("bowei_admin", host="datang.localhost").get(path).status_code == 401


@pytest.mark.parametrize("path", ADMIN_READS + TENANT_PERSONAL_READS)
def test_the_public_host_has_no_tenant_notices(api, path) -> None:
    assert api("platform_admin").get(path).status_code == 404


@pytest.mark.parametrize("path", INBOX_READS)
def test_the_public_host_has_its_own_inbox(api, path) -> None:
    assert api("platform_admin").get(path).status_code == 200
    assert api(None).get(path).status_code == 401
    assert api("datang_agent", host="localhost", token_host="datang.localhost").get(path).status_code == 401


@pytest.mark.parametrize("path", ADMIN_READS + PERSONAL_READS)
def test_anonymous_is_refused(api, path) -> None:
    assert api(None, host="datang.localhost").get(path).status_code == 401


def test_another_tenant_sees_none_of_the_announcements_or_receipts(api, datang_announcement, bowei) -> None:
    bowei_admin = api("bowei_admin")
    assert bowei_admin.get("/api/v1/notices/announcements/").json()["count"] == 0
    assert bowei_admin.get(f"/api/v1/notices/announcements/{datang_announcement}/").status_code == 404
    assert (
        bowei_admin.get(f"/api/v1/notices/announcements/{datang_announcement}/receipts/").status_code == 404
    )
    assert (
        api("bowei_agent").post(f"/api/v1/notices/my-announcements/{datang_announcement}/read/").status_code
        == 404
    )
    own = api("datang_admin").get(f"/api/v1/notices/announcements/{datang_announcement}/receipts/")
    assert own.json()["count"] == 4


def test_settings_of_one_tenant_are_not_another_s(api, datang, bowei) -> None:
    api("datang_admin").put(
        "/api/v1/wechat/settings/",
        {
            "app_id": "wx1234567890abcdef",
            "app_secret": "s3cret-value-9876",
            "template_ids": {},
            "enabled": True,
        },
        format="json",
    )
    assert api("bowei_admin").get("/api/v1/wechat/settings/").json()["app_id"] == ""
    with schema_context("bowei"):
        assert not WeChatSettings.objects.exists()


def test_wechat_login_endpoints_answer_only_on_tenant_hosts(api) -> None:
    public = api(None)
    assert public.post("/api/v1/wechat/oauth/login/", {"code": "x"}, format="json").status_code == 404
    assert public.get("/api/v1/wechat/jssdk/", {"url": "http://localhost/"}).status_code == 404


def test_an_inbox_message_is_read_only_by_its_owner(api, datang) -> None:
    from notices.models import Notification

    with schema_context("datang"):
        message = Notification.objects.create(
            user=person("datang_owner"), category="order", kind="order.paid", title="订单已支付", body="x",
            source_key="test:1",
        )  # fmt: skip
    assert api("datang_agent").post(f"/api/v1/notices/inbox/{message.pk}/read/").status_code == 404
    assert api("datang_owner").post(f"/api/v1/notices/inbox/{message.pk}/read/").status_code == 200
