"""Rows written before encryption: fill the new uid and seal the values still held in clear."""

from django.db import migrations

from shegong.core.management.sealing import seal_existing_rows


def seal(apps, schema_editor):
    seal_existing_rows(
        schema_editor.connection, "recipients_recipient", ("notes", "status_note", "risk_reason"), ()
    )
    seal_existing_rows(schema_editor.connection, "recipients_needsassessment", ("scores", "summary"), ())


class Migration(migrations.Migration):
    dependencies = [("recipients", "0006_encrypt_sensitive")]

    operations = [migrations.RunPython(seal, migrations.RunPython.noop)]
