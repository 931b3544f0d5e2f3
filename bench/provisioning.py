#!/usr/bin/env python
"""Tenant provisioning at scale, in a throwaway database of its own (dropped at the end).

Creates ``--count`` tenants one after another through the signup provisioning service (the same
``signup_provision`` -> ``tenant_provision`` a Celery worker runs: schema created and migrated,
domain, branding, admin, trial subscription) and reports the time per tenant for every
``--every`` tenants, so any growth with the number of schemas shows. Then it measures one new
tenant migration: applied to a single tenant alone, then to all the others with django-tenants'
multiprocessing executor (``migrate_schemas --executor=multiprocessing``,
``TENANT_MULTIPROCESSING_MAX_PROCESSES``), and a second one with the standard (serial) executor,
and prints the ratios against the single tenant in the same run.

    .venv/bin/python bench/provisioning.py [--count 200] [--every 50] [--processes N]
"""

import argparse
import contextlib
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import machine  # noqa: E402

BENCH_DB = "suxinbao_bench_prov"

# A tenant app of the benchmark's own: 0001 is applied with every new tenant; 0002 and 0003 are
# "the new migration", written to disk only after the tenants exist.
MIGRATION_0001 = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [("customers", "0001_initial")]
    operations = [
        migrations.CreateModel(
            name="BenchNote",
            fields=[("id", models.BigAutoField(primary_key=True, serialize=False)), ("text", models.TextField())],
        )
    ]
"""
MIGRATION_N = """from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("benchmig", "{previous}")]
    operations = [
        migrations.RunSQL(
            "ALTER TABLE customers_customer ADD COLUMN bench_{n} varchar(40) NOT NULL DEFAULT '';"
            " CREATE INDEX bench_{n}_idx ON customers_customer (bench_{n});",
            "DROP INDEX bench_{n}_idx; ALTER TABLE customers_customer DROP COLUMN bench_{n};",
        )
    ]
"""
SETTINGS = """from config.settings import *  # noqa: F401,F403
from config.settings import INSTALLED_APPS, TENANT_APPS

TENANT_APPS = [*TENANT_APPS, "benchmig"]
INSTALLED_APPS = [*INSTALLED_APPS, "benchmig"]
TENANT_MULTIPROCESSING_MAX_PROCESSES = {processes}
TENANT_MULTIPROCESSING_CHUNKS = 1
LOGGING = {{"version": 1, "disable_existing_loggers": False, "root": {{"level": "WARNING"}}}}
"""


def admin_url(url: str) -> str:
    """The server's maintenance database, to create and drop the bench database from."""
    return url.rsplit("/", 1)[0] + "/postgres"


def recreate_database(url: str) -> None:
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def drop_database(url: str) -> None:
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


def write_app(folder: Path, processes: int) -> Path:
    app = folder / "benchmig"
    (app / "migrations").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "migrations" / "__init__.py").write_text("")
    (app / "models.py").write_text(
        "from django.db import models\n\n\nclass BenchNote(models.Model):\n    text = models.TextField()\n"
    )
    (app / "migrations" / "0001_initial.py").write_text(MIGRATION_0001)
    (folder / "bench_prov_settings.py").write_text(SETTINGS.format(processes=processes))
    return app


def add_migration(app: Path, n: int) -> str:
    previous = "0001_initial" if n == 2 else f"000{n - 1}_bench"
    (app / "migrations" / f"000{n}_bench.py").write_text(MIGRATION_N.format(previous=previous, n=n))
    # the loader caches what it found: a fresh import sees the new file
    for name in [m for m in sys.modules if m.startswith("benchmig.migrations.")]:
        del sys.modules[name]
    return f"000{n}_bench"


