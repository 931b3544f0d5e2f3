#!/usr/bin/env python
"""``migrate_schemas`` across many tenants, in a throwaway database of its own (dropped at the end).

Provisions ``--baseline`` tenants (default 100) the way the product does (``tenant_provision``:
schema copied from the migrated template, domain, branding), then at that size and again after
topping up to ``--tenants`` (default 1,000), with django-tenants' multiprocessing executor
(``--processes``, default the core count) as a deploy runs it (``manage.py migrate_schemas`` in a
subprocess):

- a no-op ``migrate_schemas`` (nothing to apply);
- a one-migration run: a new migration of a tenant app of the bench's own adding a nullable
  column to its table, written to disk only then (and removed with the database at the end);

and prints the wall time per schema and each schema's own time in its worker process (from
django-tenants' schema_pre_migration to schema_migrated signal), median and over the first and the
last ``--every`` schemas of the run, so growth within a run shows as well as between the two sizes.
``-v 0``, as ``make migrate`` runs it (at ``-v 1`` a no-op also runs the autodetector per schema). Beside them, at each size, the call the
migration recorder makes several times per schema (``introspection.get_table_list``, asked whether
``django_migrations`` exists) with django-tenants' own introspection (a scan of all of pg_class
filtered by ``pg_table_is_visible``) and with the project's (``config.db``), and at the baseline size
the no-op run with django-tenants' own backend (``--no-stock-at-baseline`` skips it).

    .venv/bin/python bench/migrate_schemas.py [--tenants 1000] [--baseline 100] [--every 100]
        [--processes N] [--provision-processes 2] [--no-stock-at-baseline] [--allow-busy]
"""

import argparse
import importlib
import multiprocessing
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# run as a script, bench/ itself is first on sys.path: its aftersales.py would stand in for the app
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
from bench import machine, scratch_db  # noqa: E402

# next to DATABASE_URL's database, named after it (two checkouts on one server do not collide)
BENCH_DB = scratch_db.name(os.environ.get("DATABASE_URL", "postgres:///suxinbao"), "_bench_migrate")
APP = "benchmigrate"
PREFIX = "mig"

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
# "the new migration": a nullable column on the tenant table, as a deploy typically brings
MIGRATION_N = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("benchmigrate", "{previous}")]
    operations = [migrations.AddField("benchnote", "extra_{n}", models.CharField(max_length=40, null=True))]
"""
MODELS = """from django.db import models


class BenchNote(models.Model):
    text = models.TextField()
{fields}"""
SETTINGS = """import os

from config.settings import *  # noqa: F401,F403
from config.settings import DATABASES, INSTALLED_APPS, TENANT_APPS

TENANT_APPS = [*TENANT_APPS, "benchmigrate"]
INSTALLED_APPS = [*INSTALLED_APPS, "benchmigrate"]
TENANT_MULTIPROCESSING_MAX_PROCESSES = {processes}
TENANT_MULTIPROCESSING_CHUNKS = 1
DATABASES["default"]["ENGINE"] = os.environ.get("BENCH_DB_ENGINE", DATABASES["default"]["ENGINE"])
LOGGING = {{"version": 1, "disable_existing_loggers": False, "root": {{"level": "WARNING"}}}}
"""
STOCK_ENGINE = "django_tenants.postgresql_backend"
# The bench app's AppConfig prints a line when each schema starts and ends (django-tenants' signals,
# sent in the executor's worker processes), so the run can be timed per schema at -v 0 as deployed.
APPS_PY = """import os
import sys
import time

from django.apps import AppConfig


class BenchMigrateConfig(AppConfig):
    name = "benchmigrate"

    def ready(self):
        if not os.environ.get("BENCH_SCHEMA_MARKS"):
            return
        from django_tenants.signals import schema_migrated, schema_pre_migration

        def mark(what):
            def receiver(sender, schema_name, **kwargs):
                sys.stdout.write(f"BENCH-SCHEMA {what} {schema_name} {time.time():.6f}\\n")
                sys.stdout.flush()

            return receiver

        self.receivers = [mark("start"), mark("end")]
        schema_pre_migration.connect(self.receivers[0], weak=False)
        schema_migrated.connect(self.receivers[1], weak=False)
