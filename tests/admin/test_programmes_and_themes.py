"""Programmes and themes in the admin: one used only by another inspectorate's embargoed
report is invisible (its pages answer 404, no list, filter, choice or autocomplete names it),
while a new one, used by no report yet, stays usable by every inspector who writes reports."""

import re
import warnings

import pytest
from django.core.paginator import UnorderedObjectListWarning
from django.urls import reverse

from inspections.choices import ProgrammeKind
from inspections.models import Programme
from recommendations.models import CauseOfConcern, Theme

HUSHED = "Hushed programme"
HUSHED_THEME = "Hushed theme"


@pytest.fixture
def hushed(embargoed):
    """The HMICFRS embargoed report, moved to a programme and theme of its own."""
    programme = Programme.objects.create(
        slug="hushed", name=HUSHED, kind=ProgrammeKind.THEMATIC, section55_applies=False
    )
    embargoed.programme = programme
    embargoed.save(update_fields=["programme"])
    theme = Theme.objects.create(slug="hushed-theme", name=HUSHED_THEME)
    embargoed.findings.get().themes.add(theme)
    CauseOfConcern.objects.create(
        inspection=embargoed, reference="CoC1", text="The hushed arrangements are unsafe."
    )
    return {"programme": programme, "theme": theme}


@pytest.fixture
def fresh():
    """A programme and a theme just created, not yet used by any report."""
    return {
        "programme": Programme.objects.create(
            slug="fresh", name="Fresh programme", kind=ProgrammeKind.THEMATIC
        ),
        "theme": Theme.objects.create(slug="fresh-theme", name="Fresh theme"),
    }


def admin_url(obj, view):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])


def autocomplete(client, app_label, model_name, field_name):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": ""},
    )
    assert response.status_code == 200
    return {row["text"] for row in response.json()["results"]}


def text(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("view", ["change", "history", "delete"])
@pytest.mark.parametrize("kind", ["programme", "theme"])
def test_a_programme_or_theme_of_another_inspectorates_embargoed_report_answers_404(
    client, cqc_inspector, hushed, kind, view
):
    client.force_login(cqc_inspector)

    assert client.get(admin_url(hushed[kind], view)).status_code == 404


@pytest.mark.parametrize("kind", ["programme", "theme"])
def test_the_lead_inspectorate_sees_its_embargoed_reports_programme_and_theme(
    client, hmicfrs_inspector, hushed, kind
):
    client.force_login(hmicfrs_inspector)

    assert client.get(admin_url(hushed[kind], "change")).status_code == 200


def test_lists_filters_and_autocomplete_do_not_name_them(client, cqc_inspector, hushed, fresh):
    client.force_login(cqc_inspector)
    pages = [
        "admin:inspections_programme_changelist",
        "admin:recommendations_theme_changelist",
        "admin:inspections_inspection_changelist",
        "admin:recommendations_finding_changelist",
        "admin:recommendations_item_changelist",
    ]
    for name in pages:
        page = text(client.get(reverse(name)))
        assert HUSHED not in page and HUSHED_THEME not in page, name
    # The filters still offer what may be seen.
    assert "Fresh theme" in text(client.get(reverse("admin:recommendations_finding_changelist")))

    programmes = autocomplete(client, "inspections", "inspection", "programme")
    themes = autocomplete(client, "recommendations", "finding", "themes")

    assert HUSHED not in programmes and "Fresh programme" in programmes
    assert HUSHED_THEME not in themes and "Fresh theme" in themes


def test_a_new_programme_and_theme_stay_usable_by_every_inspector(
    client, cqc_inspector, hmicfrs_inspector, fresh, hushed
):
    for user in (cqc_inspector, hmicfrs_inspector):
        client.force_login(user)
        for kind in ("programme", "theme"):
            assert client.get(admin_url(fresh[kind], "change")).status_code == 200
        assert "Fresh programme" in text(
            client.get(reverse("admin:inspections_programme_changelist"))
        )


def test_counts_leave_out_another_inspectorates_embargoed_reports(
    client, cqc_inspector, hmicfrs_inspector, hushed
):
    def count_cell(user):
        client.force_login(user)
        page = text(client.get(reverse("admin:inspections_programme_changelist")))
        found = re.search(HUSHED + r'.*?class="field-inspection_count">(\d+)<', page, re.S)
        return found and found[1]

    assert count_cell(hmicfrs_inspector) == "1"
    assert count_cell(cqc_inspector) is None


def test_a_shared_programmes_count_is_of_the_reports_the_person_may_see(
    client, cqc_inspector, hmicfrs_inspector, embargoed, inspection
):
    """The custody programme is used by a published report and by the embargoed one."""

    def count_cell(user):
        client.force_login(user)
        page = text(client.get(reverse("admin:inspections_programme_changelist")))
        return re.search(r'Police custody.*?class="field-inspection_count">(\d+)<', page, re.S)[1]

    assert count_cell(hmicfrs_inspector) == "2"
    assert count_cell(cqc_inspector) == "1"


def test_a_new_reports_blank_finding_row_offers_no_cause_of_concern_of_another_report(
    client, cqc_inspector, hushed
):
    client.force_login(cqc_inspector)

    page = text(client.get(reverse("admin:inspections_inspection_add")))

    assert "hushed arrangements" not in page


def test_changelists_and_autocomplete_paginate_an_ordered_list(
    client, hmicfrs_inspector, hushed, fresh
):
    client.force_login(hmicfrs_inspector)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name in ("inspection", "organisation", "programme"):
            client.get(reverse(f"admin:inspections_{name}_changelist"))
        client.get(reverse("admin:recommendations_theme_changelist"))
        autocomplete(client, "inspections", "inspection", "programme")
        autocomplete(client, "recommendations", "finding", "themes")
        autocomplete(client, "inspections", "inspection", "organisations")
        autocomplete(client, "inspections", "inspection", "follows_up")

    assert not [w for w in caught if issubclass(w.category, UnorderedObjectListWarning)]
