from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from core.errors import DomainError
from recommendations.choices import Channel, Status
from recommendations.models import Finding, Item
from recommendations.services import item_change_status


class Command(BaseCommand):
    help = (
        "Change the status of one addressee's finding, with a reason, through the same rules "
        "and history as the website. Example: set_status metropolitan-police-custody-2025 R1 "
        "metropolitan-police-service closed_no_longer_relevant --note 'Suite closed.'"
    )

    def add_arguments(self, parser):
        parser.add_argument("inspection", help="The inspection's slug.")
        parser.add_argument("reference", help="The finding's reference in the report, e.g. R1.")
        parser.add_argument("organisation", help="The addressee's slug.")
        parser.add_argument("status", choices=Status.values)
        parser.add_argument("--note", default="", help="Why: required for inspectorate decisions.")
        parser.add_argument(
            "--superseded-by", help="Reference, in the same report, of the superseding finding."
        )
        parser.add_argument("--user", help="Username to record as the person making the change.")

    def handle(self, *args, **options):
        try:
            item = Item.objects.select_related("finding").get(
                finding__inspection__slug=options["inspection"],
                finding__reference=options["reference"],
                organisation__slug=options["organisation"],
            )
        except Item.DoesNotExist:
            raise CommandError(
                f"No finding {options['reference']} of {options['inspection']} is addressed to "
                f"{options['organisation']}."
            ) from None
        superseded_by = None
        if options["superseded_by"]:
            superseded_by = Finding.objects.filter(
                inspection_id=item.finding.inspection_id, reference=options["superseded_by"]
            ).first()
            if superseded_by is None:
                raise CommandError(f"No finding {options['superseded_by']} in that report.")
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']}.")
        try:
            changed = item_change_status(
                item=item,
                to_status=options["status"],
                note=options["note"],
                superseded_by=superseded_by,
                user=user,
                channel=Channel.COMMAND,
            )
        except DomainError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{changed}: now “{changed.get_status_display()}”.")
