"""A tenant's schema, made in one round trip from a template instead of by running every migration.

``schema_create`` is the one way a tenant schema comes to exist: ``Tenant.create_schema`` calls it,
so signup (the Celery task), ``POST /api/v1/platform/tenants/``, ``tenant_create``, ``seed_demo``
and the test world all go through ``tenants.services.tenant_provision`` -> ``Tenant.save()`` -> here.

Running the ~60 tenant migrations costs seconds per tenant, most of it Django rebuilding migration
state rather than SQL. Instead, once per migration state, a template schema is migrated the normal
way and its catalog is read into a script (``template_sql``): tables with their columns, types,
defaults and identity sequences, the rows migrations left (content types; django_migrations, with
``applied`` set to the time of the copy), sequence positions, constraints (foreign keys to public
tables included), indexes, triggers and comments. The script is stored (``SchemaTemplate``) under a
key that hashes every migration file, Django's and PostgreSQL's versions and this generator's
version (``template_key``): a changed, added or removed migration makes a new key and so a new
template, and a stale template can never be used. The template schema itself is dropped once read.

Creating a tenant then runs ``CREATE SCHEMA`` plus that script, with the schema's name put in, as
one statement batch inside the caller's transaction: plain DDL and INSERTs, which Citus' schema-based
sharding runs as it runs Django's migrations. ``migrate_schemas`` treats a copied schema like a
migrated one (its django_migrations rows are there). ``TENANT_SCHEMA_FROM = "migrations"`` falls back
to running the migrations (the benchmark's baseline).

A template kind the generator does not reproduce (functions, views, enum or domain types, row
security, partitioned tables ...) stops the build with ``TemplateUnsupported`` rather than copying
a schema that differs; ``schema_catalog`` is what the tests compare between a copied and a migrated
schema.
"""

import contextlib
import hashlib
import io
import re
import sys
import time
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader

# Bump when the generated script changes shape: it is part of the template key.
GENERATOR_VERSION = 3
# Between the script's statements (a comment line: the script also runs whole, as one batch).
STATEMENT_END = "\n--;\n"
PLACEHOLDER = "__sxb_schema__"
TEMPLATE_PREFIX = "sxbtpl_"  # never a tenant's: tenant schema names end up with no such prefix
KEEP_TEMPLATES = 3
# pg_advisory_xact_lock key for building a template (one builder per database at a time)
BUILD_LOCK = 0x5A5B_7470

_key_cache: dict[str, str] = {}
_sql_cache: dict[str, str] = {}


class TemplateUnsupported(RuntimeError):
    """The migrated template holds something the generator cannot reproduce faithfully."""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def template_key() -> str:
    """Hash of everything the schema of a freshly migrated tenant depends on: every migration file
    (all apps: tenant tables reference public ones), Django's version, PostgreSQL's server version
    and the generator's version. Computed once per process (migrations do not change under a
    running process)."""
    if "key" not in _key_cache:
        digest = hashlib.sha256()
        for app, name, content in _migration_files():
            digest.update(f"{app}\0{name}\0".encode())
            digest.update(content)
        digest.update(
            f"django {django.__version__} pg {getattr(connection, 'pg_version', 0)} gen {GENERATOR_VERSION}".encode()
        )
        digest.update(",".join(settings.TENANT_APPS).encode())
        _key_cache["key"] = digest.hexdigest()
    return _key_cache["key"]


