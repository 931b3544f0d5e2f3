"""A signup survives its worker being killed mid-provisioning (issue 18, jobs that survive a crash):
the task is acknowledged late, the run holds a session lock on the signup, and a redelivery that
takes the lock and finds the signup still "provisioning" provisions it again (the dead runner's
work rolled back with its transaction)."""

import os
import signal
import uuid

import psycopg
import pytest
from django.db import connection
from django_redis import get_redis_connection
from django_tenants.utils import schema_exists

from accounts.models import Membership, Role
from subscriptions.models import Plan, Signup, SignupStatus, Subscription
from subscriptions.services import _progress_key, signup_provision
from subscriptions.tasks import signup_provision_task
from tenants.models import Domain, Tenant
from tests.commissions.test_settlement_crash import AMQP, wait_for, worker
from tests.conftest import committed_db
from tests.subscriptions.conftest import uscc


def queued(subdomain: str, mobile: str) -> Signup:
    return Signup.objects.create(
        request_id=uuid.uuid4(), company_name=f"{subdomain} 保险经纪", uscc=uscc(), kind="brokerage",
        contact_mobile=mobile, subdomain=subdomain, plan=Plan.objects.get(code="basic"),
        admin_name="崩溃管理员", admin_password_hash="!", step="等待开通",
    )  # fmt: skip


def held_elsewhere(signup: Signup) -> psycopg.Connection:
    """Another worker's connection, holding the signup's run lock."""
    db = connection.settings_dict
    other = psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=True
    )
    other.execute("SELECT pg_advisory_lock(hashtext(%s))", [f"signup:{signup.pk}"])
    return other


@pytest.mark.django_db
def test_a_second_delivery_while_another_worker_holds_the_signup_does_nothing() -> None:
    signup = queued("lockheld", "13566661001")
    other = held_elsewhere(signup)
    try:
        again = signup_provision(signup_id=signup.pk)
    finally:
        other.close()
    signup.refresh_from_db()
    assert (again.status, signup.status, signup.attempts) == ("queued", "queued", 0)
    assert not Tenant.objects.filter(schema_name="lockheld").exists()


@pytest.mark.django_db
def test_a_signup_left_provisioning_by_a_dead_worker_is_provisioned_by_the_next_delivery() -> None:
    signup = queued("leftover", "13566661002")
    Signup.objects.filter(pk=signup.pk).update(status=SignupStatus.PROVISIONING, attempts=1)
    done = signup_provision(signup_id=signup.pk)
    assert (done.status, done.attempts) == ("ready", 2)
    assert Tenant.objects.filter(schema_name="leftover").count() == 1


@pytest.mark.worker
@committed_db
def test_a_worker_killed_while_provisioning_a_signup_leaves_it_for_the_next_worker() -> None:
    from config.celery import app

    signup = queued("crashsign", "13566661003")
    queue = f"test-signup-crash-{os.getpid()}"
    with app.connection_for_write(AMQP) as conn:
        signup_provision_task.apply_async(args=[str(signup.pk)], queue=queue, connection=conn)
    redis = get_redis_connection("default")
    first = second = None
    try:
        first = worker(queue, broker=AMQP, SIGNUP_PROVISION_PAUSE_SECONDS="60")
        # the tenant's schema is made (uncommitted) and the admin is next when the worker dies
        assert wait_for(lambda: redis.get(_progress_key(signup.pk)) == "创建管理员账号".encode(), 120)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        left = Signup.objects.get(pk=signup.pk)
        assert (left.status, left.attempts) == ("provisioning", 1)  # what the page showed for good before
        assert wait_for(lambda: not schema_exists("crashsign"), 10)  # rolled back with the worker
        assert not Tenant.objects.filter(schema_name="crashsign").exists()

        second = worker(queue, broker=AMQP)
        assert wait_for(lambda: Signup.objects.get(pk=signup.pk).status == "ready", 120)
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(30)

    done = Signup.objects.get(pk=signup.pk)
    assert (done.status, done.step, done.attempts) == ("ready", "开通完成", 2)
    tenant = Tenant.objects.get(schema_name="crashsign")
    assert done.tenant_id == tenant.pk and schema_exists("crashsign")
    assert Domain.objects.filter(tenant=tenant).count() == 1
    assert Membership.objects.filter(tenant=tenant, role=Role.TENANT_ADMIN).count() == 1
    assert Membership.objects.get(tenant=tenant).user.mobile == "13566661003"
    assert Subscription.objects.filter(tenant=tenant).count() == 1
