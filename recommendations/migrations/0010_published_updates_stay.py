"""What was published stays published, in the database too.

PostgreSQL refuses to delete a published progress update or the evidence of one, to add
evidence to one once published, and to change one except by withdrawing it (setting the withdrawal columns once, nothing else); the due date
history is append-only like the status history. Queryset ``update()`` and ``delete()`` do not
call the models' guards, so these triggers are what stops them. SQLite, the quick-start
database, gets no triggers: the models' guards still apply there.
"""

from django.db import migrations

KEPT_COLUMNS = (
    "assignment_id",
    "organisation_id",
    "author_id",
    "written_on",
    "narrative",
    "self_assessment",
    "is_published",
    "created_at",
    "corrects_id",
    "correction_reason",
)
NEW = ", ".join(f"NEW.{column}" for column in KEPT_COLUMNS)
OLD = ", ".join(f"OLD.{column}" for column in KEPT_COLUMNS)

CREATE = """
CREATE OR REPLACE FUNCTION recommendations_progressupdate_published_stays() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.is_published THEN
            RAISE EXCEPTION 'A published progress update cannot be deleted';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.is_published AND NOT (
        OLD.withdrawn_at IS NULL AND NEW.withdrawn_at IS NOT NULL
        AND ROW(NEW_COLUMNS) IS NOT DISTINCT FROM ROW(OLD_COLUMNS)
    ) THEN
        RAISE EXCEPTION 'A published progress update cannot be changed, only withdrawn';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER recommendations_progressupdate_published_stays
    BEFORE UPDATE OR DELETE ON recommendations_progressupdate
    FOR EACH ROW EXECUTE FUNCTION recommendations_progressupdate_published_stays();

CREATE OR REPLACE FUNCTION recommendations_evidencefile_published_stays() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (
            SELECT 1 FROM recommendations_progressupdate
            WHERE id = NEW.update_id AND is_published
        ) THEN
            RAISE EXCEPTION 'A published progress update takes no more evidence';
        END IF;
        RETURN NEW;
    END IF;
    IF EXISTS (
        SELECT 1 FROM recommendations_progressupdate
        WHERE id = OLD.update_id AND is_published
    ) THEN
        RAISE EXCEPTION 'The evidence of a published progress update cannot be changed or deleted';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER recommendations_evidencefile_published_stays
    BEFORE INSERT OR UPDATE OR DELETE ON recommendations_evidencefile
    FOR EACH ROW EXECUTE FUNCTION recommendations_evidencefile_published_stays();

CREATE OR REPLACE FUNCTION recommendations_duedatechange_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'recommendations_duedatechange is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER recommendations_duedatechange_append_only
    BEFORE UPDATE OR DELETE ON recommendations_duedatechange
    FOR EACH ROW EXECUTE FUNCTION recommendations_duedatechange_append_only();
""".replace("NEW_COLUMNS", NEW).replace("OLD_COLUMNS", OLD)

DROP = """
DROP TRIGGER IF EXISTS recommendations_progressupdate_published_stays
    ON recommendations_progressupdate;
DROP FUNCTION IF EXISTS recommendations_progressupdate_published_stays();
DROP TRIGGER IF EXISTS recommendations_evidencefile_published_stays
    ON recommendations_evidencefile;
DROP FUNCTION IF EXISTS recommendations_evidencefile_published_stays();
DROP TRIGGER IF EXISTS recommendations_duedatechange_append_only
    ON recommendations_duedatechange;
DROP FUNCTION IF EXISTS recommendations_duedatechange_append_only();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0009_progress_update_corrections_withdrawals"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
