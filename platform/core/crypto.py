"""Encryption at rest of personal identifiers (身份证 numbers) and secrets (WeChat app secrets,
authenticator seeds).

Each tenant has its own key, derived from the master key and the schema name (HKDF), so a value
copied from one tenant's rows cannot be read with another tenant's key. Alongside the ciphertext
we keep a keyed digest (HMAC-SHA256, also per tenant) for exact-match lookup and uniqueness, and a
masked form for lists, so lists never decrypt anything.

The master keys are ``settings.FIELD_ENCRYPTION_KEYS``: the first one encrypts and digests, every one
decrypts, and lookups by digest try each key's digest, so a new key can be put first at any time.
``manage.py field_keys_rotate`` then re-encrypts every value in ``ENCRYPTED_FIELDS`` with the first
key, after which the older keys can be dropped.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from core.tenancy import current_schema_name

# What field_keys_rotate re-encrypts: (app_label.Model, ciphertext field, digest field or "").
# A new encrypted field is added here.
ENCRYPTED_FIELDS = [
    ("customers.Customer", "id_number_cipher", "id_number_digest"),
    ("core.WeChatSettings", "app_secret_cipher", ""),
    ("accounts.UserTotp", "secret_cipher", ""),
]


@lru_cache(maxsize=1024)
def _derive(master: str, purpose: str, schema: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"suxinbao", info=f"{purpose}:{schema}".encode()
    ).derive(master.encode())


def _masters() -> list[str]:
    return list(settings.FIELD_ENCRYPTION_KEYS)


def _fernet(schema: str) -> MultiFernet:
    return MultiFernet(
        [Fernet(base64.urlsafe_b64encode(_derive(master, "encrypt", schema))) for master in _masters()]
    )


def encrypt_text(value: str, *, schema: str | None = None) -> str:
    if not value:
        return ""
    return _fernet(schema or current_schema_name()).encrypt(value.encode()).decode()


def decrypt_text(token: str, *, schema: str | None = None) -> str:
    """The plain value; raises ``ValueError`` when the token was not made with this tenant's key."""
    if not token:
        return ""
    try:
        return _fernet(schema or current_schema_name()).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong tenant key or corrupted value") from exc


def keyed_digest(value: str, *, schema: str | None = None) -> str:
    """The digest stored with a new value (the first key's)."""
    return keyed_digests(value, schema=schema)[0] if value else ""


def keyed_digests(value: str, *, schema: str | None = None) -> list[str]:
    """The digest of ``value`` under every key, first key first: what a lookup must match while
    rows written under an older key are not re-encrypted yet."""
    if not value:
        return []
    schema = schema or current_schema_name()
    return [
        hmac.new(_derive(master, "digest", schema), value.encode(), hashlib.sha256).hexdigest()
        for master in _masters()
    ]


def is_current(token: str, *, schema: str | None = None) -> bool:
    """Whether ``token`` was encrypted with the first key (nothing for field_keys_rotate to do)."""
    first = Fernet(
        base64.urlsafe_b64encode(_derive(_masters()[0], "encrypt", schema or current_schema_name()))
    )
    try:
        first.decrypt(token.encode())
    except InvalidToken:
        return False
    return True
