from django.db import migrations


def forwards(apps, schema_editor):
    from shegong.people.ladders import install_presets

    install_presets(apps.get_model("people", "PayLadder"), apps.get_model("people", "PayPost"))


class Migration(migrations.Migration):
    dependencies = [("people", "0002_hours_activity_and_ladders")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
