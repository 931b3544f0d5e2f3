"""Routes of api/v1/aftersales/ (mounted under /api/v1/ by api/urls.py)."""

from django.urls import path

from api.v1.aftersales import views as aftersales

# On a tenant's host only.
tenant_urlpatterns = [
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

# On the platform (bare) host only.
public_urlpatterns = [
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
]
