from django.apps import AppConfig


class AftersalesConfig(AppConfig):
    name = "aftersales"
    verbose_name = "售后服务"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Service visits feed the customer butler (客户管家).
        from aftersales import butler  # noqa: F401
