"""Routes of api/v1/mall/ (mounted under /api/v1/ by api/urls.py)."""

from django.urls import path

from api.v1.mall import views as mall

# On a tenant's host only.
tenant_urlpatterns = [
    path("mall/products/", mall.MallProductListView.as_view(), name="mall-products"),
    path("mall/orders/", mall.OrderListCreateView.as_view(), name="mall-orders"),
    path("mall/orders/<int:pk>/", mall.OrderDetailView.as_view(), name="mall-order"),
    path("mall/orders/<int:pk>/fulfil/", mall.OrderFulfilView.as_view(), name="mall-order-fulfil"),
    path("mall/orders/<int:pk>/refund/", mall.OrderRefundView.as_view(), name="mall-order-refund"),
]

# On the platform (bare) host only.
public_urlpatterns = [
    path("payments/stripe/webhook/", mall.StripeWebhookView.as_view(), name="stripe-webhook"),
]
