"""Daily email reminders: who should hear about what, as one digest per person per day.

``reminders_select`` works out every person's digest in a fixed handful of queries, however
many people and items there are; ``reminders_send`` emails them and records each one in a
``Digest`` row, written in the same transaction as the send, so that a second run on the same
day sends nothing again and a failed send is tried again on the next run.
"""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Prefetch, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, User
from core.choices import Language
from inspections.choices import OrganisationKind
from inspections.models import Inspection, Organisation
from recommendations import policy
from recommendations.choices import CLOSED_STATUSES, Source, Status
from recommendations.models import (
    SECTION_55_DAYS,
    FactualAccuracyCheck,
    Item,
    Section55Response,
    StatusChange,
)
from reminders.choices import (
    DIGEST_ORDER,
    DUE_SOON_DAYS,
    FACTUAL_ACCURACY_WARNING_DAYS,
    INSPECTOR_KINDS,
    ORGANISATION_KINDS,
    ORGANISATION_LEAD_KINDS,
    POLICING_BODY_KINDS,
    SECTION_55_WARNING_DAYS,
    ReminderKind,
)
from reminders.models import Digest, ReminderPreference

logger = logging.getLogger(__name__)

# Review outcomes are those since the person's previous digest, or of the last day when there
# is none; never older than this, so turning the kind back on does not bring a flood.
REVIEW_OUTCOME_MAX_LOOKBACK = timedelta(days=14)

# A digest lists this many items of a kind at most, and says how many more there are.
MAX_LISTED_PER_SECTION = 50

# The phrases of a digest's subject, put in the person's language when the subject is made.
SUBJECT_PHRASES = {
    ReminderKind.DUE_SOON: ngettext_lazy("%(n)s item due soon", "%(n)s items due soon", "n"),
    ReminderKind.OVERDUE: ngettext_lazy("%(n)s overdue", "%(n)s overdue", "n"),
    ReminderKind.AWAITING_REVIEW: ngettext_lazy(
        "%(n)s submission awaiting review", "%(n)s submissions awaiting review", "n"
    ),
    ReminderKind.REVIEW_OUTCOME: ngettext_lazy(
        "%(n)s review outcome", "%(n)s review outcomes", "n"
    ),
    ReminderKind.SECTION_55: ngettext_lazy(
        "%(n)s section 55 response due", "%(n)s section 55 responses due", "n"
    ),
    ReminderKind.FACTUAL_ACCURACY: ngettext_lazy(
        "%(n)s factual-accuracy check closing", "%(n)s factual-accuracy checks closing", "n"
    ),
}

SECTION_HEADINGS = {
    ReminderKind.OVERDUE: _("Overdue"),
    ReminderKind.DUE_SOON: ngettext_lazy(
        "Due in the next %(n)s day", "Due in the next %(n)s days", "n"
    ),
    ReminderKind.SECTION_55: _("Section 55 responses to publish"),
    ReminderKind.FACTUAL_ACCURACY: _("Draft reports to check, closing soon"),
    ReminderKind.AWAITING_REVIEW: _("Submissions for closure awaiting review, oldest first"),
    ReminderKind.REVIEW_OUTCOME: _("Decisions of the inspectorate"),
}

SECTION_INTROS = {
    ReminderKind.OVERDUE: _("These items are past their due date and not yet closed."),
    ReminderKind.DUE_SOON: _("These items are not closed and fall due soon."),
    ReminderKind.SECTION_55: _(
        "The local policing body must publish its comments on these reports within 56 days "
        "of publication (section 55 of the Police Act 1996)."
    ),
    ReminderKind.FACTUAL_ACCURACY: _(
        "The inspectorate shared these draft reports with your organisation for a "
        "factual-accuracy check. Send any comments before the last day. The drafts are "
        "confidential until publication."
    ),
    ReminderKind.AWAITING_REVIEW: _(
        "These organisations say they have finished and are waiting for your decision."
    ),
    ReminderKind.REVIEW_OUTCOME: _(
        "The inspectorate has decided on these items since we last wrote."
    ),
}


def _section_heading(kind: str) -> str:
    if kind == ReminderKind.DUE_SOON:
        return SECTION_HEADINGS[kind] % {"n": DUE_SOON_DAYS}
    return str(SECTION_HEADINGS[kind])


