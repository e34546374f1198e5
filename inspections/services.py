"""Writes about inspections and organisations that must leave a trace in the action log.

Publishing a report also opens its section 55 responses, so ``inspection_set_publication``
lives in ``recommendations.services``: recommendations imports inspections, never the reverse.
"""

from datetime import date

from django.db import transaction

from audit.services import log_action
from core.errors import DomainError
from inspections.models import EngagePeriod, Inspection, Organisation


@transaction.atomic
def engage_enter(
    *,
    organisation: Organisation,
    entered_on: date,
    reasons: str,
    user=None,
    inspection: Inspection | None = None,
) -> EngagePeriod:
    if not reasons.strip():
        raise DomainError("Give the reasons for moving the organisation into Engage.")
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.engage_periods.filter(left_on__isnull=True).exists():
        raise DomainError(f"{organisation} is already in Engage.")
    period = EngagePeriod.objects.create(
        organisation=organisation,
        entered_on=entered_on,
        entry_reasons=reasons,
        inspection=inspection,
    )
    log_action(
        action="inspections.engage.entered",
        obj=organisation,
        actor=user,
        data={"entered_on": entered_on.isoformat(), "reasons": reasons},
    )
    return period


@transaction.atomic
def engage_leave(
    *, organisation: Organisation, left_on: date, reasons: str, user=None
) -> EngagePeriod:
    if not reasons.strip():
        raise DomainError("Give the reasons for moving the organisation out of Engage.")
    period = (
        EngagePeriod.objects.select_for_update()
        .filter(organisation=organisation, left_on__isnull=True)
        .first()
    )
    if period is None:
        raise DomainError(f"{organisation} is not in Engage.")
    if left_on < period.entered_on:
        raise DomainError("The exit date cannot be before the entry date.")
    period.left_on = left_on
    period.exit_reasons = reasons
    period.save(update_fields=["left_on", "exit_reasons"])
    log_action(
        action="inspections.engage.left",
        obj=organisation,
        actor=user,
        data={"left_on": left_on.isoformat(), "reasons": reasons},
    )
    return period


@transaction.atomic
def organisation_set_successor(
    *, organisation: Organisation, successor: Organisation, ceased_on: date, user=None
) -> Organisation:
    """Record a merger or rename. The findings of the old body then follow the new one."""
    if successor.pk == organisation.pk:
        raise DomainError("An organisation cannot succeed itself.")
    if successor.pk in organisation.lineage_ids():
        raise DomainError(f"{successor} is a predecessor of {organisation}: that would be a loop.")
    previous = organisation.successor
    organisation.successor = successor
    organisation.ceased_on = ceased_on
    organisation.save(update_fields=["successor", "ceased_on"])
    log_action(
        action="inspections.organisation.succeeded",
        obj=organisation,
        actor=user,
        data={
            "from": previous.slug if previous else None,
            "to": successor.slug,
            "ceased_on": ceased_on.isoformat(),
        },
    )
    return organisation


INSPECTION_UPDATABLE_FIELDS = frozenset(
    {
        "title",
        "title_cy",
        "slug",
        "programme",
        "summary",
        "summary_cy",
        "report_url",
        "fieldwork_started_on",
        "fieldwork_ended_on",
        "follows_up",
        "lead_inspectorate",
    }
)


