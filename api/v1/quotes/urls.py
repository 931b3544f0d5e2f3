"""Routes of api/v1/quotes/ (mounted under /api/v1/ by api/urls.py)."""

from django.urls import path

from api.v1.quotes import insurers, policies
from api.v1.quotes import views as quotes

# On a tenant's host only.
tenant_urlpatterns = [
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
    path("policies/", policies.PolicyListView.as_view(), name="policies"),
    path("policies/<int:pk>/surrender/", policies.PolicySurrenderView.as_view(), name="policy-surrender"),
    path("insurers/", insurers.InsurerListView.as_view(), name="insurers"),
    path("vehicle-tax-tables/", insurers.VehicleTaxTableListView.as_view(), name="vehicle-tax-tables"),
    path(
        "vehicle-tax-tables/<str:province>/", insurers.VehicleTaxTableView.as_view(), name="vehicle-tax-table"
    ),
    path("insurers/<str:code>/terms/", insurers.InsurerTermsView.as_view(), name="insurer-terms"),
    path(
        "insurers/<str:code>/rating-tables/<str:use>/",
        insurers.InsurerRatingTableView.as_view(),
        name="insurer-rating-table",
    ),
]
