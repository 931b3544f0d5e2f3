"""The secrets the app needs, and the guard that refuses to start without real ones.

Every secret comes from the environment. Outside development a missing one, or one whose value is
public (the dev defaults below, the old compose default ``change-me``, anything that says
``placeholder``), stops the process at settings import with a message naming each variable (never
its value). ``DJANGO_DEV_SECRETS=true`` (set by ``make run``/``make test``, tests/conftest.py and
.ci/run) lets the dev defaults through; so does running under pytest.
"""

import os

from django.core.exceptions import ImproperlyConfigured

DEV_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789"
DEV_REALTIME_TICKET_KEY = "dev-only-insecure-realtime-ticket-key-0123456789"
DEV_STRIPE_SECRET_KEY = "sk_test_suxinbao_placeholder"
DEV_STRIPE_PUBLISHABLE_KEY = "pk_test_suxinbao_placeholder"
DEV_STRIPE_WEBHOOK_SECRET = "whsec_suxinbao_placeholder"

# Values published in this repository (now or before): never a production secret.
KNOWN_PLACEHOLDERS = frozenset(
    {
        DEV_SECRET_KEY,
        DEV_REALTIME_TICKET_KEY,
        DEV_STRIPE_SECRET_KEY,
        DEV_STRIPE_PUBLISHABLE_KEY,
        DEV_STRIPE_WEBHOOK_SECRET,
        "change-me",  # the old compose default of DJANGO_SECRET_KEY
        "build",  # the Dockerfile's collectstatic step
    }
)
PLACEHOLDER_MARKERS = ("placeholder", "change-me", "changeme", "dev-only", "insecure")


def placeholder_problem(value: str, *, min_length: int = 0, prefixes: tuple[str, ...] = ()) -> str:
    """Why ``value`` cannot be a production secret ("" when it can)."""
    lowered = value.lower()
    if value in KNOWN_PLACEHOLDERS or any(marker in lowered for marker in PLACEHOLDER_MARKERS):
        return "is a known placeholder"
    if len(value) < min_length:
        return f"is shorter than {min_length} characters"
    if prefixes and not value.startswith(prefixes):
        return "should start with " + " or ".join(prefixes)
    return ""


class SecretGuard:
    """Reads secrets from the environment and collects what is wrong with them; ``enforce()``
    raises once with the whole list, so one start names everything that needs fixing."""

    def __init__(self, *, dev_allowed: bool) -> None:
        self.dev_allowed = dev_allowed
        self.problems: list[str] = []

    def get(self, name: str, dev_default: str, *, min_length: int = 0, prefixes: tuple[str, ...] = ()) -> str:
        value = os.environ.get(name, "").strip()
        if not value:
            self.problems.append(f"{name} is not set")
            return dev_default
        problem = placeholder_problem(value, min_length=min_length, prefixes=prefixes)
        if problem:
            self.problems.append(f"{name} {problem}")
        return value

    def get_list(self, name: str, dev_default: list[str], *, min_length: int = 0) -> list[str]:
        """A comma-separated list whose first item is the live secret; the others are older ones
        still accepted for reading (rotation), so only the first is held to the placeholder rules."""
        values = [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]
        if not values:
            self.problems.append(f"{name} is not set")
            return list(dev_default)
        problem = placeholder_problem(values[0], min_length=min_length)
        if problem:
            self.problems.append(f"{name} (its first key) {problem}")
        return values

    def enforce(self) -> None:
        if self.dev_allowed or not self.problems:
            return
        raise ImproperlyConfigured(
            "Refusing to start with missing or placeholder secrets:\n"
            + "".join(f"  - {problem}\n" for problem in self.problems)
            + "Set real values in the environment (README, Environment). DJANGO_DEV_SECRETS=true "
            "allows the public development placeholders: make run and the tests only."
        )
