"""Every row has its uid now (see 0003): make it required and unique like every SensitiveModel's."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("visits", "0003_seal_existing_rows")]

    operations = [
        migrations.AlterField(
            model_name="visitphoto",
            name="uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
