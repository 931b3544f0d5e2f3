"""notices became a shared app as well (the platform host's inbox for shop and insurer staff). A
database migrated while it was a tenant app has 0001 recorded in the public schema without its
tables (django-tenants records tenant-app migrations everywhere but runs them only in tenants):
create whatever is missing there. A no-op in tenant schemas and on a fresh database."""

from django.db import migrations
from django_tenants.utils import get_public_schema_name


def create_missing_public_tables(apps, schema_editor):
    connection = schema_editor.connection
    if getattr(connection, "schema_name", None) != get_public_schema_name():
        return
    existing = set(connection.introspection.table_names())
    for model in apps.get_app_config("notices").get_models():
        if model._meta.db_table not in existing:
            schema_editor.create_model(model)


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial")]

    operations = [migrations.RunPython(create_missing_public_tables, migrations.RunPython.noop)]
