from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class TenantKind(models.TextChoices):
    PLATFORM = "platform", "平台"
    BROKERAGE = "brokerage", "经纪公司"
    AFTERSALES = "aftersales", "售后连锁"


class Tenant(TenantMixin):
    """A brokerage or after-sales chain with its own schema. The row with schema ``public`` is the
    platform itself (the bare host)."""

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=TenantKind.choices, default=TenantKind.BROKERAGE)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    auto_create_schema = True
    auto_drop_schema = True

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.schema_name})"


class Domain(DomainMixin):
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
