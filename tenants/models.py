from django.conf import settings
from django.db import models
from django.utils import timezone
from django_tenants.models import DomainMixin, TenantMixin


class TenantKind(models.TextChoices):
    PLATFORM = "platform", "平台"
    BROKERAGE = "brokerage", "经纪公司"
    AFTERSALES = "aftersales", "售后连锁"


class TenantStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    SUSPENDED = "suspended", "已暂停"
    DELETING = "deleting", "删除中"


class Tenant(TenantMixin):
    """A brokerage or after-sales chain with its own schema. The row with schema ``public`` is the
    platform itself (the bare host)."""

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=TenantKind.choices, default=TenantKind.BROKERAGE)
    is_active = models.BooleanField(default=True)
    # Suspended or deleting: the tenant's hosts answer every request with a clear "suspended"
    # response (tenants.middleware); its data stays untouched until deletion is confirmed.
    status = models.CharField(max_length=20, choices=TenantStatus.choices, default=TenantStatus.ACTIVE)
    status_reason = models.CharField(max_length=200, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    auto_create_schema = True
    auto_drop_schema = True

    def create_schema(
        self, check_if_exists: bool = False, sync_schema: bool = True, verbosity: int = 1
    ) -> bool:
        """django-tenants calls this from ``save()`` for a new tenant. The schema is made by
        ``tenants.provisioning.schema_create`` (a copy of the migrated template, in one round trip),
        not by running every migration."""
        from django_tenants.utils import schema_exists

        from tenants.provisioning import schema_create

        if check_if_exists and schema_exists(self.schema_name):
            return False
        if sync_schema:
            schema_create(self.schema_name)
        else:
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute('CREATE SCHEMA "{}"'.format(self.schema_name.replace('"', '""')))
        return True

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.schema_name})"


class Domain(DomainMixin):
    """A host that reaches a tenant. Only verified hosts route (tenants.middleware).

    Hosts the platform hands out itself (``<schema>.<TENANT_BASE_DOMAIN>``, the public hosts) are
    ours from the start, hence the default; a tenant's own domain is added unverified by
    ``tenants.services.domain_add`` and verified once it resolves to CUSTOM_DOMAIN_TARGET."""

    verified_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    verification_token = models.CharField(max_length=64, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_check_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["domain"]


DEFAULT_PRIMARY_COLOR = "#1F6FEB"
DEFAULT_SECONDARY_COLOR = "#F5A623"


class Branding(models.Model):
    """What an owner sees of the tenant: name, logo and colours on the H5, agent app and console."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="branding")
    display_name = models.CharField(max_length=60)
    short_name = models.CharField(max_length=20, blank=True)
    slogan = models.CharField(max_length=120, blank=True)
    # An https URL or a data: URI (the seed draws SVG letter marks); uploads come with issue 10.
    logo_url = models.TextField(blank=True)
    primary_color = models.CharField(max_length=7, default=DEFAULT_PRIMARY_COLOR)
    secondary_color = models.CharField(max_length=7, default=DEFAULT_SECONDARY_COLOR)
    # Uploaded favicon (a /media/tenants/<schema>/branding/ URL) and the owner H5's document title.
    favicon_url = models.TextField(blank=True)
    h5_title = models.CharField(max_length=60, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(primary_color__regex=r"^#[0-9A-Fa-f]{6}$")
                & models.Q(secondary_color__regex=r"^#[0-9A-Fa-f]{6}$"),
                name="branding_colors_are_hex",
            )
        ]

    def __str__(self) -> str:
        return self.display_name


class ExportStatus(models.TextChoices):
    PENDING = "pending", "导出中"
    READY = "ready", "已导出"
    FAILED = "failed", "导出失败"


class TenantExport(models.Model):
    """Step 1 of deleting a tenant: a zip of every table of its schema (CSV) and its public rows
    (JSON), built by a Celery task. Step 2 (dropping the schema) is refused until one is ready.
    The row outlives the tenant (``tenant`` becomes NULL) so the platform can still download it."""

    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.SET_NULL, related_name="exports"
    )
    schema_name = models.CharField(max_length=63)
    tenant_name = models.CharField(max_length=100)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    file = models.CharField(max_length=300, blank=True, help_text="storage path of the zip")
    size_bytes = models.BigIntegerField(default=0)
    table_count = models.IntegerField(default=0)
    row_count = models.BigIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True, help_text="when step 2 dropped the tenant")

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"export {self.schema_name} {self.status}"


class SchemaTemplate(models.Model):
    """The DDL (and the few rows migrations leave, e.g. content types) of a fully migrated tenant
    schema, read from the catalog of a template schema migrated once for this migration state.
    ``key`` hashes every migration file, Django's and PostgreSQL's versions and the generator's
    version (``tenants.provisioning.template_key``): a new migration means a new key, hence a new
    template, so a stale one is never used. New tenants are created by running ``sql`` under their
    schema's name in one round trip (``tenants.provisioning.schema_create``)."""

    key = models.CharField(max_length=64, unique=True)
    sql = models.TextField()
    table_count = models.IntegerField()
    migration_count = models.IntegerField()
    build_seconds = models.FloatField()
    built_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-built_at", "-id"]

    def __str__(self) -> str:
        return f"schema template {self.key[:12]} ({self.table_count} tables)"
