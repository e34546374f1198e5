from datetime import date, timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from inspections.models import Inspection, InspectionPartQuerySet, Organisation, published_q
from recommendations.choices import (
    ACTIVE_STATUSES,
    CLOSED_STATUSES,
    SELF_REPORTED_STATUSES,
    TRANSITIONS,
    VERIFIED_STATUSES,
    Channel,
    DueDateSource,
    FactualAccuracyResponse,
    FindingKind,
    ProposalStatus,
    Section55Action,
    SelfAssessment,
    Source,
    Status,
    status_source_label,
)

# Section 55 of the Police Act 1996: comments are due within 56 days of publication, the day
# of publication being day 1, so the last day is publication day + 55.
SECTION_55_DAYS = 56


def section55_due_date(published_on: date) -> date:
    return published_on + timedelta(days=SECTION_55_DAYS - 1)


class ThemeQuerySet(models.QuerySet):
    def published(self, *, at=None):
        """Themes of published findings: one used only by an embargoed report would tell of
        it, so it is absent everywhere the public looks, like an unknown one."""
        return self.filter(Exists(Finding.objects.published(at=at).filter(themes=OuterRef("pk"))))


class Theme(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120, unique=True)

    objects = ThemeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class CauseOfConcern(models.Model):
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="causes_of_concern"
    )
    reference = models.CharField(max_length=30, help_text="E.g. CoC1, unique in the inspection.")
    text = models.TextField()
    text_cy = models.TextField("Welsh text", blank=True, default="", db_default="")
    discharged_on = models.DateField(null=True, blank=True)
    discharge_note = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = InspectionPartQuerySet.as_manager()

    class Meta:
        ordering = ["inspection", "position", "reference"]
        verbose_name_plural = "causes of concern"
        constraints = [
            models.UniqueConstraint(
                name="causeofconcern_reference_unique_in_inspection",
                fields=["inspection", "reference"],
            ),
            models.CheckConstraint(
                name="causeofconcern_discharge_has_note",
                condition=(Q(discharged_on__isnull=True) & Q(discharge_note=""))
                | (Q(discharged_on__isnull=False) & ~Q(discharge_note="")),
            ),
            models.CheckConstraint(
                name="causeofconcern_reference_not_blank", condition=~Q(reference="")
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.text[:80]}"

    @property
    def is_discharged(self):
        return self.discharged_on is not None


class FindingQuerySet(models.QuerySet):
    def published(self, *, at=None):
        return self.filter(published_q("inspection__", at=at))

    def recommendations(self):
        return self.filter(kind=FindingKind.RECOMMENDATION)

    def areas_for_improvement(self):
        return self.filter(kind=FindingKind.AREA_FOR_IMPROVEMENT)


class Finding(models.Model):
    """A recommendation or an area for improvement: both share one lifecycle per addressee."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=30, choices=FindingKind.choices)
    cause_of_concern = models.ForeignKey(
        CauseOfConcern,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
        help_text="Only recommendations can answer a cause of concern.",
    )
    reference = models.CharField(max_length=30, help_text="E.g. R1 or AFI12, unique in the report.")
    text = models.TextField()
    # Optional, like the inspection's Welsh title: shown on the Welsh pages when there.
    text_cy = models.TextField("Welsh text", blank=True, default="", db_default="")
    themes = models.ManyToManyField(Theme, related_name="findings", blank=True)
    due_date = models.DateField(
        null=True, blank=True, help_text="The deadline the report set, if any."
    )
    deadline_wording = models.CharField(
        max_length=300, blank=True, help_text='The report\'s own words, e.g. "within six months".'
    )
    # An empty due date alone cannot say whether the report set no deadline or nobody has
    # entered it yet; the pre-publication checklist needs to tell the two apart.
    no_deadline = models.BooleanField(
        default=False, help_text="The report sets this finding no deadline (chosen, not forgotten)."
    )
    addressees = models.ManyToManyField(
        Organisation,
        through="Item",
        through_fields=("finding", "organisation"),
        related_name="findings",
    )
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["inspection", "kind", "position", "reference"]
        constraints = [
            models.UniqueConstraint(
                name="finding_reference_unique_in_inspection", fields=["inspection", "reference"]
            ),
            models.CheckConstraint(
                name="finding_kind_valid", condition=Q(kind__in=FindingKind.values)
            ),
            models.CheckConstraint(
                name="finding_cause_only_for_recommendations",
                condition=Q(cause_of_concern__isnull=True) | Q(kind=FindingKind.RECOMMENDATION),
            ),
            models.CheckConstraint(name="finding_reference_not_blank", condition=~Q(reference="")),
            models.CheckConstraint(
                name="finding_no_deadline_without_due_date",
                condition=Q(no_deadline=False) | Q(due_date__isnull=True),
            ),
        ]
        indexes = [
            # An inspection page lists its findings by kind in report order.
            models.Index(fields=["inspection", "kind", "position"], name="finding_inspection_idx"),
            # The words search matches the text OR the exact reference:
            #   to_tsvector('english', text) @@ websearch_to_tsquery(...)
            #   OR UPPER(reference::text) = UPPER('...')
            # With this index beside the GIN one (migration 0003), PostgreSQL combines the two
            # in a BitmapOr; without it, the OR makes it compute to_tsvector for every finding.
            # Migration 0005; measured by benchmarks/national_scale.py.
            models.Index(Upper("reference"), name="finding_reference_upper_idx"),
            # Every public count keeps only published items by joining
            #   recommendations_item a JOIN recommendations_finding f ON a.finding_id = f.id
            #   JOIN inspections_inspection i ON f.inspection_id = i.id WHERE i.published_at <= now
            # and often groups by f.kind (overview, organisation pages, browse facets). This index
            # holds all the join needs, so PostgreSQL reads it (index-only) instead of the table
            # and its long texts. Migration 0006; measured by benchmarks/national_scale.py.
            models.Index(fields=["id", "inspection", "kind"], name="finding_published_join_idx"),
        ]

    def __str__(self):
        return f"{self.reference}: {self.text[:80]}"

    def get_absolute_url(self):
        return reverse("admin:recommendations_finding_change", args=[self.pk])

    def clean(self):
        from django.core.exceptions import ValidationError

        if (
            self.cause_of_concern_id
            and self.inspection_id
            and self.cause_of_concern.inspection_id != self.inspection_id
        ):
            raise ValidationError(
                {"cause_of_concern": "The cause of concern must belong to the same inspection."}
            )


class FindingSearch(models.Model):
    """A finding's stored search document: everything that names it, weighted, unaccented.

    Written only by PostgreSQL itself: the triggers of migration 0013 rebuild a finding's row
    whenever something it is built from changes (the finding, its addressees and themes, its
    inspection's title, summary or programme, an organisation's, programme's or theme's name),
    whichever door made the change (a service, the admin, an import, a fixture). The words
    search ranks against ``document`` without parsing any text per query. SQLite, the quick
    start, has no triggers for it and searches with a plain word match instead.
    """

    # No foreign key constraint and no cascade from Django: the row is the database's own
    # (a trigger deletes it with its finding). A Python cascade could delete it before the
    # finding's items, whose deletion rebuilds it, and leave a row without its finding.
    finding = models.OneToOneField(
        Finding,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="search",
    )
    # Weights: A reference and inspection title; B addressees' names (English and Welsh) and
    # programme; C the finding's text; D the inspection's summary and the themes.
    # Indexed (PostgreSQL only, migration 0013): GIN on ``document`` for
    #   document @@ websearch_to_tsquery('english', unaccent(...)).
    document = SearchVectorField(null=True)
    # The same words lower-cased and unaccented, for the misspelling fallback. Indexed (GIN,
    # gin_trgm_ops, migration 0013) for  text %> 'custdy'  (pg_trgm word similarity).
    text = models.TextField(default="")

    class Meta:
        verbose_name = "finding search document"

    def __str__(self):
        return f"Search document of finding {self.finding_id}"


def overdue_q(today=None) -> Q:
    """Still active and past its due date: computed, never stored. One definition for every
    list, count and filter that says "overdue"."""
    return Q(status__in=ACTIVE_STATUSES, due_date__lt=today or timezone.localdate())


def status_reached_by(status: str, recorded: str) -> str:
    """The source of an item's present status: as recorded, or (for a row written before the
    source was kept, or a fixture) what the status itself implies."""
    if recorded:
        return recorded
    if status in SELF_REPORTED_STATUSES:
        return Source.ORGANISATION
    if status in CLOSED_STATUSES:
        return Source.INSPECTORATE
    return ""


class ItemQuerySet(models.QuerySet):
    def published(self, *, at=None):
        return self.filter(published_q("finding__inspection__", at=at))

    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def overdue(self, *, today=None):
        """Still active and past its due date: computed, never stored."""
        return self.filter(overdue_q(today))

    def not_yet_due(self, *, today=None):
        return self.active().filter(due_date__gte=today or timezone.localdate())

    def for_organisation(self, organisation):
        """What is addressed to the body, including what was addressed to its predecessors."""
        return self.filter(organisation_id__in=organisation.lineage_ids())


class Item(models.Model):
    """One addressee's own tracking of a finding: its status, due date and history.

    ``status`` changes only through ``recommendations.services``, which writes the
    ``StatusChange`` row in the same transaction.
    """

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="items")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="items")
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.OPEN)
    due_date = models.DateField(
        null=True, blank=True, help_text="This addressee's due date; starts as the finding's."
    )
    superseded_by = models.ForeignKey(
        Finding,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
        help_text="Set when closed as superseded: the newer finding that replaces this one.",
    )
    status_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # How the present status was reached: the source of the StatusChange that reached it (so a
    # status the inspectorate gave back after a reopening is not shown as self-reported).
    # Empty until the first change. Written only by ``item_change_status``.
    status_source = models.CharField(
        max_length=20, choices=Source.choices, blank=True, default="", editable=False
    )
    # The first due date, kept when the due date first changes (empty until then): pages say
    # "Due 31 March 2027 (extended from 25 May 2017)" without reading the history.
    original_due_date = models.DateField(null=True, blank=True, editable=False)
    # Whether a due date was ever moved later while the item was overdue (see DueDateChange).
    overdue_when_extended = models.BooleanField(default=False, editable=False)
    # Bumped on every write through the services; later forms use it to refuse a stale save.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["finding", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                name="item_one_per_finding_and_organisation",
                fields=["finding", "organisation"],
            ),
            models.CheckConstraint(name="item_status_valid", condition=Q(status__in=Status.values)),
            models.CheckConstraint(
                name="item_superseded_has_successor",
                condition=(Q(status=Status.CLOSED_SUPERSEDED) & Q(superseded_by__isnull=False))
                | (~Q(status=Status.CLOSED_SUPERSEDED) & Q(superseded_by__isnull=True)),
            ),
            models.CheckConstraint(
                name="item_not_superseded_by_itself",
                condition=~Q(superseded_by=F("finding")),
            ),
        ]
        indexes = [
            # Overdue and due-soon lists: status in active statuses and due_date before a day.
            models.Index(fields=["status", "due_date"], name="item_status_due_idx"),
            # An organisation's page and portal: its items counted by status.
            models.Index(fields=["organisation", "status"], name="item_org_status_idx"),
        ]

    def __str__(self):
        return f"{self.finding.reference} for {self.organisation}"

    @property
    def is_active(self):
        return self.status in ACTIVE_STATUSES

    @property
    def is_closed(self):
        return self.status in CLOSED_STATUSES

    @property
    def reached_by(self) -> str:
        return status_reached_by(self.status, self.status_source)

    @property
    def status_source_label(self) -> str:
        return status_source_label(self.status, self.reached_by)

    @property
    def is_submittable(self):
        """The lifecycle allows a submission for closure from here (who may is the policy's)."""
        return Status.SUBMITTED in TRANSITIONS[Status(self.status)]

    @property
    def is_self_reported(self):
        return self.reached_by == Source.ORGANISATION

    @property
    def is_verified(self):
        return self.status in VERIFIED_STATUSES

    @property
    def due_date_was_changed(self):
        return self.original_due_date is not None and self.original_due_date != self.due_date

    @property
    def due_date_moved_word(self):
        """ "extended" when the due date is now later than the first one, else "moved"."""
        if self.due_date and self.original_due_date and self.due_date > self.original_due_date:
            return "extended"
        return "moved"

    def due_date_moved_from(self, original):
        """ "extended from 25 May 2017" or "moved from ...", in the page's language."""
        if self.due_date_moved_word == "extended":
            return gettext("extended from %(date)s") % {"date": original}
        return gettext("moved from %(date)s") % {"date": original}

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.is_active and self.due_date is not None and self.due_date < today

    def is_not_yet_due(self, today=None):
        today = today or timezone.localdate()
        return self.is_active and self.due_date is not None and self.due_date >= today


class ItemFactsQuerySet(models.QuerySet):
    def published(self, *, at=None):
        return self.filter(published_q(at=at))


class ItemFacts(models.Model):
    """Every field the public filters and counts use, one row per item, so that the browse
    page's counts read one narrow table instead of joining item, finding, inspection and
    organisation over every item.

    Written only by PostgreSQL itself, like ``FindingSearch``: the triggers of migration 0017
    rewrite an item's row in the statement that changes anything it copies (the item, its
    finding's kind or inspection, its inspection's publication time or programme, its
    organisation's type or region), whichever door made the change. SQLite, the quick start,
    has the table but no triggers: its counts are made from the items themselves
    (``recommendations.filters``).
    """

    # No foreign key constraints: the rows are the database's own (see FindingSearch).
    item = models.OneToOneField(
        Item, on_delete=models.DO_NOTHING, db_constraint=False, primary_key=True, related_name="+"
    )
    finding = models.ForeignKey(
        Finding, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    inspection = models.ForeignKey(
        Inspection, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    programme = models.ForeignKey(
        "inspections.Programme", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=FindingKind.choices)
    status = models.CharField(max_length=30, choices=Status.choices)
    organisation_kind = models.CharField(max_length=30)
    region = models.CharField(max_length=30, blank=True)
    published_at = models.DateTimeField(null=True)
    due_date = models.DateField(null=True)
    original_due_date = models.DateField(null=True)
    overdue_when_extended = models.BooleanField(default=False)

    objects = ItemFactsQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "item facts"
        indexes = [
            # Every count starts with the embargo: published_at <= now.
            models.Index(fields=["published_at"], name="itemfacts_published_idx"),
            # The browse page for one organisation (and its predecessors), by status.
            models.Index(fields=["organisation", "status"], name="itemfacts_org_status_idx"),
        ]

    def __str__(self):
        return f"Facts of item {self.item_id}"


class CountsVersion(models.Model):
    """Numbers per organisation that change whenever the public counts of its items may
    have changed, so that a write recomputes the counts of the body it touched and no other's
    (public/counts_cache.py: ``organisation_parts``).

    Written only by PostgreSQL itself, like ``ItemFacts``: the triggers of migrations 0018 and
    0020 give an organisation a new number (the time in microseconds, so a number is not used
    twice) in the statement that changes what is counted, whichever door made it:

    - ``version``: any of its items' facts (a status, a due date, a publication, a new or moved
      item), the search document of one of its findings (the words, the themes) or the slug of
      one of its reports;
    - ``closures_version``: a closure added to the history of one of its items, or an item
      added, removed, moved to or from it or to another report, or its report's publication
      changed (the closures counted per quarter: those of published reports). A status
      change that closes nothing (started, submitted, returned) leaves it, so the overview
      counts that body's closures again only when they may have changed.

    SQLite, the quick start, has the table but no triggers: its counts follow the data stamp
    alone.
    """

    # No foreign key constraint: the rows are the database's own (see ItemFacts).
    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="+",
    )
    version = models.BigIntegerField()
    # Given by the database, as the triggers write the row of a new organisation either way.
    closures_version = models.BigIntegerField(default=0, db_default=0)

    def __str__(self):
        return f"Counts of organisation {self.organisation_id}: version {self.version}"


class DueDateProposal(models.Model):
    """An addressee asks for a new due date, with a reason; an inspector agrees or refuses."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="due_date_proposals")
    proposed_due_date = models.DateField()
    reason = models.TextField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["proposed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                name="duedateproposal_one_pending_per_item",
                fields=["item"],
                condition=Q(status="pending"),
            ),
            models.CheckConstraint(
                name="duedateproposal_status_valid", condition=Q(status__in=ProposalStatus.values)
            ),
            models.CheckConstraint(
                name="duedateproposal_decided_when_not_pending",
                condition=(Q(status="pending") & Q(decided_at__isnull=True))
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
            ),
            models.CheckConstraint(
                name="duedateproposal_reason_not_blank", condition=~Q(reason="")
            ),
        ]
        indexes = [
            # The review queue: pending proposals, oldest first.
            models.Index(
                fields=["proposed_at"],
                name="duedateproposal_pending_idx",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self):
        return f"New due date {self.proposed_due_date:%d %B %Y} for {self.item}"


class StatusChangeQuerySet(models.QuerySet):
    def published(self, *, at=None):
        """The public timeline: every change of an item of a published report."""
        return self.filter(published_q("item__finding__inspection__", at=at))


class AppendOnlyError(ValueError):
    """A write that would change or remove what is on the public record."""


class DueDateChangeQuerySet(models.QuerySet):
    def published(self, *, at=None):
        return self.filter(published_q("item__finding__inspection__", at=at))


class DueDateChange(models.Model):
    """An append-only row per change of an item's due date: from, to, when, who, why, and
    whether the item was overdue then. Public: an extension never silently ends lateness."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="due_date_changes")
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when a command or the system made the change.",
    )
    source = models.CharField(max_length=20, choices=DueDateSource.choices)
    reason = models.TextField()
    was_overdue = models.BooleanField(
        help_text="The item was active and past its old due date when the date changed."
    )
    proposal = models.ForeignKey(
        DueDateProposal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The addressee's request, when the new date was agreed on request.",
    )

    objects = DueDateChangeQuerySet.as_manager()

    class Meta:
        ordering = ["item", "changed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="duedatechange_is_a_change", condition=~Q(from_date=F("to_date"))
            ),
            models.CheckConstraint(
                name="duedatechange_source_valid", condition=Q(source__in=DueDateSource.values)
            ),
            models.CheckConstraint(name="duedatechange_reason_not_blank", condition=~Q(reason="")),
        ]
        indexes = [
            # Site-wide feeds and the API's timeline read the newest changes first.
            models.Index(fields=["-changed_at"], name="duedatechange_recent_idx"),
        ]

    def __str__(self):
        return f"Due date of {self.item_id}: {self.from_date} to {self.to_date}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The due date history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The due date history is append-only.")

    @property
    def decided_by(self) -> str:
        """Who agreed or made the change, as the public record names it: never a person, but
        their inspectorate ("HMICFRS"), "the inspectorate" or "the tracker"."""
        user = self.changed_by
        if user is None:
            # A command or import on the inspectorate's behalf; only the tracker's own changes
            # are the tracker's.
            if self.source == DueDateSource.SYSTEM:
                return gettext("the tracker")
            return gettext("the inspectorate")
        if user.inspectorate_id:
            return str(user.inspectorate)
        return gettext("the inspectorate")

    @property
    def description(self) -> str:
        """E.g. "Due date extended from 25 May 2017 to 31 March 2027", in the page's language."""
        if self.from_date is None:
            return gettext("Due date set to %(date)s") % {"date": _day(self.to_date)}
        if self.to_date is None:
            return gettext("Due date of %(date)s removed") % {"date": _day(self.from_date)}
        dates = {"from": _day(self.from_date), "to": _day(self.to_date)}
        if self.to_date > self.from_date:
            return gettext("Due date extended from %(from)s to %(to)s") % dates
        return gettext("Due date brought forward from %(from)s to %(to)s") % dates

    @property
    def who(self) -> str:
        """E.g. "agreed by HMICFRS at the organisation's request"."""
        who = {"who": self.decided_by}
        if self.source == DueDateSource.AGREED_ON_REQUEST:
            return gettext("agreed by %(who)s at the organisation's request") % who
        if self.source == DueDateSource.IMPORT:
            return (
                gettext("changed by %(who)s when the report's findings were imported again") % who
            )
        return gettext("changed by %(who)s") % who


