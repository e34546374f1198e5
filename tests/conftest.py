"""Shared fixtures: the named personas and a small published inspection to work on."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Membership, User
from inspections.choices import OrganisationKind, ProgrammeKind
from inspections.models import Inspection, Inspectorate, Organisation, Programme
from recommendations.choices import FindingKind
from recommendations.models import Finding
from recommendations.services import finding_add_addressees


@pytest.fixture
def hmicfrs(db):
    return Inspectorate.objects.create(
        slug="hmicfrs",
        name="HM Inspectorate of Constabulary and Fire & Rescue Services",
        abbreviation="HMICFRS",
        inspects_under_police_act_s54=True,
    )


@pytest.fixture
def mopac(db):
    return Organisation.objects.create(
        slug="mayors-office-for-policing-and-crime",
        name="Mayor's Office for Policing and Crime",
        kind=OrganisationKind.LOCAL_POLICING_BODY,
        country="England",
        region="London",
    )


@pytest.fixture
def met(mopac):
    return Organisation.objects.create(
        slug="metropolitan-police-service",
        name="Metropolitan Police Service",
        kind=OrganisationKind.POLICE_FORCE,
        country="England",
        region="London",
        local_policing_body=mopac,
    )


@pytest.fixture
def kent(db):
    pcc = Organisation.objects.create(
        slug="kent-police-and-crime-commissioner",
        name="Kent Police and Crime Commissioner",
        kind=OrganisationKind.LOCAL_POLICING_BODY,
        country="England",
        region="South East",
    )
    return Organisation.objects.create(
        slug="kent-police",
        name="Kent Police",
        kind=OrganisationKind.POLICE_FORCE,
        country="England",
        region="South East",
        local_policing_body=pcc,
    )


@pytest.fixture
def custody(db):
    return Programme.objects.create(
        slug="police-custody",
        name="Police custody",
        kind=ProgrammeKind.POLICE_CUSTODY,
        section55_applies=True,
    )


@pytest.fixture
def inspection(hmicfrs, custody, met):
    inspection = Inspection.objects.create(
        title="Metropolitan Police Service custody",
        slug="met-custody-2025",
        programme=custody,
        lead_inspectorate=hmicfrs,
        published_at=timezone.now() - timedelta(days=10),
    )
    inspection.organisations.add(met)
    return inspection


@pytest.fixture
def recommendation(inspection, met, mopac):
    finding = Finding.objects.create(
        inspection=inspection,
        kind=FindingKind.RECOMMENDATION,
        reference="R1",
        text="The force and MOPAC should improve governance of the use of force.",
        due_date=timezone.localdate() + timedelta(days=90),
    )
    finding_add_addressees(finding=finding, organisations=[met, mopac])
    return finding


@pytest.fixture
def item(recommendation, met):
    return recommendation.items.get(organisation=met)


@pytest.fixture
def inspector(hmicfrs):
    from django.contrib.auth.models import Permission

    user = User.objects.create_user(
        username="inspector", password="pw-inspector-1", inspectorate=hmicfrs, is_staff=True
    )
    # HMICFRS records Engage entries and exits; a partner inspectorate's inspector may not.
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="inspections", codename__endswith="engageperiod"
        )
    )
    return user


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser(username="admin", password="pw-admin-1")


@pytest.fixture
def met_user(met):
    user = User.objects.create_user(username="met", password="pw-met-1")
    Membership.objects.create(user=user, organisation=met)
    return user


@pytest.fixture
def kent_user(kent):
    user = User.objects.create_user(username="kent", password="pw-kent-1")
    Membership.objects.create(user=user, organisation=kent)
    return user


@pytest.fixture(scope="session", autouse=True)
def _own_cache_keys():
    """Every test run writes its cache keys under a prefix of its own, and clears only those: with
    CACHE_URL naming a Redis that other runs use at the same time (other worktrees, CI jobs, the
    benchmark), no run sees or deletes another's counts and rate limits (core/cache.py)."""
    from django.conf import settings
    from django.core.cache import caches
    from django.test import override_settings

    prefix = f"{settings.CACHE_KEY_PREFIX}test-{uuid.uuid4().hex[:12]}:"
    own = {
        alias: {**options, "KEY_PREFIX": prefix + alias}
        for alias, options in settings.CACHES.items()
    }
    with override_settings(CACHE_KEY_PREFIX=prefix, CACHES=own):
        yield prefix
        if settings.CACHE_URL:
            for alias in own:
                caches[alias].clear()


