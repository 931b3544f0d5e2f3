"""Admins, finance and the platform admin log in with a password plus a second factor: an SMS code
or their authenticator's (TOTP) code. An SMS code alone (or WeChat) never carries those roles
(issue 18, item 3)."""

import os

import pytest
from rest_framework.test import APIClient

from accounts import sms, totp
from accounts.models import LoginLockout, Role, User, UserTotp
from accounts.services import auth_token_issue, membership_grant, totp_secret_of
from core.errors import AuthenticationFailed
from tests.conftest import PASSWORD, PEOPLE, person

pytestmark = pytest.mark.django_db

ADMIN = PEOPLE["datang_admin"].mobile


def client_on(host: str, token: str | None = None) -> APIClient:
    client = APIClient()
    client.defaults["HTTP_HOST"] = host
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _last_code(mobile: str) -> str:
    return next(m.params["code"] for m in reversed(sms.outbox) if m.mobile == mobile)


def test_a_tenant_admin_needs_the_sms_code_after_the_password(datang) -> None:
    client = client_on("datang.localhost")
    sms.outbox.clear()
    first = client.post("/api/v1/auth/token/", {"mobile": ADMIN, "password": PASSWORD}, format="json")
    assert first.status_code == 401
    assert first.json() == {
        "code": "otp_required",
        "message": "验证码已发送至 137****1001，请输入短信验证码",
        "fields": {"otp": ["验证码已发送至 137****1001，请输入短信验证码"]},
    }
    assert [m.mobile for m in sms.outbox] == [ADMIN]

    wrong_password = client.post(
        "/api/v1/auth/token/",
        {"mobile": ADMIN, "password": "wrong-pw1", "otp": _last_code(ADMIN)},
        format="json",
    )
    assert wrong_password.json()["code"] == "invalid_credentials"  # the code does not replace the password

    done = client.post(
        "/api/v1/auth/token/",
        {"mobile": ADMIN, "password": PASSWORD, "otp": _last_code(ADMIN)},
        format="json",
    )
    assert done.status_code == 200, done.content
    assert done.json()["roles"] == ["tenant_admin"]
    admin = client_on("datang.localhost", done.json()["token"])
    assert admin.get("/api/v1/account-locks/").status_code == 200


def test_an_admin_logs_in_again_within_the_minute_with_a_new_code(datang) -> None:
    """The resend wait (60 s) kept the used code as "the code": an admin who logged out and in
    again within a minute was told a code had been sent, got none, and the old one was refused."""
    client = client_on("datang.localhost")
    sms.outbox.clear()
    for _ in range(2):
        client.post("/api/v1/auth/token/", {"mobile": ADMIN, "password": PASSWORD}, format="json")
        done = client.post(
            "/api/v1/auth/token/",
            {"mobile": ADMIN, "password": PASSWORD, "otp": _last_code(ADMIN)},
            format="json",
        )
        assert done.status_code == 200, done.content
    assert [m.mobile for m in sms.outbox] == [ADMIN, ADMIN]  # one code per login
    # while a code is unused, asking again within the minute sends nothing new
    client.post("/api/v1/auth/token/", {"mobile": ADMIN, "password": PASSWORD}, format="json")
    client.post("/api/v1/auth/token/", {"mobile": ADMIN, "password": PASSWORD}, format="json")
    assert len(sms.outbox) == 3


def test_a_wrong_second_factor_counts_towards_the_lockout(datang) -> None:
    client = client_on("datang.localhost")
    client.post("/api/v1/auth/token/", {"mobile": ADMIN, "password": PASSWORD}, format="json")
    wrong = "000000" if _last_code(ADMIN) != "000000" else "111111"
    response = client.post(
        "/api/v1/auth/token/", {"mobile": ADMIN, "password": PASSWORD, "otp": wrong}, format="json"
    )
    assert response.status_code == 401
    assert response.json()["code"] == "sms_code_invalid" and "otp" in response.json()["fields"]
    assert LoginLockout.objects.get(mobile=ADMIN).failures == 1


def test_an_sms_code_alone_does_not_log_an_admin_in(datang) -> None:
    client = client_on("datang.localhost")
    assert client.post("/api/v1/auth/sms/send/", {"mobile": ADMIN}, format="json").status_code == 202
    response = client.post(
        "/api/v1/auth/sms/token/", {"mobile": ADMIN, "code": _last_code(ADMIN)}, format="json"
    )
    assert response.status_code == 401
    assert response.json()["code"] == "second_factor_required"
    assert "token" not in response.json()


