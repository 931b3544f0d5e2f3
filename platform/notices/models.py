"""Policy push (政策推送) and messages (消息) of one tenant: announcements with their read receipts,
inbox notifications made from business events, each user's channel preferences, the tenant's
message templates, deliveries to WeChat / SMS / email with their attempt log, and the tenant's
WeChat 公众号 settings and openid bindings."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q


class AudienceKind(models.TextChoices):
    ALL = "all", "全部代理人"
    TIERS = "tiers", "按职级"
    AGENTS = "agents", "指定代理人"


class AnnouncementSource(models.TextChoices):
    TENANT = "tenant", "本公司"
    INSURER = "insurer", "保险公司"


class Announcement(models.Model):
    title = models.CharField(max_length=120)
    body_html = models.TextField(help_text="sanitised HTML (a safe subset)")
    source = models.CharField(
        max_length=10, choices=AnnouncementSource.choices, default=AnnouncementSource.TENANT
    )
    insurer = models.ForeignKey(
        "directory.Insurer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    # The insurer's publication this copy belongs to (the same value in every tenant it reached).
    publication = models.UUIDField(null=True, blank=True, db_index=True)
    effective_from = models.DateField()
    effective_until = models.DateField(null=True, blank=True)
    audience = models.CharField(max_length=10, choices=AudienceKind.choices, default=AudienceKind.ALL)
    tier_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    agent_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    recipients = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    created_by_name = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True)
                | Q(effective_until__gte=models.F("effective_from")),
                name="announcement_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(source="tenant") | Q(insurer__isnull=False, publication__isnull=False),
                name="announcement_insurer_has_publication",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AnnouncementAttachment(models.Model):
    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=120)
    path = models.CharField(max_length=300, help_text="under the tenant's media folder")
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class AnnouncementReceipt(models.Model):
    """One recipient of one announcement; ``read_at`` is set the first time they open it."""

    # indexed by receipt_once (announcement, user), not twice
    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="receipts", db_index=False
    )
    # indexed by receipt_user_unread (user, read_at), not twice
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["announcement", "user"], name="receipt_once")]
        indexes = [models.Index(fields=["user", "read_at"], name="receipt_user_unread")]

    def __str__(self) -> str:
        return f"{self.announcement_id} → {self.user_id}"


class Category(models.TextChoices):
    QUOTE = "quote", "报价"
    POLICY = "policy", "保单"
    ORDER = "order", "商城订单"
    GIFT_PACK = "gift_pack", "礼包"
    REMINDER = "reminder", "到期提醒"
    COMMISSION = "commission", "收益结算"
    SERVICE = "service", "售后服务"


class Channel(models.TextChoices):
    WECHAT = "wechat", "微信模板消息"
    SMS = "sms", "短信"
    EMAIL = "email", "邮件"


class Notification(models.Model):
    """One message in one user's inbox, made once per (event, user)."""

    # indexed by notification_user_unread (user, read_at), not twice
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    category = models.CharField(max_length=12, choices=Category.choices)
    kind = models.CharField(max_length=40, help_text="the event kind, e.g. quote.sent")
    title = models.CharField(max_length=120)
    body = models.CharField(max_length=500)
    link = models.CharField(max_length=200, blank=True)
    source_key = models.CharField(max_length=60, help_text="what made it: event:<id>, reminder:<id>…")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["source_key", "user"], name="notification_once")]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"


class NotificationPreference(models.Model):
    """An opt-out: without a row a channel is on for the category."""

    # indexed by preference_once (user, category, channel), not twice
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    category = models.CharField(max_length=12, choices=Category.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "category", "channel"], name="preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.category}/{self.channel}={self.enabled}"


class NoticeContact(models.Model):
    """Where a user's email goes in this tenant (people have no email on their account)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    email = models.EmailField(blank=True)

    def __str__(self) -> str:
        return f"{self.user_id} {self.email}"


class MessageTemplate(models.Model):
    """The tenant's wording for one event kind; kinds without a row use the built-in text."""

    kind = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=120)
    body = models.CharField(max_length=500)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.kind


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    RETRYING = "retrying", "重试中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    UNCERTAIN = "uncertain", "结果不明"


class Delivery(models.Model):
    """One notification on one channel. ``key`` (notification:channel) is the idempotency key: the
    attempt is claimed (committed) before the provider is called and the outcome recorded after, so a
    task delivered twice, or re-run after a worker died, never calls the provider for a sent one."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    key = models.CharField(max_length=40, unique=True)
    address = models.CharField(max_length=120, help_text="openid, mobile or email")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response = models.TextField(blank=True, help_text="the provider's last answer")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "updated_at"], name="delivery_status_age")]

    def __str__(self) -> str:
        return f"{self.key} {self.status}"


class DeliveryAttempt(models.Model):
    # indexed by attempt_once (delivery, number), not twice
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log", db_index=False)
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(null=True, help_text="None: the worker stopped during the call")
    response = models.TextField(blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="attempt_once")]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"
