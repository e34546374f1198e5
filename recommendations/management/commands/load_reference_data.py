"""Load the real inspectorates and organisations, their predecessors, programmes and themes.

Rows are matched on their slug: a new slug is created, a row whose fields differ is updated
back to the file, and everything else is left alone, so a second run changes nothing. Every
file is read and checked before anything is written, and the writes share one transaction.
"""

import csv
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction

import inspections
from core.errors import DomainError
from inspections.choices import Country, OrganisationKind, ProgrammeKind, Region
from inspections.models import Inspectorate, Organisation, Programme
from inspections.services import organisation_set_successor
from recommendations.models import Theme

# The reference data describes the inspections app's bodies and stays with it. The command is
# here because it also loads the themes of findings: inspections imports nothing of recommendations.
DATA_DIR = Path(inspections.__file__).resolve().parent / "data"

INSPECTORATE_COLUMNS = ["slug", "name", "abbreviation", "inspects_under_police_act_s54"]
YES_NO = {"yes": True, "no": False}
ORGANISATION_COLUMNS = [
    "slug",
    "name",
    "name_cy",
    "kind",
    "country",
    "region",
    "local_policing_body",
]
PREDECESSOR_COLUMNS = ["slug", "name", "kind", "country", "region", "successor", "ceased_on"]

# (slug, name, kind, description, whether section 55 applies: the police programmes do, fire
# and rescue does not; the clock also needs an inspectorate inspecting under section 54).
PROGRAMMES = [
    (
        "peel",
        "PEEL",
        ProgrammeKind.PEEL,
        "Police effectiveness, efficiency and legitimacy: the regular assessment of every "
        "police force in England and Wales.",
        True,
    ),
    (
        "police-custody",
        "Police custody",
        ProgrammeKind.POLICE_CUSTODY,
        "Unannounced inspections of police custody, with the Care Quality Commission since "
        "2022 and HM Inspectorate of Prisons before that.",
        True,
    ),
    (
        "national-child-protection",
        "National child protection inspection",
        ProgrammeKind.CHILD_PROTECTION,
        "How well a police force protects children at risk of harm.",
        True,
    ),
    (
        "joint-targeted-area",
        "Joint targeted area inspection",
        ProgrammeKind.JOINT_TARGETED_AREA,
        "The local response to children at risk, inspected jointly by Ofsted, the Care Quality "
        "Commission, HMICFRS and HM Inspectorate of Probation.",
        True,
    ),
    (
        "thematic",
        "Thematic",
        ProgrammeKind.THEMATIC,
        "National inspections of one subject across many forces or services at once.",
        True,
    ),
    (
        "fire-and-rescue",
        "Fire and rescue service inspection",
        ProgrammeKind.FIRE_AND_RESCUE,
        "The regular inspection of the effectiveness, efficiency and people of every fire and "
        "rescue service in England.",
        False,
    ),
    (
        "crime-data-integrity",
        "Crime data integrity",
        ProgrammeKind.CRIME_DATA_INTEGRITY,
        "How accurately a police force records the crimes reported to it.",
        True,
    ),
]

THEMES = [
    ("custody", "Custody"),
    ("use-of-force", "Use of force"),
    ("mental-health", "Mental health"),
    ("child-protection", "Child protection"),
    ("safeguarding", "Safeguarding"),
    ("leadership-and-governance", "Leadership and governance"),
    ("crime-recording", "Crime recording"),
    ("workforce", "Workforce"),
    ("public-protection", "Public protection"),
    ("efficiency", "Efficiency"),
    ("fire-prevention", "Fire prevention"),
    ("fire-protection", "Fire protection"),
    ("response", "Response"),
    ("vetting", "Vetting"),
    ("investigation", "Investigation"),
    ("neighbourhood-policing", "Neighbourhood policing"),
    ("victims", "Victims"),
    ("culture-and-values", "Culture and values"),
]


class RowErrors:
    """Collects every problem of every file so that one run reports them all."""

    def __init__(self):
        self.messages = []

    def add(self, path: Path, line: int, message: str):
        self.messages.append(f"{path.name}, line {line}: {message}")

    def raise_if_any(self):
        if self.messages:
            raise CommandError(
                "Nothing was loaded. Correct these rows and run again:\n" + "\n".join(self.messages)
            )


