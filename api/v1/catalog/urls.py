"""Routes of api/v1/catalog/ (mounted under /api/v1/ by api/urls.py)."""

from django.urls import path

from api.v1.catalog import views as catalog

# On a tenant's host only.
tenant_urlpatterns = [
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
]
