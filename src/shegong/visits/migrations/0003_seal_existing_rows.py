"""Rows written before encryption: fill the new uid and seal the values still held in clear."""

from django.db import migrations

from shegong.core.management.sealing import seal_existing_rows


def seal(apps, schema_editor):
    seal_existing_rows(schema_editor.connection, "visits_visit", ("findings", "needs_found", "follow_up"), ())
    seal_existing_rows(schema_editor.connection, "visits_visitphoto", (), ("data",))


class Migration(migrations.Migration):
    dependencies = [("visits", "0002_encrypt_sensitive")]

    operations = [migrations.RunPython(seal, migrations.RunPython.noop)]
