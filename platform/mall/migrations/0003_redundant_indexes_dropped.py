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

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("mall", "0002_public_refs_no_db_constraint"),
    ]

    operations = [
        migrations.RunSQL(
            "DROP INDEX IF EXISTS mall_order_number_5c0adbf0_like",
            "CREATE INDEX IF NOT EXISTS mall_order_number_5c0adbf0_like ON mall_order (number varchar_pattern_ops)",
        ),
        migrations.RunSQL(
            "DROP INDEX IF EXISTS mall_order_payment_intent_dacdf847_like",
            "CREATE INDEX IF NOT EXISTS mall_order_payment_intent_dacdf847_like ON mall_order (payment_intent varchar_pattern_ops)",
        ),
        migrations.RunSQL(
            "DROP INDEX IF EXISTS mall_refund_stripe_refund_78041182_like",
            "CREATE INDEX IF NOT EXISTS mall_refund_stripe_refund_78041182_like ON mall_refund (stripe_refund varchar_pattern_ops)",
        ),
    ]
