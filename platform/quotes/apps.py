from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "quotes"
    verbose_name = "报价与保单"

    def ready(self) -> None:
        # The quote and policy activities feed the customer butler (客户管家).
        from quotes import butler  # noqa: F401