# Where each kind is listed in full, for a digest that cannot list everything.
SECTION_LISTS = {
    ReminderKind.OVERDUE: lambda: reverse("portal:findings") + "?due=overdue",
    ReminderKind.DUE_SOON: lambda: reverse("portal:findings") + "?due=soon",
    ReminderKind.SECTION_55: lambda: reverse("portal:section55-list"),
    ReminderKind.FACTUAL_ACCURACY: lambda: reverse("portal:checks"),
    ReminderKind.AWAITING_REVIEW: lambda: reverse("workspace:queue"),
    ReminderKind.REVIEW_OUTCOME: lambda: reverse("portal:findings"),
}


@dataclass
class Reminder:
    """One line of a digest: a heading, a few facts and an absolute link."""

    kind: str
    heading: str
    details: list[str]
    url: str
    # What it is about: an Item, a StatusChange, a Section55Response or a FactualAccuracyCheck.
    about: object = None


@dataclass
class PersonDigest:
    user: User
    day: date
    covered_until: datetime
    reminders: dict[str, list[Reminder]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {kind: len(self.reminders.get(kind, [])) for kind in ReminderKind.values}

    @property
    def item_count(self) -> int:
        return sum(self.counts().values())

    @property
    def subject(self) -> str:
        parts = []
        for kind in ReminderKind:
            count = len(self.reminders.get(kind, []))
            if count:
                parts.append(SUBJECT_PHRASES[kind] % {"n": count})
        return gettext("Inspection tracker: %(counts)s") % {"counts": ", ".join(parts)}

    def sections(self) -> list[dict]:
        return [
            {
                "heading": _section_heading(kind),
                "intro": str(SECTION_INTROS[kind]),
                "count": len(self.reminders[kind]),
                "reminders": self.reminders[kind][:MAX_LISTED_PER_SECTION],
                "more": max(0, len(self.reminders[kind]) - MAX_LISTED_PER_SECTION),
                "all_url": _link(SECTION_LISTS[kind]()),
            }
            for kind in DIGEST_ORDER
            if self.reminders.get(kind)
        ]

    def summary(self) -> dict[str, list[str]]:
        return {
            kind: [reminder.heading for reminder in reminders]
            for kind, reminders in self.reminders.items()
        }


def enabled_kinds(user: User) -> frozenset[str]:
    """The kinds the person has left on; everything when they never chose."""
    preferences = getattr(user, "prefetched_reminder_preferences", None)
    if preferences is None:
        preferences = list(user.reminder_preferences.all())
    return preferences[0].enabled_kinds() if preferences else frozenset(ReminderKind.values)


def relevant_kinds(user: User) -> list[str]:
    """The kinds that can concern this person, in the order of ``ReminderKind``."""
    kinds = set()
    # An administrator is an inspector without an inspectorate: nothing of one to review.
    if policy.is_inspector(user) and user.inspectorate_id is not None:
        kinds |= INSPECTOR_KINDS
    memberships = list(user.memberships.select_related("organisation"))
    if memberships:
        kinds |= ORGANISATION_KINDS
    if any(m.organisation.kind == OrganisationKind.LOCAL_POLICING_BODY for m in memberships):
        kinds |= POLICING_BODY_KINDS
    if any(m.is_lead for m in memberships):
        kinds |= ORGANISATION_LEAD_KINDS
    return [kind for kind in ReminderKind.values if kind in kinds]


@transaction.atomic
def preferences_save(
    *, user: User, enabled: set[str], kinds: list[str], language: str | None = None
) -> ReminderPreference:
    """Turn each of ``kinds`` on or off as ``enabled`` says; other kinds keep their choice.
    ``language``, when given, becomes the language of the reminders."""
    if language is not None and user.language != language:
        user.language = Language(language)
        user.save(update_fields=["language"])
    preference, _ = ReminderPreference.objects.select_for_update().get_or_create(user=user)
    for kind in kinds:
        setattr(preference, ReminderKind(kind).value, kind in enabled)
    preference.save()
    return preference


def digest_moment(day: date) -> datetime:
    """What a digest for ``day`` may know of: the end of that day, but never beyond now.

    Never beyond now, so that a run for a later day cannot mention an embargoed report.
    """
    end_of_day = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    return min(timezone.now(), end_of_day)


def _day(value: date) -> str:
    """A date as "7 August 2026" ("7 Awst 2026"), the month in the active language."""
    return date_format(value, "j F Y")


def _relative(value: date, today: date) -> str:
    days = (value - today).days
    if days == 0:
        return gettext("today")
    if days == 1:
        return gettext("tomorrow")
    if days == -1:
        return gettext("yesterday")
    if days > 0:
        return ngettext("in %(days)s day", "in %(days)s days", days) % {"days": days}
    return ngettext("%(days)s day ago", "%(days)s days ago", -days) % {"days": -days}


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _portal_link(item: Item) -> str:
    """The item's page in the organisations' portal, where its people act on it."""
    return _link(reverse("portal:item", args=[item.pk]))


def _workspace_link(item: Item) -> str:
    """The item's page in the inspectors' workspace, where they decide on it."""
    return _link(reverse("workspace:item", args=[item.pk]))


def _in_language(obj, field: str) -> str:
    """A title in the active language: the Welsh version (``field_cy``) when the language is
    Welsh and there is one, otherwise the English."""
    if translation.get_language() == Language.WELSH:
        welsh = getattr(obj, f"{field}_cy", "")
        if welsh:
            return welsh
    return getattr(obj, field)


def _heading(item: Item) -> str:
    return f"{item.finding.reference}, {_in_language(item.finding.inspection, 'title')}"


def _organisation_line(organisation: Organisation) -> str:
    return gettext("Organisation: %(name)s") % {"name": organisation.display_name}


def _due_line(item: Item, today: date) -> str:
    if item.due_date is None:
        return gettext("Due: no due date")
    return _due_on(item.due_date, today)


def _due_on(day: date, today: date) -> str:
    return gettext("Due: %(date)s (%(when)s)") % {"date": _day(day), "when": _relative(day, today)}


def _item_reminder(kind, item, *, today) -> Reminder:
    return Reminder(
        kind=kind,
        heading=_heading(item),
        details=[
            _organisation_line(item.organisation),
            _due_line(item, today),
            gettext("Status: %(status)s") % {"status": item.get_status_display()},
        ],
        url=_portal_link(item),
        about=item,
    )


def _review_reminder(item, *, today) -> Reminder:
    submitted_on = timezone.localdate(item.status_changed_at or item.created_at)
    return Reminder(
        kind=ReminderKind.AWAITING_REVIEW,
        heading=_heading(item),
        details=[
            _organisation_line(item.organisation),
            gettext("Submitted for closure: %(date)s (%(when)s)")
            % {"date": _day(submitted_on), "when": _relative(submitted_on, today)},
            _due_line(item, today),
        ],
        url=_workspace_link(item),
        about=item,
    )


def _outcome_phrase(change: StatusChange) -> str:
    if change.to_status in CLOSED_STATUSES:
        # Only a closure as complete is a verification; other closures are decisions.
        status = {"status": change.get_to_status_display()}
        if change.to_status == Status.CLOSED_COMPLETE:
            return gettext("%(status)s, verified by the inspectorate") % status
        return gettext("%(status)s, decided by the inspectorate") % status
    if change.from_status == Status.SUBMITTED:
        return gettext("Returned to in progress: the inspectorate did not accept the submission")
    if change.from_status in CLOSED_STATUSES:
        return gettext("Reopened: back to in progress")
    return gettext("Now %(status)s") % {"status": change.get_to_status_display().lower()}


def _outcome_reminder(change: StatusChange, *, today) -> Reminder:
    item = change.item
    details = [
        _organisation_line(item.organisation),
        gettext("Decision: %(decision)s, on %(date)s")
        % {
            "decision": _outcome_phrase(change),
            "date": _day(timezone.localdate(change.changed_at)),
        },
    ]
    if change.note:
        details.append(gettext("Reason: %(reason)s") % {"reason": change.note})
    if item.is_active:
        details.append(_due_line(item, today))
    return Reminder(
        kind=ReminderKind.REVIEW_OUTCOME,
        heading=_heading(item),
        details=details,
        url=_portal_link(item),
        about=change,
    )


def _section55_reminder(response: Section55Response, *, today) -> Reminder:
    due_on = response.due_on
    return Reminder(
        kind=ReminderKind.SECTION_55,
        heading=gettext("Section 55 response to %(title)s")
        % {"title": _in_language(response.inspection, "title")},
        details=[
            gettext("Local policing body: %(name)s")
            % {"name": response.local_policing_body.display_name},
            gettext("Report published: %(date)s")
            % {"date": _day(response.inspection.published_on)},
            _due_on(due_on, today),
        ],
        url=_link(reverse("portal:section55-edit", args=[response.pk])),
        about=response,
    )


def _factual_accuracy_reminder(check: FactualAccuracyCheck, *, today) -> Reminder:
    return Reminder(
        kind=ReminderKind.FACTUAL_ACCURACY,
        heading=gettext("Draft report: %(title)s")
        % {"title": _in_language(check.inspection, "title")},
        details=[
            gettext("Shared with: %(name)s") % {"name": _in_language(check, "inspected_name")},
            gettext("Last day for comments: %(date)s (%(when)s)")
            % {"date": _day(check.closes_on), "when": _relative(check.closes_on, today)},
        ],
        url=_link(reverse("portal:check", args=[check.pk])),
        about=check,
    )


@dataclass
class _Gathered:
    """What ``reminders_select`` fetched once for everybody, keyed for each person's share."""

    day: date
    at: datetime
    # Each member organisation's id with those of the bodies it succeeded.
    lineages: dict[int, set[int]]
    policing_body_ids: set[int]
    # When each person's previous digest ended (``Digest.covered_until``), by user id.
    previous: dict[int, datetime]
    items_by_org: dict[int, list[Item]] = field(default_factory=lambda: defaultdict(list))
    changes_by_org: dict[int, list[StatusChange]] = field(default_factory=lambda: defaultdict(list))
    submissions_by_inspectorate: dict[int, list[Item]] = field(
        default_factory=lambda: defaultdict(list)
    )
    responses_by_body: dict[int, list[Section55Response]] = field(
        default_factory=lambda: defaultdict(list)
    )
    checks_by_inspected: dict[int, list[FactualAccuracyCheck]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def since(self, user: User) -> datetime:
        """Where the person's review outcomes start: their previous digest, at most
        ``REVIEW_OUTCOME_MAX_LOOKBACK`` back; the last day when there is none."""
        last = self.previous.get(user.pk)
        if last:
            return max(last, self.at - REVIEW_OUTCOME_MAX_LOOKBACK)
        return self.at - timedelta(days=1)


def _digest_people() -> list[User]:
    """Every active inspector and organisation member, with their preferences and memberships."""
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(inspectorate__isnull=False) | Q(pk__in=Membership.objects.values("user_id")))
        .prefetch_related(
            Prefetch(
                "reminder_preferences",
                queryset=ReminderPreference.objects.all(),
                to_attr="prefetched_reminder_preferences",
            ),
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("organisation").order_by("pk"),
                to_attr="prefetched_memberships",
            ),
        )
        .order_by("username")
    )


