"""Routes of api/v1/notices/ (mounted under /api/v1/ by api/urls.py)."""

from django.urls import path

from api.v1.notices import views as notices

# On every host.
common_urlpatterns = [
    # Everyone's inbox: in the tenant's schema on its host, the public schema's on the platform host.
    path("notices/inbox/", notices.InboxListView.as_view(), name="notices-inbox"),
    path("notices/inbox/read-all/", notices.InboxReadAllView.as_view(), name="notices-inbox-read-all"),
    path("notices/inbox/<int:pk>/read/", notices.InboxReadView.as_view(), name="notices-inbox-read"),
    path("notices/unread/", notices.UnreadCountView.as_view(), name="notices-unread"),
]

# On a tenant's host only.
tenant_urlpatterns = [
    path(
        "notices/announcements/", notices.AnnouncementListCreateView.as_view(), name="notices-announcements"
    ),
    path(
        "notices/announcements/<int:pk>/",
        notices.AnnouncementDetailView.as_view(),
        name="notices-announcement",
    ),
    path(
        "notices/announcements/<int:pk>/receipts/",
        notices.AnnouncementReceiptListView.as_view(),
        name="notices-announcement-receipts",
    ),
    path(
        "notices/my-announcements/", notices.MyAnnouncementListView.as_view(), name="notices-my-announcements"
    ),
    path(
        "notices/my-announcements/<int:pk>/read/",
        notices.MyAnnouncementDetailView.as_view(),
        name="notices-my-announcement-read",
    ),
    path("notices/preferences/", notices.PreferencesView.as_view(), name="notices-preferences"),
    path("notices/templates/", notices.MessageTemplateListView.as_view(), name="notices-templates"),
    path(
        "notices/templates/<str:kind>/", notices.MessageTemplateDetailView.as_view(), name="notices-template"
    ),
    path("notices/deliveries/", notices.DeliveryListView.as_view(), name="notices-deliveries"),
]

# On the platform (bare) host only.
public_urlpatterns = [
    path("insurer/announcements/", notices.InsurerAnnouncementView.as_view(), name="insurer-announcements"),
]
