from django.conf import settings
from django.db import models


class CurrentTxid(models.Func):
    """The id of the transaction writing the row (``pg_current_xact_id()``, 64 bits with its epoch,
    so it never wraps around), as a column default: see ``core.events.consume``."""

    template = "(pg_current_xact_id()::text::bigint)"
    output_field = models.BigIntegerField()


class AuditEvent(models.Model):
    """Append-only record of a change that matters. Lives in the schema where the change happened:
    the public schema for platform actions, the tenant's schema for the tenant's."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.summary}"


class DomainEvent(models.Model):
    """An append-only outbox of business events (``policy.issued``, ``policy.cancelled`` …), written
    in the same transaction as the change. Consumers (the commission engine, notifications) read it
    with ``core.events.consume``, which hands each committed event to each consumer exactly once,
    whatever order the writing transactions commit in; after the commit, ``core.events`` has a
    worker run the consumers the kinds written concern."""

    kind = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    occurred_at = models.DateTimeField(auto_now_add=True)
    # The writing transaction (set by the database); 0 on rows from before the column existed.
    txid = models.BigIntegerField(db_default=CurrentTxid(), editable=False)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["txid"], name="domainevent_txid_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.object_type}:{self.object_id}"


class EventCursor(models.Model):
    """How far a consumer has read an outbox table (one row per consumer; ``core.events.consume``).
    Every row written by a transaction with an id below ``txid_floor`` has been handled, and so
    has every row with ``id <= last_id`` (the position before transaction ids were recorded; it no
    longer moves). Rows above both are handled once each, as ``ConsumedEvent`` records."""

    consumer = models.CharField(max_length=40, unique=True)
    last_id = models.BigIntegerField(default=0)
    txid_floor = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.consumer} @ txid {self.txid_floor}"


class ConsumedEvent(models.Model):
    """One outbox row handled by one consumer, written in the transaction that handled it. Only
    rows at or above the consumer's ``txid_floor`` are kept: below it everything is handled and
    nothing new can appear, so those records are pruned as the floor moves."""

    consumer = models.CharField(max_length=40)
    event_id = models.BigIntegerField(help_text="the row's id in the consumer's table")
    txid = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consumer", "event_id"], name="consumed_once")]
        indexes = [models.Index(fields=["consumer", "txid"], name="consumed_prune_idx")]

    def __str__(self) -> str:
        return f"{self.consumer} #{self.event_id}"


class ProcessedWebhook(models.Model):
    """A provider's event already handled (kept in the public schema): a replayed delivery is
    acknowledged and ignored."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=120)
    kind = models.CharField(max_length=80, blank=True, default="")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_once")]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"


# ---- the tenant's WeChat 公众号 (core.wechat) -----------------------------------------------------
# Shared by accounts (WeChat login and binding) and notices (template messages). The tables were
# made by notices and kept their names when the models moved here (a state-only migration).


class WeChatSettings(models.Model):
    """The tenant's 公众号 (one row). The secret is stored encrypted with the tenant's key."""

    app_id = models.CharField(max_length=40, blank=True)
    app_secret_cipher = models.TextField(blank=True)
    app_secret_last4 = models.CharField(max_length=4, blank=True)
    # category -> template id of the 公众号's template message
    template_ids = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "notices_wechatsettings"

    def __str__(self) -> str:
        return self.app_id or "未配置"


class WeChatBinding(models.Model):
    """Which WeChat user (openid, per 公众号) is which person: how they log in from the 公众号 menu
    and where their template messages go."""

    openid = models.CharField(max_length=64, unique=True)
    # a tenant table's reference to a public row: no database constraint (core.public_rows)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "notices_wechatbinding"

    def __str__(self) -> str:
        return f"{self.openid} → {self.user_id}"
