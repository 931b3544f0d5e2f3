"""Self-service signup and provisioning, plans, Stripe subscription billing and dunning.

Signup: the form is checked in full (every bad field named), the contact mobile proves itself with
an SMS code (purpose ``signup``), and a ``Signup`` row is queued; a Celery task provisions the
tenant through ``tenants.services.tenant_provision`` in one transaction, so a failure leaves no
tenant, schema or domain, and the signup can be retried. Billing: a Stripe Customer per tenant, the
first payment through a Checkout Session in subscription mode, renewals by Stripe Billing; the
webhook (``mall.services.webhook_handle`` verifies and deduplicates) hands subscription and invoice
events to ``billing_webhook_apply``, which never moves a subscription back to an older state."""

import logging
import re
import secrets
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_redis import get_redis_connection
from django_tenants.utils import schema_context

from accounts.models import Role, User, token_digest
from accounts.services import (
    IssuedToken,
    auth_token_issue,
    membership_grant,
    sms_login_code_check,
    sms_login_code_send,
)
from core.errors import (
    AuthenticationFailed,
    DomainError,
    FieldErrors,
    NotFound,
    StateConflict,
    ValidationFailed,
)
from core.payments import PaymentUnavailable, stripe_client
from core.services import audit_event_record
from core.validators import normalize_mobile, normalize_uscc, validate_mobile, validate_uscc
from subscriptions.models import Invoice, Plan, Signup, SignupStatus, Subscription, SubscriptionStatus
from subscriptions.selectors import tenant_usage
from tenants.models import Tenant, TenantKind
from tenants.services import domain_name_validate, schema_name_validate, tenant_provision

logger = logging.getLogger(__name__)
FEN = Decimal(100)
SUBDOMAIN = re.compile(r"^[a-z][a-z0-9]{2,29}$")
SIGNUP_PURPOSE = "signup"
PROGRESS_TTL = 3600


# ---- plans ------------------------------------------------------------------------------------


def _plan_fields(errors: FieldErrors, data: dict[str, Any]) -> None:
    if "name" in data and not str(data["name"]).strip():
        errors.add("name", "请填写套餐名称")
    price = data.get("price_monthly")
    if price is not None and Decimal(price) < 0:
        errors.add("price_monthly", "月费不能为负数")


@transaction.atomic
def plan_create(*, actor: User | None, code: str, name: str, price_monthly: Decimal, **limits: Any) -> Plan:
    errors = FieldErrors()
    code = code.strip().lower()
    if not re.match(r"^[a-z][a-z0-9_-]{1,29}$", code):
        errors.add("code", "套餐代码应为2-30位小写字母、数字、下划线或连字符，以字母开头")
    elif Plan.objects.filter(code=code).exists():
        errors.add("code", f"套餐代码 {code} 已存在")
    _plan_fields(errors, {"name": name, "price_monthly": price_monthly})
    errors.raise_if_any("套餐信息有误")
    plan = Plan.objects.create(code=code, name=name.strip(), price_monthly=price_monthly, **limits)
    audit_event_record(actor=actor, action="plan.create", summary=f"新增套餐 {plan.name}（¥{price_monthly}/月）",
                       object_type="plan", object_id=plan.pk)  # fmt: skip
    return plan


@transaction.atomic
def plan_update(*, actor: User | None, plan: Plan, **data: Any) -> Plan:
    errors = FieldErrors()
    _plan_fields(errors, data)
    errors.raise_if_any("套餐信息有误")
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if "price_monthly" in data and Decimal(data["price_monthly"]) != plan.price_monthly:
        plan.stripe_price_id = ""  # Stripe prices are immutable: a new one is made on next use
    for key, value in data.items():
        setattr(plan, key, value.strip() if isinstance(value, str) else value)
    plan.save()
    audit_event_record(actor=actor, action="plan.update", summary=f"修改套餐 {plan.name}",
                       object_type="plan", object_id=plan.pk, data={k: str(v) for k, v in data.items()})  # fmt: skip
    return plan


def _active_plan(errors: FieldErrors, code: str, field: str = "plan") -> Plan | None:
    plan = Plan.objects.filter(code=code, is_active=True).first() if code else None
    if plan is None:
        errors.add(field, "请选择有效的套餐")
    return plan


