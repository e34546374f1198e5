from django import forms


class FindingImportForm(forms.Form):
    """The admin's upload of one inspection's findings, before the preview."""

    file = forms.FileField(
        label="CSV or Excel file",
        allow_empty_file=True,  # The import says why an empty file will not do.
        help_text="A .csv file (UTF-8) or an Excel workbook (.xlsx), with the header row of the "
        "template. Nothing is saved before you confirm the preview.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class PasteForm(forms.Form):
    """Findings pasted from the report's text, and the choices that resolve the doubts the
    parser cannot: whom findings that name no addressee are for, and their deadline."""

    text = forms.CharField(
        label="Paste the findings",
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=200_000,
        help_text="Copy them from the report: “Cause of concern 1 …”, “Recommendation 1 …”, "
        "“Area for improvement 1: The force should …”, or a heading over a numbered list. "
        "Nothing is saved before you check the preview.",
    )
    fallback = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Findings whose words name no addressee are addressed to",
        help_text="Only those the preview marks “No addressee found”. Leave empty to choose "
        "in the text instead.",
    )
    deadline = forms.ChoiceField(
        label="Deadline of the pasted findings",
        widget=forms.RadioSelect,
        initial="later",
        choices=[
            ("later", "Set each one later"),
            ("none", "No deadline: the report sets none"),
            ("date", "All due on one date"),
        ],
    )
    due_date = forms.DateField(
        required=False, label="Due date", help_text="For example 2026-02-07."
    )
    digest = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, offered=(), **kwargs):
        super().__init__(*args, **kwargs)
        from inspections.models import Organisation

        self.offered = list(offered)
        self.fields["fallback"].queryset = Organisation.objects.filter(
            pk__in=[org.pk for org in self.offered]
        )
        self.fields["fallback"].choices = [(org.pk, org.name) for org in self.offered]

    def clean(self):
        data = super().clean()
        if data.get("deadline") == "date" and not data.get("due_date"):
            self.add_error("due_date", "Give the due date, or choose another option.")
        if data.get("deadline") != "date":
            data["due_date"] = None
        return data
