"""Key figures on the report's details page: typed one a line ("label: value" or "label: value
out of N"), read back in the same form, saved through ``inspection_set_key_figures`` (logged;
a correction with its reason once published, shown on the public page), refused when stale,
and only for the inspectorates the policy allows."""

import pytest
from django.urls import reverse

from audit.models import ActionLog
from core.errors import DomainError
from inspections.models import Inspection, KeyFigure
from inspections.services import inspection_set_key_figures
from workspace.report_forms import format_key_figures, parse_key_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(hmicfrs, custody, met):
    inspection = Inspection.objects.create(
        title="Metropolitan Police Service custody 2025",
        slug="met-custody-draft",
        programme=custody,
        lead_inspectorate=hmicfrs,
        summary="Governance of the use of force is poor.",
    )
    inspection.organisations.add(met)
    return inspection


def details_url(inspection):
    return reverse("workspace:report-details", args=[inspection.pk])


def form_data(client, inspection, **overrides):
    """What the details form shows, as the person would send it back, with ``overrides``."""
    response = client.get(details_url(inspection))
    assert response.status_code == 200
    form = response.context["form"]
    data = {}
    for name in form.fields:
        if name == "partner_inspectorates":
            data[name] = [p.pk for p in form[name].value() or []]
            continue
        value = form[name].value()
        data[name] = "" if value is None else value
    return data | overrides


# Reading what was typed ---------------------------------------------------------------------


def test_good_lines_are_read_in_order_with_their_totals():
    figures, errors = parse_key_figures(
        "Custody records reviewed: 63\n"
        "\n"
        "  Detainees spoken to : 12 out of 40  \n"
        "Cases judged inadequate: 191 of 214\n"
        "Strip searches: 1,234 OUT OF 2,000\n"
        "Ratio: cells: 5"
    )
    assert errors == []
    assert figures == [
        ("Custody records reviewed", 63, None),
        ("Detainees spoken to", 12, 40),
        ("Cases judged inadequate", 191, 214),
        ("Strip searches", 1234, 2000),
        ("Ratio: cells", 5, None),
    ]


def test_blank_text_is_no_figures():
    assert parse_key_figures("") == ([], [])
    assert parse_key_figures("  \n\n") == ([], [])


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("Custody records reviewed 63", "Line 1 (“Custody records reviewed 63”): write a label"),
        ("Fine: 1\nDetainees: twelve", "Line 2 (“Detainees: twelve”): write a label"),
        ("Fine: 1\n\nDetainees: 12 out of", "Line 3 (“Detainees: 12 out of”): write a label"),
        (": 12", "Line 1 (“: 12”): write a label"),
        ("Cells: -3", "Line 1 (“Cells: -3”): write a label"),
        ("Detainees spoken to: 41 out of 40", "Line 1: 41 is more than its total 40."),
        ("Too many: 99999999999", "Line 1: the number is too large."),
    ],
)
def test_a_line_that_cannot_be_read_is_named(text, error):
    figures, errors = parse_key_figures(text)
    assert figures == ([("Fine", 1, None)] if text.startswith("Fine") else [])
    assert len(errors) == 1
    assert errors[0].startswith(error), errors


def test_figures_are_shown_back_as_they_are_typed(draft):
    typed = "Custody records reviewed: 63\nDetainees spoken to: 12 out of 40"
    figures, _ = parse_key_figures(typed)
    inspection_set_key_figures(inspection=draft, figures=figures, reason="")
    assert format_key_figures(draft.figures.order_by("position")) == typed


# The service ---------------------------------------------------------------------------------


def test_the_service_replaces_the_figures_and_logs_old_and_new(draft, inspector):
    KeyFigure.objects.create(inspection=draft, label="Cells", value=20, position=0)
    diffs = inspection_set_key_figures(
        inspection=draft,
        figures=[("Cells", 21, None), ("Detainees spoken to", 12, 40)],
        user=inspector,
        reason="",
    )
    assert [str(f) for f in draft.figures.all()] == ["Cells: 21", "Detainees spoken to: 12 of 40"]
    assert [f.position for f in draft.figures.all()] == [0, 1]
    log = ActionLog.objects.get(action="inspections.inspection.edited")
    assert log.actor == inspector
    assert log.data["fields"]["key figures"] == {
        "from": ["Cells: 20"],
        "to": ["Cells: 21", "Detainees spoken to: 12 of 40"],
    }
    assert diffs == {"key figures": (["Cells: 20"], ["Cells: 21", "Detainees spoken to: 12 of 40"])}
    # The same figures again change and log nothing.
    assert (
        inspection_set_key_figures(
            inspection=draft,
            figures=[("Cells", 21, None), ("Detainees spoken to", 12, 40)],
            reason="",
        )
        == {}
    )
    assert ActionLog.objects.filter(action__startswith="inspections.inspection.").count() == 1


def test_the_service_needs_a_reason_once_published(inspection, inspector):
    with pytest.raises(DomainError, match="give the reason for the correction"):
        inspection_set_key_figures(
            inspection=inspection, figures=[("Cells", 3, None)], user=inspector, reason=" "
        )
    assert not inspection.figures.exists()


def test_the_service_refuses_a_value_above_its_total(draft):
    with pytest.raises(DomainError, match="more than its total"):
        inspection_set_key_figures(inspection=draft, figures=[("Cells", 5, 4)], reason="")
    assert not draft.figures.exists()


# The details page ----------------------------------------------------------------------------


