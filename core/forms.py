"""What a form that writes carries: a one-time token, and what it was shown for; and the GOV.UK
date input (day, month and year boxes) for the dates people type."""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

PARTS = ("day", "month", "year")
PART_LABELS = {"day": _("Day"), "month": _("Month"), "year": _("Year")}


class OneTimeTokenField(forms.CharField):
    """The token is checked by the view before the form is validated (a form sent twice must
    be refused as such, even when its choices no longer exist), so the field itself never
    fails."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


def show_with(form, **values):
    """Put fresh hidden values (a new token, the version and status now) into a form about to
    be rendered, keeping what the person typed in a bound form."""
    if form.is_bound:
        form.data = form.data.copy()
        for name, value in values.items():
            form.data[name] = value
    else:
        form.initial.update(values)
    return form


class DateInputWidget(forms.MultiWidget):
    """Three text boxes named ``<name>-day``, ``<name>-month`` and ``<name>-year``, as the GOV.UK
    date input component names them. Rendered by templates/includes/date_field.html."""

    def __init__(self, attrs=None):
        super().__init__([forms.TextInput() for _ in PARTS], attrs)
        # Django would name them "<name>_0"...; GOV.UK's are "<name>-day"...
        self.widgets_names = [f"-{part}" for part in PARTS]

    def decompress(self, value):
        if isinstance(value, date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]


class DateBoundField(BoundField):
    def parts(self) -> list[dict]:
        """Each box with its name, id, label and what it holds: what was typed, kept as typed
        when it was wrong, or the initial date."""
        value = self.value()
        if isinstance(value, date) or value is None:
            value = self.field.widget.decompress(value)
        values = list(value) + [None] * (3 - len(value))
        return [
            {
                "name": f"{self.html_name}-{part}",
                "id": f"id_{self.html_name}-{part}",
                "label": PART_LABELS[part],
                "value": values[index] or "",
                "width": "govuk-input--width-4" if part == "year" else "govuk-input--width-2",
            }
            for index, part in enumerate(PARTS)
        ]


class GovukDateField(forms.MultiValueField):
    """A date typed as day, month and year. The errors say which part is missing or wrong."""

    widget = DateInputWidget
    default_error_messages = {
        "required": _("Enter the date"),
        "incomplete": _("The date must include a day, a month and a year"),
        "invalid": _("Enter a real date, for example 31 3 2027"),
    }

    def __init__(self, **kwargs):
        parts = tuple(forms.CharField(required=False) for _ in PARTS)
        super().__init__(parts, require_all_fields=False, **kwargs)

    def get_bound_field(self, form, field_name):
        return DateBoundField(form, self, field_name)

    def compress(self, data_list):
        if not data_list:
            return None
        day, month, year = (str(part or "").strip() for part in data_list)
        if not (day and month and year):
            raise ValidationError(self.error_messages["incomplete"], code="incomplete")
        if not all(re.fullmatch(r"\d{1,2}", part) for part in (day, month)) or not re.fullmatch(
            r"\d{4}", year
        ):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