# ---- signup and provisioning ----------------------------------------------------------------


def signup_sms_send(*, mobile: str) -> int:
    return sms_login_code_send(mobile=mobile, purpose=SIGNUP_PURPOSE)


def _check_subdomain(errors: FieldErrors, subdomain: str) -> None:
    if not SUBDOMAIN.match(subdomain):
        errors.add("subdomain", "子域名应为3-30位小写字母或数字，以字母开头")
        return
    # The provisioning checks themselves, reported against the one field the company typed.
    found = FieldErrors()
    schema_name_validate(found, subdomain)
    domain_name_validate(found, f"{subdomain}.{settings.TENANT_BASE_DOMAIN}")
    pending = Signup.objects.filter(
        subdomain=subdomain, status__in=[SignupStatus.QUEUED, SignupStatus.PROVISIONING]
    ).exists()
    if found or pending:
        reserved = any("保留" in m for msgs in found.fields.values() for m in msgs)
        errors.add(
            "subdomain", f"子域名 {subdomain} 是保留名称" if reserved else f"子域名 {subdomain} 已被占用"
        )


def signup_create(
    *,
    request_id: uuid.UUID,
    company_name: str,
    uscc: str,
    kind: str,
    contact_mobile: str,
    sms_code: str,
    subdomain: str,
    plan_code: str,
    admin_name: str,
    admin_password: str,
) -> tuple[Signup, bool]:
    """Queue a signup; returns it and whether it is new. The same ``request_id`` again (a double
    click, a retried POST) returns the first signup and changes nothing."""
    existing = Signup.objects.filter(request_id=request_id).first()
    if existing is not None:
        return existing, False
    company_name, admin_name = company_name.strip(), admin_name.strip()
    uscc, subdomain = normalize_uscc(uscc), subdomain.strip().lower()
    contact_mobile = normalize_mobile(contact_mobile)
    errors = FieldErrors()
    if not company_name:
        errors.add("company_name", "请填写公司名称")
    try:
        validate_uscc(uscc)
    except DjangoValidationError as exc:
        errors.add("uscc", exc.messages[0])
    else:
        taken = Signup.objects.filter(uscc=uscc).exclude(status=SignupStatus.FAILED).exists()
        if taken:
            errors.add("uscc", "该统一社会信用代码已注册")
    if kind not in (TenantKind.BROKERAGE, TenantKind.AFTERSALES):
        errors.add("kind", "类型应为 brokerage（经纪公司）或 aftersales（售后连锁）")
    mobile_ok = True
    try:
        validate_mobile(contact_mobile)
    except DjangoValidationError as exc:
        errors.add("contact_mobile", exc.messages[0])
        mobile_ok = False
    if not sms_code.strip():
        errors.add("sms_code", "请填写短信验证码")
    _check_subdomain(errors, subdomain)
    plan = _active_plan(errors, plan_code)
    if not admin_name:
        errors.add("admin_name", "请填写管理员姓名")
    try:
        validate_password(admin_password)
    except DjangoValidationError as exc:
        for message in exc.messages:
            errors.add("admin_password", message)
    if mobile_ok and sms_code.strip() and not errors:
        try:  # only a complete, valid form spends the code
            sms_login_code_check(mobile=contact_mobile, code=sms_code, purpose=SIGNUP_PURPOSE)
        except ValidationFailed as exc:
            raise ValidationFailed(
                exc.message, code=exc.code, fields={"sms_code": exc.fields["code"]}
            ) from exc
    errors.raise_if_any("注册信息有误")
    assert plan is not None
    try:
        with transaction.atomic():
            signup = Signup.objects.create(
                request_id=request_id, company_name=company_name, uscc=uscc, kind=kind,
                contact_mobile=contact_mobile, subdomain=subdomain, plan=plan, admin_name=admin_name,
                admin_password_hash=make_password(admin_password), step="等待开通",
            )  # fmt: skip
            audit_event_record(actor=None, action="signup.create", object_type="signup", object_id=str(signup.pk),
                               summary=f"{company_name} 自助注册（{subdomain}，{plan.name}）")  # fmt: skip
            _enqueue(signup)
    except IntegrityError:  # the same request_id raced in
        return Signup.objects.get(request_id=request_id), False
    return signup, True


