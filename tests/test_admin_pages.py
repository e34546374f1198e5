"""Every admin page renders for an administrator, and no changelist grows by a query per row."""

from datetime import date, timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from accounts.models import User
from api.models import ApiToken, token_hash
from inspections.models import (
    Inspection,
    Inspectorate,
    Judgement,
    KeyFigure,
    Organisation,
    Programme,
)
from inspections.services import engage_enter
from recommendations.choices import FindingKind, Status
from recommendations.models import (
    CauseOfConcern,
    EvidenceFile,
    Finding,
    Item,
    Theme,
)
from recommendations.services import (
    finding_add_addressees,
    item_change_status,
    progress_update_add,
    section55_open_responses,
    section55_record_response,
)
from reminders.models import Digest, ReminderPreference

MODELS = [model for model in admin.site._registry if model._meta.app_label != "auth"]


def add_inspection(n, *, programme, inspectorate, organisations, theme):
    """One published inspection with a cause of concern, findings, history and a response."""
    inspection = Inspection.objects.create(
        title=f"Inspection {n}",
        slug=f"inspection-{n}",
        programme=programme,
        lead_inspectorate=inspectorate,
        published_at=timezone.now() - timedelta(days=100 + n),
    )
    inspection.organisations.add(*organisations)
    inspection.partner_inspectorates.add(inspectorate)
    KeyFigure.objects.create(inspection=inspection, label="Cases", value=10, out_of=20)
    Judgement.objects.create(
        inspection=inspection, question_area="Leadership", scale="peel_5", grade="good"
    )
    cause = CauseOfConcern.objects.create(inspection=inspection, reference="CoC1", text="Poor.")
    for i in range(3):
        finding = Finding.objects.create(
            inspection=inspection,
            kind=FindingKind.RECOMMENDATION if i == 0 else FindingKind.AREA_FOR_IMPROVEMENT,
            cause_of_concern=cause if i == 0 else None,
            reference=f"X{i}",
            text=f"Finding {i} of inspection {n}.",
            due_date=date(2026, 1, 1),
        )
        finding.themes.add(theme)
        for item in finding_add_addressees(finding=finding, organisations=organisations):
            update = progress_update_add(
                item=item, narrative="Progress.", self_assessment="on_track"
            )
            EvidenceFile.objects.create(
                update=update,
                file="evidence/x.pdf",
                original_name="plan.pdf",
                content_type="application/pdf",
                size=10,
            )
            item_change_status(item=item, to_status=Status.SUBMITTED, note="Done.")
    for response in section55_open_responses(inspection=inspection):
        section55_record_response(
            response=response, received_on=timezone.localdate(), url="https://example.org/r"
        )
    return inspection


@pytest.fixture
def world(inspection, met, mopac, kent, admin_user, inspector, met_user, kent_user):
    engage_enter(organisation=kent, entered_on=date(2024, 1, 1), reasons="Concerns.")

    def grow(start, count):
        """Add ``count`` rows of every model, each with its own related rows."""
        for n in range(start, start + count):
            body = Organisation.objects.create(
                slug=f"force-{n}", name=f"Force {n}", kind="police_force", local_policing_body=mopac
            )
            engage_enter(organisation=body, entered_on=date(2024, 1, 1), reasons="Concerns.")
            add_inspection(
                n,
                programme=Programme.objects.create(
                    slug=f"p{n}", name=f"P {n}", kind="peel", section55_applies=True
                ),
                inspectorate=Inspectorate.objects.create(
                    slug=f"i{n}",
                    name=f"Inspectorate {n}",
                    abbreviation=f"I{n}",
                    inspects_under_police_act_s54=True,
                ),
                organisations=[met, kent, body],
                theme=Theme.objects.create(slug=f"t{n}", name=f"Theme {n}"),
            )
            user = User.objects.create_user(username=f"user{n}")
            ReminderPreference.objects.create(user=user, overdue=False)
            ApiToken.objects.create(
                user=user, name="Case system", key_hash=token_hash(f"t{n}"), key_start="irt_t"
            )
            sent_at = timezone.now() - timedelta(days=n + 1)
            Digest.objects.create(
                user=user,
                day=timezone.localdate(sent_at),
                sent_at=sent_at,
                covered_until=sent_at,
                email=f"user{n}@example.org",
                subject="Inspection tracker: 1 overdue",
                summary={"overdue": ["X0, Inspection 0"]},
            )
            # A background job's record (django-tasks-db), as a worker leaves it.
            DBTaskResult.objects.create(
                args_kwargs={"args": [f"2026-01-{n % 28 + 1:02d}"], "kwargs": {}},
                task_path="reminders.tasks.send_reminders",
                backend_name="default",
                run_after=get_date_max(),
                status="SUCCESSFUL",
                finished_at=sent_at,
                return_value={"emailed": 1},
            )

    grow(0, 2)
    return grow


