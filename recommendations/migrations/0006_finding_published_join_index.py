"""A covering index for the join that keeps public counts to published items.

Every public count (the overview, an organisation's page, the browse page's total and its nine
facet counts) keeps only published items with::

    FROM recommendations_assignment a
    JOIN recommendations_finding f ON a.finding_id = f.id
    JOIN inspections_inspection i ON f.inspection_id = i.id
    WHERE i.published_at <= now()
    GROUP BY f.kind, a.status   -- or a.organisation_id, o.slug, ...

PostgreSQL hashes every finding for that join. From this index, which holds the id, the
inspection and the kind, it reads them with an index-only scan of a few megabytes instead of the
table and its long texts. At 100,000 findings (``make benchmark``, medians) the browse page went
from 650 to 480 ms, the overview from 230 to 180 ms and one organisation's browse page from 290 to
190 ms; the feeds, which read whole findings, are unchanged.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0005_finding_reference_upper_index")]

    operations = [
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(
                fields=["id", "inspection", "kind"], name="finding_published_join_idx"
            ),
        ),
    ]
