"""Who hears about what: the selection of each kind of reminder, per persona."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from accounts.models import Membership, User
from inspections.choices import OrganisationKind
from inspections.models import Organisation
from recommendations import policy
from recommendations.choices import Status
from recommendations.models import Item
from recommendations.services import (
    item_close,
    item_reopen,
    item_return,
    item_start,
    item_submit_for_closure,
    section55_open_responses,
    section55_record_response,
)
from reminders.choices import ReminderKind
from reminders.models import Digest, ReminderPreference
from reminders.services import reminders_select
from tests.conftest import EMBARGOED
from tests.reminders.conftest import ago

DUE_SOON = ReminderKind.DUE_SOON
OVERDUE = ReminderKind.OVERDUE
REVIEW = ReminderKind.AWAITING_REVIEW
OUTCOME = ReminderKind.REVIEW_OUTCOME
S55 = ReminderKind.SECTION_55


def select(day):
    return {digest.user.username: digest for digest in reminders_select(day=day)}


def about(digest, kind):
    return [reminder.about for reminder in digest.reminders.get(kind, [])]


# Items due within 30 days and overdue items


def test_met_user_gets_met_items_due_soon_and_overdue_but_not_kents(
    make_item, met, kent, met_user, kent_user, today
):
    soon = make_item(met, today + timedelta(days=10))
    late = make_item(met, today - timedelta(days=5))
    make_item(met, today + timedelta(days=40))
    make_item(met, None)
    kents = make_item(kent, today + timedelta(days=10))

    digests = select(today)

    assert about(digests["met"], DUE_SOON) == [soon]
    assert about(digests["met"], OVERDUE) == [late]
    assert about(digests["kent"], DUE_SOON) == [kents]
    assert about(digests["kent"], OVERDUE) == []


def test_due_soon_runs_from_today_to_the_thirtieth_day(make_item, met, met_user, today):
    due_today = make_item(met, today)
    day_30 = make_item(met, today + timedelta(days=30))
    make_item(met, today + timedelta(days=31))
    yesterday = make_item(met, today - timedelta(days=1))

    digest = select(today)["met"]

    assert about(digest, DUE_SOON) == [due_today, day_30]
    assert about(digest, OVERDUE) == [yesterday]


def test_overdue_items_most_overdue_first(make_item, met, met_user, today):
    week = make_item(met, today - timedelta(days=7))
    year = make_item(met, today - timedelta(days=365))
    day = make_item(met, today - timedelta(days=1))

    assert about(select(today)["met"], OVERDUE) == [year, week, day]


def test_closed_items_are_neither_due_nor_overdue(make_item, met, met_user, today):
    late = make_item(met, today - timedelta(days=5))
    soon = make_item(met, today + timedelta(days=5))
    item_close(item=late, outcome=Status.CLOSED_NOT_IMPLEMENTED, note="Not done.")
    item_close(item=soon, outcome=Status.CLOSED_NO_LONGER_RELEVANT, note="Law changed.")

    # Only the closures themselves, as review outcomes.
    assert set(select(today)["met"].reminders) == {OUTCOME}


def test_in_progress_and_submitted_items_still_remind(make_item, met, met_user, today):
    started = make_item(met, today - timedelta(days=2))
    submitted = make_item(met, today + timedelta(days=2))
    item_start(item=started)
    item_submit_for_closure(item=submitted, note="Done, see the evidence.")

    digest = select(today)["met"]

    assert about(digest, OVERDUE) == [started]
    assert about(digest, DUE_SOON) == [submitted]


def test_embargoed_items_are_never_mentioned_to_organisations(
    public_world, met_user, kent_user, mopac_user, today
):
    secret = public_world["secret"]
    digests = reminders_select(day=today + timedelta(days=30))

    for digest in digests:
        for reminders in digest.reminders.values():
            for reminder in reminders:
                if isinstance(reminder.about, Item):
                    assert reminder.about.finding_id != secret.pk
                assert EMBARGOED not in reminder.heading
                assert EMBARGOED not in " ".join(reminder.details)


def test_a_run_for_a_later_day_still_keeps_the_embargo(make_inspection, make_item, met, met_user):
    # The report is published in three days; a run for next week must not mention it yet.
    report = make_inspection(met, published_at=timezone.now() + timedelta(days=3))
    make_item(met, timezone.localdate(), on=report)

    assert "met" not in select(timezone.localdate() + timedelta(days=7))


def test_items_of_a_predecessor_reach_the_successors_people(make_item, met, met_user, today):
    old = Organisation.objects.create(
        slug="old-force",
        name="Old Force",
        kind=OrganisationKind.POLICE_FORCE,
        successor=met,
        ceased_on=today - timedelta(days=400),
    )
    inherited = make_item(old, today - timedelta(days=3))

    assert about(select(today)["met"], OVERDUE) == [inherited]


def test_organisation_items_are_what_visible_to_shows(
    public_world, make_item, met, kent, mopac, met_user, kent_user, mopac_user, inspector, today
):
    for org in (met, kent, mopac):
        make_item(org, today - timedelta(days=1))
        make_item(org, today + timedelta(days=3))
    digests = select(today)

    for user in (met_user, kent_user, mopac_user):
        visible = set(policy.items_visible_to(user).values_list("pk", flat=True))
        portal = set(policy.items_updatable_by(user).values_list("pk", flat=True))
        mentioned = {
            item.pk for kind in (DUE_SOON, OVERDUE) for item in about(digests[user.username], kind)
        }
        assert mentioned
        assert mentioned <= visible
        assert mentioned <= portal


def test_a_person_in_two_organisations_gets_both_in_one_digest(
    make_item, met, kent, met_user, today
):
    Membership.objects.create(user=met_user, organisation=kent)
    mets = make_item(met, today + timedelta(days=1))
    kents = make_item(kent, today + timedelta(days=2))

    digests = reminders_select(day=today)

    assert [d.user for d in digests] == [met_user]
    assert about(digests[0], DUE_SOON) == [mets, kents]


def test_inactive_people_get_nothing(make_item, met, met_user, today):
    make_item(met, today)
    met_user.is_active = False
    met_user.save()

    assert reminders_select(day=today) == []


# Submissions awaiting review


def test_inspector_gets_submissions_of_their_inspectorate_oldest_first(
    make_inspection, make_item, met, kent, inspector, cqc, today
):
    theirs = make_inspection(met, kent, published_on=today - timedelta(days=100))
    others = make_inspection(met, published_on=today - timedelta(days=100), lead=cqc)
    newer = make_item(met, None, on=theirs)
    older = make_item(kent, today + timedelta(days=90), on=theirs)
    not_submitted = make_item(met, today - timedelta(days=1), on=theirs)
    foreign = make_item(met, None, on=others)
    item_submit_for_closure(item=newer, note="Done.", at=ago(days=1))
    item_submit_for_closure(item=older, note="Done.", at=ago(days=9))
    item_submit_for_closure(item=foreign, note="Done.", at=ago(days=20))
    item_start(item=not_submitted)

    digest = select(today)["inspector"]

    assert about(digest, REVIEW) == [older, newer]
    assert set(digest.reminders) == {REVIEW}


def test_inspector_hears_of_submissions_on_unpublished_reports(
    make_inspection, make_item, met, inspector, today
):
    draft = make_inspection(met, published_at=timezone.now() + timedelta(days=5))
    item = make_item(met, None, on=draft)
    item_submit_for_closure(item=item, note="Done.")

    reminder = select(today)["inspector"].reminders[REVIEW][0]

    assert reminder.about == item
    assert reminder.url == f"https://tracker.example.gov.uk/workspace/items/{item.pk}/"


def test_closed_or_returned_submissions_no_longer_await_review(make_item, met, inspector, today):
    closed = make_item(met, None)
    returned = make_item(met, None)
    closed, returned = (
        item_submit_for_closure(item=item, note="Done.") for item in (closed, returned)
    )
    item_close(item=closed, outcome=Status.CLOSED_COMPLETE, note="Verified.")
    item_return(item=returned, note="Not enough evidence.")

    assert "inspector" not in select(today)


def test_administrator_without_inspectorate_and_organisation_users_get_no_review_queue(
    make_item, met, met_user, admin_user, inspector, today
):
    item = make_item(met, None)
    item_submit_for_closure(item=item, note="Done.")
    digests = select(today)

    assert about(digests["inspector"], REVIEW) == [item]
    assert "admin" not in digests
    assert "met" not in digests


def test_inspectors_of_another_inspectorate_get_nothing(make_item, met, cqc, today):
    User.objects.create_user(username="cqc-inspector", inspectorate=cqc)
    item_submit_for_closure(item=make_item(met, None), note="Done.")

    assert "cqc-inspector" not in select(today)


# Outcomes of reviews


def test_review_outcomes_of_the_last_day_for_the_addressees_people(
    make_item, met, mopac, met_user, mopac_user, inspector, today
):
    complete = make_item(met, today + timedelta(days=60))
    returned = make_item(met, today + timedelta(days=60))
    reopened = make_item(met, today + timedelta(days=60))
    mopacs = make_item(mopac, today + timedelta(days=60))
    complete, returned, reopened, mopacs = (
        item_submit_for_closure(item=item, note="Done.", at=ago(days=3))
        for item in (complete, returned, reopened, mopacs)
    )
    item_close(item=complete, outcome=Status.CLOSED_COMPLETE, note="Verified.", at=ago(hours=5))
    item_return(item=returned, note="More evidence, please.", at=ago(hours=4))
    reopened = item_close(
        item=reopened, outcome=Status.CLOSED_COMPLETE, note="Verified.", at=ago(hours=3)
    )
    item_reopen(item=reopened, note="The problem came back.", at=ago(hours=2))

    digests = select(today)
    met_outcomes = digests["met"].reminders[OUTCOME]
    changes = [(r.about.item_id, r.about.to_status) for r in met_outcomes]

    assert changes == [
        (complete.pk, Status.CLOSED_COMPLETE),
        (returned.pk, Status.IN_PROGRESS),
        (reopened.pk, Status.CLOSED_COMPLETE),
        (reopened.pk, Status.IN_PROGRESS),
    ]
    decisions = [r.details[1] for r in met_outcomes]
    assert decisions[0].startswith("Decision: Closed: complete, verified by the inspectorate")
    assert decisions[1].startswith("Decision: Returned to in progress")
    assert decisions[3].startswith("Decision: Reopened")
    assert "Reason: More evidence, please." in met_outcomes[1].details
    # MOPAC's people hear nothing of the Met's items, nor of MOPAC's own self-reported change.
    assert "mopac" not in digests


def test_self_reported_changes_are_not_review_outcomes(make_item, met, met_user, today):
    item = make_item(met, today + timedelta(days=60))
    item_start(item=item, at=ago(hours=2))
    item_submit_for_closure(item=item, note="Done.", at=ago(hours=1))

    assert "met" not in select(today)


def test_without_a_previous_digest_only_the_last_day_is_told(make_item, met, met_user, today):
    old = make_item(met, today + timedelta(days=60))
    new = make_item(met, today + timedelta(days=60))
    for item in (old, new):
        item_submit_for_closure(item=item, note="Done.", at=ago(days=5))
    item_close(item=old, outcome=Status.CLOSED_COMPLETE, note="Ok.", at=ago(hours=30))
    item_close(item=new, outcome=Status.CLOSED_COMPLETE, note="Ok.", at=ago(hours=20))

    assert [r.about.item_id for r in select(today)["met"].reminders[OUTCOME]] == [new.pk]


def test_outcomes_since_the_previous_digest(make_item, met, met_user, today):
    told = make_item(met, today + timedelta(days=60))
    missed = make_item(met, today + timedelta(days=60))
    for item in (told, missed):
        item_submit_for_closure(item=item, note="Done.", at=ago(days=9))
    item_close(item=told, outcome=Status.CLOSED_COMPLETE, note="Ok.", at=ago(days=4))
    Digest.objects.create(
        user=met_user,
        day=today - timedelta(days=3),
        sent_at=ago(days=3),
        covered_until=ago(days=3, minutes=1),
        email="met@example.org",
        subject="Inspection tracker: 1 review outcome",
    )
    # No digest went out in the two days since (say the command did not run): still told.
    item_close(item=missed, outcome=Status.CLOSED_COMPLETE, note="Ok.", at=ago(days=2))

    assert [r.about.item_id for r in select(today)["met"].reminders[OUTCOME]] == [missed.pk]


def test_outcomes_of_embargoed_reports_are_not_told(public_world, met_user, inspector, today):
    secret = public_world["secret"].items.get(organisation__slug="metropolitan-police-service")
    item_close(item=secret, outcome=Status.CLOSED_NO_LONGER_RELEVANT, note="Gone.")

    digests = select(today)

    assert "met" not in digests or OUTCOME not in digests["met"].reminders
    assert "inspector" not in digests


# Section 55 responses


@pytest.fixture
def section55_world(make_inspection, met, kent, today):
    """Met reports whose responses fall due in 10 days, 3 days ago, in 20 days and 14 days,
    one already received, and a Kent report due in 5 days."""

    def report(due_in, *forces):
        published_on = today + timedelta(days=due_in - 55)
        inspection = make_inspection(*(forces or [met]), published_on=published_on)
        return section55_open_responses(inspection=inspection)

    world = {
        "due_in_10": report(10)[0],
        "overdue_3": report(-3)[0],
        "due_in_14": report(14)[0],
        "due_in_20": report(20)[0],
        "received": report(-10)[0],
        "kent": report(5, kent)[0],
    }
    section55_record_response(
        response=world["received"], received_on=today - timedelta(days=12), text="Our response."
    )
    return world


def test_policing_body_gets_section55_due_within_14_days_or_overdue(
    section55_world, mopac_user, today
):
    digest = select(today)["mopac"]

    assert about(digest, S55) == [
        section55_world["overdue_3"],
        section55_world["due_in_10"],
        section55_world["due_in_14"],
    ]
    assert [r.due_on for r in about(digest, S55)] == [
        today - timedelta(days=3),
        today + timedelta(days=10),
        today + timedelta(days=14),
    ]


def test_section55_goes_to_the_policing_body_not_the_force(section55_world, met_user, today):
    assert "met" not in select(today)


def test_section55_of_another_body_is_not_told(section55_world, mopac_user, kent, today):
    kent_pcc = kent.local_policing_body
    pcc_user = User.objects.create_user(username="kent-pcc", email="pcc@example.org")
    Membership.objects.create(user=pcc_user, organisation=kent_pcc)

    digests = select(today)

    assert about(digests["kent-pcc"], S55) == [section55_world["kent"]]
    assert section55_world["kent"] not in about(digests["mopac"], S55)


def test_section55_window_counts_the_uk_publication_day(make_inspection, met, mopac_user, today):
    # Day 1 of the clock is the publication day in London, so the window's edge is a UK
    # midnight: 23:30 on the last day is in (due in 14 days), 00:30 the next day is not (15).
    last_day = today - timedelta(days=55 - 14)
    next_midnight = timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time.min))
    inside = make_inspection(met, published_at=next_midnight - timedelta(minutes=30))
    outside = make_inspection(met, published_at=next_midnight + timedelta(minutes=30))
    response = section55_open_responses(inspection=inside)[0]
    later = section55_open_responses(inspection=outside)[0]

    assert response.due_on == today + timedelta(days=14)
    assert later.due_on == today + timedelta(days=15)
    assert about(select(today)["mopac"], S55) == [response]


# Preferences


def test_a_turned_off_kind_is_left_out(make_item, met, met_user, today):
    make_item(met, today + timedelta(days=3))
    late = make_item(met, today - timedelta(days=3))
    ReminderPreference.objects.create(user=met_user, due_soon=False)

    digest = select(today)["met"]

    assert set(digest.reminders) == {OVERDUE}
    assert about(digest, OVERDUE) == [late]


def test_everything_off_means_no_digest(make_item, met, met_user, inspector, today):
    make_item(met, today + timedelta(days=3))
    item_submit_for_closure(item=make_item(met, None), note="Done.")
    for user in (met_user, inspector):
        ReminderPreference.objects.create(
            user=user,
            due_soon=False,
            overdue=False,
            awaiting_review=False,
            review_outcome=False,
            section55=False,
        )

    assert reminders_select(day=today) == []


def test_inspector_turning_off_reviews_gets_nothing(make_item, met, inspector, today):
    item_submit_for_closure(item=make_item(met, None), note="Done.")
    ReminderPreference.objects.create(user=inspector, awaiting_review=False)

    assert "inspector" not in select(today)


# Query count


def _world(make_inspection, make_item, met, mopac, today, size):
    for n in range(size):
        make_item(met, today + timedelta(days=n % 30))
        make_item(met, today - timedelta(days=n + 1))
        make_item(mopac, today - timedelta(days=n + 1))
        submitted = make_item(met, None)
        item_submit_for_closure(item=submitted, note="Done.", at=ago(days=n + 2))
        closed = make_item(met, None)
        item_submit_for_closure(item=closed, note="Done.", at=ago(days=3))
        item_close(item=closed, outcome=Status.CLOSED_COMPLETE, note="Ok.", at=ago(hours=n + 1))
        inspection = make_inspection(met, published_on=today - timedelta(days=50 + n))
        section55_open_responses(inspection=inspection)


@pytest.mark.parametrize("size", [1, 6])
def test_selection_queries_do_not_grow_with_items(
    size,
    make_inspection,
    make_item,
    met,
    mopac,
    kent_user,
    met_user,
    mopac_user,
    inspector,
    today,
    django_assert_num_queries,
):
    _world(make_inspection, make_item, met, mopac, today, size)
    ReminderPreference.objects.create(user=kent_user, due_soon=False)
    Digest.objects.create(
        user=met_user,
        day=today - timedelta(days=1),
        sent_at=ago(days=1),
        covered_until=ago(days=1, minutes=1),
        email="met@example.org",
        subject="Inspection tracker: 1 overdue",
    )

    # 1 people, 2 their preferences, 3 their memberships with organisations, 4 successions,
    # 5 previous digests, 6 items due or overdue, 7 review outcomes, 8 submissions awaiting
    # review, 9 their reports' partner inspectorates, 10 section 55 responses, 11 factual-accuracy
    # checks closing soon (MOPAC's people are leads).
    with django_assert_num_queries(11):
        digests = select(today)

    met_digest = digests["met"]
    assert len(met_digest.reminders[OVERDUE]) == size
    assert len(met_digest.reminders[DUE_SOON]) == size
    assert len(met_digest.reminders[OUTCOME]) == size
    assert len(digests["inspector"].reminders[REVIEW]) == size
    assert len(digests["mopac"].reminders[S55]) == size
    assert len(digests["mopac"].reminders[OVERDUE]) == size


@pytest.mark.django_db
def test_partner_inspectorate_hears_of_submissions_it_may_decide(inspection, item, other_inspector):
    from django.utils import timezone

    from recommendations.services import item_submit_for_closure
    from reminders.services import reminders_select

    other_inspector.email = "cqc@example.org"
    other_inspector.save()
    inspection.partner_inspectorates.add(other_inspector.inspectorate)
    item_submit_for_closure(item=item, note="Done.")
    digests = {d.user.username: d for d in reminders_select(day=timezone.localdate())}
    assert "cqc-inspector" in digests
    assert any(digests["cqc-inspector"].reminders.values())


def test_every_inspectors_review_queue_is_what_the_policy_lets_them_decide(
    make_inspection, make_item, met, kent, inspector, cqc, today
):
    """The reminders ask recommendations.policy who decides, so the two cannot drift."""
    from inspections.models import Inspectorate

    prisons = Inspectorate.objects.create(
        slug="hmi-prisons", name="HM Inspectorate of Prisons", abbreviation="HMI Prisons"
    )
    people = [inspector]
    for inspectorate in (cqc, prisons):
        people.append(
            User.objects.create_user(
                username=f"{inspectorate.slug}-person",
                email=f"{inspectorate.slug}@example.org",
                inspectorate=inspectorate,
            )
        )
    inspector.email = "inspector@example.org"
    inspector.save()
    joint = make_inspection(met, published_on=today - timedelta(days=30))
    joint.partner_inspectorates.add(cqc)
    cqc_only = make_inspection(kent, published_on=today - timedelta(days=30), lead=cqc)
    prisons_with_hmicfrs = make_inspection(
        met, published_on=today - timedelta(days=9), lead=prisons
    )
    prisons_with_hmicfrs.partner_inspectorates.add(inspector.inspectorate)
    embargoed_cqc = make_inspection(kent, published_at=timezone.now() + timedelta(days=3), lead=cqc)
    for report in (joint, cqc_only, prisons_with_hmicfrs, embargoed_cqc):
        item = make_item(met, today + timedelta(days=5), on=report)
        item_submit_for_closure(item=item, note="Done.")

    digests = select(today)

    for person in people:
        decidable = set(policy.items_decidable_by(person).filter(status=Status.SUBMITTED))
        queue = (
            set(about(digests[person.username], REVIEW)) if person.username in digests else set()
        )
        assert decidable, person
        assert queue == decidable, person
