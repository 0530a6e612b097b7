"""Every row has its uid now (see 0007): make it required and unique like every SensitiveModel's."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("recipients", "0007_seal_existing_rows")]

    operations = [
        migrations.AlterField(
            model_name="needsassessment",
            name="uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
