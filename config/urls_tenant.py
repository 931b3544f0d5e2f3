"""URLs on a tenant's host (datang.localhost, a custom domain...)."""

from django.urls import path

from api.urls import api_urls, common_v1, tenant_v1
from api.v1.catalog.views import tenant_media
from web.favicon import favicon
from web.pages import page

urlpatterns = [
    *api_urls(common_v1, tenant_v1),
    path("media/tenants/<str:schema>/<path:path>", tenant_media, name="tenant-media"),
    path("favicon.ico", favicon, name="favicon"),
    path("agent/", page("agent"), name="agent-app"),
    path("console/", page("console"), name="console-app"),
    path("", page("owner"), name="owner-h5"),
]

handler400 = "api.errors.bad_request"
handler403 = "api.errors.permission_denied"
handler404 = "api.errors.page_not_found"
handler500 = "api.errors.server_error"
