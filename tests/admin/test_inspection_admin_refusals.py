"""The admin of organisations, Engage periods and reports when a save is refused, and its list
filters: what the person is told, and that nothing is stored or logged."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import ActionLog
from inspections.choices import Grade, GradingScale
from inspections.models import EngagePeriod, Inspection, Judgement
from inspections.services import engage_enter
from tests.admin.conftest import change_form_data


def _errors(response) -> str:
    return str(response.context["adminform"].form.errors) + str(
        [str(e) for e in response.context.get("inline_admin_formsets", [])]
    )


# Organisations: succession -------------------------------------------------------------------


def test_an_organisation_cannot_succeed_itself(client, admin_user, kent):
    client.force_login(admin_user)
    url = reverse("admin:inspections_organisation_change", args=[kent.pk])
    data = change_form_data(client.get(url))
    data.update(successor=kent.pk, ceased_on="2025-04-01")

    response = client.post(url, data)

    assert response.status_code == 200
    assert "An organisation cannot succeed itself." in response.content.decode()
    kent.refresh_from_db()
    assert kent.successor is None and kent.ceased_on is None
    assert not ActionLog.objects.for_object(kent).exists()


def test_an_organisation_cannot_be_succeeded_by_its_predecessor(client, admin_user, met, kent):
    kent.successor, kent.ceased_on = met, date(2024, 1, 1)
    kent.save()
    client.force_login(admin_user)
    url = reverse("admin:inspections_organisation_change", args=[met.pk])
    data = change_form_data(client.get(url))
    data.update(successor=kent.pk, ceased_on="2025-04-01")

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Kent Police is a predecessor of this organisation." in response.content.decode()
    met.refresh_from_db()
    assert met.successor is None


def test_a_successor_needs_the_date_of_the_merger(client, admin_user, met, kent):
    client.force_login(admin_user)
    url = reverse("admin:inspections_organisation_change", args=[kent.pk])
    data = change_form_data(client.get(url))
    data.update(successor=met.pk, ceased_on="")

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Give the date of the merger or rename." in response.content.decode()
    kent.refresh_from_db()
    assert kent.successor is None


def test_organisations_filter_by_engage(client, admin_user, met, kent):
    engage_enter(organisation=kent, entered_on=date(2025, 1, 6), reasons="Crime recording.")
    client.force_login(admin_user)
    url = reverse("admin:inspections_organisation_changelist")

    inside = client.get(url, {"engage": "yes"})
    outside = client.get(url, {"engage": "no"})

    assert [o.pk for o in inside.context["cl"].result_list] == [kent.pk]
    assert kent.pk not in {o.pk for o in outside.context["cl"].result_list}
    assert met.pk in {o.pk for o in outside.context["cl"].result_list}


# Engage periods --------------------------------------------------------------------------------


@pytest.fixture
def period(kent):
    return engage_enter(organisation=kent, entered_on=date(2025, 1, 6), reasons="Crime recording.")


def test_leaving_engage_needs_the_reasons(client, hmicfrs_inspector, period):
    client.force_login(hmicfrs_inspector)
    url = reverse("admin:inspections_engageperiod_change", args=[period.pk])
    data = change_form_data(client.get(url))
    data.update(left_on="2025-06-30", exit_reasons=" ")

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Give the reasons for moving out of Engage." in str(
        response.context["adminform"].form.errors
    )
    period.refresh_from_db()
    assert period.left_on is None


def test_only_the_move_out_of_engage_is_recorded_on_an_entered_period(
    client, hmicfrs_inspector, period
):
    client.force_login(hmicfrs_inspector)
    url = reverse("admin:inspections_engageperiod_change", args=[period.pk])
    data = change_form_data(client.get(url))
    data.update(exit_reasons="Reasons without a date.")

    response = client.post(url, data)

    assert response.status_code == 200
    assert "nothing else of a period changes once it is entered" in response.content.decode()
    period.refresh_from_db()
    assert period.exit_reasons == "" and period.left_on is None
    assert not ActionLog.objects.filter(action="inspections.engage.left").exists()


def test_leaving_engage_before_entering_it_is_refused(client, hmicfrs_inspector, period):
    client.force_login(hmicfrs_inspector)
    url = reverse("admin:inspections_engageperiod_change", args=[period.pk])
    data = change_form_data(client.get(url))
    data.update(left_on="2024-12-31", exit_reasons="Improved.")

    response = client.post(url, data)

    assert response.status_code == 200
    assert "The exit date cannot be before the entry date." in response.content.decode()
    period.refresh_from_db()
    assert period.left_on is None


def test_engage_periods_filter_by_current(client, hmicfrs_inspector, period, met):
    ended = engage_enter(organisation=met, entered_on=date(2024, 1, 8), reasons="Custody.")
    EngagePeriod.objects.filter(pk=ended.pk).update(left_on=date(2024, 9, 2), exit_reasons="Done")
    client.force_login(hmicfrs_inspector)
    url = reverse("admin:inspections_engageperiod_changelist")

    current = client.get(url, {"current": "yes"})
    past = client.get(url, {"current": "no"})

    assert [p.pk for p in current.context["cl"].result_list] == [period.pk]
    assert [p.pk for p in past.context["cl"].result_list] == [ended.pk]


def test_an_engage_period_naming_an_embargoed_report_of_another_inspectorate_hides_it(
    client, hmicfrs_inspector, kent, cqc, custody
):
    secret = Inspection.objects.create(
        title="SECRET CQC report",
        slug="secret-cqc-report",
        programme=custody,
        lead_inspectorate=cqc,
        published_at=timezone.now() + timedelta(days=7),
    )
    period = engage_enter(
        organisation=kent, entered_on=date(2025, 1, 6), reasons="Custody.", inspection=secret
    )
    client.force_login(hmicfrs_inspector)

    listing = client.get(reverse("admin:inspections_engageperiod_changelist")).content.decode()
    page = client.get(reverse("admin:inspections_engageperiod_change", args=[period.pk]))
    organisation = client.get(reverse("admin:inspections_organisation_change", args=[kent.pk]))

    for body in (listing, page.content.decode(), organisation.content.decode()):
        assert "SECRET" not in body
        assert "A report not yet published" in body
    assert "inspection" not in page.context["adminform"].form.fields


# Reports ----------------------------------------------------------------------------------


def test_judgements_of_one_report_share_one_scale(client, admin_user, inspection):
    Judgement.objects.create(
        inspection=inspection,
        question_area="Investigating crime",
        scale=GradingScale.PEEL_FIVE_POINT,
        grade=Grade.GOOD,
    )
    client.force_login(admin_user)
    url = reverse("admin:inspections_inspection_change", args=[inspection.pk])
    data = change_form_data(client.get(url))
    prefix = next(key for key in data if key.endswith("TOTAL_FORMS") and "judgement" in key)
    prefix = prefix.removesuffix("-TOTAL_FORMS")
    data[f"{prefix}-TOTAL_FORMS"] = str(int(data[f"{prefix}-TOTAL_FORMS"]) + 1)
    new = int(data[f"{prefix}-TOTAL_FORMS"]) - 1
    data.update(
        {
            f"{prefix}-{new}-question_area": "Protecting vulnerable people",
            f"{prefix}-{new}-scale": GradingScale.PEEL_FOUR_POINT,
            f"{prefix}-{new}-grade": Grade.GOOD,
            f"{prefix}-{new}-position": "1",
            "change_reason": "Adding a judgement.",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 200
    assert "grades from different scales cannot be compared" in response.content.decode()
    assert inspection.judgements.count() == 1


def test_a_report_cannot_follow_up_its_own_follow_up(client, admin_user, inspection, custody):
    follow_up = Inspection.objects.create(
        title="Revisit of Met custody",
        slug="met-custody-revisit",
        programme=custody,
        lead_inspectorate=inspection.lead_inspectorate,
        follows_up=inspection,
    )
    client.force_login(admin_user)
    url = reverse("admin:inspections_inspection_change", args=[inspection.pk])
    data = change_form_data(client.get(url))
    data.update(follows_up=follow_up.pk, change_reason="Linking the series.")

    response = client.post(url, data)

    assert response.status_code == 200
    assert "cannot follow up itself or its own follow-up" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.follows_up is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("published", {"published"}), ("scheduled", {"scheduled"}), ("draft", {"draft"})],
)
def test_reports_filter_by_publication(client, admin_user, inspection, custody, value, expected):
    Inspection.objects.create(
        title="scheduled",
        slug="scheduled",
        programme=custody,
        lead_inspectorate=inspection.lead_inspectorate,
        published_at=timezone.now() + timedelta(days=3),
    )
    Inspection.objects.create(
        title="draft",
        slug="draft",
        programme=custody,
        lead_inspectorate=inspection.lead_inspectorate,
    )
    Inspection.objects.filter(pk=inspection.pk).update(title="published")
    client.force_login(admin_user)

    response = client.get(
        reverse("admin:inspections_inspection_changelist"), {"publication": value}
    )

    assert {i.title for i in response.context["cl"].result_list} == expected


def _inline_prefix(data, model_name):
    key = next(k for k in data if k.endswith("-TOTAL_FORMS") and model_name in k)
    return key.removesuffix("-TOTAL_FORMS")


def test_a_key_figure_added_to_a_public_report_is_logged_as_a_correction(
    client, admin_user, inspection
):
    client.force_login(admin_user)
    url = reverse("admin:inspections_inspection_change", args=[inspection.pk])
    data = change_form_data(client.get(url))
    prefix = _inline_prefix(data, "figure")
    new = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(new + 1)
    data.update(
        {
            f"{prefix}-{new}-label": "CCTV cases reviewed",
            f"{prefix}-{new}-value": "64",
            f"{prefix}-{new}-position": "0",
            "change_reason": "The figure was left out.",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302
    assert inspection.figures.get().value == 64
    logged = ActionLog.objects.for_object(inspection).get(action="inspections.inspection.corrected")
    assert logged.data["reason"] == "The figure was left out."
    # Through inspection_set_key_figures, as the report editor logs it.
    assert logged.data["fields"] == {"key figures": {"from": [], "to": ["CCTV cases reviewed: 64"]}}


def test_a_key_figure_removed_from_a_public_report_needs_a_reason(client, admin_user, inspection):
    figure = inspection.figures.create(label="CCTV cases reviewed", value=64)
    client.force_login(admin_user)
    url = reverse("admin:inspections_inspection_change", args=[inspection.pk])
    data = change_form_data(client.get(url))
    prefix = _inline_prefix(data, "figure")
    data[f"{prefix}-0-DELETE"] = "on"

    refused = client.post(url, {**data, "change_reason": ""})

    assert refused.status_code == 200
    assert "is public: give the reason for the correction" in refused.content.decode()
    assert inspection.figures.get() == figure

    accepted = client.post(url, {**data, "change_reason": "Counted twice."})

    assert accepted.status_code == 302
    assert not inspection.figures.exists()
    logged = ActionLog.objects.for_object(inspection).get(action="inspections.inspection.corrected")
    assert logged.data["fields"] == {"key figures": {"from": ["CCTV cases reviewed: 64"], "to": []}}


def test_a_published_reports_publication_time_stays_whatever_is_posted(
    client, admin_user, inspection
):
    """The field is read-only once public: a value posted anyway is ignored."""
    before = inspection.published_at
    client.force_login(admin_user)
    url = reverse("admin:inspections_inspection_change", args=[inspection.pk])
    data = change_form_data(client.get(url))
    later = timezone.localtime(before + timedelta(days=30))
    data.update(
        {"published_at_0": later.strftime("%Y-%m-%d"), "published_at_1": later.strftime("%H:%M:%S")}
    )

    response = client.post(url, data)

    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.published_at == before


def test_a_new_report_is_not_scheduled_until_its_checklist_passes(
    client, admin_user, hmicfrs, custody, met
):
    client.force_login(admin_user)
    url = reverse("admin:inspections_inspection_add")
    data = change_form_data(client.get(url))
    when = timezone.localtime(timezone.now() + timedelta(days=7))
    data.update(
        {
            "title": "Kent custody",
            "slug": "kent-custody",
            "programme": custody.pk,
            "organisations": [met.pk],
            "lead_inspectorate": hmicfrs.pk,
            "published_at_0": when.strftime("%Y-%m-%d"),
            "published_at_1": when.strftime("%H:%M:%S"),
        }
    )

    response = client.post(url, data)

    assert response.status_code == 200
    assert "The report cannot be scheduled yet" in response.content.decode()
    assert not Inspection.objects.filter(slug="kent-custody").exists()

    data.update(published_at_0="", published_at_1="")
    saved = client.post(url, data)

    assert saved.status_code == 302
    report = Inspection.objects.get(slug="kent-custody")
    assert report.published_at is None
    assert not report.section55_responses.exists()


def test_cancelling_a_scheduled_publication_in_the_admin(client, admin_user, embargoed):
    client.force_login(admin_user)
    url = reverse("admin:inspections_inspection_change", args=[embargoed.pk])
    data = change_form_data(client.get(url))
    data.update(published_at_0="", published_at_1="")

    response = client.post(url, data)

    assert response.status_code == 302
    embargoed.refresh_from_db()
    assert embargoed.published_at is None
    assert (
        ActionLog.objects.for_object(embargoed)
        .filter(action="inspections.inspection.publication_cancelled")
        .exists()
    )


def test_publish_now_refuses_a_report_another_inspectorate_leads(
    client, cqc_inspector, embargoed, cqc
):
    embargoed.partner_inspectorates.add(cqc)
    client.force_login(cqc_inspector)

    response = client.post(
        reverse("admin:inspections_inspection_changelist"),
        {"action": "publish_now", "_selected_action": [embargoed.pk]},
        follow=True,
    )

    assert "Nothing was published: only the lead inspectorate publishes" in (
        response.content.decode()
    )
    embargoed.refresh_from_db()
    assert not embargoed.is_published
