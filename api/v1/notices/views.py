"""Policy push (政策推送) and messages (消息): the console's announcements with read receipts and
message templates; every user's inbox, unread badge and channel preferences; insurers' announcements
to the tenants that work with them (on the platform host)."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api.params import request_user
from api.parsers import JSONParser
from api.roles import INSURER_STAFF, SIGNED_IN, TENANT_ADMIN, TENANT_PEOPLE
from api.views import ApiListView, ApiView
from core.errors import NotFound
from core.models import WeChatBinding
from core.uploads import signed_media_url
from notices.models import (
    Announcement,
    AnnouncementReceipt,
    AudienceKind,
    Category,
    Channel,
    Delivery,
    MessageTemplate,
    NoticeContact,
    Notification,
    NotificationPreference,
)
from notices.selectors import (
    announcements_for,
    announcements_sent,
    inbox_of,
    insurer_publications,
    receipts_of,
    unread_counts,
)
from notices.services import (
    Upload,
    announcement_publish,
    announcement_read,
    insurer_announcement_publish,
    notification_read,
    notifications_read_all,
    preferences_set,
    template_reset,
    template_save,
)
from notices.templates import DEFAULTS

# The inbox answers on every host, to everyone signed in (SIGNED_IN): tenant people read their
# tenant's, the people of the platform host (shop and insurer staff, the platform admin) the public
# schema's.


def _media_url(path: str) -> str:
    return signed_media_url(path)


# ---- announcements (console) ------------------------------------------------------------------


class AnnouncementAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, obj: Any) -> str:
        return _media_url(obj.path)


class AnnouncementSerializer(serializers.ModelSerializer):
    audience_label = serializers.CharField(source="get_audience_display", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    insurer_name = serializers.SerializerMethodField()
    read_count = serializers.IntegerField(read_only=True, default=0)
    unread_count = serializers.SerializerMethodField()
    attachments = AnnouncementAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Announcement
        fields = [
            "id", "title", "body_html", "source", "source_label", "insurer_name", "effective_from",
            "effective_until", "audience", "audience_label", "tier_ids", "agent_ids", "recipients",
            "read_count", "unread_count", "attachments", "created_by_name", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_insurer_name(self, obj: Announcement) -> str:
        return obj.insurer.name if obj.insurer else ""

    def get_unread_count(self, obj: Announcement) -> int:
        return obj.recipients - int(getattr(obj, "read_count", 0) or 0)


class AnnouncementCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120, allow_blank=True)
    body_html = serializers.CharField(max_length=100_000, allow_blank=True, trim_whitespace=False)
    effective_from = serializers.DateField(required=False, allow_null=True, default=None)
    effective_until = serializers.DateField(required=False, allow_null=True, default=None)
    audience = serializers.ChoiceField(choices=AudienceKind.choices, default=AudienceKind.ALL)
    tier_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list
    )
    agent_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list
    )
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="multipart only"
    )


def _uploads(files: list[Any]) -> list[Upload]:
    return [Upload(name=f.name or "附件", content=f.read()) for f in files]


@extend_schema_view(get=extend_schema(operation_id="notices_announcements_list"))
class AnnouncementListCreateView(ApiListView):
    """政策推送: what this tenant (and its insurers) sent, with read / unread counts; compose one."""

    allowed_roles = TENANT_ADMIN
    serializer_class = AnnouncementSerializer
    parser_classes = [JSONParser, MultiPartParser]

    def get_queryset(self) -> Any:
        return announcements_sent().prefetch_related("attachments")

    @extend_schema(
        request={
            "application/json": AnnouncementCreateSerializer,
            "multipart/form-data": AnnouncementCreateSerializer,
        },
        responses={201: AnnouncementSerializer},
        operation_id="notices_announcements_create",
    )
    def post(self, request: Request) -> Response:
        body = AnnouncementCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        announcement = announcement_publish(
            actor=request_user(request),
            title=data["title"],
            body_html=data["body_html"],
            effective_from=data["effective_from"],
            effective_until=data["effective_until"],
            audience=data["audience"],
            tier_ids=data["tier_ids"],
            agent_ids=data["agent_ids"],
            attachments=_uploads(data["attachments"]),
        )
        row = announcements_sent().get(pk=announcement.pk)
        return Response(AnnouncementSerializer(row).data, status=status.HTTP_201_CREATED)


def _announcement(pk: int) -> Announcement:
    row = announcements_sent().filter(pk=pk).first()
    if row is None:
        raise NotFound("公告不存在")
    return row


class AnnouncementDetailView(ApiView):
    allowed_roles = TENANT_ADMIN

    @extend_schema(responses=AnnouncementSerializer, operation_id="notices_announcements_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return Response(AnnouncementSerializer(_announcement(pk)).data)


class AnnouncementReceiptSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    name = serializers.CharField(source="user.name")
    mobile = serializers.CharField(source="user.mobile")
    read_at = serializers.DateTimeField(allow_null=True)


@extend_schema_view(
    get=extend_schema(
        parameters=[OpenApiParameter("state", str, enum=["read", "unread"])],
        operation_id="notices_announcements_receipts",
    )
)
class AnnouncementReceiptListView(ApiListView):
    """Read receipts: who read it and when (read first), or who has not."""

    allowed_roles = TENANT_ADMIN
    serializer_class = AnnouncementReceiptSerializer

    def get_queryset(self) -> Any:
        state = self.request.query_params.get("state", "")
        if state not in ("", "read", "unread"):
            raise serializers.ValidationError({"state": ["应为 read 或 unread"]})
        return receipts_of(_announcement(self.kwargs["pk"]), state)


# ---- announcements (recipients) ---------------------------------------------------------------


class MyAnnouncementSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="announcement.id")
    title = serializers.CharField(source="announcement.title")
    source_label = serializers.CharField(source="announcement.get_source_display")
    insurer_name = serializers.SerializerMethodField()
    effective_from = serializers.DateField(source="announcement.effective_from")
    effective_until = serializers.DateField(source="announcement.effective_until", allow_null=True)
    created_at = serializers.DateTimeField(source="announcement.created_at")
    read_at = serializers.DateTimeField(allow_null=True)

    def get_insurer_name(self, obj: AnnouncementReceipt) -> str:
        insurer = obj.announcement.insurer
        return insurer.name if insurer else ""


class MyAnnouncementDetailSerializer(MyAnnouncementSerializer):
    body_html = serializers.CharField(source="announcement.body_html")
    attachments = AnnouncementAttachmentSerializer(source="announcement.attachments", many=True)


@extend_schema_view(get=extend_schema(operation_id="notices_my_announcements"))
class MyAnnouncementListView(ApiListView):
    allowed_roles = TENANT_PEOPLE
    serializer_class = MyAnnouncementSerializer

    def get_queryset(self) -> Any:
        return announcements_for(request_user(self.request))


class MyAnnouncementDetailView(ApiView):
    """Open one announcement: marks it read (the sender's receipt shows when)."""

    allowed_roles = TENANT_PEOPLE

    @extend_schema(
        request=None, responses=MyAnnouncementDetailSerializer, operation_id="notices_my_announcement_read"
    )
    def post(self, request: Request, pk: int) -> Response:
        receipt = announcement_read(actor=request_user(request), announcement_id=pk)
        return Response(MyAnnouncementDetailSerializer(receipt).data)


# ---- inbox ------------------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "category",
            "category_label",
            "kind",
            "title",
            "body",
            "link",
            "created_at",
            "read_at",
        ]