def _previous_digests(day: date) -> dict[int, datetime]:
    """When each active person's latest digest before ``day`` ended, by user id."""
    return dict(
        Digest.objects.filter(day__lt=day, user__is_active=True)
        .values("user_id")
        .annotate(until=Max("covered_until"))
        .values_list("user_id", "until")
    )


def _gather_items_and_outcomes(gathered: _Gathered, people: list[User]) -> None:
    """The published active items of the members' organisations due by the horizon, and the
    inspectorate's decisions on them since the earliest of the members' previous digests."""
    addressee_ids = set().union(*gathered.lineages.values()) if gathered.lineages else set()
    if not addressee_ids:
        return
    day, at = gathered.day, gathered.at
    due_items = (
        Item.objects.published(at=at)
        .active()
        .filter(
            organisation_id__in=addressee_ids,
            due_date__lte=day + timedelta(days=DUE_SOON_DAYS),
        )
        .select_related("finding__inspection", "organisation")
        .order_by("due_date", "finding__reference", "pk")
    )
    for item in due_items:
        gathered.items_by_org[item.organisation_id].append(item)
    earliest = min((gathered.since(p) for p in people if p.prefetched_memberships), default=at)
    changes = (
        StatusChange.objects.published(at=at)
        .filter(
            source=Source.INSPECTORATE,
            changed_at__gt=earliest,
            changed_at__lte=at,
            item__organisation_id__in=addressee_ids,
        )
        .select_related("item__finding__inspection", "item__organisation")
        .order_by("changed_at", "pk")
    )
    for change in changes:
        gathered.changes_by_org[change.item.organisation_id].append(change)


