"""Fixtures for the platform console: uploads land in a temporary media folder, DNS answers come
from a fake resolver the test fills in."""

from io import BytesIO

import pytest
from PIL import Image

from tenants.domains import Resolution
from tenants.middleware import forget_tenant_hosts


class FakeResolver:
    """DNS as the test says it is: ``FakeResolver.records[host] = Resolution(...)``."""

    records: dict[str, Resolution] = {}

    def resolve(self, hostname: str) -> Resolution | None:
        return self.records.get(hostname)


@pytest.fixture(autouse=True)
def _media_and_dns(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DOMAIN_RESOLVER = "tests.platform_console.conftest.FakeResolver"
    settings.CUSTOM_DOMAIN_TARGET = "tenants.suxinbao.cn"
    FakeResolver.records = {
        "tenants.suxinbao.cn": Resolution("tenants.suxinbao.cn", frozenset({"203.0.113.10"}))
    }
    # a test's rolled-back suspension or domain change must not linger in this process's host cache
    forget_tenant_hosts()
    yield
    forget_tenant_hosts()
    FakeResolver.records = {}


@pytest.fixture
def dns():
    return FakeResolver.records


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 64), color: str = "#C8102E") -> bytes:
    out = BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()
