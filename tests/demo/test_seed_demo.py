"""seed_demo: the two real stories, the generated spread and its history, determinism.

Most tests read one small demo (``--scale 0.05``) loaded once for the class ``TestSeededDemo``
and emptied after it, as Django's TransactionTestCase does. The tests outside the class need
an empty database and run the command themselves, inside a block they roll back.
"""

import hashlib
import itertools
import json
from collections import Counter
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import Membership, User
from demo.stories import (
    DEMO_PASSWORD,
    EARLIEST_TODAY,
    MARKER_SLUG,
    WAITING_FOR_REVIEW,
    WAITING_LONG_DAYS,
    DemoBuilder,
)
from inspections.choices import GradingScale, OrganisationKind
from inspections.models import (
    EngagePeriod,
    Inspection,
    Inspectorate,
    Judgement,
    KeyFigure,
    Organisation,
)
from recommendations.choices import Channel, FindingKind, Status
from recommendations.models import (
    Finding,
    Item,
    ProgressUpdate,
    Section55Response,
    StatusChange,
)
from workspace.views import REVIEW_TARGET_DAYS

SCALE = 0.05
LONDON = ZoneInfo("Europe/London")


def seed(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, **{"scale": SCALE, **options})
    return out.getvalue()


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def digest():
    """A fingerprint of the demo without database ids, which differ between runs."""
    data = {
        "inspections": list(
            Inspection.objects.order_by("slug").values_list("slug", "title", "published_at")
        ),
        "findings": list(
            Finding.objects.order_by("inspection__slug", "reference").values_list(
                "inspection__slug", "reference", "text", "due_date"
            )
        ),
        "items": list(
            Item.objects.order_by(
                "finding__inspection__slug", "finding__reference", "organisation__slug"
            ).values_list(
                "finding__inspection__slug",
                "finding__reference",
                "organisation__slug",
                "status",
                "status_changed_at",
            )
        ),
        "status_changes": StatusChange.objects.count(),
        "updates": sorted(ProgressUpdate.objects.values_list("written_on", "narrative")),
    }
    return hashlib.sha256(json.dumps(data, default=str).encode()).hexdigest()


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    """Load the demo once for the class; empty the database after it."""
    with django_db_blocker.unblock():
        output = seed()
        yield output
        call_command("flush", interactive=False, verbosity=0)
        ContentType.objects.clear_cache()


