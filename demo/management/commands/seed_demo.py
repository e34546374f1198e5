import time
from datetime import date

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from demo.stories import DEMO_PASSWORD, EARLIEST_TODAY, MARKER_SLUG, DemoBuilder
from inspections.models import EngagePeriod, Inspection, Organisation, Programme
from recommendations.models import (
    Finding,
    Item,
    ProgressUpdate,
    Section55Response,
    StatusChange,
)

# What the demo needs from load_reference_data.
REQUIRED_ORGANISATIONS = [
    "metropolitan-police-service",
    "mayors-office-for-policing-and-crime",
    "kent-police",
    "hampshire-constabulary",
    "hampshire-and-isle-of-wight-constabulary",
    "hampshire-fire-and-rescue-service",
    "national-crime-agency",
]


class Command(BaseCommand):
    help = (
        "Load demo data: the Metropolitan Police custody (2025) and child protection "
        "(2016-2018) stories, and generated inspections of every force, fire and rescue "
        "service and some national bodies, the recent part dated from today (or --today), so "
        "that the review queue holds recent submissions whenever it is seeded. The same seed "
        "and day always give the same data. Runs load_reference_data first if needed, and does "
        "nothing if the demo is already loaded. With DEBUG on it also creates the accounts "
        "inspector, met, mopac, kent and admin (superuser), all with the password "
        f"“{DEMO_PASSWORD}”."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Size of the generated part: below 1 inspects fewer bodies, above 1 makes "
            "bigger reports and more of them (default 1).",
        )
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="The day to date the demo from, as YYYY-MM-DD (default: today), to repeat a "
            f"demo exactly; from {EARLIEST_TODAY:%d %B %Y} to today.",
        )

    def handle(self, *args, seed, scale, today=None, **options):
        if not 0 < scale <= 100:
            raise CommandError("--scale must be more than 0 and at most 100.")
        if today is not None and not EARLIEST_TODAY <= today <= timezone.localdate():
            raise CommandError(
                f"--today must be a day between {EARLIEST_TODAY:%d %B %Y} and today."
            )
        if Inspection.objects.filter(slug=MARKER_SLUG).exists():
            self.stdout.write(
                f"The demo data is already loaded (“{MARKER_SLUG}” exists); nothing to do. "
                "Start from an empty database to load it again."
            )
            return
        if (
            Organisation.objects.filter(slug__in=REQUIRED_ORGANISATIONS).count()
            < len(REQUIRED_ORGANISATIONS)
            or not Programme.objects.exists()
        ):
            self.stdout.write("Loading the reference data first.")
            call_command("load_reference_data", stdout=self.stdout)

        started = time.monotonic()
        with transaction.atomic():
            builder = DemoBuilder(seed=seed, scale=scale, write=self.stdout.write, today=today)
            builder.build()
            accounts = builder.accounts() if settings.DEBUG else None
        self.report(seed, scale, builder.today, time.monotonic() - started)
        if accounts is None:
            self.stdout.write("DEBUG is off: no demo accounts were created.")
        else:
            self.stdout.write(f"Demo accounts (password “{DEMO_PASSWORD}”):")
            for user in accounts:
                self.stdout.write(f"  {user.username:<10} {self.describe(user)}")

    def report(self, seed, scale, today, seconds):
        by_status = dict(Item.objects.values_list("status").annotate(n=Count("pk")).order_by())
        received = Section55Response.objects.filter(received_on__isnull=False).count()
        self.stdout.write(
            f"Demo data loaded in {seconds:.1f}s (seed {seed}, scale {scale:g}, "
            f"dated from {today:%d %B %Y}):\n"
            f"  inspections      {Inspection.objects.count()}"
            f" ({Inspection.objects.unpublished().count()} unpublished)\n"
            f"  findings         {Finding.objects.count()}\n"
            f"  items      {sum(by_status.values())}"
            f" ({', '.join(f'{k} {v}' for k, v in sorted(by_status.items()))})\n"
            f"  status changes   {StatusChange.objects.count()}\n"
            f"  progress updates {ProgressUpdate.objects.count()}\n"
            f"  section 55       {Section55Response.objects.count()} ({received} received)\n"
            f"  Engage periods   {EngagePeriod.objects.count()}"
        )

    def describe(self, user):
        if user.is_superuser:
            return "superuser"
        if user.inspectorate_id:
            return f"inspector, {user.inspectorate}"
        memberships = user.memberships.select_related("organisation")
        return ", ".join(
            f"{m.organisation} ({'lead' if m.is_lead else 'member'})" for m in memberships
        )
