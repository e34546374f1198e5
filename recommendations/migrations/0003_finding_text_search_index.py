"""A GIN index for the words search of the browse page, on PostgreSQL only.

It indexes exactly the expression ``recommendations.filters.finding_search_vector()`` builds,
``to_tsvector('english', COALESCE(text, ''))``, so the search uses it. SQLite, the quick-start
database, has no full-text search of this kind and gets no index; the model does not declare it
so that SQLite migrations stay valid.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX = GinIndex(SearchVector("text", config="english"), name="finding_text_search_idx")


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("recommendations", "Finding"), INDEX)


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("recommendations", "Finding"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0002_history_append_only")]

    operations = [migrations.RunPython(add_index, remove_index)]
