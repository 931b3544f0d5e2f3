from django.apps import AppConfig


class CommissionsConfig(AppConfig):
    name = "commissions"
    verbose_name = "返利分成与结算"

    def ready(self) -> None:
        # Sales become ledger entries as soon as they commit (the beat task catches up on failures).
        from commissions import receivers  # noqa: F401
