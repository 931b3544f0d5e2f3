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
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_public_refs_no_db_constraint"),
        ("directory", "0006_citus_placement"),
    ]

    operations = [
        migrations.AlterField(
            model_name="giftpackitem",
            name="pack",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="items",
                to="catalog.giftpack",
            ),
        ),
        migrations.AlterField(
            model_name="partnershop",
            name="shop",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.shop",
            ),
        ),
        migrations.RunSQL(
            "DROP INDEX IF EXISTS catalog_issuedpack_code_451e136e_like",
            "CREATE INDEX IF NOT EXISTS catalog_issuedpack_code_451e136e_like ON catalog_issuedpack (code varchar_pattern_ops)",
        ),
    ]
