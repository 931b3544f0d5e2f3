"""The v1 router. Common endpoints answer on every host; tenant and platform ones only on theirs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api.errors import page_not_found
from api.v1 import (
    auth,
    branding,
    catalog,
    commissions,
    console,
    customers,
    mall,
    me,
    network,
    platform_tenants,
    quotes,
    realtime,
    shops,
)

common_v1 = [
    path("auth/token/", auth.TokenView.as_view(), name="auth-token"),
    path("auth/sms/send/", auth.SmsSendView.as_view(), name="auth-sms-send"),
    path("auth/sms/token/", auth.SmsTokenView.as_view(), name="auth-sms-token"),
    path("auth/logout/", auth.LogoutView.as_view(), name="auth-logout"),
    path("me/", me.MeView.as_view(), name="me"),
    path("branding/", branding.BrandingView.as_view(), name="branding"),
    path("realtime/ticket/", realtime.RealtimeTicketView.as_view(), name="realtime-ticket"),
    path("realtime/stream/", realtime.realtime_stream, name="realtime-stream"),
]

tenant_v1 = [
    path("console/summary/", console.ConsoleSummaryView.as_view(), name="console-summary"),
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
]

public_v1 = [
    path("platform/shops/", shops.PlatformShopListCreateView.as_view(), name="platform-shops"),
    path("platform/shops/<int:pk>/staff/", shops.PlatformShopStaffView.as_view(), name="platform-shop-staff"),
    path("shop/me/", shops.ShopMeView.as_view(), name="shop-me"),
    path("shop/gift-packs/lookup/", shops.ShopLookupView.as_view(), name="shop-gift-packs-lookup"),
    path("shop/gift-packs/redeem/", shops.ShopRedeemView.as_view(), name="shop-gift-packs-redeem"),
    path("payments/stripe/webhook/", mall.StripeWebhookView.as_view(), name="stripe-webhook"),
    path(
        "platform/tenants/", platform_tenants.PlatformTenantListCreateView.as_view(), name="platform-tenants"
    ),
]

schema_urls = [
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]


def api_urls(*v1_groups: list) -> list:
    v1 = [pattern for group in v1_groups for pattern in group]
    return [
        path("api/v1/", include((v1, "v1"), namespace="v1")),
        *schema_urls,
        # Unknown API paths answer in the error shape, not with an HTML page.
        re_path(r"^api/", page_not_found),
    ]