def _logged(value):
    if isinstance(value, (list, tuple)):
        return [_logged(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


@transaction.atomic
def inspection_update(*, inspection: Inspection, changes: dict, user=None, reason: str) -> dict:
    """Change what a report says, logged with the old and new values; never its publication
    (``recommendations.services.inspection_set_publication``). A change to a published report
    is a correction: it needs a reason and is logged as ``inspections.inspection.corrected``,
    which the public page shows as "Corrected on <date>". Returns ``{field: (old, new)}`` for
    what really changed.
    """
    unknown = set(changes) - INSPECTION_UPDATABLE_FIELDS
    if unknown:
        raise ValueError(f"Not a field inspection_update changes: {', '.join(sorted(unknown))}")
    locked = Inspection.objects.select_for_update(of=("self",)).get(pk=inspection.pk)
    diffs = {
        name: (getattr(locked, name), new)
        for name, new in changes.items()
        if getattr(locked, name) != new
    }
    if not diffs:
        return {}
    _check_reason(locked, reason)
    if "title" in diffs and not str(diffs["title"][1]).strip():
        raise DomainError("The title cannot be empty.")
    for name, (_, new) in diffs.items():
        setattr(locked, name, new)
    locked.save(update_fields=[*diffs, "updated_at"])
    inspection_log_changes(inspection=locked, diffs=diffs, user=user, reason=reason)
    return diffs


def _check_reason(inspection: Inspection, reason: str) -> None:
    if inspection.is_published and not reason.strip():
        raise DomainError(
            f"“{inspection}” is public: give the reason for the correction, which is published."
        )


@transaction.atomic
def inspection_log_changes(*, inspection: Inspection, diffs: dict, user=None, reason: str) -> None:
    """Log what changed in a report, ``{part: (old, new)}``: its fields, or the parts the admin
    saves with it (inspected organisations, partner inspectorates, judgements,
    causes of concern). Once the report is public each change is a correction, with a reason."""
    if not diffs:
        return
    _check_reason(inspection, reason)
    log_action(
        action=(
            "inspections.inspection.corrected"
            if inspection.is_published
            else "inspections.inspection.edited"
        ),
        obj=inspection,
        actor=user,
        data={
            "fields": {
                name: {"from": _logged(old), "to": _logged(new)}
                for name, (old, new) in diffs.items()
            },
            "reason": reason.strip(),
        },
    )


def _unique_slug(title: str) -> str:
    from django.utils.text import slugify

    base = slugify(title)[:180] or "report"
    slug, n = base, 2
    while Inspection.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def inspection_create(
    *,
    title: str,
    programme,
    lead_inspectorate,
    organisations,
    user=None,
    partner_inspectorates=(),
    fieldwork_started_on: date | None = None,
    fieldwork_ended_on: date | None = None,
    report_url: str = "",
    summary: str = "",
    follows_up: Inspection | None = None,
    figures=(),
) -> Inspection:
    """A new, unpublished report (the draft the report editor works on), with its inspected
    bodies, partner inspectorates and key figures (``(label, value, out_of)``); logged as
    ``inspections.inspection.created``. Publication is scheduled later, once its checklist is
    clean (``recommendations.publication``)."""
    from inspections.models import KeyFigure

    if not title.strip():
        raise DomainError("Give the report's title.")
    organisations = list(organisations)
    if not organisations:
        raise DomainError("Name at least one inspected organisation.")
    if fieldwork_started_on and fieldwork_ended_on and fieldwork_ended_on < fieldwork_started_on:
        raise DomainError("The fieldwork cannot end before it starts.")
    partners = [p for p in partner_inspectorates if p.pk != lead_inspectorate.pk]
    inspection = Inspection.objects.create(
        title=title.strip(),
        slug=_unique_slug(title),
        programme=programme,
        lead_inspectorate=lead_inspectorate,
        fieldwork_started_on=fieldwork_started_on,
        fieldwork_ended_on=fieldwork_ended_on,
        report_url=report_url.strip(),
        summary=summary.strip(),
        follows_up=follows_up,
    )
    inspection.organisations.set(organisations)
    inspection.partner_inspectorates.set(partners)
    KeyFigure.objects.bulk_create(
        KeyFigure(inspection=inspection, label=label, value=value, out_of=out_of, position=n)
        for n, (label, value, out_of) in enumerate(figures)
    )
    log_action(
        action="inspections.inspection.created",
        obj=inspection,
        actor=user,
        data={
            "title": inspection.title,
            "programme": programme.slug,
            "lead_inspectorate": lead_inspectorate.slug,
            "organisations": sorted(o.slug for o in organisations),
            "partner_inspectorates": sorted(p.slug for p in partners),
        },
    )
    return inspection


@transaction.atomic
def inspection_set_parties(
    *, inspection: Inspection, organisations, partner_inspectorates=None, user=None, reason: str
) -> dict:
    """Change whom a draft report inspected and which inspectorates joined it (``None``: the
    partners stay), logged with the old and new names. Who may name the partners (the lead
    inspectorate) is the policy's, which the doors ask. Refused once the report is published:
    the inspected bodies are part of the public record and start the section 55 clock, so
    they are corrected by an administrator in the admin, with the reason. Returns
    ``{part: (old names, new names)}`` for what changed."""
    locked = Inspection.objects.select_for_update(of=("self",)).get(pk=inspection.pk)
    if locked.is_published:
        raise DomainError(
            f"“{locked}” is published: its inspected organisations and inspectorates are part "
            "of the public record and are not changed in the report editor. Ask an "
            "administrator to correct them in the admin, with the reason."
        )
    organisations = list(organisations)
    if not organisations:
        raise DomainError("Name at least one inspected organisation.")
    wanted = {"organisations": organisations}
    if partner_inspectorates is not None:
        wanted["partner_inspectorates"] = [
            p for p in partner_inspectorates if p.pk != locked.lead_inspectorate_id
        ]
    diffs = {}
    for name, new in wanted.items():
        relation = getattr(locked, name)
        old = list(relation.all())
        if {o.pk for o in old} != {o.pk for o in new}:
            relation.set(new)
            diffs[name] = (sorted(str(o) for o in old), sorted(str(o) for o in new))
    inspection_log_changes(inspection=locked, diffs=diffs, user=user, reason=reason)
    return diffs


# The largest value a key figure's PositiveIntegerField holds.
KEY_FIGURE_MAX = 2_147_483_647


@transaction.atomic
def inspection_set_key_figures(*, inspection: Inspection, figures, user=None, reason: str) -> dict:
    """Replace a report's key figures with ``figures`` (``(label, value, out_of)`` in order),
    logged with the old and new figures; once the report is public the change is a correction
    that needs a reason (``inspections.inspection.corrected``, shown publicly as "Corrected on
    <date>"). Nothing is written when the figures are the same. Returns ``{"key figures":
    (old, new)}`` when they changed, else ``{}``."""
    from inspections.models import KeyFigure

    locked = Inspection.objects.select_for_update(of=("self",)).get(pk=inspection.pk)
    new = [
        (label.strip(), int(value), None if out_of is None else int(out_of))
        for label, value, out_of in figures
    ]
    for label, value, out_of in new:
        if not label:
            raise DomainError("Give each key figure a label.")
        if len(label) > 300:
            raise DomainError(f"The label “{label[:40]}…” is longer than 300 characters.")
        if not 0 <= value <= KEY_FIGURE_MAX or (out_of is not None and out_of > KEY_FIGURE_MAX):
            raise DomainError(f"The figure “{label}” is not a number this register can hold.")
        if out_of is not None and value > out_of:
            raise DomainError(f"The figure “{label}”: {value} is more than its total {out_of}.")
    rows = list(KeyFigure.objects.filter(inspection=locked).order_by("position", "pk"))
    old = [(row.label, row.value, row.out_of) for row in rows]
    if old == new:
        return {}
    _check_reason(locked, reason)
    KeyFigure.objects.filter(inspection=locked).delete()
    created = KeyFigure.objects.bulk_create(
        KeyFigure(inspection=locked, label=label, value=value, out_of=out_of, position=n)
        for n, (label, value, out_of) in enumerate(new)
    )
    diffs = {"key figures": ([str(row) for row in rows], [str(row) for row in created])}
    inspection_log_changes(inspection=locked, diffs=diffs, user=user, reason=reason)
    return diffs
