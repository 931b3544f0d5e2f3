"""Reads written with the ORM whose SQL is compiled once per process.

Django compiles a queryset to SQL on every evaluation. For most reads that is noise; on the hottest
paths it is not: a service-order step's locked read (the order with its tenant, shop, insurer and
review) costs about 1 ms of compiling and 1 ms of building the instances against 0.2 ms in the
database, and a step makes several such reads (issue 20). ``Prepared`` compiles its queryset the
first time it runs, with marker values in place of the arguments, keeps the SQL and what Django
needs to turn a row into instances (the select list, the ``select_related`` populators, the
converters), and from then on only swaps the arguments in and builds the instances the way
``ModelIterable`` does. The SQL names no schema (django-tenants routes by ``search_path``), so one
compiled read serves every tenant, each on its own schema.

What it takes: a function of integer arguments (ids) returning a plain model queryset — no
``values()``, no ``prefetch_related``, no ``__in`` lists (their length changes the SQL) — that
builds it without running a query (it is called once, with the markers). Each argument must reach
the SQL as a parameter; a function whose arguments do not is refused the first time it compiles.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, get_related_populators  # type: ignore[attr-defined]
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=Model)

# Marker values for the arguments while compiling: integers no sequence hands out, inside the
# range of a 32-bit id column (Django answers an out-of-range id with "no rows", not a parameter).
_MARKER_BASE = -2_147_480_000


@dataclass(frozen=True)
class _Plan:
    db: str
    sql: str
    params: tuple[tuple[str | None, Any], ...]  # (argument name, or None and the constant)
    model: type[Model]
    init_list: list[str]
    start: int
    end: int
    col_count: int | None  # truncate rows to it (columns added for the ORDER BY)
    converters: list[tuple[int, tuple[list[Any], Any]]]
    populators: list[Any]
    annotations: dict[str, int]
    locks: bool  # select_for_update: only inside a transaction, as the ORM insists


class Prepared(Generic[M]):
    """``build(**ids)``'s rows, its SQL compiled once per process (``all``, ``first``)."""

    def __init__(self, build: Callable[..., QuerySet[M]]) -> None:
        self.build = build
        self.names = list(inspect.signature(build).parameters)
        self._plans: dict[bool, _Plan] = {}

    def all(self, **ids: int) -> list[M]:
        return self._run(False, ids)

    def first(self, **ids: int) -> M | None:
        """As ``QuerySet.first()``: the first row in the queryset's order, or by primary key."""
        rows = self._run(True, ids)
        return rows[0] if rows else None

    def _run(self, first: bool, ids: dict[str, int]) -> list[M]:
        if set(ids) != set(self.names):
            raise TypeError(f"{self.build!r} takes {self.names}, got {sorted(ids)}")
        plan = self._plans.get(first) or self._compile(first)
        params = [int(ids[name]) if name is not None else value for name, value in plan.params]
        connection = connections[plan.db]
        if plan.locks and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()
        objs: list[M] = []
        for fetched in rows:
            row = list(fetched[: plan.col_count] if plan.col_count is not None else fetched)
            for pos, (convs, expression) in plan.converters:
                value = row[pos]
                for converter in convs:
                    value = converter(value, expression, connection)
                row[pos] = value
            obj = plan.model.from_db(plan.db, plan.init_list, row[plan.start : plan.end])
            for populator in plan.populators:
                populator.populate(row, obj)
            for name, pos in plan.annotations.items():
                setattr(obj, name, row[pos])
            objs.append(obj)  # type: ignore[arg-type]
        return objs

    def _compile(self, first: bool) -> _Plan:
        markers = {name: _MARKER_BASE - i for i, name in enumerate(self.names)}
        queryset = self.build(**markers)
        if (
            queryset._iterable_class is not ModelIterable
            or queryset._prefetch_related_lookups  # type: ignore[attr-defined]
            or queryset._known_related_objects  # type: ignore[attr-defined]
        ):
            raise TypeError(f"{self.build!r}: only plain model querysets can be prepared")
        if first:
            queryset = (queryset if queryset.ordered else queryset.order_by("pk"))[:1]
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, raw_params = compiler.as_sql()
        by_value = {value: name for name, value in markers.items()}
        params = tuple(
            (by_value[p], None) if type(p) is int and p in by_value else (None, p) for p in raw_params
        )
        found = {name for name, _ in params if name is not None}
        if found != set(self.names):
            raise TypeError(f"{self.build!r}: {sorted(set(self.names) - found)} never reach the SQL")
        select, klass_info = compiler.select, compiler.klass_info
        fields = [s[0] for s in select[0 : compiler.col_count]]
        model_fields = klass_info["select_fields"]
        start, end = model_fields[0], model_fields[-1] + 1
        plan = _Plan(
            db=queryset.db,
            sql=sql,
            params=params,
            model=klass_info["model"],
            init_list=[f[0].target.attname for f in select[start:end]],
            start=start,
            end=end,
            col_count=compiler.col_count if compiler.has_extra_select else None,
            converters=list(compiler.get_converters(fields).items()),
            populators=get_related_populators(klass_info, select, queryset.db),
            annotations=dict(compiler.annotation_col_map or {}),
            locks=queryset.query.select_for_update,
        )
        self._plans[first] = plan
        return plan
