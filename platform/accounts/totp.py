"""Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), what every
authenticator app (Google Authenticator, Microsoft Authenticator, 腾讯身份验证器) speaks. The
algorithm is pyotp's; this module only adds what the login needs: the step a code belongs to, so
that each step is accepted once (accounts.services.totp_code_accept)."""

import hmac
import time

import pyotp

STEP_SECONDS = 30
DIGITS = 6


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def secret_new() -> str:
    """A random 160-bit secret, base32 without padding (what the apps take when typed in)."""
    return pyotp.random_base32(length=32)


def code_at(secret: str, step: int) -> str:
    return _totp(secret).at(step * STEP_SECONDS)


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def matching_step(secret: str, code: str, *, now: float | None = None, drift: int = 1) -> int | None:
    """The step ``code`` belongs to, within ``drift`` steps of now (clocks differ), or None."""
    code = code.strip()
    if len(code) != DIGITS or not code.isdigit():
        return None
    step = current_step(now)
    for candidate in range(step - drift, step + drift + 1):
        if hmac.compare_digest(code_at(secret, candidate), code):
            return candidate
    return None


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    return _totp(secret).provisioning_uri(name=account, issuer_name=issuer)