@pytest.mark.usefixtures("seeded")
class TestSeededDemo:
    # --- Story 1 --------------------------------------------------------------------------

    @pytest.fixture
    def custody(self, db):
        return Inspection.objects.get(slug=MARKER_SLUG)

    def test_met_custody_is_the_joint_inspection_published_on_7_august_2025(self, custody):
        assert custody.programme.slug == "police-custody"
        assert custody.lead_inspectorate.abbreviation == "HMICFRS"
        assert list(custody.partner_inspectorates.values_list("slug", flat=True)) == ["cqc"]
        assert custody.published_at == datetime(2025, 8, 7, 9, 0, tzinfo=LONDON)
        assert list(custody.organisations.values_list("slug", flat=True)) == [
            "metropolitan-police-service"
        ]

    def test_met_custody_has_one_cause_with_one_recommendation_to_force_and_mopac(self, custody):
        (cause,) = custody.causes_of_concern.all()
        assert cause.reference == "CoC1"
        assert "use of force" in cause.text and "mental health" in cause.text
        (recommendation,) = custody.findings.recommendations()
        assert recommendation.reference == "R1"
        assert recommendation.cause_of_concern == cause
        assert set(recommendation.addressees.values_list("slug", flat=True)) == {
            "metropolitan-police-service",
            "mayors-office-for-policing-and-crime",
        }

    def test_met_custody_has_twenty_areas_for_improvement_for_the_force(self, custody):
        afis = custody.findings.areas_for_improvement()
        assert sorted(afis.values_list("reference", flat=True)) == sorted(
            f"AFI{n}" for n in range(1, 21)
        )
        assert set(
            Item.objects.filter(finding__in=afis).values_list("organisation__slug", flat=True)
        ) == {"metropolitan-police-service"}
        assert afis.filter(
            text="Pre-release risk assessments lack detail on risks such as self-harm."
        ).exists()

    def test_met_custody_key_figures(self, custody):
        figures = {
            f.label: (f.value, f.out_of) for f in KeyFigure.objects.filter(inspection=custody)
        }
        assert figures == {
            "Custody records/CCTV cases reviewed": (64, None),
            "Cases where CCTV review found significant learning": (0, 64),
        }

    def test_met_custody_recommendation_progresses_separately_per_addressee(self, custody):
        recommendation = custody.findings.get(reference="R1")
        for item in recommendation.items.all():
            assert item.status == Status.IN_PROGRESS
            assert item.updates.filter(is_published=True).exists()
        met = recommendation.items.get(organisation__slug="metropolitan-police-service")
        assert met.updates.filter(is_published=False).exists()

    def test_mopac_answered_under_section_55_before_the_due_date(self, custody):
        response = Section55Response.objects.get(
            inspection=custody, local_policing_body__slug="mayors-office-for-policing-and-crime"
        )
        assert response.due_on == date(2025, 10, 1)
        assert response.received_on is not None
        assert response.received_on <= response.due_on
        assert not response.was_late
        (statement,) = response.statements.all()
        assert statement.finding.reference == "R1"

    # --- Story 2 --------------------------------------------------------------------------

    @pytest.fixture
    def child_protection(self, db):
        return Inspection.objects.get(slug="metropolitan-police-child-protection-2016")

    def test_child_protection_2016_is_followed_by_four_updates_in_a_chain(self, child_protection):
        series = child_protection.series()
        assert len(series) == 5
        assert series[0] == child_protection
        assert series[0].published_at.year == 2016
        for previous, update in itertools.pairwise(series):
            assert update.follows_up_id == previous.pk
            assert update.published_at > previous.published_at
        assert series[-1].published_at.year == 2018
        assert {i.programme.slug for i in series} == {"national-child-protection"}

    def test_last_child_protection_update_found_191_of_214_cases_wanting(self, child_protection):
        last = child_protection.series()[-1]
        figures = {f.label: (f.value, f.out_of) for f in last.figures.all()}
        assert figures == {
            "Cases reviewed": (214, None),
            "Cases requiring improvement or inadequate": (191, 214),
        }
        for words in ("named officer lead", "decisions", "sex-offender briefing", "workload",
                      "supervision", "revisit"):  # fmt: skip
            assert words in last.summary

    def test_child_protection_recommendations_are_partly_verified_and_partly_open(
        self, child_protection
    ):
        statuses = Counter(
            Item.objects.filter(finding__inspection=child_protection).values_list(
                "status", flat=True
            )
        )
        assert statuses[Status.CLOSED_COMPLETE] == 3
        assert statuses[Status.CLOSED_SUPERSEDED] == 1
        assert statuses[Status.IN_PROGRESS] + statuses[Status.SUBMITTED] == 3
        closing = StatusChange.objects.filter(
            item__finding__inspection=child_protection, to_status=Status.CLOSED_COMPLETE
        ).first()
        assert closing.note.startswith("Authorised for closure")
        assert closing.source == "inspectorate"

    def test_a_child_protection_recommendation_was_reopened(self, child_protection):
        assert StatusChange.objects.filter(
            item__finding__inspection=child_protection,
            from_status=Status.CLOSED_COMPLETE,
            to_status=Status.IN_PROGRESS,
        ).exists()

    # --- Generated data and its history -----------------------------------------------------

    def test_an_overdue_child_protection_item_was_extended_and_an_update_corrected(self, db):
        item = Item.objects.get(
            finding__inspection__slug="metropolitan-police-child-protection-2016",
            finding__text__contains="detained in custody",
        )
        # Extended to the end of a month a few months after the demo's day: still ahead.
        assert 90 <= (item.due_date - timezone.localdate()).days <= 155
        assert (item.due_date + timedelta(days=1)).day == 1
        assert item.original_due_date == date(2017, 5, 25)
        assert item.overdue_when_extended
        (change,) = item.due_date_changes.all()
        assert change.was_overdue and change.source == "agreed_on_request"
        (correction,) = ProgressUpdate.objects.filter(item=item, corrects__isnull=False)
        assert correction.is_published and correction.correction_reason
        assert correction.corrects.narrative.endswith(
            "Custody officers use a new risk form for children."
        )

    def test_every_status_appears(self, db):
        assert set(Item.objects.values_list("status", flat=True)) == set(Status.values)

    def test_current_status_is_the_last_change_or_open_without_history(self, db):
        last_changes = {}
        for change in StatusChange.objects.order_by("changed_at", "pk"):
            last_changes[change.item_id] = change
        for item in Item.objects.all():
            change = last_changes.get(item.pk)
            if change is None:
                assert item.status == Status.OPEN
            else:
                assert item.status == change.to_status
                assert item.status_changed_at == change.changed_at

    def test_each_history_is_a_chain_of_allowed_moves_after_publication(self, db):
        changes = StatusChange.objects.select_related("item__finding__inspection")
        by_item = {}
        for change in changes.order_by("changed_at", "pk"):
            by_item.setdefault(change.item_id, []).append(change)
        for history in by_item.values():
            assert history[0].from_status == Status.OPEN
            published_at = history[0].item.finding.inspection.published_at
            assert history[0].changed_at >= published_at
            for before, after in itertools.pairwise(history):
                assert after.from_status == before.to_status
                assert after.changed_at > before.changed_at

    def test_history_spreads_over_years_and_came_through_the_command(self, db):
        years = {c.changed_at.year for c in StatusChange.objects.all()}
        assert {2017, 2020, 2023, 2026} <= years
        assert set(StatusChange.objects.values_list("channel", flat=True)) == {Channel.COMMAND}

    def test_superseded_findings_point_to_a_newer_finding(self, db):
        superseded = Item.objects.filter(status=Status.CLOSED_SUPERSEDED).select_related(
            "finding__inspection", "superseded_by__inspection"
        )
        assert superseded.exists()
        for item in superseded:
            assert item.superseded_by is not None
            newer = item.superseded_by.inspection.published_at
            assert newer > item.finding.inspection.published_at

    def test_some_active_items_are_overdue(self, db):
        assert Item.objects.overdue(today=date(2026, 11, 1)).exists()

    def test_published_and_internal_progress_updates_exist(self, db):
        assert ProgressUpdate.objects.filter(is_published=True).exists()
        assert ProgressUpdate.objects.filter(is_published=False).exists()

    def test_unpublished_inspections_keep_their_findings_out_of_public_lists(self, db):
        unpublished = Inspection.objects.unpublished()
        assert unpublished.count() >= 2
        assert unpublished.filter(published_at__isnull=True).exists()
        hidden = Finding.objects.filter(inspection__in=unpublished)
        assert hidden.exists()
        assert not Finding.objects.published().filter(pk__in=hidden).exists()

    def test_findings_of_hampshire_constabulary_follow_its_successor(self, db):
        old = Item.objects.filter(organisation__slug="hampshire-constabulary")
        assert old.exists()
        successor = Organisation.objects.get(slug="hampshire-and-isle-of-wight-constabulary")
        assert set(old.values_list("pk", flat=True)) <= set(
            Item.objects.for_organisation(successor).values_list("pk", flat=True)
        )

    def test_peel_grades_use_the_scale_of_their_year(self, db):
        peel = Judgement.objects.filter(inspection__programme__slug="peel")
        assert set(
            peel.filter(inspection__slug__endswith="2018-19").values_list("scale", flat=True)
        ) == {GradingScale.PEEL_FOUR_POINT}
        assert set(
            peel.filter(inspection__slug__endswith="2023-25").values_list("scale", flat=True)
        ) == {GradingScale.PEEL_FIVE_POINT}
        assert set(
            Judgement.objects.filter(inspection__programme__slug="fire-and-rescue").values_list(
                "scale", flat=True
            )
        ) == {GradingScale.FIRE_FOUR_POINT}

    def test_recommendations_carry_due_dates_and_the_reports_wording(self, db):
        with_deadline = Finding.objects.recommendations().exclude(deadline_wording="")
        assert with_deadline.filter(deadline_wording="within six months").exists()
        assert not with_deadline.filter(due_date__isnull=True).exists()

    def test_section_55_responses_on_time_late_and_outstanding(self, db):
        responses = list(Section55Response.objects.select_related("inspection"))
        today = date(2026, 11, 1)
        assert any(r.received_on and not r.was_late for r in responses)
        assert any(r.was_late for r in responses)
        assert any(r.is_overdue(today=today) for r in responses)

    def test_engage_has_current_and_past_periods_one_linked_to_an_inspection(self, db):
        assert EngagePeriod.objects.filter(left_on__isnull=True).exists()
        past = EngagePeriod.objects.filter(left_on__isnull=False)
        assert past.exists()
        assert not past.filter(exit_reasons="").exists()
        assert EngagePeriod.objects.filter(inspection__isnull=False).exists()

    def test_some_causes_of_concern_are_discharged(self, db):
        assert Finding.objects.filter(cause_of_concern__discharged_on__isnull=False).exists()

    def test_invented_findings_are_marked_as_demo(self, db):
        real = {
            "Pre-release risk assessments lack detail on risks such as self-harm.",
        }
        unmarked = Finding.objects.exclude(text__startswith="[Demo]").exclude(text__in=real)
        # Story 1's recommendation follows DOMAIN.md; everything else invented is marked.
        assert list(unmarked.values_list("inspection__slug", "reference")) == [(MARKER_SLUG, "R1")]

    def test_the_review_queue_is_a_handful_waiting_none_for_years(self, db):
        assert_queue_reads_like_a_working_inspectorates(today=timezone.localdate())

    def test_the_inspectors_queue_flags_a_few_decisions_as_overdue(self, client, db):
        inspector = User.objects.create_user(
            username="queue-reader",
            inspectorate=Inspectorate.objects.get(slug="hmicfrs"),
            is_staff=True,
        )
        client.force_login(inspector)

        html = client.get("/workspace/").text

        waiting = Item.objects.filter(status=Status.SUBMITTED).count()
        assert f"Submitted for closure ({waiting})" in html
        flagged = html.count("Decision overdue</strong>")
        assert 1 <= flagged <= waiting // 2, (flagged, waiting)

    def test_every_seeded_report_is_marked_as_demo_data(self, db):
        assert not Inspection.objects.filter(is_demo=False).exists()

    def test_demo_pages_say_the_data_is_invented(self, client, custody):
        finding = custody.findings.order_by("position").first()
        for url in (
            f"/inspections/{custody.slug}/",
            f"/recommendations/{finding.pk}/",
            "/organisations/metropolitan-police-service/",
        ):
            assert "Demo data:" in client.get(url).text, url

    def test_references_follow_the_kind_of_finding(self, db):
        for kind, reference in Finding.objects.values_list("kind", "reference"):
            prefix = "R" if kind == FindingKind.RECOMMENDATION else "AFI"
            assert reference.removeprefix(prefix).isdigit()

    def test_running_again_does_nothing(self, db):
        counts = (Inspection.objects.count(), Finding.objects.count(), StatusChange.objects.count())

        output = seed()

        assert "already loaded" in output
        assert (
            Inspection.objects.count(),
            Finding.objects.count(),
            StatusChange.objects.count(),
        ) == counts

    def test_output_counts_what_was_loaded(self, db, seeded):
        assert f"inspections      {Inspection.objects.count()}" in seeded
        assert f"status changes   {StatusChange.objects.count()}" in seeded


