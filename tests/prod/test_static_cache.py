"""Which static files are cached for years: only names that change when their content does."""

import re

import pytest
from django.conf import settings


@pytest.mark.parametrize(
    ("url", "immutable"),
    [
        ("/static/app/assets/console-DWhagtJ7.js", True),  # Vite's content hash
        ("/static/app/assets/vue-B_0x-9aZ.css", True),
        ("/static/app/favicon.3f2a9c1b7e4d.ico", True),  # the manifest storage's
        ("/static/app/favicon.ico", False),
        ("/static/app/console.html", False),
        ("/static/app/assets/logo.png", False),
    ],
)
def test_only_fingerprinted_names_are_immutable(url: str, immutable: bool) -> None:
    assert bool(re.search(settings.WHITENOISE_IMMUTABLE_FILE_TEST, url)) is immutable