def _enqueue(signup: Signup) -> None:
    from subscriptions.tasks import signup_provision_task

    queue = settings.SIGNUP_PROVISION_QUEUE or None

    def send() -> None:
        try:
            signup_provision_task.apply_async(args=[str(signup.pk)], queue=queue)
        except Exception:  # the broker is down: say so on the progress page, where it can be retried
            logger.exception("signup %s could not be queued", signup.pk)
            Signup.objects.filter(pk=signup.pk, status=SignupStatus.QUEUED).update(
                status=SignupStatus.FAILED, step="排队失败", error="任务队列暂不可用，请稍后重试"
            )

    transaction.on_commit(send)


def _progress_key(signup_id: Any) -> str:
    return f"sxb-signup-progress:{signup_id}"


def signup_progress(signup: Signup) -> str:
    """The step being run right now (written outside the provisioning transaction)."""
    if signup.status != SignupStatus.PROVISIONING:
        return signup.step
    live = get_redis_connection("default").get(_progress_key(signup.pk))
    return live.decode() if live else signup.step


def _subscription_open(*, tenant: Tenant, plan: Plan) -> Subscription:
    now = timezone.now()
    return Subscription.objects.create(
        tenant=tenant, plan=plan, status=SubscriptionStatus.TRIALING,
        trial_ends_at=now + timedelta(days=plan.trial_days), current_period_end=now + timedelta(days=plan.trial_days),
    )  # fmt: skip


def _admin_create(signup: Signup, tenant: Tenant) -> None:
    user = User.objects.filter(mobile=signup.contact_mobile).first()
    if user is None:  # an existing person keeps their password; a new one gets the one they chose
        user = User.objects.create_user(mobile=signup.contact_mobile, name=signup.admin_name)
        user.password = signup.admin_password_hash
        user.save(update_fields=["password"])
    membership_grant(user=user, role=Role.TENANT_ADMIN, tenant_id=tenant.pk)


@contextmanager
def _signup_lock(signup_id: Any) -> Iterator[bool]:
    """A session lock on the signup, held on this worker's connection for the whole run: it goes
    away with the connection when the worker dies, so its holder is always a live runner."""
    key = f"signup:{signup_id}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [key])
        mine = bool(cursor.fetchone()[0])
    try:
        yield mine
    finally:
        if mine:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [key])


def signup_provision(*, signup_id: Any) -> Signup:
    """Run one queued signup: provision its tenant, admin and trial subscription, all or nothing.

    Surviving a crash: the task is acknowledged only when it ends (and put back on the queue if its
    worker dies), and the run holds a session lock on the signup. A delivery that cannot take the
    lock turns away (another worker is on it); one that takes it and finds the signup still
    "provisioning" knows the previous runner died, its work rolled back with its transaction, and
    provisions again."""
    signup = Signup.objects.filter(pk=signup_id).first()
    if signup is None:
        raise NotFound("注册申请不存在")
    with _signup_lock(signup.pk) as mine:
        if not mine:
            return signup
        return _signup_provision_locked(signup.pk)


def _signup_provision_locked(signup_id: Any) -> Signup:
    with transaction.atomic():
        signup = Signup.objects.select_for_update().get(pk=signup_id)
        if signup.status not in (SignupStatus.QUEUED, SignupStatus.PROVISIONING):
            return signup  # done, or failed (retry re-queues it)
        signup.status, signup.step, signup.error = SignupStatus.PROVISIONING, "开始开通", ""
        signup.attempts += 1
        signup.save(update_fields=["status", "step", "error", "attempts", "updated_at"])
    redis = get_redis_connection("default")

    def step(text: str) -> None:
        redis.set(_progress_key(signup.pk), text, ex=PROGRESS_TTL)

    def then(tenant: Tenant) -> None:
        step("创建管理员账号")
        if settings.SIGNUP_PROVISION_PAUSE_SECONDS:  # a test hook: stop with the schema made, uncommitted
            time.sleep(settings.SIGNUP_PROVISION_PAUSE_SECONDS)
        _admin_create(signup, tenant)
        step("开通套餐试用")
        _subscription_open(tenant=tenant, plan=signup.plan)

    try:
        with transaction.atomic():
            tenant = tenant_provision(
                actor=None, name=signup.company_name, schema_name=signup.subdomain,
                domain=f"{signup.subdomain}.{settings.TENANT_BASE_DOMAIN}", kind=signup.kind,
                on_step=step, then=then,
            )  # fmt: skip
    except Exception as exc:  # any failure: nothing was made; say so and allow a retry
        logger.exception("signup %s failed", signup.pk)
        reason = exc.message if isinstance(exc, DomainError) else "系统错误"
        if isinstance(exc, DomainError) and exc.fields:
            reason += "：" + "；".join(m for msgs in exc.fields.values() for m in msgs)
        Signup.objects.filter(pk=signup.pk).update(
            status=SignupStatus.FAILED, step="开通失败", error=reason[:300], updated_at=timezone.now()
        )
        redis.delete(_progress_key(signup.pk))
        signup.refresh_from_db()
        return signup
    Signup.objects.filter(pk=signup.pk).update(
        status=SignupStatus.READY,
        step="开通完成",
        tenant=tenant,
        admin_password_hash="",
        updated_at=timezone.now(),
    )
    redis.delete(_progress_key(signup.pk))
    with schema_context(tenant.schema_name):
        audit_event_record(actor=None, action="tenant.signup", summary=f"{signup.company_name} 自助注册开通")
    signup.refresh_from_db()
    return signup


