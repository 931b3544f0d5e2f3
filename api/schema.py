"""OpenAPI post-processing: every operation documents the failures every endpoint can answer, all
in the error shape (components.schemas.Error, whose ``code`` is the enum components.schemas.ErrorCode
built from ``core.error_codes``), so clients and the schemathesis run (tests/schema/) can rely on them."""

from typing import Any

from core.error_codes import ERROR_CODES

ERROR_RESPONSES = {
    "400": ("BadRequest", "输入有误：`fields` 按字段列出问题（嵌套字段用点号，如 `vehicles.0.plate`）"),
    "401": ("Unauthorized", "未登录、令牌无效或过期，或令牌属于其他站点"),
    "403": ("Forbidden", "已登录，但角色无权执行此操作"),
    "404": ("NotFound", "对象不存在，或不属于本租户"),
    "409": ("Conflict", "当前状态不允许此操作（如已结算、已核销、未配置）"),
    "413": ("TooLarge", "请求体超过上限"),
    "429": ("TooManyRequests", "操作过于频繁；`Retry-After` 头给出等待秒数"),
    "502": ("UpstreamUnavailable", "依赖的外部服务（微信、保险公司、Stripe）暂时无法连接"),
}
METHODS = ("get", "put", "post", "patch", "delete")


def error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular POSTPROCESSING_HOOKS entry: add the error responses (by reference) to every
    operation that does not describe that status itself."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorCode"] = {
        "type": "string",
        "enum": sorted(ERROR_CODES),
        "description": "Every `code` a failure can carry (core/error_codes.py).",
    }
    schemas["Error"]["properties"]["code"] = {"$ref": "#/components/schemas/ErrorCode"}
    components = result.setdefault("components", {}).setdefault("responses", {})
    for name, description in ERROR_RESPONSES.values():
        components[name] = {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, (name, _) in ERROR_RESPONSES.items():
                if status == "413" and "requestBody" not in operation:
                    continue
                responses.setdefault(status, {"$ref": f"#/components/responses/{name}"})
    return result
