"""The configurable topic list starts with the six topics of the brief; a region edits the list as data."""

from django.db import migrations

TOPICS = [
    ("case_review", "个案研讨"),
    ("skills", "专业技巧"),
    ("stress", "情绪减压"),
    ("project", "项目管理"),
    ("resources", "资源链接"),
    ("policy", "政策解读"),
]


def load(apps, schema_editor):
    Topic = apps.get_model("supervision", "Topic")
    for rank, (code, name) in enumerate(TOPICS, start=1):
        Topic.objects.update_or_create(code=code, defaults={"name": name, "rank": rank})


def remove(apps, schema_editor):
    apps.get_model("supervision", "Topic").objects.filter(code__in=[c for c, _ in TOPICS]).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunPython(load, remove)]
