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