def assert_queue_reads_like_a_working_inspectorates(*, today):
    """A handful of submissions waiting for a decision, all recent, a few of them past the
    review target (flagged "Decision overdue" in the workspace queue), none years old."""
    waiting = list(Item.objects.filter(status=Status.SUBMITTED))
    ages = sorted(
        (today - item.status_changed_at.astimezone(LONDON).date()).days for item in waiting
    )
    assert 3 <= len(ages) <= WAITING_FOR_REVIEW, ages
    assert ages[0] >= 1, ages
    assert ages[-1] <= WAITING_LONG_DAYS[1], ages
    overdue = [age for age in ages if age > REVIEW_TARGET_DAYS]
    assert 1 <= len(overdue) <= len(ages) // 2, ages


def test_a_demo_seeded_on_another_day_has_a_recent_queue_then(db):
    """The queue is dated from the day the demo is seeded, not from a fixed day: seeded on 1
    November 2026 (or any day), it reads as it would have read that day."""
    earlier = date(2026, 11, 1)
    with rolled_back():
        output = seed(today=earlier)
        assert "dated from 01 November 2026" in output
        assert_queue_reads_like_a_working_inspectorates(today=earlier)


@pytest.mark.parametrize("day", [EARLIEST_TODAY - timedelta(days=1), "tomorrow"])
def test_the_demo_is_dated_from_a_day_between_its_stories_and_today(db, day):
    if day == "tomorrow":
        day = timezone.localdate() + timedelta(days=1)
    with pytest.raises(CommandError, match="--today"):
        seed(today=day)


