"""django-tenants' DatabaseWrapper with the project's introspection (``config.db.introspection``)."""

from django_tenants.postgresql_backend import base as tenants_base

from config.db.introspection import SchemaIntrospection

DatabaseError = tenants_base.DatabaseError
IntegrityError = tenants_base.IntegrityError


class DatabaseWrapper(tenants_base.DatabaseWrapper):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # django-tenants sets its own introspection on the instance in __init__, not as a class attribute
        self.introspection = SchemaIntrospection(self)
