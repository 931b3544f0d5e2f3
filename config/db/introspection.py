"""The table list of the connection's current schema, read through an index.

Django's PostgreSQL ``get_table_list`` selects every row of ``pg_class`` (tables, indexes,
sequences, of every schema) and keeps those ``pg_table_is_visible()`` (django-tenants sets the
search path to the current schema around it). That is a scan of the whole catalog: with 1,000 tenant
schemas ``pg_class`` holds ~410,000 rows and one call took 761 ms. Django's migration recorder calls
it several times per schema (``has_table``: does ``django_migrations`` exist?), so a no-op
``migrate_schemas`` over N schemas, and ``/readyz``'s migration check, cost O(N²).

Here the same list comes from the schema's own objects: every relation records a dependency on its
namespace in ``pg_depend`` (PostgreSQL 14+ for ``public`` too, which is no longer pinned; Django 5.2
needs 14+), looked up by ``pg_depend_reference_index``, then each relation by its oid — work in
proportion to the schema, not to the database. The result is what Django's query returns under
django-tenants' search path (that schema alone), less the session's temporary tables, which
pg_table_is_visible would also list and migrations never create.

The other introspection methods select by table name (``relname = %s``), an index lookup already,
and stay as django-tenants has them.
"""

from typing import Any

from django.db.backends.postgresql.introspection import TableInfo  # type: ignore[attr-defined]  # not in the stubs
from django_tenants.postgresql_backend.introspection import DatabaseSchemaIntrospection

TABLE_LIST_SQL = """
SELECT c.relname,
       CASE WHEN c.relispartition THEN 'p' WHEN c.relkind IN ('m', 'v') THEN 'v' ELSE 't' END,
       obj_description(c.oid, 'pg_class')
  FROM pg_catalog.pg_namespace n
  JOIN pg_catalog.pg_depend d
    ON d.refclassid = 'pg_catalog.pg_namespace'::regclass AND d.refobjid = n.oid AND d.refobjsubid = 0
   AND d.classid = 'pg_catalog.pg_class'::regclass
  JOIN pg_catalog.pg_class c ON c.oid = d.objid AND c.relnamespace = n.oid
 WHERE n.nspname = %s AND c.relkind IN ('f', 'm', 'p', 'r', 'v')
"""


class SchemaIntrospection(DatabaseSchemaIntrospection):
    def get_table_list(self, cursor: Any) -> list[TableInfo]:
        """Tables and views of the connection's current schema (``connection.schema_name``)."""
        cursor.execute(TABLE_LIST_SQL, [self.connection.schema_name])
        return [TableInfo(*row) for row in cursor.fetchall() if row[0] not in self.ignored_tables]
