"""The demo data set: two real stories, and generated inspections of every organisation.

Everything is drawn from one ``random.Random(seed)`` and dated from the builder's ``today``: the
day the demo is seeded (``timezone.localdate()``) unless given, so that whenever it is seeded the
review queue holds recent submissions, not ones that aged while the calendar moved on. A seed and
a day always give the same data; the real stories keep their real dates. Publication,
addressees, status changes, progress updates, discharges, Engage and section 55 responses all go
through the services, as they would in use, so every status has its history. Invented wording is
marked "[Demo]" or "Demo text:"; the two real stories follow DOMAIN.md.
"""

import calendar
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.utils import timezone

from accounts.models import Membership, User
from inspections.choices import Grade, GradingScale, OrganisationKind
from inspections.models import (
    Inspection,
    Inspectorate,
    Judgement,
    KeyFigure,
    Organisation,
    Programme,
)
from inspections.services import engage_enter, engage_leave
from recommendations.choices import (
    Channel,
    DueDateSource,
    FindingKind,
    Section55Action,
    SelfAssessment,
    Status,
)
from recommendations.models import (
    CauseOfConcern,
    Finding,
    Item,
    Section55Response,
    Theme,
    section55_due_date,
)
from recommendations.services import (
    cause_of_concern_discharge,
    finding_add_addressees,
    inspection_set_publication,
    item_change_status,
    item_set_due_date,
    progress_update_add,
    progress_update_correct,
    section55_record_response,
)

# The earliest day the demo may be dated from (``DemoBuilder(today=...)``): after the real
# stories' last fixed dates, so that nothing in them lies in the demo's future.
EARLIEST_TODAY = date(2026, 10, 1)
# A working inspectorate's review queue: a handful of submissions waiting for a decision at the
# demo's scale 1, the others decided; each waiting since a recent day, a few of them longer
# than the workspace's review target (workspace/views.py: REVIEW_TARGET_DAYS), none for years.
WAITING_FOR_REVIEW = 12
WAITING_DAYS = (2, 25)
WAITING_LONG_DAYS = (31, 60)
WAITING_LONG_SHARE = 0.25
# The child protection story's last submission (R7, all officers trained): waiting this long.
STORY_SUBMISSION_AGE_DAYS = 40
AWAITING_SECTION55_SLUG = "metropolitan-police-service-crime-data-integrity-2026"
LONDON = ZoneInfo("Europe/London")
MARKER_SLUG = "metropolitan-police-custody-2025"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - documented demo accounts, DEBUG only

ORDINALS = ["first", "second", "third", "fourth"]


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def demo(text: str) -> str:
    return f"[Demo] {text}"


# --- Wording -------------------------------------------------------------------------------

DEADLINES = [
    ("within three months", 3),
    ("within six months", 6),
    ("within six months", 6),
    ("within 12 months", 12),
]

# PEEL question areas since 2021/22: themes, areas for improvement, a recommendation and a
# cause of concern for when the grade is poor. All invented, hence "[Demo]" when used.
PEEL_AREAS = {
    "Preventing crime": {
        "themes": ("neighbourhood-policing",),
        "afis": [
            "The force should evaluate its problem-solving work so that it learns what works.",
            "The force should make sure that neighbourhood officers are not routinely taken "
            "away from their neighbourhood duties.",
            "The force should improve how it tackles antisocial behaviour with its partners.",
        ],
        "rec": "the force should make sure that its neighbourhood teams have the time and "
        "training to solve problems with their communities.",
        "cause": "The force does not have an effective approach to preventing crime and "
        "antisocial behaviour.",
    },
    "Responding to the public": {
        "themes": ("response",),
        "afis": [
            "The force should answer emergency and non-emergency calls within national standards.",
            "Call handlers should use a structured assessment to identify vulnerability and "
            "repeat victims.",
            "The force should make sure it attends incidents within its published times.",
            "The force should make sure callers are given crime prevention advice and told "
            "what to expect.",
        ],
        "rec": "the force should make sure that it answers emergency calls promptly and "
        "attends incidents on time.",
        "cause": "The force does not respond to the public effectively: calls are not answered "
        "promptly and the risk to callers is not always assessed.",
    },
    "Investigating crime": {
        "themes": ("investigation", "victims"),
        "afis": [
            "The force should make sure that investigations are allocated to officers with "
            "the right skills and experience.",
            "Supervisors should review investigation plans regularly and record the direction "
            "they give.",
            "The force should make sure that victims' decisions to withdraw from an "
            "investigation are recorded, with the reasons.",
            "The force should reduce the backlog of digital devices awaiting examination.",
        ],
        "rec": "the force should make sure that all investigations are supervised effectively "
        "and completed without unnecessary delay.",
        "cause": "The force does not investigate crime to a consistently good standard, and "
        "too many victims do not get the outcome they deserve.",
    },
    "Protecting vulnerable people": {
        "themes": ("safeguarding", "public-protection"),
        "afis": [
            "The force should make sure that domestic abuse risk assessments are completed "
            "accurately at the first contact.",
            "The force should make sure that referrals to safeguarding partners are made "
            "without delay.",
            "The force should improve how it records and shares information about children "
            "who go missing.",
            "The force should make better use of protective orders for victims of domestic abuse.",
        ],
        "rec": "the force should make sure that it identifies vulnerable people at the first "
        "contact and safeguards them effectively.",
        "cause": "The force does not always identify vulnerability or act quickly enough to "
        "safeguard vulnerable people.",
    },
    "Managing offenders": {
        "themes": ("public-protection",),
        "afis": [
            "The force should reduce the backlog of visits to registered sex offenders.",
            "The force should make sure that risk management plans for registered sex "
            "offenders are reviewed on time.",
            "The force should make sure that wanted suspects are found and arrested promptly.",
        ],
        "rec": "the force should make sure it has enough trained staff to manage registered "
        "sex offenders safely.",
        "cause": "The force is not effectively managing the risk that registered sex offenders "
        "pose to the public.",
    },
    "Treatment of the public": {
        "themes": ("use-of-force",),
        "afis": [
            "The force should improve how it scrutinises its use of stop and search, including "
            "through external scrutiny groups.",
            "The force should make sure that body-worn video is used whenever officers use force.",
            "The force should make sure that it records and analyses data on its use of force.",
        ],
        "rec": "the force should make sure that its use of stop and search and of force is "
        "scrutinised internally and externally.",
        "cause": "The force cannot show that it uses its powers fairly and proportionately.",
    },
    "Developing a positive workplace": {
        "themes": ("workforce", "culture-and-values"),
        "afis": [
            "The force should make sure that officers and staff receive regular performance "
            "and development reviews.",
            "The force should better understand the wellbeing of its workforce and act on what "
            "it finds.",
            "The force should improve how it attracts and keeps officers and staff from "
            "under-represented groups.",
        ],
        "rec": "the force should make sure that its supervisors have the training and time to "
        "support and develop their teams.",
        "cause": "The force does not do enough to support the wellbeing and development of its "
        "workforce.",
    },
    "Leadership and force management": {
        "themes": ("leadership-and-governance", "efficiency", "vetting"),
        "afis": [
            "The force should improve its understanding of demand so that it can plan its "
            "workforce.",
            "The force should make sure that its vetting decisions are recorded with their "
            "rationale.",
            "The force should evaluate its change programmes to show that they deliver the "
            "intended benefits.",
            "The force should make sure that its counter-corruption unit can assess all the "
            "intelligence it receives.",
        ],
        "rec": "the force should make sure that its plans are based on a sound understanding of "
        "demand and of its workforce's skills.",
        "cause": "The force's leadership does not have a clear enough understanding of demand "
        "to plan its services.",
    },
    "Recording data about crime": {
        "themes": ("crime-recording",),
        "afis": [
            "The force should make sure that reports of crime are recorded within 24 hours.",
            "The force should improve how it records crimes reported by other agencies.",
            "The force should make sure that reports of antisocial behaviour are checked for "
            "crimes that should be recorded.",
        ],
        "rec": "the force should make sure that all reports of violent crime are recorded "
        "correctly.",
        "cause": "The force's crime recording is not accurate enough: too many reported crimes, "
        "often against vulnerable victims, go unrecorded.",
    },
}

# Before 2021/22 PEEL graded three pillars on four points; each pillar covers several areas.
PEEL_PILLARS = {
    "Effectiveness": [
        "Preventing crime",
        "Investigating crime",
        "Protecting vulnerable people",
        "Managing offenders",
    ],
    "Efficiency": ["Responding to the public", "Leadership and force management"],
    "Legitimacy": ["Treatment of the public", "Developing a positive workplace"],
}