@transaction.atomic
def signup_retry(*, signup_id: Any) -> Signup:
    signup = Signup.objects.select_for_update().filter(pk=signup_id).first()
    if signup is None:
        raise NotFound("注册申请不存在")
    if signup.status != SignupStatus.FAILED:
        raise StateConflict(f"当前状态“{signup.get_status_display()}”不能重试", code="signup_not_failed")
    signup.status, signup.step, signup.error = SignupStatus.QUEUED, "等待重试", ""
    signup.save(update_fields=["status", "step", "error", "updated_at"])
    _enqueue(signup)
    return signup


# ---- billing through Stripe -------------------------------------------------------------------


def _fen(amount: Decimal) -> int:
    return int((amount * FEN).to_integral_value())


def _subscription_locked(tenant: Tenant) -> Subscription:
    sub = (
        Subscription.objects.select_for_update()
        .select_related("plan", "tenant")
        .filter(tenant=tenant)
        .first()
    )
    if sub is None:
        raise NotFound("本租户未开通订阅", code="subscription_not_found")
    return sub


def _stripe_call(call: Any) -> Any:
    try:
        return call()
    except stripe.StripeError as exc:
        logger.warning("stripe call failed: %s", exc)
        raise PaymentUnavailable() from exc


def plan_stripe_price(plan: Plan) -> str:
    """The plan's recurring monthly Stripe Price, made on first use."""
    if plan.stripe_price_id:
        return plan.stripe_price_id
    price = _stripe_call(lambda: stripe_client().v1.prices.create(params={
        "currency": plan.currency, "unit_amount": _fen(plan.price_monthly), "recurring": {"interval": "month"},
        "product_data": {"name": f"速信保 {plan.name}"}, "metadata": {"plan": plan.code},
    }))  # fmt: skip
    Plan.objects.filter(pk=plan.pk).update(stripe_price_id=price.id)
    plan.stripe_price_id = price.id
    return str(price.id)


def _stripe_customer(sub: Subscription) -> str:
    if not sub.stripe_customer_id:
        customer = _stripe_call(lambda: stripe_client().v1.customers.create(
            params={"name": sub.tenant.name, "metadata": {"tenant": sub.tenant.schema_name}},
            options={"idempotency_key": f"sxb-tenant-customer-{sub.tenant_id}"},
        ))  # fmt: skip
        sub.stripe_customer_id = customer.id
        sub.save(update_fields=["stripe_customer_id", "updated_at"])
    return sub.stripe_customer_id


