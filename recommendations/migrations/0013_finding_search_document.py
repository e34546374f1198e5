"""A stored search document per finding, kept current by PostgreSQL triggers.

The words search used to rank with ``to_tsvector('english', text)``, parsing the text of every
matching finding on every request, and searched the finding's text only. Each finding now has
one row in ``recommendations_findingsearch`` holding everything that names it:

- ``document``: a weighted tsvector of the unaccented words (A: reference and inspection
  title; B: the addressees' names in English and Welsh, and the programme; C: the finding's
  text; D: the inspection's summary and the themes), GIN-indexed;
- ``text``: the same words lower-cased and unaccented, trigram-indexed for the misspelling
  fallback (pg_trgm).

Triggers rebuild a finding's row in the statement that changes anything it is built from, so
every door (services, the admin, imports, fixtures, the benchmark's bulk inserts) keeps it
current and nothing is computed per query. They are statement-level with transition tables:
a bulk insert of thousands of items rebuilds each finding once, not once per row. Updates that
touch no searched column (an item's status, say) cost a join of the transition tables only.

SQLite, the quick-start database, gets the table but no triggers: its search is a plain word
match over the same fields (``recommendations.filters``). The GIN index of migration 0003 on
``to_tsvector('english', text)`` served the old search only and is dropped.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations, models

REFRESH = """
CREATE OR REPLACE FUNCTION recommendations_search_refresh(finding_ids bigint[])
RETURNS void AS $$
    INSERT INTO recommendations_findingsearch (finding_id, document, text)
    SELECT
        f.id,
        setweight(to_tsvector('english', unaccent(f.reference || ' ' || i.title)), 'A')
        || setweight(to_tsvector('english', unaccent(coalesce(o.names, '') || ' ' || p.name)), 'B')
        || setweight(to_tsvector('english', unaccent(f.text)), 'C')
        || setweight(to_tsvector('english', unaccent(i.summary || ' ' || coalesce(t.names, ''))), 'D'),
        lower(unaccent(concat_ws(' ', f.reference, i.title, o.names, p.name, f.text, i.summary, t.names)))
    FROM recommendations_finding f
    JOIN inspections_inspection i ON i.id = f.inspection_id
    JOIN inspections_programme p ON p.id = i.programme_id
    LEFT JOIN LATERAL (
        SELECT string_agg(concat_ws(' ', org.name, nullif(org.name_cy, '')), ' ') AS names
        FROM inspections_organisation org
        WHERE org.id IN (SELECT a.organisation_id FROM recommendations_item a WHERE a.finding_id = f.id)
    ) o ON true
    LEFT JOIN LATERAL (
        SELECT string_agg(th.name, ' ') AS names
        FROM recommendations_theme th
        JOIN recommendations_finding_themes ft ON ft.theme_id = th.id
        WHERE ft.finding_id = f.id
    ) t ON true
    WHERE f.id = ANY(finding_ids)
    ON CONFLICT (finding_id) DO UPDATE SET document = EXCLUDED.document, text = EXCLUDED.text;
