"""Notices fixtures: an insurer's staff member on the platform host, a configured 公众号, and the
WeChat API's recorded answers (mocked at the HTTP boundary; wechatpy's own client code runs)."""

import re

import pytest
import responses
from django_tenants.utils import schema_context

from accounts.models import Role
from accounts.services import membership_grant, user_create
from directory.models import Insurer, InsurerStaff
from notices.services import wechat_settings_save

APP_ID = "wx1234567890abcdef"
APP_SECRET = "f3c7a9e1b2d4c6e8a0b2c4d6e8f0a1b2"
WX = "https://api.weixin.qq.com"


@pytest.fixture
def pingan_staff(db):
    """赵保险 works for 中国平安 and logs in on the platform host."""
    user = user_create(mobile="13511112222", name="赵保险", password="Insurer@2026")
    membership_grant(user=user, role=Role.INSURER_STAFF, tenant_id=None)
    InsurerStaff.objects.create(insurer=Insurer.objects.get(code="PINGAN"), user=user)
    return user


def configure_wechat(schema: str, *, app_id: str = APP_ID, templates: dict[str, str] | None = None) -> None:
    with schema_context(schema):
        wechat_settings_save(
            actor=None,  # type: ignore[arg-type]
            app_id=app_id,
            app_secret=APP_SECRET,
            template_ids=templates if templates is not None else {"service": "TPL-SERVICE-1"},
            enabled=True,
        )


@pytest.fixture
def wechat_api():
    """The WeChat API as recorded: a token for the app, and whatever a test adds."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(
            responses.GET,
            re.compile(rf"{WX}/cgi-bin/token\?.*"),
            json={"access_token": "81_kTQ3oA-access-token", "expires_in": 7200},
        )
        yield mock
