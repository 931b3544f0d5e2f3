"""The WeChat 公众号 models move from notices to core (state only): accounts (WeChat login) and
notices (template messages) both use them, and accounts may not import notices. The tables keep
their names (notices_wechatsettings, notices_wechatbinding); no table changes."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_public_refs_no_db_constraint"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="WeChatSettings",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("app_id", models.CharField(blank=True, max_length=40)),
                        ("app_secret_cipher", models.TextField(blank=True)),
                        ("app_secret_last4", models.CharField(blank=True, max_length=4)),
                        ("template_ids", models.JSONField(blank=True, default=dict)),
                        ("enabled", models.BooleanField(default=False)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={"db_table": "notices_wechatsettings"},
                ),
                migrations.CreateModel(
                    name="WeChatBinding",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("openid", models.CharField(max_length=64, unique=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "user",
                            models.OneToOneField(
                                db_constraint=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"db_table": "notices_wechatbinding"},
                ),
            ],
            database_operations=[],
        ),
    ]
