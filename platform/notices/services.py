"""Every write of policy push and messages: announcements (fanned out to their recipients with one
set-based INSERT … SELECT), read receipts, inbox notifications and their deliveries (claimed before
the provider call, recorded after), preferences, templates, the WeChat 公众号 settings (WeChat
login is accounts.wechat_login; the 公众号 client is core.wechat)."""

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import nh3
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, get_tenant_model, schema_context

from accounts.models import Membership, Role, User
from accounts.sms import SmsMessage, sms_backend
from core import wechat
from core.crypto import encrypt_text
from core.errors import FieldErrors, NotFound, ValidationFailed
from core.limits import storage_limit_check
from core.models import WeChatBinding, WeChatSettings
from core.realtime import publish, user_channel
from core.services import audit_event_record
from core.tenancy import current_schema_name, current_tenant_id
from core.uploads import attachment_kind, attachment_name
from directory.selectors import insurer_of
from notices.models import (
    Announcement,
    AnnouncementAttachment,
    AnnouncementReceipt,
    AnnouncementSource,
    AudienceKind,
    Category,
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    MessageTemplate,
    NoticeContact,
    Notification,
    NotificationPreference,
)
from notices.templates import (
    DEFAULTS,
    PLATFORM_DEFAULTS,
    event_context,
    render,
    unknown_placeholders,
    wording_key,
)

logger = logging.getLogger(__name__)

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTEMPTS = 5
# Pushes to more users than this go through Celery after the commit (50,000 stream entries take seconds).
PUSH_INLINE_MAX = 2000
# A claimed delivery whose worker has not reported back within this long is taken to have died.
CLAIM_LEASE = timedelta(minutes=5)

# The HTML an announcement may keep: text formatting, lists, tables, links and images.
ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "h1", "h2", "h3", "h4", "blockquote", "ul", "ol",
    "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "span", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt"}, "td": {"colspan"}, "th": {"colspan"}}


def sanitize_html(raw: str) -> str:
    return nh3.clean(
        raw, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"}
    ).strip()


def _push(user_ids: Iterable[int], event: str, data: dict[str, Any]) -> None:
    """Tell each user's open pages, once the transaction commits (the lead's real-time channels).
    A big audience (an announcement to every agent) is pushed by a worker, not in the request."""
    schema = current_schema_name()  # once: looking it up per user costs more than the insert
    channels = [user_channel(user_id, schema) for user_id in user_ids]
    if len(channels) <= PUSH_INLINE_MAX:
        if channels:
            publish(channels, event, data)
        return

    def later() -> None:
        from notices.tasks import realtime_push_task

        try:
            realtime_push_task.delay(channels, event, data)
        except Exception:  # no broker: push here rather than not at all
            logger.exception("could not enqueue the push of %s; pushing inline", event)
            publish(channels, event, data)

    transaction.on_commit(later)


# ---- announcements ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes


def _validate_announcement(
    errors: FieldErrors, *, title: str, body_html: str, effective_from: date | None,
    effective_until: date | None, attachments: Sequence[Upload],
) -> None:  # fmt: skip
    if not title.strip():
        errors.add("title", "请填写标题")
    if not body_html:
        errors.add("body_html", "请填写正文")
    if effective_from is None:
        errors.add("effective_from", "请填写生效日期")
    elif effective_until is not None and effective_until < effective_from:
        errors.add("effective_until", "截止日期不能早于生效日期")
    if len(attachments) > MAX_ATTACHMENTS:
        errors.add("attachments", f"附件最多 {MAX_ATTACHMENTS} 个")
    for upload in attachments:
        if len(upload.content) > MAX_ATTACHMENT_BYTES:
            errors.add("attachments", f"附件「{upload.name}」超过 10 MB")
            continue
        try:  # by content, never by name: no HTML, SVG or script reaches a tenant's origin
            attachment_kind(field="attachments", name=upload.name, content=upload.content)
        except ValidationFailed as exc:
            for message in exc.fields["attachments"]:
                errors.add("attachments", message)


