"""The account page: who you are, your roles in plain English, and where to go from here."""

import pytest

from accounts.models import Membership
from tests.accounts.conftest import text


def test_anonymous_person_is_sent_to_sign_in(client, db):
    response = client.get("/account/")

    assert response.status_code == 302
    assert response["Location"] == "/account/sign-in/?next=/account/"


@pytest.mark.parametrize(
    ("persona", "roles"),
    [
        (
            "inspector",
            ["Inspector at HM Inspectorate of Constabulary and Fire & Rescue Services"],
        ),
        ("mopac_lead", ["Lead at Mayor's Office for Policing and Crime"]),
        ("met_user", ["User at Metropolitan Police Service"]),
        ("admin_user", ["Administrator"]),
    ],
)
def test_roles_are_in_plain_english(client, request, persona, roles):
    client.force_login(request.getfixturevalue(persona))

    response = client.get("/account/")

    assert response.status_code == 200
    assert response.context["roles"] == roles
    page = text(response)
    assert f"Role {roles[0]}" in page
    assert "<title>Your account \N{EN DASH}" in response.content.decode()


def test_name_username_and_email_are_shown(client, mopac_lead):
    mopac_lead.email = "morgan.price@example.gov.uk"
    mopac_lead.save()
    client.force_login(mopac_lead)

    page = text(client.get("/account/"))

    assert "Name Morgan Price" in page
    assert "Username mopac" in page
    assert "Email address morgan.price@example.gov.uk" in page


def test_missing_name_and_email_are_said_so(client, met_user):
    client.force_login(met_user)

    page = text(client.get("/account/"))

    assert "Name Not given" in page
    assert "Email address Not given. You need one to reset your password by email." in page


def test_every_membership_is_listed(client, met_user, mopac, kent):
    Membership.objects.create(user=met_user, organisation=kent, is_lead=True)
    client.force_login(met_user)

    response = client.get("/account/")

    assert response.context["roles"] == [
        "Lead at Kent Police",
        "User at Metropolitan Police Service",
    ]
    page = text(response)
    assert "Roles Lead at Kent Police User at Metropolitan Police Service" in page
    assert "Our findings : what the inspectorate found in Kent Police and Metropolitan" in page


def test_inspector_who_is_also_a_member_has_both_roles(client, inspector, met):
    Membership.objects.create(user=inspector, organisation=met)
    client.force_login(inspector)

    roles = client.get("/account/").context["roles"]

    assert roles == [
        "Inspector at HM Inspectorate of Constabulary and Fire & Rescue Services",
        "User at Metropolitan Police Service",
    ]


def test_account_without_a_role_says_whom_to_ask(client, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="new", password="x"))

    page = text(client.get("/account/"))

    assert "Roles None yet: ask an administrator of the tracker" in page


@pytest.mark.parametrize(
    ("persona", "links"),
    [
        ("met_user", ["Our findings", "Email reminders", "Change your password"]),
        ("mopac_lead", ["Our findings", "Email reminders", "Change your password"]),
        ("inspector", ["Review queue", "Email reminders", "Change your password"]),
        ("admin_user", ["Review queue", "Email reminders", "Change your password"]),
    ],
)
def test_links_to_what_each_role_does(client, request, persona, links):
    client.force_login(request.getfixturevalue(persona))

    html = client.get("/account/").content.decode()

    expected = {
        "Our findings": "/portal/",
        "Review queue": "/workspace/",
        "Email reminders": "/account/notifications/",
        "Change your password": "/account/password/",
    }
    for name, href in expected.items():
        link = f'<a class="govuk-link" href="{href}">{name}</a>'
        assert (link in html) == (name in links), name


def test_page_renders_before_the_portal_workspace_and_reminders_exist(client, settings, met_user):
    settings.ROOT_URLCONF = "tests.accounts.urls_accounts_only"
    client.force_login(met_user)

    response = client.get("/account/")

    assert response.status_code == 200
    page = text(response)
    assert "Our findings" not in page
    assert "Email reminders" not in page
    assert "Change your password" in page