$$ LANGUAGE sql;
"""

# (table, event, the findings whose documents the statement may have changed). The transition
# tables are called new_rows and old_rows.
TRIGGERS = [
    ("recommendations_finding", "INSERT", "SELECT id FROM new_rows"),
    ("recommendations_finding", "UPDATE", "SELECT id FROM new_rows"),
    ("recommendations_item", "INSERT", "SELECT finding_id FROM new_rows"),
    ("recommendations_item", "DELETE", "SELECT finding_id FROM old_rows"),
    (
        "recommendations_item",
        "UPDATE",
        "SELECT n.finding_id FROM new_rows n JOIN old_rows o ON o.id = n.id"
        " WHERE n.organisation_id <> o.organisation_id OR n.finding_id <> o.finding_id"
        " UNION SELECT o.finding_id FROM new_rows n JOIN old_rows o ON o.id = n.id"
        " WHERE n.finding_id <> o.finding_id",
    ),
    ("recommendations_finding_themes", "INSERT", "SELECT finding_id FROM new_rows"),
    ("recommendations_finding_themes", "DELETE", "SELECT finding_id FROM old_rows"),
    (
        "recommendations_theme",
        "UPDATE",
        "SELECT ft.finding_id FROM recommendations_finding_themes ft"
        " JOIN new_rows n ON n.id = ft.theme_id JOIN old_rows o ON o.id = n.id"
        " WHERE n.name <> o.name",
    ),
    (
        "inspections_inspection",
        "UPDATE",
        "SELECT f.id FROM recommendations_finding f"
        " JOIN new_rows n ON n.id = f.inspection_id JOIN old_rows o ON o.id = n.id"
        " WHERE n.title <> o.title OR n.summary <> o.summary OR n.programme_id <> o.programme_id",
    ),
    (
        "inspections_programme",
        "UPDATE",
        "SELECT f.id FROM recommendations_finding f"
        " JOIN inspections_inspection i ON i.id = f.inspection_id"
        " JOIN new_rows n ON n.id = i.programme_id JOIN old_rows o ON o.id = n.id"
        " WHERE n.name <> o.name",
    ),
    (
        "inspections_organisation",
        "UPDATE",
        "SELECT a.finding_id FROM recommendations_item a"
        " JOIN new_rows n ON n.id = a.organisation_id JOIN old_rows o ON o.id = n.id"
        " WHERE n.name <> o.name OR n.name_cy <> o.name_cy",
    ),
]

REFERENCING = {
    "INSERT": "NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}

# Indexes, commented in the model: the words search and the misspelling fallback.
INDEXES = [
    "CREATE INDEX findingsearch_document_idx ON recommendations_findingsearch USING gin (document)",
    "CREATE INDEX findingsearch_text_trgm_idx ON recommendations_findingsearch"
    " USING gin (text gin_trgm_ops)",
]


def trigger_name(table, event):
    return f"{table}_search_{event.lower()}"


def create_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(REFRESH)
    for table, event, finding_ids in TRIGGERS:
        name = trigger_name(table, event)
        schema_editor.execute(
            f"""
            CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
            BEGIN
                PERFORM recommendations_search_refresh(ARRAY({finding_ids})::bigint[]);
                RETURN NULL;
            END;
            $$ LANGUAGE plpgsql;
            CREATE TRIGGER {name} AFTER {event} ON {table}
                REFERENCING {REFERENCING[event]}
                FOR EACH STATEMENT EXECUTE FUNCTION {name}();
            """
        )
    # A finding's row goes with it (the table has no foreign key: see the model).
    schema_editor.execute(
        """
        CREATE OR REPLACE FUNCTION recommendations_finding_search_delete() RETURNS trigger AS $$
        BEGIN
            DELETE FROM recommendations_findingsearch s USING old_rows o
            WHERE s.finding_id = o.id;
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER recommendations_finding_search_delete AFTER DELETE
            ON recommendations_finding REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION recommendations_finding_search_delete();
        """
    )
    for index in INDEXES:
        schema_editor.execute(index)
    # Fill the documents of the findings there already are.
    schema_editor.execute(
        "SELECT recommendations_search_refresh(ARRAY(SELECT id FROM recommendations_finding))"
    )
    schema_editor.execute("DROP INDEX IF EXISTS finding_text_search_idx")


def drop_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS finding_text_search_idx ON recommendations_finding"
        " USING gin (to_tsvector('english'::regconfig, COALESCE(text, '')))"
    )
    schema_editor.execute(
        "DROP TRIGGER IF EXISTS recommendations_finding_search_delete ON recommendations_finding;"
        " DROP FUNCTION IF EXISTS recommendations_finding_search_delete()"
    )
    for table, event, _ in TRIGGERS:
        name = trigger_name(table, event)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
    schema_editor.execute("DROP FUNCTION IF EXISTS recommendations_search_refresh(bigint[])")


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0012_rename_assignment_to_item"),
        ("inspections", "0003_section55_applicability_data"),
    ]

    operations = [
        # Both extensions are trusted (any database owner may create them); skipped on SQLite.
        UnaccentExtension(),
        TrigramExtension(),
        migrations.CreateModel(
            name="FindingSearch",
            fields=[
                (
                    "finding",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="search",
                        serialize=False,
                        to="recommendations.finding",
                    ),
                ),
                ("document", django.contrib.postgres.search.SearchVectorField(null=True)),
                ("text", models.TextField(default="")),
            ],
            options={"verbose_name": "finding search document"},
        ),
        migrations.RunPython(create_search, drop_search),
    ]
