"""Partition the intervention notes by the month of ``noted_on`` on PostgreSQL (docs/adr/0010); SQLite keeps the
plain table.

The note table becomes RANGE-partitioned on ``noted_on`` with (id, noted_on) as its primary key and ``uid`` unique
per month; Django keeps ``id`` as the model's key. Idempotency keys stay unique across months through
``cases_interventionnotekey``, claimed by a trigger. No table refers to the notes.
"""

from django.db import migrations, models

from shegong.core import partitioning

KEY_TRIGGERS = """
CREATE OR REPLACE FUNCTION shegong_note_key_claim() RETURNS trigger LANGUAGE plpgsql AS $$
-- One note per idempotency key in the whole table, whichever month it lies in. A note whose date moves it to
-- another month keeps its key; any other row with a claimed key is a unique violation.
BEGIN
    INSERT INTO cases_interventionnotekey AS k (idempotency_key, note_id, noted_on)
    VALUES (NEW.idempotency_key, NEW.id, NEW.noted_on)
    ON CONFLICT (idempotency_key) DO UPDATE SET noted_on = EXCLUDED.noted_on
    WHERE k.note_id = EXCLUDED.note_id;
    IF NOT FOUND THEN
        RAISE unique_violation USING
            MESSAGE = format('duplicate key value violates unique constraint "cases_interventionnotekey_pkey": %s',
                             NEW.idempotency_key),
            CONSTRAINT = 'cases_interventionnotekey_pkey';
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.idempotency_key IS DISTINCT FROM NEW.idempotency_key THEN
        DELETE FROM cases_interventionnotekey WHERE idempotency_key = OLD.idempotency_key AND note_id = OLD.id;
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION shegong_note_key_release() RETURNS trigger LANGUAGE plpgsql AS $$
-- A deleted note frees its key, unless the row only moved to another month's partition.
BEGIN
    DELETE FROM cases_interventionnotekey k
    WHERE k.idempotency_key = OLD.idempotency_key AND k.note_id = OLD.id
      AND NOT EXISTS (SELECT 1 FROM cases_interventionnote n WHERE n.id = OLD.id);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION shegong_note_key_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM cases_interventionnotekey;
    RETURN NULL;
END
$$;

INSERT INTO cases_interventionnotekey (idempotency_key, note_id, noted_on)
SELECT idempotency_key, id, noted_on FROM cases_interventionnote;

CREATE TRIGGER cases_interventionnote_key_claim
    BEFORE INSERT OR UPDATE OF idempotency_key, noted_on ON cases_interventionnote
    FOR EACH ROW EXECUTE FUNCTION shegong_note_key_claim();
CREATE TRIGGER cases_interventionnote_key_release AFTER DELETE ON cases_interventionnote
    FOR EACH ROW EXECUTE FUNCTION shegong_note_key_release();
CREATE TRIGGER cases_interventionnote_key_clear AFTER TRUNCATE ON cases_interventionnote
    FOR EACH STATEMENT EXECUTE FUNCTION shegong_note_key_clear();
"""


def partition(apps, schema_editor):
    if not partitioning.enabled(schema_editor.connection):
        return
    references = partitioning.convert(schema_editor, "cases_interventionnote", "noted_on")
    partitioning.guard_references(schema_editor, "cases_interventionnote", references)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(KEY_TRIGGERS)


def refuse_on_postgresql(apps, schema_editor):
    if partitioning.enabled(schema_editor.connection):
        raise RuntimeError("the note table stays partitioned: restore a backup taken before this migration")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_case_project"),
    ]

    operations = [
        migrations.CreateModel(
            name="InterventionNoteKey",
            fields=[
                ("idempotency_key", models.UUIDField(primary_key=True, serialize=False)),
                ("note_id", models.BigIntegerField()),
                ("noted_on", models.DateField(db_index=True)),
            ],
            options={"required_db_vendor": "postgresql"},
        ),
        migrations.RunPython(partition, refuse_on_postgresql),
    ]
