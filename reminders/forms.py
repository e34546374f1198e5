from django import forms
from django.utils.translation import gettext_lazy as _

from reminders.choices import (
    DUE_SOON_DAYS,
    FACTUAL_ACCURACY_WARNING_DAYS,
    SECTION_55_WARNING_DAYS,
    ReminderKind,
)

HINTS = {
    ReminderKind.DUE_SOON: (
        f"Findings of your organisation that are not closed and fall due in the next "
        f"{DUE_SOON_DAYS} days."
    ),
    ReminderKind.OVERDUE: "Findings of your organisation past their due date and not closed.",
    ReminderKind.AWAITING_REVIEW: (
        "Findings submitted for closure in inspections your inspectorate leads, oldest first."
    ),
    ReminderKind.REVIEW_OUTCOME: (
        "When the inspectorate closes, returns or reopens a finding of your organisation."
    ),
    ReminderKind.SECTION_55: (
        f"Your body's section 55 responses not yet published that are due within "
        f"{SECTION_55_WARNING_DAYS} days or overdue."
    ),
    ReminderKind.FACTUAL_ACCURACY: (
        "Draft reports shared with your organisation for a factual-accuracy check, from "
        f"{FACTUAL_ACCURACY_WARNING_DAYS} days before the last day for comments."
    ),
}


class ReminderPreferencesForm(forms.Form):
    """The kinds of reminder a person can turn on or off: the ones that concern them."""

    kinds = forms.MultipleChoiceField(
        label=_("Email me about"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose only from the reminders listed")},
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = [ReminderKind(kind) for kind in kinds]
        self.fields["kinds"].choices = [(kind.value, kind.label) for kind in self.kinds]

    def options(self):
        """Each checkbox with its hint and whether it is ticked, for the GOV.UK markup."""
        if self.is_bound:
            ticked = set(self.data.getlist("kinds"))
        else:
            ticked = set(self.initial.get("kinds", ()))
        return [
            {
                "value": kind.value,
                "label": kind.label,
                "hint": HINTS[kind],
                "checked": kind.value in ticked,
                "id": "id_kinds" if index == 0 else f"id_kinds-{index + 1}",
            }
            for index, kind in enumerate(self.kinds)
        ]