def _audience_where(
    audience: str, tier_ids: Sequence[int], agent_ids: Sequence[int]
) -> tuple[str, list[Any]]:
    if audience == AudienceKind.TIERS:
        return "AND d.tier_id = ANY(%s)", [list(tier_ids)]
    if audience == AudienceKind.AGENTS:
        return "AND d.id = ANY(%s)", [list(agent_ids)]
    return "", []


def _fan_out(announcement: Announcement) -> list[int]:
    """One receipt per active agent in the audience, in one statement; returns their user ids. The
    announcement is new and a person is one distributor (distributor_one_per_user), so no receipt
    can exist yet: a plain insert, no ON CONFLICT (whose speculative insertion costs per row)."""
    where, params = _audience_where(announcement.audience, announcement.tier_ids, announcement.agent_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO notices_announcementreceipt (announcement_id, user_id, created_at)
            SELECT %s, d.user_id, %s::timestamptz FROM network_distributor d
            WHERE d.kind = 'agent' AND d.status = 'active' {where}
            RETURNING user_id
            """,
            [announcement.pk, announcement.created_at, *params],
        )
        return [row[0] for row in cursor.fetchall()]


def _store_attachments(announcement: Announcement, attachments: Sequence[Upload]) -> None:
    schema = current_schema_name()
    storage_limit_check(schema_name=schema, adding_bytes=sum(len(a.content) for a in attachments))
    folder = f"tenants/{schema}/notices/{uuid.uuid4().hex}"
    for upload in attachments:
        name = attachment_name(upload.name, attachment_kind(field="attachments", name=upload.name,
                                                            content=upload.content))  # fmt: skip
        path = default_storage.save(f"{folder}/{name}", ContentFile(upload.content))
        AnnouncementAttachment.objects.create(
            announcement=announcement, name=name, path=path, size=len(upload.content)
        )


@transaction.atomic
def announcement_publish(
    *,
    actor: User | None,
    title: str,
    body_html: str,
    effective_from: date | None,
    effective_until: date | None = None,
    audience: str = AudienceKind.ALL,
    tier_ids: Sequence[int] = (),
    agent_ids: Sequence[int] = (),
    attachments: Sequence[Upload] = (),
    insurer_id: int | None = None,
    publication: uuid.UUID | None = None,
) -> Announcement:
    """Publish to the chosen agents of the current tenant: their receipts exist (unread) when this
    commits, and each one's open app is told at once."""
    from network.models import Distributor, DistributorKind, Tier

    body_html = sanitize_html(body_html)
    errors = FieldErrors()
    _validate_announcement(
        errors, title=title, body_html=body_html, effective_from=effective_from,
        effective_until=effective_until, attachments=attachments,
    )  # fmt: skip
    tier_ids, agent_ids = sorted(set(tier_ids)), sorted(set(agent_ids))
    if audience == AudienceKind.TIERS:
        if not tier_ids:
            errors.add("tier_ids", "请选择职级")
        elif Tier.objects.filter(pk__in=tier_ids).count() != len(tier_ids):
            errors.add("tier_ids", "职级不存在")
    elif audience == AudienceKind.AGENTS:
        if not agent_ids:
            errors.add("agent_ids", "请选择代理人")
        elif Distributor.objects.filter(pk__in=agent_ids, kind=DistributorKind.AGENT).count() != len(
            agent_ids
        ):
            errors.add("agent_ids", "代理人不存在")
    elif audience != AudienceKind.ALL:
        errors.add("audience", "发送范围无效")
    errors.raise_if_any()
    assert effective_from is not None
    announcement = Announcement.objects.create(
        title=title.strip(),
        body_html=body_html,
        source=AnnouncementSource.INSURER if insurer_id else AnnouncementSource.TENANT,
        insurer_id=insurer_id,
        publication=publication,
        effective_from=effective_from,
        effective_until=effective_until,
        audience=audience,
        tier_ids=tier_ids if audience == AudienceKind.TIERS else [],
        agent_ids=agent_ids if audience == AudienceKind.AGENTS else [],
        created_by=actor,
        created_by_name=(actor.name or actor.mobile) if actor else "",
    )
    _store_attachments(announcement, attachments)
    user_ids = _fan_out(announcement)
    announcement.recipients = len(user_ids)
    announcement.save(update_fields=["recipients"])
    audit_event_record(
        actor=actor, action="announcement.publish", summary=f"推送政策「{announcement.title}」给 {len(user_ids)} 人",
        object_type="announcement", object_id=announcement.pk,
    )  # fmt: skip
    _push(user_ids, "notices.announcement", {"id": announcement.pk, "title": announcement.title})
    return announcement


@dataclass(frozen=True)
class Reached:
    schema_name: str
    announcement_id: int
    recipients: int


@transaction.atomic
def insurer_announcement_publish(
    *,
    actor: User,
    title: str,
    body_html: str,
    effective_from: date | None,
    effective_until: date | None = None,
    attachments: Sequence[Upload] = (),
) -> tuple[uuid.UUID, list[Reached]]:
    """An insurer's announcement goes to every agent of every tenant that works with the insurer
    (its InsurerTerms are enabled there): one copy per tenant schema, one transaction for all."""
    from quotes.models import InsurerTerms

    insurer = insurer_of(actor)
    body = sanitize_html(body_html)
    errors = FieldErrors()
    _validate_announcement(
        errors, title=title, body_html=body, effective_from=effective_from,
        effective_until=effective_until, attachments=attachments,
    )  # fmt: skip
    errors.raise_if_any()
    publication = uuid.uuid4()
    reached: list[Reached] = []
    tenants = get_tenant_model().objects.filter(is_active=True).exclude(schema_name=get_public_schema_name())
    for schema in tenants.order_by("schema_name").values_list("schema_name", flat=True):
        with schema_context(schema):
            if not InsurerTerms.objects.filter(insurer=insurer, enabled=True).exists():
                continue
            announcement = announcement_publish(
                actor=actor, title=title, body_html=body, effective_from=effective_from,
                effective_until=effective_until, attachments=attachments, insurer_id=insurer.pk,
                publication=publication,
            )  # fmt: skip
            reached.append(Reached(schema, announcement.pk, announcement.recipients))
    audit_event_record(
        actor=actor, action="announcement.insurer_publish",
        summary=f"{insurer.name} 推送政策「{title.strip()}」到 {len(reached)} 家公司",
        object_type="publication", object_id=str(publication),
        data={"tenants": [r.schema_name for r in reached]},
    )  # fmt: skip
    return publication, reached


@transaction.atomic
def announcement_read(*, actor: User, announcement_id: int) -> AnnouncementReceipt:
    """The recipient opens it: the first time stamps ``read_at``; others are told it is not theirs."""
    receipt = (
        AnnouncementReceipt.objects.select_for_update()
        .select_related("announcement")
        .filter(
            announcement_id=announcement_id,
            user=actor,
            announcement__effective_from__lte=timezone.localdate(),
        )
        .first()
    )
    if receipt is None:  # not theirs, or not in effect yet
        raise NotFound("公告不存在")
    if receipt.read_at is None:
        receipt.read_at = timezone.now()
        receipt.save(update_fields=["read_at"])
        _push([actor.pk], "notices.read", {"announcement": announcement_id})
        # the senders' 阅读回执 update while open: the tenant's admins are told who read it
        admins = Membership.objects.filter(
            tenant_id=current_tenant_id(), role=Role.TENANT_ADMIN, is_active=True
        ).values_list("user_id", flat=True)
        _push(admins, "notices.receipt", {"announcement": announcement_id})
    return receipt


# ---- notifications ----------------------------------------------------------------------------


def wording_for(kind: str) -> tuple[str, str, str, bool] | None:
    """(category, title, body, enabled) for a kind: the tenant's template, else the built-in one."""
    key = wording_key(kind)
    if key is None:
        return None
    default = DEFAULTS[key]
    custom = MessageTemplate.objects.filter(kind=key).first()
    if custom is not None:
        return default.category, custom.title, custom.body, custom.enabled
    return default.category, default.title, default.body, True


def _channels_for(user_ids: list[int], category: str) -> dict[int, list[tuple[str, str]]]:
    """user id -> [(channel, address)] this user gets the category on (the in-app inbox always)."""
    off = set(
        NotificationPreference.objects.filter(
            user_id__in=user_ids, category=category, enabled=False
        ).values_list("user_id", "channel")
    )
    mobiles = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "mobile"))
    emails = dict(
        NoticeContact.objects.filter(user_id__in=user_ids).exclude(email="").values_list("user_id", "email")
    )
    openids: dict[int, str] = {}
    wechat_settings = WeChatSettings.objects.first()
    if wechat_settings and wechat_settings.enabled and (wechat_settings.template_ids or {}).get(category):
        openids = dict(WeChatBinding.objects.filter(user_id__in=user_ids).values_list("user_id", "openid"))
    result: dict[int, list[tuple[str, str]]] = {}
    for user_id in user_ids:
        addresses = {
            Channel.WECHAT: openids.get(user_id),
            Channel.SMS: mobiles.get(user_id),
            Channel.EMAIL: emails.get(user_id),
        }
        result[user_id] = [
            (channel.value, address)
            for channel, address in addresses.items()
            if address and (user_id, channel.value) not in off
        ]
    return result