"""
MARK = re.compile(r"^BENCH-SCHEMA (start|end) (\S+) ([0-9.]+)$")


def say(text: str) -> None:
    """A figure: kept for the report (stdout) and shown now (stderr), the run being long."""
    print(text, flush=True)
    print(text, file=sys.stderr, flush=True)


def write_app(folder: Path, processes: int) -> Path:
    app = folder / APP
    (app / "migrations").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "apps.py").write_text(APPS_PY)
    (app / "migrations" / "__init__.py").write_text("")
    (app / "models.py").write_text(MODELS.format(fields=""))
    (app / "migrations" / "0001_initial.py").write_text(MIGRATION_0001)
    (folder / "bench_migrate_settings.py").write_text(SETTINGS.format(processes=processes))
    return app


def add_migration(app: Path, n: int) -> str:
    """Migration 000n (n >= 2) on disk, and the model matching it (so migrate sees no other change)."""
    previous = "0001_initial" if n == 2 else f"000{n - 1}_extra"
    (app / "migrations" / f"000{n}_extra.py").write_text(MIGRATION_N.format(previous=previous, n=n))
    fields = "".join(f"    extra_{i} = models.CharField(max_length=40, null=True)\n" for i in range(2, n + 1))
    (app / "models.py").write_text(MODELS.format(fields=fields))
    importlib.invalidate_caches()  # this process's template rebuild must see the new file
    return f"000{n}_extra"


def _provision(index: int) -> float:
    from django.db import connection

    from tenants.services import tenant_provision

    schema = f"{PREFIX}{index:05d}"
    start = time.perf_counter()
    tenant_provision(actor=None, name=f"迁移压测{index}", schema_name=schema, domain=f"{schema}.localhost")
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    return time.perf_counter() - start


def provision(first: int, last: int, processes: int) -> list[float]:
    """Tenants ``first``..``last`` through ``tenant_provision``, ``processes`` at a time (forked)."""
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    times: list[float] = []
    started = time.perf_counter()
    with context.Pool(processes) as pool:
        for elapsed in pool.imap(_provision, range(first, last + 1), chunksize=4):
            times.append(elapsed)
            if len(times) % 50 == 0:
                rate = (time.perf_counter() - started) / len(times)
                print(f"  provisioned {first + len(times) - 1}: {rate:.2f} s/tenant wall,"
                      f" load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)  # fmt: skip
    return times


def table_list_ms(repeat: int = 5) -> dict[str, float]:
    """Median ms of one ``get_table_list`` in a tenant schema: django-tenants' introspection vs ours."""
    from django.db import connection
    from django_tenants.postgresql_backend.introspection import DatabaseSchemaIntrospection

    from config.db.introspection import SchemaIntrospection

    connection.set_schema(f"{PREFIX}00001", include_public=False)  # type: ignore[attr-defined]
    found: dict[str, float] = {}
    try:
        for name, cls in (("stock", DatabaseSchemaIntrospection), ("config.db", SchemaIntrospection)):
            introspection = cls(connection)
            times = []
            with connection.cursor() as cursor:
                for _ in range(repeat):
                    start = time.perf_counter()
                    tables = introspection.get_table_list(cursor)
                    times.append(time.perf_counter() - start)
            assert any(t.name == "django_migrations" for t in tables)
            found[name] = statistics.median(times) * 1000
    finally:
        connection.set_schema_to_public()  # type: ignore[attr-defined]
    return found


