from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "商品与礼包"

    def ready(self) -> None:
        # Issued policies bring the gift packs the tenant's rules attach to them.
        from catalog import receivers  # noqa: F401
