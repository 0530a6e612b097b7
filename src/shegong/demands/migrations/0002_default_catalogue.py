"""The shipped catalogue (8 domains, 45 items: a starting point modelled on Chengdu's, seed 003) and the national
holiday calendar of the demo year; regions edit their own copies."""

import datetime

from django.db import migrations


def load(apps, schema_editor):
    from shegong.demands.defaults import CATALOGUE, HOLIDAYS_2026

    Domain = apps.get_model("demands", "CatalogueDomain")
    Item = apps.get_model("demands", "CatalogueItem")
    Holiday = apps.get_model("demands", "Holiday")
    for position, (code, name, items) in enumerate(CATALOGUE):
        domain, _ = Domain.objects.update_or_create(
            region=None, code=code, defaults={"name": name, "position": position}
        )
        for index, (item_code, item_name, urgency, receivers, keywords, description) in enumerate(items):
            Item.objects.update_or_create(
                domain=domain,
                code=item_code,
                defaults={
                    "name": item_name,
                    "default_urgency": urgency,
                    "receivers": list(receivers),
                    "keywords": keywords,
                    "description": description,
                    "position": index,
                },
            )
    for day, working, name in HOLIDAYS_2026:
        Holiday.objects.update_or_create(
            region=None, day=datetime.date.fromisoformat(day), defaults={"working": working, "name": name}
        )


class Migration(migrations.Migration):
    dependencies = [("demands", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