class Run:
    """One ``manage.py migrate_schemas --tenant --executor=multiprocessing -v 0`` in a subprocess, as a
    deploy runs it, with each schema's start and end (the bench app's signal receivers)."""

    def __init__(self, folder: Path, engine: str | None, every: int) -> None:
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench_migrate_settings", BENCH_SCHEMA_MARKS="1",
                   PYTHONPATH=os.pathsep.join([str(folder), str(ROOT), str(ROOT / "platform")]))  # fmt: skip
        if engine:
            env["BENCH_DB_ENGINE"] = engine
        command = [sys.executable, str(ROOT / "manage.py"), "migrate_schemas", "--tenant",
                   "--executor=multiprocessing", "--noinput", "-v", "0"]  # fmt: skip
        starts: dict[str, float] = {}
        ends: dict[str, float] = {}
        load_before = os.getloadavg()[0]
        started = time.time()
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)  # fmt: skip
        assert proc.stdout is not None
        for line in proc.stdout:
            found = MARK.match(line.strip())
            if found:
                (starts if found[1] == "start" else ends)[found[2]] = float(found[3])
        _, err = proc.communicate()
        self.wall = time.time() - started
        if proc.returncode:
            raise SystemExit(f"migrate_schemas failed ({proc.returncode}):\n{err[-3000:]}")
        order = sorted(starts, key=starts.__getitem__)
        durations = [ends[s] - starts[s] for s in order if s in ends]
        if len(durations) != len(order) or not order:
            raise SystemExit(f"migrate_schemas: {len(order)} schemas started, {len(ends)} ended")
        self.schemas = len(order)
        self.load = (load_before + os.getloadavg()[0]) / 2
        # each schema's own time (start to end in its worker), over the first and the last block
        self.first = statistics.mean(durations[:every])
        self.last = statistics.mean(durations[-every:])
        self.median = statistics.median(durations)
        # what precedes the first schema: Django's start-up, the tenant list, the pool
        self.startup = starts[order[0]] - started
        # wall time per schema from the first schema's start to the end (processes in parallel)
        self.per_schema = (self.wall - self.startup) / self.schemas

    def line(self, what: str) -> str:
        return (f"  {what}: {self.wall:.1f} s for {self.schemas} schemas = {self.per_schema * 1000:.0f} ms/schema"
                f" of wall time (start-up {self.startup:.1f} s); each schema in its process: median"
                f" {self.median * 1000:.0f} ms, first / last block {self.first * 1000:.0f} /"
                f" {self.last * 1000:.0f} ms ({self.last / self.first:.2f}x); load {self.load:.1f}")  # fmt: skip