@extend_schema_view(
    get=extend_schema(parameters=[OpenApiParameter("unread", bool)], operation_id="notices_inbox_list")
)
class InboxListView(ApiListView):
    allowed_roles = SIGNED_IN
    serializer_class = NotificationSerializer

    def get_queryset(self) -> Any:
        unread = self.request.query_params.get("unread", "") in ("1", "true")
        return inbox_of(request_user(self.request), unread=unread)


class InboxReadView(ApiView):
    allowed_roles = SIGNED_IN

    @extend_schema(request=None, responses=NotificationSerializer, operation_id="notices_inbox_read")
    def post(self, request: Request, pk: int) -> Response:
        return Response(
            NotificationSerializer(notification_read(actor=request_user(request), notification_id=pk)).data
        )


class ReadAllResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class InboxReadAllView(ApiView):
    allowed_roles = SIGNED_IN

    @extend_schema(request=None, responses=ReadAllResultSerializer, operation_id="notices_inbox_read_all")
    def post(self, request: Request) -> Response:
        return Response({"marked": notifications_read_all(actor=request_user(request))})


class UnreadCountSerializer(serializers.Serializer):
    announcements = serializers.IntegerField()
    notifications = serializers.IntegerField()
    total = serializers.IntegerField()


class UnreadCountView(ApiView):
    """The badge: unread announcements + unread inbox messages of the caller."""

    allowed_roles = SIGNED_IN

    @extend_schema(responses=UnreadCountSerializer, operation_id="notices_unread")
    def get(self, request: Request) -> Response:
        return Response(UnreadCountSerializer(unread_counts(request_user(request))).data)


