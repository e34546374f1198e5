"""Who may do what in the admin, per persona, on a published and an embargoed HMICFRS report.

Personas: an administrator, an HMICFRS inspector, a CQC inspector (another inspectorate, staff
with the same model permissions), a Met user (an organisation, not staff) and an anonymous
reader. Pages answer 200 to those the policy allows, 404 to a staff member outside its scope
(the same answer as for a row that does not exist), and send everyone else to sign in.
"""

import pytest
from django.urls import reverse

from audit.models import ActionLog
from inspections.models import Inspection
from recommendations.models import Finding, Item, ProgressUpdate, StatusChange
from recommendations.services import section55_open_responses
from tests.admin.conftest import change_form_data

PERSONAS = ["admin_user", "hmicfrs_inspector", "cqc_inspector", "met_user", "anonymous"]


@pytest.fixture
def reports(inspection, recommendation, embargoed, published_update, mopac):
    """The published report (with R1 to the Met and MOPAC) and the embargoed one."""
    section55_open_responses(inspection=inspection)
    return {"published": inspection, "embargoed": embargoed}


def login(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


def objects_of(report):
    finding = report.findings.order_by("pk").first()
    item = finding.items.order_by("pk").first()
    objects = {
        "inspection": report,
        "finding": finding,
        "item": item,
    }
    update = ProgressUpdate.objects.filter(item__finding__inspection=report).first()
    if update is not None:
        objects["progressupdate"] = update
    response = report.section55_responses.first()
    if response is not None:
        objects["section55response"] = response
    return objects


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def expected(persona, *, allowed_staff):
    if persona in ("met_user", "anonymous"):
        return 302
    return 200 if persona in allowed_staff else 404


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("which", ["published", "embargoed"])
def test_change_pages_answer_only_within_the_persons_scope(
    client, request, reports, persona, which
):
    login(client, request, persona)
    for name, obj in objects_of(reports[which]).items():
        url = change_url(obj)
        response = client.get(url)
        want = expected(persona, allowed_staff={"admin_user", "hmicfrs_inspector"})
        assert response.status_code == want, (name, url)
        if want == 302:
            assert reverse("admin:login") in response["Location"]
        history = client.get(url.replace("/change/", "/history/"))
        assert history.status_code == want, (name, "history")


CHANGELISTS = [
    "inspections_inspection",
    "recommendations_finding",
    "recommendations_item",
    "recommendations_progressupdate",
    "recommendations_statuschange",
    "recommendations_section55response",
    "recommendations_causeofconcern",
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_changelists_list_only_the_persons_reports(client, request, reports, persona):
    login(client, request, persona)
    for name in CHANGELISTS:
        response = client.get(reverse(f"admin:{name}_changelist"))
        if persona in ("met_user", "anonymous"):
            assert response.status_code == 302, name
            continue
        assert response.status_code == 200, name
        shown = response.context["cl"].result_count
        if persona == "cqc_inspector":
            assert shown == 0, name
    if persona in ("admin_user", "hmicfrs_inspector"):
        page = client.get(reverse("admin:inspections_inspection_changelist")).content.decode()
        assert "Embargoed Kent and Met report" in page


def test_the_site_wide_action_log_is_for_administrators_only(
    client, reports, admin_user, inspector
):
    url = reverse("admin:audit_actionlog_changelist")
    client.force_login(inspector)
    assert client.get(url).status_code == 403
    client.force_login(admin_user)
    assert client.get(url).status_code == 200


# POSTed saves and actions: refused ones change nothing ------------------------------------


def snapshot():
    return {
        "statuses": list(Item.objects.order_by("pk").values_list("pk", "status", "version")),
        "organisations": list(Item.objects.order_by("pk").values_list("organisation_id")),
        "history": StatusChange.objects.count(),
        "log": ActionLog.objects.count(),
        "inspections": list(
            Inspection.objects.order_by("pk").values_list("title", "published_at", "summary")
        ),
        "findings": list(Finding.objects.order_by("pk").values_list("text", "due_date")),
        "updates": list(ProgressUpdate.objects.order_by("pk").values_list("narrative")),
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("which", ["published", "embargoed"])
def test_closing_an_item_through_the_admin(client, request, reports, admin_user, persona, which):
    item = objects_of(reports[which])["item"]
    client.force_login(admin_user)
    data = change_form_data(client.get(change_url(item)))
    data.update(new_status="closed_no_longer_relevant", note="Closed through the admin.")
    client.logout()
    login(client, request, persona)
    before = snapshot()
    response = client.post(change_url(item), data)
    if persona in ("admin_user", "hmicfrs_inspector"):
        assert response.status_code == 302
        item.refresh_from_db()
        assert item.status == "closed_no_longer_relevant"
        return
    assert response.status_code == expected(persona, allowed_staff=set())
    assert snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("which", ["published", "embargoed"])
def test_editing_a_report_through_the_admin(client, request, reports, admin_user, persona, which):
    report = reports[which]
    client.force_login(admin_user)
    data = change_form_data(client.get(change_url(report)))
    data.update(summary="Rewritten summary.", change_reason="A typo.")
    client.logout()
    login(client, request, persona)
    before = snapshot()
    response = client.post(change_url(report), data)
    if persona in ("admin_user", "hmicfrs_inspector"):
        assert response.status_code == 302
        report.refresh_from_db()
        assert report.summary == "Rewritten summary."
        return
    assert response.status_code == expected(persona, allowed_staff=set())
    assert snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_publishing_the_embargoed_report_now(client, request, reports, persona):
    login(client, request, persona)
    report = reports["embargoed"]
    before = snapshot()
    response = client.post(
        reverse("admin:inspections_inspection_changelist"),
        {"action": "publish_now", "_selected_action": [report.pk]},
    )
    report.refresh_from_db()
    if persona in ("admin_user", "hmicfrs_inspector"):
        assert report.is_published
        return
    assert response.status_code == 302
    assert not report.is_published
    assert snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("which", ["published", "embargoed"])
def test_bulk_closing_through_the_admin(client, request, reports, persona, which):
    login(client, request, persona)
    items = list(objects_of(reports[which])["finding"].items.all())
    before = snapshot()
    response = client.post(
        reverse("admin:recommendations_item_changelist"),
        {
            "action": "close_selected",
            "_selected_action": [a.pk for a in items],
            "apply": "1",
            "outcome": "closed_not_implemented",
            "note": "Bulk closed.",
            **{f"version-{a.pk}": a.version for a in items},
        },
    )
    if persona in ("admin_user", "hmicfrs_inspector"):
        assert response.status_code == 302
        assert StatusChange.objects.filter(note="Bulk closed.").count() == len(items)
        return
    assert response.status_code == 302  # Back to the list (CQC: none of these is theirs).
    assert snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_changing_and_deleting_a_published_update(
    client, request, reports, published_update, persona
):
    login(client, request, persona)
    url = change_url(published_update)
    before = snapshot()
    changed = client.post(
        url,
        {
            "written_on": "2020-01-01",
            "narrative": "Rewritten.",
            "self_assessment": "complete",
            "is_published": "on",
        },
    )
    deleted = client.post(url.replace("/change/", "/delete/"), {"post": "yes"})
    if persona in ("met_user", "anonymous"):
        assert (changed.status_code, deleted.status_code) == (302, 302)
    elif persona == "cqc_inspector":
        # Not theirs: no such update for them; and no one may delete an update at all.
        assert (changed.status_code, deleted.status_code) == (404, 403)
    else:
        # Nobody, administrators included, changes or deletes a published update.
        assert (changed.status_code, deleted.status_code) == (403, 403)
    assert snapshot() == before
