#!/usr/bin/env python
"""Tenant provisioning at scale, in a throwaway database of its own (dropped at the end).

Creates ``--count`` tenants (default 1,000) one after another through the signup provisioning
service (the same ``signup_provision`` -> ``tenant_provision`` -> ``tenants.provisioning.schema_create``
a Celery worker runs: schema copied from the migrated template, domain, branding, admin, trial
subscription) and prints the time per tenant for every ``--every`` tenants (default 100), so any
growth with the number of schemas shows. Beside it, in the same run, ``--baseline`` tenants (default
10, half before and half after the others) are made the old way, running every migration
(``TENANT_SCHEMA_FROM=migrations``), and ``--alternatives`` schemas (default 3) each with the two other
candidates: django-tenants' ``clone_schema`` of a migrated base schema (its PL/pgSQL function, DATA mode, then
``migrate_schemas --fake`` as django-tenants does) and ``pg_dump --schema-only`` of that base restored
under the new name (schema only: no migration rows, a lower bound). The first copied schema's
catalog is compared with the first migrated one's.

Then, across every tenant with django-tenants' multiprocessing executor (``--processes``): a no-op
``migrate_schemas`` and one new migration (a column and an index on customers_customer), timed,
beside the same migration on one tenant alone. Finally one more tenant is provisioned: the
migration set changed, so the template is rebuilt (timed) and the new tenant has the new column.

    .venv/bin/python bench/provisioning.py [--count 1000] [--every 100] [--baseline 10]
        [--alternatives 3] [--processes N] [--no-migrate-schemas] [--allow-busy]

Every line of the report is also written to stderr as soon as it is known (a line per block of
``--every`` tenants among them), so a run of an hour shows its figures as it goes and a stopped run
keeps them. Per block: wall time per tenant, CPU (this process and its PostgreSQL backend), the time
both waited for a core (the kernel's run queue, /proc/<pid>/schedstat) and the wall time without that
wait (what the provisioning takes with the cores to itself), and the migration baseline's mean (the
first half of ``--baseline``, made before) over the block's mean.
"""

import argparse
import contextlib
import io
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# run as a script, bench/ itself is first on sys.path: its aftersales.py would stand in for the app
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
from bench import machine, scratch_db  # noqa: E402

# next to DATABASE_URL's database, named after it (two checkouts on one server do not collide)
BENCH_DB = scratch_db.name(os.environ.get("DATABASE_URL", "postgres:///suxinbao"), "_bench_prov")

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


def say(line: str = "") -> None:
    """A line of the report (stdout, held by machine.run until the end) that is also progress: the
    same line goes to stderr at once, so a long run shows its figures as it makes them."""
    print(line)
    print(line, file=sys.stderr, flush=True)


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


class Signups:
    """Signups one after another, each provisioned as the Celery task does."""

    def __init__(self) -> None:
        from django.contrib.auth.hashers import make_password

        from subscriptions.models import Plan

        self.plan = Plan.objects.get(code="basic")
        self.password = make_password("Bench@2026pw")
        self.n = 0
        self.cpu: list[float] = []  # per tenant: this process's CPU + its PostgreSQL backend's, when readable
        # per tenant: seconds this process and its backend were ready to run but waited for a core
        self.waited: list[float] = []

    @staticmethod
    def backend_pid() -> int:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        return int(pid)

    @staticmethod
    def schedstat(pid: int | str) -> tuple[float, float] | None:
        """Seconds on a CPU and seconds runnable but waiting for one (the kernel's run queue), so far,
        of process ``pid`` ("self", or this connection's PostgreSQL backend when the server runs on this
        machine and /proc is readable), else None. Wall time minus both processes' run-queue wait is
        what the provisioning takes when it has the cores to itself: on a shared machine most of the
        wall time is that wait (a load of 12 on 2 cores: each runnable process gets ~1/6 of a core)."""
        try:
            ran, waited, _ = Path(f"/proc/{pid}/schedstat").read_text().split()
        except (OSError, ValueError):
            return None
        return int(ran) / 1e9, int(waited) / 1e9

    def one(self, prefix: str) -> tuple[str, float]:
        from subscriptions.models import Signup
        from subscriptions.services import signup_provision

        self.n += 1
        i = self.n
        sub = f"{prefix}{i:05d}"
        signup = Signup.objects.create(
            request_id=uuid.uuid4(), company_name=f"压测经纪{i}", uscc=f"BENCH{i:013d}", kind="brokerage",
            contact_mobile=f"135{i:08d}", subdomain=sub, plan=self.plan, admin_name=f"管理员{i}",
            admin_password_hash=self.password,
        )  # fmt: skip
        pid = self.backend_pid()
        before = self.schedstat(pid), self.schedstat("self")
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # migrate_schemas lists what it applies
            done = signup_provision(signup_id=signup.pk)
        elapsed = time.perf_counter() - start
        after = self.schedstat(pid), self.schedstat("self")
        if None not in before and None not in after:
            (b_ran, b_wait), (o_ran, o_wait) = before  # type: ignore[misc]
            (a_ran, a_wait), (n_ran, n_wait) = after  # type: ignore[misc]
            self.cpu.append(a_ran - b_ran + n_ran - o_ran)
            self.waited.append(a_wait - b_wait + n_wait - o_wait)
        if done.status != "ready":
            raise SystemExit(f"tenant {sub} failed: {done.error}")
        return sub, elapsed


