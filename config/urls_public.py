"""URLs on the bare host: the platform console (and, later, signup, shop and insurer consoles)."""

from django.urls import path

from api.urls import api_urls, common_v1, public_v1
from web.favicon import favicon
from web.pages import page, platform_home

urlpatterns = [
    *api_urls(common_v1, public_v1),
    path("favicon.ico", favicon, name="favicon"),
    path("console/", page("console"), name="platform-console"),
    path("", platform_home, name="platform-home"),
]

handler400 = "api.errors.bad_request"
handler403 = "api.errors.permission_denied"
handler404 = "api.errors.page_not_found"
handler500 = "api.errors.server_error"
