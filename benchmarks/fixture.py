"""Ten years of national data for the benchmark, written fast with ``COPY``.

This is a benchmark fixture, not a write path: it bypasses ``recommendations.services`` so that
about 650,000 rows take well under a minute rather than hours. It keeps the data as consistent
as the services would: every item reached its status through moves that ``TRANSITIONS`` allows,
each recorded as a ``StatusChange`` with the source ``transition_source`` gives and a channel
that fits it; ``status_changed_at`` is the time of the last change; a finding closed as
superseded points to a later published finding; progress updates fall between the first
"in progress" and the closure; section 55 responses are those of the forces' policing bodies.

Everything is drawn from one ``random.Random(seed)``; dates are spread from 1 January ten years
before today up to last week. Import this module only after ``django.setup()``.

How it is fast (PostgreSQL only, inside one transaction):

- the large tables (findings and their themes, items, status changes, due-date changes,
  progress updates) are written as plain tuples with one ``COPY`` each, not model instances
  and ``bulk_create``; their ids are drawn from the tables' own sequences first, so that the
  rows are those ``bulk_create`` gave (same seed, same rows, same ids in a new database);
- the insert triggers that keep the search documents (migration 0013) and the item facts
  (migration 0017) are disabled for the load, and their own refresh functions then fill both
  tables once for all the new findings and items: the same SQL the triggers run, once rather
  than once per batch (the search document of a finding was rebuilt three times: for the
  finding, its themes and its items). The triggers are enabled again in the same transaction;
- the foreign keys of the loaded tables are dropped for the load and added again after it
  (checking all rows in one query each, not one query per row at the commit), and the
  secondary indexes of the loaded and derived tables built after it (the tests in
  tests/test_benchmark_fixture.py check that the tables come back as they were);
- ``synchronous_commit`` is off for that transaction only.
"""

import bisect
import importlib
import itertools
import random
import time as clock
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from inspections.choices import Grade, GradingScale, OrganisationKind
from inspections.models import (
    EngagePeriod,
    Inspection,
    Inspectorate,
    Judgement,
    KeyFigure,
    Organisation,
    Programme,
)
from recommendations.choices import (
    CLOSED_STATUSES,
    TRANSITIONS,
    Channel,
    DueDateSource,
    FindingKind,
    Section55Action,
    SelfAssessment,
    Source,
    Status,
)
from recommendations.models import (
    CauseOfConcern,
    DueDateChange,
    Finding,
    Item,
    ProgressUpdate,
    Section55Response,
    Section55Statement,
    StatusChange,
    Theme,
)
from recommendations.services import transition_source

LONDON = ZoneInfo("Europe/London")
BATCH = 5000
DEFAULT_SEED = 2026
# The columns of the rows create_findings and create_items build, in their order (an item's
# id first: the status changes and updates drawn after it name it).
FINDING_COLUMNS = [
    "inspection_id",
    "kind",
    "cause_of_concern_id",
    "reference",
    "text",
    "due_date",
    "deadline_wording",
    "position",
    "created_at",
]
ITEM_COLUMNS = [
    "id",
    "finding_id",
    "organisation_id",
    "status",
    "status_source",
    "due_date",
    "original_due_date",
    "superseded_by_id",
    "status_changed_at",
    "version",
    "created_at",
]
CHANGE_COLUMNS = ["item_id", "from_status", "to_status", "changed_at", "source", "channel", "note"]
DUE_DATE_CHANGE_COLUMNS = [
    "item_id",
    "from_date",
    "to_date",
    "changed_at",
    "source",
    "reason",
    "was_overdue",
]
EXTENSION_REASON = "Agreed on request: more time to complete the work."
UPDATE_COLUMNS = [
    "item_id",
    "organisation_id",
    "written_on",
    "narrative",
    "self_assessment",
    "is_published",
    "created_at",
]
YEARS = 10

# Programme slug (from load_reference_data): published reports at scale 1, findings per report
# before scaling to TARGET_FINDINGS, share of recommendations, who is inspected.
PROGRAMMES = {
    "peel": (260, (60, 130), 0.2, "force"),
    "fire-and-rescue": (140, (50, 110), 0.15, "fire"),
    "police-custody": (420, (40, 90), 0.45, "force"),
    "national-child-protection": (250, (30, 80), 0.5, "force"),
    "joint-targeted-area": (150, (20, 50), 0.6, "force"),
    "crime-data-integrity": (230, (15, 40), 0.5, "force"),
    "thematic": (50, (6, 25), 1.0, "thematic"),
}
ALL_FORCE_THEMATICS = 12  # of the thematics, those addressed to all 43 territorial forces
UNPUBLISHED = 12  # scheduled or not yet scheduled: never public
TARGET_FINDINGS = 100_000
TARGET_ASSIGNMENTS = 130_000
ENGAGED_FORCES = 15
# National bodies a thematic recommendation may be addressed to instead of the forces.
NATIONAL_ADDRESSEES = [
    "college-of-policing",
    "national-police-chiefs-council",
    "home-office",
    "association-of-police-and-crime-commissioners",
]

