from django.core.management.base import BaseCommand

from core.services import keep_for, submissions_clear


class Command(BaseCommand):
    help = (
        "Delete one-time form tokens older than FORM_TOKEN_KEEP_DAYS (7 by default). "
        "Each person's old rows are also cleared whenever they open a form; run this daily."
    )

    def handle(self, *args, **options):
        deleted = submissions_clear()
        self.stdout.write(
            f"Deleted {deleted} form token{'s' if deleted != 1 else ''} older than "
            f"{keep_for().days} days."
        )