@pytest.fixture(autouse=True)
def _test_settings(settings):
    from django.core.cache import cache, caches

    # Cached counts must not outlive the test that made them (ids repeat on SQLite).
    cache.clear()
    # Nor pages and counts a process keeps in its own memory (public/page_cache.py,
    # public/counts_cache.py).
    from public.counts_cache import PARTS_KEPT
    from public.page_cache import KEPT

    KEPT.clear()
    PARTS_KEPT.clear()
    # Nor rate limits: in the database they go with each test's transaction, in Redis they
    # would add up from test to test.
    if settings.CACHE_URL:
        caches["shared"].clear()
    # Whole pages are cached for anonymous readers (public/page_cache.py): a page served from
    # the cache has no template context, which most page tests read, so the cache is off here
    # and on in its own tests (tests/public/test_page_cache.py) and in the two-server test.
    settings.PAGE_CACHE_SECONDS = 0
    # The personas' passwords need not resist attack; hashing them properly takes seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Pages render without a collectstatic run; the manifest storage is tested by `make run`.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Background jobs run at once, in the process that queues them, in the tests about
    # something else; the tests of jobs use production's database queue (``job_queue``).
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


class JobQueue:
    """Production's queue of background jobs, in the test database, and a worker in this
    process: ``run()`` takes each waiting job as ``manage.py db_worker`` does (under a row lock
    with SKIP LOCKED), runs it and records its outcome."""

    def __init__(self):
        from django_tasks_db.management.commands.db_worker import Worker

        self.worker = Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        )

    def waiting(self) -> list:
        from django_tasks_db.models import DBTaskResult

        return list(DBTaskResult.objects.ready())

    def run(self) -> list:
        """Run every waiting job, oldest first; the finished jobs, as task results."""
        from django.db import transaction
        from django_tasks_db.models import DBTaskResult

        done = []
        while True:
            with transaction.atomic():
                job = DBTaskResult.objects.ready().get_locked()
                if job is None:
                    return done
                job.claim(self.worker.worker_id)
            self.worker.run_task(job)
            job.refresh_from_db()
            done.append(job.task_result)


@pytest.fixture
def job_queue(settings, db):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return JobQueue()


def date_fields(name: str, value) -> dict:
    """A date as the GOV.UK date input sends it: ``<name>-day``, ``-month`` and ``-year``."""
    return {f"{name}-day": value.day, f"{name}-month": value.month, f"{name}-year": value.year}


