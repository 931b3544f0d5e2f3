import hashlib

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Q

from core.public_rows import Undeletable, UndeletableQuerySet
from core.validators import normalize_mobile, validate_mobile


class UserManager(BaseUserManager["User"]):
    def get_queryset(self) -> UndeletableQuerySet:
        return UndeletableQuerySet(self.model, using=self._db)

    def create_user(self, mobile: str, password: str | None = None, **extra: object) -> "User":
        user = self.model(mobile=normalize_mobile(mobile), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user


class User(AbstractBaseUser, Undeletable):
    """One identity across tenants (public schema). What the person is in each tenant is a Membership.
    Deactivated (``is_active``), never deleted: tenant rows refer to it (core.public_rows)."""

    mobile = models.CharField(max_length=11, unique=True, validators=[validate_mobile])
    name = models.CharField(max_length=60, blank=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(auto_now_add=True)

    USERNAME_FIELD = "mobile"
    REQUIRED_FIELDS = ["name"]

    objects = UserManager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name or ''} {self.mobile}".strip()


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", "平台管理员"
    TENANT_ADMIN = "tenant_admin", "租户管理员"
    FINANCE = "finance", "财务"
    AGENT = "agent", "代理人"
    OWNER = "owner", "车主"
    SHOP_STAFF = "shop_staff", "服务商员工"
    INSURER_STAFF = "insurer_staff", "保险公司员工"


# Roles held on the bare host (no tenant) and roles held inside one tenant.
PUBLIC_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.SHOP_STAFF, Role.INSURER_STAFF})
TENANT_ROLES = frozenset({Role.TENANT_ADMIN, Role.FINANCE, Role.AGENT, Role.OWNER})


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    # NULL for the public scope (platform, shop and insurer staff).
    tenant = models.ForeignKey(
        "tenants.Tenant", null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "tenant", "role"], name="membership_unique_role", nulls_distinct=False
            ),
            models.CheckConstraint(
                condition=(Q(role__in=sorted(r.value for r in PUBLIC_ROLES)) & Q(tenant__isnull=True))
                | (Q(role__in=sorted(r.value for r in TENANT_ROLES)) & Q(tenant__isnull=False)),
                name="membership_role_matches_scope",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "role"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} @ {self.tenant_id or 'public'}"


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class AuthToken(models.Model):
    """A bearer token, stored only as its SHA-256 digest, bound to the tenant it was issued on
    (NULL: the public host). Used on any other host it is rejected."""

    digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tokens")
    tenant = models.ForeignKey(
        "tenants.Tenant", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    # Support impersonation: the platform admin acting as ``user`` in ``tenant``. Short-lived;
    # every write made with it is audited in the tenant's log ("平台支持 X 代 Y").
    impersonator = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="support_tokens"
    )
    support_reason = models.CharField(max_length=200, blank=True)
    # Issued after a password and a second factor (SMS or TOTP code): only such a token carries the
    # ELEVATED_ROLES (admins, finance).
    second_factor = models.BooleanField(default=False)
    # The login this token descends from through refreshes; a refresh token used twice revokes it all.
    family = models.UUIDField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"token {self.pk} for user {self.user_id}"


class LoginLockout(models.Model):
    """Failed password logins per mobile, across every host (public schema), kept in PostgreSQL so
    a Redis restart does not forgive them. Keyed by the mobile as typed (normalised), known account
    or not, so a locked answer does not tell whether the mobile has an account."""

    mobile = models.CharField(max_length=20, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    last_failure_at = models.DateTimeField()
    last_ip = models.GenericIPAddressField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-last_failure_at"]

    def __str__(self) -> str:
        return f"{self.mobile}: {self.failures} failures, locked until {self.locked_until}"


class OneTimeCode(models.Model):
    """An SMS one-time code, stored only as its SHA-256 digest, in PostgreSQL (a Redis restart does
    not lose it). ``scope`` is the schema of the host it was sent on: useless on any other. Each check
    first adds one to ``attempts`` in one UPDATE, so parallel guesses are counted one by one."""

    scope = models.CharField(max_length=63)
    mobile = models.CharField(max_length=20)
    purpose = models.CharField(max_length=20)
    digest = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["scope", "mobile", "purpose", "-created_at"], name="otc_lookup")]

    def __str__(self) -> str:
        return f"{self.purpose} code for {self.mobile} on {self.scope}"


# Roles that may not rest on one factor: their tokens come from a password plus an SMS code or a
# TOTP code (AuthToken.second_factor). Any other login (SMS code alone, WeChat) leaves them out.
ELEVATED_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.FINANCE})


class UserTotp(models.Model):
    """A person's authenticator app (账号安全). Enabled once a first code confirms it; ``last_step``
    keeps a code from being used twice. The shared secret is kept encrypted (core.crypto, the public
    schema's key; field_keys_rotate re-encrypts it): ``accounts.services.totp_secret_of`` reads it."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp")
    secret_cipher = models.TextField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"totp of user {self.user_id}"


class RefreshToken(models.Model):
    """Exchanged once (auth/refresh/) for a new access token and a new refresh token of the same
    family. Presented a second time it was stolen or replayed: the whole family is revoked."""

    digest = models.CharField(max_length=64, unique=True)
    family = models.UUIDField(db_index=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="refresh_tokens")
    tenant = models.ForeignKey(
        "tenants.Tenant", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    second_factor = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"refresh {self.pk} of family {self.family}"
