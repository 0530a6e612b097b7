"""Partition the volunteer hours by the month of ``served_on`` on PostgreSQL (docs/adr/0010); SQLite keeps the plain
table.

The hours table becomes RANGE-partitioned on ``served_on`` with (id, served_on) as its primary key; Django keeps
``id`` as the model's key. The hours carry no unique key besides ``id``, and no table refers to them.
"""

from django.db import migrations

from shegong.core import partitioning


def partition(apps, schema_editor):
    if not partitioning.enabled(schema_editor.connection):
        return
    references = partitioning.convert(schema_editor, "people_volunteerhours", "served_on")
    partitioning.guard_references(schema_editor, "people_volunteerhours", references)


def refuse_on_postgresql(apps, schema_editor):
    if partitioning.enabled(schema_editor.connection):
        raise RuntimeError("the hours table stays partitioned: restore a backup taken before this migration")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_supervisors"),
    ]

    operations = [
        migrations.RunPython(partition, refuse_on_postgresql),
    ]
