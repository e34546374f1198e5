"""A second number per organisation, for its closures per quarter (``CountsVersion``).

The overview counts each organisation's items (from the item facts) and its closures per
quarter (from the status history) as one part, cached under the organisation's version. Any
status change moved that version, so after an item was started, submitted or returned, the
overview read the organisation's closures of three years again (12-30 ms for a large force)
although none had changed. The closures are now cached under ``closures_version``, which moves
only when a closure is added to the history of one of the organisation's items, or an item is
added, removed, moved to or from it or to another report, or its report's publication changes
(which closures count is the published reports' at the time); and a status change no longer moves ``version`` by
itself, as every one that changes a count also changes the item's facts.
"""

import importlib

from django.db import migrations, models

PREVIOUS = importlib.import_module("recommendations.migrations.0018_counts_versions")

NUMBER = (
    "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint * 1000"
    " + mod(nextval('recommendations_countsversion_seq'), 1000)"
)


def bump_function(name, column):
    """SQL: the function ``name`` that gives each of its organisations a fresh number in
    ``column``. A new organisation's row gets it in both columns: a fresh number, never the
    column's default, which every database would share (the cache outlives a database made
    again for tests). Only this migration's own names go in."""
    return f"""
    CREATE OR REPLACE FUNCTION {name}(organisation_ids bigint[])
    RETURNS void AS $$
        INSERT INTO recommendations_countsversion (organisation_id, version, closures_version)
        SELECT o.id, n.number, n.number
        FROM (SELECT DISTINCT unnest(organisation_ids) AS id) o
        CROSS JOIN LATERAL (SELECT {NUMBER} AS number) n
        WHERE o.id IS NOT NULL
        ORDER BY o.id
        ON CONFLICT (organisation_id) DO UPDATE SET {column} = EXCLUDED.{column};
    $$ LANGUAGE sql;
    """  # noqa: S608


BUMP = bump_function("recommendations_counts_bump", "version") + bump_function(
    "recommendations_closures_bump", "closures_version"
)

# The closed statuses as this migration was written (as migration 0018's partial index has them).
CLOSED = (
    "'closed_complete', 'closed_no_longer_relevant', 'closed_not_implemented', 'closed_superseded'"
)

CLOSED_ITEMS_ORGANISATIONS = (
    "SELECT a.organisation_id FROM recommendations_item a WHERE a.id IN"  # noqa: S608
    f" (SELECT item_id FROM new_rows WHERE to_status IN ({CLOSED}))"
)

# Items whose closures now count elsewhere or no longer (or now) count: moved to another body
# or report, or their report published, its publication moved or withdrawn.
MOVED = (
    "new_rows n JOIN old_rows o ON o.item_id = n.item_id"
    " WHERE n.organisation_id <> o.organisation_id OR n.inspection_id <> o.inspection_id"
    " OR n.published_at IS DISTINCT FROM o.published_at"
)

# The bodies such items leave and join (only this module's SQL).
MOVED_ORGANISATIONS = (
    "SELECT n.organisation_id FROM " + MOVED + " UNION SELECT o.organisation_id FROM " + MOVED  # noqa: S608
)

# (table, event, {bump function: the organisations whose numbers the statement may have
# changed}): the bodies of migration 0018's trigger functions, replaced.
TRIGGERS = [
    (
        "recommendations_itemfacts",
        "INSERT",
        {
            "recommendations_counts_bump": "SELECT organisation_id FROM new_rows",
            "recommendations_closures_bump": "SELECT organisation_id FROM new_rows",
        },
    ),
    (
        "recommendations_itemfacts",
        "UPDATE",
        {
            "recommendations_counts_bump": (
                "SELECT organisation_id FROM new_rows UNION SELECT organisation_id FROM old_rows"
            ),
            "recommendations_closures_bump": MOVED_ORGANISATIONS,
        },
    ),
    (
        "recommendations_itemfacts",
        "DELETE",
        {
            "recommendations_counts_bump": "SELECT organisation_id FROM old_rows",
            "recommendations_closures_bump": "SELECT organisation_id FROM old_rows",
        },
    ),
    (
        "recommendations_statuschange",
        "INSERT",
        {
            "recommendations_closures_bump": (CLOSED_ITEMS_ORGANISATIONS),
        },
    ),
]


def trigger_function(table, event, bumps):
    """SQL: the trigger function of ``table`` for ``event`` calling each of ``bumps``."""
    calls = "\n".join(
        f"PERFORM {function}(ARRAY({organisation_ids})::bigint[]);"
        for function, organisation_ids in bumps.items()
    )
    # Only migrations' own SQL goes in, never input.
    return f"""
    CREATE OR REPLACE FUNCTION {PREVIOUS.trigger_name(table, event)}() RETURNS trigger AS $$
    BEGIN
        {calls}
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """


def replace_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(BUMP)
    for table, event, bumps in TRIGGERS:
        schema_editor.execute(trigger_function(table, event, bumps))
    # Every organisation's closures are counted again once, under a number of their own.
    schema_editor.execute("UPDATE recommendations_countsversion SET closures_version = version")


def restore_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Migration 0018's functions again (its bump names the version column only).
    schema_editor.execute(PREVIOUS.BUMP)
    replaced = {(table, event) for table, event, _bumps in TRIGGERS}
    for table, event, organisation_ids in PREVIOUS.TRIGGERS:
        if (table, event) in replaced:
            bumps = {"recommendations_counts_bump": organisation_ids}
            schema_editor.execute(trigger_function(table, event, bumps))
    schema_editor.execute("DROP FUNCTION IF EXISTS recommendations_closures_bump(bigint[])")


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0019_search_document_names_in_order"),
    ]

    operations = [
        migrations.AddField(
            model_name="countsversion",
            name="closures_version",
            field=models.BigIntegerField(db_default=0, default=0),
        ),
        migrations.RunPython(replace_triggers, restore_triggers),
    ]