def admin_urls_for(model):
    opts = model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}"
    obj = model._default_manager.order_by("pk").first()
    urls = [reverse(f"{name}_changelist")]
    model_admin = admin.site._registry[model]
    if model_admin.has_add_permission(_SuperRequest()):
        urls.append(reverse(f"{name}_add"))
    if obj is not None:
        urls.append(reverse(f"{name}_change", args=[obj.pk]))
        urls.append(reverse(f"{name}_history", args=[obj.pk]))
    return urls


class _SuperRequest:
    class user:
        is_active = is_staff = is_superuser = is_authenticated = is_inspector = True
        is_organisation_user = False
        inspectorate_id = None

        @staticmethod
        def has_perm(perm, obj=None):
            return True


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_every_admin_page_renders(client, admin_user, world, model):
    client.force_login(admin_user)
    urls = admin_urls_for(model)
    assert urls
    if model._default_manager.exists():
        assert len(urls) >= 3, "an object exists, so its change and history pages are checked"
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url


def test_every_model_has_data_in_the_world_fixture(world):
    empty = [m._meta.label for m in MODELS if not m._default_manager.exists()]
    assert empty == []


# Query counts of each changelist. Every one has: 1 session, 2 user, 3 filtered count,
# 4 total count, 5 the page of rows (with its annotations and select_related). Above five:
# one query per related-model list filter for its choices (programme, inspectorate, content
# type, user, theme) and one for the date hierarchy's years. None depends on the number of
# rows; a failure means a query per row has crept in, or a filter was added: check which.
CHANGELIST_QUERIES = {
    "inspections.Inspectorate": 5,
    "inspections.Programme": 5,
    "inspections.Organisation": 5,
    "inspections.EngagePeriod": 7,
    "inspections.Inspection": 9,
    "recommendations.Theme": 5,
    "recommendations.CauseOfConcern": 5,
    "recommendations.Finding": 7,
    "recommendations.Item": 6,
    "recommendations.StatusChange": 7,
    "recommendations.ProgressUpdate": 7,
    "recommendations.Section55Response": 5,
    "audit.ActionLog": 9,
    "accounts.User": 7,
    "reminders.ReminderPreference": 5,
    "reminders.Digest": 7,
    "api.ApiToken": 5,
    # Background jobs: plus the distinct priorities and queue names, its two value filters.
    "django_tasks_database.DBTaskResult": 7,
}


def count_queries(client, url):
    client.get(url)  # Warm the per-process caches (content types) first.
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_changelist_queries_do_not_grow_with_rows(client, admin_user, world, model):
    client.force_login(admin_user)
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    before_rows = model._default_manager.count()
    before = count_queries(client, url)
    world(10, 3)
    assert model._default_manager.count() > before_rows
    after = count_queries(client, url)
    assert after == before
    assert before == CHANGELIST_QUERIES[opts.label], f"{opts.label}: {before} queries"


