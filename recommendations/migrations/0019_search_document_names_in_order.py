"""The names in a finding's search document in a fixed order.

Migration 0016's function joined the addressees' names and the themes with ``string_agg``
and no ORDER BY, so the names came in whatever order the plan met them: the same finding could
get a document with its words at other positions after ANALYZE, or on another server, and a
phrase search or a rank could then differ from one rebuild to the next. The names now come in
the order of their characters' code points (``COLLATE "C"``: the same on every server, whatever
its locale; the id breaks ties), and every document is written again once.
"""

import importlib

from django.db import migrations

PREVIOUS = importlib.import_module("recommendations.migrations.0016_welsh_text_searched")

ORDERED_NAMES = {
    "string_agg(concat_ws(' ', org.name, nullif(org.name_cy, '')), ' ')": (
        "string_agg(concat_ws(' ', org.name, nullif(org.name_cy, '')), ' '"
        ' ORDER BY org.name COLLATE "C", org.id)'
    ),
    "string_agg(th.name, ' ')": "string_agg(th.name, ' ' ORDER BY th.name COLLATE \"C\", th.id)",
}


def ordered(refresh):
    for unordered, in_order in ORDERED_NAMES.items():
        if unordered not in refresh:
            raise ValueError(f"migration 0016's function no longer holds {unordered}")
        refresh = refresh.replace(unordered, in_order)
    return refresh


REFRESH = ordered(PREVIOUS.REFRESH)
REBUILD = "SELECT recommendations_search_refresh(ARRAY(SELECT id FROM recommendations_finding))"


def names_in_order(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REFRESH)
        schema_editor.execute(REBUILD)


def names_as_met(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS.REFRESH)


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0018_counts_versions")]

    operations = [migrations.RunPython(names_in_order, names_as_met)]