def _day(value) -> str:
    """A date as "25 May 2017", with the month's name in the page's language."""
    return date_format(value, "j F Y")


class StatusChange(models.Model):
    """An append-only row per status change of an item: from, to, when, who, why."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=30, choices=Status.choices)
    to_status = models.CharField(max_length=30, choices=Status.choices)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when a command or the system made the change.",
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    note = models.TextField(blank=True)

    objects = StatusChangeQuerySet.as_manager()

    class Meta:
        ordering = ["item", "changed_at", "pk"]
        get_latest_by = "changed_at"
        constraints = [
            models.CheckConstraint(
                name="statuschange_statuses_valid",
                condition=Q(from_status__in=Status.values) & Q(to_status__in=Status.values),
            ),
            models.CheckConstraint(
                name="statuschange_is_a_change", condition=~Q(from_status=F("to_status"))
            ),
            models.CheckConstraint(
                name="statuschange_source_valid", condition=Q(source__in=Source.values)
            ),
            models.CheckConstraint(
                name="statuschange_channel_valid", condition=Q(channel__in=Channel.values)
            ),
        ]
        indexes = [
            # Site-wide feeds and "closures per quarter" read the newest changes first.
            models.Index(fields=["-changed_at"], name="statuschange_recent_idx"),
            # One organisation's closures per quarter (public/stats.py:
            # overview_closure_parts, after a closure of one of its items): from its items to
            # their closures since a day,
            # without reading every closure of the country since then; with the status, an
            # index-only scan (a key column rather than INCLUDE, which SQLite refuses).
            models.Index(
                fields=["item", "changed_at", "to_status"],
                name="statuschange_closures_idx",
                condition=Q(to_status__in=CLOSED_STATUSES),
            ),
        ]

    def __str__(self):
        return f"{self.get_from_status_display()} to {self.get_to_status_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("The status history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The status history is append-only.")


class ProgressUpdateQuerySet(models.QuerySet):
    def published(self, *, at=None):
        """Updates the organisation published, on items of a published report."""
        return self.filter(published_q("item__finding__inspection__", at=at), is_published=True)


PUBLISHED_UPDATE_ERROR = (
    "A published progress update cannot be changed or deleted: publish a correction, or (for a "
    "legal reason) withdraw it."
)
WITHDRAWAL_FIELDS = frozenset({"withdrawn_at", "withdrawn_by", "withdrawal_reason"})


class ProgressUpdate(models.Model):
    """A dated narrative from an addressee; the public sees it only once published.

    Once published it stays as written: a mistake is put right by a new update that
    ``corrects`` it, and only a withdrawal for a legal reason (``progress_update_withdraw``)
    replaces its text and evidence on the public pages with a dated note, keeping them for
    inspectors. The database refuses other changes too (migration 0007, PostgreSQL).
    """

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="updates")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="progress_updates"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_updates",
    )
    written_on = models.DateField(default=timezone.localdate)
    narrative = models.TextField()
    self_assessment = models.CharField(max_length=20, choices=SelfAssessment.choices)
    is_published = models.BooleanField(
        default=False, help_text="Published updates appear on the public timeline."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        help_text="The earlier published update this one corrects.",
    )
    correction_reason = models.TextField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    withdrawal_reason = models.TextField(blank=True, editable=False)

    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["item", "-written_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="progressupdate_self_assessment_valid",
                condition=Q(self_assessment__in=SelfAssessment.values),
            ),
            models.CheckConstraint(
                name="progressupdate_narrative_not_blank", condition=~Q(narrative="")
            ),
            models.CheckConstraint(
                name="progressupdate_correction_has_reason",
                condition=(Q(corrects__isnull=True) & Q(correction_reason=""))
                | (Q(corrects__isnull=False) & ~Q(correction_reason="")),
            ),
            models.CheckConstraint(
                name="progressupdate_withdrawal_has_reason",
                condition=(Q(withdrawn_at__isnull=True) & Q(withdrawal_reason=""))
                | (Q(withdrawn_at__isnull=False) & ~Q(withdrawal_reason="")),
            ),
            models.CheckConstraint(
                name="progressupdate_only_published_withdrawn",
                condition=Q(withdrawn_at__isnull=True) | Q(is_published=True),
            ),
        ]
        indexes = [
            # Public timelines and feeds: published updates, newest first.
            models.Index(
                fields=["-written_on"],
                name="progressupdate_published_idx",
                condition=Q(is_published=True),
            ),
        ]

    def __str__(self):
        organisation = self.organisation if self.organisation_id else "an organisation"
        return f"Update of {self.written_on.isoformat()} by {organisation}"

    def save(self, *args, **kwargs):
        if not self._state.adding and self.pk is not None:
            stored = self._stored_state()
            if stored["is_published"]:
                fields = set(kwargs.get("update_fields") or ())
                withdrawing = (
                    stored["withdrawn_at"] is None
                    and self.withdrawn_at is not None
                    and fields
                    and fields <= WITHDRAWAL_FIELDS
                )
                if not withdrawing:
                    raise AppendOnlyError(PUBLISHED_UPDATE_ERROR)
        super().save(*args, **kwargs)
        self._stored = {"is_published": self.is_published, "withdrawn_at": self.withdrawn_at}

    def delete(self, *args, **kwargs):
        if self.pk is not None and self._stored_state()["is_published"]:
            raise AppendOnlyError(PUBLISHED_UPDATE_ERROR)
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values, *args, **kwargs):
        instance = super().from_db(db, field_names, values, *args, **kwargs)
        # What the database holds, so that ``save`` can refuse to rewrite a published update.
        instance._stored = {
            name: getattr(instance, name)
            for name in ("is_published", "withdrawn_at")
            if name in instance.__dict__
        }
        return instance

    def _stored_state(self):
        stored = getattr(self, "_stored", None)
        if stored is None or len(stored) < 2:
            row = type(self)._base_manager.filter(pk=self.pk).values("is_published", "withdrawn_at")
            stored = row.first() or {"is_published": False, "withdrawn_at": None}
        return stored

    @property
    def is_withdrawn(self):
        return self.withdrawn_at is not None


def evidence_upload_to(instance, filename):
    # The stored name never comes from the user: only the extension is kept.
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class EvidenceFile(models.Model):
    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["update", "pk"]

    def __str__(self):
        return self.original_name

    def save(self, *args, **kwargs):
        if self._update_is_published():
            raise AppendOnlyError(
                "The evidence of a published progress update cannot be added to, changed or "
                "deleted."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._update_is_published():
            raise AppendOnlyError(
                "The evidence of a published progress update cannot be changed or deleted."
            )
        return super().delete(*args, **kwargs)

    def _update_is_published(self):
        return ProgressUpdate._base_manager.filter(pk=self.update_id, is_published=True).exists()


class Section55ResponseQuerySet(models.QuerySet):
    def published(self, *, at=None):
        """Responses awaited or received for a published report: the clock is public."""
        return self.filter(published_q("inspection__", at=at))

    def received(self):
        return self.filter(received_on__isnull=False)

    def awaited(self):
        """Not yet received, for a report section 55 covers: a draft left on another report
        (kept by inspections migration 0003 because it has statements) awaits nothing."""
        return self.filter(
            received_on__isnull=True,
            inspection__in=Inspection.objects.section55_applies().values("pk"),
        )


class Section55Response(models.Model):
    """A local policing body's published comments on a police inspection report."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="section55_responses"
    )
    local_policing_body = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="section55_responses",
        limit_choices_to={"kind": "local_policing_body"},
    )
    received_on = models.DateField(
        null=True, blank=True, help_text="Set when the response is published; empty while a draft."
    )
    url = models.URLField("link", max_length=500, blank=True)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped on every save of the draft; a form built from an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = Section55ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["inspection", "local_policing_body__name"]
        verbose_name = "section 55 response"
        constraints = [
            models.UniqueConstraint(
                name="section55_one_per_inspection_and_body",
                fields=["inspection", "local_policing_body"],
            ),
            models.CheckConstraint(
                name="section55_received_has_content",
                condition=Q(received_on__isnull=True) | ~Q(url="") | ~Q(text=""),
            ),
        ]

    def __str__(self):
        return f"Section 55 response of {self.local_policing_body} to {self.inspection}"

    @property
    def due_on(self):
        published_on = self.inspection.published_on
        return section55_due_date(published_on) if published_on else None

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.received_on is None and self.due_on is not None and self.due_on < today

    @property
    def was_late(self):
        return (
            self.received_on is not None
            and self.due_on is not None
            and self.received_on > self.due_on
        )


