"""Citus: where the public schema's tables live on a cluster, and which worker holds a tenant.

On a Citus cluster with schema-based sharding (docs/scaling.md) every tenant schema is a distributed
schema placed whole on one worker. The public schema stays on the coordinator, and each of its tables
is placed one of two ways by the ``CitusPlacement`` migration operation:

- reference tables (a copy on every node): the tables tenant rows refer to (users, insurers, shops,
  by id without a database foreign key: core.public_rows; the tenant row itself) and the small,
  read-mostly tables joined with tenant data. A worker joins them with a tenant's tables locally. Every write goes to every node.
- coordinator-local tables (Citus "local tables" in its metadata, one copy, on the coordinator): the
  high-write public tables that are not per tenant (service orders and their items and progress,
  stock moves, bookings, the staff inboxes, tokens, audit). A write is one write on one node.

On plain PostgreSQL (no citus extension in the database) everything here is a no-op or None.
"""

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection as default_connection
from django.db.migrations.operations.base import Operation


def citus_installed(connection: Any = None) -> bool:
    conn = connection or default_connection
    if conn.vendor != "postgresql":
        return False
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'")
        return cursor.fetchone() is not None


def inserted_rows(cursor: Any, insert_sql: str, params: Any = None) -> int:
    """Run an ``INSERT`` (optionally ``WITH … INSERT``, with ``ON CONFLICT DO NOTHING``) and return the
    number of rows it wrote, counted in SQL from its ``RETURNING`` rows.

    Not ``cursor.rowcount``: when Citus runs an ``INSERT … SELECT`` into a distributed table "via the
    coordinator" (pulling the rows there, then inserting them on the worker: a tenant table with a
    sequence default, a join with a reference table), the count it reports is the rows the ``SELECT``
    sent, conflicts skipped included (citusdata/citus#3377). ``RETURNING`` lists only the rows written,
    on one PostgreSQL and on the cluster alike; the count is taken on the server, so no row travels."""
    cursor.execute(f"WITH written AS ({insert_sql}\n RETURNING 1) SELECT count(*) FROM written", params)
    return int(cursor.fetchone()[0])


def unique_violation(exc: BaseException, constraint: str) -> bool:
    """Is ``exc`` (a Django database error) a duplicate key on the unique index ``constraint``?

    On one PostgreSQL it is an IntegrityError whose diagnostics name the constraint. Through a Citus
    coordinator (an ``INSERT … SELECT`` pulled to the coordinator, then inserted on the worker) the
    worker's error comes back as an InternalError (SQLSTATE XX000) naming the shard's index,
    ``<constraint>_<shard id>`` (read from the diagnostics, else from the message)."""
    diag = getattr(exc.__cause__, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if not name:
        found = re.search(r'duplicate key value violates unique constraint "([^"]+)"', str(exc))
        name = found.group(1) if found else None
    return bool(name) and re.fullmatch(rf"{re.escape(constraint)}(_\d+)?", name or "") is not None


def _placement(cursor: Any, table: str) -> str | None:
    """'reference', 'local' (coordinator-only, in Citus metadata), 'distributed', or None (plain)."""
    cursor.execute(
        "SELECT partmethod, repmodel FROM pg_dist_partition WHERE logicalrelid = to_regclass(%s)",
        [table],
    )
    row = cursor.fetchone()
    if row is None:
        return None
    method, model = row
    if method == "n":
        return "reference" if model == "t" else "local"
    return "distributed"


class CitusPlacement(Operation):
    """Place public-schema tables on a Citus cluster: ``reference`` tables are copied to every node,
    ``local`` tables stay on the coordinator (added to Citus metadata so they can keep foreign keys
    to reference tables and be joined with distributed ones). Order matters: a reference table may
    only point at reference tables, so list them parents first.

    A no-op on plain PostgreSQL and in tenant schemas (only the public schema's tables are placed);
    idempotent, so a re-run on a database placed by hand does nothing."""

    reduces_to_sql = False
    reversible = True
    atomic = False

    def __init__(self, reference: Iterable[str] = (), local: Iterable[str] = ()) -> None:
        self.reference = list(reference)
        self.local = list(local)

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__name__, [], {"reference": self.reference, "local": self.local})

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    @staticmethod
    def _applies(schema_editor: Any) -> bool:
        conn = schema_editor.connection
        if getattr(conn, "schema_name", "public") != "public":
            return False
        return citus_installed(conn)

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if self._applies(schema_editor):
            public_tables_place(schema_editor.connection, reference=self.reference, local=self.local)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if not self._applies(schema_editor):
            return
        with schema_editor.connection.cursor() as cursor:
            for table in [*self.local, *reversed(self.reference)]:
                if _placement(cursor, table) is not None:
                    cursor.execute(
                        "SELECT undistribute_table(%s, cascade_via_foreign_keys => true)", [f"public.{table}"]
                    )

    def describe(self) -> str:
        return f"Citus placement: {len(self.reference)} reference tables, {len(self.local)} coordinator-local"