@transaction.atomic
def notifications_create(
    *, kind: str, source_key: str, user_ids: Iterable[int], context: dict[str, Any], link: str = ""
) -> list[Notification]:
    """One inbox message per user for what happened (at most once per source and user), with a
    delivery per channel the user keeps on; the deliveries are sent by Celery after the commit."""
    wording = wording_for(kind)
    users = sorted({uid for uid in user_ids if uid})
    if wording is None or not users or not wording[3]:
        return []
    category, title, body = wording[0], render(wording[1], context)[:120], render(wording[2], context)[:500]
    created: list[Notification] = []
    for user_id in users:
        notification, new = Notification.objects.get_or_create(
            source_key=source_key,
            user_id=user_id,
            defaults={"category": category, "kind": kind, "title": title, "body": body, "link": link},
        )
        if new:
            created.append(notification)
    if not created:
        return []
    channels = _channels_for([n.user_id for n in created], category)
    deliveries = Delivery.objects.bulk_create(
        Delivery(notification=n, channel=channel, key=f"{n.pk}:{channel}", address=address)
        for n in created
        for channel, address in channels[n.user_id]
    )
    delivery_ids = [d.pk for d in deliveries]
    if delivery_ids:
        transaction.on_commit(lambda: _enqueue(delivery_ids))
    for n in created:
        _push([n.user_id], "notices.notification", {"id": n.pk, "title": n.title, "category": n.category})
    return created


