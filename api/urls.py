"""The v1 router. Common endpoints answer on every host; tenant and platform ones only on theirs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.errors import page_not_found
from api.v1.accounts import urls as accounts
from api.v1.aftersales import urls as aftersales
from api.v1.catalog import urls as catalog
from api.v1.commissions import urls as commissions
from api.v1.customers import urls as customers
from api.v1.mall import urls as mall
from api.v1.network import urls as network
from api.v1.notices import urls as notices
from api.v1.ocr import urls as ocr
from api.v1.platform import urls as platform
from api.v1.quotes import urls as quotes
from api.v1.realtime import urls as realtime
from api.v1.shops import urls as shops

# Each domain package under api/v1/ owns its routes, grouped by the hosts they answer on.
common_v1 = [
    path("", include(accounts.common_urlpatterns)),
    path("", include(platform.common_urlpatterns)),
    path("", include(realtime.common_urlpatterns)),
    path("", include(notices.common_urlpatterns)),
]

tenant_v1 = [
    path("", include(platform.tenant_urlpatterns)),
    path("", include(notices.tenant_urlpatterns)),
    path("", include(accounts.tenant_urlpatterns)),
    path("", include(network.tenant_urlpatterns)),
    path("", include(customers.tenant_urlpatterns)),
    path("", include(quotes.tenant_urlpatterns)),
    path("", include(commissions.tenant_urlpatterns)),
    path("", include(catalog.tenant_urlpatterns)),
    path("", include(shops.tenant_urlpatterns)),
    path("", include(mall.tenant_urlpatterns)),
    path("", include(aftersales.tenant_urlpatterns)),
    path("", include(ocr.tenant_urlpatterns)),
]

public_v1 = [
    path("", include(platform.public_urlpatterns)),
    path("", include(notices.public_urlpatterns)),
    path("", include(shops.public_urlpatterns)),
    path("", include(aftersales.public_urlpatterns)),
    path("", include(mall.public_urlpatterns)),
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