# (theme slug, what should be true): the words of the generated findings.
POLICE_TOPICS = [
    ("custody", "detainees in custody are checked at the intervals their risk assessments set"),
    ("custody", "custody records show why each detainee's clothing was removed"),
    ("custody", "detainees are told of their rights and entitlements in custody"),
    (
        "custody",
        "police custody is not used as a place of safety for people detained under the Mental "
        "Health Act",
    ),
    (
        "mental-health",
        "detainees with mental health needs in custody are seen promptly by liaison and "
        "diversion services",
    ),
    (
        "mental-health",
        "people in mental health crisis get timely help from health partners, not the police",
    ),
    (
        "mental-health",
        "officers recognise vulnerability and mental health needs when they first respond",
    ),
    ("use-of-force", "every use of force is recorded, reviewed and scrutinised"),
    (
        "child-protection",
        "children at risk of exploitation are identified and referred to partners without delay",
    ),
    ("child-protection", "officers record the voice of the child when they make decisions"),
    (
        "safeguarding",
        "domestic abuse risk assessments are completed accurately and reviewed by supervisors",
    ),
    (
        "crime-recording",
        "reported crimes are recorded within 24 hours in line with the Home Office counting rules",
    ),
    ("crime-recording", "reports of violence against the person are recorded accurately"),
    ("workforce", "it understands the wellbeing needs of its workforce and supports them"),
    ("vetting", "all officers and staff hold vetting clearance at the level their role needs"),
    (
        "investigation",
        "investigations are allocated to officers with the skills and capacity to complete them",
    ),
    ("victims", "victims are kept informed of the progress of their case under the Victims' Code"),
    (
        "neighbourhood-policing",
        "neighbourhood teams have time for problem-solving work with communities",
    ),
    ("public-protection", "registered sex offenders are managed in line with national guidance"),
    (
        "leadership-and-governance",
        "its governance arrangements hold leaders to account for improvement",
    ),
    ("culture-and-values", "officers and staff can raise concerns about misconduct without fear"),
    ("efficiency", "it has a workforce plan that matches its resources to demand"),
    ("response", "emergency calls are answered and attended within its target times"),
]
FIRE_TOPICS = [
    ("fire-prevention", "prevention work is targeted at the people most at risk of fire"),
    ("fire-protection", "its risk-based inspection programme covers all high-risk premises"),
    ("response", "it has enough fire engines available to meet its standards of response"),
    ("workforce", "it improves the diversity of its workforce"),
    ("culture-and-values", "staff understand and show the service's values and behaviours"),
    ("efficiency", "it makes the best use of its on-call firefighters"),
    ("leadership-and-governance", "it learns from operational incidents and shares the lessons"),
    ("safeguarding", "staff know how to recognise and report safeguarding concerns"),
]
SUBJECTS = {
    "force": ["The force", "The chief constable", "The force, with its partners,"],
    "fire": ["The service", "The chief fire officer", "The fire and rescue service"],
    "thematic": ["Chief constables", "All forces", "Forces, with their partners,"],
}
RECOMMENDATION_VERBS = [
    "should make sure that",
    "should, within six months, make sure that",
    "should immediately take steps so that",
    "should review its approach so that",
    "should develop and carry out a plan so that",
]
AREA_VERBS = [
    "should make sure that",
    "should improve its arrangements so that",
    "should continue to make sure that",
]
ENDINGS = [
    "",
    " It should monitor this through its performance framework.",
    " Supervisors should check that this happens.",
    " It should work with health and local authority partners to achieve this.",
    " It should share what it learns with others.",
    " Its training should reflect this.",
]
DEADLINES = [(3, "three"), (6, "six"), (6, "six"), (12, "twelve"), (12, "twelve"), (18, "18")]
THEMATIC_TITLES = [
    "the police response to people with mental health needs",
    "how the police and the Crown Prosecution Service respond to rape",
    "vetting, misconduct and misogyny in the police service",
    "how well the police tackle serious youth violence",
    "custody services in a changing environment",
    "the police response to domestic abuse",
    "activism and impartiality in policing",
    "the disproportionate use of police powers",
    "the police response to fraud",
    "how well the police use digital forensics",
    "the police response to violence against women and girls",
    "the police response to stalking and harassment",
]
PEEL_AREAS_FOUR = ["Effectiveness", "Efficiency", "Legitimacy"]
PEEL_AREAS_FIVE = [
    "Investigating crime",
    "Protecting vulnerable people",
    "Responding to the public",
    "Preventing crime",
    "Managing offenders",
    "Developing a positive workplace",
    "Good use of resources",
    "Treatment of the public",
    "Recording data about crime",
]
FIRE_AREAS = [
    "Understanding the risk of fire and other emergencies",
    "Preventing fires and other risks",
    "Protecting the public through fire regulation",
    "Responding to fires and other emergencies",
    "Making best use of resources",
    "Promoting the right values and culture",
]
PEEL_FIVE_POINT_FROM = date(2021, 7, 1)
INSPECTORATE_NOTES = {
    Status.CLOSED_COMPLETE: "Verified against the evidence supplied.",
    Status.CLOSED_NOT_IMPLEMENTED: "Not implemented: the reasons given were reviewed.",
    Status.CLOSED_SUPERSEDED: "Superseded by a later recommendation.",
    Status.CLOSED_NO_LONGER_RELEVANT: "No longer relevant after changes to national guidance.",
    Status.IN_PROGRESS: "Returned: the evidence does not yet show the change is embedded.",
}
NARRATIVES = [
    "Benchmark data: the action plan has been agreed by the chief officer group.",
    "Benchmark data: new guidance has been issued and training is under way.",
    "Benchmark data: an audit of recent cases shows most now meet the standard.",
    "Benchmark data: the change is in place; its effect is monitored monthly.",
    "Benchmark data: work is delayed by a system replacement; a new date is set.",
]


