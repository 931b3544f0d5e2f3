import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_agree() -> None:
    # exits non-zero (SystemExit) when a model change has no migration
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_a_database_from_when_notices_was_a_tenant_app_gets_its_public_tables() -> None:
    """Such a database has notices 0001 recorded in the public schema but no tables there; 0002
    creates them (and leaves existing ones alone)."""
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    def public_notices_tables() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                " AND table_name LIKE 'notices\\_%%'"
            )
            return {row[0] for row in cursor.fetchall()}

    before = public_notices_tables()
    assert "notices_notification" in before
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE public.notices_delivery, public.notices_notification CASCADE")
    assert public_notices_tables() == before - {"notices_delivery", "notices_notification"}
    migration = import_module("notices.migrations.0002_public_schema_tables")
    with connection.schema_editor() as editor:
        migration.create_missing_public_tables(apps, editor)
    assert public_notices_tables() == before
