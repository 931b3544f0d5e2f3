from decimal import Decimal

from django.db import migrations

PLANS = [
    ("basic", "基础版", Decimal("299.00"), 10, 500, 1024, 1),
    ("pro", "专业版", Decimal("999.00"), 100, 10000, 10240, 2),
    ("enterprise", "旗舰版", Decimal("2999.00"), 0, 0, 0, 3),
]


def add_plans(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    Plan = apps.get_model("subscriptions", "Plan")
    for code, name, price, agents, customers, storage, sort in PLANS:
        Plan.objects.get_or_create(
            code=code,
            defaults={"name": name, "price_monthly": price, "max_agents": agents, "max_customers": customers,
                      "max_storage_mb": storage, "trial_days": 14, "sort": sort},
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0001_initial")]

    operations = [migrations.RunPython(add_plans, migrations.RunPython.noop)]
