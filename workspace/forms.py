"""Forms of the inspector workspace: every decision carries its reason, the status and version
it was shown for and a one-time token (core.services), so that a decision is made against what
the person saw and is recorded once."""

from django import forms
from django.core.exceptions import ValidationError

from core.forms import GovukDateField, OneTimeTokenField
from inspections.models import Organisation
from recommendations import policy
from recommendations.choices import FactualAccuracyResponse, Status

ACCEPT = "accept"
RETURN = "return"
NOT_IMPLEMENTED = "not_implemented"
SUPERSEDED = "superseded"
NO_LONGER_RELEVANT = "no_longer_relevant"

DECISIONS = {
    ACCEPT: ("Accept: closed as complete (verified)", Status.CLOSED_COMPLETE),
    RETURN: ("Return with comments: back to in progress", Status.IN_PROGRESS),
    NOT_IMPLEMENTED: ("Close as not implemented", Status.CLOSED_NOT_IMPLEMENTED),
    SUPERSEDED: ("Close as superseded by a newer finding", Status.CLOSED_SUPERSEDED),
    NO_LONGER_RELEVANT: ("Close as no longer relevant", Status.CLOSED_NO_LONGER_RELEVANT),
}

# What each decision did, after "You": "You accepted this on 30 November 2026 at 10:02".
OUTCOMES = {
    ACCEPT: "accepted this",
    RETURN: "returned this to the organisation",
    NOT_IMPLEMENTED: "closed this as not implemented",
    SUPERSEDED: "closed this as superseded",
    NO_LONGER_RELEVANT: "closed this as no longer relevant",
}


class ShownForm(forms.Form):
    """A form that writes: its one-time token and what it was shown for."""

    token = OneTimeTokenField()
    status = forms.CharField(widget=forms.HiddenInput, required=False)


class DecisionForm(ShownForm):
    """Decisions on an item that is not closed. Reopening is not one of them: it has its own
    page (ReopenForm), so that it is never a choice left over from an earlier decision."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(
        label="Your decision",
        widget=forms.RadioSelect,
        error_messages={"required": "Select your decision"},
    )
    superseded_by = forms.CharField(
        label="Reference of the superseding finding",
        required=False,
        help_text="Only when closing as superseded. For example: met-custody-2025/R1 "
        "(the report's address name, a slash, the reference).",
    )
    note = forms.CharField(
        label="Reason",
        help_text="Published on the item's timeline, for example “Authorised for closure on "
        "the basis of ...”.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Give the reason for your decision"},
    )

    def __init__(self, *args, user, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["decision"].choices = [(key, DECISIONS[key][0]) for key in allowed]

    def clean_superseded_by(self):
        value = self.cleaned_data.get("superseded_by", "").strip()
        if not value:
            return None
        slug, _, reference = value.rpartition("/")
        # Only findings the person may see: an embargoed report's references stay unknown.
        finding = (
            policy.findings_visible_to(self.user)
            .filter(inspection__slug=slug, reference__iexact=reference)
            .select_related("inspection")
            .first()
        )
        if finding is None:
            raise ValidationError(
                "No finding has that reference. Write the report's address name, a slash and "
                "the reference, for example met-custody-2025/R1"
            )
        return finding

    def clean(self):
        cleaned = super().clean()
        missing = not cleaned.get("superseded_by") and "superseded_by" not in self.errors
        if cleaned.get("decision") == SUPERSEDED and missing:
            self.add_error("superseded_by", "Enter the reference of the superseding finding")
        return cleaned


class ReopenForm(ShownForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = forms.CharField(
        label="Why is it being reopened?",
        help_text="Published on the item's timeline.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Give the reason for reopening it"},
    )


class WithdrawForm(ShownForm):
    """Withdrawing a published update for a legal reason: the reason is published in its place,
    the original kept for inspectors."""

    reason = forms.CharField(
        label="Why is this update being withdrawn?",
        help_text="This reason is published in place of the update.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the reason for withdrawing the update"},
    )


class DueDateDecisionForm(ShownForm):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("agree", "Agree the new due date"), ("refuse", "Refuse it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you agree"},
    )
    note = forms.CharField(
        label="Reason",
        required=False,
        help_text="Needed when you refuse.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "refuse" and not cleaned.get("note", "").strip():
            self.add_error("note", "Give the reason for refusing")
        return cleaned


class EngageEnterForm(forms.Form):
    token = OneTimeTokenField()
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.filter(ceased_on__isnull=True).order_by("name"),
        to_field_name="slug",
        error_messages={"required": "Select the organisation"},
    )
    entered_on = GovukDateField(
        label="Date it moved into Engage",
        help_text="For example, 31 3 2026",
        error_messages={
            "required": "Enter the date",
            "incomplete": "The date must include a day, a month and a year",
            "invalid": "Enter a real date, for example 31 3 2026",
        },
    )
    reasons = forms.CharField(
        label="Reasons",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the reasons"},
    )


class EngageLeaveForm(ShownForm):
    left_on = GovukDateField(
        label="Date it moved out of Engage",
        help_text="For example, 31 3 2026",
        error_messages={
            "required": "Enter the date",
            "incomplete": "The date must include a day, a month and a year",
            "invalid": "Enter a real date, for example 31 3 2026",
        },
    )
    reasons = forms.CharField(
        label="Reasons",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the reasons"},
    )


class FactualAccuracyOpenForm(forms.Form):
    token = OneTimeTokenField()
    closes_on = forms.DateField(
        label="Last day for comments",
        help_text="Usually 10 working days from today. For example, 18/12/2026",
        error_messages={
            "required": "Enter the last day for comments",
            "invalid": "Enter a real date",
        },
    )


class FactualAccuracyAnswerForm(forms.Form):
    """The answer to one comment; the page holds one per comment, each with its own prefix."""

    response = forms.ChoiceField(
        label="Your answer",
        choices=FactualAccuracyResponse.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select accepted or not accepted"},
    )
    reply = forms.CharField(
        label="Reply to the organisation",
        required=False,
        help_text="Needed when the comment is not accepted: say why.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("response") == FactualAccuracyResponse.NOT_ACCEPTED
            and not (cleaned.get("reply") or "").strip()
        ):
            self.add_error("reply", "Say why the comment is not accepted")
        return cleaned
