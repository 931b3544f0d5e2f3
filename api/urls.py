"""The v1 router. Common endpoints answer on every host; tenant and platform ones only on theirs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.errors import page_not_found
from api.v1 import (
    aftersales,
    auth,
    billing,
    bookings,
    branding,
    catalog,
    commissions,
    console,
    customers,
    domains,
    inventory,
    mall,
    me,
    network,
    notices,
    platform_tenants,
    quotes,
    realtime,
    security,
    shop_quality,
    shops,
    signup,
    support_sessions,
    wechat,
)

common_v1 = [
    path("auth/token/", auth.TokenView.as_view(), name="auth-token"),
    path("auth/sms/send/", auth.SmsSendView.as_view(), name="auth-sms-send"),
    path("auth/sms/token/", auth.SmsTokenView.as_view(), name="auth-sms-token"),
    path("auth/logout/", auth.LogoutView.as_view(), name="auth-logout"),
    path("auth/refresh/", auth.RefreshView.as_view(), name="auth-refresh"),
    path("auth/logout-all/", auth.LogoutAllView.as_view(), name="auth-logout-all"),
    path("auth/password/", auth.PasswordChangeView.as_view(), name="auth-password"),
    path("me/", me.MeView.as_view(), name="me"),
    path("auth/totp/", security.TotpView.as_view(), name="auth-totp"),
    path("auth/totp/setup/", security.TotpSetupView.as_view(), name="auth-totp-setup"),
    path("auth/totp/confirm/", security.TotpConfirmView.as_view(), name="auth-totp-confirm"),
    path("auth/totp/disable/", security.TotpDisableView.as_view(), name="auth-totp-disable"),
    path("account-locks/", security.LoginLocksView.as_view(), name="account-locks"),
    path("account-locks/unlock/", security.LoginUnlockView.as_view(), name="account-unlock"),
    path("branding/", branding.BrandingView.as_view(), name="branding"),
    path("realtime/ticket/", realtime.RealtimeTicketView.as_view(), name="realtime-ticket"),
    path("realtime/stream/", realtime.realtime_stream, name="realtime-stream"),
    # Everyone's inbox: in the tenant's schema on its host, the public schema's on the platform host.
    path("notices/inbox/", notices.InboxListView.as_view(), name="notices-inbox"),
    path("notices/inbox/read-all/", notices.InboxReadAllView.as_view(), name="notices-inbox-read-all"),
    path("notices/inbox/<int:pk>/read/", notices.InboxReadView.as_view(), name="notices-inbox-read"),
    path("notices/unread/", notices.UnreadCountView.as_view(), name="notices-unread"),
]

tenant_v1 = [
    path("billing/", billing.BillingView.as_view(), name="billing"),
    path("billing/invoices/", billing.BillingInvoiceListView.as_view(), name="billing-invoices"),
    path("billing/checkout/", billing.BillingCheckoutView.as_view(), name="billing-checkout"),
    path("billing/plan/", billing.BillingPlanChangeView.as_view(), name="billing-plan"),
    path("subscription/", billing.SubscriptionStateView.as_view(), name="subscription-state"),
    path("setup-checklist/", billing.SetupChecklistView.as_view(), name="setup-checklist"),
    path("console/summary/", console.ConsoleSummaryView.as_view(), name="console-summary"),
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
    path("wechat/settings/", wechat.WeChatSettingsView.as_view(), name="wechat-settings"),
    path("wechat/oauth/url/", wechat.WeChatAuthorizeView.as_view(), name="wechat-oauth-url"),
    path("wechat/oauth/login/", wechat.WeChatLoginView.as_view(), name="wechat-login"),
    path("wechat/bind/", wechat.WeChatBindView.as_view(), name="wechat-bind"),
    path("wechat/bind-me/", wechat.WeChatBindMeView.as_view(), name="wechat-bind-me"),
    path("wechat/jssdk/", wechat.JsSdkSignatureView.as_view(), name="wechat-jssdk"),
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
    path("network/tiers/", network.TierListCreateView.as_view(), name="network-tiers"),
    path("network/agents/", network.AgentListCreateView.as_view(), name="network-agents"),
    path("network/agents/import/", network.AgentImportView.as_view(), name="network-agents-import"),
    path("network/agents/export/", network.AgentExportView.as_view(), name="network-agents-export"),
    path("network/agents/<int:pk>/", network.AgentDetailView.as_view(), name="network-agent"),
    path("network/agents/<int:pk>/move/", network.AgentMoveView.as_view(), name="network-agent-move"),
    path("network/agents/<int:pk>/status/", network.AgentStatusView.as_view(), name="network-agent-status"),
    path("network/tree/", network.TreeView.as_view(), name="network-tree"),
    path("network/settings/", network.NetworkSettingsView.as_view(), name="network-settings"),
    path("network/me/", network.MyDistributorView.as_view(), name="network-me"),
    path("network/my-referral/", network.MyReferralView.as_view(), name="network-my-referral"),
    path("network/referral/<str:code>/", network.ReferralInfoView.as_view(), name="network-referral-info"),
    path("network/join/", network.AgentJoinView.as_view(), name="network-join"),
    path("customers/", customers.CustomerListCreateView.as_view(), name="customers"),
    path("customers/import/", customers.CustomerImportView.as_view(), name="customers-import"),
    path("customers/export/", customers.CustomerExportView.as_view(), name="customers-export"),
    path("customers/<int:pk>/", customers.CustomerDetailView.as_view(), name="customer"),
    path("customers/<int:pk>/vehicles/", customers.CustomerVehiclesView.as_view(), name="customer-vehicles"),
    path(
        "customers/<int:pk>/follow-ups/",
        customers.FollowUpListCreateView.as_view(),
        name="customer-follow-ups",
    ),
    path("vehicles/<int:pk>/", customers.VehicleDetailView.as_view(), name="vehicle"),
    path("reminders/", customers.ReminderListView.as_view(), name="reminders"),
    path("reminders/<int:pk>/close/", customers.ReminderCloseView.as_view(), name="reminder-close"),
    path("my/customer/", customers.OwnerProfileView.as_view(), name="my-customer"),
    path("my/vehicles/", customers.OwnerVehiclesView.as_view(), name="my-vehicles"),
    path("my/reminders/", customers.OwnerRemindersView.as_view(), name="my-reminders"),
    path(
        "customers/<int:pk>/prices/", quotes.CustomerPriceHistoryView.as_view(), name="customer-price-history"
    ),
    path("rating/", quotes.RatingView.as_view(), name="rating"),
    path("quotes/", quotes.QuoteListCreateView.as_view(), name="quotes"),
    path("quotes/export/", quotes.QuoteExportView.as_view(), name="quotes-export"),
    path("quotes/<int:pk>/", quotes.QuoteDetailView.as_view(), name="quote"),
    path(
        "quotes/<int:pk>/options/<int:option_id>/adjust/",
        quotes.QuoteOptionAdjustView.as_view(),
        name="quote-option-adjust",
    ),
    path("quotes/<int:pk>/send/", quotes.QuoteSendView.as_view(), name="quote-send"),
    path("quotes/<int:pk>/accept/", quotes.QuoteAcceptView.as_view(), name="quote-accept"),
    path("quotes/<int:pk>/pay/", quotes.QuotePayView.as_view(), name="quote-pay"),
    path("quotes/<int:pk>/cancel/", quotes.QuoteCancelView.as_view(), name="quote-cancel"),
    path("policies/", quotes.PolicyListView.as_view(), name="policies"),
    path("policies/<int:pk>/surrender/", quotes.PolicySurrenderView.as_view(), name="policy-surrender"),
    path("insurers/", quotes.InsurerListView.as_view(), name="insurers"),
    path("commissions/plans/", commissions.PlanListCreateView.as_view(), name="commission-plans"),
    path("commissions/plans/<int:pk>/", commissions.PlanDetailView.as_view(), name="commission-plan"),
    path(
        "commissions/plans/<int:pk>/in-force/",
        commissions.PlanInForceView.as_view(),
        name="commission-plan-in-force",
    ),
    path("commissions/campaigns/", commissions.CampaignListCreateView.as_view(), name="commission-campaigns"),
    path("commissions/periods/", commissions.PeriodListView.as_view(), name="commission-periods"),
    path(
        "commissions/periods/<int:pk>/close/", commissions.PeriodCloseView.as_view(), name="commission-close"
    ),
    path("commissions/periods/<int:pk>/run/", commissions.PeriodRunView.as_view(), name="commission-run"),
    path("commissions/entries/", commissions.EntryListView.as_view(), name="commission-entries"),
    path("commissions/adjustments/", commissions.AdjustmentView.as_view(), name="commission-adjustments"),
    path("commissions/statements/", commissions.StatementListView.as_view(), name="commission-statements"),
    path(
        "commissions/statements/<int:pk>/",
        commissions.StatementDetailView.as_view(),
        name="commission-statement",
    ),
    path(
        "commissions/statements/<int:pk>/pay/",
        commissions.StatementPayView.as_view(),
        name="commission-statement-pay",
    ),
    path(
        "commissions/statements/<int:pk>/export/",
        commissions.StatementExportView.as_view(),
        name="commission-statement-export",
    ),
    path("commissions/my/income/", commissions.MyIncomeView.as_view(), name="my-income"),
    path("commissions/my/entries/", commissions.MyEntryListView.as_view(), name="my-income-entries"),
    path("commissions/performance/", commissions.PerformanceView.as_view(), name="commission-performance"),
    path("products/", catalog.ProductListCreateView.as_view(), name="products"),
    path("products/<int:pk>/", catalog.ProductDetailView.as_view(), name="product"),
    path("products/<int:pk>/image/", catalog.ProductImageView.as_view(), name="product-image"),
    path("gift-packs/", catalog.PackListCreateView.as_view(), name="gift-packs"),
    path("gift-packs/issued/", catalog.IssuedListView.as_view(), name="gift-packs-issued"),
    path("gift-packs/redeem/", catalog.RedeemView.as_view(), name="gift-packs-redeem"),
    path("gift-packs/lookup/", catalog.CodeLookupView.as_view(), name="gift-packs-lookup"),
    path("gift-packs/<int:pk>/", catalog.PackDetailView.as_view(), name="gift-pack"),
    path("gift-packs/<int:pk>/issue/", catalog.PackIssueView.as_view(), name="gift-pack-issue"),
    path("gift-packs/<int:pk>/rules/", catalog.PackRulesView.as_view(), name="gift-pack-rules"),
    path("gift-packs/<int:pk>/campaign/", catalog.PackCampaignView.as_view(), name="gift-pack-campaign"),
    path(
        "gift-packs/<int:pk>/rules/<int:rule_id>/",
        catalog.PackRuleDetailView.as_view(),
        name="gift-pack-rule",
    ),
    path("my/gift-packs/", catalog.OwnerPacksView.as_view(), name="my-gift-packs"),
    path("shops/", shops.TenantShopListView.as_view(), name="shops"),
    path("partner-shops/", shops.PartnerShopView.as_view(), name="partner-shops"),
    path("service-shops/", bookings.ServiceShopListView.as_view(), name="service-shops"),
    path("service-shops/<int:pk>/slots/", bookings.ServiceShopSlotsView.as_view(), name="service-shop-slots"),
    path("bookings/", bookings.BookingListCreateView.as_view(), name="bookings"),
    path("bookings/<int:pk>/cancel/", bookings.BookingCancelView.as_view(), name="booking-cancel"),
    path("mall/products/", mall.MallProductListView.as_view(), name="mall-products"),
    path("mall/orders/", mall.OrderListCreateView.as_view(), name="mall-orders"),
    path("mall/orders/<int:pk>/", mall.OrderDetailView.as_view(), name="mall-order"),
    path("mall/orders/<int:pk>/fulfil/", mall.OrderFulfilView.as_view(), name="mall-order-fulfil"),
    path("mall/orders/<int:pk>/refund/", mall.OrderRefundView.as_view(), name="mall-order-refund"),
    path("vehicle-tax-tables/", quotes.VehicleTaxTableListView.as_view(), name="vehicle-tax-tables"),
    path(
        "vehicle-tax-tables/<str:province>/", quotes.VehicleTaxTableView.as_view(), name="vehicle-tax-table"
    ),
    path("insurers/<str:code>/terms/", quotes.InsurerTermsView.as_view(), name="insurer-terms"),
    path(
        "insurers/<str:code>/rating-tables/<str:use>/",
        quotes.InsurerRatingTableView.as_view(),
        name="insurer-rating-table",
    ),
    path("service-orders/", aftersales.ServiceOrderListView.as_view(), name="service-orders"),
    path(
        "service-orders/options/", aftersales.ServiceOrderOptionsView.as_view(), name="service-order-options"
    ),
    path("service-orders/<int:pk>/", aftersales.ServiceOrderDetailView.as_view(), name="service-order"),
    path(
        "service-orders/<int:pk>/approve/",
        aftersales.OwnerApproveView.as_view(),
        name="service-order-approve",
    ),
    path(
        "service-orders/<int:pk>/cancel/", aftersales.OwnerCancelView.as_view(), name="service-order-cancel"
    ),
    path(
        "service-orders/<int:pk>/review/", aftersales.OwnerReviewView.as_view(), name="service-order-review"
    ),
    path(
        "service-shops/<int:pk>/products/",
        aftersales.PartnerShopProductsView.as_view(),
        name="service-shop-products",
    ),
    path(
        "customers/<int:pk>/service-orders/",
        aftersales.CustomerServiceOrdersView.as_view(),
        name="customer-service-orders",
    ),
]

public_v1 = [
    path("signup/plans/", signup.SignupPlanListView.as_view(), name="signup-plans"),
    path("signup/sms/", signup.SignupSmsView.as_view(), name="signup-sms"),
    path("signup/", signup.SignupCreateView.as_view(), name="signup"),
    path("signup/<uuid:pk>/", signup.SignupStatusView.as_view(), name="signup-status"),
    path("signup/<uuid:pk>/retry/", signup.SignupRetryView.as_view(), name="signup-retry"),
    path("platform/subscriptions/", billing.PlatformRevenueView.as_view(), name="platform-subscriptions"),
    path("platform/plans/", billing.PlatformPlanListCreateView.as_view(), name="platform-plans"),
    path("platform/plans/<int:pk>/", billing.PlatformPlanDetailView.as_view(), name="platform-plan"),
    path("insurer/announcements/", notices.InsurerAnnouncementView.as_view(), name="insurer-announcements"),
    path("platform/shops/", shops.PlatformShopListCreateView.as_view(), name="platform-shops"),
    path("platform/shops/<int:pk>/staff/", shops.PlatformShopStaffView.as_view(), name="platform-shop-staff"),
    path("shop/me/", shops.ShopMeView.as_view(), name="shop-me"),
    path("shop/gift-packs/lookup/", shops.ShopLookupView.as_view(), name="shop-gift-packs-lookup"),
    path("shop/gift-packs/redeem/", shops.ShopRedeemView.as_view(), name="shop-gift-packs-redeem"),
    path("shop/bookings/", bookings.ShopBookingListView.as_view(), name="shop-bookings"),
    path("shop/bookings/<int:pk>/mark/", bookings.ShopBookingMarkView.as_view(), name="shop-booking-mark"),
    path("shop/slot-templates/", bookings.ShopSlotTemplatesView.as_view(), name="shop-slot-templates"),
    path("shop/parts/", inventory.PartListCreateView.as_view(), name="shop-parts"),
    path("shop/parts/<int:pk>/", inventory.PartDetailView.as_view(), name="shop-part"),
    path("shop/parts/<int:pk>/purchase/", inventory.PartPurchaseView.as_view(), name="shop-part-purchase"),
    path("shop/parts/<int:pk>/adjust/", inventory.PartAdjustView.as_view(), name="shop-part-adjust"),
    path("shop/stock-moves/", inventory.StockMoveListView.as_view(), name="shop-stock-moves"),
    path("shop/service-parts/", inventory.ServicePartsView.as_view(), name="shop-service-parts"),
    path("shop/demand/", inventory.DemandView.as_view(), name="shop-demand"),
    path("platform/shop-quality/", shop_quality.ShopQualityListView.as_view(), name="platform-shop-quality"),
    path(
        "platform/shops/<int:pk>/inspections/",
        shop_quality.ShopInspectionListCreateView.as_view(),
        name="platform-shop-inspections",
    ),
    path("shop/service-orders/", aftersales.ShopOrderListView.as_view(), name="shop-service-orders"),
    path("shop/products/", aftersales.ShopProductListView.as_view(), name="shop-products"),
    path("shop/products/<int:pk>/", aftersales.ShopProductDetailView.as_view(), name="shop-product"),
    path(
        "shop/service-orders/<int:pk>/", aftersales.ShopOrderDetailView.as_view(), name="shop-service-order"
    ),
    *[
        path(f"shop/service-orders/<int:pk>/{name}/", view.as_view(), name=f"shop-service-order-{name}")
        for name, view in aftersales.SHOP_ACTION_VIEWS.items()
    ],
    path("insurer/claims/", aftersales.InsurerClaimListView.as_view(), name="insurer-claims"),
    path("insurer/claims/stats/", aftersales.InsurerClaimStatsView.as_view(), name="insurer-claims-stats"),
    path("insurer/claims/<int:pk>/", aftersales.InsurerClaimDetailView.as_view(), name="insurer-claim"),
    path(
        "insurer/claims/<int:pk>/approve/",
        aftersales.InsurerClaimApproveView.as_view(),
        name="insurer-claim-approve",
    ),
    path("platform/insurers/", aftersales.PlatformInsurerListView.as_view(), name="platform-insurers"),
    path(
        "platform/insurers/<int:pk>/staff/",
        aftersales.PlatformInsurerStaffView.as_view(),
        name="platform-insurer-staff",
    ),
    path("payments/stripe/webhook/", mall.StripeWebhookView.as_view(), name="stripe-webhook"),
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

schema_urls = [
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script (Content-Security-Policy).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
]


def api_urls(*v1_groups: list) -> list:
    v1 = [pattern for group in v1_groups for pattern in group]
    return [
        path("api/v1/", include((v1, "v1"), namespace="v1")),
        *schema_urls,
        # Unknown API paths answer in the error shape, not with an HTML page.
        re_path(r"^api/", page_not_found),
    ]