def _enqueue(delivery_ids: list[int]) -> None:
    from notices.tasks import delivery_send_task

    for delivery_id in delivery_ids:
        try:
            delivery_send_task.delay(delivery_id)
        except Exception:  # broker down: the beat sweep sends pending deliveries later
            logger.exception("could not enqueue delivery %s; the sweep will", delivery_id)


@transaction.atomic
def notification_read(*, actor: User, notification_id: int) -> Notification:
    notification = Notification.objects.select_for_update().filter(pk=notification_id, user=actor).first()
    if notification is None:
        raise NotFound("消息不存在")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        _push([actor.pk], "notices.read", {"notification": notification_id})
    return notification


@transaction.atomic
def notifications_read_all(*, actor: User) -> int:
    """Mark every unread inbox message and announcement of the caller read."""
    now = timezone.now()
    count = Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=now)
    count += AnnouncementReceipt.objects.filter(user=actor, read_at__isnull=True).update(read_at=now)
    if count:
        _push([actor.pk], "notices.read", {"all": True})
    return count


# ---- the platform host's inbox (shop and insurer staff) ---------------------------------------

# Where a message takes its reader in the console (the console's own routes).
SHOP_ORDERS_LINK = "/service-orders"
INSURER_CLAIMS_LINK = "/claims"
SHOP_INVENTORY_LINK = "/shop-inventory"


