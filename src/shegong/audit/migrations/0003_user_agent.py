"""Every entry keeps the client's user agent beside its address.

On SQLite Django adds a NOT NULL column by rebuilding the table, which drops its triggers (see 0002): the entry
table's triggers are created again here. PostgreSQL adds the column in place and keeps them.
"""

import importlib

from django.db import migrations, models

_triggers = importlib.import_module("shegong.audit.migrations.0002_append_only_triggers")
VendorSQL = _triggers.VendorSQL
# The entry table's triggers (the checkpoint table is not rebuilt).
SQLITE_ENTRY = [sql for sql in _triggers.SQLITE if " ON audit_auditevent" in sql]
DROP = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "audit_auditevent_no_update",
        "audit_auditevent_no_delete",
        "audit_auditevent_prune_old_only",
    )
]


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        # Backwards, removing the column rebuilds the table again: this puts the triggers back after it.
        VendorSQL("sqlite", migrations.RunSQL.noop, [*DROP, *SQLITE_ENTRY]),
        migrations.AddField(
            model_name="auditevent",
            name="user_agent",
            field=models.CharField(blank=True, default="", max_length=255, verbose_name="客户端"),
        ),
        VendorSQL("sqlite", [*DROP, *SQLITE_ENTRY], DROP),
    ]
