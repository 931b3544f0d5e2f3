"""The migrate command django-tenants runs in each schema (``TENANT_BASE_MIGRATE_COMMAND``): Django's
own, except that a schema with every migration already applied is answered from its
``django_migrations`` rows alone (issue 21).

Django's ``migrate`` on an up-to-date schema still runs the system checks, builds the migration
graph, renders the whole project state from every applied migration and sends the post-migrate
signals: ~1.1 s a schema, 80% of it the state (docs/scaling.md, "Migrations across the tenants"),
so a no-op ``migrate_schemas`` over 1,000 tenants took ~18 minutes. Here the graph is read from
disk once per process (again whenever a migrations folder changes) and each schema costs one
query: when its applied migrations cover every node of the graph, there is nothing to do, and it
says so as Django does. Anything else — a migration to apply, an app label or target, ``--fake``,
``--plan``, ``--check``, ``--run-syncdb``, ``--prune``, squashed migrations — goes to Django's
command unchanged."""

from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.management.commands import migrate
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

# Options under which Django's command does something other than "apply what is unapplied".
_SPECIAL = (
    "app_label",
    "migration_name",
    "fake",
    "fake_initial",
    "plan",
    "run_syncdb",
    "check_unapplied",
    "prune",
)

_graph: tuple[tuple[tuple[str, float], ...], frozenset[tuple[str, str]] | None] | None = None


def _folders_stamp() -> tuple[tuple[str, float], ...]:
    """Each app's migrations folder with its modification time: a file added or removed changes it."""
    stamp = []
    for config in apps.get_app_configs():
        folder = Path(config.path) / "migrations"
        if folder.is_dir():
            stamp.append((str(folder), folder.stat().st_mtime))
    return tuple(stamp)


def graph_nodes() -> frozenset[tuple[str, str]] | None:
    """Every migration of the project as (app, name), read from disk once per process and folder
    state; None when some migration replaces others (squashed: Django's command decides)."""
    global _graph
    stamp = _folders_stamp()
    if _graph is None or _graph[0] != stamp:
        loader = MigrationLoader(None, ignore_no_migrations=True)
        nodes = None if loader.replacements else frozenset(loader.graph.nodes)
        _graph = (stamp, nodes)
    return _graph[1]


def nothing_to_apply(options: dict[str, Any]) -> bool:
    """True when the current schema of ``options["database"]`` has applied every migration."""
    if any(options.get(name) for name in _SPECIAL):
        return False
    nodes = graph_nodes()
    if nodes is None:
        return False
    recorder = MigrationRecorder(connections[options["database"]])
    if not recorder.has_table():
        return False
    return nodes <= set(recorder.applied_migrations())


class Command(migrate.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        if nothing_to_apply(options):
            if options["verbosity"] >= 1:
                self.stdout.write(self.style.MIGRATE_HEADING("Operations to perform:"))
                self.stdout.write("  Nothing: every migration is applied.")
                self.stdout.write(self.style.MIGRATE_HEADING("Running migrations:"))
                self.stdout.write("  No migrations to apply.")
            return
        super().handle(*args, **options)
