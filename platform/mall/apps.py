from django.apps import AppConfig


class MallConfig(AppConfig):
    name = "mall"
    verbose_name = "网上商城"
