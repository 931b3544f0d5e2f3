"""Every write about people: users, memberships, tokens, one-time codes."""

import hmac
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts import totp as totp_lib
from accounts.models import (
    ELEVATED_ROLES,
    PUBLIC_ROLES,
    TENANT_ROLES,
    AuthToken,
    LoginLockout,
    Membership,
    OneTimeCode,
    RefreshToken,
    Role,
    User,
    UserTotp,
    token_digest,
)
from accounts.selectors import roles_of
from accounts.sms import SmsMessage, sms_backend
from core.crypto import decrypt_text, encrypt_text
from core.errors import (
    AuthenticationFailed,
    FieldErrors,
    NotFound,
    PermissionDenied,
    RateLimited,
    StateConflict,
    ValidationFailed,
)
from core.services import audit_event_record
from core.validators import normalize_mobile, validate_mobile

INVALID_CREDENTIALS = "手机号或密码错误"


@dataclass(frozen=True)
class IssuedToken:
    token: str
    user: User
    roles: set[str]
    record: AuthToken
    signed_up: bool = False
    refresh: str = ""


def password_check(errors: FieldErrors, password: str | None, *, field: str = "password") -> None:
    """The one password policy (settings.AUTH_PASSWORD_VALIDATORS) for every way a password is set;
    None (no password at all) is left to the caller."""
    if password is None:
        return
    try:
        validate_password(password)
    except DjangoValidationError as exc:
        for message in exc.messages:
            errors.add(field, message)


def user_create(*, mobile: str, name: str = "", password: str | None = None, field_prefix: str = "") -> User:
    """Create a person. Every bad field is reported at once, named with ``field_prefix``."""
    errors = FieldErrors()
    mobile = normalize_mobile(mobile)
    try:
        validate_mobile(mobile)
    except DjangoValidationError as exc:
        errors.add(f"{field_prefix}mobile", exc.messages[0])
    else:
        if User.objects.filter(mobile=mobile).exists():
            errors.add(f"{field_prefix}mobile", "该手机号已注册")
    password_check(errors, password, field=f"{field_prefix}password")
    errors.raise_if_any()
    return User.objects.create_user(mobile=mobile, password=password, name=name.strip())


def membership_grant(*, user: User, role: str, tenant_id: int | None) -> Membership:
    """Give ``user`` a role in a tenant (or on the public host); granting twice is a no-op."""
    if role in TENANT_ROLES and tenant_id is None:
        raise ValidationFailed(fields={"role": [f"角色 {role} 必须属于某个租户"]})
    if role in PUBLIC_ROLES and tenant_id is not None:
        raise ValidationFailed(fields={"role": [f"角色 {role} 属于平台，不能属于租户"]})
    membership, created = Membership.objects.get_or_create(user=user, tenant_id=tenant_id, role=role)
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    return membership


SECOND_FACTOR_NEEDED = "管理员和财务账号请使用密码加验证码（或动态码）登录"


def auth_token_issue(
    *, user: User, tenant_id: int | None, user_agent: str = "", second_factor: bool = False
) -> IssuedToken:
    """Issue a bearer token bound to one scope. The user must hold a role there; the ELEVATED_ROLES
    only count when the login checked a second factor."""
    roles = roles_of(user=user, tenant_id=tenant_id)
    if not user.is_active or not roles:
        raise AuthenticationFailed(INVALID_CREDENTIALS, code="invalid_credentials")
    if not second_factor:
        roles -= ELEVATED_ROLES
        if not roles:
            raise AuthenticationFailed(SECOND_FACTOR_NEEDED, code="second_factor_required")
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return _token_pair(
        user=user,
        tenant_id=tenant_id,
        user_agent=user_agent,
        second_factor=second_factor,
        family=uuid.uuid4(),
        roles=roles,
    )


def _token_pair(
    *,
    user: User,
    tenant_id: int | None,
    user_agent: str,
    second_factor: bool,
    family: uuid.UUID,
    roles: set[str],
) -> IssuedToken:
    """A short-lived access token and the refresh token that replaces it, of one family."""
    now = timezone.now()
    raw = secrets.token_urlsafe(32)
    record = AuthToken.objects.create(
        digest=token_digest(raw),
        user=user,
        tenant_id=tenant_id,
        expires_at=now + timedelta(minutes=settings.AUTH_TOKEN_TTL_MINUTES),
        user_agent=user_agent[:200],
        second_factor=second_factor,
        family=family,
    )
    refresh = secrets.token_urlsafe(32)
    RefreshToken.objects.create(
        digest=token_digest(refresh),
        family=family,
        user=user,
        tenant_id=tenant_id,
        second_factor=second_factor,
        expires_at=now + timedelta(days=settings.REFRESH_TOKEN_TTL_DAYS),
        user_agent=user_agent[:200],
    )
    return IssuedToken(token=raw, user=user, roles=roles, record=record, refresh=refresh)


