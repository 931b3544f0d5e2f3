"""The insurers every tenant can work with, and their sample 家庭自用汽车 tables."""

from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from directory.catalog import seed_rows

    Insurer = apps.get_model("directory", "Insurer")
    InsurerRatingTable = apps.get_model("directory", "InsurerRatingTable")
    for row in seed_rows():
        fields = dict(row["insurer"])
        insurer, _ = Insurer.objects.update_or_create(code=fields.pop("code"), defaults=fields)
        for table in row["tables"]:
            InsurerRatingTable.objects.update_or_create(
                insurer=insurer, use=table["use"], defaults={"name": table["name"], "coverages": table["coverages"]}
            )


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