def test_an_inspector_enters_key_figures_on_the_details_page(client, inspector, draft):
    client.force_login(inspector)
    page = client.get(details_url(draft)).content.decode()
    assert 'name="figures"' in page and "Key figures" in page
    response = client.post(
        details_url(draft),
        form_data(
            client,
            draft,
            figures="Custody records reviewed: 63\nDetainees spoken to: 12 out of 40",
        ),
    )
    assert response.status_code == 302
    assert [(f.label, f.value, f.out_of) for f in draft.figures.all()] == [
        ("Custody records reviewed", 63, None),
        ("Detainees spoken to", 12, 40),
    ]
    edited = ActionLog.objects.get(action="inspections.inspection.edited")
    assert edited.actor == inspector
    assert set(edited.data["fields"]) == {"key figures"}
    # Shown back in the same form, and in the editor's overview of the report.
    assert client.get(details_url(draft)).context["form"]["figures"].value() == (
        "Custody records reviewed: 63\nDetainees spoken to: 12 out of 40"
    )
    editor = client.get(reverse("workspace:report", args=[draft.pk])).content.decode()
    assert "Detainees spoken to: 12 out of 40" in editor


def test_a_line_that_cannot_be_read_is_an_error_that_keeps_what_was_typed(client, inspector, draft):
    KeyFigure.objects.create(inspection=draft, label="Cells", value=20, position=0)
    client.force_login(inspector)
    typed = "Cells: 21\nDetainees spoken to twelve"
    response = client.post(
        details_url(draft), form_data(client, draft, figures=typed, summary="New summary.")
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Line 2 (“Detainees spoken to twelve”): write a label" in text
    assert 'href="#id_figures"' in text  # the error summary links to the field
    assert "govuk-textarea--error" in text
    assert response.context["form"]["figures"].value() == typed
    assert response.context["form"]["summary"].value() == "New summary."
    assert [str(f) for f in draft.figures.all()] == ["Cells: 20"]
    draft.refresh_from_db()
    assert draft.summary == "Governance of the use of force is poor."


def test_emptying_the_field_removes_the_figures(client, inspector, draft):
    KeyFigure.objects.create(inspection=draft, label="Cells", value=20, position=0)
    client.force_login(inspector)
    response = client.post(details_url(draft), form_data(client, draft, figures=""))
    assert response.status_code == 302
    assert not draft.figures.exists()


def test_a_stale_form_is_refused_when_someone_changed_the_figures(client, inspector, draft):
    KeyFigure.objects.create(inspection=draft, label="Cells", value=20, position=0)
    client.force_login(inspector)
    data = form_data(client, draft, figures="Cells: 22")
    # Meanwhile someone else corrects the figure.
    inspection_set_key_figures(inspection=draft, figures=[("Cells", 21, None)], reason="")
    response = client.post(details_url(draft), data)
    assert response.status_code == 409
    assert "while you were editing them, so your change was not saved" in (
        response.content.decode()
    )
    assert response.context["form"]["figures"].value() == "Cells: 22"
    assert [str(f) for f in draft.figures.all()] == ["Cells: 21"]
    # The form now carries what is there: saving again goes through.
    again = client.post(
        details_url(draft), data | {"seen": response.context["form"]["seen"].value()}
    )
    assert again.status_code == 302
    assert [str(f) for f in draft.figures.all()] == ["Cells: 22"]


def test_a_published_reports_figures_need_a_reason_and_show_as_corrected(
    client, inspector, inspection
):
    KeyFigure.objects.create(inspection=inspection, label="Cells", value=20, position=0)
    client.force_login(inspector)
    refused = client.post(
        details_url(inspection), form_data(client, inspection, figures="Cells: 21")
    )
    assert refused.status_code == 400
    assert "Give the reason for the correction" in refused.content.decode()
    assert [str(f) for f in inspection.figures.all()] == ["Cells: 20"]

    response = client.post(
        details_url(inspection),
        form_data(
            client, inspection, figures="Cells: 21", reason="One cell was left out of the count."
        ),
    )
    assert response.status_code == 302
    assert [str(f) for f in inspection.figures.all()] == ["Cells: 21"]
    corrected = ActionLog.objects.get(action="inspections.inspection.corrected")
    assert corrected.data["fields"]["key figures"] == {"from": ["Cells: 20"], "to": ["Cells: 21"]}
    assert corrected.data["reason"] == "One cell was left out of the count."

    client.logout()
    public = client.get(reverse("public:inspection-detail", args=[inspection.slug]))
    assert public.status_code == 200
    text = public.content.decode()
    assert "Corrected on" in text and "One cell was left out of the count." in text
    assert "Cells" in text and "21" in text


# Who may -------------------------------------------------------------------------------------


@pytest.mark.parametrize("report", ["draft", "inspection"])
def test_an_inspector_of_another_inspectorate_gets_404(client, request, other_inspector, report):
    inspection = request.getfixturevalue(report)
    KeyFigure.objects.create(inspection=inspection, label="Cells", value=20, position=0)
    client.force_login(other_inspector)
    assert client.get(details_url(inspection)).status_code == 404
    response = client.post(details_url(inspection), {"figures": "Cells: 99", "reason": "No."})
    assert response.status_code == 404
    assert [str(f) for f in inspection.figures.all()] == ["Cells: 20"]


@pytest.mark.parametrize("report", ["draft", "inspection"])
def test_an_organisation_user_is_refused(client, request, met_user, report):
    inspection = request.getfixturevalue(report)
    KeyFigure.objects.create(inspection=inspection, label="Cells", value=20, position=0)
    client.force_login(met_user)
    assert client.get(details_url(inspection)).status_code == 403
    response = client.post(details_url(inspection), {"figures": "Cells: 99", "reason": "No."})
    assert response.status_code == 403
    assert [str(f) for f in inspection.figures.all()] == ["Cells: 20"]
