from django.contrib.contenttypes.models import ContentType

from audit.models import ActionLog
from core.signals import bulk_written


def log_action(*, action: str, obj, actor=None, data: dict | None = None) -> ActionLog:
    """Record an edit of ``obj``. Call inside the transaction that makes the edit."""
    return ActionLog.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        data=data or {},
    )


def log_actions(*, entries, actor=None) -> list[ActionLog]:
    """Record many edits at once, in one insert: ``entries`` holds ``(action, obj, data)``.

    The same rows as ``log_action`` for each; for bulk writes such as an import.
    """
    rows = [
        ActionLog(
            action=action,
            actor=actor if actor is not None and actor.is_authenticated else None,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            object_repr=str(obj)[:300],
            data=data or {},
        )
        for action, obj, data in entries
    ]
    logged = ActionLog.objects.bulk_create(rows, batch_size=1000)
    # A bulk edit (an import, new addressees) is logged here: its rows sent no post_save.
    bulk_written.send(sender=ActionLog)
    return logged