def test_an_admin_who_is_also_an_owner_gets_only_the_owner_role_from_an_sms_code(datang) -> None:
    membership_grant(user=person("datang_admin"), role=Role.OWNER, tenant_id=datang.pk)
    client = client_on("datang.localhost")
    client.post("/api/v1/auth/sms/send/", {"mobile": ADMIN}, format="json")
    response = client.post(
        "/api/v1/auth/sms/token/", {"mobile": ADMIN, "code": _last_code(ADMIN)}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["roles"] == ["owner"]
    weak = client_on("datang.localhost", response.json()["token"])
    assert weak.get("/api/v1/me/").json()["roles"] == ["owner"]
    assert weak.get("/api/v1/account-locks/").status_code == 403


def test_a_token_without_the_second_factor_never_carries_admin_roles(datang) -> None:
    with pytest.raises(AuthenticationFailed) as refused:
        auth_token_issue(user=person("datang_admin"), tenant_id=datang.pk)
    assert refused.value.code == "second_factor_required"


def _enrol(client: APIClient) -> str:
    setup = client.post("/api/v1/auth/totp/setup/")
    assert setup.status_code == 200, setup.content
    secret = setup.json()["secret"]
    assert setup.json()["otpauth_uri"].startswith("otpauth://totp/")
    assert f"secret={secret}" in setup.json()["otpauth_uri"]
    code = totp.code_at(secret, totp.current_step())
    confirmed = client.post("/api/v1/auth/totp/confirm/", {"code": code}, format="json")
    assert confirmed.status_code == 200 and confirmed.json() == {"enabled": True}
    return secret


def test_the_platform_admin_enrols_an_authenticator_and_logs_in_with_it(api) -> None:
    platform = api("platform_admin")
    assert platform.get("/api/v1/auth/totp/").json() == {"enabled": False}
    secret = _enrol(platform)
    assert platform.get("/api/v1/auth/totp/").json() == {"enabled": True}

    client = client_on("localhost")
    sms.outbox.clear()
    mobile = PEOPLE["platform_admin"].mobile
    first = client.post("/api/v1/auth/token/", {"mobile": mobile, "password": PASSWORD}, format="json")
    assert first.json()["code"] == "otp_required"
    assert first.json()["message"] == "请输入身份验证器中的 6 位动态码"
    assert sms.outbox == []  # no SMS once an authenticator is bound

    # the code of the next step (the clocks may differ by 30 s); the one used at enrolment is spent
    code = totp.code_at(secret, totp.current_step() + 1)
    done = client.post(
        "/api/v1/auth/token/", {"mobile": mobile, "password": PASSWORD, "otp": code}, format="json"
    )
    assert done.status_code == 200, done.content
    assert done.json()["roles"] == ["platform_admin"]
    replay = client.post(
        "/api/v1/auth/token/", {"mobile": mobile, "password": PASSWORD, "otp": code}, format="json"
    )
    assert replay.json()["code"] == "otp_invalid"

    wrong_password = platform.post("/api/v1/auth/totp/disable/", {"password": "wrong-pw1"}, format="json")
    assert wrong_password.status_code == 400 and "password" in wrong_password.json()["fields"]
    assert platform.post("/api/v1/auth/totp/disable/", {"password": PASSWORD}, format="json").json() == {
        "enabled": False
    }
    assert not UserTotp.objects.filter(user__mobile=mobile).exists()


def test_an_unconfirmed_authenticator_changes_nothing(api) -> None:
    platform = api("platform_admin")
    platform.post("/api/v1/auth/totp/setup/")
    assert UserTotp.objects.get(user__mobile=PEOPLE["platform_admin"].mobile).confirmed_at is None
    first = client_on("localhost").post(
        "/api/v1/auth/token/",
        {"mobile": PEOPLE["platform_admin"].mobile, "password": PASSWORD},
        format="json",
    )
    assert first.json()["message"].startswith("验证码已发送至")


def test_the_authenticator_can_only_be_changed_with_a_full_login(datang) -> None:
    agent = User.objects.get(mobile=PEOPLE["datang_agent"].mobile)
    weak = auth_token_issue(user=agent, tenant_id=datang.pk)
    client = client_on("datang.localhost", weak.token)
    assert client.get("/api/v1/me/").status_code == 200
    response = client.post("/api/v1/auth/totp/setup/")
    assert response.status_code == 403
    assert response.json()["message"] == "请使用密码加验证码重新登录后再操作"


def test_the_authenticator_secret_is_encrypted_at_rest(api, settings) -> None:
    secret = _enrol(api("datang_admin"))
    row = UserTotp.objects.get(user=person("datang_admin"))
    assert secret not in row.secret_cipher and row.secret_cipher.startswith("gAAAA")  # a Fernet token
    assert totp_secret_of(row) == secret
    from core.crypto import decrypt_text

    with pytest.raises(ValueError):  # another schema's key cannot read it
        decrypt_text(row.secret_cipher, schema="datang")
    # a new first key: field_keys_rotate re-encrypts it and the authenticator still works
    settings.FIELD_ENCRYPTION_KEYS = ["k" * 40, *settings.FIELD_ENCRYPTION_KEYS]
    from django.core.management import call_command

    call_command("field_keys_rotate", stdout=open(os.devnull, "w"))
    rotated = UserTotp.objects.get(pk=row.pk)
    assert rotated.secret_cipher != row.secret_cipher and totp_secret_of(rotated) == secret


def test_the_migration_encrypts_existing_plain_secrets() -> None:
    """accounts 0008 on a row written by 0007 (a plain secret): the row keeps working, encrypted."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("accounts", "0007_refresh_tokens")], [("accounts", "0008_totp_secret_encrypted")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    user = person("bowei_admin")
    plain = totp.secret_new()
    old_apps.get_model("accounts", "UserTotp").objects.create(user_id=user.pk, secret=plain, last_step=0)
    with connection.cursor() as cursor:  # no pending FK checks before the ALTER TABLE
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    row = UserTotp.objects.get(user=user)
    assert plain not in row.secret_cipher and totp_secret_of(row) == plain