def applied_spread(name: str, every: int) -> tuple[int, float, float]:
    """From django_migrations.applied: schemas having ``name``, and the mean gap between successive
    schemas' rows over the first and the last ``every`` (seconds)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT schema_name FROM tenants_tenant WHERE schema_name LIKE %s", [f"{PREFIX}%"])
        schemas = [row[0] for row in cursor.fetchall()]
        union = " UNION ALL ".join(
            f"SELECT applied FROM \"{s}\".django_migrations WHERE app = '{APP}' AND name = %s"
            for s in schemas
        )
        cursor.execute(f"SELECT applied FROM ({union}) t ORDER BY applied", [name] * len(schemas))
        stamps = [row[0].timestamp() for row in cursor.fetchall()]
    gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    return len(stamps), statistics.mean(gaps[: every - 1]), statistics.mean(gaps[-(every - 1) :])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--baseline", type=int, default=100, help="tenants at the first measurement")
    parser.add_argument("--every", type=int, default=100, help="block of schemas for first vs last")
    parser.add_argument("--processes", type=int, default=machine.cores(), help="migrate_schemas processes")
    parser.add_argument("--provision-processes", type=int, default=2)
    parser.add_argument("--no-stock-at-baseline", dest="stock", action="store_false",
                        help="skip the no-op run with django-tenants' own backend at the baseline size")  # fmt: skip
    args = parser.parse_args()
    if not 2 <= args.every <= args.baseline < args.tenants:
        parser.error("need 2 <= --every <= --baseline < --tenants")

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/suxinbao")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    scratch_db.recreate(url, BENCH_DB)
    folder = Path(tempfile.mkdtemp(prefix="sxb-bench-migrate-"))
    try:
        app = write_app(folder, args.processes)
        sys.path.insert(0, str(folder))
        os.environ["DATABASE_URL"] = scratch_db.url_of(url, BENCH_DB)
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench_migrate_settings"
        import django

        import config.paths  # noqa: F401

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connections

        from tenants import provisioning
        from tenants.services import public_tenant_ensure

        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        public_tenant_ensure(hosts=list(settings.PUBLIC_HOSTS))
        started = time.perf_counter()
        provisioning.template_ensure()
        say(f"database {BENCH_DB}; {machine.cores()} cores; migrate_schemas with {args.processes} processes;"
              f" template built in {time.perf_counter() - started:.1f} s")  # fmt: skip

        results: dict[int, dict[str, Any]] = {}
        migration = 1
        for size in (args.baseline, args.tenants):
            done = sum(len(r["provision"]) for r in results.values())
            times = provision(done + 1, size, args.provision_processes)
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_class")
                (relations,) = cursor.fetchone()
            say(f"\n{size} tenants ({relations} rows in pg_class); provisioned {len(times)} more at"
                  f" {statistics.mean(times):.2f} s/tenant ({args.provision_processes} at a time)")  # fmt: skip
            lists = table_list_ms()
            say(f"  get_table_list in one schema: django-tenants {lists['stock']:.1f} ms,"
                  f" config.db {lists['config.db']:.2f} ms")  # fmt: skip
            connections.close_all()
            result: dict[str, Any] = {"provision": times, "lists": lists}
            if size == args.baseline and args.stock:
                result["stock"] = Run(folder, STOCK_ENGINE, args.every)
                say(result["stock"].line("no-op, django-tenants' backend"))
            result["noop"] = Run(folder, None, args.every)
            say(result["noop"].line("no-op"))
            migration += 1
            name = add_migration(app, migration)
            result["one"] = Run(folder, None, args.every)
            say(result["one"].line(f"one migration ({APP}.{name}: AddField, nullable)"))
            count, first_gap, last_gap = applied_spread(name, args.every)
            if count != size:
                raise SystemExit(f"{name} applied in {count} schemas of {size}")
            say(f"  {name} applied in all {count}; gap between schemas' rows, first / last block:"
                  f" {first_gap * 1000:.0f} / {last_gap * 1000:.0f} ms")  # fmt: skip
            provisioning.template_forget()  # a new migration: the next tenant rebuilds the template
            results[size] = result

        base, full = results[args.baseline], results[args.tenants]
        say(f"\nper schema, {args.tenants} tenants / {args.baseline} tenants:")
        for key, what in (("noop", "no-op"), ("one", "one migration")):
            ratio = full[key].per_schema / base[key].per_schema
            say(
                f"  {what}: {full[key].per_schema * 1000:.0f} / {base[key].per_schema * 1000:.0f} ms = {ratio:.2f}x"
            )
            machine.result(
                bench="migrate_schemas", figure=f"{what}, {args.tenants} tenants: {full[key].wall:.0f} s"
                f" ({full[key].per_schema * 1000:.0f} ms/schema)",
                baseline=f"{args.baseline} tenants: {base[key].per_schema * 1000:.0f} ms/schema", ratio=ratio,
                goal="<= 1.2x", met=ratio <= 1.2,
            )  # fmt: skip
        if "stock" in base:
            say(f"  at {args.baseline}: django-tenants' backend {base['stock'].per_schema * 1000:.0f} ms/schema,"
                  f" config.db {base['noop'].per_schema * 1000:.0f}")  # fmt: skip
        connections.close_all()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        scratch_db.drop(url, BENCH_DB)
        print(f"dropped {BENCH_DB}")


if __name__ == "__main__":
    machine.run(main)
