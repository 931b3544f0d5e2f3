"""platform_setup: what a new deployment runs after migrate_schemas instead of seed_demo."""

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Membership, Role, User
from tenants.models import Domain

pytestmark = pytest.mark.django_db


def test_it_ensures_the_platform_hosts_and_the_first_admin_and_can_run_again(monkeypatch, settings) -> None:
    settings.PUBLIC_HOSTS = ["localhost", "127.0.0.1", "testserver", "admin.suxinbao.example"]
    with pytest.raises(CommandError, match="set PLATFORM_ADMIN_PASSWORD"):
        call_command("platform_setup", "--admin-mobile", "13600001234", stdout=io.StringIO())
    monkeypatch.setenv("PLATFORM_ADMIN_PASSWORD", "Xk7#platform-first")
    for _ in range(2):
        out = io.StringIO()
        call_command("platform_setup", "--admin-mobile", "13600001234", stdout=out)
        assert "platform admin: 13600001234" in out.getvalue()
    assert Domain.objects.get(domain="admin.suxinbao.example").tenant.schema_name == "public"
    admin = User.objects.get(mobile="13600001234")
    assert admin.check_password("Xk7#platform-first")
    assert list(Membership.objects.filter(user=admin).values_list("role", "tenant_id")) == [
        (Role.PLATFORM_ADMIN, None)
    ]


def test_a_weak_admin_password_is_refused_by_the_password_policy(monkeypatch) -> None:
    monkeypatch.setenv("PLATFORM_ADMIN_PASSWORD", "12345678")
    with pytest.raises(CommandError, match="password"):
        call_command("platform_setup", "--admin-mobile", "13600001235", stdout=io.StringIO())
    assert not User.objects.filter(mobile="13600001235").exists()