@transaction.atomic
def subscription_checkout_start(*, actor: User, tenant: Tenant, plan_code: str, return_url: str) -> str:
    """A Stripe Checkout Session (subscription mode) for the first payment; returns its URL."""
    errors = FieldErrors()
    plan = _active_plan(errors, plan_code)
    if not return_url.startswith(("http://", "https://")):
        errors.add("return_url", "返回地址应为 http(s) 地址")
    errors.raise_if_any()
    assert plan is not None
    sub = _subscription_locked(tenant)
    if sub.stripe_subscription_id and sub.status != SubscriptionStatus.CANCELED:
        raise StateConflict("已有进行中的订阅：请更换套餐或支付未付账单", code="subscription_exists")
    _limits_fit(plan)
    customer = _stripe_customer(sub)
    price = plan_stripe_price(plan)
    metadata = {"tenant": tenant.schema_name, "plan": plan.code}
    subscription_data: dict[str, Any] = {"metadata": metadata}
    if sub.trial_ends_at and sub.trial_ends_at > timezone.now() + timedelta(days=2):
        subscription_data["trial_end"] = int(sub.trial_ends_at.timestamp())  # the trial still counts
    params: Any = {
        "mode": "subscription", "customer": customer, "line_items": [{"price": price, "quantity": 1}],
        "success_url": f"{return_url}?checkout=success", "cancel_url": f"{return_url}?checkout=cancel",
        "client_reference_id": tenant.schema_name, "metadata": {**metadata, "purpose": "subscription"},
        "subscription_data": subscription_data,
    }  # fmt: skip
    session = _stripe_call(lambda: stripe_client().v1.checkout.sessions.create(params=params))
    audit_event_record(actor=actor, action="subscription.checkout", object_type="subscription", object_id=sub.pk,
                       summary=f"发起订阅支付：{plan.name} ¥{plan.price_monthly}/月")  # fmt: skip
    return str(session.url)


def _limits_fit(plan: Plan) -> None:
    """A plan the tenant has already outgrown cannot be chosen (nothing would be deleted)."""
    from django.db import connection

    usage = tenant_usage(schema_name=connection.schema_name)  # type: ignore[attr-defined]
    errors = FieldErrors()
    for key, label in (("agents", "代理人"), ("customers", "客户")):
        cap = getattr(plan, f"max_{key}")
        if cap and usage[key] > cap:
            errors.add("plan", f"当前{label} {usage[key]} 个，超出“{plan.name}”上限 {cap}")
    if errors:
        raise ValidationFailed("所选套餐容纳不下现有数据", code="plan_too_small", fields=errors.fields)


@transaction.atomic
def subscription_plan_change(*, actor: User, tenant: Tenant, plan_code: str) -> Subscription:
    errors = FieldErrors()
    plan = _active_plan(errors, plan_code)
    errors.raise_if_any()
    assert plan is not None
    sub = _subscription_locked(tenant)
    if sub.plan_id == plan.pk:
        return sub
    _limits_fit(plan)
    if sub.stripe_subscription_id and sub.status != SubscriptionStatus.CANCELED:
        price = plan_stripe_price(plan)
        client = stripe_client()
        current = _stripe_call(lambda: client.v1.subscriptions.retrieve(sub.stripe_subscription_id))
        item_id = current["items"]["data"][0]["id"]
        _stripe_call(lambda: client.v1.subscriptions.update(sub.stripe_subscription_id, params={
            "items": [{"id": item_id, "price": price}], "proration_behavior": "create_prorations",
            "metadata": {"tenant": tenant.schema_name, "plan": plan.code},
        }))  # fmt: skip
    old = sub.plan
    sub.plan = plan
    sub.save(update_fields=["plan", "updated_at"])
    audit_event_record(actor=actor, action="subscription.plan_change", object_type="subscription", object_id=sub.pk,
                       summary=f"套餐由 {old.name} 改为 {plan.name}")  # fmt: skip
    return sub


# ---- the webhook ------------------------------------------------------------------------------

BILLING_EVENTS = {
    "invoice.paid",
    "invoice.payment_failed",
    "customer.subscription.updated",
    "customer.subscription.deleted",
}
STRIPE_STATUS = {
    "trialing": SubscriptionStatus.TRIALING,
    "active": SubscriptionStatus.ACTIVE,
    "past_due": SubscriptionStatus.PAST_DUE,
    "unpaid": SubscriptionStatus.PAST_DUE,
    "canceled": SubscriptionStatus.CANCELED,
    "incomplete_expired": SubscriptionStatus.CANCELED,
}


def billing_event_wanted(kind: str, obj: dict[str, Any]) -> bool:
    if kind == "checkout.session.completed":
        return (obj.get("metadata") or {}).get("purpose") == "subscription"
    return kind in BILLING_EVENTS


