"""The report editor: who may reach each page, creating a report, writing its findings,
pasting them in, the checklist shown on the page, scheduling and the public preview."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import ActionLog
from inspections.models import Inspection, Inspectorate
from recommendations.choices import FindingKind
from recommendations.models import CauseOfConcern, Finding
from recommendations.services import finding_create
from tests.core.tokens import shown
from tests.imports.custody_text import AFIS, labelled_paste


@pytest.fixture
def cqc(db):
    return Inspectorate.objects.create(
        slug="cqc", name="Care Quality Commission", abbreviation="CQC"
    )


@pytest.fixture
def cqc_inspector(cqc):
    return User.objects.create_user(username="cqc", password="pw-cqc-1", inspectorate=cqc)


@pytest.fixture
def draft(hmicfrs, custody, met):
    inspection = Inspection.objects.create(
        title="Metropolitan Police Service custody 2025",
        slug="met-custody-draft",
        programme=custody,
        lead_inspectorate=hmicfrs,
        summary="Governance of the use of force is poor.",
        report_url="https://hmicfrs.justiceinspectorates.gov.uk/publications/met-custody/",
    )
    inspection.organisations.add(met)
    return inspection


@pytest.fixture
def afi(draft, met, inspector):
    return finding_create(
        inspection=draft,
        kind=FindingKind.AREA_FOR_IMPROVEMENT,
        reference="AFI1",
        text=AFIS[0],
        organisations=[met],
        no_deadline=True,
        user=inspector,
    )


@pytest.fixture
def cause(draft):
    return CauseOfConcern.objects.create(inspection=draft, reference="CoC1", text="Oversight.")


def object_urls(draft, afi, cause):
    return [
        reverse("workspace:report", args=[draft.pk]),
        reverse("workspace:report-details", args=[draft.pk]),
        reverse("workspace:finding-new", args=[draft.pk]),
        reverse("workspace:finding", args=[draft.pk, afi.pk]),
        reverse("workspace:finding-remove", args=[draft.pk, afi.pk]),
        reverse("workspace:cause-new", args=[draft.pk]),
        reverse("workspace:cause", args=[draft.pk, cause.pk]),
        reverse("workspace:cause-remove", args=[draft.pk, cause.pk]),
        reverse("workspace:report-schedule", args=[draft.pk]),
    ]


def post_urls(draft, afi):
    return [
        reverse("workspace:finding-move", args=[draft.pk, afi.pk]),
        reverse("workspace:report-renumber", args=[draft.pk]),
        reverse("imports:paste", args=[draft.pk]),
    ]


PERSONAS = ["anonymous", "met_user", "inspector", "cqc_inspector", "admin_user"]


def client_of(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("anonymous", 302),
        ("met_user", 403),
        ("inspector", 200),
        ("cqc_inspector", 404),
        ("admin_user", 200),
    ],
)
def test_each_page_of_a_draft_is_for_its_inspectorates_only(
    client, request, persona, expected, draft, afi, cause
):
    client = client_of(client, request, persona)
    for url in object_urls(draft, afi, cause):
        assert client.get(url).status_code == expected, url
    for url in post_urls(draft, afi):
        status = client.post(url, {"direction": "up"}).status_code
        if expected != 200:
            assert status == expected, url
        else:  # done and redirected; the paste with no text is a form error
            assert status == (400 if url.endswith("/paste/") else 302), url


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("anonymous", 302),
        ("met_user", 403),
        ("inspector", 200),
        ("cqc_inspector", 200),
        ("admin_user", 200),
    ],
)
def test_the_list_and_new_report_pages_are_for_inspectors(client, request, persona, expected):
    client = client_of(client, request, persona)
    for name in ("workspace:reports", "workspace:report-new"):
        assert client.get(reverse(name)).status_code == expected


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("anonymous", 404),
        ("met_user", 404),
        ("inspector", 200),
        ("cqc_inspector", 404),
        ("admin_user", 200),
    ],
)
def test_the_preview_is_a_404_for_anyone_the_policy_does_not_allow(
    client, request, persona, expected, draft, afi
):
    client = client_of(client, request, persona)
    response = client.get(reverse("public:inspection-preview", args=[draft.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert "Not published" in response.content.decode()
        assert AFIS[0] in response.content.decode()
        # The real public template, its published page still a 404.
        assert "public/inspection_detail.html" in [t.name for t in response.templates]
        assert client.get(f"/inspections/{draft.slug}/").status_code == 404


def test_a_partner_inspector_edits_but_does_not_schedule(client, draft, cqc, cqc_inspector, afi):
    draft.partner_inspectorates.add(cqc)
    client.force_login(cqc_inspector)
    assert client.get(reverse("workspace:report", args=[draft.pk])).status_code == 200
    assert client.get(reverse("workspace:report-schedule", args=[draft.pk])).status_code == 403


def test_a_published_report_is_not_a_draft_but_opens_for_corrections(client, inspector, inspection):
    """Its corrections: tests/workspace/test_report_corrections.py."""
    client.force_login(inspector)
    page = client.get(reverse("workspace:reports"))
    assert inspection not in page.context["drafts"]
    assert inspection in page.context["published"]
    assert client.get(reverse("workspace:report-schedule", args=[inspection.pk])).status_code == 404
    assert client.get(reverse("workspace:finding-new", args=[inspection.pk])).status_code == 404


def test_other_inspectorates_drafts_are_not_listed(client, cqc_inspector, draft):
    client.force_login(cqc_inspector)
    assert list(client.get(reverse("workspace:reports")).context["drafts"]) == []


def test_new_report_is_created_with_the_inspectors_inspectorate(
    client, inspector, custody, met, mopac, hmicfrs
):
    client.force_login(inspector)
    response = client.post(
        reverse("workspace:report-new"),
        {
            "title": "Metropolitan Police Service custody",
            "programme": custody.pk,
            "lead_inspectorate": hmicfrs.pk,
            "organisations": "Metropolitan Police Service",
            "report_url": "https://example.org/met-custody",
            "summary": "Children are diverted from custody.",
            "figures": "CCTV cases reviewed: 64\nCases with significant learning: 0 of 64",
            "fieldwork_started_on": "2025-02-03",
            "fieldwork_ended_on": "2025-02-14",
        },
    )
    inspection = Inspection.objects.get(title="Metropolitan Police Service custody")
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:report", args=[inspection.pk])
    assert inspection.lead_inspectorate == hmicfrs
    assert inspection.published_at is None
    assert list(inspection.organisations.all()) == [met]
    assert [str(f) for f in inspection.figures.all()] == [
        "CCTV cases reviewed: 64",
        "Cases with significant learning: 0 of 64",
    ]
    assert ActionLog.objects.filter(action="inspections.inspection.created").count() == 1


def test_the_details_form_puts_right_the_reports_problems(client, inspector, draft, afi):
    Inspection.objects.filter(pk=draft.pk).update(summary="", report_url="")
    client.force_login(inspector)
    editor = client.get(reverse("workspace:report", args=[draft.pk]))
    assert [p.code for p in editor.context["checklist"].problems] == ["no_summary", "no_report_url"]
    response = client.post(
        reverse("workspace:report-details", args=[draft.pk]),
        {
            "title": draft.title,
            "programme": draft.programme_id,
            "report_url": "https://example.org/report",
            "summary": "Use of force oversight is poor.",
            "organisations": "Metropolitan Police Service",
            "seen": client.get(reverse("workspace:report-details", args=[draft.pk]))
            .context["form"]["seen"]
            .value(),
        },
    )
    assert response.status_code == 302
    editor = client.get(reverse("workspace:report", args=[draft.pk]))
    assert editor.context["checklist"].is_clean
    edited = ActionLog.objects.get(action="inspections.inspection.edited")
    assert set(edited.data["fields"]) == {"report_url", "summary"}


def test_an_unknown_organisation_is_refused_with_suggestions(client, inspector, custody, kent):
    client.force_login(inspector)
    response = client.post(
        reverse("workspace:report-new"),
        {"title": "Kent", "programme": custody.pk, "organisations": "Kent Polic"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["organisations"]
    # Exact names and the closest come first: Kent Police before its commissioner.
    assert errors == [
        "No organisation is called “Kent Polic”: did you mean Kent Police, "
        "Kent Police and Crime Commissioner?"
    ]
    assert response.context["form"]["title"].value() == "Kent"


def test_an_inspector_cannot_name_another_lead(client, inspector, custody, met, cqc):
    client.force_login(inspector)
    response = client.post(
        reverse("workspace:report-new"),
        {
            "title": "T",
            "programme": custody.pk,
            "lead_inspectorate": cqc.pk,
            "organisations": "Metropolitan Police Service",
        },
    )
    assert response.status_code == 400
    assert "lead_inspectorate" in response.context["form"].errors


def finding_data(**overrides):
    data = {
        "kind": FindingKind.RECOMMENDATION,
        "reference": "R1",
        "text": "The force and MOPAC should govern the use of force.",
        "deadline": "date",
        "due_date": "2026-02-07",
        "deadline_wording": "within six months",
    }
    return data | overrides


def test_a_finding_with_no_addressee_is_an_error_on_that_finding(client, inspector, draft):
    client.force_login(inspector)
    response = client.post(reverse("workspace:finding-new", args=[draft.pk]), finding_data())
    assert response.status_code == 400
    assert response.context["form"].errors["addressees"] == [
        "Choose at least one organisation: a finding is addressed to someone."
    ]
    assert not draft.findings.exists()


def test_a_recommendation_to_the_force_and_its_policing_body(
    client, inspector, draft, met, mopac, cause
):
    client.force_login(inspector)
    page = client.get(reverse("workspace:finding-new", args=[draft.pk]) + f"?cause={cause.pk}")
    # The picker offers the inspected force and suggests its policing body.
    assert [org.name for org in page.context["form"].offered] == [met.name, mopac.name]
    assert "suggested for recommendations" in page.content.decode()
    response = client.post(
        reverse("workspace:finding-new", args=[draft.pk]),
        finding_data(addressees=[met.pk, mopac.pk], cause_of_concern=cause.pk),
    )
    finding = draft.findings.get()
    assert response.status_code == 302
    assert finding.cause_of_concern == cause
    assert {i.organisation for i in finding.items.all()} == {met, mopac}
    assert {i.due_date.isoformat() for i in finding.items.all()} == {"2026-02-07"}


def test_another_organisation_is_added_by_its_exact_name(client, inspector, draft, kent):
    client.force_login(inspector)
    response = client.post(
        reverse("workspace:finding-new", args=[draft.pk]),
        finding_data(other_addressees="Kent Police", deadline="none", due_date=""),
    )
    assert response.status_code == 302
    finding = draft.findings.get()
    assert [i.organisation for i in finding.items.all()] == [kent]
    assert finding.no_deadline and finding.due_date is None


def test_editing_a_finding_changes_its_words_addressees_and_deadline(
    client, inspector, draft, afi, met, mopac
):
    client.force_login(inspector)
    url = reverse("workspace:finding", args=[draft.pk, afi.pk])
    seen = client.get(url).context["form"]["seen"].value()
    response = client.post(
        url,
        finding_data(
            kind=FindingKind.AREA_FOR_IMPROVEMENT,
            reference="AFI1",
            text="The force should improve pre-release risk assessments.",
            addressees=[mopac.pk],
            seen=seen,
        ),
    )
    assert response.status_code == 302
    afi.refresh_from_db()
    assert afi.text == "The force should improve pre-release risk assessments."
    assert afi.due_date.isoformat() == "2026-02-07" and not afi.no_deadline
    assert [i.organisation for i in afi.items.all()] == [mopac]


def test_a_stale_finding_form_is_refused_and_keeps_what_was_typed(
    client, inspector, draft, afi, met
):
    client.force_login(inspector)
    url = reverse("workspace:finding", args=[draft.pk, afi.pk])
    seen = client.get(url).context["form"]["seen"].value()
    Finding.objects.filter(pk=afi.pk).update(text="Changed by a colleague meanwhile.")
    response = client.post(
        url,
        finding_data(
            kind=FindingKind.AREA_FOR_IMPROVEMENT,
            reference="AFI1",
            text="My words.",
            addressees=[met.pk],
            seen=seen,
        ),
    )
    assert response.status_code == 409
    assert "Someone else changed AFI1" in response.content.decode()
    assert response.context["form"]["text"].value() == "My words."
    afi.refresh_from_db()
    assert afi.text == "Changed by a colleague meanwhile."


def test_a_reference_taken_in_another_case_is_refused_on_edit(client, inspector, draft, afi, met):
    finding_create(
        inspection=draft,
        kind=FindingKind.AREA_FOR_IMPROVEMENT,
        reference="AFI2",
        text="The force should act.",
        organisations=[met],
        no_deadline=True,
    )
    client.force_login(inspector)
    url = reverse("workspace:finding", args=[draft.pk, afi.pk])
    seen = client.get(url).context["form"]["seen"].value()
    response = client.post(
        url,
        finding_data(
            kind=FindingKind.AREA_FOR_IMPROVEMENT, reference="afi2", addressees=[met.pk], seen=seen
        ),
    )
    assert response.status_code == 400
    assert "already has a finding or cause of concern afi2" in response.content.decode()
    afi.refresh_from_db()
    assert afi.reference == "AFI1"


def test_remove_reorder_and_renumber(client, inspector, draft, met):
    client.force_login(inspector)
    made = [
        finding_create(
            inspection=draft,
            kind=FindingKind.AREA_FOR_IMPROVEMENT,
            reference=ref,
            text=f"The force should do {ref}.",
            organisations=[met],
        )
        for ref in ("AFI1", "AFI2", "AFI3")
    ]
    remove = reverse("workspace:finding-remove", args=[draft.pk, made[0].pk])
    assert client.post(remove, {"reason": "Pasted twice."}).status_code == 302
    move = reverse("workspace:finding-move", args=[draft.pk, made[2].pk])
    assert client.post(move, {"direction": "up"}).status_code == 302
    assert client.post(reverse("workspace:report-renumber", args=[draft.pk])).status_code == 302
    by_text = dict(draft.findings.values_list("text", "reference"))
    assert by_text == {"The force should do AFI3.": "AFI1", "The force should do AFI2.": "AFI2"}
    deleted = ActionLog.objects.get(action="recommendations.finding.deleted")
    assert deleted.data["reason"] == "Pasted twice."
    renumbered = ActionLog.objects.get(action="recommendations.findings.renumbered")
    assert renumbered.data["changes"] == {"AFI3": "AFI1"}


def test_the_editor_shows_each_problem_on_its_finding(client, inspector, draft, met, cause):
    client.force_login(inspector)
    undated = finding_create(
        inspection=draft,
        kind=FindingKind.AREA_FOR_IMPROVEMENT,
        reference="AFI1",
        text="The force should act.",
        organisations=[met],
    )
    response = client.get(reverse("workspace:report", args=[draft.pk]))
    page = response.content.decode()
    assert response.context["areas"][0].problems[0].code == "no_due_date"
    assert f'id="finding-{undated.pk}"' in page
    assert "AFI1 has no due date: give one, or choose “no deadline”." in page
    assert "CoC1 has no recommendation" in page


# Pasting -------------------------------------------------------------------------------------


def paste(client, draft, **data):
    return client.post(reverse("imports:paste", args=[draft.pk]), {"deadline": "later", **data})


def test_the_custody_report_is_pasted_previewed_then_added(client, inspector, draft, met, mopac):
    client.force_login(inspector)
    preview = paste(client, draft, text=labelled_paste(), action="preview", deadline="none")
    assert preview.status_code == 200
    assert preview.context["paste"].is_valid
    assert not draft.findings.exists()  # nothing saved before "Add these findings"
    digest = preview.context["form"]["digest"].value()
    added = paste(
        client, draft, text=labelled_paste(), action="add", deadline="none", digest=digest
    )
    assert added.status_code == 302
    assert draft.findings.count() == 21
    r1 = draft.findings.get(reference="R1")
    assert r1.cause_of_concern.reference == "CoC1"
    assert {i.organisation for i in r1.items.all()} == {met, mopac}
    assert r1.deadline_wording == "within six months"
    assert draft.findings.filter(no_deadline=True).count() == 21
    editor = client.get(reverse("workspace:report", args=[draft.pk]))
    assert editor.context["checklist"].is_clean


def test_doubts_are_shown_and_block_adding(client, inspector, draft, met):
    client.force_login(inspector)
    text = "AFI1: Custody records are incomplete.\nafi1: The force should act.\n3. Loose."
    preview = paste(client, draft, text=text, action="preview")
    page = preview.content.decode()
    assert preview.status_code == 200
    assert not preview.context["paste"].is_valid
    assert "No addressee found in the wording" in page
    assert "Duplicate reference: AFI1 is already used on line 1." in page
    assert "Unknown kind" in page
    assert "Add these findings" not in page
    refused = paste(
        client,
        draft,
        text=text,
        action="add",
        digest=preview.context["form"]["digest"].value(),
    )
    assert refused.status_code == 400
    assert not draft.findings.exists()


def test_a_chosen_addressee_resolves_no_addressee_found(client, inspector, draft, met):
    client.force_login(inspector)
    text = "AFI1: Custody records are incomplete."
    preview = paste(client, draft, text=text, action="preview", fallback=[met.pk])
    assert preview.context["paste"].is_valid
    assert "Addressed to the organisations you chose" in preview.content.decode()


def test_adding_what_was_not_previewed_is_refused(client, inspector, draft):
    client.force_login(inspector)
    preview = paste(client, draft, text="AFI1: The force should act.", action="preview")
    response = paste(
        client,
        draft,
        text="AFI1: The force should act now.",
        action="add",
        digest=preview.context["form"]["digest"].value(),
    )
    assert response.status_code == 400
    assert "changed since the preview" in response.content.decode()
    assert not draft.findings.exists()


# Scheduling ----------------------------------------------------------------------------------


def schedule_url(draft):
    return reverse("workspace:report-schedule", args=[draft.pk])


def test_scheduling_is_refused_while_the_checklist_has_problems(client, inspector, draft, met):
    finding_create(
        inspection=draft,
        kind=FindingKind.AREA_FOR_IMPROVEMENT,
        reference="AFI1",
        text="The force should act.",
        organisations=[met],
    )
    client.force_login(inspector)
    hidden = shown(client, schedule_url(draft))
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        schedule_url(draft),
        {**hidden, "publish_on": tomorrow, "publish_time": "00:01", "reason": "Agreed date."},
    )
    assert response.status_code == 400
    assert "AFI1 has no due date" in response.content.decode()
    draft.refresh_from_db()
    assert draft.published_at is None


def test_schedule_change_and_cancel_are_logged_with_who_and_why(
    client, inspector, draft, afi, mopac
):
    client.force_login(inspector)
    tomorrow = timezone.localdate() + timedelta(days=1)
    page = client.get(schedule_url(draft))
    assert "Mayor&#x27;s Office for Policing and Crime" in page.content.decode()  # section 55
    response = client.post(
        schedule_url(draft),
        {
            **shown(client, schedule_url(draft)),
            "publish_on": tomorrow,
            "publish_time": "00:01",
            "reason": "Agreed with the force.",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert timezone.localtime(draft.published_at).date() == tomorrow
    assert not Inspection.objects.published().filter(pk=draft.pk).exists()
    cancel = shown(client, schedule_url(draft), form="cancel_form")
    response = client.post(
        schedule_url(draft),
        {"action": "cancel", "cancel-token": cancel["token"], "cancel-reason": "Legal review."},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.published_at is None
    logged = ActionLog.objects.filter(action__startswith="inspections.inspection.publication")
    assert [(e.action, e.actor, e.data["reason"]) for e in logged.order_by("at", "pk")] == [
        ("inspections.inspection.publication_scheduled", inspector, "Agreed with the force."),
        ("inspections.inspection.publication_cancelled", inspector, "Legal review."),
    ]


def test_a_schedule_form_sent_twice_is_refused(client, inspector, draft, afi):
    client.force_login(inspector)
    data = {
        **shown(client, schedule_url(draft)),
        "publish_on": timezone.localdate() + timedelta(days=2),
        "publish_time": "09:30",
        "reason": "Agreed.",
    }
    assert client.post(schedule_url(draft), data).status_code == 302
    assert client.post(schedule_url(draft), data).status_code == 409


def test_findings_pasted_on_the_new_report_page_are_previewed_before_they_are_added(
    client, inspector, hmicfrs, custody, met, mopac
):
    client.force_login(inspector)
    response = client.post(
        reverse("workspace:report-new"),
        {
            "title": "Metropolitan Police Service custody",
            "programme": custody.pk,
            "lead_inspectorate": hmicfrs.pk,
            "organisations": "Metropolitan Police Service",
            "findings": labelled_paste(),
        },
    )
    inspection = Inspection.objects.get()
    preview = reverse("imports:paste", args=[inspection.pk])
    assert response.status_code == 302 and response["Location"] == preview
    page = client.get(preview)
    assert page.status_code == 200
    assert "with no doubt" in page.content.decode()
    assert not inspection.findings.exists()
    added = client.post(
        preview,
        {
            "text": labelled_paste(),
            "deadline": "none",
            "digest": page.context["form"].data["digest"],
            "action": "add",
        },
    )
    assert added.status_code == 302
    assert inspection.findings.count() == 21
    # Added once: the pasted text is gone from the session, and the preview sends to the editor.
    again = client.get(preview)
    assert again.status_code == 302 and again["Location"].endswith("#paste")


def test_a_first_schedule_needs_no_reason_but_a_change_does(client, inspector, draft, afi):
    client.force_login(inspector)
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = {"publish_on": tomorrow, "publish_time": "00:01", "reason": ""}
    response = client.post(schedule_url(draft), {**shown(client, schedule_url(draft)), **data})
    assert response.status_code == 302
    logged = ActionLog.objects.get(action="inspections.inspection.publication_scheduled")
    assert logged.data["reason"] == "Scheduled in the report editor."
    data["publish_time"] = "09:30"
    response = client.post(schedule_url(draft), {**shown(client, schedule_url(draft)), **data})
    assert response.status_code == 400
    assert "Say why the moment changes" in response.content.decode()
    draft.refresh_from_db()
    assert timezone.localtime(draft.published_at).hour == 0


def test_a_dated_finding_saved_as_shown_keeps_its_due_date(client, inspector, draft, met):
    """The form shows the due date as the form reads it back (2027-03-04, not "4 Mar 2027",
    which was refused as "Enter a valid date" unless retyped)."""
    finding = finding_create(
        inspection=draft,
        kind=FindingKind.AREA_FOR_IMPROVEMENT,
        reference="AFI1",
        text="The force should act.",
        organisations=[met],
        due_date=timezone.localdate() + timedelta(days=90),
    )
    client.force_login(inspector)
    url = reverse("workspace:finding", args=[draft.pk, finding.pk])
    page = client.get(url).content.decode()
    shown_date = finding.due_date.isoformat()
    assert f'name="due_date" type="text" value="{shown_date}"' in page
    form = client.get(url).context["form"]
    response = client.post(
        url,
        {
            "kind": finding.kind,
            "reference": "AFI1",
            "text": "The force should act now.",
            "addressees": [met.pk],
            "deadline": "date",
            "due_date": shown_date,
            "seen": form["seen"].value(),
        },
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.text == "The force should act now."
    assert finding.due_date.isoformat() == shown_date