@contextmanager
def explicit_timestamps():
    """Let ``created_at`` and ``updated_at`` keep the dates the fixture gives them.

    ``auto_now`` and ``auto_now_add`` would stamp every row with the moment of generation.
    """
    fields = [
        model._meta.get_field(name)
        for model, name in [
            (Inspection, "created_at"),
            (Inspection, "updated_at"),
            (Finding, "created_at"),
            (Item, "created_at"),
            (ProgressUpdate, "created_at"),
            (Section55Response, "created_at"),
        ]
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, 28))


class Weighted:
    """Values with weights (value, weight), drawn as ``rng.choices(values, weights)[0]`` draws
    them (one random number, and the same value for it) without adding up the weights again on
    each of the million draws."""

    def __init__(self, *options):
        self.values, weights = zip(*options, strict=True)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1] + 0.0
        self.last = len(self.values) - 1

    def __call__(self, rng):
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.total, 0, self.last)]


OUTCOMES = Weighted(
    (Status.CLOSED_COMPLETE, 70),
    (Status.CLOSED_NO_LONGER_RELEVANT, 12),
    (Status.CLOSED_SUPERSEDED, 10),
    (Status.CLOSED_NOT_IMPLEMENTED, 8),
)
OPEN_HISTORIES = Weighted(
    ((), 35),
    ((Status.IN_PROGRESS,), 40),
    ((Status.IN_PROGRESS, Status.SUBMITTED), 15),
    ((Status.IN_PROGRESS, Status.SUBMITTED, Status.IN_PROGRESS), 10),
)
ORGANISATION_CHANNELS = Weighted((Channel.WEB, 70), (Channel.API, 20), (Channel.ADMIN, 10))
INSPECTORATE_CHANNELS = Weighted(
    (Channel.ADMIN, 75), (Channel.ADMIN_BULK, 15), (Channel.COMMAND, 10)
)
UPDATE_NUMBERS = Weighted((0, 58), (1, 24), (2, 11), (3, 7))
ASSESSMENTS = Weighted(
    (SelfAssessment.ON_TRACK, 60), (SelfAssessment.AT_RISK, 25), (SelfAssessment.OFF_TRACK, 15)
)


# Bulk writing -----------------------------------------------------------------------------------


def reserve_ids(model, number):
    """``number`` new ids from the table's own sequence, in order: those ``bulk_create`` would
    have given the rows, written in that order."""
    if not number:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, number],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(model, columns, rows):
    """Write ``rows``, tuples of the values of ``columns`` (attribute names), with one COPY.

    Every other column gets its field's default, as ``bulk_create`` would give it; a column
    whose value depends on the moment of writing (``auto_now``, a callable default) must be
    among ``columns``.
    """
    given = set(columns)
    known = {f.attname for f in model._meta.concrete_fields}
    if given - known:
        raise ValueError(f"{model.__name__} has no column {sorted(given - known)}")
    rest = [f for f in model._meta.concrete_fields if f.attname not in given]
    for f in rest:
        moment = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        if moment or (f.has_default() and callable(f.default)):
            raise ValueError(f"{model.__name__}.{f.attname} needs a value of its own")
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
    names = ", ".join(
        connection.ops.quote_name(model._meta.get_field(name).column) if name != "id" else "id"
        for name in [*columns, *(f.attname for f in rest)]
    )
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        write = copy.write_row
        for row in rows:
            write(row + defaults)


def copy_new_rows(model, columns, rows):
    """Write ``rows`` (a list) of new objects with ids from the table's sequence; returns the
    ids."""
    ids = reserve_ids(model, len(rows))
    copy_rows(model, ["id", *columns], ((pk, *row) for pk, row in zip(ids, rows, strict=True)))
    return ids


def migration(name):
    return importlib.import_module(f"recommendations.migrations.{name}")


# The statement triggers that the load disables, (table, trigger): those AFTER INSERT that keep
# the search documents and the item facts. Generator.fill_derived does their work afterwards.
SEARCH = migration("0013_finding_search_document")
FACTS = migration("0017_item_facts")
DEFERRED_TRIGGERS = [
    (table, module.trigger_name(table, event))
    for module in (SEARCH, FACTS)
    for table, event, _ in module.TRIGGERS
    if event == "INSERT"
]


# The tables the load writes with COPY: their foreign keys are checked after it, their
# secondary indexes (those no constraint uses) built after it, as are those of the two tables
# the deferred triggers keep, rather than kept up to date row by row. The indexes of the
# constraints stay: the refresh functions' joins use them.
LOADED_TABLES = [
    "recommendations_finding",
    "recommendations_finding_themes",
    "recommendations_item",
    "recommendations_statuschange",
    "recommendations_duedatechange",
    "recommendations_progressupdate",
]
INDEXED_AFTER = ["recommendations_findingsearch", "recommendations_itemfacts", *LOADED_TABLES]


def foreign_keys(tables):
    """(table, name, definition) of the foreign keys of ``tables``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])"
            " ORDER BY conrelid::regclass::text, conname",
            [tables],
        )
        return cursor.fetchall()


def secondary_indexes(tables):
    """(name, definition) of the indexes of ``tables`` that no constraint uses, partial ones
    left out: they are small and stay in place, since PostgreSQL prints the condition of one
    built again from its own definition differently (the casts move), which would hide a real
    difference from the test that compares the indexes before and after."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i"
            " WHERE indrelid = ANY(%s::regclass[]) AND indpred IS NULL AND NOT EXISTS ("
            "   SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
            " ORDER BY 1",
            [tables],
        )
        return cursor.fetchall()


