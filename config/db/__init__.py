"""The project's database backend (``ENGINE = "config.db"``): django-tenants' PostgreSQL backend
with a table list read per schema through an index instead of a scan of all of ``pg_class``
(``config.db.introspection``)."""
