"""Every endpoint of every host, for the OpenAPI schema (the front end's types come from it)."""

from api.urls import api_urls, common_v1, public_v1, tenant_v1

urlpatterns = api_urls(common_v1, tenant_v1, public_v1)
