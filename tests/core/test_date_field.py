"""The GOV.UK date input: day, month and year boxes, what was typed kept, clear errors."""

from datetime import date

import pytest
from django import forms

from core.forms import GovukDateField


class DateForm(forms.Form):
    on = GovukDateField(label="Date", help_text="For example, 31 3 2027")


def posted(day, month, year):
    return DateForm({"on-day": day, "on-month": month, "on-year": year})


def test_three_boxes_make_a_date():
    form = posted("31", "3", "2027")

    assert form.is_valid()
    assert form.cleaned_data["on"] == date(2027, 3, 31)


@pytest.mark.parametrize(
    "parts,error",
    [
        (("", "", ""), "Enter the date"),
        (("31", "", "2027"), "The date must include a day, a month and a year"),
        (("31", "2", "2027"), "Enter a real date, for example 31 3 2027"),
        (("1", "march", "2027"), "Enter a real date, for example 31 3 2027"),
        (("1", "3", "27"), "Enter a real date, for example 31 3 2027"),
    ],
)
def test_a_wrong_date_says_what_is_wrong_and_keeps_what_was_typed(parts, error):
    form = posted(*parts)

    assert not form.is_valid()
    assert form.errors["on"] == [error]
    assert [part["value"] for part in form["on"].parts()] == list(parts)


def test_the_boxes_show_an_initial_date():
    form = DateForm(initial={"on": date(2026, 12, 4)})

    boxes = form["on"].parts()

    assert [(b["name"], b["value"]) for b in boxes] == [
        ("on-day", "4"),
        ("on-month", "12"),
        ("on-year", "2026"),
    ]


def test_the_template_renders_the_govuk_date_input():
    from django.template.loader import render_to_string

    html = render_to_string("includes/date_field.html", {"field": posted("31", "", "2027")["on"]})

    assert 'class="govuk-date-input"' in html
    assert html.count('inputmode="numeric"') == 3
    assert 'name="on-day"' in html and 'value="31"' in html
    assert 'name="on-month"' in html and 'value=""' in html
    assert html.count("govuk-input--error") == 3
    assert 'aria-describedby="on-hint on-error"' in html
