from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = "订阅与计费"

    def ready(self) -> None:
        from core.limits import limit_checks_register
        from subscriptions.limits import LIMIT_CHECKS

        limit_checks_register(LIMIT_CHECKS)

        # The middleware's cached subscription (subscriptions.selectors.subscription_of_cached).
        from django.db.models.signals import post_delete, post_save

        from subscriptions.models import Subscription
        from subscriptions.selectors import subscription_forget

        def forget(sender: type, instance: Subscription, **kwargs: object) -> None:
            subscription_forget(instance.tenant_id)

        post_save.connect(forget, sender=Subscription, weak=False, dispatch_uid="subscription-cached")
        post_delete.connect(forget, sender=Subscription, weak=False, dispatch_uid="subscription-cached-gone")
