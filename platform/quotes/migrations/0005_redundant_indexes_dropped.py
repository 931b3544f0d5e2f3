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
        ("customers", "0010_redundant_indexes_dropped"),
        ("directory", "0006_citus_placement"),
        ("quotes", "0004_public_refs_no_db_constraint"),
    ]

    operations = [
        migrations.AlterField(
            model_name="policy",
            name="insurer",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.insurer",
            ),
        ),
        migrations.AlterField(
            model_name="policy",
            name="quote",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="policies",
                to="quotes.quote",
            ),
        ),
        migrations.AlterField(
            model_name="quote",
            name="customer",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="quotes",
                to="customers.customer",
            ),
        ),
        migrations.AlterField(
            model_name="quoteoption",
            name="quote",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="options",
                to="quotes.quote",
            ),
        ),
        migrations.AlterField(
            model_name="tenantratingtable",
            name="insurer",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.insurer",
            ),
        ),
        migrations.RunSQL(
            "DROP INDEX IF EXISTS quotes_quote_number_140c95b8_like",
            "CREATE INDEX IF NOT EXISTS quotes_quote_number_140c95b8_like ON quotes_quote (number varchar_pattern_ops)",
        ),
        migrations.RunSQL(
            "DROP INDEX IF EXISTS quotes_tenantvehicletaxtable_province_8f2e8ffc_like",
            "CREATE INDEX IF NOT EXISTS quotes_tenantvehicletaxtable_province_8f2e8ffc_like ON quotes_tenantvehicletaxtable (province varchar_pattern_ops)",
        ),
    ]
