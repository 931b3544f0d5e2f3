"""The WeChat 公众号 models now belong to core (core 0007, state only): notices forgets them here,
state only, so their tables (notices_wechatsettings, notices_wechatbinding) stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0003_public_refs_no_db_constraint"),
        ("core", "0007_wechat_models"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="WeChatSettings"),
                migrations.DeleteModel(name="WeChatBinding"),
            ],
            database_operations=[],
        ),
    ]
