from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "政策推送与消息"

    def ready(self) -> None:
        # Business events become inbox messages as soon as they commit (the beat task catches up).
        from notices import receivers  # noqa: F401
