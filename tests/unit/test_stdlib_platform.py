"""platform/ is a plain folder on sys.path, never a package: the stdlib module must win."""

import platform
import sys
import uuid
from pathlib import Path

from django.conf import settings


def test_stdlib_platform_is_not_shadowed_inside_django() -> None:
    assert settings.configured
    assert platform.system() == "Linux"
    assert Path(platform.__file__).parent == Path(uuid.__file__).parent  # both from the stdlib
    assert not (Path(settings.BASE_DIR) / "platform" / "__init__.py").exists()
    assert str(Path(settings.BASE_DIR) / "platform") in sys.path
    uuid.uuid4()  # uuid calls platform.system() on import paths of some OSes


def test_domain_apps_import_by_their_own_names() -> None:
    import accounts.models
    import core.validators

    assert Path(core.validators.__file__).parent.parent.name == "platform"
    assert accounts.models.User._meta.app_label == "accounts"