def _gather_submissions(gathered: _Gathered, inspectorate_ids: set[int]) -> None:
    """The items submitted for closure, under each inspectorate that may decide them."""
    if not inspectorate_ids:
        return
    # Whom the policy lets decide: the lead and the partner inspectorates.
    submitted = (
        policy.items_decidable_by_inspectorates(inspectorate_ids)
        .filter(status=Status.SUBMITTED)
        .select_related("finding__inspection", "organisation")
        .prefetch_related("finding__inspection__partner_inspectorates")
        .order_by("status_changed_at", "pk")
    )
    for item in submitted:
        for inspectorate_id in policy.inspectorates_deciding(item.finding.inspection):
            gathered.submissions_by_inspectorate[inspectorate_id].append(item)


def _gather_section55_responses(gathered: _Gathered) -> None:
    """The awaited section 55 responses of the members' local policing bodies that may fall
    due within the warning period."""
    if not gathered.policing_body_ids:
        return
    # due_on = publication day + 55 <= day + 14, so published before the start of the day
    # after (day + 14 - 55), in UK time; received ones are done.
    last_publication_day = gathered.day + timedelta(
        days=SECTION_55_WARNING_DAYS - SECTION_55_DAYS + 1
    )
    published_before = timezone.make_aware(
        datetime.combine(last_publication_day + timedelta(days=1), time.min)
    )
    responses = (
        Section55Response.objects.published(
            at=min(gathered.at, published_before - timedelta(microseconds=1))
        )
        .awaited()
        .filter(local_policing_body_id__in=gathered.policing_body_ids)
        .select_related("inspection", "local_policing_body")
        .order_by("inspection__published_at", "pk")
    )
    for response in responses:
        gathered.responses_by_body[response.local_policing_body_id].append(response)


