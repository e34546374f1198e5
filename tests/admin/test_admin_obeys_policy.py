"""Side doors of the admin found after issue 9's first round, each closed and POSTed: an
inspector acting as the organisation, reference data changed around the policy, a published
report rewritten through its inlines, a section 55 draft overwritten, an Engage period edited
with no service."""

from datetime import date

import pytest
from django.urls import reverse

from audit.models import ActionLog
from inspections.choices import ProgrammeKind
from inspections.models import EngagePeriod, Inspectorate, Judgement, Organisation, Programme
from inspections.services import engage_enter, engage_leave
from recommendations.choices import Source, Status
from recommendations.models import CauseOfConcern, StatusChange, Theme
from recommendations.services import (
    item_close,
    item_start,
    item_submit_for_closure,
)
from tests.admin.conftest import change_form_data


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def page(response) -> str:
    return response.content.decode()


def actions(obj):
    return list(ActionLog.objects.for_object(obj).values_list("action", flat=True))


# 1. In the admin the inspectorate makes only its own moves --------------------------------


def _submitted(item):
    item = item_start(item=item)
    return item_submit_for_closure(item=item, note="Done, with evidence.")


def offered(client, item) -> set[str]:
    form = client.get(change_url(item)).context["adminform"].form
    return {value for value, _ in form.fields["new_status"].choices if value}


@pytest.mark.parametrize(
    ("to_status", "start"),
    [(Status.SUBMITTED, False), (Status.IN_PROGRESS, False), (Status.SUBMITTED, True)],
)
def test_an_inspector_cannot_act_as_the_organisation_in_the_admin(
    client, hmicfrs_inspector, item, to_status, start
):
    if start:
        item = item_start(item=item)
    client.force_login(hmicfrs_inspector)
    before = StatusChange.objects.count()
    data = change_form_data(client.get(change_url(item)))
    data.update(new_status=to_status, note="Done.")
    response = client.post(change_url(item), data)
    assert response.status_code == 200
    assert "new_status" in response.context["adminform"].form.errors
    refreshed = type(item).objects.get(pk=item.pk)
    assert (refreshed.status, refreshed.version) == (item.status, item.version)
    assert StatusChange.objects.count() == before


def test_the_admin_offers_the_moves_the_workspace_offers(client, hmicfrs_inspector, item):
    client.force_login(hmicfrs_inspector)
    closures_without_verifying = {
        Status.CLOSED_NOT_IMPLEMENTED,
        Status.CLOSED_SUPERSEDED,
        Status.CLOSED_NO_LONGER_RELEVANT,
    }
    assert offered(client, item) == closures_without_verifying
    item = item_start(item=item)
    assert offered(client, item) == closures_without_verifying
    item = item_submit_for_closure(item=item, note="Done.")
    assert offered(client, item) == {
        Status.IN_PROGRESS,
        Status.CLOSED_COMPLETE,
        *closures_without_verifying,
    }
    item = item_close(item=item, outcome=Status.CLOSED_COMPLETE, note="Verified.")
    assert offered(client, item) == {Status.IN_PROGRESS}


@pytest.mark.parametrize("persona", ["hmicfrs_inspector", "admin_user"])
def test_returning_a_submission_in_the_admin_is_the_inspectorates_decision(
    client, request, item, persona
):
    item = _submitted(item)
    client.force_login(request.getfixturevalue(persona))
    data = change_form_data(client.get(change_url(item)))
    data.update(new_status=Status.IN_PROGRESS, note="The evidence does not show it.")
    assert client.post(change_url(item), data).status_code == 302
    item.refresh_from_db()
    assert (item.status, item.status_source) == (
        Status.IN_PROGRESS,
        Source.INSPECTORATE,
    )


