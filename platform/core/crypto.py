"""Encryption of personal identifiers at rest (身份证 numbers).

Each tenant has its own key, derived from the master key and the schema name (HKDF), so a value
copied from one tenant's rows cannot be read with another tenant's key. Alongside the ciphertext
we keep a keyed digest (HMAC-SHA256, also per tenant) for exact-match lookup and uniqueness, and a
masked form for lists, so lists never decrypt anything.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from core.tenancy import current_schema_name


@lru_cache(maxsize=256)
def _derive(purpose: str, schema: str) -> bytes:
    master = settings.FIELD_ENCRYPTION_KEY.encode()
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"suxinbao", info=f"{purpose}:{schema}".encode()
    ).derive(master)


def _fernet(schema: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive("encrypt", schema)))


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
    if not value:
        return ""
    key = _derive("digest", schema or current_schema_name())
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
