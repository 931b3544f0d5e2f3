"""Routes of api/v1/shops/ (mounted under /api/v1/ by api/urls.py)."""

from django.urls import path

from api.v1.shops import bookings, inventory
from api.v1.shops import quality as shop_quality
from api.v1.shops import views as shops

# On a tenant's host only.
tenant_urlpatterns = [
    path("shops/", shops.TenantShopListView.as_view(), name="shops"),
    path("partner-shops/", shops.PartnerShopView.as_view(), name="partner-shops"),
    path("service-shops/", bookings.ServiceShopListView.as_view(), name="service-shops"),
    path("service-shops/<int:pk>/slots/", bookings.ServiceShopSlotsView.as_view(), name="service-shop-slots"),
    path("bookings/", bookings.BookingListCreateView.as_view(), name="bookings"),
    path("bookings/<int:pk>/cancel/", bookings.BookingCancelView.as_view(), name="booking-cancel"),
]

# On the platform (bare) host only.
public_urlpatterns = [
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
]
