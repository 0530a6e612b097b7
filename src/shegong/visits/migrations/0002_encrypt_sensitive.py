# Sensitive columns move to encrypted storage; the new uid is nullable until 03 fills it.

import shegong.core.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="visitphoto",
            name="uid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="visit",
            name="findings",
            field=shegong.core.fields.EncryptedJSONField(blank=True, default=dict, verbose_name="探访发现"),
        ),
        migrations.AlterField(
            model_name="visit",
            name="follow_up",
            field=shegong.core.fields.EncryptedField(blank=True, default="", verbose_name="后续跟进"),
        ),
        migrations.AlterField(
            model_name="visit",
            name="needs_found",
            field=shegong.core.fields.EncryptedField(blank=True, default="", verbose_name="发现需求"),
        ),
        migrations.AlterField(
            model_name="visitphoto",
            name="data",
            field=shegong.core.fields.EncryptedBinaryField(),
        ),
    ]
