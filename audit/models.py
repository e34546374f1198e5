from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class ActionLogQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )


class ActionLog(models.Model):
    """One structured, append-only record of an edit other than a status change.

    ``action`` is a dotted code such as ``inspections.inspection.published``; ``data`` holds
    what a reader needs to understand the change (old and new values, reasons).
    """

    action = models.CharField(max_length=100)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the system or a command made the change.",
    )
    at = models.DateTimeField(auto_now_add=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)

    objects = ActionLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            # An object's history page: ActionLog.objects.for_object(obj).
            models.Index(fields=["content_type", "object_id", "-at"], name="actionlog_object_idx"),
        ]

    def __str__(self):
        return f"{self.action} on {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("The action log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The action log is append-only.")
