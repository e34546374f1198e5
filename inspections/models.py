from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from inspections.choices import (
    GRADES_BY_SCALE,
    Country,
    Grade,
    GradingScale,
    OrganisationKind,
    ProgrammeKind,
    Region,
)


def published_q(path: str = "", *, at=None) -> Q:
    """The embargo, written once: the report at ``path`` (``""`` for an inspection itself,
    ``"finding__inspection__"`` for an item...) was published at or before ``at`` (default now).

    Every model's ``published()`` scope and ``Inspection.is_published`` are built on it; no
    other code compares a publication time (``tests/test_publication_scopes.py`` checks).
    """
    return Q(**{f"{path}published_at__lte": at or timezone.now()})


class Inspectorate(models.Model):
    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200, unique=True)
    abbreviation = models.CharField(max_length=30)
    inspects_under_police_act_s54 = models.BooleanField(
        "inspects police forces under section 54 of the Police Act 1996",
        default=False,
        help_text="HMICFRS only. Its reports on police forces (alone or joint, lead or "
        "partner) start the section 55 clock of each force's local policing body.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.abbreviation or self.name


class OrganisationQuerySet(models.QuerySet):
    def police_forces(self):
        return self.filter(kind=OrganisationKind.POLICE_FORCE)

    def local_policing_bodies(self):
        return self.filter(kind=OrganisationKind.LOCAL_POLICING_BODY)

    def current(self):
        """Bodies that still exist: those without a successor."""
        return self.filter(successor__isnull=True)

    def lineages(self, ids=None, *, key: str = "pk") -> dict:
        """The succession walk, in one query: for each of ``ids`` (by default, each body that
        succeeded another), the set of it and every body it succeeded, however many mergers
        back. Findings addressed to a predecessor follow its successor, so a body's pages,
        lists, counts and reminders cover its lineage.

        ``key`` names bodies by ``"pk"`` or ``"slug"`` (the filter's choices). The walk reads
        every succession, whatever this queryset is filtered to.
        """
        predecessors: dict = {}
        successions = self.model._default_manager.filter(successor__isnull=False)
        for body, successor in successions.values_list(key, f"successor__{key}"):
            predecessors.setdefault(successor, set()).add(body)
        lineages = {}
        for body in predecessors if ids is None else ids:
            lineage, frontier = {body}, {body}
            while frontier:
                frontier = {p for b in frontier for p in predecessors.get(b, ())} - lineage
                lineage |= frontier
            lineages[body] = lineage
        return lineages


class Organisation(models.Model):
    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    name_cy = models.CharField("Welsh name", max_length=200, blank=True)
    kind = models.CharField(max_length=30, choices=OrganisationKind.choices)
    country = models.CharField(
        max_length=20, choices=Country.choices, blank=True, help_text="Empty for bodies across GB."
    )
    region = models.CharField(max_length=30, choices=Region.choices, blank=True)
    local_policing_body = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forces",
        limit_choices_to={"kind": OrganisationKind.LOCAL_POLICING_BODY},
        help_text="For a police force: the body that holds it to account (PCC, mayor, MOPAC).",
    )
    successor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        help_text="The body this one merged into or was renamed to; its findings follow.",
    )
    ceased_on = models.DateField(
        null=True, blank=True, help_text="The day the body merged or was renamed."
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="organisation_kind_valid",
                condition=Q(kind__in=OrganisationKind.values),
            ),
            models.CheckConstraint(
                name="organisation_country_valid",
                condition=Q(country__in=[*Country.values, ""]),
            ),
            models.CheckConstraint(
                name="organisation_region_valid",
                condition=Q(region__in=[*Region.values, ""]),
            ),
            models.CheckConstraint(
                name="organisation_not_own_successor",
                condition=~Q(successor=F("pk")),
            ),
            models.CheckConstraint(
                name="organisation_not_own_policing_body",
                condition=~Q(local_policing_body=F("pk")),
            ),
            models.CheckConstraint(
                name="organisation_policing_body_only_for_forces",
                condition=Q(local_policing_body__isnull=True)
                | Q(kind=OrganisationKind.POLICE_FORCE),
            ),
            models.CheckConstraint(
                name="organisation_ceased_with_successor",
                condition=Q(ceased_on__isnull=True) | Q(successor__isnull=False),
            ),
        ]
        indexes = [
            # Public tables filter organisations by kind and region.
            models.Index(fields=["kind", "region"], name="organisation_kind_region_idx"),
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("admin:inspections_organisation_change", args=[self.pk])

    @property
    def display_name(self):
        """The name in the language of the page: the Welsh name on a Welsh page, when it has
        one (bodies in Wales do); otherwise the English name."""
        if self.name_cy and get_language() == "cy":
            return self.name_cy
        return self.name

    @property
    def is_police_force(self):
        return self.kind == OrganisationKind.POLICE_FORCE

    def lineage_ids(self) -> set[int]:
        """This body's id and those of every body it succeeded, however many mergers back
        (``Organisation.objects.lineages``). Pages and lists of a body query
        ``organisation_id__in=body.lineage_ids()``.
        """
        return Organisation.objects.lineages([self.pk])[self.pk]

    def current_successor(self):
        """The body that carries this one on today (itself if it still exists)."""
        body, seen = self, {self.pk}
        while body.successor_id and body.successor_id not in seen:
            body = body.successor
            seen.add(body.pk)
        return body


class EngagePeriodQuerySet(models.QuerySet):
    def published(self, *, at=None):
        """Every period is public (entry, exit, reasons); the report behind one is linked only
        once published: see ``public_inspection``."""
        return self.all()


class EngagePeriod(models.Model):
    """A spell in the inspectorate's enhanced monitoring ("Engage")."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="engage_periods"
    )
    entered_on = models.DateField()
    left_on = models.DateField(null=True, blank=True, help_text="Empty while still in Engage.")
    entry_reasons = models.TextField()
    exit_reasons = models.TextField(blank=True)
    inspection = models.ForeignKey(
        "Inspection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="engage_periods",
        help_text="The inspection whose findings led to this period.",
    )

    objects = EngagePeriodQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "-entered_on"]
        constraints = [
            models.CheckConstraint(
                name="engage_left_after_entered",
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("entered_on")),
            ),
            models.CheckConstraint(
                name="engage_exit_reasons_when_left",
                condition=Q(left_on__isnull=True) | ~Q(exit_reasons=""),
            ),
            models.UniqueConstraint(
                name="engage_one_open_period_per_organisation",
                fields=["organisation"],
                condition=Q(left_on__isnull=True),
            ),
        ]

    def __str__(self):
        end = self.left_on.isoformat() if self.left_on else "present"
        return f"{self.organisation} in Engage {self.entered_on.isoformat()} to {end}"

    @property
    def is_current(self):
        return self.left_on is None

    @property
    def public_inspection(self):
        """The report behind the period, or None while it is embargoed (or there is none)."""
        inspection = self.inspection
        return inspection if inspection is not None and inspection.is_published else None


class ProgrammeQuerySet(models.QuerySet):
    def published(self, *, at=None):
        """Programmes with a published report: one used only by an embargoed report would
        tell of it, so it is absent everywhere the public looks, like an unknown one."""
        return self.filter(
            Exists(Inspection.objects.published(at=at).filter(programme=OuterRef("pk")))
        )


class Programme(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=ProgrammeKind.choices)
    description = models.TextField(blank=True)
    section55_applies = models.BooleanField(
        "section 55 applies",
        default=False,
        help_text="A programme of inspections of police forces: its reports by an inspectorate "
        "that inspects under section 54 start the section 55 clock of each force's local "
        "policing body. Not fire and rescue, not coroners' reports.",
    )

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="programme_kind_valid", condition=Q(kind__in=ProgrammeKind.values)
            ),
        ]

    def __str__(self):
        return self.name


class InspectionQuerySet(models.QuerySet):
    def published(self, *, at=None):
        """Inspections the public may see: published at or before ``at`` (default now)."""
        return self.filter(published_q(at=at))

    def unpublished(self, *, at=None):
        return self.exclude(published_q(at=at))

    def section55_applies(self):
        """Reports that start a section 55 clock: a police programme, led or joined by an
        inspectorate inspecting under section 54 (HMICFRS). Which bodies must comment is
        ``recommendations.services.section55_expected_bodies``."""
        partner_s54 = Inspection.partner_inspectorates.through.objects.filter(
            inspection_id=OuterRef("pk"), inspectorate__inspects_under_police_act_s54=True
        )
        return self.filter(
            Q(lead_inspectorate__inspects_under_police_act_s54=True) | Exists(partner_s54),
            programme__section55_applies=True,
        )


class Inspection(models.Model):
    title = models.CharField(max_length=300)
    # The Welsh versions, optional: the Welsh pages show them, or the English with a note that
    # it is in English only. A database default too, so that a server still running the code
    # of before can insert during a deploy.
    title_cy = models.CharField(
        "Welsh title", max_length=300, blank=True, default="", db_default=""
    )
    slug = models.SlugField(max_length=200, unique=True)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="inspections")
    organisations = models.ManyToManyField(
        Organisation,
        related_name="inspections",
        help_text="The bodies inspected: one, or many for a thematic.",
    )
    lead_inspectorate = models.ForeignKey(
        Inspectorate, on_delete=models.PROTECT, related_name="led_inspections"
    )
    partner_inspectorates = models.ManyToManyField(
        Inspectorate,
        related_name="partner_inspections",
        blank=True,
        help_text="Other inspectorates of a joint inspection.",
    )
    fieldwork_started_on = models.DateField(null=True, blank=True)
    fieldwork_ended_on = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Nothing of the inspection is public before this moment. Empty: not scheduled.",
    )
    report_url = models.URLField("report URL", max_length=500, blank=True)
    summary = models.TextField(blank=True)
    summary_cy = models.TextField("Welsh summary", blank=True, default="", db_default="")
    follows_up = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        help_text="The inspection this one revisits or updates.",
    )
    is_demo = models.BooleanField(
        "demo data",
        default=False,
        editable=False,
        help_text="Made by manage.py seed_demo: its pages say that its data is invented.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "title"]
        constraints = [
            models.CheckConstraint(
                name="inspection_fieldwork_dates_in_order",
                condition=Q(fieldwork_started_on__isnull=True)
                | Q(fieldwork_ended_on__isnull=True)
                | Q(fieldwork_ended_on__gte=F("fieldwork_started_on")),
            ),
            models.CheckConstraint(
                name="inspection_not_follow_up_of_itself",
                condition=~Q(follows_up=F("pk")),
            ),
        ]
        indexes = [
            # published(): every public query filters on publication time and sorts by it.
            models.Index(fields=["published_at"], name="inspection_published_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("admin:inspections_inspection_change", args=[self.pk])

    @property
    def is_published(self):
        # The one comparison outside the querysets: the same rule as published_q.
        return self.published_at is not None and self.published_at <= timezone.now()

    @property
    def published_on(self):
        """The publication day in UK time, the day 1 of the section 55 clock."""
        return timezone.localdate(self.published_at) if self.published_at else None

    def series(self):
        """The first inspection of this one's series and every follow-up after it, in order."""
        root, seen = self, {self.pk}
        while root.follows_up_id and root.follows_up_id not in seen:
            root = root.follows_up
            seen.add(root.pk)
        members, frontier = [root], [root.pk]
        while frontier:
            children = list(
                Inspection.objects.filter(follows_up_id__in=frontier).exclude(
                    pk__in=[m.pk for m in members]
                )
            )
            members.extend(children)
            frontier = [c.pk for c in children]
        return sorted(members, key=lambda i: (i.published_at is None, i.published_at, i.pk))


class InspectionPartQuerySet(models.QuerySet):
    """Key figures, judgements and causes of concern: public with their report."""

    def published(self, *, at=None):
        return self.filter(published_q("inspection__", at=at))


class KeyFigure(models.Model):
    """A headline number of a report, e.g. 191 of 214 cases judged inadequate."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="figures")
    label = models.CharField(max_length=300)
    value = models.PositiveIntegerField()
    out_of = models.PositiveIntegerField(
        null=True, blank=True, help_text="The total the value is part of, if any."
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = InspectionPartQuerySet.as_manager()

    class Meta:
        ordering = ["inspection", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                name="keyfigure_value_within_total",
                condition=Q(out_of__isnull=True) | Q(value__lte=F("out_of")),
            ),
        ]

    def __str__(self):
        if self.out_of is not None:
            return f"{self.label}: {self.value} of {self.out_of}"
        return f"{self.label}: {self.value}"


def _grade_allowed_by_scale():
    condition = Q()
    for scale, grades in GRADES_BY_SCALE.items():
        condition |= Q(scale=scale, grade__in=[g.value for g in grades])
    return condition


class Judgement(models.Model):
    """A graded judgement of one question area of one inspection, on one grading scale."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="judgements")
    question_area = models.CharField(max_length=200)
    scale = models.CharField(max_length=20, choices=GradingScale.choices)
    grade = models.CharField(max_length=30, choices=Grade.choices)
    position = models.PositiveSmallIntegerField(default=0)

    objects = InspectionPartQuerySet.as_manager()

    class Meta:
        ordering = ["inspection", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                name="judgement_one_per_question_area",
                fields=["inspection", "question_area"],
            ),
            models.CheckConstraint(
                name="judgement_grade_on_scale", condition=_grade_allowed_by_scale()
            ),
        ]

    def __str__(self):
        return f"{self.question_area}: {self.get_grade_display()}"

    @property
    def grade_rank(self):
        """1 for the best grade of the scale; ranks are comparable only within one scale."""
        return GRADES_BY_SCALE[GradingScale(self.scale)].index(Grade(self.grade)) + 1
