"""Every error code the code can answer with is listed in core.error_codes (and so in the OpenAPI enum
the front end's constants are generated from), and every listed code is still raised somewhere.

mypy already refuses an unlisted literal passed to a DomainError or RatingError; this walk covers the
codes mypy cannot see: DRF exceptions raised with ``code=``, the ``{"code": ...}`` bodies middleware and
the realtime stream write themselves, ``error_body``/``error_response`` and ``Refusal``."""

import ast
from pathlib import Path

from core.error_codes import ERROR_CODES

ROOT = Path(__file__).resolve().parents[2]
AREAS = ("platform", "api", "tenants", "config", "web")
# raised by DRF itself (its exceptions' default codes reach api.errors.exception_handler)
DRF_CODES = {
    "not_authenticated", "authentication_failed", "permission_denied", "not_found", "method_not_allowed",
    "not_acceptable", "unsupported_media_type", "parse_error",
}  # fmt: skip
EXCEPTION_SUFFIXES = (
    "Error", "Failed", "Denied", "NotFound", "Conflict", "Unavailable", "Limited", "Reached", "Rejected",
    "Refusal",
)  # fmt: skip


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def codes_in_source() -> dict[str, set[str]]:
    """code -> {file:line}; `code=` of a Django/DRF ValidationError is a per-field code, not one the
    API answers with (the answer is ``invalid``), so those are left out."""
    found: dict[str, set[str]] = {}

    def add(value: ast.expr, where: str) -> None:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            found.setdefault(value.value, set()).add(where)
        elif isinstance(value, ast.IfExp):
            add(value.body, where)
            add(value.orelse, where)
        # anything else passes a code on (``code=exc.code``, ``error_body(code, …)``): it was checked
        # where it was written, by mypy (typed ErrorCode) or by this walk

    for area in AREAS:
        for path in (ROOT / area).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
                if isinstance(node, ast.Assign | ast.AnnAssign):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    if (
                        any(isinstance(t, ast.Name) and t.id == "default_code" for t in targets)
                        and node.value
                    ):
                        add(node.value, where)
                elif isinstance(node, ast.Call):
                    name = _name(node.func)
                    if name.endswith(EXCEPTION_SUFFIXES) and name != "ValidationError":
                        for keyword in node.keywords:
                            if keyword.arg == "code":
                                add(keyword.value, where)
                    if name == "Refusal" and len(node.args) > 1:
                        add(node.args[1], where)
                    if name == "error_body" and node.args:
                        add(node.args[0], where)
                    if name == "error_response" and len(node.args) > 1:
                        add(node.args[1], where)
                elif isinstance(node, ast.Dict):
                    keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
                    if "code" in keys and "message" in keys:
                        add(node.values[keys.index("code")], where)
    return found


def test_every_code_raised_is_listed() -> None:
    unlisted = {code: sorted(where) for code, where in codes_in_source().items() if code not in ERROR_CODES}
    assert unlisted == {}, "add these to core/error_codes.py and run `make schema`"


def test_every_listed_code_is_raised_somewhere() -> None:
    stale = set(ERROR_CODES) - set(codes_in_source()) - DRF_CODES
    assert stale == set(), "raised nowhere any more: remove from core/error_codes.py"


def test_the_walk_finds_the_codes_it_should() -> None:
    found = codes_in_source()
    # a class default, a keyword at a raise, a middleware body, a realtime refusal, a choice of two
    for code in (
        "plan_limit_reached",
        "slot_full",
        "tenant_read_only",
        "too_many_streams",
        "missing_tonnage",
    ):
        assert code in found, code


def test_the_schema_publishes_the_list_as_the_error_code_enum() -> None:
    import json

    schema = json.loads((ROOT / "frontend" / "openapi.json").read_text(encoding="utf-8"))
    assert schema["components"]["schemas"]["ErrorCode"]["enum"] == sorted(ERROR_CODES)
    assert schema["components"]["schemas"]["Error"]["properties"]["code"] == {
        "$ref": "#/components/schemas/ErrorCode"
    }
