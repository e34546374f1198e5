"""A version of each organisation's public counts, moved by PostgreSQL triggers (see
``CountsVersion``).

Every public count was cached under one stamp that any write moved: after one item's status
changed, the overview counted 130,000 items and read three years of status history again
(0.5-3 s at 100,000 findings). The counts are now cached per organisation under its version
(public/counts_cache.py), and a write gives a new version to the organisations it touched only:
statement-level triggers with transition tables on the item facts (which migration 0017's
triggers rewrite for any change that a count reads), on new status changes, on the search
documents (migration 0013's triggers rewrite them for any change of what a search or a theme
matches) and on a report's slug. A version is the time of the change in microseconds with a
sequence's last three digits: a number once used is not used again, even by a database restored
from a backup or made again for tests, whose sequence would count again from where it was while
the cache still holds parts under its numbers. SQLite gets the table but no triggers.

A partial index on the closures by item serves one organisation's closures per quarter, counted
again after a write to one of its items.
"""

import django.db.models.deletion
from django.db import migrations, models

BUMP = """
CREATE SEQUENCE IF NOT EXISTS recommendations_countsversion_seq;
CREATE OR REPLACE FUNCTION recommendations_counts_bump(organisation_ids bigint[])
RETURNS void AS $$
    INSERT INTO recommendations_countsversion (organisation_id, version)
    SELECT
        o.id,
        (extract(epoch FROM clock_timestamp()) * 1000000)::bigint * 1000
        + mod(nextval('recommendations_countsversion_seq'), 1000)
    FROM (SELECT DISTINCT unnest(organisation_ids) AS id) o
    WHERE o.id IS NOT NULL
    ORDER BY o.id
    ON CONFLICT (organisation_id) DO UPDATE SET version = EXCLUDED.version;
$$ LANGUAGE sql;
"""

# (table, event, the organisations whose counts the statement may have changed). The
# transition tables are called new_rows and old_rows.
TRIGGERS = [
    ("recommendations_itemfacts", "INSERT", "SELECT organisation_id FROM new_rows"),
    (
        "recommendations_itemfacts",
        "UPDATE",
        "SELECT organisation_id FROM new_rows UNION SELECT organisation_id FROM old_rows",
    ),
    ("recommendations_itemfacts", "DELETE", "SELECT organisation_id FROM old_rows"),
    (
        "recommendations_statuschange",
        "INSERT",
        "SELECT a.organisation_id FROM recommendations_item a"
        " WHERE a.id IN (SELECT item_id FROM new_rows)",
    ),
    # What a words search matches (and a theme chosen, as the documents hold the themes):
    # the addressees of the findings whose documents changed.
    (
        "recommendations_findingsearch",
        "INSERT",
        "SELECT a.organisation_id FROM recommendations_item a"
        " WHERE a.finding_id IN (SELECT finding_id FROM new_rows)",
    ),
    (
        "recommendations_findingsearch",
        "UPDATE",
        "SELECT a.organisation_id FROM recommendations_item a"
        " WHERE a.finding_id IN (SELECT finding_id FROM new_rows)",
    ),
    (
        "recommendations_findingsearch",
        "DELETE",
        "SELECT a.organisation_id FROM recommendations_item a"
        " WHERE a.finding_id IN (SELECT finding_id FROM old_rows)",
    ),
    # The browse page's "only this inspection" filter names the report by its slug.
    (
        "inspections_inspection",
        "UPDATE",
        "SELECT a.organisation_id FROM recommendations_item a"
        " JOIN recommendations_finding f ON f.id = a.finding_id"
        " JOIN new_rows n ON n.id = f.inspection_id JOIN old_rows o ON o.id = n.id"
        " WHERE n.slug IS DISTINCT FROM o.slug",
    ),
]

REFERENCING = {
    "INSERT": "NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def trigger_name(table, event):
    return f"{table}_counts_{event.lower()}"


def create_versions(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(BUMP)
    for table, event, organisation_ids in TRIGGERS:
        name = trigger_name(table, event)
        schema_editor.execute(
            f"""
            CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
            BEGIN
                PERFORM recommendations_counts_bump(ARRAY({organisation_ids})::bigint[]);
                RETURN NULL;
            END;
            $$ LANGUAGE plpgsql;
            CREATE TRIGGER {name} AFTER {event} ON {table}
                REFERENCING {REFERENCING[event]}
                FOR EACH STATEMENT EXECUTE FUNCTION {name}();
            """
        )
    # The organisations that have items already.
    schema_editor.execute(
        "SELECT recommendations_counts_bump("
        "ARRAY(SELECT DISTINCT organisation_id FROM recommendations_itemfacts))"
    )


def drop_versions(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, event, _organisation_ids in TRIGGERS:
        name = trigger_name(table, event)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
    schema_editor.execute("DROP FUNCTION IF EXISTS recommendations_counts_bump(bigint[])")
    schema_editor.execute("DROP SEQUENCE IF EXISTS recommendations_countsversion_seq")


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0005_inspection_welsh_title_summary"),
        ("recommendations", "0017_item_facts"),
    ]

    operations = [
        migrations.CreateModel(
            name="CountsVersion",
            fields=[
                (
                    "organisation",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="inspections.organisation",
                    ),
                ),
                ("version", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(create_versions, drop_versions),
        migrations.AddIndex(
            model_name="statuschange",
            index=models.Index(
                condition=models.Q(
                    (
                        "to_status__in",
                        frozenset(
                            [
                                "closed_complete",
                                "closed_not_implemented",
                                "closed_no_longer_relevant",
                                "closed_superseded",
                            ]
                        ),
                    )
                ),
                fields=["item", "changed_at"],
                include=["to_status"],
                name="statuschange_closures_idx",
            ),
        ),
    ]