def read_rows(path: Path, columns: list[str], errors: RowErrors):
    """Yield ``(line number, row)`` of a UTF-8 CSV file with exactly ``columns``."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise CommandError(f"{path}: cannot be read ({exc.strerror}).") from exc
    with handle:
        reader = csv.DictReader(handle)
        try:
            if reader.fieldnames != columns:
                raise CommandError(
                    f"{path.name}, line 1: expected the columns {','.join(columns)}, "
                    f"found {','.join(reader.fieldnames or [])}."
                )
            for row in reader:
                if None in row or None in row.values():
                    errors.add(path, reader.line_num, f"expected {len(columns)} values.")
                    continue
                yield reader.line_num, {key: value.strip() for key, value in row.items()}
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path.name}: not UTF-8 text ({exc.reason}).") from exc
        except csv.Error as exc:
            raise CommandError(f"{path.name}, line {reader.line_num}: {exc}") from exc


def check_common(path, line, row, errors, seen: dict):
    """The checks every organisation-like row shares; ``seen`` maps slugs to their line."""
    slug = row["slug"]
    try:
        validate_slug(slug)
    except ValidationError:
        errors.add(path, line, f"“{slug}” is not a valid slug.")
    if slug in seen:
        errors.add(path, line, f"the slug “{slug}” was already used on line {seen[slug]}.")
    seen.setdefault(slug, line)
    if not row["name"]:
        errors.add(path, line, "the name is empty.")
    if "kind" in row and row["kind"] not in OrganisationKind.values:
        errors.add(path, line, f"unknown kind “{row['kind']}”.")
    if "country" in row and row["country"] and row["country"] not in Country.values:
        errors.add(path, line, f"unknown country “{row['country']}”.")
    if "region" in row and row["region"] and row["region"] not in Region.values:
        errors.add(path, line, f"unknown region “{row['region']}”.")


def upsert(model, rows: dict[str, dict]) -> tuple[set[str], set[str]]:
    """Create the missing slugs and bring the differing rows back to ``rows``.

    Returns the slugs created and the slugs updated.
    """
    existing = model.objects.in_bulk(list(rows), field_name="slug")
    to_create, to_update, changed_fields = [], [], set()
    for slug, values in rows.items():
        obj = existing.get(slug)
        if obj is None:
            to_create.append(model(slug=slug, **values))
            continue
        changed = [field for field, value in values.items() if getattr(obj, field) != value]
        if changed:
            for field in changed:
                setattr(obj, field, values[field])
            to_update.append(obj)
            changed_fields.update(changed)
    model.objects.bulk_create(to_create)
    if to_update:
        model.objects.bulk_update(to_update, sorted(changed_fields))
    return {obj.slug for obj in to_create}, {obj.slug for obj in to_update}


class Command(BaseCommand):
    help = (
        "Load the real inspectorates and organisations (with regions, Welsh names and each "
        "force's local policing body), the bodies they succeeded, the inspection programmes "
        "and the themes. Matched on slug: running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=DATA_DIR,
            help="Folder holding inspectorates.csv, organisations.csv and predecessors.csv "
            "(default: the project's own copies).",
        )

    def handle(self, *args, data_dir: Path, **options):
        errors = RowErrors()
        inspectorates = self.read_inspectorates(data_dir / "inspectorates.csv", errors)
        organisations, policing_bodies = self.read_organisations(
            data_dir / "organisations.csv", errors
        )
        predecessors = self.read_predecessors(
            data_dir / "predecessors.csv", errors, known=organisations
        )
        errors.raise_if_any()

        try:
            with transaction.atomic():
                summary = [
                    ("Inspectorates", upsert(Inspectorate, inspectorates)),
                    ("Organisations", self.load_organisations(organisations, policing_bodies)),
                    ("Predecessor organisations", self.load_predecessors(predecessors)),
                    (
                        "Programmes",
                        upsert(
                            Programme,
                            {
                                slug: {
                                    "name": name,
                                    "kind": kind,
                                    "description": description,
                                    "section55_applies": section55,
                                }
                                for slug, name, kind, description, section55 in PROGRAMMES
                            },
                        ),
                    ),
                    ("Themes", upsert(Theme, {slug: {"name": name} for slug, name in THEMES})),
                ]
        except (IntegrityError, DomainError) as exc:
            raise CommandError(f"Nothing was loaded: {exc}") from exc

        for label, (created, updated) in summary:
            self.stdout.write(f"{label}: {len(created)} created, {len(updated)} updated")

    def read_inspectorates(self, path, errors):
        rows, seen = {}, {}
        for line, row in read_rows(path, INSPECTORATE_COLUMNS, errors):
            check_common(path, line, row, errors, seen)
            s54 = row["inspects_under_police_act_s54"]
            if s54 not in YES_NO:
                errors.add(
                    path, line, f"inspects_under_police_act_s54 is “{s54}”: write yes or no."
                )
            rows[row["slug"]] = {
                "name": row["name"],
                "abbreviation": row["abbreviation"],
                "inspects_under_police_act_s54": YES_NO.get(s54, False),
            }
        return rows

    def read_organisations(self, path, errors):
        """Return the rows by slug and, for each force, the slug of its policing body."""
        rows, policing_bodies, seen, lines = {}, {}, {}, {}
        for line, row in read_rows(path, ORGANISATION_COLUMNS, errors):
            check_common(path, line, row, errors, seen)
            slug = row["slug"]
            lines[slug] = line
            rows[slug] = {
                "name": row["name"],
                "name_cy": row["name_cy"],
                "kind": row["kind"],
                "country": row["country"],
                "region": row["region"],
            }
            if row["local_policing_body"]:
                if row["kind"] != OrganisationKind.POLICE_FORCE:
                    errors.add(path, line, "only a police force has a local policing body.")
                policing_bodies[slug] = row["local_policing_body"]
        for slug, body in policing_bodies.items():
            if rows.get(body, {}).get("kind") != OrganisationKind.LOCAL_POLICING_BODY:
                errors.add(path, lines[slug], f"unknown local policing body “{body}”.")
        return rows, policing_bodies

    def read_predecessors(self, path, errors, *, known):
        rows, seen, lines = {}, {}, {}
        for line, row in read_rows(path, PREDECESSOR_COLUMNS, errors):
            check_common(path, line, row, errors, seen)
            slug = row["slug"]
            lines[slug] = line
            if slug in known:
                errors.add(path, line, f"“{slug}” is a current organisation, not a predecessor.")
            try:
                ceased_on = date.fromisoformat(row["ceased_on"])
            except ValueError:
                errors.add(path, line, f"“{row['ceased_on']}” is not a date (YYYY-MM-DD).")
                ceased_on = None
            rows[slug] = {
                "values": {
                    "name": row["name"],
                    "kind": row["kind"],
                    "country": row["country"],
                    "region": row["region"],
                },
                "successor": row["successor"],
                "ceased_on": ceased_on,
            }
        for slug, row in rows.items():
            successor = row["successor"]
            if successor == slug:
                errors.add(path, lines[slug], "an organisation cannot succeed itself.")
            elif successor not in known and successor not in rows:
                errors.add(path, lines[slug], f"unknown successor “{successor}”.")
        return rows

    def load_organisations(self, rows, policing_bodies):
        # Policing bodies first, so that the forces can point at them.
        without_body = {
            slug: {**values, "local_policing_body_id": None}
            for slug, values in rows.items()
            if slug not in policing_bodies
        }
        created, updated = upsert(Organisation, without_body)
        ids = dict(
            Organisation.objects.filter(slug__in=set(policing_bodies.values())).values_list(
                "slug", "pk"
            )
        )
        with_body = {
            slug: {**rows[slug], "local_policing_body_id": ids[body]}
            for slug, body in policing_bodies.items()
        }
        more_created, more_updated = upsert(Organisation, with_body)
        return created | more_created, updated | more_updated

    def load_predecessors(self, rows):
        """Upsert the old bodies, then record each succession through the service (logged)."""
        created, updated = upsert(
            Organisation,
            {slug: {**row["values"], "local_policing_body_id": None} for slug, row in rows.items()},
        )
        bodies = Organisation.objects.in_bulk(
            [*rows, *(row["successor"] for row in rows.values())], field_name="slug"
        )
        for slug, row in rows.items():
            organisation, successor = bodies[slug], bodies[row["successor"]]
            if (
                organisation.successor_id == successor.pk
                and organisation.ceased_on == row["ceased_on"]
            ):
                continue
            organisation_set_successor(
                organisation=organisation, successor=successor, ceased_on=row["ceased_on"]
            )
            if slug not in created:
                updated.add(slug)
        return created, updated
