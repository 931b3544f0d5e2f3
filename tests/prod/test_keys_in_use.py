"""Each secret does its own job: 身份证 numbers are encrypted with FIELD_ENCRYPTION_KEYS (rotated
without losing a row), stream tickets are signed with REALTIME_TICKET_KEY (not SECRET_KEY), and the
Stripe webhook trusts only the configured secret (tests/subscriptions/test_webhook_secret.py)."""

import io

import pytest
from django.core import signing
from django.core.management import call_command
from django_tenants.utils import schema_context

from accounts.services import auth_token_issue
from core.crypto import decrypt_text, keyed_digest
from core.errors import ValidationFailed
from core.validators import id_number_check_char
from customers.models import Customer
from customers.services import customer_create
from tests.conftest import person

pytestmark = pytest.mark.django_db

NEW_KEY = "n3w-field-key-for-the-rotation-test-7f2c9a41d0"
ID_NUMBER = "11010519491231002X"
OTHER_NUMBER = "44030519800101123" + id_number_check_char("44030519800101123")


def test_id_numbers_written_under_the_secret_key_stay_readable_after_the_new_key_comes_first(
    settings, datang
) -> None:
    """The key used to be derived from SECRET_KEY; a deployment lists that value after its new key,
    runs field_keys_rotate, and can then drop it."""
    old_key = settings.SECRET_KEY
    settings.FIELD_ENCRYPTION_KEYS = [old_key]  # as before: FIELD_ENCRYPTION_KEY defaulted to SECRET_KEY
    with schema_context("datang"):
        before = customer_create(actor=None, name="旧密钥", mobile="13912340001", id_number=ID_NUMBER)
    old_cipher = before.id_number_cipher

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, old_key]
    with schema_context("datang"):
        assert decrypt_text(old_cipher) == ID_NUMBER  # the old key still decrypts
        # the same number under the new key is still recognised as taken (digests under every key)
        with pytest.raises(ValidationFailed) as taken:
            customer_create(actor=None, name="重复", mobile="13912340002", id_number=ID_NUMBER)
        assert "id_number" in taken.value.fields
        after = customer_create(actor=None, name="新密钥", mobile="13912340003", id_number=OTHER_NUMBER)

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    with schema_context("datang"):
        assert decrypt_text(after.id_number_cipher) == OTHER_NUMBER  # new writes: the first key
        with pytest.raises(ValueError):
            decrypt_text(old_cipher)  # not re-encrypted yet: the new key alone cannot read it

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, old_key]
    out = io.StringIO()
    call_command("field_keys_rotate", stdout=out)
    assert "datang: 1 value(s) re-encrypted" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # the old key is gone
    with schema_context("datang"):
        rotated = Customer.objects.get(pk=before.pk)
        assert rotated.id_number_cipher != old_cipher
        assert decrypt_text(rotated.id_number_cipher) == ID_NUMBER
        assert rotated.id_number_digest == keyed_digest(ID_NUMBER)
        assert rotated.id_number_masked == "110105********002X"
        unchanged = Customer.objects.get(pk=after.pk)
        assert unchanged.id_number_cipher == after.id_number_cipher  # already on the first key


def test_a_stream_ticket_signed_with_the_secret_key_is_refused(api, settings, datang) -> None:
    """Tickets used to be signed with SECRET_KEY, public in development; now they have their own key."""
    admin = person("datang_admin")
    issued = auth_token_issue(user=admin, tenant_id=datang.pk, second_factor=True)
    claims = {"u": admin.pk, "t": datang.pk, "k": issued.record.pk}
    client = api(None, host="datang.localhost")
    url = "/api/v1/realtime/stream/?ticket="
    with_secret_key = client.get(url + signing.dumps(claims, salt="realtime.ticket"))
    assert with_secret_key.status_code == 401 and with_secret_key.json()["code"] == "ticket_invalid"
    right = client.get(url + signing.dumps(claims, key=settings.REALTIME_TICKET_KEY, salt="realtime.ticket"))
    assert right.status_code == 200 and right["Content-Type"] == "text/event-stream"
    right.close()
