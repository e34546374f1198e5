"""Programmes and themes are public only once a published report uses them: one used only by an
embargoed report is absent from the API's lists and the browse filters, and its slug is
answered exactly as an unknown slug is."""

import re

import pytest
from django.urls import reverse

from inspections.models import Programme
from recommendations.models import Theme
from recommendations.services import inspection_publish

SECRET_PROGRAMME = "covert-programme"
SECRET_THEME = "covert-theme"

NONCE = re.compile(r'nonce="[^"]*"')


@pytest.fixture
def secret_taxonomy(api_world, public_world):
    """The embargoed report gets a programme and its finding a theme that nothing else uses."""
    embargoed = public_world["embargoed"]
    embargoed.programme = Programme.objects.create(
        slug=SECRET_PROGRAMME, name="Covert programme", kind="thematic"
    )
    embargoed.save()
    public_world["secret"].themes.add(Theme.objects.create(slug=SECRET_THEME, name="Covert theme"))
    return public_world


def slugs(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return [row["slug"] for row in response.json()["results"]]


def test_programme_list_leaves_out_one_used_only_by_an_embargoed_report(client, secret_taxonomy):
    listed = slugs(client, "/api/v1/programmes/")

    assert "police-custody" in listed
    assert SECRET_PROGRAMME not in listed


def test_theme_list_leaves_out_one_used_only_by_an_embargoed_report(client, secret_taxonomy):
    listed = slugs(client, "/api/v1/themes/")

    assert "custody" in listed
    assert SECRET_THEME not in listed


def test_programme_and_theme_appear_once_their_report_is_published(client, secret_taxonomy):
    inspection_publish(inspection=secret_taxonomy["embargoed"])

    assert SECRET_PROGRAMME in slugs(client, "/api/v1/programmes/")
    assert SECRET_THEME in slugs(client, "/api/v1/themes/")


def test_a_programme_or_theme_without_any_report_is_not_listed(client, secret_taxonomy):
    Programme.objects.create(slug="unused", name="Unused", kind="other")
    Theme.objects.create(slug="unused-theme", name="Unused theme")

    assert "unused" not in slugs(client, "/api/v1/programmes/")
    assert "unused-theme" not in slugs(client, "/api/v1/themes/")


@pytest.mark.parametrize(
    ("path", "parameter", "secret"),
    [
        ("/api/v1/inspections/", "programme", SECRET_PROGRAMME),
        ("/api/v1/items/", "programme", SECRET_PROGRAMME),
        ("/api/v1/findings/", "programme", SECRET_PROGRAMME),
        ("/api/v1/items/", "theme", SECRET_THEME),
        ("/api/v1/findings/", "theme", SECRET_THEME),
    ],
)
def test_an_embargoed_only_slug_is_answered_like_an_unknown_one(
    client, secret_taxonomy, path, parameter, secret
):
    embargoed = client.get(path, {parameter: secret})
    unknown = client.get(path, {parameter: "no-such-slug"})

    assert embargoed.status_code == unknown.status_code == 400
    assert embargoed.content.decode().replace(secret, "X") == unknown.content.decode().replace(
        "no-such-slug", "X"
    )


@pytest.mark.parametrize(
    ("parameter", "secret"), [("programme", SECRET_PROGRAMME), ("theme", SECRET_THEME)]
)
def test_browse_page_answers_an_embargoed_only_slug_like_an_unknown_one(
    client, secret_taxonomy, parameter, secret
):
    url = reverse("public:finding-list")
    embargoed = client.get(url, {parameter: secret})
    unknown = client.get(url, {parameter: "no-such-slug"})

    def page(response, value):
        # Each answer carries a fresh CSP nonce; everything else must be the same.
        return NONCE.sub('nonce=""', response.content.decode().replace(value, "X"))

    assert embargoed.status_code == unknown.status_code
    assert page(embargoed, secret) == page(unknown, "no-such-slug")
    assert "Covert" not in client.get(url).content.decode()
