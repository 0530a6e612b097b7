"""Partition the visits by month on PostgreSQL (docs/adr/0010); SQLite keeps the plain table.

The visit table becomes RANGE-partitioned on ``visited_at`` with (id, visited_at) as its primary key; Django keeps
``id`` as the model's key. Idempotency keys stay unique across months through ``visits_visitkey``, claimed by a
trigger. The foreign keys from photos and requests to visits become triggers (Django's view: ``db_constraint=False``).
"""

from django.db import migrations, models

from shegong.core import partitioning

KEY_TRIGGERS = """
CREATE OR REPLACE FUNCTION shegong_visit_key_claim() RETURNS trigger LANGUAGE plpgsql AS $$
-- One visit per idempotency key in the whole table, whichever month it lies in. A visit that moves to another
-- month (its visited_at corrected) keeps its key; any other row with a claimed key is a unique violation.
BEGIN
    INSERT INTO visits_visitkey AS k (idempotency_key, visit_id, visited_at)
    VALUES (NEW.idempotency_key, NEW.id, NEW.visited_at)
    ON CONFLICT (idempotency_key) DO UPDATE SET visited_at = EXCLUDED.visited_at
    WHERE k.visit_id = EXCLUDED.visit_id;
    IF NOT FOUND THEN
        RAISE unique_violation USING
            MESSAGE = format('duplicate key value violates unique constraint "visits_visitkey_pkey": %s',
                             NEW.idempotency_key),
            CONSTRAINT = 'visits_visitkey_pkey';
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.idempotency_key IS DISTINCT FROM NEW.idempotency_key THEN
        DELETE FROM visits_visitkey WHERE idempotency_key = OLD.idempotency_key AND visit_id = OLD.id;
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION shegong_visit_key_release() RETURNS trigger LANGUAGE plpgsql AS $$
-- A deleted visit frees its key, unless the row only moved to another month's partition.
BEGIN
    DELETE FROM visits_visitkey k
    WHERE k.idempotency_key = OLD.idempotency_key AND k.visit_id = OLD.id
      AND NOT EXISTS (SELECT 1 FROM visits_visit v WHERE v.id = OLD.id);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION shegong_visit_key_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM visits_visitkey;
    RETURN NULL;
END
$$;

INSERT INTO visits_visitkey (idempotency_key, visit_id, visited_at)
SELECT idempotency_key, id, visited_at FROM visits_visit;

CREATE TRIGGER visits_visit_key_claim BEFORE INSERT OR UPDATE OF idempotency_key, visited_at ON visits_visit
    FOR EACH ROW EXECUTE FUNCTION shegong_visit_key_claim();
CREATE TRIGGER visits_visit_key_release AFTER DELETE ON visits_visit
    FOR EACH ROW EXECUTE FUNCTION shegong_visit_key_release();
CREATE TRIGGER visits_visit_key_clear AFTER TRUNCATE ON visits_visit
    FOR EACH STATEMENT EXECUTE FUNCTION shegong_visit_key_clear();
"""


def partition(apps, schema_editor):
    if not partitioning.enabled(schema_editor.connection):
        return
    references = partitioning.convert(schema_editor, "visits_visit", "visited_at")
    partitioning.guard_references(schema_editor, "visits_visit", references)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(KEY_TRIGGERS)


def refuse_on_postgresql(apps, schema_editor):
    if partitioning.enabled(schema_editor.connection):
        raise RuntimeError("the visit table stays partitioned: restore a backup taken before this migration")


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0005_photo_draft"),
        # Requests refer to visits: their foreign key must exist before it is turned into a trigger.
        ("demands", "0002_default_catalogue"),
    ]

    operations = [
        migrations.CreateModel(
            name="VisitKey",
            fields=[
                ("idempotency_key", models.UUIDField(primary_key=True, serialize=False)),
                ("visit_id", models.BigIntegerField()),
                ("visited_at", models.DateTimeField(db_index=True)),
            ],
            options={"required_db_vendor": "postgresql"},
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="visitphoto",
                    name="visit",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=models.deletion.CASCADE,
                        related_name="photos",
                        to="visits.visit",
                    ),
                ),
            ]
        ),
        migrations.RunPython(partition, refuse_on_postgresql),
    ]