def test_bulk_closing_as_complete_needs_a_submission(client, hmicfrs_inspector, item):
    item = item_start(item=item)
    client.force_login(hmicfrs_inspector)
    response = client.post(
        reverse("admin:recommendations_item_changelist"),
        {
            "action": "close_selected",
            "_selected_action": [item.pk],
            "apply": "1",
            "outcome": Status.CLOSED_COMPLETE,
            "note": "Verified without a submission.",
            f"version-{item.pk}": item.version,
        },
    )
    assert response.status_code == 200
    assert "Only an item submitted for closure is closed as complete" in page(response)
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS


# 2. Reference data: administrators only ---------------------------------------------------


def _reference_rows(hmicfrs, kent, met, custody):
    theme = Theme.objects.create(slug="custody-theme", name="Custody theme")
    return {
        "inspectorate": (hmicfrs, {"inspects_under_police_act_s54": ""}),
        "organisation": (kent, {"successor": met.pk, "ceased_on": "2025-04-01"}),
        "programme": (custody, {"name": "Renamed programme"}),
        "theme": (theme, {"name": "Renamed theme"}),
    }


def _unchanged(kind, obj):
    obj = type(obj).objects.get(pk=obj.pk)
    return {
        "inspectorate": lambda: obj.inspects_under_police_act_s54 is True,
        "organisation": lambda: obj.successor_id is None,
        "programme": lambda: obj.name != "Renamed programme",
        "theme": lambda: obj.name != "Renamed theme",
    }[kind]()


@pytest.mark.parametrize("persona", ["hmicfrs_inspector", "cqc_inspector"])
@pytest.mark.parametrize("kind", ["inspectorate", "organisation", "programme", "theme"])
def test_an_inspector_cannot_change_reference_data_in_the_admin(
    client, request, admin_user, hmicfrs, kent, met, custody, persona, kind
):
    hmicfrs.inspects_under_police_act_s54 = True
    hmicfrs.save()
    obj, changes = _reference_rows(hmicfrs, kent, met, custody)[kind]
    client.force_login(admin_user)
    data = change_form_data(client.get(change_url(obj)))
    data.update(changes)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(change_url(obj)).status_code == 200  # Still seen, read only.
    assert client.post(change_url(obj), data).status_code == 403
    assert _unchanged(kind, obj)
    delete = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_delete", args=[obj.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("persona", ["hmicfrs_inspector", "cqc_inspector"])
