"""Django's view of the request → visit reference: no database constraint (visits are partitioned on PostgreSQL,
where a trigger installed by visits 0006 checks it instead; docs/adr/0010)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("demands", "0003_request_idempotency_key"),
        ("visits", "0006_partition_visits"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="demandrequest",
                    name="visit",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="visits.visit",
                    ),
                ),
            ]
        ),
    ]
