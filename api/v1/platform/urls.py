"""Routes of api/v1/platform/ (mounted under /api/v1/ by api/urls.py)."""

from django.urls import path

from api.v1.platform import billing, branding, console, domains, signup, support_sessions
from api.v1.platform import tenants as platform_tenants

# On every host.
common_urlpatterns = [
    path("branding/", branding.BrandingView.as_view(), name="branding"),
]

# On a tenant's host only.
tenant_urlpatterns = [
    path("billing/", billing.BillingView.as_view(), name="billing"),
    path("billing/invoices/", billing.BillingInvoiceListView.as_view(), name="billing-invoices"),
    path("billing/checkout/", billing.BillingCheckoutView.as_view(), name="billing-checkout"),
    path("billing/plan/", billing.BillingPlanChangeView.as_view(), name="billing-plan"),
    path("subscription/", billing.SubscriptionStateView.as_view(), name="subscription-state"),
    path("setup-checklist/", billing.SetupChecklistView.as_view(), name="setup-checklist"),
    path("console/summary/", console.ConsoleSummaryView.as_view(), name="console-summary"),
    path("console/dashboard/", console.ConsoleDashboardView.as_view(), name="console-dashboard"),
    path("branding/settings/", branding.BrandingSettingsView.as_view(), name="branding-settings"),
    path("branding/images/<str:kind>/", branding.BrandingImageView.as_view(), name="branding-image"),
    path("domains/", domains.DomainListCreateView.as_view(), name="domains"),
    path("domains/<int:pk>/", domains.DomainDetailView.as_view(), name="domain"),
    path("domains/<int:pk>/verify/", domains.DomainVerifyView.as_view(), name="domain-verify"),
    path("domains/<int:pk>/primary/", domains.DomainPrimaryView.as_view(), name="domain-primary"),
    path("support-sessions/", support_sessions.SupportSessionListView.as_view(), name="support-sessions"),
    path(
        "support-sessions/current/",
        support_sessions.CurrentSupportSessionView.as_view(),
        name="support-session-current",
    ),
    path(
        "support-sessions/<int:pk>/end/",
        support_sessions.SupportSessionEndView.as_view(),
        name="support-session-end",
    ),
    path("audit-events/", console.AuditEventListView.as_view(), name="audit-event-list"),
    path("audit-events/<int:pk>/", console.AuditEventDetailView.as_view(), name="audit-event-detail"),
]

# On the platform (bare) host only.
public_urlpatterns = [
    path("signup/plans/", signup.SignupPlanListView.as_view(), name="signup-plans"),
    path("signup/sms/", signup.SignupSmsView.as_view(), name="signup-sms"),
    path("signup/", signup.SignupCreateView.as_view(), name="signup"),
    path("signup/<uuid:pk>/", signup.SignupStatusView.as_view(), name="signup-status"),
    path("signup/<uuid:pk>/retry/", signup.SignupRetryView.as_view(), name="signup-retry"),
    path("signup/<uuid:pk>/ticket/", signup.SignupTicketView.as_view(), name="signup-ticket"),
    path("platform/subscriptions/", billing.PlatformRevenueView.as_view(), name="platform-subscriptions"),
    path("platform/plans/", billing.PlatformPlanListCreateView.as_view(), name="platform-plans"),
    path("platform/plans/<int:pk>/", billing.PlatformPlanDetailView.as_view(), name="platform-plan"),
    path(
        "platform/tenants/", platform_tenants.PlatformTenantListCreateView.as_view(), name="platform-tenants"
    ),
    path(
        "platform/tenants/<int:pk>/suspend/",
        platform_tenants.PlatformTenantSuspendView.as_view(),
        name="platform-tenant-suspend",
    ),
    path(
        "platform/tenants/<int:pk>/resume/",
        platform_tenants.PlatformTenantResumeView.as_view(),
        name="platform-tenant-resume",
    ),
    path(
        "platform/tenants/<int:pk>/branding/",
        platform_tenants.PlatformTenantBrandingView.as_view(),
        name="platform-tenant-branding",
    ),
    path(
        "platform/tenants/<int:pk>/branding/images/<str:kind>/",
        platform_tenants.PlatformTenantBrandingImageView.as_view(),
        name="platform-tenant-branding-image",
    ),
    path(
        "platform/tenants/<int:pk>/admins/",
        platform_tenants.PlatformTenantAdminsView.as_view(),
        name="platform-tenant-admins",
    ),
    path(
        "platform/tenants/<int:pk>/support/",
        platform_tenants.PlatformTenantSupportView.as_view(),
        name="platform-tenant-support",
    ),
    path(
        "platform/tenants/<int:pk>/deletion/",
        platform_tenants.PlatformTenantDeletionView.as_view(),
        name="platform-tenant-deletion",
    ),
    path(
        "platform/tenants/<int:pk>/deletion/confirm/",
        platform_tenants.PlatformTenantDeletionConfirmView.as_view(),
        name="platform-tenant-deletion-confirm",
    ),
    path(
        "platform/exports/",
        platform_tenants.PlatformExportListView.as_view(),
        name="platform-exports",
    ),
    path(
        "platform/exports/<int:pk>/download/",
        platform_tenants.PlatformExportDownloadView.as_view(),
        name="platform-export-download",
    ),
    path(
        "platform/audit-events/",
        platform_tenants.PlatformAuditEventListView.as_view(),
        name="platform-audit-events",
    ),
]
