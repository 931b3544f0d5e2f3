"""The lock files pin every dependency pyproject.toml names, at a version its range allows, with
hashes: a dependency added to pyproject.toml without `make lock` fails here, not on a fresh machine."""

import re
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from config.paths import BASE_DIR

PROJECT = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\$", re.MULTILINE)


def pins(lock: str) -> dict[str, str]:
    text = (BASE_DIR / lock).read_text()
    found: dict[str, str] = {canonicalize_name(name): version for name, version in PIN.findall(text)}
    hashes = re.findall(r"^    --hash=sha256:", text, re.MULTILINE)
    assert text.count("==") == len(found) and len(hashes) >= len(found)  # every pin has its hashes
    return found


@pytest.mark.parametrize(
    ("lock", "declared"),
    [
        ("requirements.lock", PROJECT["dependencies"]),
        ("requirements-dev.lock", PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"]),
    ],
)
def test_the_lock_pins_every_declared_dependency_within_its_range(lock: str, declared: list[str]) -> None:
    pinned = pins(lock)
    for line in declared:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is not in {lock}: run make lock"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"{lock} pins {requirement.name}=={pinned[name]}, outside {requirement.specifier}: run make lock"
        )


def test_the_ocr_engine_is_pinned_with_its_hash_and_its_real_dependencies_are_locked() -> None:
    """rapidocr-onnxruntime is installed with --no-deps from requirements-ocr.lock (it declares the GUI
    opencv-python): everything else it declares must come from the locks, OpenCV as the headless build."""
    from importlib.metadata import requires

    text = (BASE_DIR / "requirements-ocr.lock").read_text()
    assert PIN.findall(text) == [("rapidocr-onnxruntime", "1.4.4")]
    assert len(re.findall(r"^    --hash=sha256:[0-9a-f]{64}$", text, re.MULTILINE)) == 1
    declared: set[str] = {
        canonicalize_name(Requirement(line).name) for line in requires("rapidocr-onnxruntime") or []
    }
    assert "opencv-python" in declared
    wanted = (declared - {"opencv-python", "tqdm"}) | {"opencv-python-headless"}  # tqdm: never imported
    for lock in ("requirements.lock", "requirements-dev.lock"):
        pinned = pins(lock)
        assert wanted <= set(pinned), f"{sorted(wanted - set(pinned))} missing from {lock}"
        assert "opencv-python" not in pinned
