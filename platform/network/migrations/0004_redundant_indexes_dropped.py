"""Issue 21: indexes no query needs, dropped so that every tenant schema (and so every new
tenant's copy of the template) builds fewer of them.

- Foreign keys indexed twice: each column below leads another index of its table (a unique
  constraint or a Meta index), which serves every lookup by it, so Django's own index on the
  foreign key goes (``db_index=False``, with the covering index named beside the field).
- Django's ``varchar_pattern_ops`` twin (``*_like``) of a unique or indexed varchar column: it serves
  only ``LIKE 'prefix%'`` (``__startswith``) under a non-C collation, and nothing filters these
  columns by prefix (``core_auditevent.action``, which is, keeps its own). Django's migration state
  does not track these indexes, so they are dropped in SQL; the reverse puts them back.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0003_public_refs_no_db_constraint"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="distributor",
            name="parent",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="children",
                to="network.distributor",
            ),
        ),
        migrations.AlterField(
            model_name="distributor",
            name="user",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="networkpath",
            name="descendant",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="network.distributor",
            ),
        ),
        migrations.AlterField(
            model_name="referral",
            name="user",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunSQL(
            "DROP INDEX IF EXISTS network_distributor_referral_code_ef0d37d9_like",
            "CREATE INDEX IF NOT EXISTS network_distributor_referral_code_ef0d37d9_like ON network_distributor (referral_code varchar_pattern_ops)",
        ),
        migrations.RunSQL(
            "DROP INDEX IF EXISTS network_tier_name_ef8f1b94_like",
            "CREATE INDEX IF NOT EXISTS network_tier_name_ef8f1b94_like ON network_tier (name varchar_pattern_ops)",
        ),
    ]
