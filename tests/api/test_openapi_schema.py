"""The front end's API types come from frontend/openapi.json: it must match the code."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command


def test_committed_openapi_schema_matches_the_api(tmp_path: Path) -> None:
    generated = tmp_path / "openapi.json"
    call_command("spectacular", urlconf="api.urls_schema", format="openapi-json", file=str(generated))
    committed = Path(settings.BASE_DIR) / "frontend" / "openapi.json"
    assert json.loads(generated.read_text()) == json.loads(committed.read_text()), (
        "frontend/openapi.json is stale: run `make schema` and commit it with src/shared/api-types.ts"
    )
    paths = json.loads(committed.read_text())["paths"]
    assert "/api/v1/platform/tenants/" in paths and "/api/v1/console/summary/" in paths
