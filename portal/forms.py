"""Forms of the organisation portal. Each carries the status and version it was built from, so
that a save made after someone else's change is refused rather than overwriting it, and a
one-time token (core.services), so that the same form sent twice saves once."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.forms import GovukDateField, OneTimeTokenField
from recommendations.choices import Section55Action, SelfAssessment
from recommendations.evidence import ALLOWED_DESCRIPTION, EvidenceField


class VersionedForm(forms.Form):
    token = OneTimeTokenField()
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status = forms.CharField(widget=forms.HiddenInput, required=False)


class ProgressUpdateForm(VersionedForm):
    narrative = forms.CharField(
        label=_("What has been done since the last update?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Describe the progress made")},
    )
    self_assessment = forms.ChoiceField(
        label=_("How is it going?"),
        choices=SelfAssessment.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how it is going")},
    )
    publish = forms.TypedChoiceField(
        label=_("Who can see this update?"),
        choices=[
            ("yes", "Everyone: publish it on the public timeline"),
            ("no", "Only your organisation and the inspectorate"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Select who can see this update")},
    )
    evidence = EvidenceField(
        label=_("Evidence (optional)"),
        required=False,
        help_text=format_lazy(
            _("{types} files. Evidence is never public."), types=ALLOWED_DESCRIPTION
        ),
    )


class CorrectionForm(VersionedForm):
    """A correction of a published update: a new published update that says what it corrects.
    The original stays as it was, beside it on the public timeline."""

    narrative = forms.CharField(
        label=_("The corrected update"),
        help_text=_("Published on the public timeline beside the original, which stays as it was."),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write the corrected update")},
    )
    reason = forms.CharField(
        label=_("What does this correction put right?"),
        help_text=_("Published with the correction."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what the correction puts right")},
    )
    self_assessment = forms.ChoiceField(
        label=_("How is it going?"),
        choices=SelfAssessment.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how it is going")},
    )
    evidence = EvidenceField(
        label=_("Evidence (optional)"),
        required=False,
        help_text=format_lazy(
            _("{types} files. Evidence is never public."), types=ALLOWED_DESCRIPTION
        ),
    )


class DueDateProposalForm(VersionedForm):
    proposed_due_date = GovukDateField(
        label=_("New due date"),
        help_text=_("For example, 31 3 2027"),
        error_messages={
            "required": _("Enter the new due date"),
            "incomplete": _("The new due date must include a day, a month and a year"),
            "invalid": _("Enter the new due date as a real date, for example 31 3 2027"),
        },
    )
    reason = forms.CharField(
        label=_("Why is a new due date needed?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Give the reason for the new due date")},
    )


class SubmitForClosureForm(VersionedForm):
    note = forms.CharField(
        label=_("What was done, and how does the evidence show it?"),
        help_text=_("This statement is published on the public timeline; the files are not."),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Describe what was done and the evidence for it")},
    )
    evidence = EvidenceField(
        label=_("Evidence"),
        help_text=format_lazy(_("{types} files, at least one."), types=ALLOWED_DESCRIPTION),
        error_messages={"required": _("Choose at least one evidence file")},
    )


class Section55Form(forms.Form):
    """The response, with an action and a statement per recommendation of the report."""

    token = OneTimeTokenField()
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status = forms.CharField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(
        label=_("Your response"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Your comments and the chief officer's comments on the report."),
    )
    url = forms.URLField(
        label=_("Link to the response on your website (optional)"),
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Enter a full web address, like https://www.example.org/")},
    )

    def __init__(self, *args, recommendations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.recommendations = list(recommendations)
        for finding in self.recommendations:
            self.fields[f"action_{finding.pk}"] = forms.ChoiceField(
                label=format_lazy(_("What about {reference}?"), reference=finding.reference),
                choices=Section55Action.choices,
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[f"statement_{finding.pk}"] = forms.CharField(
                label=format_lazy(_("Statement on {reference}"), reference=finding.reference),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def clean(self):
        cleaned = super().clean()
        for finding in self.recommendations:
            action = cleaned.get(f"action_{finding.pk}")
            statement = (cleaned.get(f"statement_{finding.pk}") or "").strip()
            if statement and not action:
                self.add_error(
                    f"action_{finding.pk}",
                    f"Select whether action has been taken, will be taken or not, "
                    f"for {finding.reference}",
                )
            if action and not statement:
                self.add_error(
                    f"statement_{finding.pk}", f"Write the statement on {finding.reference}"
                )
        return cleaned

    def statements(self):
        return {
            finding: (
                self.cleaned_data.get(f"action_{finding.pk}") or "",
                self.cleaned_data.get(f"statement_{finding.pk}") or "",
            )
            for finding in self.recommendations
        }

    def rows(self):
        """Each recommendation with its two fields, for the template."""
        return [
            (finding, self[f"action_{finding.pk}"], self[f"statement_{finding.pk}"])
            for finding in self.recommendations
        ]


class FactualAccuracyCommentForm(forms.Form):
    """A comment on one finding of the draft (its own prefix on the page), or on the report.
    ``organisations`` are those the person may comment for (the policy's list, already
    fetched): a person who leads two inspected bodies says which one speaks."""

    organisation = forms.TypedChoiceField(
        label=_("Commenting for"),
        coerce=int,
        error_messages={"required": _("Choose the organisation you comment for")},
    )
    text = forms.CharField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20_000,
        error_messages={"required": _("Enter your comment")},
    )

    def __init__(self, *args, organisations, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {o.pk: o for o in organisations}
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]
        if organisations:
            self.fields["organisation"].initial = organisations[0].pk
        if label:
            self.fields["text"].label = label

    def clean_organisation(self):
        return self.organisations[self.cleaned_data["organisation"]]