def public_tables_place(connection: Any, *, reference: Iterable[str], local: Iterable[str]) -> None:
    """The public tables made reference or coordinator-local tables (what ``CitusPlacement`` does,
    also run by ``manage.py citus_adopt`` for a database that got the extension after migrating)."""
    with connection.cursor() as cursor:
        for table in reference:
            if _placement(cursor, table) != "reference":
                cursor.execute("SELECT create_reference_table(%s)", [f"public.{table}"])
        for table in local:
            if _placement(cursor, table) is None:
                cursor.execute(
                    "SELECT citus_add_local_table_to_metadata(%s, cascade_via_foreign_keys => true)",
                    [f"public.{table}"],
                )
            # Added automatically (a foreign key to a reference table): Citus could turn it back
            # into a plain table when that key goes; marking it keeps it placed.
            cursor.execute(
                "UPDATE pg_dist_partition SET autoconverted = false WHERE logicalrelid = to_regclass(%s)",
                [f"public.{table}"],
            )


def tenant_nodes(schema_names: Iterable[str] | None = None) -> dict[str, str]:
    """schema name -> "host:port" of the worker holding it; empty on plain PostgreSQL."""
    if not citus_installed():
        return {}
    sql = (
        "SELECT t.schemaid::regnamespace::text, n.nodename || ':' || n.nodeport"
        " FROM pg_dist_schema t"
        " JOIN LATERAL (SELECT shardid FROM pg_dist_shard ds JOIN pg_dist_partition p USING (logicalrelid)"
        "   WHERE p.colocationid = t.colocationid LIMIT 1) sh ON true"
        " JOIN pg_dist_placement pl ON pl.shardid = sh.shardid"
        " JOIN pg_dist_node n ON n.groupid = pl.groupid"
    )
    params: list[Any] = []
    if schema_names is not None:
        sql += " WHERE t.schemaid::regnamespace::text = ANY(%s)"
        params.append(list(schema_names))
    with default_connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def least_loaded_worker() -> tuple[str, int] | None:
    """The active primary worker holding the fewest tenant schemas (ties: the smaller data size)."""
    if not citus_installed():
        return None
    with default_connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nodename, n.nodeport"
            " FROM pg_dist_node n"
            " LEFT JOIN (SELECT pl.groupid, count(DISTINCT t.schemaid) AS schemas"
            "   FROM pg_dist_schema t"
            "   JOIN pg_dist_partition p ON p.colocationid = t.colocationid"
            "   JOIN pg_dist_shard ds ON ds.logicalrelid = p.logicalrelid"
            "   JOIN pg_dist_placement pl ON pl.shardid = ds.shardid"
            "   GROUP BY pl.groupid) load ON load.groupid = n.groupid"
            " WHERE n.isactive AND n.noderole = 'primary' AND n.shouldhaveshards AND n.groupid <> 0"
            " ORDER BY coalesce(load.schemas, 0), n.nodeport LIMIT 1"
        )
        row = cursor.fetchone()
        return (row[0], row[1]) if row else None


def _preloaded(cursor: Any) -> bool:
    cursor.execute("SHOW shared_preload_libraries")
    return "citus" in (cursor.fetchone()[0] or "")


def cluster_workers(settings_dict: dict[str, Any]) -> list[tuple[str, int]]:
    """The workers registered in the configured database (the coordinator's), else CITUS_WORKERS."""
    import os

    import psycopg

    try:
        with psycopg.connect(**_conninfo(settings_dict), connect_timeout=5) as conn:
            rows = conn.execute(
                "SELECT nodename, nodeport FROM pg_dist_node WHERE groupid <> 0 AND noderole = 'primary'"
                " ORDER BY nodeport"
            ).fetchall()
            if rows:
                return [(host, int(port)) for host, port in rows]
    except psycopg.Error:
        pass
    spec = os.environ.get("CITUS_WORKERS", "127.0.0.1:9701,127.0.0.1:9702")
    return [(item.rsplit(":", 1)[0], int(item.rsplit(":", 1)[1])) for item in spec.split(",") if item]


def _conninfo(settings_dict: dict[str, Any], **override: Any) -> dict[str, Any]:
    info = {
        "host": settings_dict.get("HOST") or "127.0.0.1",
        "port": int(settings_dict.get("PORT") or 5432),
        "user": settings_dict.get("USER") or "postgres",
        "dbname": settings_dict.get("NAME"),
    }
    if settings_dict.get("PASSWORD"):
        info["password"] = settings_dict["PASSWORD"]
    info.update(override)
    return info