def by_migrations(signups: Signups, count: int) -> tuple[list[float], list[str]]:
    from django.test.utils import override_settings

    times, schemas = [], []
    with override_settings(TENANT_SCHEMA_FROM="migrations"):
        for _ in range(count):
            schema, elapsed = signups.one("benchmig")
            times.append(elapsed)
            schemas.append(schema)
            print(f"  migrations: {schema} {elapsed:.2f} s", file=sys.stderr, flush=True)
    return times, schemas


def by_template(
    signups: Signups, count: int, every: int, migration_mean: float
) -> tuple[list[float], list[str]]:
    """``count`` tenants from the template, a line per block of ``every``: wall time per tenant
    (mean, median, p95), CPU (this process + its backend), the wait for a core and the wall time
    without it, and the migration baseline's mean (measured before) over this block's mean."""
    from django.db import connection

    times: list[float] = []
    schemas: list[str] = []
    block: list[float] = []
    say(
        f"{'tenants':>9} {'mean s/tenant':>14} {'median s':>9} {'p95 s':>8} {'cpu s':>6} {'wait s':>7}"
        f" {'no-wait s':>9} {'vs migr':>8} {'schemas':>8} {'load 1/5 min':>13} {'user triggers':>14}"
    )
    signups.cpu = []
    signups.waited = []
    for i in range(1, count + 1):
        schema, elapsed = signups.one("bench")
        times.append(elapsed)
        block.append(elapsed)
        schemas.append(schema)
        if i % every == 0 or i == count:
            p95 = sorted(block)[max(0, int(len(block) * 0.95) - 1)]
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'bench%%'")
                (n_schemas,) = cursor.fetchone()
                # foreign keys into public tables would add two triggers there per key and tenant
                cursor.execute(
                    "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.accounts_user'::regclass"
                )
                (triggers,) = cursor.fetchone()
            one, five, _ = os.getloadavg()
            cpu, waited = signups.cpu[-len(block) :], signups.waited[-len(block) :]
            known = len(cpu) == len(block) and len(signups.cpu) == i
            cpu_mean = f"{statistics.mean(cpu):>6.3f}" if known else f"{'-':>6}"
            wait_mean = f"{statistics.mean(waited):>7.3f}" if known else f"{'-':>7}"
            no_wait = (
                f"{statistics.mean(b - w for b, w in zip(block, waited, strict=True)):>9.3f}"
                if known
                else f"{'-':>9}"
            )
            say(
                f"{i - len(block) + 1:>4}-{i:<4} {statistics.mean(block):>14.3f}"
                f" {statistics.median(block):>9.3f} {p95:>8.3f} {cpu_mean} {wait_mean} {no_wait}"
                f" {migration_mean / statistics.mean(block):>7.1f}x {n_schemas:>8} {one:>6.1f} {five:>6.1f}"
                f" {triggers:>14}"
            )
            block = []
    return times, schemas


