"""Dunning: once a lapsed subscription's grace period is over, the tenant's host is read-only.

Reads keep working; unsafe methods answer 402 ``tenant_read_only``, except what is needed to pay
(billing, logging in and out). The Stripe webhook answers on the platform host, never here."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from subscriptions.selectors import subscription_of_cached, subscription_state

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
ALWAYS_ALLOWED = ("/api/v1/billing/", "/api/v1/auth/")


class TenantReadOnlyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if (
            request.method not in SAFE_METHODS
            and tenant is not None
            and tenant.schema_name != "public"
            and not request.path.startswith(ALWAYS_ALLOWED)
        ):
            state = subscription_state(subscription_of_cached(tenant.pk))
            if state.read_only:
                return JsonResponse(
                    {
                        "code": "tenant_read_only",
                        "message": "订阅已逾期，系统处于只读模式：可以查看数据，付款后即可恢复修改。",
                        "fields": {},
                    },
                    status=402,
                )
        return self.get_response(request)
