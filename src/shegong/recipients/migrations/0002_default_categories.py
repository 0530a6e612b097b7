from django.db import migrations

from shegong.recipients.categories import DEFAULT_CATEGORIES


def load(apps, schema_editor):
    Category = apps.get_model("recipients", "Category")
    for order, (code, name, group) in enumerate(DEFAULT_CATEGORIES, start=1):
        Category.objects.get_or_create(
            code=code, defaults={"name": name, "group": group, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("recipients", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
