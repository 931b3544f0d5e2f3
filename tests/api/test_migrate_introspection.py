"""The project's database backend (``config.db``): the table list is the current schema's own.

Django's migration recorder asks the introspection's table list whether ``django_migrations``
exists, once or more per schema in every ``migrate_schemas``; ``config.db`` reads that list through
the schema's own dependencies instead of scanning all of ``pg_class`` (issue 21). These tests pin
what it must still return: exactly the tables and views of the schema the connection is set to,
tenant or public, a table of the same name in another schema not mixed in, and that
``migrate_schemas`` still finds what is unapplied in one tenant and nowhere else.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django_tenants.postgresql_backend.introspection import DatabaseSchemaIntrospection

from config.db.introspection import SchemaIntrospection


def _names(introspection: object, schema: str) -> list[tuple[str, str]]:
    connection.set_schema(schema, include_public=False)  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        return sorted((t.name, t.type) for t in introspection.get_table_list(cursor))  # type: ignore[attr-defined]


def _catalog(schema: str) -> list[tuple[str, str]]:
    """The schema's tables and views straight from pg_class, by namespace name."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, CASE WHEN c.relkind IN ('m', 'v') THEN 'v' ELSE 't' END FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relkind IN ('f', 'm', 'p', 'r', 'v')",
            [schema],
        )
        return sorted(cursor.fetchall())


def _quotes_leaf() -> str:
    """The quotes migration no other migration depends on (forgetting it leaves a consistent history:
    one another migration depends on would be refused as applied before its dependency)."""
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(None).graph
    (leaf,) = [name for (app, name), node in graph.node_map.items() if app == "quotes" and not node.children]
    return leaf