def _gather_factual_accuracy_checks(gathered: _Gathered, lead_org_ids: set[int]) -> None:
    """The checks still taking comments, of reports not yet published, whose last day is
    within the warning period, under each inspected organisation the people lead. One row
    per check and inspected body (the join names the body), in one query."""
    if not lead_org_ids:
        return
    day = gathered.day
    checks = (
        FactualAccuracyCheck.objects.filter(
            closed_at__isnull=True,
            closes_on__gte=day,
            closes_on__lte=day + timedelta(days=FACTUAL_ACCURACY_WARNING_DAYS),
            inspection__in=Inspection.objects.unpublished(at=gathered.at).values("pk"),
            inspection__organisations__in=lead_org_ids,
        )
        .select_related("inspection")
        .annotate(
            inspected_id=F("inspection__organisations"),
            inspected_name=F("inspection__organisations__name"),
            inspected_name_cy=F("inspection__organisations__name_cy"),
        )
        .order_by("closes_on", "pk")
    )
    for check in checks:
        gathered.checks_by_inspected[check.inspected_id].append(check)


def _add_organisation_reminders(
    digest: PersonDigest, person: User, kinds: frozenset[str], gathered: _Gathered
) -> None:
    """Overdue, due soon and review outcomes of the items of the person's organisations and
    of the bodies those succeeded."""
    org_ids = set().union(
        *(gathered.lineages[m.organisation_id] for m in person.prefetched_memberships)
    )
    if not org_ids:
        return
    day = digest.day
    horizon = day + timedelta(days=DUE_SOON_DAYS)
    items = {a.pk: a for pk in org_ids for a in gathered.items_by_org[pk]}.values()
    items = sorted(items, key=lambda a: (a.due_date, a.finding.reference, a.pk))
    overdue = [a for a in items if a.due_date < day]
    due_soon = [a for a in items if day <= a.due_date <= horizon]
    if ReminderKind.OVERDUE in kinds and overdue:
        digest.reminders[ReminderKind.OVERDUE] = [
            _item_reminder(ReminderKind.OVERDUE, a, today=day) for a in overdue
        ]
    if ReminderKind.DUE_SOON in kinds and due_soon:
        digest.reminders[ReminderKind.DUE_SOON] = [
            _item_reminder(ReminderKind.DUE_SOON, a, today=day) for a in due_soon
        ]
    if ReminderKind.REVIEW_OUTCOME in kinds:
        start = gathered.since(person)
        outcomes = sorted(
            (c for pk in org_ids for c in gathered.changes_by_org[pk] if c.changed_at > start),
            key=lambda c: (c.changed_at, c.pk),
        )
        if outcomes:
            digest.reminders[ReminderKind.REVIEW_OUTCOME] = [
                _outcome_reminder(c, today=day) for c in outcomes
            ]