def staff_notifications_create(
    *, kind: str, source_key: str, user_ids: Iterable[int], context: dict[str, Any], link: str = ""
) -> list[Notification]:
    """Inbox messages for people who work on the platform host (shop and insurer staff): written in
    the public schema whichever schema the caller is on, in the caller's transaction, at most once
    per source and user, and pushed to each one's public channel after the commit. In-app only: the
    console is where they work, and no tenant's template or channel settings apply to them."""
    wording = PLATFORM_DEFAULTS.get(kind) or DEFAULTS.get(wording_key(kind) or "")
    users = sorted({uid for uid in user_ids if uid})
    if wording is None or not users:
        return []
    title, body = render(wording.title, context)[:120], render(wording.body, context)[:500]
    created: list[Notification] = []
    with transaction.atomic(), schema_context(get_public_schema_name()):
        for user_id in users:
            notification, new = Notification.objects.get_or_create(
                source_key=source_key,
                user_id=user_id,
                defaults={"category": wording.category, "kind": kind, "title": title, "body": body,
                          "link": link},
            )  # fmt: skip
            if new:
                created.append(notification)
        for n in created:
            _push([n.user_id], "notices.notification", {"id": n.pk, "title": n.title, "category": n.category})
    return created


def _staff_of(*, shop_id: int | None = None, insurer_id: int = 0) -> list[int]:
    """The active staff of a shop or an insurer (as ``api.v1.realtime.views.channels_for`` counts them)."""
    from directory.models import InsurerStaff, ShopStaff

    active = {"user__is_active": True, "user__memberships__is_active": True,
              "user__memberships__tenant__isnull": True}  # fmt: skip
    if shop_id is not None:
        shop = ShopStaff.objects.filter(shop_id=shop_id, user__memberships__role=Role.SHOP_STAFF, **active)
        return sorted(set(shop.values_list("user_id", flat=True)))
    insurer = InsurerStaff.objects.filter(
        insurer_id=insurer_id, user__memberships__role=Role.INSURER_STAFF, **active
    )
    return sorted(set(insurer.values_list("user_id", flat=True)))


def service_order_staff_notify(*, order: Any, step_id: int, payload: dict[str, Any]) -> list[Notification]:
    """One step of a service order (``aftersales.services._step``) in the inbox of the shop's staff
    and, when the order is a claim, of the insurer's staff."""
    kind = f"service_order.{payload['state']}"
    context = event_context(kind, payload)
    source_key = f"service_step:{step_id}"
    created = staff_notifications_create(kind=kind, source_key=source_key, context=context,
                                         user_ids=_staff_of(shop_id=order.shop_id), link=SHOP_ORDERS_LINK)  # fmt: skip
    if order.insurer_id:
        created += staff_notifications_create(
            kind=kind, source_key=source_key, context=context,
            user_ids=_staff_of(insurer_id=order.insurer_id), link=INSURER_CLAIMS_LINK,
        )  # fmt: skip
    return created


def low_stock_staff_notify(*, shop_id: int, move_id: int, data: dict[str, Any]) -> list[Notification]:
    """A part that fell to its reorder level (``inventory.services._low_stock``), for the shop's staff."""
    return staff_notifications_create(
        kind="part.low_stock", source_key=f"low_stock:{move_id}", user_ids=_staff_of(shop_id=shop_id),
        context=event_context("part.low_stock", data), link=SHOP_INVENTORY_LINK,
    )  # fmt: skip


