from django.apps import AppConfig


class MallConfig(AppConfig):
    name = "mall"
    verbose_name = "网上商城"

    def ready(self) -> None:
        # What owners buy feeds the customer butler (客户管家).
        from mall import butler  # noqa: F401