def _add_findings(inspection, organisations, count, start):
    for i in range(start, start + count):
        finding = Finding.objects.create(
            inspection=inspection,
            kind=FindingKind.AREA_FOR_IMPROVEMENT,
            reference=f"AFI{i}",
            text=f"Area for improvement {i}.",
        )
        for item in finding_add_addressees(finding=finding, organisations=organisations):
            progress_update_add(item=item, narrative="Begun.", self_assessment="at_risk")


def test_inspection_change_page_queries_do_not_grow_with_findings(client, admin_user, world, met):
    client.force_login(admin_user)
    inspection = Inspection.objects.get(slug="inspection-0")
    url = reverse("admin:inspections_inspection_change", args=[inspection.pk])
    before = count_queries(client, url)
    _add_findings(inspection, [met], 20, start=100)
    assert count_queries(client, url) == before
    # 1 session, 2 user, 3 the inspection, 4-5 its organisations and partners, 6 key figures,
    # 7 judgements, 8 causes of concern, 9-16 the fingerprint of the report as shown, which a
    # stale form is refused against (its organisations and partners, key figures, judgements,
    # causes of concern, the last action logged, its findings and their addressees), 17-20 the
    # autocomplete selections (programme, organisations, lead and partner inspectorates), 21-22
    # the findings listed (the findings, their addressees with their organisations). The
    # findings were inline forms until issue 11 (26 queries, and two selects per finding).
    assert before == 22


def _bulk_findings(inspection, organisations, count):
    """``count`` areas for improvement, each addressed to ``organisations``: rows as an import
    leaves them, written in bulk (the page, not the writing, is under test)."""
    findings = Finding.objects.bulk_create(
        Finding(
            inspection=inspection,
            kind=FindingKind.AREA_FOR_IMPROVEMENT,
            reference=f"AFI{i}",
            text=f"Area for improvement {i}: the force should improve how it records things.",
            position=i,
        )
        for i in range(1, count + 1)
    )
    Item.objects.bulk_create(
        Item(finding=finding, organisation=organisation)
        for finding in findings
        for organisation in organisations
    )


def test_a_report_of_300_findings_opens_in_the_same_queries_and_a_small_page(
    client, admin_user, hmicfrs, custody, met, mopac
):
    client.force_login(admin_user)
    sizes, queries = {}, {}
    for count in (10, 300):
        report = Inspection.objects.create(
            title=f"Report of {count}",
            slug=f"report-{count}",
            programme=custody,
            lead_inspectorate=hmicfrs,
        )
        report.organisations.add(met)
        _bulk_findings(report, [met, mopac], count)
        url = reverse("admin:inspections_inspection_change", args=[report.pk])
        queries[count] = count_queries(client, url)
        page = client.get(url)
        sizes[count] = len(page.content)
        html = page.content.decode()
        # Listed and linked, not inlined as forms.
        finding = report.findings.get(reference=f"AFI{count}")
        assert reverse("admin:recommendations_finding_change", args=[finding.pk]) in html
        assert f"{count} findings" in html
        assert "2 Open" in html
        assert 'name="findings-' not in html
        assert html.count("<select") < 10

    assert queries[10] == queries[300]
    assert sizes[300] < 300_000, f"{sizes[300]:,} bytes"


def test_findings_are_added_on_their_own_page_linked_from_the_report(
    client, admin_user, hmicfrs, custody, met
):
    client.force_login(admin_user)
    report = Inspection.objects.create(
        title="A draft", slug="a-draft", programme=custody, lead_inspectorate=hmicfrs
    )
    html = client.get(reverse("admin:inspections_inspection_change", args=[report.pk])).content
    add = reverse("admin:recommendations_finding_add")
    link = f"{add}?inspection={report.pk}&amp;kind=area_for_improvement"
    assert link.encode() in html

    form = client.get(link.replace("&amp;", "&")).context["adminform"].form
    assert form.initial["inspection"] == str(report.pk)
    assert form.initial["kind"] == "area_for_improvement"