def _ts(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


def _tenant_schema_of(obj: dict[str, Any]) -> str:
    for meta in (
        obj.get("metadata"),
        (obj.get("subscription_details") or {}).get("metadata"),
        ((obj.get("parent") or {}).get("subscription_details") or {}).get("metadata"),
    ):
        if meta and meta.get("tenant"):
            return str(meta["tenant"])
    return ""


def _subscription_for(obj: dict[str, Any]) -> Subscription | None:
    rows = Subscription.objects.select_for_update().select_related("plan", "tenant")
    customer = obj.get("customer")
    if isinstance(customer, str) and customer:
        sub = rows.filter(stripe_customer_id=customer).first()
        if sub is not None:
            return sub
    schema = _tenant_schema_of(obj)
    return rows.filter(tenant__schema_name=schema).first() if schema else None


def _invoice_record(sub: Subscription, obj: dict[str, Any], created: int) -> Invoice:
    lines = (obj.get("lines") or {}).get("data") or []
    period = (lines[0].get("period") if lines else None) or {}
    values = {
        "subscription": sub,
        "number": obj.get("number") or "",
        "status": obj.get("status") or "open",
        "amount_due": Decimal(int(obj.get("amount_due") or 0)) / FEN,
        "amount_paid": Decimal(int(obj.get("amount_paid") or 0)) / FEN,
        "currency": obj.get("currency") or "cny",
        "hosted_invoice_url": obj.get("hosted_invoice_url") or "",
        "period_start": _ts(period.get("start") or obj.get("period_start")),
        "period_end": _ts(period.get("end") or obj.get("period_end")),
        "issued_at": _ts(obj.get("created")) or timezone.now(),
        "last_event_created": created,
    }
    if values["status"] == "paid":
        paid_at = ((obj.get("status_transitions") or {}).get("paid_at")) or created
        values["paid_at"] = _ts(paid_at)
    invoice = Invoice.objects.select_for_update().filter(stripe_invoice_id=obj["id"]).first()
    if invoice is None:
        return Invoice.objects.create(stripe_invoice_id=obj["id"], **values)
    if invoice.last_event_created > created or invoice.status == "paid":
        return invoice  # an older delivery, or already paid: keep what we know
    for key, value in values.items():
        setattr(invoice, key, value)
    invoice.save()
    return invoice


def _lapse(sub: Subscription, status: str, at: datetime) -> None:
    sub.status = status
    if sub.past_due_since is None:
        sub.past_due_since = at


def _recover(sub: Subscription, status: str) -> None:
    sub.status = status
    sub.past_due_since = None


def billing_webhook_apply(*, kind: str, obj: dict[str, Any], created: int) -> str:
    """Apply one verified, first-seen Stripe billing event. Events older than the newest one
    already applied to the subscription still record their invoice, but never move the
    subscription's state backwards."""
    with schema_context("public"), transaction.atomic():
        sub = _subscription_for(obj)
        if sub is None:
            return "unknown subscription"
        at = _ts(created) or timezone.now()
        fresh = created >= sub.last_event_created
        result = "stale" if not fresh else kind
        if kind.startswith("invoice."):
            invoice = _invoice_record(sub, obj, created)
            newer_period = bool(invoice.period_end and (sub.current_period_end is None
                                                        or invoice.period_end > sub.current_period_end))  # fmt: skip
            if kind == "invoice.paid" and (fresh or newer_period):
                _recover(sub, SubscriptionStatus.ACTIVE)
                if invoice.period_end and (
                    sub.current_period_end is None or invoice.period_end > sub.current_period_end
                ):
                    sub.current_period_end = invoice.period_end
                result = "paid"
            elif kind == "invoice.payment_failed" and fresh:
                _lapse(sub, SubscriptionStatus.PAST_DUE, at)
                result = "past_due"
        elif kind == "checkout.session.completed":
            sub.stripe_customer_id = obj.get("customer") or sub.stripe_customer_id
            sub.stripe_subscription_id = obj.get("subscription") or sub.stripe_subscription_id
            plan = Plan.objects.filter(code=(obj.get("metadata") or {}).get("plan", "")).first()
            if fresh:
                if plan is not None:
                    sub.plan = plan
                if obj.get("payment_status") == "paid":
                    _recover(sub, SubscriptionStatus.ACTIVE)
            result = "checkout completed"
        elif kind.startswith("customer.subscription.") and fresh:
            sub.stripe_subscription_id = obj.get("id") or sub.stripe_subscription_id
            status = (
                SubscriptionStatus.CANCELED
                if kind.endswith("deleted")
                else STRIPE_STATUS.get(obj.get("status", ""))
            )
            if status in (SubscriptionStatus.PAST_DUE, SubscriptionStatus.CANCELED):
                _lapse(sub, status, at)
            elif status is not None:
                _recover(sub, status)
            items = (obj.get("items") or {}).get("data") or []
            period_end = _ts(
                obj.get("current_period_end") or (items[0].get("current_period_end") if items else None)
            )
            if period_end:
                sub.current_period_end = period_end
            if obj.get("trial_end"):
                sub.trial_ends_at = _ts(obj["trial_end"])
            code = (obj.get("metadata") or {}).get("plan", "")
            price_id = ((items[0].get("price") or {}).get("id") if items else "") or ""
            plan = Plan.objects.filter(code=code).first() or (
                Plan.objects.filter(stripe_price_id=price_id).first() if price_id else None
            )
            if plan is not None:
                sub.plan = plan
            result = sub.status
        if fresh:
            sub.last_event_created = created
        sub.save()
        audit_event_record(actor=None, action=f"billing.{kind}", object_type="subscription", object_id=sub.pk,
                           summary=f"{sub.tenant.name}：Stripe {kind} → {result}")  # fmt: skip
        return result


# ---- sign-in right after signup ----------------------------------------------------------------

# "进入我的控制台" signs the new admin in with a one-time ticket: issued once per signup, only to the
# browser that submitted it (it must show the signup's request_id, which is never in a URL), only soon
# after provisioning finished; it lives SIGNUP_TICKET_TTL seconds and the tenant's host consumes it once
# (Redis GETDEL: of two requests with one ticket, one wins). The admin proved the contact mobile by an
# SMS code and chose the password minutes before, so the token counts the second factor as checked.
SIGNUP_TICKET_TTL = 120
SIGNUP_TICKET_WINDOW = timedelta(minutes=30)


def _ticket_key(ticket: str) -> str:
    return "sxb-signup-ticket:" + token_digest(ticket)


def signup_ticket_issue(*, signup_id: Any, request_id: Any) -> str:
    """A one-time sign-in ticket for the new tenant's admin, once per signup."""
    signup = Signup.objects.filter(pk=signup_id, request_id=request_id).first()
    if signup is None:
        raise NotFound("注册申请不存在")
    if signup.status != SignupStatus.READY or signup.tenant_id is None:
        raise StateConflict("开通尚未完成")
    if timezone.now() - signup.updated_at > SIGNUP_TICKET_WINDOW:
        raise StateConflict("开通已超过30分钟，请用手机号和密码登录")
    redis = get_redis_connection("default")
    window = int(SIGNUP_TICKET_WINDOW.total_seconds())
    if not redis.set(f"sxb-signup-ticket-issued:{signup.pk}", 1, nx=True, ex=window):
        raise StateConflict("已自动登录过一次，请用手机号和密码登录")
    ticket = secrets.token_urlsafe(32)
    redis.set(_ticket_key(ticket), f"{signup.tenant_id}:{signup.contact_mobile}", ex=SIGNUP_TICKET_TTL)
    return ticket


def signup_ticket_redeem(*, ticket: str, tenant_id: int | None, user_agent: str = "") -> IssuedToken:
    """Exchange a ticket for a token pair on the new tenant's host; any ticket works once only."""
    refused = AuthenticationFailed("登录链接无效或已使用，请用手机号和密码登录", code="ticket_invalid")
    raw = get_redis_connection("default").getdel(_ticket_key(ticket)) if ticket else None
    if raw is None or tenant_id is None:
        raise refused
    ticket_tenant, mobile = raw.decode().split(":", 1)
    if int(ticket_tenant) != tenant_id:  # another tenant's host: the ticket is spent all the same
        raise refused
    user = User.objects.filter(mobile=mobile).first()
    if user is None:
        raise refused
    return auth_token_issue(user=user, tenant_id=tenant_id, user_agent=user_agent, second_factor=True)
