"""The service navigation for each persona: the public links, then what the person may use."""

import re

import pytest
from django.template import Context, Template

from tests.accounts.conftest import navigation

PUBLIC = ["Overview", "Find findings", "About the data"]


@pytest.mark.parametrize(
    ("persona", "items"),
    [
        (None, [*PUBLIC, "Sign in"]),
        ("met_user", [*PUBLIC, "Our findings", "Your account", "Sign out"]),
        ("mopac_lead", [*PUBLIC, "Our findings", "Your account", "Sign out"]),
        ("inspector", [*PUBLIC, "Review queue", "Your account", "Sign out"]),
        ("admin_user", [*PUBLIC, "Review queue", "Your account", "Sign out"]),
    ],
)
def test_navigation_per_persona(client, request, db, persona, items):
    if persona:
        client.force_login(request.getfixturevalue(persona))

    response = client.get("/about/")

    assert navigation(response) == items


def test_inactive_member_gets_no_portal_link(rf, met_user):
    met_user.is_active = False
    request = rf.get("/about/")
    request.user = met_user

    html = Template('{% extends "base.html" %}').render(
        Context({"request": request, "user": met_user})
    )

    assert ">Our findings<" not in html


def test_sign_out_is_a_post_form_with_a_csrf_token(client, met_user):
    client.force_login(met_user)

    html = client.get("/about/").content.decode()

    form = re.search(r'<form class="app-service-navigation__form".*?</form>', html, re.DOTALL)
    assert form, "no sign-out form"
    assert 'method="post" action="/account/sign-out/"' in form.group(0)
    assert 'name="csrfmiddlewaretoken"' in form.group(0)
    assert (
        '<button type="submit" class="govuk-service-navigation__link '
        'app-service-navigation__button">Sign out</button>'
    ) in form.group(0)


def current_items(response) -> dict[str, str]:
    """Each marked navigation item's text and the value of its aria-current."""
    html = response.content.decode()
    return {
        name: value
        for value, name in re.findall(
            r'aria-current="(\w+)"><strong class="govuk-service-navigation__active-fallback">'
            r"([^<]+)</strong>",
            html,
        )
    }


def test_sign_in_is_marked_on_the_sign_in_page(client, db):
    assert current_items(client.get("/account/sign-in/")) == {"Sign in": "page"}


@pytest.mark.parametrize(
    ("path", "persona", "marked"),
    [
        ("/account/", "met_user", {"Your account": "page"}),
        ("/account/password/", "met_user", {"Your account": "true"}),
        ("/account/notifications/", "met_user", {"Your account": "true"}),
        ("/portal/", "met_user", {"Our findings": "page"}),
        ("/portal/item/", "met_user", {"Our findings": "true"}),
        ("/workspace/", "inspector", {"Review queue": "page"}),
        ("/workspace/overdue/", "inspector", {"Review queue": "true"}),
        ("/about/", "inspector", {"About the data": "page"}),
    ],
)
def test_the_current_part_of_the_service_is_marked(client, request, path, persona, marked):
    client.force_login(request.getfixturevalue(persona))

    assert current_items(client.get(path)) == marked


def test_base_renders_without_request_or_user_as_500_html_does():
    html = Template('{% extends "base.html" %}').render(Context())

    assert ">Sign in</a>" in html
    assert "Sign out" not in html
    assert "Your account" not in html


def test_real_site_offers_sign_in_and_then_the_account(client, settings, met_user):
    settings.ROOT_URLCONF = "config.urls"

    assert navigation(client.get("/about/"))[-1] == "Sign in"

    client.post("/account/sign-in/", {"username": "met", "password": "pw-met-1"})
    items = navigation(client.get("/about/"))

    assert items[-2:] == ["Your account", "Sign out"]
