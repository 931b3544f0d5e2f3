from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = "订阅与计费"

    def ready(self) -> None:
        from core.limits import limit_checks_register
        from subscriptions.limits import LIMIT_CHECKS

        limit_checks_register(LIMIT_CHECKS)