@pytest.fixture
def twin_tables():
    """A table named ``twin`` in public and in datang with different columns, one table only in each, a
    view only in datang, and an empty schema; rolled back with the test's transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE public.twin (id int); CREATE TABLE datang.twin (id int, note text);"
            " CREATE TABLE public.only_public (id int); CREATE TABLE datang.only_datang (id int);"
            " CREATE VIEW datang.twin_view AS SELECT id FROM datang.twin; CREATE SCHEMA bare_schema;"
        )
    yield
    connection.set_schema_to_public()  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_the_connection_uses_the_project_introspection() -> None:
    assert type(connection.introspection) is SchemaIntrospection


@pytest.mark.django_db
def test_the_table_list_is_the_current_schemas_and_no_other(twin_tables) -> None:
    ours = SchemaIntrospection(connection)
    datang = _names(ours, "datang")
    public = _names(ours, "public")
    # the same-named table is listed in each schema once, as that schema's
    assert datang.count(("twin", "t")) == 1 and public.count(("twin", "t")) == 1
    assert ("only_datang", "t") in datang and ("only_datang", "t") not in public
    assert ("only_public", "t") in public and ("only_public", "t") not in datang
    assert ("twin_view", "v") in datang
    # tenant-only and public-only apps' tables are where they belong
    assert ("customers_customer", "t") in datang and ("customers_customer", "t") not in public
    assert ("accounts_user", "t") in public and ("accounts_user", "t") not in datang
    # a table of an app that is both shared and per tenant (notices) and django_migrations: in both
    for both in ("notices_notification", "django_migrations"):
        assert (both, "t") in datang and (both, "t") in public
    # exactly the schema's relations: what the catalog holds, and what django-tenants' own list says
    stock = DatabaseSchemaIntrospection(connection)
    for schema, found in (("datang", datang), ("public", public), ("bowei", _names(ours, "bowei"))):
        assert found == _catalog(schema) == _names(stock, schema)
    assert _names(ours, "bare_schema") == []


@pytest.mark.django_db
def test_the_describe_of_a_twin_table_is_the_current_schemas(twin_tables) -> None:
    connection.set_schema("datang", include_public=False)  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        datang = [c.name for c in connection.introspection.get_table_description(cursor, "twin")]
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        public = [c.name for c in connection.introspection.get_table_description(cursor, "twin")]
    assert (datang, public) == (["id", "note"], ["id"])


@pytest.mark.django_db
def test_the_migration_recorder_sees_only_the_current_schemas_table(twin_tables) -> None:
    # public has django_migrations; an empty schema does not, whatever the search path falls back to
    connection.set_schema("bare_schema", include_public=False)  # type: ignore[attr-defined]
    assert MigrationRecorder(connection).has_table() is False
    connection.set_schema("bare_schema")  # type: ignore[attr-defined]  # public on the search path too
    assert MigrationRecorder(connection).has_table() is False
    connection.set_schema("datang")  # type: ignore[attr-defined]
    assert MigrationRecorder(connection).has_table() is True


@pytest.mark.django_db
def test_migrate_schemas_finds_a_migration_unapplied_in_one_tenant_only() -> None:
    # every schema is migrated: --check passes on both tenants
    for schema in ("datang", "bowei"):
        call_command("migrate_schemas", tenant=True, schema_name=schema, check_unapplied=True, verbosity=0)
    # datang forgets its latest quotes migration (bowei and public keep theirs)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM datang.django_migrations WHERE app = 'quotes' AND name = %s RETURNING name",
            [_quotes_leaf()],
        )
        (forgotten,) = cursor.fetchone()
    try:
        with pytest.raises(SystemExit) as exited:
            call_command(
                "migrate_schemas", tenant=True, schema_name="datang", check_unapplied=True, verbosity=0
            )
        assert exited.value.code == 1
        call_command("migrate_schemas", tenant=True, schema_name="bowei", check_unapplied=True, verbosity=0)
        # and what it would apply in datang is that one migration
        connection.set_schema("datang", include_public=False)  # type: ignore[attr-defined]
        applied = MigrationRecorder(connection).applied_migrations()
        assert ("quotes", forgotten) not in applied and len(applied) > 0
    finally:
        connection.set_schema_to_public()  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_an_up_to_date_schema_is_answered_from_its_migration_rows_and_a_stale_one_goes_to_django(
    monkeypatch, capsys
) -> None:
    from django.db.migrations.executor import MigrationExecutor

    from config.db.migrate import graph_nodes, nothing_to_apply

    rendered: list[str] = []
    render = MigrationExecutor._create_project_state  # type: ignore[attr-defined]

    def counting(self, *args, **kwargs):  # Django's own, counted
        rendered.append(connection.schema_name)  # type: ignore[attr-defined]
        return render(self, *args, **kwargs)

    monkeypatch.setattr(MigrationExecutor, "_create_project_state", counting)
    # bowei has every migration: one query answers it, no project state is rendered
    call_command("migrate_schemas", tenant=True, schema_name="bowei", verbosity=1)
    assert "Nothing: every migration is applied." in capsys.readouterr().out
    assert rendered == []
    # the project's migrations are the graph's nodes (no squashed migration in the project)
    nodes = graph_nodes()
    assert nodes is not None and ("customers", "0001_initial") in nodes and len(nodes) > 40
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM datang.django_migrations WHERE app = 'quotes' AND name = %s RETURNING name",
            [_quotes_leaf()],
        )
        (forgotten,) = cursor.fetchone()
    try:
        options = {"database": "default", "app_label": None, "migration_name": None}
        connection.set_schema("datang")  # type: ignore[attr-defined]
        assert nothing_to_apply(options) is False  # one migration unapplied here
        connection.set_schema("bowei")  # type: ignore[attr-defined]
        assert nothing_to_apply(options) is True
        assert nothing_to_apply({**options, "fake": True}) is False  # Django's command decides
        # datang goes to Django's command, which finds the one migration to apply
        call_command("migrate_schemas", tenant=True, schema_name="datang", plan=True, verbosity=1)
        out = capsys.readouterr().out
        assert f"quotes.{forgotten}" in out and "Nothing: every migration is applied." not in out
    finally:
        connection.set_schema_to_public()  # type: ignore[attr-defined]