def cluster_database_prepare(
    settings_dict: dict[str, Any], dbname: str, workers: list[tuple[str, int]]
) -> None:
    """``dbname`` (just created on the coordinator) made a Citus database: created afresh on every
    worker, the extension everywhere, the coordinator and the workers registered in it."""
    import psycopg
    from psycopg import sql

    for host, port in workers:
        with psycopg.connect(
            **_conninfo(settings_dict, host=host, port=port, dbname="postgres"), autocommit=True
        ) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
        with psycopg.connect(
            **_conninfo(settings_dict, host=host, port=port, dbname=dbname), autocommit=True
        ) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS citus")
    coordinator = _conninfo(settings_dict, dbname=dbname)
    with psycopg.connect(**coordinator, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS citus")
        conn.execute("SELECT citus_set_coordinator_host(%s, %s)", [coordinator["host"], coordinator["port"]])
        for host, port in workers:
            conn.execute("SELECT citus_add_node(%s, %s)", [host, port])


def install_test_database_hook() -> None:
    """Make Django's test database a Citus database when the configured server is a Citus
    coordinator (citus preloaded): the test database then needs the extension on every node and the
    workers registered before the migrations run. Nothing changes on plain PostgreSQL."""
    from django.db.backends.postgresql.creation import DatabaseCreation

    if getattr(DatabaseCreation, "_citus_hooked", False):
        return
    original = getattr(DatabaseCreation, "_execute_create_test_db")  # noqa: B009 (private in the stubs)

    def _execute_create_test_db(
        self: Any, cursor: Any, parameters: dict[str, Any], keepdb: bool = False
    ) -> None:
        citus = _preloaded(cursor)
        if citus and not keepdb:
            # A test database left by an interrupted run: Citus's own sessions keep it open, so
            # Django's plain DROP DATABASE would fail.
            cursor.execute(f"DROP DATABASE IF EXISTS {parameters['dbname']} WITH (FORCE)")
        original(self, cursor, parameters, keepdb)
        if citus:
            settings_dict = self.connection.settings_dict
            name = parameters["dbname"].strip('"')
            cluster_database_prepare(settings_dict, name, cluster_workers(settings_dict))

    original_destroy = getattr(DatabaseCreation, "_destroy_test_db")  # noqa: B009

    def _destroy_test_db(self: Any, test_database_name: str, verbosity: int) -> None:
        with self._nodb_cursor() as cursor:
            citus = _preloaded(cursor)
        if not citus:
            return original_destroy(self, test_database_name, verbosity)
        # Citus keeps connections of its own to the database (the maintenance daemon, the
        # coordinator's pool to itself): they go with it.
        import psycopg
        from psycopg import sql

        self.connection.close_pool()
        settings_dict = self.connection.settings_dict
        nodes = [(None, None), *cluster_workers({**settings_dict, "NAME": test_database_name})]
        for host, port in nodes:
            override = {"dbname": "postgres"} | ({"host": host, "port": port} if host else {})
            with psycopg.connect(**_conninfo(settings_dict, **override), autocommit=True) as conn:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(test_database_name)
                    )
                )

    setattr(DatabaseCreation, "_execute_create_test_db", _execute_create_test_db)  # noqa: B010
    setattr(DatabaseCreation, "_destroy_test_db", _destroy_test_db)  # noqa: B010
    DatabaseCreation._citus_hooked = True  # type: ignore[attr-defined]


@contextmanager
def new_schemas_on_least_loaded_worker() -> Iterator[tuple[str, int] | None]:
    """Inside a transaction: distributed schemas created in the block are placed on the worker
    holding the fewest tenant schemas. Citus places a new schema round-robin; here every other
    worker is marked "should have no shards" for the length of the transaction (the change is never
    seen by other sessions: it is undone before commit, and a failure rolls it back). Concurrent
    provisionings wait for each other on the node rows. Yields the worker, None on plain PostgreSQL."""
    target = least_loaded_worker()
    if target is None:
        yield None
        return
    with default_connection.cursor() as cursor:
        cursor.execute(
            "SELECT nodename, nodeport FROM pg_dist_node WHERE isactive AND noderole = 'primary'"
            " AND shouldhaveshards AND groupid <> 0 AND (nodename, nodeport) <> (%s, %s)",
            list(target),
        )
        others = cursor.fetchall()
        for host, port in others:
            cursor.execute("SELECT citus_set_node_property(%s, %s, 'shouldhaveshards', false)", [host, port])
    yield target  # an exception here leaves the transaction to roll back, and the property with it
    with default_connection.cursor() as cursor:
        for host, port in others:
            cursor.execute("SELECT citus_set_node_property(%s, %s, 'shouldhaveshards', true)", [host, port])


def tenant_schema_move(schema_name: str, host: str, port: int, mode: str = "force_logical") -> None:
    """Move a tenant's schema (all its tables, one colocation group) to another worker, online with
    ``force_logical`` (writes keep flowing during the copy, blocked only for the final switch), then
    clean up the old placement at once so the next move does not trip over it."""
    with default_connection.cursor() as cursor:
        cursor.execute("CALL citus_cleanup_orphaned_resources()")
        cursor.execute(
            "SELECT citus_schema_move(%s::regnamespace, %s, %s, shard_transfer_mode := %s::citus.shard_transfer_mode)",
            [schema_name, host, port, mode],
        )
        cursor.execute("CALL citus_cleanup_orphaned_resources()")


def workers() -> list[tuple[str, int]]:
    if not citus_installed():
        return []
    with default_connection.cursor() as cursor:
        cursor.execute(
            "SELECT nodename, nodeport FROM pg_dist_node WHERE isactive AND noderole = 'primary'"
            " AND groupid <> 0 ORDER BY nodeport"
        )
        return [(host, int(port)) for host, port in cursor.fetchall()]