FIRE_AREAS = {
    "Understanding fire and risk": (
        ("fire-prevention",),
        [
            "The service should make sure its community risk management plan is informed by a "
            "wide range of data.",
            "The service should make sure that risk information is up to date and readily "
            "available to crews.",
        ],
    ),
    "Preventing fire and risk": (
        ("fire-prevention", "safeguarding"),
        [
            "The service should make sure it targets its prevention work at the people most "
            "at risk of fire.",
            "The service should quality assure its safe and well visits.",
            "The service should make sure that staff understand how to identify vulnerability "
            "and make safeguarding referrals.",
        ],
    ),
    "Protecting the public through fire regulation": (
        ("fire-protection",),
        [
            "The service should make sure its risk-based inspection programme prioritises the "
            "highest-risk buildings.",
            "The service should make sure it has enough qualified protection staff to meet its "
            "inspection programme.",
            "The service should reduce the number of unwanted fire signals it attends.",
        ],
    ),
    "Responding to fires and other emergencies": (
        ("response",),
        [
            "The service should make sure that it meets its own standards for the availability "
            "of fire engines.",
            "The service should make sure that incident commanders are assessed regularly.",
        ],
    ),
    "Responding to major and multi-agency incidents": (
        ("response",),
        [
            "The service should make sure that it is well prepared to form part of a "
            "multi-agency response to a major incident.",
            "The service should make sure that crews have access to cross-border risk information.",
        ],
    ),
    "Making best use of resources": (
        ("efficiency",),
        [
            "The service should make sure that its workforce is deployed in line with the "
            "risks in its plan.",
            "The service should evaluate its collaboration work to show the benefits.",
        ],
    ),
    "Future affordability": (
        ("efficiency",),
        ["The service should make sure it has a robust plan for the use of its reserves."],
    ),
    "Promoting the right values and culture": (
        ("culture-and-values", "workforce"),
        [
            "The service should make sure that its values and behaviours are understood and "
            "shown by all staff.",
            "The service should make sure that staff have confidence in its grievance process.",
        ],
    ),
    "Getting the right people with the right skills": (
        ("workforce",),
        [
            "The service should make sure it has an effective system to record and monitor "
            "staff competence.",
            "The service should make sure that its workforce plan takes full account of the "
            "skills it needs.",
        ],
    ),
    "Ensuring fairness and promoting diversity": (
        ("workforce",),
        [
            "The service should improve how it collects and uses equality data.",
            "The service should do more to increase the diversity of its workforce.",
        ],
    ),
    "Managing performance and developing leaders": (
        ("leadership-and-governance", "workforce"),
        [
            "The service should put in place an open and fair process to identify and develop "
            "high-potential staff.",
            "The service should make sure all staff have regular, meaningful performance "
            "conversations.",
        ],
    ),
}
FIRE_PILLARS = {
    "Effectiveness": list(FIRE_AREAS)[:5],
    "Efficiency": list(FIRE_AREAS)[5:7],
    "People": list(FIRE_AREAS)[7:],
}

# Story 1: twenty areas for improvement. Number 18 is the report's own finding (DOMAIN.md);
# the others are invented custody wording.
MET_CUSTODY_AFIS = [
    (
        demo("Custody staff do not receive regular refresher training in the safe use of force."),
        ("custody", "use-of-force"),
    ),
    (
        demo("Officers who use force in custody do not always complete a use of force record."),
        ("custody", "use-of-force"),
    ),
    (
        demo("Data on the use of force in custody is not analysed to identify trends."),
        ("custody", "use-of-force", "leadership-and-governance"),
    ),
    (
        demo("Custody staffing does not always meet the force's own minimum levels."),
        ("custody", "workforce"),
    ),
    (
        demo("Detainees' dignity is not always protected when their clothing is removed."),
        ("custody",),
    ),
    (
        demo("Risk assessments at booking-in do not always use all the information available."),
        ("custody", "safeguarding"),
    ),
    (demo("Cell call bells are not always answered promptly."), ("custody",)),
    (
        demo("Detainees are not always offered a shower, exercise or reading materials."),
        ("custody",),
    ),
    (
        demo("Appropriate adults are not always available promptly for vulnerable adults."),
        ("custody", "safeguarding"),
    ),
    (demo("Detainees who need an interpreter do not always have one at booking-in."), ("custody",)),
    (demo("Health care records are not always stored securely."), ("custody",)),
    (
        demo("Detainees with drug or alcohol problems are not always referred to support."),
        ("custody", "safeguarding"),
    ),
    (
        demo("Mental health practitioners are not available in every suite at all times."),
        ("custody", "mental-health"),
    ),
    (
        demo("Detainees are sometimes held too long waiting for a mental health assessment."),
        ("custody", "mental-health"),
    ),
    (
        demo("Reviews of detention by inspectors are not always recorded fully."),
        ("custody", "leadership-and-governance"),
    ),
    (demo("Detainees' property is not always recorded accurately."), ("custody",)),
    (
        demo("Strip searches are not always authorised and recorded properly."),
        ("custody", "safeguarding"),
    ),
    (
        "Pre-release risk assessments lack detail on risks such as self-harm.",
        ("custody", "safeguarding", "mental-health"),
    ),
    (
        demo("Detainees are not always given details of support services on release."),
        ("custody", "safeguarding"),
    ),
    (
        demo("The force does not gather feedback from detainees to improve its custody service."),
        ("custody", "leadership-and-governance"),
    ),
]
# The story's planned statuses for AFI1..AFI20: open, in progress, submitted or closed.
MET_CUSTODY_AFI_STATUSES = [
    Status.IN_PROGRESS, Status.SUBMITTED, Status.IN_PROGRESS, Status.OPEN, Status.CLOSED_COMPLETE,
    Status.IN_PROGRESS, Status.OPEN, Status.CLOSED_COMPLETE, Status.CLOSED_COMPLETE,
    Status.IN_PROGRESS, Status.SUBMITTED, Status.OPEN, Status.IN_PROGRESS, Status.IN_PROGRESS,
    Status.OPEN, Status.SUBMITTED, Status.CLOSED_COMPLETE, Status.IN_PROGRESS, Status.OPEN,
    Status.IN_PROGRESS,
]  # fmt: skip

CUSTODY_CAUSE = (
    "The force's governance of custody does not give leaders enough oversight to show that "
    "detainees are held safely."
)
CUSTODY_REC = (
    "the force should put in place governance arrangements that give senior leaders effective "
    "oversight of custody, including of the use of force."
)

CDI_RECS = [
    "the force should make sure that it records crimes reported by vulnerable victims at the "
    "first point of contact.",
    "the force should make sure that it records all reports of rape within 24 hours.",
    "the force should train all staff who make crime recording decisions.",
    "the force should improve the way it audits its crime recording decisions.",
]
CDI_CAUSE = (
    "The force's crime recording is not accurate enough: an estimated one in six reported "
    "crimes goes unrecorded."
)

JTAI_RECS = [
    "the force should improve the quality of its referrals to children's social care.",
    "the force should make sure that officers attend strategy discussions about children at risk.",
]
JTAI_AFIS = [
    "The force should make sure that officers record the voice of the child.",
    "The force should share information about domestic abuse incidents with schools promptly.",
    "The force should make sure that children who go missing are interviewed on their return.",
]

NCA_AFIS = [
    "The agency should make sure that the intelligence it receives is assessed promptly.",
    "The agency should evaluate its operations to show what works.",
    "The agency should improve how it shares intelligence with police forces.",
    "The agency should make sure that its vetting decisions are reviewed consistently.",
]

UPDATE_NARRATIVES = [
    "An action plan has been agreed by the chief officer team and work is under way.",
    "New guidance has been published to staff; compliance will be audited next quarter.",
    "Training has been delivered to most of the staff affected; the rest are booked.",
    "Progress has slowed because of staff shortages; a revised plan goes to the board next month.",
    "A dip sample of cases shows early improvement; we are checking it is sustained.",
    "A new performance measure is in place and reported to the monthly governance board.",
]
COMPLETE_NARRATIVE = "All actions are complete; the evidence has been sent to the inspectorate."

WORD = {
    OrganisationKind.POLICE_FORCE: "force",
    OrganisationKind.FIRE_AND_RESCUE_SERVICE: "service",
    OrganisationKind.LOCAL_POLICING_BODY: "office",
    OrganisationKind.NATIONAL_BODY: "organisation",
}

GRADE_WEIGHTS = {
    GradingScale.PEEL_FIVE_POINT: (
        (Grade.OUTSTANDING, Grade.GOOD, Grade.ADEQUATE, Grade.REQUIRES_IMPROVEMENT,
         Grade.INADEQUATE),
        (4, 30, 35, 25, 6),
    ),
    GradingScale.PEEL_FOUR_POINT: (
        (Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE),
        (5, 58, 31, 6),
    ),
    GradingScale.FIRE_FOUR_POINT: (
        (Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE),
        (3, 52, 39, 6),
    ),
}  # fmt: skip

OUTCOMES = (
    Status.OPEN,
    Status.IN_PROGRESS,
    Status.SUBMITTED,
    Status.CLOSED_COMPLETE,
    Status.CLOSED_NOT_IMPLEMENTED,
    Status.CLOSED_SUPERSEDED,
    Status.CLOSED_NO_LONGER_RELEVANT,
)
# The older a report, the more of its findings are closed: (age in years up to, weights).
OUTCOME_WEIGHTS = [
    (0.3, (70, 25, 5, 0, 0, 0, 0)),
    (1.0, (35, 40, 12, 9, 1, 0, 3)),
    (2.5, (15, 33, 14, 28, 3, 0, 7)),
    (4.5, (8, 20, 10, 40, 6, 8, 8)),
    (99.0, (4, 8, 4, 50, 8, 18, 8)),
]


# --- Plans ---------------------------------------------------------------------------------


@dataclass
class FindingSpec:
    kind: str
    text: str
    themes: tuple[str, ...]
    addressees: list
    due_date: date | None = None
    deadline_wording: str = ""
    cause: str | None = None  # reference of the cause of concern it answers


@dataclass
class Tracked:
    """An item whose statuses the generator will tell once every report exists."""

    item: Item
    finding: Finding
    published_on: date
    round_key: str | None = None  # e.g. "peel-2018": a later round may supersede it
    body_id: int | None = None  # the addressee's current successor (itself if it still exists)


# Which round's findings may supersede a finding of this one, for the same body.
NEXT_ROUND = {"peel-2018": "peel-2021", "peel-2021": "peel-2023", "fire-2018": "fire-2021"}


