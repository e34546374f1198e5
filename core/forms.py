"""What a form that writes carries: a one-time token, and what it was shown for."""

from django import forms


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
