from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect

from inspections.models import Organisation
from recommendations.choices import CLOSED_STATUSES, Status
from recommendations.models import Finding, Item
from recommendations.policy import inspectorate_moves
from recommendations.services import (
    StaleEditError,
    TransitionError,
    item_check_transition,
)


def superseding_finding_field(**kwargs):
    return forms.ModelChoiceField(
        queryset=Finding.objects.all(),
        required=False,
        label="Superseded by",
        help_text="Only when closing as superseded: the newer finding that replaces this one.",
        widget=AutocompleteSelect(Item._meta.get_field("superseded_by"), admin.site),
        **kwargs,
    )


class ItemChangeForm(forms.ModelForm):
    """The admin form of one addressee's finding: status, due date and addressee change only
    through services, and only if the item is still as the form showed it (``version``)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    new_status = forms.ChoiceField(label="Change status to", required=False)
    note = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Published with the change, e.g. “Authorised for closure on the basis of …”.",
    )
    new_superseded_by = superseding_finding_field()
    new_due_date = forms.DateField(label="New due date", required=False)
    due_date_reason = forms.CharField(
        label="Reason for the new due date",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    replace_with = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        required=False,
        label="Address it to instead",
        help_text="An item's organisation never changes. Before publication, an item without "
        "history is removed and a new one added; otherwise this item is closed as no longer "
        "relevant, with your reason, and a new one added.",
        widget=AutocompleteSelect(Item._meta.get_field("organisation"), admin.site),
    )
    remove = forms.BooleanField(
        label="Remove this addressee (named by mistake)",
        required=False,
        help_text="Only before publication, and only while the item has no history.",
    )
    addressee_reason = forms.CharField(
        label="Reason for the change of addressee",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Item
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the inspectorate's moves: starting work and submitting for closure are the
        # organisation's, and made here they would be published as self-reported.
        allowed = inspectorate_moves(self.instance.status) if self.instance.pk else ()
        self.fields["new_status"].choices = [("", "Leave as it is")] + [
            (status.value, status.label) for status in Status if status in allowed
        ]
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        new_status = cleaned.get("new_status")
        # The choices are the inspectorate's moves only (``__init__``): any other status is
        # refused by the field itself.
        if new_status:
            try:
                item_check_transition(
                    item=self.instance,
                    to_status=new_status,
                    note=cleaned.get("note", ""),
                    superseded_by=cleaned.get("new_superseded_by"),
                )
            except TransitionError as error:
                raise forms.ValidationError(str(error)) from error
        elif cleaned.get("new_superseded_by"):
            self.add_error("new_superseded_by", "Choose “Closed: superseded” as the new status.")
        if cleaned.get("new_due_date") and not cleaned.get("due_date_reason", "").strip():
            self.add_error("due_date_reason", "Give the reason for the new due date.")
        changing_addressee = cleaned.get("remove") or cleaned.get("replace_with")
        if cleaned.get("remove") and cleaned.get("replace_with"):
            self.add_error("remove", "Either remove this addressee or replace it, not both.")
        if changing_addressee and (new_status or cleaned.get("new_due_date")):
            self.add_error(
                None, "Change the addressee on its own, not with a status or due date change."
            )
        if changing_addressee and not cleaned.get("addressee_reason", "").strip():
            self.add_error("addressee_reason", "Give the reason for the change of addressee.")
        return cleaned


class BulkVersionsMixin:
    """The intermediate page of a bulk action carries the version of each item it showed."""

    @staticmethod
    def version_field_name(item) -> str:
        return f"version-{item.pk}"

    def versions_missing(self, data, items) -> bool:
        """Whether the post lacks the version of any item (an incomplete or forged form)."""
        # isdecimal, not isdigit: "²" is a digit that int() refuses.
        return any(
            not str(data.get(self.version_field_name(item), "")).isdecimal() for item in items
        )

    def stale_items(self, data, items) -> list[str]:
        """Items changed since the page showed them, each saying what changed."""
        stale = []
        for item in items:
            # Only after versions_missing: every version is a whole number.
            shown = int(data[self.version_field_name(item)])
            if shown != item.version:
                stale.append(f"{item}: {StaleEditError(item, shown)}")
        return stale


class BulkStatusForm(BulkVersionsMixin, forms.Form):
    """The intermediate page of a bulk status action: one reason for every selected item."""

    note = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Recorded in the history of every selected item.",
    )


class BulkCloseForm(BulkStatusForm):
    outcome = forms.ChoiceField(
        label="Close as",
        choices=[(s.value, s.label) for s in Status if s in CLOSED_STATUSES],
    )
    superseded_by = superseding_finding_field()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == Status.CLOSED_SUPERSEDED and not cleaned.get("superseded_by"):
            self.add_error("superseded_by", "Choose the finding that supersedes these.")
        if cleaned.get("outcome") != Status.CLOSED_SUPERSEDED and cleaned.get("superseded_by"):
            self.add_error("superseded_by", "Only findings closed as superseded have one.")
        return cleaned
