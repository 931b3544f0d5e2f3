"""Re-encrypt every encrypted field (core.crypto.ENCRYPTED_FIELDS) with the first key of
FIELD_ENCRYPTION_KEYS, in every schema, and store the digests under that key. Rows already on the
first key are left alone, so it can be run again after an interruption. Afterwards the older keys
can be removed from FIELD_ENCRYPTION_KEYS."""

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_tenants.utils import get_tenant_model, schema_context

from core.crypto import ENCRYPTED_FIELDS, decrypt_text, encrypt_text, is_current, keyed_digest


class Command(BaseCommand):
    help = "Re-encrypt encrypted fields with the first FIELD_ENCRYPTION_KEYS key, in every schema."

    def handle(self, *args: Any, **options: Any) -> None:
        for schema in get_tenant_model().objects.order_by("pk").values_list("schema_name", flat=True):
            public = schema == settings.PUBLIC_SCHEMA_NAME
            installed = settings.SHARED_APPS if public else settings.TENANT_APPS
            changed = 0
            with schema_context(schema), transaction.atomic():
                for label, cipher_field, digest_field in ENCRYPTED_FIELDS:
                    model = apps.get_model(label)
                    if model._meta.app_label not in installed:
                        continue
                    rows = model.objects.exclude(**{cipher_field: ""}).select_for_update()
                    for row in rows.order_by("pk"):
                        cipher = getattr(row, cipher_field)
                        if is_current(cipher, schema=schema):
                            continue
                        plain = decrypt_text(cipher, schema=schema)
                        setattr(row, cipher_field, encrypt_text(plain, schema=schema))
                        fields = [cipher_field]
                        if digest_field:
                            setattr(row, digest_field, keyed_digest(plain, schema=schema))
                            fields.append(digest_field)
                        row.save(update_fields=fields)
                        changed += 1
            self.stdout.write(f"{schema}: {changed} value(s) re-encrypted")