def _add_review_reminders(
    digest: PersonDigest, person: User, kinds: frozenset[str], gathered: _Gathered
) -> None:
    """The submissions an inspector's inspectorate may decide."""
    if ReminderKind.AWAITING_REVIEW not in kinds or person.inspectorate_id is None:
        return
    submissions = gathered.submissions_by_inspectorate[person.inspectorate_id]
    if submissions:
        digest.reminders[ReminderKind.AWAITING_REVIEW] = [
            _review_reminder(a, today=digest.day) for a in submissions
        ]


def _add_section55_reminders(
    digest: PersonDigest, person: User, kinds: frozenset[str], gathered: _Gathered
) -> None:
    """The section 55 responses of the person's local policing bodies due within the warning
    period."""
    if ReminderKind.SECTION_55 not in kinds:
        return
    day = digest.day
    body_ids = {
        m.organisation_id
        for m in person.prefetched_memberships
        if m.organisation_id in gathered.policing_body_ids
    }
    responses = sorted(
        (r for pk in body_ids for r in gathered.responses_by_body[pk]),
        key=lambda r: (r.inspection.published_at, r.pk),
    )
    responses = [r for r in responses if r.due_on <= day + timedelta(days=SECTION_55_WARNING_DAYS)]
    if responses:
        digest.reminders[ReminderKind.SECTION_55] = [
            _section55_reminder(r, today=day) for r in responses
        ]


def _add_factual_accuracy_reminders(
    digest: PersonDigest, person: User, kinds: frozenset[str], gathered: _Gathered
) -> None:
    """The checks closing soon of the reports on the organisations the person leads."""
    if ReminderKind.FACTUAL_ACCURACY not in kinds:
        return
    checks = [
        check
        for m in person.prefetched_memberships
        if m.is_lead
        for check in gathered.checks_by_inspected[m.organisation_id]
    ]
    if checks:
        checks.sort(key=lambda c: (c.closes_on, c.pk))
        digest.reminders[ReminderKind.FACTUAL_ACCURACY] = [
            _factual_accuracy_reminder(c, today=digest.day) for c in checks
        ]


def reminders_select(*, day: date, at: datetime | None = None) -> list[PersonDigest]:
    """Every active person's digest for ``day``, empty ones left out, ordered by username.

    Organisation people hear about the published items of their organisations and of the
    bodies those succeeded (``Item.objects.addressed_to_members_of``, what ``visible_to``
    shows them); inspectors about submissions of the inspections their inspectorate led or joined,
    published or not; members of a local policing body about its own section 55 responses of
    published reports, as the portal lists them. Links go to the portal or the workspace.
    Queries: 1 people, 2 their
    preferences, 3 their memberships, 4 successions, 5 previous digests, 6 items due or
    overdue, 7 review outcomes, 8 submissions, 9 their reports' partner inspectorates,
    10 section 55 responses, 11 factual-accuracy checks closing soon (when anyone leads an
    organisation). None per item or person.
    """
    at = at or digest_moment(day)
    people = _digest_people()
    if not people:
        return []

    member_org_ids = {m.organisation_id for p in people for m in p.prefetched_memberships}
    gathered = _Gathered(
        day=day,
        at=at,
        lineages=Organisation.objects.lineages(member_org_ids) if member_org_ids else {},
        policing_body_ids={
            m.organisation_id
            for p in people
            for m in p.prefetched_memberships
            if m.organisation.kind == OrganisationKind.LOCAL_POLICING_BODY
        },
        previous=_previous_digests(day),
    )
    _gather_items_and_outcomes(gathered, people)
    _gather_submissions(
        gathered, {p.inspectorate_id for p in people if p.inspectorate_id is not None}
    )
    _gather_section55_responses(gathered)
    _gather_factual_accuracy_checks(
        gathered, {m.organisation_id for p in people for m in p.prefetched_memberships if m.is_lead}
    )

    digests = []
    for person in people:
        kinds = enabled_kinds(person)
        digest = PersonDigest(user=person, day=day, covered_until=at)
        # Each reminder's words are put in the person's language as they are made.
        with translation.override(person.language):
            _add_organisation_reminders(digest, person, kinds, gathered)
            _add_review_reminders(digest, person, kinds, gathered)
            _add_section55_reminders(digest, person, kinds, gathered)
            _add_factual_accuracy_reminders(digest, person, kinds, gathered)
        if digest.item_count:
            digests.append(digest)
    return digests