class DemoBuilder:
    def __init__(self, *, seed: int, scale: float, write=print, today: date | None = None):
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
        # The demo's "today", from which the recent part is dated. Overdue, not yet due and
        # "decision overdue" are computed at read time, as in real use.
        self.today = today or timezone.localdate()
        # Not later than today: the services refuse what would happen in the future (a
        # section 55 response to a report not yet published).
        if not EARLIEST_TODAY <= self.today <= timezone.localdate():
            raise ValueError(
                f"The demo is dated from a day between {EARLIEST_TODAY:%d %B %Y} and today."
            )
        self.scale = scale
        self.write = write
        self.tracked: list[Tracked] = []
        self.waiting_for_review = 0
        self.causes: list[CauseOfConcern] = []
        # (round, organisation id) -> [(finding, published_on)], to pick superseding findings.
        self.round_findings: dict[tuple[str, int], list] = {}
        self.orgs = {o.slug: o for o in Organisation.objects.order_by("slug")}
        self.orgs_by_id = {o.pk: o for o in self.orgs.values()}
        self.programmes = {p.slug: p for p in Programme.objects.all()}
        self.inspectorates = {i.slug: i for i in Inspectorate.objects.all()}
        self.themes = {t.slug: t for t in Theme.objects.all()}

    # --- Entry point -----------------------------------------------------------------------

    def build(self):
        existing = set(Inspection.objects.values_list("pk", flat=True))
        self.tell_stories()
        # Only what this run made is demo data: its pages say so; an imported report's do not.
        Inspection.objects.exclude(pk__in=existing).update(is_demo=True)

    def tell_stories(self):
        self.story_met_custody()
        self.story_met_child_protection()
        self.story_met_awaiting_section55()
        self.generate_peel()
        self.generate_fire()
        self.generate_other_programmes()
        self.generate_thematics()
        self.generate_unpublished()
        self.write(f"Telling the history of {len(self.tracked)} generated items ...")
        # The stories' own submissions count towards the handful waiting.
        self.waiting_for_review = Item.objects.filter(status=Status.SUBMITTED).count()
        for item in self.tracked:
            self.live(item)
        self.discharge_causes()
        self.respond_section55()
        self.engage()

    # --- Building blocks -------------------------------------------------------------------

    def forces(self, *, territorial=True):
        forces = [
            o
            for o in self.orgs.values()
            if o.kind == OrganisationKind.POLICE_FORCE and o.successor_id is None
        ]
        if territorial:
            forces = [o for o in forces if o.slug != "british-transport-police"]
        return forces

    def fire_services(self):
        return [
            o
            for o in self.orgs.values()
            if o.kind == OrganisationKind.FIRE_AND_RESCUE_SERVICE and o.successor_id is None
        ]

    def sample(self, bodies, *, keep=()):
        """The share of ``bodies`` the scale asks for (all from 1 up), in slug order."""
        if self.scale >= 1:
            return list(bodies)
        count = max(1, round(len(bodies) * self.scale))
        chosen = set(self.rng.sample([b.slug for b in bodies], count)) | set(keep)
        return [b for b in bodies if b.slug in chosen]

    def times(self, base: int) -> int:
        """How many generated items of something: ``base`` multiplied by a scale above 1."""
        return max(1, round(base * max(1.0, self.scale)))

    def deadline(self, published_on: date):
        wording, months = self.rng.choice(DEADLINES)
        return wording, add_months(published_on, months)

    def moment(self, day: date) -> datetime:
        return at(day, self.rng.randint(8, 17), self.rng.choice((0, 15, 30, 45)))

    def spread(self, start: date, end: date, count: int):
        """``count`` moments on distinct days from ``start`` to ``end``, in order, or None."""
        span = (end - start).days
        if count and span + 1 < count:
            return None
        days = sorted(self.rng.sample(range(span + 1), count)) if count else []
        return [self.moment(start + timedelta(days=d)) for d in days]

    def add_inspection(
        self,
        *,
        title,
        slug,
        programme,
        organisations,
        published_at,
        fieldwork,
        summary,
        lead="hmicfrs",
        partners=(),
        follows_up=None,
        figures=(),
        judgements=(),
        causes=(),
        findings=(),
    ):
        """Create a report with its figures, grades and findings, address them, publish it.

        Returns the inspection and, per finding, ``(finding, [items])``.
        """
        inspection = Inspection.objects.create(
            title=title,
            slug=slug,
            programme=self.programmes[programme],
            lead_inspectorate=self.inspectorates[lead],
            fieldwork_started_on=fieldwork[0],
            fieldwork_ended_on=fieldwork[1],
            summary=summary,
            follows_up=follows_up,
        )
        inspection.organisations.set(organisations)
        if partners:
            inspection.partner_inspectorates.set([self.inspectorates[p] for p in partners])
        KeyFigure.objects.bulk_create(
            KeyFigure(inspection=inspection, label=label, value=value, out_of=out_of, position=i)
            for i, (label, value, out_of) in enumerate(figures)
        )
        Judgement.objects.bulk_create(
            Judgement(
                inspection=inspection, question_area=area, scale=scale, grade=grade, position=i
            )
            for i, (area, scale, grade) in enumerate(judgements)
        )
        cause_objects = CauseOfConcern.objects.bulk_create(
            CauseOfConcern(inspection=inspection, reference=ref, text=text, position=i)
            for i, (ref, text) in enumerate(causes)
        )
        cause_by_ref = {c.reference: c for c in cause_objects}
        counters = {FindingKind.RECOMMENDATION: 0, FindingKind.AREA_FOR_IMPROVEMENT: 0}
        objects = []
        for spec in findings:
            counters[spec.kind] += 1
            prefix = "R" if spec.kind == FindingKind.RECOMMENDATION else "AFI"
            objects.append(
                Finding(
                    inspection=inspection,
                    kind=spec.kind,
                    cause_of_concern=cause_by_ref[spec.cause] if spec.cause else None,
                    reference=f"{prefix}{counters[spec.kind]}",
                    text=spec.text,
                    due_date=spec.due_date,
                    deadline_wording=spec.deadline_wording,
                    position=counters[spec.kind],
                )
            )
        objects = Finding.objects.bulk_create(objects)
        Finding.themes.through.objects.bulk_create(
            Finding.themes.through(finding_id=finding.pk, theme_id=self.themes[slug].pk)
            for finding, spec in zip(objects, findings, strict=True)
            for slug in spec.themes
        )
        addressed = [
            (finding, finding_add_addressees(finding=finding, organisations=spec.addressees))
            for finding, spec in zip(objects, findings, strict=True)
        ]
        if published_at is not None:
            inspection = inspection_set_publication(
                inspection=inspection, published_at=published_at
            )
        if published_at is not None:
            self.causes += cause_objects
        return inspection, addressed

    def current(self, organisation):
        while organisation.successor_id:
            organisation = self.orgs_by_id[organisation.successor_id]
        return organisation

    def track(self, addressed, published_at, *, round_key=None):
        """Hand the items to the generator's lifecycle; remember them for superseding."""
        published_on = timezone_date(published_at)
        for finding, items in addressed:
            for item in items:
                body_id = self.current(item.organisation).pk
                self.tracked.append(Tracked(item, finding, published_on, round_key, body_id))
                if round_key:
                    key = (round_key, body_id)
                    self.round_findings.setdefault(key, []).append((finding, published_on))

    def newer(self, item: Tracked):
        """Findings of the same body's next round, which may supersede ``item``'s finding."""
        if item.round_key not in NEXT_ROUND:
            return []
        return self.round_findings.get((NEXT_ROUND[item.round_key], item.body_id), [])

    # --- Lifecycle -------------------------------------------------------------------------

    def draw_outcome(self, item: Tracked):
        age = (self.today - item.published_on).days / 365.25
        weights = next(w for limit, w in OUTCOME_WEIGHTS if age <= limit)
        outcome = self.rng.choices(OUTCOMES, weights)[0]
        if outcome == Status.CLOSED_SUPERSEDED and not self.newer(item):
            outcome = Status.CLOSED_NO_LONGER_RELEVANT
        reopened = outcome == Status.CLOSED_COMPLETE and self.rng.random() < 0.07
        return outcome, reopened

    def path(self, outcome, reopened):
        rng = self.rng
        ip, sub = Status.IN_PROGRESS, Status.SUBMITTED
        if outcome == Status.OPEN:
            return []
        if outcome == Status.IN_PROGRESS:
            return [ip]
        if outcome == Status.SUBMITTED:
            return [ip, sub, ip, sub] if rng.random() < 0.2 else [ip, sub]
        if outcome == Status.CLOSED_COMPLETE:
            # Mostly closed on the organisation's submission; sometimes returned first, and
            # sometimes closed by inspectors at a revisit without a formal submission.
            roll = rng.random()
            if roll < 0.15:
                steps = [ip, sub, ip, sub, outcome]
            elif roll < 0.4:
                steps = [ip, outcome]
            else:
                steps = [ip, sub, outcome]
            if reopened:
                steps += [ip, sub] if rng.random() < 0.5 else [ip]
            return steps
        return [ip, outcome] if rng.random() < 0.5 else [outcome]

    def note(self, organisation, from_status, to_status, superseded_by=None):
        word = WORD[organisation.kind]
        rng = self.rng
        if to_status == Status.IN_PROGRESS and from_status == Status.OPEN:
            return demo(f"Work started under the {word}'s action plan.")
        if to_status == Status.IN_PROGRESS and from_status == Status.SUBMITTED:
            return demo("Returned: the evidence does not yet show that the change is embedded.")
        if to_status == Status.IN_PROGRESS:
            return demo("Reopened: a later inspection found the improvement was not sustained.")
        if to_status == Status.SUBMITTED:
            return demo(
                f"The {word} reports the work complete and has sent evidence, including an "
                f"audit of {rng.randint(12, 120)} cases and its revised policy."
            )
        if to_status == Status.CLOSED_COMPLETE:
            return demo(
                "Authorised for closure on the basis of the evidence reviewed by inspectors, "
                f"including a dip sample of {rng.randint(10, 60)} cases."
            )
        if to_status == Status.CLOSED_NOT_IMPLEMENTED:
            return demo(
                f"Closed as not implemented: the {word} decided not to take this action and "
                "gave its reasons, which inspectors have noted."
            )
        if to_status == Status.CLOSED_SUPERSEDED:
            return demo(
                f"Superseded by {superseded_by.reference} of “{superseded_by.inspection.title}”, "
                "which carries the issue forward."
            )
        return demo(
            "Closed as no longer relevant: changes since the report mean the action is no "
            "longer needed."
        )

    def live(self, item: Tracked, *, outcome=None, reopened=False):
        """Move the item through a plausible history ending in ``outcome``."""
        rng = self.rng
        if outcome is None:
            outcome, reopened = self.draw_outcome(item)
        steps = self.path(outcome, reopened)
        start = item.published_on + timedelta(days=rng.randint(7, 45))
        end = self.today - timedelta(days=1)
        if steps and steps[-1] == Status.SUBMITTED:
            if self.waiting_for_review >= self.times(WAITING_FOR_REVIEW):
                # The queue is full enough: the inspectorate has decided this one.
                steps = [*steps, Status.CLOSED_COMPLETE]
            elif start <= end - timedelta(days=len(steps)):
                self.waiting_for_review += 1
                self.follow(item.item, steps, self.waiting_moments(start, len(steps)), None, end)
                return
            else:
                steps = steps[:-1]
        if steps and steps[-1] in (Status.IN_PROGRESS, Status.SUBMITTED):
            last_day = end
        else:
            last_day = min(end, item.published_on + timedelta(days=rng.randint(180, 1460)))
        superseded_by = None
        if outcome == Status.CLOSED_SUPERSEDED:
            superseded_by, newer_on = rng.choice(self.newer(item))
            before = self.spread(start, min(last_day, newer_on), len(steps) - 1) or []
            steps = steps[-len(before) - 1 :]
            moments = [
                *before,
                self.moment(min(end, newer_on + timedelta(days=rng.randint(14, 120)))),
            ]
        else:
            moments = self.spread(start, last_day, len(steps)) if start <= last_day else None
            if moments is None:
                steps, moments = [], []
        self.follow(item.item, steps, moments, superseded_by, last_day)

    def waiting_moments(self, start: date, count: int) -> list[datetime]:
        """Moments for ``count`` steps whose last, a submission for closure, is recent."""
        rng = self.rng
        low, high = WAITING_LONG_DAYS if rng.random() < WAITING_LONG_SHARE else WAITING_DAYS
        submitted_on = self.today - timedelta(days=rng.randint(low, high))
        # A report published lately: its submission comes after the earlier steps.
        submitted_on = min(
            max(submitted_on, start + timedelta(days=count)), self.today - timedelta(days=1)
        )
        before = self.spread(start, submitted_on - timedelta(days=1), count - 1)
        return [*before, self.moment(submitted_on)]

    def follow(self, item, steps, moments, superseded_by=None, last_day=None, updates=None):
        """Apply ``steps`` at ``moments`` through the service; progress updates after starting.

        ``updates``, if given, replaces the generated ones: ``[(day, narrative, assessment,
        publish)]``.
        """
        organisation = item.organisation
        for index, (to_status, moment) in enumerate(zip(steps, moments, strict=True)):
            from_status = item.status
            item = item_change_status(
                item=item,
                to_status=to_status,
                note=self.note(
                    organisation,
                    from_status,
                    to_status,
                    superseded_by if to_status == Status.CLOSED_SUPERSEDED else None,
                ),
                superseded_by=superseded_by if to_status == Status.CLOSED_SUPERSEDED else None,
                channel=Channel.COMMAND,
                at=moment,
            )
            item.organisation = organisation  # spares a query per progress update
            if from_status == Status.OPEN and to_status == Status.IN_PROGRESS:
                until = moments[index + 1].date() if index + 1 < len(moments) else last_day
                next_status = steps[index + 1] if index + 1 < len(steps) else None
                if updates is None:
                    planned = self.plan_updates(moment.date(), until, next_status)
                else:
                    planned = updates
                for day, narrative, assessment, publish in planned:
                    progress_update_add(
                        item=item,
                        narrative=narrative,
                        self_assessment=assessment,
                        written_on=day,
                        publish=publish,
                        channel=Channel.COMMAND,
                    )
        return item

    def plan_updates(self, start: date, end: date | None, next_status):
        rng = self.rng
        end = end or self.today
        count = rng.choice((0, 1, 1, 2))
        moments = self.spread(start, end, count) if start <= end else None
        if not moments:
            return []
        planned = []
        for i, moment in enumerate(moments):
            if i == len(moments) - 1 and next_status == Status.SUBMITTED:
                narrative, assessment = COMPLETE_NARRATIVE, SelfAssessment.COMPLETE
            else:
                narrative = rng.choice(UPDATE_NARRATIVES)
                assessment = rng.choices(
                    (SelfAssessment.ON_TRACK, SelfAssessment.AT_RISK, SelfAssessment.OFF_TRACK),
                    (5, 3, 2),
                )[0]
            planned.append((moment.date(), demo(narrative), assessment, rng.random() < 0.6))
        return planned

    # --- Story 1: Metropolitan Police custody, 2025 ----------------------------------------

    def story_met_awaiting_section55(self):
        """A recent Met report whose items are open and whose section 55 response MOPAC has yet
        to write: what the demo accounts `met` and `mopac` can work on by hand."""
        met = self.orgs["metropolitan-police-service"]
        published_at = at(self.today - timedelta(days=12), 9)
        due = self.today + timedelta(days=170)
        self.add_inspection(
            title="Metropolitan Police Service: crime data integrity inspection",
            slug=AWAITING_SECTION55_SLUG,
            programme="crime-data-integrity",
            organisations=[met],
            published_at=published_at,
            fieldwork=(self.today - timedelta(days=120), self.today - timedelta(days=110)),
            summary=demo(
                "Inspectors examined how accurately the force records crime reported to it. "
                "Recording of violent crime has improved, but too many reports of stalking and "
                "harassment are still not recorded as crimes."
            ),
            figures=[("Crime reports audited", 1200, None), ("Crimes not recorded", 96, 1200)],
            findings=[
                FindingSpec(
                    FindingKind.RECOMMENDATION,
                    demo(
                        "Within six months, the force should make sure that every report of "
                        "stalking and harassment is recorded as a crime when it should be."
                    ),
                    ("crime-recording", "victims"),
                    [met],
                    due_date=due,
                    deadline_wording="within six months",
                ),
                FindingSpec(
                    FindingKind.RECOMMENDATION,
                    demo(
                        "Within six months, the force should audit its crime recording "
                        "decisions each month and act on what the audits find."
                    ),
                    ("crime-recording", "leadership-and-governance"),
                    [met],
                    due_date=due,
                    deadline_wording="within six months",
                ),
                FindingSpec(
                    FindingKind.AREA_FOR_IMPROVEMENT,
                    demo("Call handlers do not always record the victim's vulnerability."),
                    ("crime-recording", "victims"),
                    [met],
                ),
            ],
        )

    def story_met_custody(self):
        # Neither story sets report_url: no source this project has (DOMAIN.md, shared/data)
        # gives the published reports' addresses, and a guessed one would be a false link. An
        # inspector adds it in the admin or the report editor.
        met = self.orgs["metropolitan-police-service"]
        mopac = self.orgs["mayors-office-for-policing-and-crime"]
        cause = (
            "Governance and oversight of the use of force is poor, and oversight is not wide "
            "enough to improve outcomes for detainees who need mental health assessments."
        )
        findings = [
            FindingSpec(
                FindingKind.RECOMMENDATION,
                "The Metropolitan Police Service and the Mayor's Office for Policing and Crime "
                "should improve the governance and oversight of the use of force in custody, "
                "and widen that oversight so that it improves outcomes for detainees who need "
                "mental health assessments.",
                ("custody", "use-of-force", "mental-health", "leadership-and-governance"),
                [met, mopac],
                cause="CoC1",
            ),
            *(
                FindingSpec(FindingKind.AREA_FOR_IMPROVEMENT, text, themes, [met])
                for text, themes in MET_CUSTODY_AFIS
            ),
        ]
        published_at = at(date(2025, 8, 7), 9)
        inspection, addressed = self.add_inspection(
            title="Metropolitan Police Service: police custody inspection",
            slug=MARKER_SLUG,
            programme="police-custody",
            organisations=[met],
            partners=["cqc"],
            published_at=published_at,
            fieldwork=(date(2025, 2, 3), date(2025, 2, 14)),
            summary=(
                "HMICFRS and the Care Quality Commission inspected police custody in the "
                "Metropolitan Police Service. Inspectors reviewed CCTV footage of 64 cases and "
                "found no significant learning in any of them. Children are diverted from "
                "custody. But governance and oversight of the use of force is poor, and "
                "oversight is not wide enough to improve outcomes for detainees who need mental "
                "health assessments. The report sets out one cause of concern, with one "
                "recommendation made to both the force and the Mayor's Office for Policing and "
                "Crime, and 20 areas for improvement."
            ),
            figures=[
                ("Custody records/CCTV cases reviewed", 64, None),
                ("Cases where CCTV review found significant learning", 0, 64),
            ],
            causes=[("CoC1", cause)],
            findings=findings,
        )
        (r1, r1_items), *afis = addressed
        by_org = {a.organisation.slug: a for a in r1_items}
        self.follow(
            by_org["metropolitan-police-service"],
            [Status.IN_PROGRESS],
            [at(date(2025, 9, 10), 11)],
            updates=[
                (
                    date(2025, 12, 5),
                    demo(
                        "A custody use of force governance board now meets monthly, chaired by "
                        "a commander; its first review covered every use of force in custody "
                        "in October."
                    ),
                    SelfAssessment.ON_TRACK,
                    True,
                ),
                (
                    date(2026, 5, 14),
                    demo(
                        "Internal: the data feed from the custody system to the board is late; "
                        "analysts are reconciling records by hand meanwhile."
                    ),
                    SelfAssessment.AT_RISK,
                    False,
                ),
                (
                    date(2026, 9, 22),
                    demo(
                        "Mental health liaison staff now review the outcomes of every detainee "
                        "referred for assessment; the findings are reported to the board."
                    ),
                    SelfAssessment.ON_TRACK,
                    True,
                ),
            ],
        )
        self.follow(
            by_org["mayors-office-for-policing-and-crime"],
            [Status.IN_PROGRESS],
            [at(date(2025, 10, 2), 14)],
            updates=[
                (
                    date(2026, 1, 20),
                    demo(
                        "MOPAC's oversight board now reviews the force's custody use of force "
                        "data each quarter, and independent custody visitors report to it."
                    ),
                    SelfAssessment.ON_TRACK,
                    True,
                ),
            ],
        )
        published_on = published_at.date()
        for (_finding, (item,)), outcome in zip(afis, MET_CUSTODY_AFI_STATUSES, strict=True):
            self.live(Tracked(item, _finding, published_on), outcome=outcome)

        response = Section55Response.objects.get(inspection=inspection, local_policing_body=mopac)
        section55_record_response(
            response=response,
            received_on=date(2025, 9, 24),
            text=(
                "Demo text: The Mayor's Office for Policing and Crime welcomes the report. The "
                "Commissioner's comments are attached, and MOPAC will oversee the force's "
                "response to the cause of concern and the 20 areas for improvement."
            ),
            statements={
                r1: (
                    Section55Action.WILL_BE_TAKEN,
                    "Demo text: MOPAC and the force will set up joint oversight of the use of "
                    "force in custody, including outcomes for detainees who need mental health "
                    "assessments, reporting quarterly to MOPAC's oversight board.",
                )
            },
        )

    # --- Story 2: Metropolitan Police child protection, 2016-2018 --------------------------

    def story_met_child_protection(self):
        met = self.orgs["metropolitan-police-service"]
        mopac = self.orgs["mayors-office-for-policing-and-crime"]
        original_at = at(date(2016, 11, 25), 9)
        recs = [
            ("Immediately, the force should appoint a named chief officer lead for child "
             "protection.", ("child-protection", "leadership-and-governance"), "immediately",
             original_at.date()),
            ("Within three months, the force should set up a team to check the quality of "
             "decisions made in child protection cases.", ("child-protection", "safeguarding"),
             "within three months", date(2017, 2, 25)),
            ("Within three months, the force should put in place a system to brief officers "
             "about the registered sex offenders living in the areas they police.",
             ("child-protection", "public-protection"), "within three months",
             date(2017, 2, 25)),
            ("Within six months, the force should make sure that child protection "
             "investigations are allocated and progressed without delay.",
             ("child-protection", "investigation"), "within six months", date(2017, 5, 25)),
            ("Within six months, the force should make sure that supervisors review and direct "
             "child protection investigations.", ("child-protection", "investigation"),
             "within six months", date(2017, 5, 25)),
            ("Within six months, the force should make sure that the risks to children detained "
             "in custody are assessed and recorded.", ("child-protection", "custody"),
             "within six months", date(2017, 5, 25)),
            ("Within 12 months, the force should train all officers who deal with children at "
             "risk in recognising and recording it.", ("child-protection", "workforce"),
             "within 12 months", date(2017, 11, 25)),
        ]  # fmt: skip
        original, addressed = self.add_inspection(
            title="Metropolitan Police Service: national child protection inspection",
            slug="metropolitan-police-child-protection-2016",
            programme="national-child-protection",
            organisations=[met],
            published_at=original_at,
            fieldwork=(date(2016, 6, 13), date(2016, 7, 1)),
            summary=(
                "The national child protection inspection of the Metropolitan Police Service "
                "found serious failings in the way the force protects children. The Home "
                "Secretary commissioned four post-inspection updates to follow the force's "
                "progress. (The recommendations below use demo wording.)"
            ),
            findings=[
                FindingSpec(
                    FindingKind.RECOMMENDATION,
                    demo(text),
                    themes,
                    [met],
                    due_date=due,
                    deadline_wording=wording,
                )
                for text, themes, wording, due in recs
            ],
        )
        updates = []
        update_dates = [date(2017, 4, 27), date(2017, 8, 24), date(2017, 12, 14), date(2018, 6, 28)]
        previous = original
        for number, published_on in enumerate(update_dates, start=1):
            last = number == len(update_dates)
            summary = (
                "The fourth and last post-inspection update found a named officer lead for "
                "child protection, a team checking the quality of decisions and a sex-offender "
                "briefing system in place. Yet of 214 cases reviewed, 191 (almost 90%) "
                "required improvement or were inadequate, with delays caused by workload and "
                "weak supervision. The inspectorate will revisit the force."
                if last
                else demo(
                    f"The {ORDINALS[number - 1]} post-inspection update reviewed the force's "
                    "progress against the recommendations of the 2016 report."
                )
            )
            update, update_addressed = self.add_inspection(
                title=(
                    "Metropolitan Police Service: national child protection inspection, "
                    f"post-inspection update {number}"
                ),
                slug=f"metropolitan-police-child-protection-update-{number}-{published_on.year}",
                programme="national-child-protection",
                organisations=[met],
                published_at=at(published_on, 9),
                fieldwork=(published_on - timedelta(days=70), published_on - timedelta(days=56)),
                summary=summary,
                follows_up=previous,
                figures=(
                    [
                        ("Cases reviewed", 214, None),
                        ("Cases requiring improvement or inadequate", 191, 214),
                    ]
                    if last
                    else []
                ),
                findings=(
                    [
                        FindingSpec(
                            FindingKind.RECOMMENDATION,
                            demo(
                                "Within six months, the force should make sure that supervisors "
                                "review child protection investigations regularly and that "
                                "workloads allow cases to progress without delay."
                            ),
                            ("child-protection", "investigation", "workforce"),
                            [met],
                            due_date=add_months(published_on, 6),
                            deadline_wording="within six months",
                        )
                    ]
                    if last
                    else []
                ),
            )
            updates.append((update, update_addressed))
            previous = update

        items = [items[0] for _finding, items in addressed]
        new_rec, (new_item,) = updates[-1][1][0]
        verified = (
            "Authorised for closure on the basis of the fourth post-inspection update, which "
            "found {} in place."
        )
        close_day = date(2018, 7, 10)
        ip, sub, done = Status.IN_PROGRESS, Status.SUBMITTED, Status.CLOSED_COMPLETE
        for item, what, submitted_on in [
            (items[0], "a named officer lead for child protection", date(2017, 9, 15)),
            (items[1], "a team checking the quality of decisions", date(2017, 11, 20)),
            (items[2], "a sex-offender briefing system", date(2018, 1, 15)),
        ]:
            self.steps(
                item,
                [
                    (ip, date(2017, 1, 10), ""),
                    (sub, submitted_on, demo("The force reports the action complete.")),
                    (done, close_day, verified.format(what)),
                ],
            )
        reopened = self.steps(
            items[3],
            [
                (ip, date(2017, 1, 10), ""),
                (sub, date(2017, 10, 2), demo("The force reports that delays are resolved.")),
                (done, date(2017, 12, 20), demo("Authorised for closure after the third update.")),
                (
                    ip,
                    close_day,
                    "Reopened: the fourth post-inspection update found delays caused by "
                    "workload; 191 of 214 cases reviewed required improvement or were "
                    "inadequate.",
                ),
            ],
        )
        self.steps(
            items[4],
            [
                (ip, date(2017, 1, 10), ""),
                (
                    Status.CLOSED_SUPERSEDED,
                    close_day,
                    "Superseded by R1 of the fourth post-inspection update, which addresses "
                    "weak supervision.",
                ),
            ],
            superseded_by=new_rec,
        )
        custody_risk = self.steps(items[5], [(ip, date(2017, 3, 6), "")])
        self.steps(
            items[6],
            [
                (ip, date(2017, 2, 1), ""),
                # Waiting past the review target: one of the "Decision overdue" in the queue.
                (
                    sub,
                    self.today - timedelta(days=STORY_SUBMISSION_AGE_DAYS),
                    demo("The force reports all officers trained."),
                ),
            ],
        )
        new_item = self.steps(new_item, [(ip, date(2018, 8, 1), "")])
        for item, day, narrative, assessment in [
            (reopened, date(2019, 3, 1), "Workloads in child abuse investigation teams "
             "are reviewed weekly; two new teams were formed.", SelfAssessment.AT_RISK),
            (custody_risk, date(2018, 2, 1), "Custody officers use a new risk form for "
             "children.", SelfAssessment.ON_TRACK),
            (new_item, date(2019, 2, 14), "Supervisors now review each case every 28 "
             "days; compliance is audited monthly.", SelfAssessment.ON_TRACK),
            (new_item, self.today - timedelta(days=150), "Internal: compliance with "
             "supervisory reviews fell to 71% last quarter.", SelfAssessment.OFF_TRACK),
        ]:  # fmt: skip
            progress_update_add(
                item=item,
                narrative=demo(narrative),
                self_assessment=assessment,
                written_on=day,
                publish=not narrative.startswith("Internal"),
                channel=Channel.COMMAND,
            )
        self.extend_and_correct(custody_risk)

        reports = [(original, addressed), *updates]
        for report, report_addressed in reports:
            response = Section55Response.objects.get(inspection=report, local_policing_body=mopac)
            section55_record_response(
                response=response,
                received_on=report.published_on + timedelta(days=40),
                text="Demo text: MOPAC's response to the report, with the Commissioner's comments.",
                statements={
                    finding: (
                        Section55Action.WILL_BE_TAKEN,
                        "Demo text: the force has an action plan, overseen by MOPAC.",
                    )
                    for finding, _ in report_addressed
                },
            )

    def extend_and_correct(self, custody_risk):
        """What the public record shows of changes after the fact: the overdue custody risk
        recommendation (due 25 May 2017) gets an agreed extension, a public event, and its
        published update a correction that says what it puts right."""
        # The end of the month four months on: still ahead whenever the demo is seeded.
        due = add_months(self.today.replace(day=1), 5) - timedelta(days=1)
        item_set_due_date(
            item=custody_risk,
            due_date=due,
            reason=demo(
                "Agreed on request: the new custody suite's risk assessment system goes live "
                f"in {due:%B %Y}."
            ),
            source=DueDateSource.AGREED_ON_REQUEST,
        )
        progress_update_correct(
            update=custody_risk.updates.get(written_on=date(2018, 2, 1)),
            narrative=demo(
                "Custody officers use a new risk form for children, introduced in January 2018 "
                "in six of the force's custody suites."
            ),
            reason="The update said every custody suite; the form was used in six of them.",
            channel=Channel.COMMAND,
        )

    def steps(self, item, plan, superseded_by=None):
        """Explicit history for the stories: ``[(status, day, note)]``."""
        organisation = item.organisation
        for to_status, day, note in plan:
            item = item_change_status(
                item=item,
                to_status=to_status,
                note=note or self.note(organisation, item.status, to_status),
                superseded_by=superseded_by if to_status == Status.CLOSED_SUPERSEDED else None,
                channel=Channel.COMMAND,
                at=at(day, 10),
            )
            item.organisation = organisation
        return item

    # --- Generated: PEEL -------------------------------------------------------------------

    def grade(self, scale):
        grades, weights = GRADE_WEIGHTS[scale]
        return self.rng.choices(grades, weights)[0]

    def area_findings(self, force, area, grade, published_on, causes, *, per_grade):
        """Findings for one graded area; a poor grade also brings a cause of concern."""
        rng = self.rng
        template = PEEL_AREAS[area]
        low, high = per_grade[grade]
        count = round(rng.randint(low, high) * max(1.0, self.scale))
        specs = [
            FindingSpec(FindingKind.AREA_FOR_IMPROVEMENT, demo(text), template["themes"], [force])
            for text in self.pick(template["afis"], count)
        ]
        if grade == Grade.INADEQUATE or (
            grade == Grade.REQUIRES_IMPROVEMENT and rng.random() < 0.25
        ):
            wording, due = self.deadline(published_on)
            cause_ref = None
            if grade == Grade.INADEQUATE:
                cause_ref = f"CoC{len(causes) + 1}"
                causes.append((cause_ref, demo(template["cause"])))
            specs.insert(
                0,
                FindingSpec(
                    FindingKind.RECOMMENDATION,
                    demo(f"{wording[0].upper()}{wording[1:]}, {template['rec']}"),
                    template["themes"],
                    [force],
                    due_date=due,
                    deadline_wording=wording,
                    cause=cause_ref,
                ),
            )
        return specs

    def pick(self, texts, count):
        """``count`` texts; beyond the list (large scales) they repeat with a numbered focus."""
        chosen = self.rng.sample(texts, min(count, len(texts)))
        for extra in range(count - len(chosen)):
            chosen.append(f"{self.rng.choice(texts)} (Further area {extra + 1}.)")
        return chosen

    def publication_day(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    def peel_inspection(self, force, label, slug_part, published_on, scale):
        rng = self.rng
        judgements, findings, causes = [], [], []
        if scale == GradingScale.PEEL_FOUR_POINT:
            per_grade = {
                Grade.OUTSTANDING: (0, 0),
                Grade.GOOD: (0, 1),
                Grade.REQUIRES_IMPROVEMENT: (1, 2),
                Grade.INADEQUATE: (1, 2),
            }
            for pillar, areas in PEEL_PILLARS.items():
                grade = self.grade(scale)
                judgements.append((pillar, scale, grade))
                for area in areas:
                    findings += self.area_findings(
                        force, area, grade, published_on, causes, per_grade=per_grade
                    )
        else:
            per_grade = {
                Grade.OUTSTANDING: (0, 0),
                Grade.GOOD: (0, 1),
                Grade.ADEQUATE: (1, 2),
                Grade.REQUIRES_IMPROVEMENT: (1, 3),
                Grade.INADEQUATE: (2, 3),
            }
            for area in PEEL_AREAS:
                grade = self.grade(scale)
                judgements.append((area, scale, grade))
                findings += self.area_findings(
                    force, area, grade, published_on, causes, per_grade=per_grade
                )
        # Recommendations first, as reports list them.
        findings.sort(key=lambda s: s.kind != FindingKind.RECOMMENDATION)
        poor = [a for a, _s, g in judgements if g in (Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE)]
        summary = demo(
            f"Generated summary: inspectors assessed {force.name} in its PEEL {label} "
            "inspection. "
            + (
                f"Performance needs to improve in: {', '.join(poor).lower()}."
                if poor
                else "Performance was at least adequate in every area."
            )
        )
        sample = rng.randint(80, 160)
        figures = [
            (
                "Crime reports in the audit sample recorded correctly (demo figure)",
                sample - rng.randint(2, 30),
                sample,
            )
        ]
        return {
            "title": f"{force.name}: PEEL {label}",
            "slug": f"{force.slug}-peel-{slug_part}",
            "programme": "peel",
            "organisations": [force],
            "published_at": at(published_on, 0, 1),
            "fieldwork": (
                published_on - timedelta(days=rng.randint(120, 200)),
                published_on - timedelta(days=rng.randint(60, 110)),
            ),
            "summary": summary,
            "figures": figures,
            "judgements": judgements,
            "causes": causes,
            "findings": findings,
        }

    def generate_peel(self):
        hampshire_old = self.orgs["hampshire-constabulary"]
        hampshire = self.orgs["hampshire-and-isle-of-wight-constabulary"]
        forces = self.forces()
        rounds = [
            ("peel-2018", "2018/19", "2018-19", GradingScale.PEEL_FOUR_POINT,
             (date(2019, 5, 2), date(2020, 2, 27)), forces),
            ("peel-2021", "2021/22", "2021-22", GradingScale.PEEL_FIVE_POINT,
             (date(2021, 9, 16), date(2022, 12, 15)), forces),
            ("peel-2023", "2023-25", "2023-25", GradingScale.PEEL_FIVE_POINT,
             (date(2023, 5, 11), date(2025, 9, 25)), self.forces(territorial=False)),
        ]  # fmt: skip
        for round_key, label, slug_part, scale, window, bodies in rounds:
            for force in self.sample(bodies, keep=[hampshire.slug]):
                published_on = self.publication_day(*window)
                if force == hampshire and round_key == "peel-2018":
                    # Inspected before the 2022 rename: the findings now follow the successor.
                    force = hampshire_old
                elif force == hampshire and round_key == "peel-2021":
                    published_on = max(published_on, date(2022, 4, 7))
                spec = self.peel_inspection(force, label, slug_part, published_on, scale)
                inspection, addressed = self.add_inspection(**spec)
                self.track(addressed, inspection.published_at, round_key=round_key)

    # --- Generated: fire and rescue --------------------------------------------------------

    def fire_inspection(self, service, label, slug_part, published_on):
        rng = self.rng
        scale = GradingScale.FIRE_FOUR_POINT
        judgements, findings, causes = [], [], []
        counts = {Grade.OUTSTANDING: (0, 0), Grade.GOOD: (0, 1)}
        for pillar, areas in FIRE_PILLARS.items():
            judgements.append((pillar, scale, self.grade(scale)))
            for area in areas:
                grade = self.grade(scale)
                judgements.append((area, scale, grade))
                themes, afis = FIRE_AREAS[area]
                low, high = counts.get(grade, (1, 2))
                count = round(rng.randint(low, high) * max(1.0, self.scale))
                findings += [
                    FindingSpec(FindingKind.AREA_FOR_IMPROVEMENT, demo(text), themes, [service])
                    for text in self.pick(afis, count)
                ]
                if grade == Grade.INADEQUATE:
                    cause_ref = f"CoC{len(causes) + 1}"
                    causes.append(
                        (cause_ref, demo(f"The service's approach to {area.lower()} is not good "
                                         "enough and puts the public at risk."))
                    )  # fmt: skip
                    wording, due = self.deadline(published_on)
                    findings.insert(
                        0,
                        FindingSpec(
                            FindingKind.RECOMMENDATION,
                            demo(
                                f"{wording[0].upper()}{wording[1:]}, the service should put in "
                                f"place a plan to improve {area.lower()} and report its progress "
                                "to HMICFRS."
                            ),
                            themes,
                            [service],
                            due_date=due,
                            deadline_wording=wording,
                            cause=cause_ref,
                        ),
                    )
        findings.sort(key=lambda s: s.kind != FindingKind.RECOMMENDATION)
        return {
            "title": f"{service.name}: fire and rescue service inspection {label}",
            "slug": f"{service.slug}-fire-{slug_part}",
            "programme": "fire-and-rescue",
            "organisations": [service],
            "published_at": at(published_on, 0, 1),
            "fieldwork": (
                published_on - timedelta(days=rng.randint(120, 200)),
                published_on - timedelta(days=rng.randint(60, 110)),
            ),
            "summary": demo(
                "Generated summary: inspectors assessed how effective and efficient "
                f"{service.name} is, and how well it looks after its people."
            ),
            "judgements": judgements,
            "causes": causes,
            "findings": findings,
        }

    def generate_fire(self):
        merged = self.orgs["hampshire-and-isle-of-wight-fire-and-rescue-service"]
        services = self.fire_services()
        first_round = [s for s in self.sample(services) if s != merged]
        # Before the 2021 merger the two old services were inspected separately.
        first_round += [
            self.orgs["hampshire-fire-and-rescue-service"],
            self.orgs["isle-of-wight-fire-and-rescue-service"],
        ]
        rounds = [
            ("fire-2018", "2018/19", "2018-19", (date(2018, 12, 20), date(2019, 12, 17)),
             first_round),
            ("fire-2021", "2021/22", "2021-22", (date(2021, 7, 15), date(2022, 7, 27)),
             self.sample(services, keep=[merged.slug])),
        ]  # fmt: skip
        for round_key, label, slug_part, window, bodies in rounds:
            for service in bodies:
                published_on = self.publication_day(*window)
                spec = self.fire_inspection(service, label, slug_part, published_on)
                inspection, addressed = self.add_inspection(**spec)
                self.track(addressed, inspection.published_at, round_key=round_key)

    # --- Generated: custody, crime data integrity, joint targeted area, NCA ------------------

    def generate_other_programmes(self):
        rng = self.rng
        forces = [f for f in self.forces() if f.slug != "metropolitan-police-service"]
        custody_afis = [(t, th) for t, th in MET_CUSTODY_AFIS if t.startswith("[Demo]")]
        for index in range(self.times(6)):
            force = rng.choice(forces)
            published_on = self.publication_day(date(2019, 1, 10), self.today - timedelta(days=32))
            wording, due = self.deadline(published_on)
            causes, findings = [], []
            if rng.random() < 0.4:
                causes.append(("CoC1", demo(CUSTODY_CAUSE)))
                findings.append(
                    FindingSpec(
                        FindingKind.RECOMMENDATION,
                        demo(f"{wording[0].upper()}{wording[1:]}, {CUSTODY_REC}"),
                        ("custody", "leadership-and-governance"),
                        [force],
                        due_date=due,
                        deadline_wording=wording,
                        cause="CoC1",
                    )
                )
            findings += [
                FindingSpec(FindingKind.AREA_FOR_IMPROVEMENT, text, themes, [force])
                for text, themes in rng.sample(custody_afis, rng.randint(8, 14))
            ]
            inspection, addressed = self.add_inspection(
                title=f"{force.name}: police custody inspection {published_on.year}",
                slug=f"{force.slug}-custody-{published_on.year}-{index + 1}",
                programme="police-custody",
                organisations=[force],
                partners=["cqc" if published_on.year >= 2022 else "hmi-prisons"],
                published_at=at(published_on, 0, 1),
                fieldwork=(published_on - timedelta(days=150), published_on - timedelta(days=140)),
                summary=demo(f"Generated summary of an unannounced custody inspection of "
                             f"{force.name}."),
                causes=causes,
                findings=findings,
            )  # fmt: skip
            self.track(addressed, inspection.published_at)

        for index in range(self.times(8)):
            force = rng.choice(forces)
            published_on = self.publication_day(date(2018, 6, 1), date(2020, 6, 30))
            causes = [("CoC1", demo(CDI_CAUSE))] if rng.random() < 0.6 else []
            findings = []
            for text in rng.sample(CDI_RECS, rng.randint(1, len(CDI_RECS))):
                wording, due = self.deadline(published_on)
                findings.append(
                    FindingSpec(
                        FindingKind.RECOMMENDATION,
                        demo(f"{wording[0].upper()}{wording[1:]}, {text}"),
                        ("crime-recording", "victims"),
                        [force],
                        due_date=due,
                        deadline_wording=wording,
                        cause="CoC1" if causes else None,
                    )
                )
            findings += [
                FindingSpec(FindingKind.AREA_FOR_IMPROVEMENT, demo(text), ("crime-recording",),
                            [force])
                for text in rng.sample(PEEL_AREAS["Recording data about crime"]["afis"], 2)
            ]  # fmt: skip
            sample = rng.randint(400, 900)
            inspection, addressed = self.add_inspection(
                title=f"{force.name}: crime data integrity inspection {published_on.year}",
                slug=f"{force.slug}-crime-data-integrity-{published_on.year}-{index + 1}",
                programme="crime-data-integrity",
                organisations=[force],
                published_at=at(published_on, 0, 1),
                fieldwork=(published_on - timedelta(days=120), published_on - timedelta(days=100)),
                summary=demo(f"Generated summary: how accurately {force.name} records crime."),
                figures=[("Crimes in the audit sample recorded correctly (demo figure)",
                          sample - rng.randint(20, 160), sample)],
                causes=causes,
                findings=findings,
            )  # fmt: skip
            self.track(addressed, inspection.published_at)

        for index in range(self.times(6)):
            force = rng.choice(forces)
            published_on = self.publication_day(date(2019, 3, 1), self.today - timedelta(days=90))
            findings = []
            for text in rng.sample(JTAI_RECS, rng.randint(1, 2)):
                wording, due = self.deadline(published_on)
                findings.append(
                    FindingSpec(
                        FindingKind.RECOMMENDATION,
                        demo(f"{wording[0].upper()}{wording[1:]}, {text}"),
                        ("child-protection", "safeguarding"),
                        [force],
                        due_date=due,
                        deadline_wording=wording,
                    )
                )
            findings += [
                FindingSpec(FindingKind.AREA_FOR_IMPROVEMENT, demo(text),
                            ("child-protection", "safeguarding"), [force])
                for text in rng.sample(JTAI_AFIS, rng.randint(1, 3))
            ]  # fmt: skip
            inspection, addressed = self.add_inspection(
                title=f"{force.name}: joint targeted area inspection {published_on.year}",
                slug=f"{force.slug}-joint-targeted-area-{published_on.year}-{index + 1}",
                programme="joint-targeted-area",
                organisations=[force],
                lead="ofsted",
                partners=["cqc", "hmicfrs", "hmi-probation"],
                published_at=at(published_on, 0, 1),
                fieldwork=(published_on - timedelta(days=90), published_on - timedelta(days=80)),
                summary=demo("Generated summary of the multi-agency response to children at risk "
                             f"in the area of {force.name}."),
                findings=findings,
            )  # fmt: skip
            self.track(addressed, inspection.published_at)

        nca = self.orgs["national-crime-agency"]
        for year, published_on in [(2021, date(2021, 10, 14)), (2024, date(2024, 11, 28))]:
            inspection, addressed = self.add_inspection(
                title=f"National Crime Agency: inspection of intelligence handling {year}",
                slug=f"national-crime-agency-intelligence-{year}",
                programme="thematic",
                organisations=[nca],
                published_at=at(published_on, 0, 1),
                fieldwork=(published_on - timedelta(days=150), published_on - timedelta(days=120)),
                summary=demo("Generated summary of an inspection of the National Crime Agency."),
                findings=[
                    FindingSpec(FindingKind.AREA_FOR_IMPROVEMENT, demo(text),
                                ("leadership-and-governance", "investigation"), [nca])
                    for text in rng.sample(NCA_AFIS, 3)
                ],
            )  # fmt: skip
            self.track(addressed, inspection.published_at)

    # --- Generated: thematics --------------------------------------------------------------

    def generate_thematics(self):
        """National reports; from scale 1 up, one recommendation goes to all 43 forces."""
        forces = self.sample(self.forces())
        services = self.sample(self.fire_services())
        o = self.orgs
        rec, afi = FindingKind.RECOMMENDATION, FindingKind.AREA_FOR_IMPROVEMENT
        thematics = [
            (
                "vetting-misconduct-and-standards-2022",
                "Demo thematic: vetting, misconduct and standards in the police service",
                date(2022, 11, 2),
                forces,
                [
                    (rec, "By 30 April 2023, chief constables should review the vetting "
                     "decisions they made where there was adverse information.",
                     ("vetting", "workforce"), forces, "by 30 April 2023", date(2023, 4, 30)),
                    (rec, "By 31 October 2023, chief constables should make sure that their "
                     "counter-corruption units can assess all the intelligence they receive.",
                     ("vetting", "leadership-and-governance"), forces, "by 31 October 2023",
                     date(2023, 10, 31)),
                    (rec, "By 31 March 2023, the College of Policing should revise its vetting "
                     "guidance.", ("vetting",), [o["college-of-policing"]], "by 31 March 2023",
                     date(2023, 3, 31)),
                    (rec, "The Home Office should consider making vetting a statutory "
                     "requirement.", ("vetting",), [o["home-office"]], "", None),
                    (afi, "The National Police Chiefs' Council should help forces record the "
                     "rationale for every vetting decision.",
                     ("vetting",), [o["national-police-chiefs-council"]], "", None),
                ],
            ),
            (
                "police-response-to-mental-ill-health-2024",
                "Demo thematic: the police response to people with mental ill health",
                date(2024, 3, 21),
                forces,
                [
                    (rec, "Within six months, chief constables should make sure that call "
                     "handlers identify callers with mental ill health and record it.",
                     ("mental-health", "response"), forces, "within six months",
                     date(2024, 9, 21)),
                    (rec, "Within 12 months, the National Police Chiefs' Council and the "
                     "College of Policing should publish joint guidance on mental health "
                     "and policing.", ("mental-health",),
                     [o["national-police-chiefs-council"], o["college-of-policing"]],
                     "within 12 months", date(2025, 3, 21)),
                    (rec, "The Home Office should review the use of police cells as places of "
                     "safety.", ("mental-health", "custody"), [o["home-office"]], "", None),
                ],
            ),
            (
                "values-and-culture-in-fire-and-rescue-services-2025",
                "Demo thematic: values and culture in fire and rescue services",
                date(2025, 3, 27),
                services,
                [
                    (rec, "By 1 October 2025, chief fire officers should make sure that their "
                     "services have a confidential way for staff to raise concerns.",
                     ("culture-and-values", "workforce"), services, "by 1 October 2025",
                     date(2025, 10, 1)),
                    (rec, "By 1 March 2026, the National Fire Chiefs Council should publish a "
                     "code of ethics implementation guide.", ("culture-and-values",),
                     [o["national-fire-chiefs-council"]], "by 1 March 2026", date(2026, 3, 1)),
                    (rec, "The Home Office should introduce a barring list for fire and rescue "
                     "staff dismissed for misconduct.", ("culture-and-values", "vetting"),
                     [o["home-office"]], "", None),
                ],
            ),
            (
                "police-response-to-violence-against-women-and-girls-2026",
                "Demo thematic: the police response to violence against women and girls",
                date(2026, 6, 18),
                forces,
                [
                    (rec, "Within six months, chief constables should make sure that every "
                     "report of stalking is risk assessed by a trained officer.",
                     ("public-protection", "victims"), forces, "within six months",
                     date(2026, 12, 18)),
                    (rec, "Within six months, police and crime commissioners should commission "
                     "support services for victims of stalking.", ("victims",),
                     [o["association-of-police-and-crime-commissioners"]],
                     "within six months", date(2026, 12, 18)),
                ],
            ),
        ]  # fmt: skip
        for slug, title, published_on, inspected, items in thematics:
            inspection, addressed = self.add_inspection(
                title=title,
                slug=slug,
                programme="thematic",
                organisations=inspected,
                published_at=at(published_on, 0, 1),
                fieldwork=(published_on - timedelta(days=240), published_on - timedelta(days=120)),
                summary=demo(f"Generated summary of a national thematic inspection: {title[15:]}."),
                findings=[
                    FindingSpec(kind, demo(text), themes, list(addressees), due, wording)
                    for kind, text, themes, addressees, wording, due in items
                ],
            )
            self.track(addressed, inspection.published_at)

    # --- Generated: unpublished reports ----------------------------------------------------

    def generate_unpublished(self):
        """Two drafts without a date and one scheduled report: the embargo has work to do."""
        candidates = self.rng.sample(self.forces(), 3)
        moments = [None, None, at(self.today + timedelta(days=90), 0, 1)]
        for force, published_at in zip(
            sorted(candidates, key=lambda f: f.slug), moments, strict=True
        ):
            spec = self.peel_inspection(
                force, "2025-27", "2025-27", date(2026, 12, 10), GradingScale.PEEL_FIVE_POINT
            )
            spec["published_at"] = published_at
            spec["summary"] = demo(f"Draft for the factual accuracy check. {spec['summary']}")
            self.add_inspection(**spec)

    # --- After the histories ---------------------------------------------------------------

    def discharge_causes(self):
        """Discharge causes of concern whose recommendations are all closed, most of them."""
        for cause in self.causes:
            items = list(
                Item.objects.filter(finding__cause_of_concern=cause).values_list(
                    "status", "status_changed_at"
                )
            )
            if not items or any(s in (Status.OPEN, Status.IN_PROGRESS, Status.SUBMITTED)
                                       for s, _ in items):  # fmt: skip
                continue
            if self.rng.random() < 0.2:
                continue
            last = max(changed for _, changed in items).date()
            day = min(self.today, last + timedelta(days=self.rng.randint(14, 120)))
            cause_of_concern_discharge(
                cause=cause,
                discharged_on=day,
                note=demo(
                    "Discharged: a revisit found the recommendations implemented and the "
                    "improvement sustained."
                ),
            )

    def respond_section55(self):
        """Record most local policing bodies' responses: some on time, some late, some never."""
        rng = self.rng
        responses = (
            Section55Response.objects.published(at=at(self.today))
            .awaited()
            .select_related("inspection", "local_policing_body")
            .order_by("inspection__published_at", "inspection__slug", "local_policing_body__slug")
        )
        recommendations = {}
        for response in responses:
            inspection = response.inspection
            if inspection.slug == AWAITING_SECTION55_SLUG:
                continue  # left for the demo account `mopac` to answer
            published_on = inspection.published_on
            due = section55_due_date(published_on)
            roll = rng.random()
            if roll < 0.68:
                received = published_on + timedelta(days=rng.randint(20, 55))
            elif roll < 0.86:
                received = due + timedelta(days=rng.randint(1, 70))
            else:
                continue  # outstanding: overdue once the 56 days have passed
            if received > self.today:
                continue
            if inspection.pk not in recommendations:
                recommendations[inspection.pk] = list(
                    Finding.objects.filter(
                        inspection=inspection,
                        kind=FindingKind.RECOMMENDATION,
                        addressees__kind=OrganisationKind.POLICE_FORCE,
                    )
                    .distinct()
                    .order_by("position")
                )
            body = response.local_policing_body.name
            section55_record_response(
                response=response,
                received_on=received,
                text=demo(
                    f"The response of the {body} to the report, with the chief constable's "
                    "comments."
                ),
                statements={
                    finding: rng.choice(
                        [
                            (Section55Action.TAKEN, demo("The force has already acted on this.")),
                            (Section55Action.WILL_BE_TAKEN, demo("An action plan is in place.")),
                            (Section55Action.WILL_BE_TAKEN, demo("Work will start next year.")),
                            (Section55Action.NONE, demo("No action: existing work covers it.")),
                        ]
                    )
                    for finding in recommendations[inspection.pk]
                },
            )

    def engage(self):
        """A few bodies in enhanced monitoring: some past periods, some current, one linked."""
        rng = self.rng
        with_causes = sorted(
            {
                (inspection.slug, inspection.pk)
                for inspection in Inspection.objects.published(at=at(self.today)).filter(
                    causes_of_concern__isnull=False,
                    programme__slug="peel",
                    published_at__date__gte=date(2023, 1, 1),
                )
            }
        )
        linked = Inspection.objects.get(pk=rng.choice(with_causes)[1]) if with_causes else None
        taken = set()
        if linked:
            force = linked.organisations.get().current_successor()
            taken.add(force.slug)
            engage_enter(
                organisation=force,
                entered_on=min(self.today, linked.published_on + timedelta(days=21)),
                reasons=demo("Causes of concern in the PEEL inspection have not been addressed."),
                inspection=linked,
            )
        pool = [b for b in [*self.forces(), *self.fire_services()] if b.slug not in taken]
        past, current = rng.sample(pool, 4), None
        past, current = past[:3], past[3]
        for body in past:
            entered = self.publication_day(date(2019, 1, 1), date(2022, 6, 30))
            engage_enter(
                organisation=body,
                entered_on=entered,
                reasons=demo(f"The {WORD[body.kind]} was not addressing the inspectorate's "
                             "concerns about its response to the public."),
            )  # fmt: skip
            engage_leave(
                organisation=body,
                left_on=entered + timedelta(days=rng.randint(300, 900)),
                reasons=demo("Sufficient progress against the improvement plan."),
            )
        engage_enter(
            organisation=current,
            entered_on=self.publication_day(date(2025, 1, 1), self.today - timedelta(days=32)),
            reasons=demo("Inspectors found a serious decline in performance."),
        )

    # --- Accounts --------------------------------------------------------------------------

    def accounts(self):
        """The demo sign-ins, all with ``DEMO_PASSWORD``: for DEBUG only."""
        group, _ = Group.objects.get_or_create(name="Inspectors")
        group.permissions.set(
            Permission.objects.filter(
                Q(content_type__app_label__in=["inspections", "recommendations"])
                | Q(content_type__app_label__in=["accounts", "audit"], codename__startswith="view_")
            )
        )
        made = []

        def user(username, **extra):
            account = User.objects.filter(username=username).first()
            if account is None:
                # example.org addresses: password reset and reminders can be tried by hand,
                # and print on the console in development.
                account = User.objects.create_user(
                    username=username,
                    password=DEMO_PASSWORD,
                    email=f"{username}@example.org",
                    **extra,
                )
            made.append(account)
            return account

        inspector = user(
            "inspector",
            inspectorate=self.inspectorates["hmicfrs"],
            is_staff=True,
            first_name="Demo",
            last_name="Inspector",
        )
        inspector.groups.add(group)
        for username, slug, is_lead in [
            ("met", "metropolitan-police-service", True),
            ("mopac", "mayors-office-for-policing-and-crime", True),
            ("kent", "kent-police", False),
        ]:
            Membership.objects.get_or_create(
                user=user(username), organisation=self.orgs[slug], defaults={"is_lead": is_lead}
            )
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser(
                username="admin", password=DEMO_PASSWORD, email="admin@example.org"
            )
        made.append(User.objects.get(username="admin"))
        return made


def timezone_date(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()