# ---- preferences ------------------------------------------------------------------------------


class PreferenceItemSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices)
    category_label = serializers.CharField(read_only=True)
    wechat = serializers.BooleanField()
    sms = serializers.BooleanField()
    email = serializers.BooleanField()


class PreferencesSerializer(serializers.Serializer):
    email = serializers.EmailField(allow_blank=True, required=False)
    wechat_bound = serializers.BooleanField(read_only=True)
    items = PreferenceItemSerializer(many=True)


def _preferences(user: Any) -> dict[str, Any]:
    off = set(
        NotificationPreference.objects.filter(user=user, enabled=False).values_list("category", "channel")
    )
    contact = NoticeContact.objects.filter(user=user).first()
    return {
        "email": contact.email if contact else "",
        "wechat_bound": WeChatBinding.objects.filter(user=user).exists(),
        "items": [
            {
                "category": value,
                "category_label": label,
                **{ch: (value, ch) not in off for ch in Channel.values},
            }
            for value, label in Category.choices
        ],
    }


class PreferencesView(ApiView):
    """Which categories reach me on which channel (the in-app inbox always gets everything)."""

    allowed_roles = TENANT_PEOPLE

    @extend_schema(responses=PreferencesSerializer, operation_id="notices_preferences")
    def get(self, request: Request) -> Response:
        return Response(PreferencesSerializer(_preferences(request_user(request))).data)

    @extend_schema(
        request=PreferencesSerializer,
        responses=PreferencesSerializer,
        operation_id="notices_preferences_update",
    )
    def put(self, request: Request) -> Response:
        body = PreferencesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        choices = [
            {"category": item["category"], "channel": ch, "enabled": item[ch]}
            for item in body.validated_data["items"]
            for ch in Channel.values
        ]
        user = request_user(request)
        preferences_set(actor=user, choices=choices, email=body.validated_data.get("email"))
        return Response(PreferencesSerializer(_preferences(user)).data)


# ---- message templates (console) --------------------------------------------------------------


class MessageTemplateSerializer(serializers.Serializer):
    kind = serializers.CharField(read_only=True)
    kind_label = serializers.CharField(read_only=True)
    category = serializers.CharField(read_only=True)
    title = serializers.CharField(max_length=120, allow_blank=True)
    body = serializers.CharField(max_length=500, allow_blank=True)
    enabled = serializers.BooleanField(default=True)
    placeholders = serializers.ListField(child=serializers.CharField(), read_only=True)
    customized = serializers.BooleanField(read_only=True)


def _templates() -> list[dict[str, Any]]:
    custom = {t.kind: t for t in MessageTemplate.objects.all()}
    rows = []
    for kind, wording in DEFAULTS.items():
        own = custom.get(kind)
        rows.append({
            "kind": kind, "kind_label": wording.label, "category": wording.category,
            "title": own.title if own else wording.title, "body": own.body if own else wording.body,
            "enabled": own.enabled if own else True, "placeholders": list(wording.placeholders),
            "customized": own is not None,
        })  # fmt: skip
    return rows


