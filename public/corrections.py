"""Corrections of published report text, as the public pages show them.

``finding_update`` logs ``recommendations.finding.corrected``, ``inspection_update``
``inspections.inspection.corrected`` and ``cause_of_concern_update``
``recommendations.cause_of_concern.corrected`` (each with ``{"fields": ..., "reason": ...}``)
when the text of a published report changes; the pages say "Corrected on <date>: <reason>".
"""

from django.db.models import Q
from django.utils import timezone

from audit.models import ActionLog

CORRECTED_ACTIONS = (
    "recommendations.finding.corrected",
    "inspections.inspection.corrected",
    "recommendations.cause_of_concern.corrected",
)


def attach_corrections(objects) -> None:
    """Give each finding, cause of concern or inspection of ``objects`` a ``corrections`` list
    (oldest first) of ``{"on", "reason", "fields"}``: one query for them all, never one per
    object."""
    objects = [obj for obj in objects if obj is not None]
    for obj in objects:
        obj.corrections = []
    if not objects:
        return
    by_model = {}
    for obj in objects:
        meta = obj._meta
        by_model.setdefault((meta.app_label, meta.model_name), {})[str(obj.pk)] = obj
    condition = Q()
    for (app_label, model), found in by_model.items():
        condition |= Q(
            content_type__app_label=app_label,
            content_type__model=model,
            object_id__in=list(found),
        )
    logs = (
        ActionLog.objects.filter(condition, action__in=CORRECTED_ACTIONS)
        .select_related("content_type")
        .order_by("at", "pk")
    )
    for log in logs:
        key = (log.content_type.app_label, log.content_type.model)
        obj = by_model.get(key, {}).get(log.object_id)
        if obj is None:
            continue
        data = log.data or {}
        obj.corrections.append(
            {
                "on": timezone.localdate(log.at),
                "at": log.at,
                "reason": data.get("reason", ""),
                "fields": sorted(data.get("fields", {})),
            }
        )
