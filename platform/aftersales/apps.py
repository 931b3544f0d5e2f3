from django.apps import AppConfig


class AftersalesConfig(AppConfig):
    name = "aftersales"
    verbose_name = "售后服务"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Service visits feed the customer butler (客户管家).
        # The tenant's staff each step pushes to (aftersales.services._staff_ids) are cached.
        from django.db.models.signals import post_delete, post_save

        from accounts.models import Membership
        from aftersales import butler  # noqa: F401
        from aftersales.services import staff_forget

        def forget(sender: type, instance: Membership, **kwargs: object) -> None:
            staff_forget(instance.tenant_id)

        post_save.connect(forget, sender=Membership, weak=False, dispatch_uid="aftersales-staff")
        post_delete.connect(forget, sender=Membership, weak=False, dispatch_uid="aftersales-staff-gone")
