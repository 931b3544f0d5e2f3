"""Routes of api/v1/aftersales/ (mounted under /api/v1/ by api/urls.py)."""

from django.urls import path

from api.v1.aftersales import insurer, products, shop, tenant

# On a tenant's host only.
tenant_urlpatterns = [
    path("service-orders/", tenant.ServiceOrderListView.as_view(), name="service-orders"),
    path("service-orders/options/", tenant.ServiceOrderOptionsView.as_view(), name="service-order-options"),
    path("service-orders/<int:pk>/", tenant.ServiceOrderDetailView.as_view(), name="service-order"),
    path(
        "service-orders/<int:pk>/approve/",
        tenant.OwnerApproveView.as_view(),
        name="service-order-approve",
    ),
    path("service-orders/<int:pk>/cancel/", tenant.OwnerCancelView.as_view(), name="service-order-cancel"),
    path("service-orders/<int:pk>/review/", tenant.OwnerReviewView.as_view(), name="service-order-review"),
    path(
        "service-shops/<int:pk>/products/",
        products.PartnerShopProductsView.as_view(),
        name="service-shop-products",
    ),
    path(
        "customers/<int:pk>/service-orders/",
        tenant.CustomerServiceOrdersView.as_view(),
        name="customer-service-orders",
    ),
]

# On the platform (bare) host only.
public_urlpatterns = [
    path("shop/service-orders/", shop.ShopOrderListView.as_view(), name="shop-service-orders"),
    path("shop/products/", products.ShopProductListView.as_view(), name="shop-products"),
    path("shop/products/<int:pk>/", products.ShopProductDetailView.as_view(), name="shop-product"),
    path("shop/service-orders/<int:pk>/", shop.ShopOrderDetailView.as_view(), name="shop-service-order"),
    *[
        path(f"shop/service-orders/<int:pk>/{name}/", view.as_view(), name=f"shop-service-order-{name}")
        for name, view in shop.SHOP_ACTION_VIEWS.items()
    ],
    path("insurer/claims/", insurer.InsurerClaimListView.as_view(), name="insurer-claims"),
    path("insurer/claims/stats/", insurer.InsurerClaimStatsView.as_view(), name="insurer-claims-stats"),
    path("insurer/claims/<int:pk>/", insurer.InsurerClaimDetailView.as_view(), name="insurer-claim"),
    path(
        "insurer/claims/<int:pk>/approve/",
        insurer.InsurerClaimApproveView.as_view(),
        name="insurer-claim-approve",
    ),
    path("platform/insurers/", insurer.PlatformInsurerListView.as_view(), name="platform-insurers"),
    path(
        "platform/insurers/<int:pk>/staff/",
        insurer.PlatformInsurerStaffView.as_view(),
        name="platform-insurer-staff",
    ),
]