REFRESH_INVALID = "登录已失效，请重新登录"


def _family_revoke(family: uuid.UUID) -> None:
    now = timezone.now()
    AuthToken.objects.filter(family=family, revoked_at__isnull=True).update(revoked_at=now)
    RefreshToken.objects.filter(family=family, revoked_at__isnull=True).update(revoked_at=now)


def auth_token_refresh(*, refresh: str, tenant_id: int | None, user_agent: str = "") -> IssuedToken:
    """Exchange a refresh token for a new pair (rotation). A refresh token presented a second time
    means two holders: the whole family (every access and refresh token of that login) is revoked."""
    with transaction.atomic():
        row = (
            RefreshToken.objects.select_for_update()
            .select_related("user")
            .filter(digest=token_digest(refresh))
            .filter(**({"tenant_id": tenant_id} if tenant_id is not None else {"tenant__isnull": True}))
            .first()
        )
        if (
            row is None
            or row.revoked_at is not None
            or row.expires_at <= timezone.now()
            or not row.user.is_active
        ):
            raise AuthenticationFailed(REFRESH_INVALID, code="refresh_invalid")
        reused = row.used_at is not None
        if reused:
            _family_revoke(row.family)
        else:
            RefreshToken.objects.filter(pk=row.pk).update(used_at=timezone.now())
            roles = roles_of(user=row.user, tenant_id=tenant_id)
            if not row.second_factor:
                roles -= ELEVATED_ROLES
            if roles:
                return _token_pair(
                    user=row.user,
                    tenant_id=tenant_id,
                    user_agent=user_agent,
                    second_factor=row.second_factor,
                    family=row.family,
                    roles=roles,
                )
    if reused:
        raise AuthenticationFailed("登录凭证被重复使用，已退出该登录，请重新登录", code="refresh_reused")
    raise AuthenticationFailed("账号在本站已无可用角色", code="no_role")