# ---- deliveries -------------------------------------------------------------------------------


class DeliveryFailed(Exception):
    """The provider refused or could not be reached; the task retries with backoff."""


def _provider_send(delivery: Delivery) -> str:
    n = delivery.notification
    if delivery.channel == Channel.WECHAT:
        creds = wechat.credentials()
        template_id = creds.template_ids.get(n.category, "")
        if not template_id:
            raise DeliveryFailed(f"no template id for {n.category}")
        result = wechat.template_send(openid=delivery.address, template_id=template_id, title=n.title, body=n.body,
                                      url=n.link)  # fmt: skip
        return str(result)
    if delivery.channel == Channel.SMS:
        sms_backend().send(SmsMessage(mobile=delivery.address, template=f"notice:{n.kind}",
                                      params={"title": n.title, "body": n.body}))  # fmt: skip
        return "accepted"
    sent = send_mail(n.title, n.body, None, [delivery.address])
    return f"sent {sent}"


def delivery_attempt(delivery_id: int, *, now: datetime | None = None) -> Delivery:
    """Send one delivery once. The attempt is claimed and committed before the provider is called
    and its outcome recorded after: a sent delivery is never sent again, and one whose worker died
    during the call (claimed, no outcome, lease over) is marked ``uncertain`` rather than sent twice.
    Raises ``DeliveryFailed`` when the provider failed and another attempt is due."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update().select_related("notification").filter(pk=delivery_id).first()
        )
        if delivery is None or delivery.status in (
            DeliveryStatus.SENT,
            DeliveryStatus.FAILED,
            DeliveryStatus.UNCERTAIN,
        ):
            return delivery  # type: ignore[return-value]
        if delivery.status == DeliveryStatus.SENDING:
            if now - delivery.updated_at < CLAIM_LEASE:
                return delivery  # another worker is on it
            delivery.status = DeliveryStatus.UNCERTAIN
            delivery.response = "发送过程中工作进程中断，结果不明，未重发"
            delivery.save(update_fields=["status", "response", "updated_at"])
            DeliveryAttempt.objects.filter(delivery=delivery, finished_at__isnull=True).update(
                finished_at=now, response=delivery.response
            )
            return delivery
        delivery.status = DeliveryStatus.SENDING
        delivery.attempts += 1
        delivery.save(update_fields=["status", "attempts", "updated_at"])
        attempt = DeliveryAttempt.objects.create(delivery=delivery, number=delivery.attempts, started_at=now)
    try:
        response = _provider_send(delivery)
    except Exception as exc:  # whatever the provider raised, the attempt is logged and retried
        answer = f"{type(exc).__name__}: {exc}"[:2000]
        with transaction.atomic():
            final = delivery.attempts >= MAX_ATTEMPTS
            DeliveryAttempt.objects.filter(pk=attempt.pk).update(
                finished_at=timezone.now(), ok=False, response=answer
            )
            delivery.status = DeliveryStatus.FAILED if final else DeliveryStatus.RETRYING
            delivery.response = answer
            delivery.save(update_fields=["status", "response", "updated_at"])
        if final:
            return delivery
        raise DeliveryFailed(answer) from exc
    return _delivery_record_sent(delivery, attempt, response[:2000])


@transaction.atomic
def _delivery_record_sent(delivery: Delivery, attempt: DeliveryAttempt, response: str) -> Delivery:
    finished = timezone.now()
    DeliveryAttempt.objects.filter(pk=attempt.pk).update(finished_at=finished, ok=True, response=response)
    delivery.status, delivery.response, delivery.sent_at = DeliveryStatus.SENT, response, finished
    delivery.save(update_fields=["status", "response", "sent_at", "updated_at"])
    return delivery


# ---- preferences, templates -------------------------------------------------------------------


@transaction.atomic
def preferences_set(*, actor: User, choices: Sequence[dict[str, Any]], email: str | None = None) -> None:
    """``choices``: [{"category", "channel", "enabled"}]; a channel turned back on removes the opt-out."""
    errors = FieldErrors()
    for i, choice in enumerate(choices):
        if choice.get("category") not in Category.values:
            errors.add(f"items[{i}].category", "消息类别无效")
        if choice.get("channel") not in Channel.values:
            errors.add(f"items[{i}].channel", "渠道无效")
    errors.raise_if_any()
    for choice in choices:
        NotificationPreference.objects.update_or_create(
            user=actor, category=choice["category"], channel=choice["channel"],
            defaults={"enabled": bool(choice["enabled"])},
        )  # fmt: skip
    if email is not None:
        NoticeContact.objects.update_or_create(user=actor, defaults={"email": email.strip()})


@transaction.atomic
def template_save(*, actor: User, kind: str, title: str, body: str, enabled: bool = True) -> MessageTemplate:
    if kind not in DEFAULTS:
        raise NotFound("消息类型不存在")
    allowed = DEFAULTS[kind].placeholders
    errors = FieldErrors()
    for field, text in (("title", title), ("body", body)):
        if not text.strip():
            errors.add(field, "不能为空")
        bad = unknown_placeholders(text, allowed)
        if bad:
            errors.add(
                field,
                f"不支持的占位符：{'、'.join('{' + b + '}' for b in bad)}；可用：{'、'.join('{' + a + '}' for a in allowed)}",
            )
    errors.raise_if_any()
    template, _ = MessageTemplate.objects.update_or_create(
        kind=kind, defaults={"title": title.strip(), "body": body.strip(), "enabled": enabled}
    )
    audit_event_record(actor=actor, action="notice_template.save", summary=f"修改消息模板 {kind}",
                       object_type="message_template", object_id=template.pk)  # fmt: skip
    return template


@transaction.atomic
def template_reset(*, actor: User, kind: str) -> None:
    if kind not in DEFAULTS:
        raise NotFound("消息类型不存在")
    MessageTemplate.objects.filter(kind=kind).delete()
    audit_event_record(actor=actor, action="notice_template.reset", summary=f"恢复默认消息模板 {kind}")


# ---- WeChat 公众号 ------------------------------------------------------------------------------


@transaction.atomic
def wechat_settings_save(
    *, actor: User, app_id: str, app_secret: str | None, template_ids: dict[str, str], enabled: bool
) -> WeChatSettings:
    """The secret is write-only: empty/None keeps the stored one."""
    row = WeChatSettings.objects.select_for_update().first() or WeChatSettings()
    errors = FieldErrors()
    app_id = app_id.strip()
    if app_id and not (app_id.startswith("wx") and len(app_id) == 18 and app_id.isalnum()):
        errors.add("app_id", "AppID 应为 wx 开头的 18 位字母数字")
    for category in template_ids:
        if category not in Category.values:
            errors.add("template_ids", f"未知的消息类别 {category}")
    if enabled and not app_id:
        errors.add("app_id", "启用前请填写 AppID")
    if enabled and not (app_secret or row.app_secret_cipher):
        errors.add("app_secret", "启用前请填写 AppSecret")
    errors.raise_if_any()
    row.app_id = app_id
    if app_secret:
        row.app_secret_cipher = encrypt_text(app_secret.strip())
        row.app_secret_last4 = app_secret.strip()[-4:]
    row.template_ids = {k: v.strip() for k, v in template_ids.items() if v.strip()}
    row.enabled = enabled
    row.save()
    audit_event_record(actor=actor, action="wechat_settings.save", summary="修改微信公众号设置",
                       data={"app_id": app_id, "secret_changed": bool(app_secret), "enabled": enabled})  # fmt: skip
    return row