def test_an_inspector_cannot_add_reference_data_in_the_admin(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    posts = {
        "inspections_inspectorate": {"slug": "x", "name": "X Inspectorate", "abbreviation": "X"},
        "inspections_organisation": {
            "name": "New Force",
            "slug": "new-force",
            "kind": "police_force",
        },
        "inspections_programme": {
            "name": "New programme",
            "slug": "new",
            "kind": ProgrammeKind.THEMATIC,
        },
        "recommendations_theme": {"name": "New theme", "slug": "new-theme"},
    }
    for name, data in posts.items():
        assert client.post(reverse(f"admin:{name}_add"), data).status_code == 403, name
    assert not Inspectorate.objects.filter(slug="x").exists()
    assert not Organisation.objects.filter(slug="new-force").exists()
    assert not Programme.objects.filter(slug="new").exists()
    assert not Theme.objects.filter(slug="new-theme").exists()


def test_an_administrator_changes_reference_data_in_the_admin(client, admin_user, hmicfrs, kent):
    client.force_login(admin_user)
    data = change_form_data(client.get(change_url(hmicfrs)))
    data["inspects_under_police_act_s54"] = "on"
    assert client.post(change_url(hmicfrs), data).status_code == 302
    hmicfrs.refresh_from_db()
    assert hmicfrs.inspects_under_police_act_s54


# 3. A published report's inlines: compared field by field, corrected with a reason ---------


LONG = "Governance and oversight of the use of force is poor, and oversight is not wide enough "


def _inline_key(data, prefix, field):
    (key,) = [k for k in data if k.startswith(prefix) and k.endswith(f"-0-{field}")]
    return key


def test_a_change_after_character_80_of_a_published_cause_is_a_logged_correction(
    client, hmicfrs_inspector, inspection
):
    cause = CauseOfConcern.objects.create(
        inspection=inspection, reference="CoC1", text=LONG + "to improve outcomes."
    )
    client.force_login(hmicfrs_inspector)
    url = change_url(inspection)
    data = change_form_data(client.get(url))
    data[_inline_key(data, "causes", "text")] = LONG + "to improve outcomes for detainees."
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "give the reason for the correction" in page(refused)
    cause.refresh_from_db()
    assert cause.text == LONG + "to improve outcomes."

    data["change_reason"] = "The report's full wording."
    assert client.post(url, data).status_code == 302
    cause.refresh_from_db()
    assert cause.text == LONG + "to improve outcomes for detainees."
    # The same action as on the cause's own page.
    log = ActionLog.objects.for_object(cause).get()
    assert log.action == "recommendations.cause_of_concern.corrected"
    assert log.data["fields"]["text"]["to"] == cause.text
    assert log.data["reason"] == "The report's full wording."
    public = page(client.get(reverse("public:inspection-detail", args=[inspection.slug])))
    assert "Corrected on" in public and "The report&#x27;s full wording." in public


def test_a_published_judgements_scale_is_a_logged_correction(client, hmicfrs_inspector, inspection):
    judgement = Judgement.objects.create(
        inspection=inspection, question_area="Custody", scale="peel_5", grade="good"
    )
    client.force_login(hmicfrs_inspector)
    url = change_url(inspection)
    data = change_form_data(client.get(url))
    data[_inline_key(data, "judgements", "scale")] = "peel_4"
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "give the reason for the correction" in page(refused)
    judgement.refresh_from_db()
    assert judgement.scale == "peel_5"

    data["change_reason"] = "The report graded on the four-point scale."
    assert client.post(url, data).status_code == 302
    judgement.refresh_from_db()
    assert judgement.scale == "peel_4"
    log = ActionLog.objects.for_object(inspection).get()
    assert log.action == "inspections.inspection.corrected"
    assert log.data["fields"]["judgements “Custody: Good”: scale"] == {
        "from": "peel_5",
        "to": "peel_4",
    }


# 5. Engage periods: entered and left through the services, nothing else -----------------


def test_an_engage_periods_entry_and_report_cannot_be_edited(client, inspector, kent, inspection):
    period = engage_enter(organisation=kent, entered_on=date(2025, 1, 1), reasons="Concerns.")
    client.force_login(inspector)
    data = change_form_data(client.get(change_url(period)))
    data.update(
        entry_reasons="Rewritten.",
        entered_on="2024-01-01",
        inspection=inspection.pk,
        exit_reasons="Not left yet.",
    )
    response = client.post(change_url(period), data)
    assert response.status_code == 200
    assert "Record the date it moved out of Engage" in page(response)
    period.refresh_from_db()
    assert (period.entry_reasons, period.entered_on) == ("Concerns.", date(2025, 1, 1))
    assert (period.inspection_id, period.exit_reasons) == (None, "")


def test_a_left_engage_periods_exit_cannot_be_rewritten(client, inspector, kent):
    engage_enter(organisation=kent, entered_on=date(2025, 1, 1), reasons="Concerns.")
    period = engage_leave(organisation=kent, left_on=date(2025, 6, 1), reasons="Improved.")
    client.force_login(inspector)
    client.post(change_url(period), {"left_on": "2025-06-01", "exit_reasons": "Rewritten."})
    client.post(change_url(period), {"left_on": "2025-07-01", "exit_reasons": "Improved."})
    period = EngagePeriod.objects.get(pk=period.pk)
    assert (period.left_on, period.exit_reasons) == (date(2025, 6, 1), "Improved.")
    assert sorted(actions(kent)) == ["inspections.engage.entered", "inspections.engage.left"]
