"""What the benchmarks that build their data in a tenant schema of their own share."""

import sys
import time
from collections.abc import Callable

from django.core.management import call_command
from django.db import connection, transaction
from django_tenants.utils import schema_context

from tenants.models import Tenant
from tenants.services import tenant_provision


def bench_tenant(
    *, schema: str, name: str, count: Callable[[], int], wanted: int, what: str,
    build: Callable[[int], None], analyze: str,
) -> None:  # fmt: skip
    """Migrate, provision the ``schema`` tenant if missing and, when it holds none of ``what`` yet
    (``count()``), build ``wanted`` of them in one transaction and ``VACUUM ANALYZE`` the ``analyze``
    tables. A schema holding another number is refused: drop it to rebuild."""
    call_command("migrate_schemas", interactive=False, verbosity=0)
    if not Tenant.objects.filter(schema_name=schema).exists():
        tenant_provision(
            actor=None, name=name, schema_name=schema, domain=f"{schema.replace('_', '-')}.localhost"
        )
    with schema_context(schema):
        have = count()
        if have == wanted:
            return
        if have:
            raise SystemExit(
                f"{schema} holds {have} {what}; DROP SCHEMA {schema} CASCADE (and its tenant row)"
            )
        started = time.perf_counter()
        with transaction.atomic():
            build(wanted)
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {analyze}")
        print(f"built {wanted:,} {what} in {time.perf_counter() - started:.1f}s", file=sys.stderr)