class MessageTemplateListView(ApiView):
    allowed_roles = TENANT_ADMIN

    @extend_schema(responses=MessageTemplateSerializer(many=True), operation_id="notices_templates_list")
    def get(self, request: Request) -> Response:
        return Response(MessageTemplateSerializer(_templates(), many=True).data)


def _template(kind: str) -> dict[str, Any]:
    return next(row for row in _templates() if row["kind"] == kind)


class MessageTemplateDetailView(ApiView):
    allowed_roles = TENANT_ADMIN

    @extend_schema(
        request=MessageTemplateSerializer,
        responses=MessageTemplateSerializer,
        operation_id="notices_templates_update",
    )
    def put(self, request: Request, kind: str) -> Response:
        body = MessageTemplateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        template_save(actor=request_user(request), kind=kind, **body.validated_data)
        return Response(MessageTemplateSerializer(_template(kind)).data)

    @extend_schema(responses=MessageTemplateSerializer, operation_id="notices_templates_reset")
    def delete(self, request: Request, kind: str) -> Response:
        template_reset(actor=request_user(request), kind=kind)
        return Response(MessageTemplateSerializer(_template(kind)).data)


# ---- delivery log (console) -------------------------------------------------------------------


class DeliverySerializer(serializers.ModelSerializer):
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    title = serializers.CharField(source="notification.title", read_only=True)
    user_id = serializers.IntegerField(source="notification.user_id", read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id", "title", "user_id", "channel", "channel_label", "status", "status_label", "attempts",
            "response", "created_at", "sent_at",
        ]  # fmt: skip


@extend_schema_view(get=extend_schema(operation_id="notices_deliveries_list"))
class DeliveryListView(ApiListView):
    allowed_roles = TENANT_ADMIN
    serializer_class = DeliverySerializer

    def get_queryset(self) -> Any:
        return Delivery.objects.select_related("notification").order_by("-id")


# ---- insurers (platform host) -----------------------------------------------------------------


class InsurerAnnouncementCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120, allow_blank=True)
    body_html = serializers.CharField(max_length=100_000, allow_blank=True, trim_whitespace=False)
    effective_from = serializers.DateField(required=False, allow_null=True, default=None)
    effective_until = serializers.DateField(required=False, allow_null=True, default=None)
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class ReachedTenantSerializer(serializers.Serializer):
    schema_name = serializers.CharField()
    announcement_id = serializers.IntegerField()
    recipients = serializers.IntegerField()


class InsurerPublicationSerializer(serializers.Serializer):
    publication = serializers.UUIDField()
    tenants = ReachedTenantSerializer(many=True)
    recipients = serializers.IntegerField()


class InsurerPublicationRowSerializer(serializers.Serializer):
    publication = serializers.UUIDField()
    title = serializers.CharField()
    effective_from = serializers.DateField()
    effective_until = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()
    tenants = serializers.IntegerField()
    recipients = serializers.IntegerField()
    read_count = serializers.IntegerField()


class InsurerAnnouncementView(ApiView):
    """An insurer's staff push a policy to every tenant that works with the insurer."""

    allowed_roles = INSURER_STAFF
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        responses=InsurerPublicationRowSerializer(many=True), operation_id="insurer_announcements_list"
    )
    def get(self, request: Request) -> Response:
        rows = insurer_publications(self.insurer())
        return Response(InsurerPublicationRowSerializer(rows, many=True).data)

    @extend_schema(
        request={
            "application/json": InsurerAnnouncementCreateSerializer,
            "multipart/form-data": InsurerAnnouncementCreateSerializer,
        },
        responses={201: InsurerPublicationSerializer},
        operation_id="insurer_announcements_create",
    )
    def post(self, request: Request) -> Response:
        body = InsurerAnnouncementCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        publication, reached = insurer_announcement_publish(
            actor=request_user(request),
            title=data["title"],
            body_html=data["body_html"],
            effective_from=data["effective_from"],
            effective_until=data["effective_until"],
            attachments=_uploads(data["attachments"]),
        )
        result = {
            "publication": publication,
            "tenants": [r.__dict__ for r in reached],
            "recipients": sum(r.recipients for r in reached),
        }
        return Response(InsurerPublicationSerializer(result).data, status=status.HTTP_201_CREATED)