def provision(count: int, every: int) -> tuple[list[float], list[str]]:
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from subscriptions.models import Plan, Signup
    from subscriptions.services import signup_provision

    plan = Plan.objects.get(code="basic")
    password = make_password("Bench@2026pw")
    times: list[float] = []
    schemas: list[str] = []
    block: list[float] = []
    print(f"{'tenants':>9} {'mean s/tenant':>14} {'p95 s':>8} {'schemas':>8}")
    for i in range(1, count + 1):
        sub = f"bench{i:05d}"
        signup = Signup.objects.create(
            request_id=uuid.uuid4(), company_name=f"压测经纪{i}", uscc=f"BENCH{i:013d}", kind="brokerage",
            contact_mobile=f"135{i:08d}", subdomain=sub, plan=plan, admin_name=f"管理员{i}",
            admin_password_hash=password,
        )  # fmt: skip
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # migrate_schemas lists every migration it applies
            done = signup_provision(signup_id=signup.pk)
        elapsed = time.perf_counter() - start
        if done.status != "ready":
            raise SystemExit(f"tenant {sub} failed: {done.error}")
        times.append(elapsed)
        block.append(elapsed)
        schemas.append(sub)
        if i % every == 0 or i == count:
            p95 = sorted(block)[max(0, int(len(block) * 0.95) - 1)]
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'bench%%'")
                (n_schemas,) = cursor.fetchone()
            print(
                f"{i - len(block) + 1:>4}-{i:<4} {statistics.mean(block):>14.2f} {p95:>8.2f} {n_schemas:>8}"
            )
            block = []
    return times, schemas


def migrate(executor: str, schema: str | None = None) -> float:
    from django.core.management import call_command

    options: dict[str, Any] = {"executor": executor, "interactive": False, "verbosity": 0, "tenant": True}
    if schema:
        options["schema_name"] = schema
    start = time.perf_counter()
    call_command("migrate_schemas", **options)
    return time.perf_counter() - start


def applied(schema: str, name: str) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT 1 FROM "{schema}".django_migrations WHERE app = %s AND name = %s', ["benchmig", name]
        )
        return cursor.fetchone() is not None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--every", type=int, default=50)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    if args.count < 2:
        parser.error("--count must be at least 2")

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/suxinbao")
    recreate_database(url)
    folder = Path(tempfile.mkdtemp(prefix="sxb-bench-prov-"))
    try:
        app = write_app(folder, args.processes)
        sys.path.insert(0, str(folder))
        os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{BENCH_DB}"
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench_prov_settings"
        import django

        import config.paths  # noqa: F401

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connections

        from tenants.services import public_tenant_ensure

        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        public_tenant_ensure(hosts=list(settings.PUBLIC_HOSTS))
        print(f"database {BENCH_DB}; {args.count} tenants through signup_provision; {os.cpu_count()} CPUs")
        started = time.perf_counter()
        times, schemas = provision(args.count, args.every)
        total = time.perf_counter() - started
        first_block = statistics.mean(times[: args.every])
        last_block = statistics.mean(times[-args.every :])
        print(f"all {args.count}: {total:.1f} s; mean {statistics.mean(times):.2f} s/tenant; "
              f"last {args.every} / first {args.every}: {last_block / first_block:.2f}x")  # fmt: skip

        # one new migration: a single tenant alone, then the rest in parallel
        name = add_migration(app, 2)
        one = migrate("standard", schemas[0])
        assert applied(schemas[0], name) and not applied(schemas[1], name)
        parallel = migrate("multiprocessing")
        assert all(applied(s, name) for s in schemas)
        # and another, serially, for comparison
        name = add_migration(app, 3)
        one_again = migrate("standard", schemas[0])
        serial = migrate("standard")
        assert all(applied(s, name) for s in schemas)
        rest = len(schemas) - 1
        print(f"\nmigration 0002 on 1 tenant: {one:.2f} s")
        print(f"  then the other {rest} with --executor=multiprocessing ({args.processes} processes): {parallel:.1f} s"
              f" = {parallel / rest:.3f} s/tenant; {parallel / one:.1f}x one tenant for {rest} tenants"
              f" ({parallel / (one * rest):.2f} of serial-by-one)")  # fmt: skip
        print(f"migration 0003 on 1 tenant: {one_again:.2f} s")
        print(f"  then the other {rest} with --executor=standard: {serial:.1f} s = {serial / rest:.3f} s/tenant;"
              f" {serial / one_again:.1f}x one tenant")  # fmt: skip
        print(f"multiprocessing vs standard for {rest} tenants: {serial / parallel:.2f}x faster")
        connections.close_all()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        drop_database(url)
        print(f"dropped {BENCH_DB}")


if __name__ == "__main__":
    machine.run(main)