def _locked_message(until: object) -> str:
    minutes = max(1, int(((until - timezone.now()).total_seconds() + 59) // 60))  # type: ignore[operator]
    return f"密码错误次数过多，账号已锁定，请 {minutes} 分钟后再试，或联系管理员解锁"


def login_lock_check(*, mobile: str) -> None:
    """Refuse a locked mobile before its password is even looked at."""
    until = (
        LoginLockout.objects.filter(mobile=mobile, locked_until__gt=timezone.now())
        .values_list("locked_until", flat=True)
        .first()
    )
    if until is not None:
        raise PermissionDenied(_locked_message(until), code="account_locked")


def login_failure_record(*, mobile: str, ip: str | None) -> None:
    """Count one failed login for ``mobile`` (one atomic upsert: concurrent failures all count) and
    lock it once LOGIN_LOCKOUT_FAILURES fall within the window (the next attempt is refused). A lock that ran out starts over.
    Runs in its own statement outside the login's transaction, so the failure's rollback keeps it."""
    now = timezone.now()
    window_start = now - timedelta(minutes=settings.LOGIN_LOCKOUT_WINDOW_MINUTES)
    lock_until = now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    table = LoginLockout._meta.db_table
    fresh = "(t.window_started_at < %(window_start)s OR t.locked_until <= %(now)s)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} AS t (mobile, failures, window_started_at, last_failure_at, last_ip, locked_until)
            VALUES (%(mobile)s, 1, %(now)s, %(now)s, %(ip)s, NULL)
            ON CONFLICT (mobile) DO UPDATE SET
                failures = CASE WHEN {fresh} THEN 1 ELSE t.failures + 1 END,
                window_started_at = CASE WHEN {fresh} THEN %(now)s ELSE t.window_started_at END,
                locked_until = CASE WHEN {fresh} THEN NULL ELSE t.locked_until END,
                last_failure_at = %(now)s,
                last_ip = %(ip)s
            RETURNING failures, locked_until
            """,
            {"mobile": mobile, "now": now, "ip": ip, "window_start": window_start},
        )
        failures, locked_until = cursor.fetchone()
    if failures >= settings.LOGIN_LOCKOUT_FAILURES and locked_until is None:
        LoginLockout.objects.filter(mobile=mobile, locked_until__isnull=True).update(locked_until=lock_until)


def login_failures_clear(*, mobile: str) -> None:
    LoginLockout.objects.filter(mobile=mobile).delete()


def login_lockouts_active() -> "list[LoginLockout]":
    return list(LoginLockout.objects.filter(locked_until__gt=timezone.now()))


def login_unlock(*, actor: User, mobile: str, tenant_id: int | None, ip: str | None = None) -> None:
    """An admin lifts a lock: a tenant admin only for people of its tenant, the platform admin for
    anyone. Written to the audit log of the schema the admin works in."""
    mobile = normalize_mobile(mobile)
    lock = LoginLockout.objects.filter(mobile=mobile, locked_until__gt=timezone.now()).first()
    if lock is None or (
        tenant_id is not None
        and not Membership.objects.filter(user__mobile=mobile, tenant_id=tenant_id).exists()
    ):
        raise NotFound("该手机号没有被锁定", code="not_locked")
    lock.delete()
    audit_event_record(
        actor=actor,
        action="auth.unlock",
        summary=f"解除账号锁定 {mobile}",
        object_type="account",
        object_id=mobile,
        data={"failures": lock.failures},
        ip=ip,
    )


def auth_login_with_password(
    *,
    mobile: str,
    password: str,
    tenant_id: int | None,
    otp: str = "",
    user_agent: str = "",
    ip: str | None = None,
) -> IssuedToken:
    """Log in with mobile + password; admins and finance also give ``otp``: their authenticator's
    code, or (without one) the SMS code the first attempt sends. Not one transaction: a failure must
    stay counted although the request fails (the lockout counter is written by its own statement)."""
    mobile = normalize_mobile(mobile)
    login_lock_check(mobile=mobile)
    user = User.objects.filter(mobile=mobile).first()
    if user is None or not user.has_usable_password():
        # Hash anyway, so an unknown mobile takes as long to refuse as a wrong password.
        make_password(password)
        valid = False
    else:
        valid = user.check_password(password)
    if user is None or not valid:
        login_failure_record(mobile=mobile, ip=ip)
        # Same answer for an unknown mobile and a wrong password: no account enumeration.
        raise AuthenticationFailed(INVALID_CREDENTIALS, code="invalid_credentials")
    second_factor = bool(roles_of(user=user, tenant_id=tenant_id) & ELEVATED_ROLES)
    if second_factor:
        _second_factor_check(user=user, otp=otp.strip(), ip=ip)
    login_failures_clear(mobile=mobile)
    with transaction.atomic():
        issued = auth_token_issue(
            user=user, tenant_id=tenant_id, user_agent=user_agent, second_factor=second_factor
        )
        audit_event_record(
            actor=user, action="auth.login", summary="密码+验证码登录" if second_factor else "密码登录", ip=ip
        )
    return issued


def _masked(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}"


def _second_factor_check(*, user: User, otp: str, ip: str | None) -> None:
    """The password was right; now the authenticator's code, or an SMS code sent on the first try.
    A wrong code counts as a failed login (lockout)."""
    totp = UserTotp.objects.filter(user=user, confirmed_at__isnull=False).first()
    if totp is not None:
        if not otp:
            message = "请输入身份验证器中的 6 位动态码"
            raise AuthenticationFailed(message, code="otp_required", fields={"otp": [message]})
        if not totp_code_accept(totp=totp, code=otp):
            login_failure_record(mobile=user.mobile, ip=ip)
            raise AuthenticationFailed("动态码不正确", code="otp_invalid", fields={"otp": ["动态码不正确"]})
        return
    if not otp:
        try:
            sms_login_code_send(mobile=user.mobile, purpose="second_factor", ip=ip)
        except RateLimited:
            pass  # sent a moment ago: that code still works
        message = f"验证码已发送至 {_masked(user.mobile)}，请输入短信验证码"
        raise AuthenticationFailed(message, code="otp_required", fields={"otp": [message]})
    try:
        sms_login_code_check(mobile=user.mobile, code=otp, purpose="second_factor")
    except ValidationFailed as exc:
        login_failure_record(mobile=user.mobile, ip=ip)
        raise AuthenticationFailed(
            exc.message, code=exc.code, fields={"otp": exc.fields.get("code", [])}
        ) from exc


def totp_secret_of(totp: UserTotp) -> str:
    """The authenticator's shared secret, decrypted (UserTotp rows live in the public schema)."""
    return decrypt_text(totp.secret_cipher, schema=settings.PUBLIC_SCHEMA_NAME)


def totp_code_accept(*, totp: UserTotp, code: str) -> bool:
    """A code of the authenticator, each step at most once (one UPDATE: a parallel replay loses)."""
    step = totp_lib.matching_step(totp_secret_of(totp), code)
    if step is None:
        return False
    return bool(UserTotp.objects.filter(pk=totp.pk, last_step__lt=step).update(last_step=step))


def totp_setup(*, user: User, issuer: str) -> tuple[str, str]:
    """Start enrolling an authenticator: a new secret (replacing an unconfirmed one) and its
    otpauth:// URI for the QR code. Nothing changes for logging in until totp_confirm."""
    if UserTotp.objects.filter(user=user, confirmed_at__isnull=False).exists():
        raise StateConflict("已绑定身份验证器，请先解除", code="totp_enabled")
    secret = totp_lib.secret_new()
    UserTotp.objects.update_or_create(
        user=user,
        defaults={
            "secret_cipher": encrypt_text(secret, schema=settings.PUBLIC_SCHEMA_NAME),
            "confirmed_at": None,
            "last_step": 0,
        },
    )
    return secret, totp_lib.provisioning_uri(secret, account=user.mobile, issuer=issuer)


def totp_confirm(*, user: User, code: str, ip: str | None = None) -> None:
    totp = UserTotp.objects.filter(user=user, confirmed_at__isnull=True).first()
    if totp is None:
        raise StateConflict("请先生成绑定二维码", code="totp_not_started")
    if not totp_code_accept(totp=totp, code=code):
        raise ValidationFailed("动态码不正确", code="otp_invalid", fields={"code": ["动态码不正确"]})
    UserTotp.objects.filter(pk=totp.pk).update(confirmed_at=timezone.now())
    audit_event_record(actor=user, action="auth.totp_enabled", summary="绑定身份验证器", ip=ip)


def totp_disable(*, user: User, password: str, ip: str | None = None) -> None:
    if not user.check_password(password):
        raise ValidationFailed("密码不正确", code="invalid_password", fields={"password": ["密码不正确"]})
    UserTotp.objects.filter(user=user).delete()
    audit_event_record(actor=user, action="auth.totp_disabled", summary="解除身份验证器", ip=ip)


def totp_enabled(*, user: User) -> bool:
    return UserTotp.objects.filter(user=user, confirmed_at__isnull=False).exists()


def _scope() -> str:
    # The schema of the host: a code sent on one tenant's host is useless on another.
    return str(connection.schema_name)  # type: ignore[attr-defined]


def sms_login_code_send(*, mobile: str, purpose: str = "login", ip: str | None = None) -> int:
    """Send a 6-digit one-time code (for logging in, or another ``purpose`` such as ``signup``: a
    code for one purpose is useless for another); returns its lifetime in seconds."""
    mobile = normalize_mobile(mobile)
    try:
        validate_mobile(mobile)
    except DjangoValidationError as exc:
        raise ValidationFailed(fields={"mobile": exc.messages}) from exc
    now = timezone.now()
    # The wait between two sends applies while the last code can still be used: once it has been
    # (an admin who logged in, out and in again within the minute), a new one is sent at once,
    # within the per-mobile and per-address caps of the SMS throttles.
    last = (
        OneTimeCode.objects.filter(scope=_scope(), mobile=mobile, purpose=purpose, used_at__isnull=True)
        .values_list("created_at", flat=True)
        .first()
    )
    if last is not None and (now - last).total_seconds() < settings.SMS_CODE_RESEND_SECONDS:
        wait = int(settings.SMS_CODE_RESEND_SECONDS - (now - last).total_seconds()) + 1
        raise RateLimited(f"验证码已发送，请 {wait} 秒后再试", code="sms_code_too_frequent", retry_after=wait)
    code = f"{secrets.randbelow(1_000_000):06d}"
    OneTimeCode.objects.create(
        scope=_scope(),
        mobile=mobile,
        purpose=purpose,
        digest=token_digest(code),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.SMS_CODE_TTL_SECONDS),
        ip=ip,
    )
    sms_backend().send(SmsMessage(mobile=mobile, template=f"{purpose}_code", params={"code": code}))
    return int(settings.SMS_CODE_TTL_SECONDS)


def sms_login_code_check(*, mobile: str, code: str, purpose: str = "login") -> None:
    """Accept the latest code once; after SMS_CODE_MAX_ATTEMPTS tries it is burnt.

    One UPDATE adds the attempt before the code is compared, and only while attempts are left: a
    burst of parallel guesses gets at most SMS_CODE_MAX_ATTEMPTS comparisons. Call it outside the
    caller's transaction (a wrong code raises, and a rollback would forget the attempt)."""
    table = OneTimeCode._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} SET attempts = attempts + 1
            WHERE id = (
                SELECT id FROM {table} WHERE scope = %(scope)s AND mobile = %(mobile)s AND purpose = %(purpose)s
                ORDER BY created_at DESC, id DESC LIMIT 1
            )
            AND used_at IS NULL AND expires_at > %(now)s AND attempts < %(max)s
            RETURNING id, digest
            """,
            {
                "scope": _scope(),
                "mobile": normalize_mobile(mobile),
                "purpose": purpose,
                "now": timezone.now(),
                "max": settings.SMS_CODE_MAX_ATTEMPTS,
            },
        )
        row = cursor.fetchone()
    expired = ValidationFailed(
        "验证码已过期，请重新获取", code="sms_code_expired", fields={"code": ["验证码已过期"]}
    )
    if row is None:
        raise expired
    code_id, digest = row
    if not hmac.compare_digest(digest, token_digest(code.strip())):
        raise ValidationFailed("验证码不正确", code="sms_code_invalid", fields={"code": ["验证码不正确"]})
    if not OneTimeCode.objects.filter(pk=code_id, used_at__isnull=True).update(used_at=timezone.now()):
        raise expired  # used a moment ago by a parallel request


def sms_codes_purge_expired() -> int:
    deleted, _ = OneTimeCode.objects.filter(expires_at__lt=timezone.now() - timedelta(days=1)).delete()
    return deleted


def auth_login_with_sms_code(
    *, mobile: str, code: str, tenant_id: int | None, user_agent: str = "", ip: str | None = None
) -> IssuedToken:
    """Log in with a one-time code. On a tenant's host an unknown mobile signs up as an owner (车主):
    that is how owners arrive from the tenant's WeChat H5."""
    mobile = normalize_mobile(mobile)
    try:
        validate_mobile(mobile)
    except DjangoValidationError as exc:
        raise ValidationFailed(fields={"mobile": exc.messages}) from exc
    sms_login_code_check(mobile=mobile, code=code)  # before the transaction: a wrong code stays counted
    with transaction.atomic():
        return _sms_login(mobile=mobile, tenant_id=tenant_id, user_agent=user_agent, ip=ip)


