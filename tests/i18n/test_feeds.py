"""Atom feeds in the language of their address (issue 12): /cy/... feeds have Welsh titles,
descriptions, dates and names; the English feeds are unchanged."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse as django_reverse
from django.utils import translation

from inspections.models import Organisation
from tests.i18n.test_emails import english_in

ATOM = "{http://www.w3.org/2005/Atom}"


def reverse(*args, **kwargs):
    with translation.override("en-gb"):
        return django_reverse(*args, **kwargs)


def read(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    entries = [
        (entry.findtext(f"{ATOM}title"), entry.findtext(f"{ATOM}summary"))
        for entry in root.iter(f"{ATOM}entry")
    ]
    return root, entries


def feed_paths(world):
    return [
        reverse("public:feed"),
        reverse("public:organisation-feed", args=["metropolitan-police-service"]),
        reverse("public:inspection-feed", args=[world["inspection"].slug]),
        reverse("public:search-feed") + "?q=custody",
        reverse("public:search-feed"),
    ]


@pytest.fixture
def welsh_names(public_world):
    Organisation.objects.filter(slug="metropolitan-police-service").update(
        name_cy="Gwasanaeth Heddlu Metropolitan"
    )
    return public_world


@pytest.mark.django_db
def test_welsh_feeds_have_welsh_titles_and_descriptions(client, welsh_names):
    for path in feed_paths(welsh_names):
        english_root, english_entries = read(client, path)
        root, entries = read(client, "/cy" + path)
        assert entries, path
        assert len(entries) == len(english_entries), path
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "cy", path
        feed_title = root.findtext(f"{ATOM}title")
        assert feed_title != english_root.findtext(f"{ATOM}title"), path
        assert english_in(feed_title) == [], (path, feed_title)
        assert english_in(root.findtext(f"{ATOM}subtitle")) == [], path
        for title, summary in entries:
            assert english_in(title) == [], (path, title)
            assert english_in(summary) == [], (path, summary)
        # The entries link to the Welsh pages.
        link = root.find(f"{ATOM}entry/{ATOM}link").get("href")
        assert "/cy/" in link, path


@pytest.mark.django_db
def test_a_welsh_feed_names_things_in_welsh(client, welsh_names):
    path = reverse("public:organisation-feed", args=["metropolitan-police-service"])
    root, entries = read(client, "/cy" + path)
    assert root.findtext(f"{ATOM}title") == (
        "Gwasanaeth Heddlu Metropolitan: newidiadau statws a diweddariadau"
    )
    titles = " ".join(title for title, _ in entries)
    assert "ar gyfer Gwasanaeth Heddlu Metropolitan" in titles
    assert "wedi’i hunan-adrodd" in titles
    summaries = " ".join(summary for _, summary in entries)
    assert "Newid o ‘" in summaries

    site, _ = read(client, "/cy" + reverse("public:feed"))
    assert site.findtext(f"{ATOM}title") == (
        "Traciwr Argymhellion Arolygu: adroddiadau, newidiadau statws a diweddariadau"
    )
    search, _ = read(client, "/cy" + reverse("public:search-feed") + "?q=custody")
    assert search.findtext(f"{ATOM}title") == (
        "Traciwr Argymhellion Arolygu: newidiadau i ganfyddiadau sy’n cyfateb i “custody”"
    )


@pytest.mark.django_db
def test_english_feeds_stay_english(client, welsh_names):
    root, entries = read(client, reverse("public:feed"))
    assert root.findtext(f"{ATOM}title") == (
        "Inspection Recommendations Tracker: reports, status changes and updates"
    )
    titles = " ".join(title for title, _ in entries)
    assert "for Metropolitan Police Service" in titles
    assert "Gwasanaeth" not in titles
