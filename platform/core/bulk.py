"""Rows of one model written in one INSERT whose SQL is built once per process (issue 20).

``QuerySet.bulk_create`` compiles its INSERT on every call: on a service-order step that is about
1 ms of CPU for a statement the database runs in a fraction of it. ``insert`` writes what
``bulk_create`` writes on PostgreSQL (every concrete field but the id, each value through the
field's ``pre_save`` and ``get_db_prep_save``, the rows as one ``SELECT * FROM unnest(...)`` with
the column types stripped of their length, as Django's own UNNEST path does), sets the ids the
database returns and marks the objects saved. For plain fields only (no ``get_placeholder``, no
expressions as values), the fields Django itself would put through UNNEST.

``before`` is a data-modifying ``WITH`` clause run in the same statement (its parameters first).
``schema`` names another schema's table (the outbox of a tenant, from the platform host). A field
with a database default is left to the database and read back, as ``save()`` does.

``update`` is ``obj.save(update_fields=...)`` the same way: the named fields through ``pre_save``
(``auto_now``) and ``get_db_prep_save``, ``UPDATE ... WHERE id = %s`` built once per process and
set of fields. Neither sends ``pre_save``/``post_save`` signals: for models nothing listens to.
"""

from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.models import NOT_PROVIDED, Model
from django_tenants.utils import quote_schema_name

M = TypeVar("M", bound=Model)


@cache
def _insert_sql(model: type[Model], schema: str | None) -> tuple[str, list[Any], list[Any]]:
    quote = connection.ops.quote_name
    meta = model._meta
    # a field with a database default (``db_default``) is left to the database and read back
    fields = [f for f in meta.concrete_fields if not f.primary_key and f.db_default is NOT_PROVIDED]
    for field in fields:
        if hasattr(field, "get_placeholder"):
            raise TypeError(f"{model.__name__}.{field.name}: not a plain field")
    returning = list(meta.db_returning_fields)
    types = [(field.db_type(connection) or "").split("(")[0] for field in fields]
    table = f"{quote_schema_name(schema)}.{quote(meta.db_table)}" if schema else quote(meta.db_table)
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(f.column) for f in fields)})"
        f" SELECT * FROM unnest({', '.join(f'%s::{t}[]' for t in types)})"
        f" RETURNING {', '.join(quote(f.column) for f in returning)}"
    )
    return sql, fields, returning


def insert(
    objs: Sequence[M], *, schema: str | None = None, before: str = "", params: Sequence[Any] = ()
) -> None:
    """INSERT ``objs`` (new instances of one model) as ``bulk_create`` would, in one statement;
    into ``schema``'s table of the model when named, the connection's ``search_path`` left as it is
    (``RETURNING`` names no table: PostgreSQL reads it from the insert's target)."""
    if not objs:
        return
    sql, fields, returning = _insert_sql(type(objs[0]), schema)
    conn = connections[DEFAULT_DB_ALIAS]  # the connection itself, not its proxy: every value asks it
    columns = [[field.get_db_prep_save(field.pre_save(obj, True), conn) for obj in objs] for field in fields]
    with transaction.mark_for_rollback_on_error(conn.alias), conn.cursor() as cursor:  # as save() does
        cursor.execute(f"{before} {sql}" if before else sql, [*params, *columns])
        for obj, row in zip(objs, cursor.fetchall(), strict=True):
            for field, value in zip(returning, row, strict=True):
                setattr(obj, field.attname, value)
            obj._state.adding, obj._state.db = False, conn.alias


@cache
def _update_sql(model: type[Model], names: tuple[str, ...]) -> tuple[str, list[Any]]:
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    sets = ", ".join(f"{quote(field.column)} = %s" for field in fields)  # type: ignore[union-attr,arg-type]
    sql = f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE {quote(model._meta.pk.column)} = %s"
    return sql, fields


def update(obj: Model, names: Sequence[str]) -> None:
    """``obj.save(update_fields=names)`` as Django writes it on PostgreSQL, in one UPDATE whose SQL
    is built once per process; a row that is no longer there is the same ``DatabaseError``."""
    sql, fields = _update_sql(type(obj), tuple(names))
    conn = connections[DEFAULT_DB_ALIAS]
    values = [field.get_db_prep_save(field.pre_save(obj, False), conn) for field in fields]
    with conn.cursor() as cursor:
        cursor.execute(sql, [*values, obj.pk])
        if cursor.rowcount != 1:
            raise DatabaseError("Save with update_fields did not affect any rows.")
