"""Outside `make run` and the tests the app refuses to start with a missing secret or a public
placeholder one, and DEBUG is off unless asked for. Each case starts a fresh Python process that
loads the settings, the way gunicorn, Celery and manage.py do."""

import os
import secrets
import subprocess
import sys

import pytest

from config.paths import BASE_DIR
from config.secretguard import DEV_SECRET_KEY

REAL = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "FIELD_ENCRYPTION_KEYS": secrets.token_urlsafe(32),
    "REALTIME_TICKET_KEY": secrets.token_urlsafe(32),
    "STRIPE_SECRET_KEY": "sk_live_" + secrets.token_hex(12),
    "STRIPE_PUBLISHABLE_KEY": "pk_live_" + secrets.token_hex(12),
    "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(16),
}
PROBE = (
    "from django.conf import settings; "
    "print(settings.DEBUG, len(settings.FIELD_ENCRYPTION_KEYS), settings.FIELD_ENCRYPTION_KEYS[-1][:9])"
)


def start(**env: str | None) -> subprocess.CompletedProcess[str]:
    """Load the settings in a new process: production mode (no DJANGO_DEV_SECRETS, no DJANGO_DEBUG,
    no FIELD_ENCRYPTION_KEY), the real secrets above, then ``env`` (None removes a variable)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FIELD_ENCRYPTION"))}
    full = {**base, **REAL, "DJANGO_SETTINGS_MODULE": "config.settings"}
    for name, value in env.items():
        if value is None:
            full.pop(name, None)
        else:
            full[name] = value
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=BASE_DIR, env=full, capture_output=True, text=True, timeout=60
    )


def test_real_secrets_start_with_debug_off() -> None:
    started = start()
    assert started.returncode == 0, started.stderr
    debug, keys, _ = started.stdout.split()
    assert (debug, keys) == ("False", "1")


def test_debug_is_on_only_when_asked_for() -> None:
    assert start(DJANGO_DEBUG="true").stdout.split()[0] == "True"
    assert start(DJANGO_DEBUG="false").stdout.split()[0] == "False"


@pytest.mark.parametrize(
    ("name", "placeholder"),
    [
        ("DJANGO_SECRET_KEY", DEV_SECRET_KEY),
        ("DJANGO_SECRET_KEY", "change-me"),  # the old compose default
        ("FIELD_ENCRYPTION_KEYS", DEV_SECRET_KEY),
        ("REALTIME_TICKET_KEY", "dev-only-insecure-realtime-ticket-key-0123456789"),
        ("STRIPE_SECRET_KEY", "sk_test_suxinbao_placeholder"),
        ("STRIPE_PUBLISHABLE_KEY", "pk_test_suxinbao_placeholder"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_suxinbao_placeholder"),
    ],
)
def test_each_placeholder_secret_stops_the_start_naming_it(name: str, placeholder: str) -> None:
    started = start(**{name: placeholder})
    assert started.returncode == 1
    assert "Refusing to start with missing or placeholder secrets" in started.stderr
    assert f"  - {name} " in started.stderr and "is a known placeholder" in started.stderr
    assert placeholder not in started.stderr  # the message names the variable, never the value


def test_missing_secrets_are_all_named_in_one_message() -> None:
    started = start(**dict.fromkeys(REAL))
    assert started.returncode == 1
    named = [line.strip() for line in started.stderr.splitlines() if line.startswith("  - ")]
    assert sorted(named) == sorted(f"- {name} is not set" for name in REAL)


def test_the_dev_switch_allows_the_placeholders() -> None:
    """What make run, make test and the processes tests start use: no secret set at all."""
    started = start(**dict.fromkeys(REAL), DJANGO_DEV_SECRETS="true")
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["False", "1", DEV_SECRET_KEY[:9]]  # 身份证 keys: SECRET_KEY, as before


def test_weak_secrets_are_refused() -> None:
    short = start(DJANGO_SECRET_KEY="x" * 49, REALTIME_TICKET_KEY="y" * 31)
    assert "DJANGO_SECRET_KEY is shorter than 50 characters" in short.stderr
    assert "REALTIME_TICKET_KEY is shorter than 32 characters" in short.stderr
    swapped = start(STRIPE_SECRET_KEY=REAL["STRIPE_PUBLISHABLE_KEY"])  # a publishable key as the secret
    assert "STRIPE_SECRET_KEY should start with sk_ or rk_" in swapped.stderr


def test_older_field_keys_may_be_anything_as_they_only_decrypt() -> None:
    """Data written under the old key derived from a placeholder SECRET_KEY stays readable: the
    old value is listed after the new key (or given as the former FIELD_ENCRYPTION_KEY)."""
    listed = start(FIELD_ENCRYPTION_KEYS=f"{REAL['FIELD_ENCRYPTION_KEYS']}, change-me")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split()[1:] == ["2", "change-me"]
    former = start(FIELD_ENCRYPTION_KEY=DEV_SECRET_KEY)
    assert former.returncode == 0, former.stderr
    assert former.stdout.split()[1:] == ["2", DEV_SECRET_KEY[:9]]
    first = start(FIELD_ENCRYPTION_KEYS=f"change-me,{REAL['FIELD_ENCRYPTION_KEYS']}")
    assert "FIELD_ENCRYPTION_KEYS (its first key) is a known placeholder" in first.stderr
