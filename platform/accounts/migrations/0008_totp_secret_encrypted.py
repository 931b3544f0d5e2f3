"""Authenticator secrets encrypted at rest: each plain ``secret`` is encrypted into ``secret_cipher``
(core.crypto, the public schema's key), then the plain column is dropped. Reversible."""

from django.conf import settings
from django.db import migrations, models


def encrypt_secrets(apps, schema_editor):
    from core.crypto import encrypt_text

    UserTotp = apps.get_model("accounts", "UserTotp")
    for row in UserTotp.objects.exclude(secret="").only("pk", "secret"):
        cipher = encrypt_text(row.secret, schema=settings.PUBLIC_SCHEMA_NAME)
        UserTotp.objects.filter(pk=row.pk).update(secret_cipher=cipher)


def decrypt_secrets(apps, schema_editor):
    from core.crypto import decrypt_text

    UserTotp = apps.get_model("accounts", "UserTotp")
    for row in UserTotp.objects.exclude(secret_cipher="").only("pk", "secret_cipher"):
        plain = decrypt_text(row.secret_cipher, schema=settings.PUBLIC_SCHEMA_NAME)
        UserTotp.objects.filter(pk=row.pk).update(secret=plain)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_refresh_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="usertotp",
            name="secret_cipher",
            field=models.TextField(default=""),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="usertotp",
            name="secret",
            field=models.CharField(max_length=64, default=""),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
        migrations.RemoveField(model_name="usertotp", name="secret"),
    ]
