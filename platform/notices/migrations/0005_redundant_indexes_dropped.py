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
        ("notices", "0004_wechat_models_to_core"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="announcementreceipt",
            name="announcement",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="receipts",
                to="notices.announcement",
            ),
        ),
        migrations.AlterField(
            model_name="announcementreceipt",
            name="user",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="deliveryattempt",
            name="delivery",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="log",
                to="notices.delivery",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="user",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="notificationpreference",
            name="user",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunSQL(
            "DROP INDEX IF EXISTS notices_delivery_key_e0f980bf_like",
            "CREATE INDEX IF NOT EXISTS notices_delivery_key_e0f980bf_like ON notices_delivery (key varchar_pattern_ops)",
        ),
        migrations.RunSQL(
            "DROP INDEX IF EXISTS notices_messagetemplate_kind_41390afa_like",
            "CREATE INDEX IF NOT EXISTS notices_messagetemplate_kind_41390afa_like ON notices_messagetemplate (kind varchar_pattern_ops)",
        ),
        migrations.RunSQL(
            "DROP INDEX IF EXISTS notices_wechatbinding_openid_acac1a00_like",
            "CREATE INDEX IF NOT EXISTS notices_wechatbinding_openid_acac1a00_like ON notices_wechatbinding (openid varchar_pattern_ops)",
        ),
    ]
