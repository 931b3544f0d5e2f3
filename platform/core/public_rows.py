"""Public rows that tenant schemas point at (users, insurers, shops) are deactivated, never deleted.

Tenant tables keep these references as plain indexed id columns, without a database foreign key
(``db_constraint=False``; why: docs/scaling.md, "Tenant → public references"). A foreign key into a
public table puts two triggers on that table per key and per tenant (54,000 on ``accounts_user`` at
1,000 tenants), which made every new tenant slower than the last and every backend touching users
load them all. Without the key the database no longer refuses a delete that would leave tenant rows
pointing at nothing, so the application does: ``User``, ``Insurer`` and ``Shop`` refuse ``delete()``
on an instance and on a queryset, and are switched off instead (``is_active`` / ``active``).

Nothing in the product deletes them (nothing cascades into them either: they have no foreign key
whose delete would cascade), and Django could not cascade such a delete anyway: the referring tables
are in every tenant's schema, not in the public one the delete runs in. Writes that create a
reference take the referenced row from the database (the request's user, an insurer or shop looked
up by id), so a new reference cannot point at a missing row.
"""

from typing import Any, NoReturn

from django.db import IntegrityError, models


class PublicRowDeleteRefused(IntegrityError):
    """Deleting a public row that tenant schemas may refer to: deactivate it instead."""


def _refuse(model: type[models.Model]) -> NoReturn:
    raise PublicRowDeleteRefused(
        f"{model._meta.label} rows are referred to from tenant schemas without a database constraint;"
        " deactivate them instead of deleting (core.public_rows)"
    )


class UndeletableQuerySet(models.QuerySet[Any]):
    def delete(self) -> NoReturn:
        _refuse(self.model)


class UndeletableManager(models.Manager[Any]):
    def get_queryset(self) -> UndeletableQuerySet:
        return UndeletableQuerySet(self.model, using=self._db)


class Undeletable(models.Model):
    """Mixin for a public model tenant rows refer to: ``delete()`` refuses (a manager of
    ``UndeletableQuerySet`` refuses ``queryset.delete()``)."""

    class Meta:
        abstract = True

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(type(self))