def alternatives(base: str, count: int, url: str) -> dict[str, list[float]]:
    """The two other candidates, each on ``count`` new schemas made from migrated schema ``base``."""
    import subprocess

    from django.core.management import call_command
    from django.db import connection, transaction
    from django_tenants.clone import CloneSchema

    found: dict[str, list[float]] = {"clone_schema": [], "pg_dump": []}
    for i in range(count):
        name = f"altclone{i:03d}"
        start = time.perf_counter()
        with transaction.atomic(), contextlib.redirect_stdout(io.StringIO()):
            CloneSchema().clone_schema(base, name, "DATA")  # as TENANT_BASE_SCHEMA does
            call_command(
                "migrate_schemas", tenant=True, fake=True, schema_name=name, interactive=False, verbosity=0
            )
        found["clone_schema"].append(time.perf_counter() - start)
        connection.set_schema_to_public()  # type: ignore[attr-defined]
    bench_url = scratch_db.url_of(url, BENCH_DB)
    for i in range(count):
        name = f"altdump{i:03d}"
        start = time.perf_counter()
        dump = subprocess.run(
            ["pg_dump", "--schema-only", "--no-owner", "-n", base, bench_url],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        # every object is qualified with the base schema's name in a pg_dump script
        script = dump.replace(f"{base}.", f"{name}.").replace(
            f"CREATE SCHEMA {base};", f"CREATE SCHEMA {name};"
        )
        subprocess.run(["psql", "-q", "-1", "-v", "ON_ERROR_STOP=1", bench_url], input=script, check=True,
                       capture_output=True, text=True)  # fmt: skip
        found["pg_dump"].append(time.perf_counter() - start)
    return found


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
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--every", type=int, default=100)
    parser.add_argument("--baseline", type=int, default=10, help="tenants made by running the migrations")
    parser.add_argument("--alternatives", type=int, default=3, help="schemas per other candidate (0: none)")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--no-migrate-schemas",
        action="store_true",
        help="skip the migrate_schemas runs across every tenant (tens of minutes at 1,000 tenants)",
    )
    args = parser.parse_args()
    if args.count < 2 or args.baseline < 2:
        parser.error("--count and --baseline must be at least 2")

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/suxinbao")
    # stopped with kill (SIGTERM), still drop the bench database and its schemas (the finally below)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    scratch_db.recreate(url, BENCH_DB)
    folder = Path(tempfile.mkdtemp(prefix="sxb-bench-prov-"))
    try:
        app = write_app(folder, args.processes)
        sys.path.insert(0, str(folder))
        os.environ["DATABASE_URL"] = scratch_db.url_of(url, BENCH_DB)
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench_prov_settings"
        import django

        import config.paths  # noqa: F401

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection, connections

        from tenants import provisioning
        from tenants.models import SchemaTemplate
        from tenants.services import public_tenant_ensure

        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        public_tenant_ensure(hosts=list(settings.PUBLIC_HOSTS))
        say(f"database {BENCH_DB}; {os.cpu_count()} CPUs; every tenant through signup_provision")
        started = time.perf_counter()
        provisioning.template_ensure()
        built = SchemaTemplate.objects.get(key=provisioning.template_key())
        say(f"template built once: {time.perf_counter() - started:.2f} s ({built.table_count} tables, "
            f"{built.migration_count} migrations, {len(built.sql) // 1024} KiB of SQL)")  # fmt: skip

        signups = Signups()
        half = args.baseline // 2
        mig_times, mig_schemas = by_migrations(signups, half)
        say(
            f"migrations, first {half}: mean {statistics.mean(mig_times):.2f} s/tenant (the 'vs migr' column's baseline)"
        )
        started = time.perf_counter()
        times, schemas = by_template(signups, args.count, args.every, statistics.mean(mig_times))
        total = time.perf_counter() - started
        template_cpu, template_waited = list(signups.cpu), list(signups.waited)
        more, more_schemas = by_migrations(signups, args.baseline - half)
        mig_times += more
        mig_schemas += more_schemas
        first_block = statistics.mean(times[: args.every])
        last_block = statistics.mean(times[-args.every :])
        template_mean = statistics.mean(times)
        migration_mean = statistics.mean(mig_times)
        say(f"template: all {args.count} in {total:.1f} s; mean {template_mean:.3f} s/tenant, "
            f"median {statistics.median(times):.3f}; last {args.every} / first {args.every}: "
            f"{last_block / first_block:.2f}x")  # fmt: skip
        no_wait: list[float] = []
        if len(template_cpu) == len(times):
            no_wait = [t - w for t, w in zip(times, template_waited, strict=True)]
            say(f"  CPU per tenant (this process + its PostgreSQL backend): mean {statistics.mean(template_cpu):.3f} s;"
                f" first {args.every} {statistics.mean(template_cpu[: args.every]):.3f} s,"
                f" last {args.every} {statistics.mean(template_cpu[-args.every :]):.3f} s")  # fmt: skip
            say(f"  waiting for a core (both processes' run-queue time): mean {statistics.mean(template_waited):.3f} s;"
                f" wall time without it: mean {statistics.mean(no_wait):.3f} s, median {statistics.median(no_wait):.3f},"
                f" first {args.every} {statistics.mean(no_wait[: args.every]):.3f},"
                f" last {args.every} {statistics.mean(no_wait[-args.every :]):.3f}")  # fmt: skip
        say(f"migrations ({args.baseline} tenants, {half} before and {args.baseline - half} after): "
            f"mean {migration_mean:.2f} s/tenant, median {statistics.median(mig_times):.2f}; "
            f"{migration_mean / template_mean:.1f}x the template's mean")  # fmt: skip
        copied, migrated = (
            provisioning.schema_catalog(schemas[0]),
            provisioning.schema_catalog(mig_schemas[0]),
        )
        same = copied == migrated
        say(f"catalog of {schemas[0]} (copied) == {mig_schemas[0]} (migrated): {same} "
            f"({len(copied['tables'])} tables, {len(copied['columns'])} columns, "
            f"{len(copied['constraints'])} constraints, {len(copied['indexes'])} indexes, "
            f"{len(copied['sequences'])} sequences, {len(copied['migrations'])} migration rows)")  # fmt: skip
        if not same:
            raise SystemExit("the copied schema differs from the migrated one")
        if args.alternatives:
            found = alternatives(mig_schemas[0], args.alternatives, url)
            for name, values in found.items():
                say(f"alternative {name} ({args.alternatives} schemas): mean {statistics.mean(values):.2f} s/schema "
                    f"= {statistics.mean(values) / template_mean:.1f}x the template's mean provisioning")  # fmt: skip
        every_schema = schemas + mig_schemas

        # migrate_schemas across every tenant: nothing to do, then one new migration
        noop = parallel = None
        if args.no_migrate_schemas:
            name = add_migration(app, 2)
        else:
            say(
                f"\nmigrate_schemas --executor=multiprocessing ({args.processes} processes), {len(every_schema)} tenants:"
            )
            noop = migrate("multiprocessing")
            say(f"  nothing to apply: {noop:.1f} s = {noop / len(every_schema) * 1000:.0f} ms/tenant")
            name = add_migration(app, 2)
            one = migrate("standard", every_schema[0])
            assert applied(every_schema[0], name) and not applied(every_schema[1], name)
            parallel = migrate("multiprocessing")
            assert all(applied(s, name) for s in every_schema)
            rest = len(every_schema) - 1
            say(f"  one new migration: on 1 tenant {one:.2f} s; on the other {rest} {parallel:.1f} s"
                f" = {parallel / rest * 1000:.0f} ms/tenant ({parallel / (one * rest):.2f} of one-by-one)")  # fmt: skip

        # the migration set changed: the next tenant rebuilds the template first
        provisioning.template_forget()  # a deploy starts new processes; this one forgets its key
        signups_after = time.perf_counter()
        schema, elapsed = signups.one("benchafter")
        rebuilt = SchemaTemplate.objects.get(key=provisioning.template_key())
        _, again = signups.one("benchafter")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM information_schema.columns WHERE table_schema = %s"
                " AND table_name = 'customers_customer' AND column_name = 'bench_2'",
                [schema],
            )
            (has_column,) = cursor.fetchone()
        say(f"after the new migration: next tenant {elapsed:.2f} s (template rebuilt in {rebuilt.build_seconds:.2f} s,"
            f" has the new column: {bool(has_column)}); the one after {again:.3f} s"
            f" ({time.perf_counter() - signups_after:.1f} s for both)")  # fmt: skip
        if not has_column:
            raise SystemExit("the rebuilt template lacks the new migration's column")

        ratio = last_block / first_block
        machine.result(
            bench="provisioning", figure=f"{template_mean:.3f} s/tenant from the template ({args.count} tenants)",
            baseline=f"{migration_mean:.2f} s/tenant running the migrations ({args.baseline})",
            ratio=template_mean / migration_mean, goal="< 1 s/tenant", met=template_mean < 1,
        )  # fmt: skip
        machine.result(
            bench="provisioning", figure=f"last {args.every}: {last_block:.3f} s/tenant",
            baseline=f"first {args.every}: {first_block:.3f} s/tenant", ratio=ratio, goal="<= 1.2x",
            met=ratio <= 1.2,
        )  # fmt: skip
        if no_wait:
            machine.result(
                bench="provisioning",
                figure=f"{statistics.mean(no_wait):.3f} s/tenant without the wait for a core ({args.count} tenants)",
                baseline=f"{template_mean:.3f} s/tenant wall on this machine (load {os.getloadavg()[0]:.1f})",
                ratio=statistics.mean(no_wait) / template_mean, goal="< 1 s/tenant", met=statistics.mean(no_wait) < 1,
            )  # fmt: skip
        if noop is not None and parallel is not None:
            machine.result(
                bench="provisioning", figure=f"no-op migrate_schemas, {len(every_schema)} tenants: {noop:.1f} s",
                baseline=f"one migration on them: {parallel:.1f} s", ratio=noop / parallel, goal="", met=None,
            )  # fmt: skip
        connections.close_all()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        scratch_db.drop(url, BENCH_DB)
        print(f"dropped {BENCH_DB}")


if __name__ == "__main__":
    machine.run(main)
