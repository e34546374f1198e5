"""Personas and reports for the admin's permission tests.

Both inspectors are staff with the same model permissions (every permission of the
inspections and recommendations apps): what tells them apart is only their inspectorate, so
whatever the CQC inspector cannot do on an HMICFRS report is the policy speaking, not Django's
model permissions.
"""

from datetime import timedelta

import pytest
from django import forms
from django.contrib.auth.models import Permission
from django.utils import timezone

from accounts.models import User
from inspections.models import Inspection, Inspectorate
from recommendations.choices import FindingKind
from recommendations.models import Finding
from recommendations.services import finding_add_addressees, progress_update_add


def _grant_everything(user):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label__in=["inspections", "recommendations"])
    )
    return User.objects.get(pk=user.pk)  # Drop the cached permissions.


@pytest.fixture
def cqc(db):
    return Inspectorate.objects.create(
        slug="cqc", name="Care Quality Commission", abbreviation="CQC"
    )


@pytest.fixture
def hmicfrs_inspector(inspector):
    return _grant_everything(inspector)


@pytest.fixture
def cqc_inspector(cqc):
    user = User.objects.create_user(
        username="cqc-inspector", password="pw-cqc-1", inspectorate=cqc, is_staff=True
    )
    return _grant_everything(user)


@pytest.fixture
def embargoed(hmicfrs, custody, met, kent):
    """An HMICFRS report scheduled for next week, with R9 to the Met and Kent."""
    report = Inspection.objects.create(
        title="Embargoed Kent and Met report",
        slug="embargoed-report",
        programme=custody,
        lead_inspectorate=hmicfrs,
        summary="What the inspection of custody in Kent and London found.",
        report_url="https://hmicfrs.justiceinspectorates.gov.uk/publications/embargoed/",
        published_at=timezone.now() + timedelta(days=7),
    )
    report.organisations.add(met, kent)
    finding = Finding.objects.create(
        inspection=report,
        kind=FindingKind.RECOMMENDATION,
        reference="R9",
        text="Embargoed recommendation.",
        due_date=timezone.localdate() + timedelta(days=200),
    )
    finding_add_addressees(finding=finding, organisations=[met, kent])
    return report


@pytest.fixture
def published_update(item):
    return progress_update_add(
        item=item,
        narrative="The original published narrative.",
        self_assessment="on_track",
        publish=True,
    )


def _field_data(form, data):
    for name, field in form.fields.items():
        if field.disabled:
            continue
        bound = form[name]
        value = bound.value()
        if isinstance(field.widget, forms.MultiWidget):
            parts = value if isinstance(value, list) else field.widget.decompress(value)
            for i, part in enumerate(parts):
                data[f"{bound.html_name}_{i}"] = "" if part is None else str(part)
        elif isinstance(value, (list, tuple)):
            data[bound.html_name] = [str(v) for v in value]
        elif isinstance(value, bool) or isinstance(field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
        elif value is not None:
            data[bound.html_name] = str(value)


def change_form_data(response) -> dict:
    """What the browser would post back from a rendered admin add or change page."""
    data = {}
    _field_data(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _field_data(formset.management_form, data)
        for form in formset.forms:
            _field_data(form, data)
    return data
