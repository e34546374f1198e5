"""Shared fixtures: the named personas and a small published inspection to work on."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Membership, User
from inspections.choices import OrganisationKind, ProgrammeKind
from inspections.models import Inspection, Inspectorate, Organisation, Programme
from recommendations.choices import FindingKind
from recommendations.models import Finding
from recommendations.services import finding_add_addressees


@pytest.fixture
def hmicfrs(db):
    return Inspectorate.objects.create(
        slug="hmicfrs",
        name="HM Inspectorate of Constabulary and Fire & Rescue Services",
        abbreviation="HMICFRS",
    )


@pytest.fixture
def mopac(db):
    return Organisation.objects.create(
        slug="mayors-office-for-policing-and-crime",
        name="Mayor's Office for Policing and Crime",
        kind=OrganisationKind.LOCAL_POLICING_BODY,
        country="England",
        region="London",
    )


@pytest.fixture
def met(mopac):
    return Organisation.objects.create(
        slug="metropolitan-police-service",
        name="Metropolitan Police Service",
        kind=OrganisationKind.POLICE_FORCE,
        country="England",
        region="London",
        local_policing_body=mopac,
    )


@pytest.fixture
def kent(db):
    pcc = Organisation.objects.create(
        slug="kent-police-and-crime-commissioner",
        name="Kent Police and Crime Commissioner",
        kind=OrganisationKind.LOCAL_POLICING_BODY,
        country="England",
        region="South East",
    )
    return Organisation.objects.create(
        slug="kent-police",
        name="Kent Police",
        kind=OrganisationKind.POLICE_FORCE,
        country="England",
        region="South East",
        local_policing_body=pcc,
    )


@pytest.fixture
def custody(db):
    return Programme.objects.create(
        slug="police-custody", name="Police custody", kind=ProgrammeKind.POLICE_CUSTODY
    )


@pytest.fixture
def inspection(hmicfrs, custody, met):
    inspection = Inspection.objects.create(
        title="Metropolitan Police Service custody",
        slug="met-custody-2025",
        programme=custody,
        lead_inspectorate=hmicfrs,
        published_at=timezone.now() - timedelta(days=10),
    )
    inspection.organisations.add(met)
    return inspection


@pytest.fixture
def recommendation(inspection, met, mopac):
    finding = Finding.objects.create(
        inspection=inspection,
        kind=FindingKind.RECOMMENDATION,
        reference="R1",
        text="The force and MOPAC should improve governance of the use of force.",
        due_date=timezone.localdate() + timedelta(days=90),
    )
    finding_add_addressees(finding=finding, organisations=[met, mopac])
    return finding


@pytest.fixture
def assignment(recommendation, met):
    return recommendation.assignments.get(organisation=met)


@pytest.fixture
def inspector(hmicfrs):
    return User.objects.create_user(
        username="inspector", password="pw-inspector-1", inspectorate=hmicfrs, is_staff=True
    )


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser(username="admin", password="pw-admin-1")


@pytest.fixture
def met_user(met):
    user = User.objects.create_user(username="met", password="pw-met-1")
    Membership.objects.create(user=user, organisation=met)
    return user


@pytest.fixture
def kent_user(kent):
    user = User.objects.create_user(username="kent", password="pw-kent-1")
    Membership.objects.create(user=user, organisation=kent)
    return user


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # The personas' passwords need not resist attack; hashing them properly takes seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Pages render without a collectstatic run; the manifest storage is tested by `make run`.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def inline_management_data(response) -> dict:
    """The inline formsets' management fields of an admin change page, for posting it back."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, field in formset.management_form.fields.items():
            value = formset.management_form.initial.get(name, field.initial)
            data[f"{formset.prefix}-{name}"] = value if value is not None else ""
        for form in formset.initial_forms:
            if form.instance.pk is not None and "id" in form.fields:
                data[f"{form.prefix}-id"] = form.instance.pk
    return data
