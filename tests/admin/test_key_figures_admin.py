"""The admin's key figures inline saves through ``inspection_set_key_figures``, the report
editor's service: the same checks, and the same history record, whichever door is used."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import ActionLog
from backoffice import admin_inspections
from inspections.models import Inspection, KeyFigure
from tests.admin.conftest import change_form_data

REASON = "One cell was left out of the count."


def admin_url(inspection):
    return reverse("admin:inspections_inspection_change", args=[inspection.pk])


def editor_url(inspection):
    return reverse("workspace:report-details", args=[inspection.pk])


@pytest.fixture
def twin(inspection, met):
    """A second published report like ``inspection``: one is edited in the report editor, the
    other in the admin."""
    other = Inspection.objects.create(
        title="Metropolitan Police Service custody (second visit)",
        slug="met-custody-2025-second",
        programme=inspection.programme,
        lead_inspectorate=inspection.lead_inspectorate,
        published_at=timezone.now() - timedelta(days=10),
    )
    other.organisations.add(met)
    return other


def with_cells(*reports):
    for report in reports:
        KeyFigure.objects.create(inspection=report, label="Cells", value=20, position=0)


def edit_in_the_editor(client, inspection, figures, reason):
    form = client.get(editor_url(inspection)).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if name == "partner_inspectorates":
            value = [p.pk for p in value or []]
        data[name] = "" if value is None else value
    return client.post(editor_url(inspection), data | {"figures": figures, "reason": reason})


def edit_in_the_admin(client, inspection, rows, reason):
    """``rows``: (label, value, out_of, position) of the inline, the existing rows first."""
    data = change_form_data(client.get(admin_url(inspection)))
    existing = int(data["figures-INITIAL_FORMS"])
    data["figures-TOTAL_FORMS"] = str(max(existing, len(rows)))
    for n, (label, value, out_of, position) in enumerate(rows):
        data[f"figures-{n}-label"] = label
        data[f"figures-{n}-value"] = str(value)
        data[f"figures-{n}-out_of"] = "" if out_of is None else str(out_of)
        data[f"figures-{n}-position"] = str(position)
    data["change_reason"] = reason
    return client.post(admin_url(inspection), data)


def history(inspection):
    return [
        (log.action, log.actor, log.data)
        for log in ActionLog.objects.for_object(inspection).order_by("pk")
    ]


def figures(inspection):
    return list(inspection.figures.order_by("position").values_list("label", "value", "out_of"))


def test_an_admin_edit_is_logged_as_the_editors_is(client, hmicfrs_inspector, inspection, twin):
    with_cells(inspection, twin)
    client.force_login(hmicfrs_inspector)

    editor = edit_in_the_editor(
        client, inspection, "Cells: 21\nDetainees spoken to: 12 out of 40", REASON
    )
    admin = edit_in_the_admin(
        client, twin, [("Cells", 21, None, 0), ("Detainees spoken to", 12, 40, 1)], REASON
    )

    assert (editor.status_code, admin.status_code) == (302, 302)
    assert (
        figures(twin)
        == figures(inspection)
        == [
            ("Cells", 21, None),
            ("Detainees spoken to", 12, 40),
        ]
    )
    expected = {
        "fields": {
            "key figures": {
                "from": ["Cells: 20"],
                "to": ["Cells: 21", "Detainees spoken to: 12 of 40"],
            }
        },
        "reason": REASON,
    }
    assert (
        history(twin)
        == history(inspection)
        == [("inspections.inspection.corrected", hmicfrs_inspector, expected)]
    )


def test_the_admin_calls_the_service_instead_of_saving_the_rows(
    client, hmicfrs_inspector, inspection, monkeypatch
):
    with_cells(inspection)
    calls = []
    real = admin_inspections.inspection_set_key_figures

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(admin_inspections, "inspection_set_key_figures", spy)
    client.force_login(hmicfrs_inspector)

    response = edit_in_the_admin(
        client, inspection, [("Cells", 20, None, 1), ("Detainees spoken to", 12, 40, 0)], REASON
    )

    assert response.status_code == 302
    (call,) = calls
    # In the order of their positions, as the editor lists them.
    assert call["figures"] == [("Detainees spoken to", 12, 40), ("Cells", 20, None)]
    assert call["user"] == hmicfrs_inspector
    assert call["reason"] == REASON
    assert list(inspection.figures.values_list("label", "position")) == [
        ("Detainees spoken to", 0),
        ("Cells", 1),
    ]


def test_a_public_reports_figures_changed_in_the_admin_need_a_reason(
    client, hmicfrs_inspector, inspection
):
    with_cells(inspection)
    client.force_login(hmicfrs_inspector)

    refused = edit_in_the_admin(client, inspection, [("Cells", 21, None, 0)], "")

    assert refused.status_code == 200
    assert "is public: give the reason for the correction" in refused.content.decode()
    assert figures(inspection) == [("Cells", 20, None)]
    assert history(inspection) == []


def test_saving_the_admin_form_with_the_figures_unchanged_logs_no_figures(
    client, hmicfrs_inspector, inspection
):
    with_cells(inspection)
    client.force_login(hmicfrs_inspector)
    data = change_form_data(client.get(admin_url(inspection)))
    data["summary"] = "A new summary."
    data["change_reason"] = "The summary was incomplete."

    response = client.post(admin_url(inspection), data)

    assert response.status_code == 302
    ((action, _actor, logged),) = history(inspection)
    assert action == "inspections.inspection.corrected"
    assert set(logged["fields"]) == {"summary"}
    assert figures(inspection) == [("Cells", 20, None)]


def test_a_key_figure_given_on_a_new_report_is_saved_through_the_service(
    client, admin_user, custody, hmicfrs, met
):
    client.force_login(admin_user)
    add = reverse("admin:inspections_inspection_add")
    data = change_form_data(client.get(add))
    data.update(
        {
            "title": "Kent custody",
            "slug": "kent-custody",
            "programme": custody.pk,
            "organisations": [met.pk],
            "lead_inspectorate": hmicfrs.pk,
            "figures-TOTAL_FORMS": "1",
            "figures-0-label": "Cells",
            "figures-0-value": "8",
            "figures-0-position": "0",
        }
    )

    response = client.post(add, data)

    assert response.status_code == 302, response.content.decode()
    report = Inspection.objects.get(slug="kent-custody")
    assert figures(report) == [("Cells", 8, None)]
    ((action, actor, logged),) = history(report)
    assert (action, actor) == ("inspections.inspection.edited", admin_user)
    assert logged["fields"] == {"key figures": {"from": [], "to": ["Cells: 8"]}}