class Section55StatementQuerySet(models.QuerySet):
    def published(self, *, at=None):
        """Statements of received responses to published reports; a draft's are not public."""
        return self.filter(
            published_q("response__inspection__", at=at), response__received_on__isnull=False
        )


class Section55Statement(models.Model):
    """What the body says it has done or will do about one recommendation, or why nothing."""

    response = models.ForeignKey(
        Section55Response, on_delete=models.CASCADE, related_name="statements"
    )
    finding = models.ForeignKey(
        Finding, on_delete=models.PROTECT, related_name="section55_statements"
    )
    action = models.CharField(max_length=20, choices=Section55Action.choices)
    text = models.TextField()

    objects = Section55StatementQuerySet.as_manager()

    class Meta:
        ordering = ["response", "finding__position", "finding__reference"]
        constraints = [
            models.UniqueConstraint(
                name="section55statement_one_per_finding", fields=["response", "finding"]
            ),
            models.CheckConstraint(
                name="section55statement_action_valid",
                condition=Q(action__in=Section55Action.values),
            ),
            models.CheckConstraint(name="section55statement_text_not_blank", condition=~Q(text="")),
        ]

    def __str__(self):
        return f"{self.finding.reference}: {self.get_action_display()}"


class FactualAccuracyCheck(models.Model):
    """The draft report shared with the leads of the inspected organisations before publication,
    for them to say what is factually wrong. Never public: there is no ``published()`` scope,
    and every door reaches a check only through ``recommendations.policy``."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="factual_accuracy_checks"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closes_on = models.DateField(help_text="The last day the organisations may comment.")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at", "pk"]
        constraints = [
            # One check at a time: the organisations comment on one draft, not two.
            models.UniqueConstraint(
                name="factualaccuracycheck_one_open_per_inspection",
                fields=["inspection"],
                condition=Q(closed_at__isnull=True),
            ),
            models.CheckConstraint(
                name="factualaccuracycheck_closed_after_opened",
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("opened_at")),
            ),
        ]

    def __str__(self):
        return f"Factual-accuracy check of {self.inspection}"

    def takes_comments(self, today=None) -> bool:
        """Not closed, and its closing day not past (UK time)."""
        return self.closed_at is None and (today or timezone.localdate()) <= self.closes_on

    @property
    def is_closed(self):
        return self.closed_at is not None


class FactualAccuracyComment(models.Model):
    """What an inspected organisation says of one finding (or, with no finding, of the report
    as a whole), and the inspector's answer: accepted or not, with a reply."""

    # Not named "check": a field of that name would hide Django's Model.check().
    accuracy_check = models.ForeignKey(
        FactualAccuracyCheck, on_delete=models.CASCADE, related_name="comments"
    )
    finding = models.ForeignKey(
        Finding,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="factual_accuracy_comments",
        help_text="Empty: a comment on the report as a whole.",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="factual_accuracy_comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    response = models.CharField(
        max_length=20, choices=FactualAccuracyResponse.choices, blank=True, default=""
    )
    reply = models.TextField(blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["accuracy_check", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="factualaccuracycomment_text_not_blank", condition=~Q(text="")
            ),
            models.CheckConstraint(
                name="factualaccuracycomment_response_valid",
                condition=Q(response__in=[*FactualAccuracyResponse.values, ""]),
            ),
            models.CheckConstraint(
                name="factualaccuracycomment_replied_when_answered",
                condition=(Q(response="") & Q(replied_at__isnull=True) & Q(reply=""))
                | (~Q(response="") & Q(replied_at__isnull=False)),
            ),
            # A comment not accepted is answered with the reason.
            models.CheckConstraint(
                name="factualaccuracycomment_not_accepted_has_reply",
                condition=~Q(response=FactualAccuracyResponse.NOT_ACCEPTED) | ~Q(reply=""),
            ),
        ]
        indexes = [
            # The check's pages list its comments finding by finding:
            #   WHERE accuracy_check_id = ? ORDER BY finding_id, created_at
            models.Index(fields=["accuracy_check", "finding"], name="facomment_check_finding_idx"),
        ]

    def __str__(self):
        about = self.finding.reference if self.finding_id else "the report"
        return f"Comment of {self.organisation} on {about}"

    @property
    def is_answered(self):
        return bool(self.response)


def report_sections(inspection) -> list[dict]:
    """The report's findings as it reads them: each cause of concern with its recommendations,
    then the other recommendations, then the areas for improvement. Three queries: causes,
    findings, their addressees. For the draft pages of the factual-accuracy check."""
    causes = list(inspection.causes_of_concern.order_by("position", "reference"))
    findings = list(
        inspection.findings.order_by("position", "reference").prefetch_related(
            models.Prefetch(
                "items", queryset=Item.objects.select_related("organisation").order_by("pk")
            )
        )
    )
    by_cause = {cause.pk: [] for cause in causes}
    others, afis = [], []
    for finding in findings:
        if finding.kind == FindingKind.AREA_FOR_IMPROVEMENT:
            afis.append(finding)
        elif finding.cause_of_concern_id in by_cause:
            by_cause[finding.cause_of_concern_id].append(finding)
        else:
            others.append(finding)
    sections = [
        {
            "heading": f"Cause of concern {cause.reference}",
            "cause": cause,
            "findings": by_cause[cause.pk],
        }
        for cause in causes
    ]
    if others:
        sections.append({"heading": "Recommendations", "cause": None, "findings": others})
    if afis:
        sections.append({"heading": "Areas for improvement", "cause": None, "findings": afis})
    return sections
