from django.db import connection
from django_tenants.utils import get_tenant_model


def current_tenant_id() -> int:
    """The pk of the tenant whose schema the connection is on (schema_context sets a stand-in
    tenant without a pk, so look it up by schema name then)."""
    tenant = getattr(connection, "tenant", None)
    pk = getattr(tenant, "pk", None)
    if pk is None:
        pk = get_tenant_model().objects.only("pk").get(schema_name=connection.schema_name).pk  # type: ignore[attr-defined]
    return int(pk)


def current_schema_name() -> str:
    return str(getattr(connection, "schema_name", "public"))
