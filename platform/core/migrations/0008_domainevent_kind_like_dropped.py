"""Issue 20: every business event is one INSERT into its schema's outbox, which writes each index
of the table. The ``varchar_pattern_ops`` twin of ``kind`` serves only ``LIKE 'prefix%'``, and nothing
filters the kinds by prefix (the consumers read ``kind IN (...)``, served by the plain index).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_wechat_models"),
    ]

    operations = [
        migrations.RunSQL(
            "DROP INDEX IF EXISTS core_domainevent_kind_35c6c0ea_like",
            "CREATE INDEX IF NOT EXISTS core_domainevent_kind_35c6c0ea_like ON core_domainevent (kind varchar_pattern_ops)",
        ),
    ]