def digest_message(digest: PersonDigest) -> EmailMessage:
    """The digest in the person's language (their ``language``)."""
    with translation.override(digest.user.language):
        return _digest_message(digest)


def _digest_message(digest: PersonDigest) -> EmailMessage:
    body = render_to_string(
        "reminders/email/digest.txt",
        {
            "digest": digest,
            "name": digest.user.get_full_name() or digest.user.username,
            "day": _day(digest.day),
            "sections": digest.sections(),
            "preferences_url": _link(reverse("reminders:preferences")),
            "site_url": settings.SITE_URL.rstrip("/"),
        },
    )
    return EmailMessage(
        subject=digest.subject,
        body=body,
        to=[digest.user.email],
        # RFC 3834: tells mail servers not to send out-of-office replies to the tracker.
        headers={"Auto-Submitted": "auto-generated"},
    )


class DigestNotSent(Exception):
    """The mail backend accepted nothing; the digest is not recorded, so it is tried again."""


@dataclass
class SendReport:
    day: date
    dry_run: bool
    emailed: list[PersonDigest] = field(default_factory=list)
    no_email: list[User] = field(default_factory=list)
    already_sent: list[User] = field(default_factory=list)
    failed: list[tuple[User, str]] = field(default_factory=list)

    def items_by_kind(self) -> Counter:
        counts = Counter()
        for digest in self.emailed:
            counts.update(digest.counts())
        return counts


def reminders_send(*, day: date | None = None, dry_run: bool = False) -> SendReport:
    """Email each person their digest for ``day`` (default today), once.

    Each digest's ``Digest`` row and its send share one transaction: a send that raises rolls
    the row back, so the next run tries that person again; a second run finds the row (or, if
    it runs at the same moment, is stopped by the unique constraint) and sends nothing.
    """
    day = day or timezone.localdate()
    at = digest_moment(day)
    report = SendReport(day=day, dry_run=dry_run)
    digests = reminders_select(day=day, at=at)
    already = set(Digest.objects.filter(day=day).values_list("user_id", flat=True))
    to_send = []
    for digest in digests:
        if digest.user.pk in already:
            report.already_sent.append(digest.user)
        elif not digest.user.email:
            report.no_email.append(digest.user)
        elif dry_run:
            report.emailed.append(digest)
        else:
            to_send.append(digest)
    if not to_send:
        return report

    with mailers.default as connection:
        for digest in to_send:
            message = digest_message(digest)
            try:
                with transaction.atomic():
                    Digest.objects.create(
                        user=digest.user,
                        day=day,
                        sent_at=timezone.now(),
                        covered_until=digest.covered_until,
                        email=digest.user.email,
                        # The subject as sent, in the person's language.
                        subject=message.subject[:300],
                        summary=digest.summary(),
                    )
                    if connection.send_messages([message]) != 1:
                        raise DigestNotSent("The mail backend did not accept the message.")
            except IntegrityError:
                # Another run sent this person's digest a moment ago.
                report.already_sent.append(digest.user)
            except Exception as error:
                logger.exception("Reminder digest for %s not sent", digest.user.username)
                report.failed.append((digest.user, str(error) or error.__class__.__name__))
            else:
                report.emailed.append(digest)
    return report