def test_finding_and_item_pages_do_not_grow_with_history(client, admin_user, world):
    client.force_login(admin_user)
    item = Item.objects.filter(status=Status.SUBMITTED).first()
    finding_url = reverse("admin:recommendations_finding_change", args=[item.finding_id])
    item_url = reverse("admin:recommendations_item_change", args=[item.pk])
    history_url = reverse("admin:recommendations_finding_history", args=[item.finding_id])
    before = [count_queries(client, u) for u in (finding_url, item_url, history_url)]
    for _ in range(5):
        item = item_change_status(item=item, to_status=Status.IN_PROGRESS, note="Returned.")
        item = item_change_status(item=item, to_status=Status.SUBMITTED, note="Resubmitted.")
        progress_update_add(item=item, narrative="More.", self_assessment="on_track")
    after = [count_queries(client, u) for u in (finding_url, item_url, history_url)]
    assert after == before
    # Finding: session, user, finding with its inspection, its themes, its addressees
    # (read-only rows: an item's organisation is never re-pointed) with their finding,
    # organisation and superseding finding, and the themes autocomplete's selection. (Was 13:
    # the editable addressee rows fetched their finding and organisation row by row.) Then 4
    # for the fingerprint of the finding as shown: themes, addressees, their rows, last action.
    # Item: session, user, item, status history, updates, finding, organisation.
    # History: session, user, finding, admin log, action log, status history, content type.
    assert before == [10, 7, 7]


def count_post_queries(client, url, data):
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, data)
    assert response.status_code == 200, response.content.decode()[:2000]
    return len(captured), response


def test_import_and_export_pages_render_and_do_not_grow_with_findings(
    client, admin_user, world, met, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(admin_user)
    inspection = Inspection.objects.get(slug="inspection-0")
    name = "admin:inspections_inspection"
    import_url = reverse(f"{name}_import_findings", args=[inspection.pk])
    pages = {
        # 1 session, 2 user, 3 the inspection.
        import_url: 3,
        # 1 session, 2 user.
        reverse(f"{name}_import_template", args=["csv"]): 2,
        reverse(f"{name}_import_template", args=["xlsx"]): 2,
        # 1 session, 2 user, 3 the inspection, 4 its findings with their causes of concern,
        # 5 their themes, 6 their addressees with the organisations.
        reverse(f"{name}_export_findings", args=[inspection.pk, "csv"]): 6,
        reverse(f"{name}_export_findings", args=[inspection.pk, "xlsx"]): 6,
    }

    def preview_queries():
        export = client.get(reverse(f"{name}_export_findings", args=[inspection.pk, "csv"]))
        upload = SimpleUploadedFile("export.csv", export.content)
        count, response = count_post_queries(client, import_url, {"file": upload})
        assert "Confirm and import" in response.content.decode()
        return count

    before = {url: count_queries(client, url) for url in pages}
    before_preview = preview_queries()
    _add_findings(inspection, [met], 20, start=100)
    assert {url: count_queries(client, url) for url in pages} == before
    assert preview_queries() == before_preview
    assert before == pages
    # 1 session, 2 user, 3 the inspection, 4 every organisation with its successor, 5 themes,
    # 6 the inspection's causes of concern, 7 its findings (with causes and whether they
    # have section 55 statements), 8 their themes, 9 their addressees, 10-12 saving the
    # session that keeps the upload's token (in a savepoint).
    assert before_preview == 12


def test_finding_page_queries_do_not_grow_with_addressees(client, admin_user, world):
    client.force_login(admin_user)
    finding = Finding.objects.order_by("pk").first()
    url = reverse("admin:recommendations_finding_change", args=[finding.pk])
    before = count_queries(client, url)
    extra = [
        Organisation.objects.create(slug=f"extra-{i}", name=f"Extra {i}", kind="police_force")
        for i in range(5)
    ]
    finding_add_addressees(finding=finding, organisations=extra)
    assert count_queries(client, url) == before
