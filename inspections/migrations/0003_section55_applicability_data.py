"""Section 55 only where the law puts it: HMICFRS inspects police forces under section 54 of
the Police Act 1996, and the police programmes are those whose reports start the clock. Then
the awaited responses (not received, no statements) of reports the rule no longer covers
(a coroner's report, another inspectorate's report alone, a fire and rescue inspection) go."""

from django.db import migrations
from django.db.models import Exists, OuterRef, Q

S54_INSPECTORATES = ["hmicfrs"]
# The police programmes (ProgrammeKind values): not fire and rescue, not "other".
POLICE_PROGRAMME_KINDS = [
    "peel",
    "police_custody",
    "child_protection",
    "joint_targeted_area",
    "thematic",
    "crime_data_integrity",
]


def set_applicability(apps, schema_editor):
    Inspectorate = apps.get_model("inspections", "Inspectorate")
    Programme = apps.get_model("inspections", "Programme")
    Inspection = apps.get_model("inspections", "Inspection")
    Section55Response = apps.get_model("recommendations", "Section55Response")
    Section55Statement = apps.get_model("recommendations", "Section55Statement")

    Inspectorate.objects.filter(slug__in=S54_INSPECTORATES).update(
        inspects_under_police_act_s54=True
    )
    Programme.objects.filter(kind__in=POLICE_PROGRAMME_KINDS).update(section55_applies=True)

    partner_s54 = Inspection.partner_inspectorates.through.objects.filter(
        inspection_id=OuterRef("pk"), inspectorate__inspects_under_police_act_s54=True
    )
    applies = Inspection.objects.filter(
        Q(lead_inspectorate__inspects_under_police_act_s54=True) | Exists(partner_s54),
        programme__section55_applies=True,
    )
    Section55Response.objects.filter(received_on__isnull=True).exclude(
        inspection__in=applies.values("pk")
    ).exclude(Exists(Section55Statement.objects.filter(response_id=OuterRef("pk")))).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0002_section55_applicability"),
        ("recommendations", "0006_finding_published_join_index"),
    ]

    operations = [migrations.RunPython(set_applicability, migrations.RunPython.noop)]
