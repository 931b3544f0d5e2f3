"""Every route of both URLConfs, as (path pattern, name, view, methods), against a snapshot taken
before the API was split into ``api/v1/<domain>/`` packages: moving views between modules must not
change a URL, a route name, which view answers it or which methods it allows.

Regenerate (only when a route is meant to change): ``SXB_URL_SNAPSHOT_WRITE=1 pytest this file``.
"""

import importlib
import json
import os
import re
from pathlib import Path
from typing import Any

from django.urls import Resolver404, URLPattern, URLResolver, resolve

SNAPSHOT = Path(__file__).with_name("url_snapshot.json")
URLCONFS = ("config.urls_public", "config.urls_tenant")


def walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[tuple[str, str, Any]]:
    out: list[tuple[str, str, Any]] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            out += walk(
                entry.url_patterns,
                prefix + str(entry.pattern),
                f"{namespace}{ns}:" if ns else namespace,
            )
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else ""
            out.append((prefix + str(entry.pattern), name, entry.callback))
    return out


def describe(callback: Any) -> dict[str, Any]:
    cls = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if cls is None:
        return {"view": getattr(callback, "__name__", repr(callback)), "methods": None}
    methods = sorted(
        m.upper() for m in cls.http_method_names if m not in ("options", "head") and hasattr(cls, m)
    )
    return {"view": cls.__name__, "methods": methods}


SAMPLES = {"int": "7", "str": "abc", "uuid": "6f1c2a3e-0000-4000-8000-000000000001", "path": "a/b.png"}


def resolves_to(pattern: str, conf: str) -> str:
    """The route a sample URL of this pattern lands on: guards against a reordering that would let
    one route shadow another."""
    if pattern.startswith("^"):
        return "(regex)"
    sample = re.sub(r"<(\w+):\w+>", lambda m: SAMPLES[m.group(1)], pattern)
    try:
        match = resolve("/" + sample, urlconf=conf)
    except Resolver404:
        return "(404)"
    return match.view_name


def routes() -> dict[str, list[str]]:
    result = {}
    for conf in URLCONFS:
        module = importlib.import_module(conf)
        lines = []
        for path, name, callback in walk(module.urlpatterns):
            d = describe(callback)
            methods = ",".join(d["methods"]) if d["methods"] is not None else "-"
            lines.append(f"{path} | {name} | {d['view']} | {methods} | -> {resolves_to(path, conf)}")
        # Order inside a URLConf may change with the split; what a URL resolves to may not.
        result[conf] = sorted(lines)
    return result


def test_every_route_is_as_in_the_snapshot() -> None:
    now = routes()
    if os.environ.get("SXB_URL_SNAPSHOT_WRITE"):
        SNAPSHOT.write_text(json.dumps(now, ensure_ascii=False, indent=0) + "\n")
    expected = json.loads(SNAPSHOT.read_text())
    assert len(expected["config.urls_tenant"]) > 150
    for conf in URLCONFS:
        assert now[conf] == expected[conf], conf