def test_same_seed_gives_the_same_demo(db):
    fingerprints = []
    for _run in range(2):
        with rolled_back():
            seed(seed=3)
            fingerprints.append(digest())
    assert fingerprints[0] == fingerprints[1]


def test_another_seed_gives_another_demo(db):
    call_command("load_reference_data", stdout=StringIO())
    fingerprints = []
    for seed_value in (3, 4):
        with rolled_back():
            DemoBuilder(seed=seed_value, scale=SCALE, write=lambda _: None).generate_peel()
            fingerprints.append(digest())
    assert fingerprints[0] != fingerprints[1]


@pytest.fixture
def without_data(monkeypatch):
    """Skip building the data: for tests of what the command does around it."""
    monkeypatch.setattr(DemoBuilder, "build", lambda self: None)


def test_demo_accounts_are_created_when_debug_is_on(db, settings, without_data):
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    output = seed()

    users = {u.username: u for u in User.objects.all()}
    assert set(users) == {"inspector", "met", "mopac", "kent", "admin"}
    assert all(u.check_password(DEMO_PASSWORD) for u in users.values())
    assert users["admin"].is_superuser
    inspector = users["inspector"]
    assert inspector.is_inspector and inspector.is_staff
    assert inspector.has_perm("recommendations.change_item")
    assert inspector.has_perm("inspections.add_inspection")
    assert inspector.has_perm("audit.view_actionlog")
    assert not inspector.has_perm("accounts.change_user")
    memberships = {
        m.user.username: (m.organisation.slug, m.is_lead)
        for m in Membership.objects.select_related("user", "organisation")
    }
    assert memberships == {
        "met": ("metropolitan-police-service", True),
        "mopac": ("mayors-office-for-policing-and-crime", True),
        "kent": ("kent-police", False),
    }
    assert "inspector" in output and DEMO_PASSWORD in output


def test_no_demo_accounts_when_debug_is_off(db, settings, without_data):
    settings.DEBUG = False

    output = seed()

    assert "DEBUG is off: no demo accounts were created." in output
    assert not User.objects.exists()


def test_loads_the_reference_data_when_it_is_missing(db, without_data):
    output = seed()

    assert "Loading the reference data first." in output
    assert Organisation.objects.filter(slug="metropolitan-police-service").exists()


def test_a_thematic_recommendation_goes_to_all_43_territorial_forces(db):
    call_command("load_reference_data", stdout=StringIO())
    DemoBuilder(seed=1, scale=1, write=lambda _: None).generate_thematics()

    counts = Finding.objects.annotate(n=Count("items")).values_list("n", flat=True)
    assert 43 in counts
    widest = Finding.objects.annotate(n=Count("items")).get(
        n=43, deadline_wording="by 30 April 2023"
    )
    addressees = widest.addressees.all()
    assert {o.kind for o in addressees} == {OrganisationKind.POLICE_FORCE}
    assert not addressees.filter(slug="british-transport-police").exists()


def test_scale_must_be_positive(db):
    with pytest.raises(CommandError, match="--scale"):
        seed(scale=0)