def inline_management_data(response) -> dict:
    """The inline formsets' management fields of an admin change page, for posting it back."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, field in formset.management_form.fields.items():
            value = formset.management_form.initial.get(name, field.initial)
            data[f"{formset.prefix}-{name}"] = value if value is not None else ""
        for form in formset.initial_forms:
            if form.instance.pk is not None and "id" in form.fields:
                data[f"{form.prefix}-id"] = form.instance.pk
    return data


EMBARGOED = "EMBARGOED-WORDS"


@pytest.fixture
def public_world(inspection, recommendation, met, mopac, kent, hmicfrs, custody, inspector):
    """A small published world beside an embargoed report whose words must never show.

    Published: the Met custody report (CoC1 with R1 to the Met and MOPAC, AFI1 to the Met, a
    key figure), R1 in progress for the Met with a published and an internal update. Scheduled
    for next week: a report on the Met and Kent whose text carries ``EMBARGOED``, with a status
    change and a published update already recorded.
    """
    from recommendations.models import CauseOfConcern
    from recommendations.services import (
        inspection_set_publication,
        item_start,
        progress_update_add,
        section55_open_responses,
    )

    cause = CauseOfConcern.objects.create(
        inspection=inspection,
        reference="CoC1",
        text="Governance and oversight of the use of force is poor.",
    )
    recommendation.cause_of_concern = cause
    recommendation.save()
    afi = Finding.objects.create(
        inspection=inspection,
        kind=FindingKind.AREA_FOR_IMPROVEMENT,
        reference="AFI1",
        text="Pre-release risk assessments lack detail on risks such as self-harm.",
        position=1,
    )
    finding_add_addressees(finding=afi, organisations=[met])
    inspection.figures.create(label="CCTV cases reviewed", value=64)
    section55_open_responses(inspection=inspection)
    met_item = recommendation.items.get(organisation=met)
    progress_update_add(
        item=met_item,
        narrative="A new use of force board met in March.",
        self_assessment="on_track",
        publish=True,
    )
    progress_update_add(
        item=met_item,
        narrative="INTERNAL-ONLY draft notes.",
        self_assessment="at_risk",
    )

    embargoed = Inspection.objects.create(
        title=f"Child protection {EMBARGOED}",
        slug="embargoed-report",
        programme=custody,
        lead_inspectorate=hmicfrs,
    )
    embargoed.organisations.add(met, kent)
    inspection_set_publication(
        inspection=embargoed, published_at=timezone.now() + timedelta(days=7)
    )
    secret = Finding.objects.create(
        inspection=embargoed,
        kind=FindingKind.RECOMMENDATION,
        reference="R9",
        text=f"The force should {EMBARGOED} act on referrals.",
        due_date=timezone.localdate() - timedelta(days=1),
    )
    finding_add_addressees(finding=secret, organisations=[met, kent])
    secret_item = secret.items.get(organisation=met)
    item_start(item=secret_item, note=f"Started {EMBARGOED}")
    progress_update_add(
        item=secret.items.get(organisation=kent),
        narrative=f"Kent update {EMBARGOED}",
        self_assessment="on_track",
        publish=True,
    )
    return {
        "inspection": inspection,
        "recommendation": recommendation,
        "afi": afi,
        "cause": cause,
        "embargoed": embargoed,
        "secret": secret,
    }


@pytest.fixture
def met_lead(met):
    user = User.objects.create_user(username="met-lead", password="pw-met-lead-1")
    Membership.objects.create(user=user, organisation=met, is_lead=True)
    return user


@pytest.fixture
def mopac_lead(mopac):
    user = User.objects.create_user(username="mopac-lead", password="pw-mopac-1")
    Membership.objects.create(user=user, organisation=mopac, is_lead=True)
    return user


@pytest.fixture
def other_inspector(db):
    cqc = Inspectorate.objects.create(
        slug="cqc", name="Care Quality Commission", abbreviation="CQC"
    )
    return User.objects.create_user(username="cqc-inspector", password="pw-cqc-1", inspectorate=cqc)


@pytest.fixture
def kent_item(inspection, kent):
    """A published item addressed to Kent Police, in the same report as the Met's."""
    finding = Finding.objects.create(
        inspection=inspection,
        kind=FindingKind.RECOMMENDATION,
        reference="R2",
        text="Kent Police should review its custody staffing.",
        due_date=timezone.localdate() + timedelta(days=20),
    )
    (item,) = finding_add_addressees(finding=finding, organisations=[kent])
    return item


# The factual-accuracy check (issue 11) -----------------------------------------------------


@pytest.fixture
def draft(hmicfrs, custody, met):
    report = Inspection.objects.create(
        title="Metropolitan Police Service custody (draft)",
        slug="met-custody-draft",
        programme=custody,
        lead_inspectorate=hmicfrs,
    )
    report.organisations.add(met)
    Finding.objects.create(
        inspection=report,
        kind=FindingKind.AREA_FOR_IMPROVEMENT,
        reference="AFI1",
        text="Pre-release risk assessments lack detail.",
    )
    return report


@pytest.fixture
def cqc(db):
    return Inspectorate.objects.create(
        slug="cqc", name="Care Quality Commission", abbreviation="CQC"
    )


@pytest.fixture
def cqc_inspector(cqc):
    return User.objects.create_user(username="cqc-inspector", inspectorate=cqc, is_staff=True)


@pytest.fixture
def check(draft, inspector):
    from recommendations.services import factual_accuracy_check_open

    return factual_accuracy_check_open(
        inspection=draft, user=inspector, closes_on=timezone.localdate() + timedelta(days=14)
    )