def _sms_login(*, mobile: str, tenant_id: int | None, user_agent: str, ip: str | None) -> IssuedToken:
    user = User.objects.filter(mobile=mobile).first()
    if user is None and tenant_id is not None:
        user = User.objects.create_user(mobile=mobile)
    if user is None:
        raise AuthenticationFailed("该手机号未开通平台账号", code="invalid_credentials")
    signed_up = tenant_id is not None and not roles_of(user=user, tenant_id=tenant_id)
    if signed_up:
        membership_grant(user=user, role=Role.OWNER, tenant_id=tenant_id)
        audit_event_record(actor=user, action="owner.signup", summary="车主通过短信验证码注册", ip=ip)
    issued = auth_token_issue(user=user, tenant_id=tenant_id, user_agent=user_agent)
    audit_event_record(actor=user, action="auth.login", summary="验证码登录", ip=ip)
    return replace(issued, signed_up=signed_up)


def auth_token_revoke(*, token: AuthToken) -> None:
    """Log out: this token and its refresh tokens (the whole login)."""
    AuthToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if token.family is not None:
        _family_revoke(token.family)


def auth_tokens_revoke_all(*, user: User) -> int:
    """Log ``user`` out everywhere: every token on every host (support sessions included)."""
    RefreshToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return AuthToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def auth_logout_everywhere(*, user: User, ip: str | None = None) -> int:
    revoked = auth_tokens_revoke_all(user=user)
    audit_event_record(
        actor=user, action="auth.logout_all", summary=f"退出所有设备（{revoked} 个登录）", ip=ip
    )
    return revoked


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str, ip: str | None = None) -> None:
    """Change one's password (the one policy applies) and end every session: each device logs in
    again with the new password."""
    errors = FieldErrors()
    if not user.check_password(old_password):
        errors.add("old_password", "原密码不正确")
    password_check(errors, new_password, field="new_password")
    errors.raise_if_any()
    user.set_password(new_password)
    user.save(update_fields=["password"])
    auth_tokens_revoke_all(user=user)
    audit_event_record(actor=user, action="auth.password_changed", summary="修改密码，已退出所有设备", ip=ip)


def auth_tokens_purge_expired() -> int:
    week_ago = timezone.now() - timedelta(days=7)
    deleted, _ = AuthToken.objects.filter(expires_at__lt=week_ago).delete()
    refreshes, _ = RefreshToken.objects.filter(expires_at__lt=week_ago).delete()
    return deleted + refreshes + sms_codes_purge_expired()