def _migration_files() -> list[tuple[str, str, bytes]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    files = []
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        module = sys.modules[migration.__module__]
        path = getattr(module, "__file__", None)
        files.append((app, name, Path(path).read_bytes() if path else b""))
    return files


def template_forget() -> None:
    """Forget this process's template key and script (tests that change the migration set)."""
    _key_cache.clear()
    _sql_cache.clear()


def schema_create(schema_name: str) -> None:
    """Create tenant schema ``schema_name`` with every tenant table, as migrating it would, inside
    the current transaction (a failure later in the caller's transaction leaves nothing)."""
    if getattr(settings, "TENANT_SCHEMA_FROM", "template") == "migrations":
        schema_migrate_create(schema_name)
        return
    from core.citus import citus_installed

    script = (
        f"CREATE SCHEMA {_quote(schema_name)};"
        + STATEMENT_END
        + template_ensure().replace(PLACEHOLDER, schema_name)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if citus_installed():
            # Citus passes a DDL command's query text on to the worker holding the schema: a batch
            # of statements would reach it as one text it cannot prepare. One statement at a time.
            for statement in script.split(STATEMENT_END):
                if statement.strip():
                    cursor.execute(statement)
        else:
            cursor.execute(script)  # the whole script in one round trip
    connection.set_schema_to_public()  # type: ignore[attr-defined]


def schema_migrate_create(schema_name: str) -> None:
    """The slow way: create the schema and run every tenant migration in it (the template's source)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA {_quote(schema_name)}")
        with contextlib.redirect_stdout(io.StringIO()):
            call_command(
                "migrate_schemas", tenant=True, schema_name=schema_name, interactive=False, verbosity=0
            )
    connection.set_schema_to_public()  # type: ignore[attr-defined]


def template_ensure() -> str:
    """The script for the current migration state, built (about as long as one migrated tenant)
    when there is none yet. Concurrent builders of the same key wait for the first."""
    from tenants.models import SchemaTemplate

    key = template_key()
    if key in _sql_cache:
        return _sql_cache[key]
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    found = SchemaTemplate.objects.filter(key=key).values_list("sql", flat=True).first()
    if found is None:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BUILD_LOCK])
            found = SchemaTemplate.objects.filter(key=key).values_list("sql", flat=True).first()
            if found is None:
                found = _template_build(key).sql
    _sql_cache[key] = found
    return found


def _template_build(key: str) -> Any:
    from tenants.models import SchemaTemplate

    started = time.perf_counter()
    template = TEMPLATE_PREFIX + key[:16]
    with connection.cursor() as cursor:
        # On a Citus coordinator with schema-based sharding the template stays a local schema
        # (the setting is put back before the tenant's own schema is made).
        cursor.execute("SELECT current_setting('citus.enable_schema_based_sharding', true)")
        (sharding,) = cursor.fetchone()
        if sharding == "on":
            cursor.execute("SELECT set_config('citus.enable_schema_based_sharding', 'off', true)")
            # and plain: otherwise a foreign key to a reference table (accounts_user ...) makes each
            # template table a Citus local table, which later migrations may not alter ("cannot
            # complete operation on a table with identity column").
            cursor.execute(
                "SELECT set_config('citus.enable_local_reference_table_foreign_keys', 'off', true)"
            )
        cursor.execute(f"DROP SCHEMA IF EXISTS {_quote(template)} CASCADE")
    schema_migrate_create(template)
    sql, tables, migrations = template_sql(template)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA {_quote(template)} CASCADE")
        if sharding == "on":
            cursor.execute("SELECT set_config('citus.enable_schema_based_sharding', 'on', true)")
            cursor.execute("SELECT set_config('citus.enable_local_reference_table_foreign_keys', 'on', true)")
    row = SchemaTemplate.objects.create(
        key=key,
        sql=sql,
        table_count=tables,
        migration_count=migrations,
        build_seconds=round(time.perf_counter() - started, 3),
    )
    stale = SchemaTemplate.objects.order_by("-built_at", "-id").values_list("pk", flat=True)[KEEP_TEMPLATES:]
    SchemaTemplate.objects.filter(pk__in=list(stale)).delete()
    return row


# --- reading a schema's catalog ---------------------------------------------------------------


@contextlib.contextmanager
def _qualified_names() -> Any:
    """Run catalog functions with an empty search_path, so every name they print outside
    pg_catalog carries its schema (as pg_dump does); then put django-tenants' path back."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW search_path")
        (previous,) = cursor.fetchone()
        cursor.execute("SELECT set_config('search_path', '', true)")
        try:
            yield cursor
        finally:
            cursor.execute("SELECT set_config('search_path', %s, true)", [previous])


def _rows(cursor: Any, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    cursor.execute(sql, params)
    return list(cursor.fetchall())


def _check_supported(cursor: Any, schema: str) -> None:
    problems = []
    checks = {
        "relations other than tables, sequences and indexes": (
            "SELECT relname || ' (' || relkind::text || ')' FROM pg_class WHERE relnamespace = %s::regnamespace"
            " AND relkind NOT IN ('r', 'S', 'i')"
        ),
        "functions or procedures": "SELECT proname FROM pg_proc WHERE pronamespace = %s::regnamespace",
        "types of its own": (
            "SELECT typname FROM pg_type t WHERE typnamespace = %s::regnamespace AND typtype <> 'c'"
            " AND typelem = 0 AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid)"
            " AND NOT EXISTS (SELECT 1 FROM pg_type a WHERE a.typarray = t.oid)"
        ),
        "row security": (
            "SELECT relname FROM pg_class WHERE relnamespace = %s::regnamespace"
            " AND (relrowsecurity OR EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = pg_class.oid))"
        ),
        "extended statistics": "SELECT stxname FROM pg_statistic_ext WHERE stxnamespace = %s::regnamespace",
        "rules": (
            "SELECT rulename FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class"
            " WHERE c.relnamespace = %s::regnamespace"
        ),
        "inheritance": (
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE c.relnamespace = %s::regnamespace"
        ),
        "sequences not owned by a column": (
            "SELECT c.relname FROM pg_class c WHERE c.relnamespace = %s::regnamespace AND c.relkind = 'S'"
            " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass"
            " AND d.objid = c.oid AND d.deptype IN ('a', 'i'))"
        ),
    }
    for what, sql in checks.items():
        found = [r[0] for r in _rows(cursor, sql, [schema])]
        if found:
            problems.append(f"{what}: {', '.join(found[:5])}")
    if problems:
        raise TemplateUnsupported(
            f"schema {schema} holds what tenants.provisioning cannot copy yet: " + "; ".join(problems)
        )


def template_sql(schema: str) -> tuple[str, int, int]:
    """The script that recreates migrated schema ``schema`` (its name replaced by PLACEHOLDER),
    the number of tables and of migrations it records."""
    q = _quote
    with _qualified_names() as cursor:
        _check_supported(cursor, schema)
        cursor.execute("SELECT quote_ident(%s)", [schema])
        prefix = f"{cursor.fetchone()[0]}."  # how the catalog functions print the schema's name
        tables = _rows(
            cursor,
            "SELECT c.oid, c.relname, c.relpersistence, c.reloptions, obj_description(c.oid, 'pg_class')"
            " FROM pg_class c WHERE c.relnamespace = %s::regnamespace AND c.relkind = 'r' ORDER BY c.oid",
            [schema],
        )
        columns: dict[int, list[tuple[Any, ...]]] = {}
        for row in _rows(
            cursor,
            "SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,"
            " pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,"
            " CASE WHEN a.attcollation <> t.typcollation THEN"
            "  (SELECT quote_ident(n.nspname) || '.' || quote_ident(co.collname) FROM pg_collation co"
            "   JOIN pg_namespace n ON n.oid = co.collnamespace WHERE co.oid = a.attcollation) END,"
            " col_description(a.attrelid, a.attnum),"
            " s.seqrelid::regclass::text, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,"
            " s.seqmin, s.seqmax, s.seqcache, s.seqcycle"
            " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid"
            " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
            " LEFT JOIN (pg_depend dep JOIN pg_sequence s ON s.seqrelid = dep.objid)"
            "  ON dep.refclassid = 'pg_class'::regclass AND dep.refobjid = a.attrelid"
            "  AND dep.refobjsubid = a.attnum AND dep.classid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i')"
            " WHERE c.relnamespace = %s::regnamespace AND c.relkind = 'r' AND a.attnum > 0"
            " AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum",
            [schema],
        ):
            columns.setdefault(row[0], []).append(row[1:])

        constraints: dict[int, list[tuple[Any, ...]]] = {}
        for row in _rows(
            cursor,
            "SELECT k.conrelid, k.conname, k.contype, pg_get_constraintdef(k.oid), k.convalidated,"
            " k.confrelid FROM pg_constraint k WHERE k.connamespace = %s::regnamespace"
            " ORDER BY array_position(ARRAY['p', 'u', 'x', 'c', 'f'], k.contype::text), k.oid",
            [schema],
        ):
            constraints.setdefault(row[0], []).append(row[1:])

        out: list[str] = []
        later: list[str] = []  # constraints that cannot be inline: not valid, or to a table made later
        after: list[str] = []  # sequences owned by serial columns, comments
        pending = {oid: row for oid, *row in tables}
        while pending:
            # each table once every table it references is made (a cycle: its first table, the
            # foreign keys into tables not made yet added at the end)
            ready = [o for o in pending if all(k[4] == o or k[4] not in pending
                                               for k in constraints.get(o, []) if k[1] == "f")]  # fmt: skip
            oid = ready[0] if ready else next(iter(pending))
            table, persistence, reloptions, comment = pending.pop(oid)
            lines = []
            for (
                name, coltype, notnull, default, identity, generated, collation, col_comment,
                seq, seqtype, start, increment, minv, maxv, cache, cycle,
            ) in columns[oid]:  # fmt: skip
                line = f"{q(name)} {coltype}"
                if collation:
                    line += f" COLLATE {collation}"
                if generated == "s":
                    line += f" GENERATED ALWAYS AS ({default}) STORED"
                elif identity:
                    kind = "ALWAYS" if identity == "a" else "BY DEFAULT"
                    line += (
                        f" GENERATED {kind} AS IDENTITY (SEQUENCE NAME {seq} START WITH {start}"
                        f" INCREMENT BY {increment} MINVALUE {minv} MAXVALUE {maxv} CACHE {cache}"
                        f"{' CYCLE' if cycle else ' NO CYCLE'})"
                    )
                elif default is not None:
                    line += f" DEFAULT {default}"
                if notnull:
                    line += " NOT NULL"
                lines.append(line)
                if seq and not identity:  # a serial column: its sequence first, owned by the column
                    out.append(
                        f"CREATE SEQUENCE {seq} AS {seqtype} START WITH {start} INCREMENT BY {increment}"
                        f" MINVALUE {minv} MAXVALUE {maxv} CACHE {cache}{' CYCLE' if cycle else ''};"
                    )
                    after.append(f"ALTER SEQUENCE {seq} OWNED BY {prefix}{q(table)}.{q(name)};")
                if col_comment is not None:
                    after.append(
                        f"COMMENT ON COLUMN {prefix}{q(table)}.{q(name)} IS {_literal(cursor, col_comment)};"
                    )
            for name, kind, definition, validated, target in constraints.get(oid, []):
                inline = validated and (kind != "f" or target == oid or target not in pending)
                if inline:
                    lines.append(f"CONSTRAINT {q(name)} {definition}")
                else:
                    later.append(f"ALTER TABLE {prefix}{q(table)} ADD CONSTRAINT {q(name)} {definition};")
            unlogged = "UNLOGGED " if persistence == "u" else ""
            with_ = f" WITH ({', '.join(reloptions)})" if reloptions else ""
            out.append(
                f"CREATE {unlogged}TABLE {prefix}{q(table)} (\n  " + ",\n  ".join(lines) + f"\n){with_};"
            )
            if comment is not None:
                after.append(f"COMMENT ON TABLE {prefix}{q(table)} IS {_literal(cursor, comment)};")

        # the indexes that back no constraint
        for (definition,) in _rows(
            cursor,
            "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE c.relnamespace = %s::regnamespace AND NOT EXISTS (SELECT 1 FROM pg_constraint k"
            "  WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))"
            " ORDER BY i.indexrelid",
            [schema],
        ):
            out.append(definition + ";")

        # rows the migrations left (content types, django_migrations), then sequence positions
        migrations = 0
        for oid, table, *_ in tables:
            cursor.execute(f"SELECT count(*) FROM {prefix}{q(table)}")
            (count,) = cursor.fetchone()
            if not count:
                continue
            names = [c[0] for c in columns[oid] if c[5] != "s"]
            cols = ", ".join(q(n) for n in names)
            picked = ", ".join(
                "'now()'" if table == "django_migrations" and n == "applied" else f"quote_nullable({q(n)})"
                for n in names
            )
            if table == "django_migrations":
                migrations = count
            # Plain VALUES of literals, which INSERT coerces to each column's type. Not
            # json_populate_recordset(NULL::<schema>.<table>, ...): naming a tenant table's row type
            # puts it in the backend's type cache, which PostgreSQL 15 never shrinks and scans whole
            # on every relation-cache invalidation (TypeCacheRelCallback), and a copy makes hundreds:
            # on a long-lived connection each tenant made the next one's script slower.
            cursor.execute(
                f"SELECT string_agg('(' || concat_ws(', ', {picked}) || ')', ', ' ORDER BY {q(names[0])})"
                f" FROM {prefix}{q(table)}"
            )
            (values,) = cursor.fetchone()
            out.append(f"INSERT INTO {prefix}{q(table)} ({cols}) OVERRIDING SYSTEM VALUE VALUES {values};")
        for seq, last in _rows(
            cursor,
            "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value FROM pg_sequences"
            " WHERE schemaname = %s AND last_value IS NOT NULL ORDER BY sequencename",
            [schema],
        ):
            out.append(f"SELECT pg_catalog.setval({_literal(cursor, seq)}, {last}, true);")
        out.extend(later)
        for (definition,) in _rows(
            cursor,
            "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE c.relnamespace = %s::regnamespace AND NOT t.tgisinternal ORDER BY t.oid",
            [schema],
        ):
            out.append(definition + ";")
        out.extend(after)

    sql = STATEMENT_END.join(out) + STATEMENT_END
    # Every mention of the template's name is a qualified name (search_path was empty): swap it.
    renamed = sql.replace(prefix, f"{PLACEHOLDER}.")
    if schema in renamed:
        raise TemplateUnsupported(f"the template's name {schema} appears other than as a qualifier")
    return renamed, len(tables), migrations


def _literal(cursor: Any, value: str) -> str:
    cursor.execute("SELECT quote_literal(%s::text)", [value])
    (quoted,) = cursor.fetchone()
    return str(quoted)


_ARRAY_CAST = re.compile(r"\(ARRAY\[((?:'(?:[^']|'')*'::[a-z ]+(?:\(\d+\))?(?:, )?)+)\]\)::([a-z ]+)\[\]")
_ELEMENT = re.compile(r"'(?:[^']|'')*'::[a-z ]+(?:\(\d+\))?")


def _reparsed(text: str) -> str:
    """A definition as PostgreSQL prints it after one more print-and-parse round trip.

    ``x IN ('a', 'b')`` on a varchar column is stored as ``= ANY ((ARRAY['a'::varchar, ...])::text[])``;
    parsing that text back pushes the cast into the elements: ``ANY (ARRAY[('a'::varchar)::text, ...])``
    (pg_dump and restore do the same). Both mean the same thing, and the second form is stable. A
    copied schema holds the second, a migrated one the first: compare them in the second."""
    return _ARRAY_CAST.sub(
        lambda m: "ARRAY[" + ", ".join(f"({e})::{m[2]}" for e in _ELEMENT.findall(m[1])) + "]", text
    )


def schema_catalog(schema: str) -> dict[str, Any]:
    """What a schema is made of, with its own name taken out of every definition: for comparing a
    copied schema with a migrated one (tests, bench). Rows of django_migrations are (app, name)."""
    with _qualified_names() as cursor:
        cursor.execute("SELECT quote_ident(%s)", [schema])
        prefix = f"{cursor.fetchone()[0]}."

        def norm(value: Any) -> Any:
            return _reparsed(value.replace(prefix, "<s>.")) if isinstance(value, str) else value

        def rows(sql: str) -> list[tuple[Any, ...]]:
            return [tuple(norm(v) for v in r) for r in _rows(cursor, sql, [schema])]

        catalog = {
            "tables": rows(
                "SELECT relname, relpersistence, reloptions::text, obj_description(oid, 'pg_class')"
                " FROM pg_class WHERE relnamespace = %s::regnamespace AND relkind = 'r' ORDER BY relname"
            ),
            "columns": rows(
                "SELECT c.relname, row_number() OVER (PARTITION BY c.relname ORDER BY a.attnum), a.attname,"
                " format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid),"
                " a.attidentity, a.attgenerated, a.attcollation::regcollation::text,"
                " col_description(a.attrelid, a.attnum)"
                " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                " WHERE c.relnamespace = %s::regnamespace AND c.relkind = 'r' AND a.attnum > 0"
                " AND NOT a.attisdropped ORDER BY 1, 2"
            ),
            "constraints": rows(
                "SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid), k.condeferrable,"
                " k.condeferred, k.convalidated FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
                " WHERE k.connamespace = %s::regnamespace ORDER BY 1, 2"
            ),
            "indexes": rows(
                "SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisunique, i.indisprimary"
                " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                " WHERE c.relnamespace = %s::regnamespace ORDER BY 1"
            ),
            "sequences": rows(
                "SELECT s.sequencename, s.data_type::text, s.start_value, s.min_value, s.max_value,"
                " s.increment_by, s.cycle, s.cache_size, s.last_value,"
                " (SELECT t.relname || '.' || a.attname || ':' || d.deptype::text FROM pg_depend d"
                "  JOIN pg_class t ON t.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = d.refobjid"
                "  AND a.attnum = d.refobjsubid WHERE d.classid = 'pg_class'::regclass"
                "  AND d.objid = (quote_ident(s.schemaname) || '.' || quote_ident(s.sequencename))::regclass"
                "  AND d.deptype IN ('a', 'i'))"
                " FROM pg_sequences s WHERE s.schemaname = %s ORDER BY 1"
            ),
            "triggers": rows(
                "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t"
                " JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = %s::regnamespace"
                " AND NOT t.tgisinternal ORDER BY 1, 2"
            ),
            "functions": rows(
                "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p"
                " WHERE p.pronamespace = %s::regnamespace ORDER BY 1"
            ),
            "other_relations": rows(
                "SELECT relname, relkind FROM pg_class WHERE relnamespace = %s::regnamespace"
                " AND relkind NOT IN ('r', 'S', 'i') ORDER BY 1"
            ),
        }
        cursor.execute(f"SELECT app, name FROM {_quote(schema)}.django_migrations ORDER BY id")
        catalog["migrations"] = list(cursor.fetchall())
        cursor.execute(f"SELECT id, app_label, model FROM {_quote(schema)}.django_content_type ORDER BY id")
        catalog["content_types"] = list(cursor.fetchall())
    return catalog
