"""A WeChat login never hands out an admin's token: that needs the password and a second factor."""

from django_tenants.utils import schema_context

from accounts.models import Role
from accounts.services import membership_grant
from core.models import WeChatBinding
from tests.conftest import person
from tests.notices.conftest import configure_wechat
from tests.notices.test_wechat import begin, oauth_answer


def test_a_bound_admin_gets_no_token_from_wechat(api, datang, wechat_api) -> None:
    configure_wechat("datang")
    with schema_context("datang"):
        WeChatBinding.objects.create(openid="oADMIN-openid-01", user=person("datang_admin"))
    oauth_answer(wechat_api, "081Admin", "oADMIN-openid-01")
    client = api(None, host="datang.localhost")
    response = client.post(
        "/api/v1/wechat/oauth/login/", {"code": "081Admin", "state": begin(client)}, format="json"
    )
    assert response.status_code == 401
    assert response.json()["code"] == "second_factor_required"
    assert "token" not in response.json()


def test_a_bound_admin_who_is_also_an_owner_gets_the_owner_role_only(api, datang, wechat_api) -> None:
    configure_wechat("datang")
    membership_grant(user=person("datang_admin"), role=Role.OWNER, tenant_id=datang.pk)
    with schema_context("datang"):
        WeChatBinding.objects.create(openid="oADMIN-openid-02", user=person("datang_admin"))
    oauth_answer(wechat_api, "081Owner", "oADMIN-openid-02")
    client = api(None, host="datang.localhost")
    response = client.post(
        "/api/v1/wechat/oauth/login/", {"code": "081Owner", "state": begin(client)}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["roles"] == ["owner"]
