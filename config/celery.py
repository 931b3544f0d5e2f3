"""Celery app. Tasks carry the schema they were enqueued in (tenant-schemas-celery) and run there."""

import os

import config.paths  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from tenant_schemas_celery.app import CeleryApp as TenantAwareCeleryApp

app = TenantAwareCeleryApp("suxinbao")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