@contextmanager
def bulk_load():
    """Load rows fast: the search-document and item-facts insert triggers disabled, the foreign
    keys of the loaded tables dropped, and the secondary indexes of those and the derived tables.

    Yields ``restore``, to call once the rows and the derived tables are written (by
    ``Generator.fill_derived``, as the triggers would have): it builds the indexes again and
    adds the foreign keys again, from their own definitions as PostgreSQL prints them (adding a
    foreign key checks every row in one query, rather than one query per row at the commit;
    building an index sorts once), and enables the triggers.

    Only inside a transaction, and in a savepoint of it: an error rolls every ``ALTER`` back
    with the rows, and no other session sees the tables without them (they stay locked until
    the commit).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("Generate inside a transaction (transaction.atomic()).")
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        # Checks still pending (rows written before) would forbid the ALTER TABLEs below.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        keys, indexes = foreign_keys(LOADED_TABLES), secondary_indexes(INDEXED_AFTER)
        for table, trigger in DEFERRED_TRIGGERS:
            cursor.execute(f"ALTER TABLE {quote(table)} DISABLE TRIGGER {quote(trigger)}")
        for table, name, _ in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        restored = []

        def restore():
            if restored:
                return
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _, definition in indexes:
                cursor.execute(definition)
            for table, name, definition in keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
            for table, trigger in DEFERRED_TRIGGERS:
                cursor.execute(f"ALTER TABLE {quote(table)} ENABLE TRIGGER {quote(trigger)}")
            restored.append(True)

        yield restore
        restore()


@dataclass
class Planned:
    """An inspection to create, then the facts the later steps need about it."""

    programme: str
    published_at: datetime | None
    bodies: list
    all_forces: bool = False
    obj: Inspection | None = None
    causes: list = field(default_factory=list)
    recommendation_ids: list = field(default_factory=list)


@dataclass(slots=True)
class PlannedFinding:
    pk: int
    published_at: datetime | None
    due_date: date | None
    addressees: tuple
    policing_body: int | None  # may also be addressed to this body (force recommendations)


class Generator:
    def __init__(self, *, seed=DEFAULT_SEED, scale=1.0, write=print, now=None):
        """``now``: the moment the data is generated at (by default the present), to which
        every date is relative: the same seed and moment give the same rows."""
        self.rng = random.Random(seed)  # noqa: S311 - test data, not security
        self.scale = scale
        self.write = write
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        self.start = date(self.today.year - YEARS, 1, 1)
        self.last_day = self.today - timedelta(days=7)
        self.counts = {}

    # Reference data -------------------------------------------------------------------------

    def load_reference(self):
        organisations = list(Organisation.objects.all())
        self.by_slug = {o.slug: o for o in organisations}
        # A successor exists from the day its predecessors ceased.
        self.starts = {}
        for o in organisations:
            if o.successor_id and o.ceased_on:
                self.starts[o.successor_id] = max(
                    self.starts.get(o.successor_id, o.ceased_on), o.ceased_on
                )
        self.forces = [o for o in organisations if o.kind == OrganisationKind.POLICE_FORCE]
        self.territorial = [o for o in self.forces if o.slug != "british-transport-police"]
        self.fire = [o for o in organisations if o.kind == OrganisationKind.FIRE_AND_RESCUE_SERVICE]
        self.national = [self.by_slug[s].pk for s in NATIONAL_ADDRESSEES if s in self.by_slug]
        self.programmes = {p.slug: p for p in Programme.objects.all()}
        missing = set(PROGRAMMES) - set(self.programmes)
        if missing or not self.forces or not self.fire or not self.national:
            raise RuntimeError(
                f"Run load_reference_data first (missing programmes: {sorted(missing)})."
            )
        self.inspectorates = {i.slug: i for i in Inspectorate.objects.all()}
        self.themes = {t.slug: t.pk for t in Theme.objects.all()}

    def active(self, bodies, day):
        return [
            o
            for o in bodies
            if (o.pk not in self.starts or day >= self.starts[o.pk])
            and (o.ceased_on is None or day < o.ceased_on)
        ]

    def count(self, n):
        return max(1, round(n * self.scale))

    # Inspections ------------------------------------------------------------------------------

    def plan(self):
        rng = self.rng
        span = (self.last_day - self.start).days
        plans = []
        for slug, (number, _, _, who) in PROGRAMMES.items():
            all_forces = self.count(ALL_FORCE_THEMATICS) if who == "thematic" else 0
            for index in range(self.count(number)):
                day = self.start + timedelta(days=rng.randrange(span))
                published_at = datetime.combine(day, time(0, 1), LONDON)
                if who == "force":
                    bodies = [rng.choice(self.active(self.forces, day))]
                elif who == "fire":
                    bodies = [rng.choice(self.active(self.fire, day))]
                elif index < all_forces:
                    bodies = self.active(self.territorial, day)
                else:
                    bodies = rng.sample(self.active(self.territorial, day), rng.randint(3, 10))
                plans.append(Planned(slug, published_at, bodies, all_forces=index < all_forces))
        plans.sort(key=lambda p: p.published_at)
        force_programmes = [s for s, plan in PROGRAMMES.items() if plan[3] == "force"]
        for index in range(max(2, round(UNPUBLISHED * self.scale))):
            # Half scheduled for the coming weeks, half not yet scheduled.
            published_at = (
                self.now + timedelta(days=rng.randint(3, 60), minutes=1) if index % 2 else None
            )
            bodies = [rng.choice(self.active(self.forces, self.today))]
            plans.append(Planned(rng.choice(force_programmes), published_at, bodies))
        self.plans = plans

    def title(self, plan, day):
        body = plan.bodies[0].name
        return {
            "peel": f"PEEL {day.year}: an inspection of {body}",
            "fire-and-rescue": f"Fire and rescue service inspection {day.year}: {body}",
            "police-custody": f"Report on an unannounced inspection of police custody in {body}",
            "national-child-protection": f"National child protection inspection: {body}",
            "joint-targeted-area": f"Joint targeted area inspection of the response to "
            f"children at risk in the area of {body}",
            "crime-data-integrity": f"Crime data integrity inspection: {body}",
            "thematic": f"An inspection of {self.rng.choice(THEMATIC_TITLES)}",
        }[plan.programme]

    def create_inspections(self):
        # Each step draws from the same seeded generator, in this order.
        self._create_inspection_rows()
        self._create_bodies_and_partners()
        self._create_follow_ups()
        self._create_judgements_and_figures()
        self._create_causes_of_concern()
        self.counts["inspections"] = len(self.plans)

    def _create_inspection_rows(self):
        rng = self.rng
        hmicfrs = self.inspectorates["hmicfrs"]
        slugs = set()
        objects = []
        for plan in self.plans:
            day = timezone.localdate(plan.published_at) if plan.published_at else self.today
            title = self.title(plan, day)
            base = slugify(f"{title[:150]} {day.isoformat()}")
            slug, n = base, 1
            while slug in slugs:
                n += 1
                slug = f"{base}-{n}"
            slugs.add(slug)
            moment = plan.published_at or self.now
            plan.obj = Inspection(
                title=title,
                slug=slug,
                programme=self.programmes[plan.programme],
                lead_inspectorate=hmicfrs,
                fieldwork_started_on=day - timedelta(days=rng.randint(100, 200)),
                fieldwork_ended_on=day - timedelta(days=rng.randint(60, 99)),
                published_at=plan.published_at,
                report_url=f"https://www.example.org/reports/{slug}/",
                summary="Benchmark data: a generated report.",
                created_at=moment - timedelta(days=30),
                updated_at=moment - timedelta(days=1),
            )
            objects.append(plan.obj)
        Inspection.objects.bulk_create(objects, batch_size=BATCH)

    def _create_bodies_and_partners(self):
        through = Inspection.organisations.through
        through.objects.bulk_create(
            [
                through(inspection_id=plan.obj.pk, organisation_id=body.pk)
                for plan in self.plans
                for body in plan.bodies
            ],
            batch_size=BATCH,
        )
        partners = Inspection.partner_inspectorates.through
        rows = []
        for plan in self.plans:
            if plan.programme == "police-custody":
                day = plan.obj.fieldwork_started_on
                slugs_ = ["cqc"] if day >= date(2022, 4, 1) else ["hmi-prisons"]
            elif plan.programme == "joint-targeted-area":
                slugs_ = ["ofsted", "cqc", "hmi-probation"]
            else:
                continue
            rows += [
                partners(inspection_id=plan.obj.pk, inspectorate_id=self.inspectorates[s].pk)
                for s in slugs_
                if s in self.inspectorates
            ]
        partners.objects.bulk_create(rows, batch_size=BATCH)

    def _create_follow_ups(self):
        rng = self.rng
        # Some custody and child protection reports revisit the previous one of the same force.
        latest, follow_ups = {}, []
        for plan in self.plans:
            if plan.published_at is None or plan.programme not in (
                "police-custody",
                "national-child-protection",
            ):
                continue
            key = (plan.programme, plan.bodies[0].pk)
            if key in latest and rng.random() < 0.25:
                plan.obj.follows_up_id = latest[key].pk
                follow_ups.append(plan.obj)
            latest[key] = plan.obj
        Inspection.objects.bulk_update(follow_ups, ["follows_up"], batch_size=BATCH)

    def _create_judgements_and_figures(self):
        rng = self.rng
        judgements, figures = [], []
        for plan in self.plans:
            day = plan.obj.fieldwork_ended_on
            if plan.programme == "peel":
                scale = (
                    GradingScale.PEEL_FIVE_POINT
                    if day >= PEEL_FIVE_POINT_FROM
                    else GradingScale.PEEL_FOUR_POINT
                )
                five_point = scale == GradingScale.PEEL_FIVE_POINT
                areas = PEEL_AREAS_FIVE if five_point else PEEL_AREAS_FOUR
            elif plan.programme == "fire-and-rescue":
                scale, areas = GradingScale.FIRE_FOUR_POINT, FIRE_AREAS
            else:
                if plan.programme == "police-custody":
                    out_of = rng.randint(40, 120)
                    figures.append(
                        KeyFigure(
                            inspection_id=plan.obj.pk,
                            label="Custody records examined that showed a full risk assessment",
                            value=rng.randint(0, out_of),
                            out_of=out_of,
                        )
                    )
                continue
            grades = [Grade.GOOD, Grade.ADEQUATE, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE]
            if scale != GradingScale.PEEL_FIVE_POINT:
                grades.remove(Grade.ADEQUATE)
            judgements += [
                Judgement(
                    inspection_id=plan.obj.pk,
                    question_area=area,
                    scale=scale,
                    grade=rng.choice(grades),
                    position=position,
                )
                for position, area in enumerate(areas, 1)
            ]
        Judgement.objects.bulk_create(judgements, batch_size=BATCH)
        KeyFigure.objects.bulk_create(figures, batch_size=BATCH)

    def _create_causes_of_concern(self):
        rng = self.rng
        causes = []
        for plan in self.plans:
            if plan.published_at is None or plan.programme in ("thematic", "fire-and-rescue"):
                continue
            if rng.random() >= 0.12:
                continue
            day = timezone.localdate(plan.published_at)
            for position in range(1, rng.randint(1, 3) + 1):
                discharged = None
                if (self.today - day).days > 730 and rng.random() < 0.6:
                    discharged = min(day + timedelta(days=rng.randint(400, 700)), self.today)
                cause = CauseOfConcern(
                    inspection_id=plan.obj.pk,
                    reference=f"CoC{position}",
                    text=f"Benchmark data: {self.sentence('force', True)}",
                    position=position,
                    discharged_on=discharged,
                    discharge_note="Re-inspection found enough progress." if discharged else "",
                )
                causes.append(cause)
                plan.causes.append(cause)
        CauseOfConcern.objects.bulk_create(causes, batch_size=BATCH)

    # Findings ---------------------------------------------------------------------------------

    def sentence(self, who, is_recommendation):
        rng = self.rng
        topics = FIRE_TOPICS if who == "fire" else POLICE_TOPICS
        theme, what = rng.choice(topics)
        verbs = RECOMMENDATION_VERBS if is_recommendation else AREA_VERBS
        text = f"{rng.choice(SUBJECTS[who])} {rng.choice(verbs)} {what}."
        themes = [theme]
        if rng.random() < 0.3:
            theme2, what2 = rng.choice(topics)
            text += f" This should include making sure that {what2}."
            themes.append(theme2)
        return text + rng.choice(ENDINGS), themes

    def finding_numbers(self):
        """How many findings each report has, scaled so that they add up to the target."""
        rng = self.rng
        raw = []
        for plan in self.plans:
            low, high = PROGRAMMES[plan.programme][1]
            raw.append(rng.randint(low, high) if plan.published_at else rng.randint(20, 60))
        fixed = sum(
            n
            for n, plan in zip(raw, self.plans, strict=True)
            if plan.programme == "thematic" or plan.published_at is None
        )
        scalable = sum(raw) - fixed
        factor = max(0.05, (TARGET_FINDINGS * self.scale - fixed) / scalable)
        return [
            n if plan.programme == "thematic" or plan.published_at is None else round(n * factor)
            for n, plan in zip(raw, self.plans, strict=True)
        ]

    def create_findings(self):
        rng = self.rng
        rows, facts = [], []  # a finding's columns; what the next steps need to know of it
        for plan, number in zip(self.plans, self.finding_numbers(), strict=True):
            share = PROGRAMMES[plan.programme][2]
            recommendations = min(number, round(number * share * rng.uniform(0.7, 1.3)))
            who = {"thematic": "thematic", "fire-and-rescue": "fire"}.get(plan.programme, "force")
            day = timezone.localdate(plan.published_at) if plan.published_at else self.today
            created_at = (plan.published_at or self.now) - timedelta(days=1)
            # The causes of concern take the first recommendations, two to four each.
            cause_of = []
            for cause in plan.causes:
                cause_of += [cause.pk] * rng.randint(2, 4)
            body = plan.bodies[0]
            for position in range(1, number + 1):
                is_recommendation = position <= recommendations
                index = position if is_recommendation else position - recommendations
                due_date, wording = None, ""
                if rng.random() < (0.8 if is_recommendation else 0.15):
                    months, words = rng.choice(DEADLINES)
                    due_date, wording = add_months(day, months), f"Within {words} months"
                text, themes = self.sentence(who, is_recommendation)
                themes = {self.themes[t] for t in themes if t in self.themes}
                if rng.random() < 0.15:
                    themes = set()
                cause = (
                    cause_of[position - 1]
                    if is_recommendation and position <= len(cause_of)
                    else None
                )
                rows.append(
                    (
                        plan.obj.pk,
                        FindingKind.RECOMMENDATION
                        if is_recommendation
                        else FindingKind.AREA_FOR_IMPROVEMENT,
                        cause,
                        f"R{index}" if is_recommendation else f"AFI{index}",
                        text,
                        due_date,
                        wording,
                        position,
                        created_at,
                    )
                )
                if who == "thematic":
                    addressees = (
                        (rng.choice(self.national),)
                        if rng.random() < 0.15
                        else tuple(b.pk for b in plan.bodies)
                    )
                    policing_body = None
                else:
                    addressees = (body.pk,)
                    policing_body = (
                        body.local_policing_body_id
                        if is_recommendation and body.kind == OrganisationKind.POLICE_FORCE
                        else None
                    )
                facts.append((plan, addressees, themes, policing_body, is_recommendation))
        ids = copy_new_rows(Finding, FINDING_COLUMNS, rows)
        copy_new_rows(
            Finding.themes.through,
            ["finding_id", "theme_id"],
            [(pk, theme) for pk, fact in zip(ids, facts, strict=True) for theme in fact[2]],
        )
        self.findings = []
        for pk, row, (plan, addressees, _, policing_body, is_recommendation) in zip(
            ids, rows, facts, strict=True
        ):
            if is_recommendation:
                plan.recommendation_ids.append(pk)
            self.findings.append(
                PlannedFinding(pk, plan.published_at, row[5], addressees, policing_body)
            )
        self.counts["findings"] = len(self.findings)

    # Items and their history ------------------------------------------------------------

    def history(self, finding):
        """The statuses an addressee went through (after "open"), when, and its successor."""
        rng = self.rng
        age = (self.now - finding.published_at).days / 365.25
        if rng.random() < min(0.92, 0.06 + 0.2 * age):
            outcome = OUTCOMES(rng)
            ip, sub = Status.IN_PROGRESS, Status.SUBMITTED
            if outcome == Status.CLOSED_COMPLETE:
                steps = rng.choice([[ip, outcome], [ip, sub, outcome], [ip, sub, ip, sub, outcome]])
                if rng.random() < 0.05:  # reopened, and sometimes closed again
                    steps += [ip, sub, outcome] if rng.random() < 0.6 else [ip]
            else:
                steps = rng.choice([[outcome], [ip, outcome], [ip, sub, outcome]])
        else:
            steps = list(OPEN_HISTORIES(rng))
        previous = Status.OPEN
        for step in steps:
            assert step in TRANSITIONS[previous], (previous, step)  # noqa: S101
            previous = step

        offsets, total = [], 0.0
        for index in range(len(steps)):
            total += rng.uniform(10, 240 if index == 0 else 300) * 86400
            offsets.append(total)
        available = (self.now - timedelta(hours=1) - finding.published_at).total_seconds()
        if offsets and offsets[-1] > available:
            offsets = [offset * available / offsets[-1] for offset in offsets]
        times = [finding.published_at + timedelta(seconds=offset) for offset in offsets]

        superseded_by = None
        if steps and steps[-1] == Status.CLOSED_SUPERSEDED:
            # A later finding, published by the time of the closure.
            low = bisect.bisect_right(self.published_times, finding.published_at)
            high = bisect.bisect_right(self.published_times, times[-1])
            if high > low:
                superseded_by = self.published_ids[rng.randrange(low, high)]
            else:
                steps[-1] = Status.CLOSED_NO_LONGER_RELEVANT
        return steps, times, superseded_by

    def channel(self, source):
        if source == Source.ORGANISATION:
            return ORGANISATION_CHANNELS(self.rng)
        return INSPECTORATE_CHANNELS(self.rng)

    def note(self, source, to_status):
        if source == Source.INSPECTORATE:
            return INSPECTORATE_NOTES[to_status]
        if to_status == Status.SUBMITTED:
            return "Action plan complete; evidence submitted for closure."
        return self.rng.choice(["", "Progress update recorded."])

    def updates(self, item_id, organisation_id, steps, times):
        """The progress updates of an item, as rows of ``UPDATE_COLUMNS``."""
        rng = self.rng
        if Status.IN_PROGRESS not in steps:
            return []
        number = UPDATE_NUMBERS(rng)
        first = times[steps.index(Status.IN_PROGRESS)]
        last = times[-1] if steps[-1] in CLOSED_STATUSES else self.now
        updates = []
        for _ in range(number):
            at = first + (last - first) * rng.random()
            if steps[-1] in (Status.SUBMITTED, Status.CLOSED_COMPLETE) and rng.random() < 0.3:
                assessment = SelfAssessment.COMPLETE
            else:
                assessment = ASSESSMENTS(rng)
            updates.append(
                (
                    item_id,
                    organisation_id,
                    timezone.localdate(at),
                    rng.choice(NARRATIVES),
                    assessment,
                    rng.random() < 0.5,
                    at,
                )
            )
        return updates

    def create_items(self):
        rng = self.rng
        published = [f for f in self.findings if f.published_at and f.published_at <= self.now]
        published.sort(key=lambda f: f.published_at)
        self.published_times = [f.published_at for f in published]
        self.published_ids = [f.pk for f in published]
        # Recommendations to a force go to its policing body too, often enough to reach the
        # target number of items.
        base = sum(len(f.addressees) for f in self.findings)
        eligible = sum(1 for f in self.findings if f.policing_body)
        share = min(1.0, max(0.0, (TARGET_ASSIGNMENTS * self.scale - base) / max(1, eligible)))
        items, changes, due_date_changes, updates = [], [], [], []
        # In slices of 2,000 findings, each drawing its items' histories and then their
        # changes' channels and notes and their updates: the order the random numbers are
        # drawn in, which the data depends on.
        for start in range(0, len(self.findings), 2000):
            first = len(items)
            histories = []
            for finding in self.findings[start : start + 2000]:
                addressees = finding.addressees
                if finding.policing_body and rng.random() < share:
                    addressees += (finding.policing_body,)
                is_public = finding.published_at and finding.published_at <= self.now
                for organisation_id in addressees:
                    steps, times, superseded_by = (
                        self.history(finding) if is_public else ([], [], None)
                    )
                    due_date = finding.due_date
                    extended = bool(due_date and steps and rng.random() < 0.05)
                    if extended:
                        due_date = add_months(due_date, 3)  # an agreed extension
                    previous = steps[-2] if len(steps) > 1 else Status.OPEN
                    items.append(
                        (
                            finding.pk,
                            organisation_id,
                            steps[-1] if steps else Status.OPEN,
                            transition_source(previous, steps[-1]) if steps else "",
                            due_date,
                            finding.due_date if extended else None,
                            superseded_by,
                            times[-1] if times else None,
                            1 + len(steps),
                            finding.published_at or self.now,
                        )
                    )
                    histories.append((steps, times))
            ids = reserve_ids(Item, len(histories))
            for index, (item_id, (steps, times)) in enumerate(
                zip(ids, histories, strict=True), first
            ):
                items[index] = (item_id, *items[index])
                previous = Status.OPEN
                for step, at in zip(steps, times, strict=True):
                    source = transition_source(previous, step)
                    changes.append(
                        (
                            item_id,
                            previous,
                            step,
                            at,
                            source,
                            self.channel(source),
                            self.note(source, step),
                        )
                    )
                    previous = step
                updates += self.updates(item_id, items[index][2], steps, times)
            # An agreed extension is recorded with the first change.
            for item, (_, times) in zip(items[first:], histories, strict=True):
                if item[6] is not None:
                    extension = (DueDateSource.AGREED_ON_REQUEST, EXTENSION_REASON, False)
                    due_date_changes.append((item[0], item[6], item[5], times[0], *extension))
        copy_rows(Item, ITEM_COLUMNS, items)  # their ids drawn slice by slice above
        copy_new_rows(StatusChange, CHANGE_COLUMNS, changes)
        copy_new_rows(DueDateChange, DUE_DATE_CHANGE_COLUMNS, due_date_changes)
        copy_new_rows(ProgressUpdate, UPDATE_COLUMNS, updates)
        self.item_ids = [item[0] for item in items]
        self.counts["items"] = len(items)
        self.counts["status changes"] = len(changes)
        self.counts["progress updates"] = len(updates)

    def fill_derived(self):
        """The search documents of the new findings and the facts of the new items, as the
        deferred triggers would have written them: by the functions those triggers call.

        The tables are analysed first: planned without statistics, as if they were empty, the
        functions' joins take twice as long.
        """
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE recommendations_finding, recommendations_finding_themes,"
                " recommendations_item"
            )
            cursor.execute(
                "SELECT recommendations_search_refresh(%s::bigint[])",
                [[finding.pk for finding in self.findings]],
            )
            cursor.execute("SELECT recommendations_facts_refresh(%s::bigint[])", [self.item_ids])

    # Section 55, Engage -----------------------------------------------------------------------

    def create_section55(self):
        rng = self.rng
        responses, statements_of = [], []
        for plan in self.plans:
            if plan.published_at is None or plan.published_at > self.now:
                continue
            day = timezone.localdate(plan.published_at)
            bodies = sorted(
                {
                    b.local_policing_body_id
                    for b in plan.bodies
                    if b.kind == OrganisationKind.POLICE_FORCE and b.local_policing_body_id
                }
            )
            for body in bodies:
                late_enough = (self.today - day).days > 56
                received = rng.random() < (0.9 if late_enough else 0.3)
                received_on = (
                    min(self.today, day + timedelta(days=rng.randint(20, 90))) if received else None
                )
                responses.append(
                    Section55Response(
                        inspection_id=plan.obj.pk,
                        local_policing_body_id=body,
                        received_on=received_on,
                        url=f"https://www.example.org/section-55/{plan.obj.slug}/{body}/"
                        if received
                        else "",
                        text="Benchmark data: the body's comments." if received else "",
                        created_at=plan.published_at,
                    )
                )
                chosen = (
                    rng.sample(
                        plan.recommendation_ids,
                        min(len(plan.recommendation_ids), rng.randint(1, 6)),
                    )
                    if received
                    else []
                )
                statements_of.append(chosen)
        Section55Response.objects.bulk_create(responses, batch_size=BATCH)
        statements = [
            Section55Statement(
                response_id=response.pk,
                finding_id=finding_id,
                action=rng.choice(Section55Action.values),
                text="Benchmark data: what the body says it has done or will do.",
            )
            for response, chosen in zip(responses, statements_of, strict=True)
            for finding_id in chosen
        ]
        Section55Statement.objects.bulk_create(statements, batch_size=BATCH)
        self.counts["section 55 responses"] = len(responses)
        self.counts["section 55 statements"] = len(statements)

    def create_engage(self):
        rng = self.rng
        periods = []
        peel = {}
        for plan in self.plans:
            if plan.programme == "peel" and plan.published_at:
                peel.setdefault(plan.bodies[0].pk, []).append(plan)
        engaged = min(len(self.territorial), self.count(ENGAGED_FORCES))
        span = (self.last_day - self.start).days
        for force in rng.sample(self.territorial, engaged):
            entered = self.start + timedelta(days=rng.randrange(span))
            left = entered + timedelta(days=rng.randint(180, 900))
            reports = [
                p for p in peel.get(force.pk, []) if timezone.localdate(p.published_at) <= entered
            ]
            periods.append(
                EngagePeriod(
                    organisation_id=force.pk,
                    entered_on=entered,
                    left_on=left if left < self.today else None,
                    entry_reasons="Benchmark data: causes of concern in the latest PEEL report.",
                    exit_reasons="Benchmark data: enough progress." if left < self.today else "",
                    inspection_id=reports[-1].obj.pk if reports else None,
                )
            )
        EngagePeriod.objects.bulk_create(periods)
        self.counts["Engage periods"] = len(periods)

    # All of it --------------------------------------------------------------------------------

    def build(self):
        """Write everything; returns the number of rows of each kind. Call inside a transaction,
        on PostgreSQL."""
        with connection.cursor() as cursor:
            # The one commit need not wait for the disk: a crash loses benchmark data only.
            cursor.execute("SET LOCAL synchronous_commit = off")
        with explicit_timestamps():
            self.run(
                ("reference data", self.load_reference),
                ("plan", self.plan),
                ("inspections", self.create_inspections),
            )
            with bulk_load() as restore:
                self.run(
                    ("findings", self.create_findings),
                    ("items, history, updates", self.create_items),
                    ("search documents, item facts", self.fill_derived),
                    ("indexes, foreign keys, triggers", restore),
                )
            self.run(("section 55", self.create_section55), ("Engage", self.create_engage))
        return self.counts

    def run(self, *steps):
        for label, step in steps:
            started = clock.monotonic()
            step()
            self.write(f"  {label:<32} {clock.monotonic() - started:6.1f} s")
