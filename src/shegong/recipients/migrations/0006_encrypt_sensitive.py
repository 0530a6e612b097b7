# Sensitive columns move to encrypted storage; the new uid is nullable until 07 fills it.

import shegong.core.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("recipients", "0005_visit_care"),
    ]

    operations = [
        migrations.AddField(
            model_name="householdmember",
            name="id_number",
            field=shegong.core.fields.EncryptedField(blank=True, default="", verbose_name="身份证号"),
        ),
        migrations.AddField(
            model_name="needsassessment",
            name="uid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="needsassessment",
            name="scores",
            field=shegong.core.fields.EncryptedJSONField(default=dict, verbose_name="各领域得分"),
        ),
        migrations.AlterField(
            model_name="needsassessment",
            name="summary",
            field=shegong.core.fields.EncryptedField(blank=True, default="", verbose_name="评估结论"),
        ),
        migrations.AlterField(
            model_name="recipient",
            name="notes",
            field=shegong.core.fields.EncryptedField(blank=True, default="", verbose_name="备注"),
        ),
        migrations.AlterField(
            model_name="recipient",
            name="risk_reason",
            field=shegong.core.fields.EncryptedField(blank=True, default="", verbose_name="评定理由"),
        ),
        migrations.AlterField(
            model_name="recipient",
            name="status_note",
            field=shegong.core.fields.EncryptedField(blank=True, default="", verbose_name="状态说明"),
        ),
    ]
