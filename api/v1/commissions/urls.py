"""Routes of api/v1/commissions/ (mounted under /api/v1/ by api/urls.py)."""

from django.urls import path

from api.v1.commissions import views as commissions

# On a tenant's host only.
tenant_urlpatterns = [
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
]
