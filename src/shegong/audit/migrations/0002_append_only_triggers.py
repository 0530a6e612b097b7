"""Database triggers that keep the audit log append-only below the ORM (docs/adr/0002-audit-log-triggers.md).

UPDATE of an entry or a checkpoint is always refused; a checkpoint is deleted only by `flush`. DELETE is refused unless the connection has opened the guard
(shegong.audit.guard): for `audit prune`, and then only for entries older than 183 days; or for Django's `flush`.
PostgreSQL also refuses TRUNCATE outside `flush`. Errors are integrity violations (IntegrityError in Django).

SQLite drops a table's triggers with the table: a later migration that makes Django rebuild audit_auditevent on
SQLite (most field changes) must create these triggers again. tests/audit/test_triggers.py checks they exist.
"""

from django.db import migrations


class VendorSQL(migrations.RunSQL):
    """RunSQL on one database vendor only; nothing on the others."""

    def __init__(self, vendor, sql, reverse_sql):
        super().__init__(sql, reverse_sql)
        self.vendor = vendor

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, args, {**kwargs, "vendor": self.vendor}

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"Raw SQL on {self.vendor}"


POSTGRESQL = [
    """
    CREATE FUNCTION shegong_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF coalesce(current_setting('shegong.audit_flush', true), '') = 'on' AND TG_OP IN ('DELETE', 'TRUNCATE') THEN
            RETURN OLD;  -- NULL for TRUNCATE, which is statement level
        END IF;
        IF TG_OP = 'TRUNCATE' THEN
            RAISE EXCEPTION 'audit log is append-only: TRUNCATE refused'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF TG_OP = 'UPDATE' THEN
            RAISE EXCEPTION 'audit log is append-only: UPDATE of entry % refused', OLD.seq
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF coalesce(current_setting('shegong.audit_prune', true), '') <> 'on' THEN
            RAISE EXCEPTION 'audit log is append-only: DELETE of entry % refused outside `shegong audit prune`',
                OLD.seq USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF OLD."at" > now() - interval '183 days' THEN
            RAISE EXCEPTION 'audit entry % is younger than 6 months and cannot be pruned', OLD.seq
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END
    $$
    """,
    """
    CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
        FOR EACH ROW EXECUTE FUNCTION shegong_audit_guard()
    """,
    """
    CREATE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON audit_auditevent
        FOR EACH STATEMENT EXECUTE FUNCTION shegong_audit_guard()
    """,
]
# Checkpoints (docs/adr/0004-keyed-audit-chain.md) are never changed and never pruned; only `flush` empties them.
POSTGRESQL += [
    """
    CREATE FUNCTION shegong_audit_checkpoint_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF coalesce(current_setting('shegong.audit_flush', true), '') = 'on' AND TG_OP IN ('DELETE', 'TRUNCATE') THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit checkpoints are append-only: % refused', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_auditcheckpoint_append_only BEFORE UPDATE OR DELETE ON audit_auditcheckpoint
        FOR EACH ROW EXECUTE FUNCTION shegong_audit_checkpoint_guard()
    """,
    """
    CREATE TRIGGER audit_auditcheckpoint_no_truncate BEFORE TRUNCATE ON audit_auditcheckpoint
        FOR EACH STATEMENT EXECUTE FUNCTION shegong_audit_checkpoint_guard()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditcheckpoint_no_truncate ON audit_auditcheckpoint",
    "DROP TRIGGER IF EXISTS audit_auditcheckpoint_append_only ON audit_auditcheckpoint",
    "DROP FUNCTION IF EXISTS shegong_audit_checkpoint_guard()",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS shegong_audit_guard()",
]

SQLITE = [
    """
    CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN
        SELECT RAISE(ABORT, 'audit log is append-only: UPDATE refused');
    END
    """,
    """
    CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
    WHEN coalesce(shegong_audit_delete_mode(), '') NOT IN ('prune', 'flush')
    BEGIN
        SELECT RAISE(ABORT, 'audit log is append-only: DELETE refused outside `shegong audit prune`');
    END
    """,
    """
    CREATE TRIGGER audit_auditevent_prune_old_only BEFORE DELETE ON audit_auditevent
    WHEN shegong_audit_delete_mode() = 'prune' AND OLD."at" > datetime('now', '-183 days')
    BEGIN
        SELECT RAISE(ABORT, 'audit entries younger than 6 months cannot be pruned');
    END
    """,
]
SQLITE += [
    """
    CREATE TRIGGER audit_auditcheckpoint_no_update BEFORE UPDATE ON audit_auditcheckpoint
    BEGIN
        SELECT RAISE(ABORT, 'audit checkpoints are append-only: UPDATE refused');
    END
    """,
    """
    CREATE TRIGGER audit_auditcheckpoint_no_delete BEFORE DELETE ON audit_auditcheckpoint
    WHEN coalesce(shegong_audit_delete_mode(), '') <> 'flush'
    BEGIN
        SELECT RAISE(ABORT, 'audit checkpoints are append-only: DELETE refused');
    END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditcheckpoint_no_delete",
    "DROP TRIGGER IF EXISTS audit_auditcheckpoint_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_prune_old_only",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
]


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        VendorSQL("postgresql", POSTGRESQL, POSTGRESQL_REVERSE),
        VendorSQL("sqlite", SQLITE, SQLITE_REVERSE),
    ]
