"""Welsh and English (issue 12): every public page in Welsh under /cy/, with nothing of the
interface left in English, the toggle between the two, Welsh names, content and dates, search,
exports and the caches."""

import csv
import gettext
import io
import re
from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse as django_reverse
from django.utils import timezone, translation

from inspections.models import Inspection, Organisation, Programme
from recommendations.models import Finding, Theme


def reverse(*args, **kwargs):
    """The English address, whatever language the last request left active."""
    with translation.override("en-gb"):
        return django_reverse(*args, **kwargs)


CATALOGUE = settings.BASE_DIR / "locale" / "cy" / "LC_MESSAGES" / "django.mo"


class TextNodes(HTMLParser):
    """The text a reader meets: text nodes (not scripts or styles) and the attributes read out
    (aria-label, title, alt), each with its whitespace collapsed."""

    SPOKEN_ATTRIBUTES = {"aria-label", "title", "alt", "placeholder"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.nodes = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in self.SPOKEN_ATTRIBUTES and value:
                self._add(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._add(data)

    def _add(self, text):
        text = " ".join(text.split())
        if text:
            self.nodes.append(text)


def text_nodes(html: str) -> list[str]:
    parser = TextNodes()
    parser.feed(html)
    return parser.nodes


def translated_phrases() -> set[str]:
    """The catalogue's English phrases whose Welsh differs, as plain text: those without
    placeholders or markup, which a page shows whole."""
    with CATALOGUE.open("rb") as file:
        catalogue = gettext.GNUTranslations(file)._catalog
    phrases = set()
    for key, welsh in catalogue.items():
        english = key[0] if isinstance(key, tuple) else key
        if not english or "%" in english or "<" in english or "&" in english:
            continue
        if welsh == english:
            continue  # the same in both languages (PEEL, API, JSON)
        phrases.add(" ".join(english.split()))
    return phrases


def english_left(html: str, content: set[str]) -> list[str]:
    """Interface phrases of the catalogue shown in English on a page that should be Welsh.
    ``content`` is what the data says (names, titles, a finding's text), which stays English
    where it has no Welsh version."""
    phrases = translated_phrases()
    return sorted({node for node in text_nodes(html) if node in phrases and node not in content})


def content_strings() -> set[str]:
    """The data's own words, which are not interface strings."""
    strings = set()
    for model, fields in (
        (Programme, ("name",)),
        (Organisation, ("name",)),
        (Inspection, ("title",)),
        (Theme, ("name",)),
        (Finding, ("text", "reference")),
    ):
        for row in model.objects.values_list(*fields):
            strings.update(" ".join(str(value).split()) for value in row if value)
    return strings


def test_the_check_finds_an_english_phrase_left_in_a_welsh_page():
    page = (
        '<html lang="cy"><body><h1>Trosolwg cenedlaethol</h1>'
        "<p>Find findings</p><button aria-label='Skip to results'>x</button>"
        "<script>const a = 'Overdue';</script></body></html>"
    )
    assert english_left(page, content=set()) == ["Find findings", "Skip to results"]
    # The data's own words are not the interface's.
    assert english_left(page, content={"Find findings"}) == ["Skip to results"]


def public_paths(world):
    inspection = world["inspection"]
    finding = world["recommendation"]
    met = Organisation.objects.get(slug="metropolitan-police-service")
    return [
        reverse("public:overview"),
        reverse("public:finding-list"),
        reverse("public:finding-list") + "?q=custody",
        reverse("public:finding-list") + "?status=nonsense",  # with a form error
        reverse("public:finding-detail", args=[finding.pk]),
        reverse("public:inspection-list"),
        reverse("public:inspection-detail", args=[inspection.slug]),
        reverse("public:organisation-detail", args=[met.slug]),
        reverse("public:about"),
        reverse("public:accessibility"),
        reverse("public:privacy"),
        reverse("public:cookies"),
        reverse("public:feedback"),
        reverse("alerts:subscribe") + f"?organisation={met.slug}",
        reverse("accounts:sign-in"),
        reverse("accounts:password-reset"),
    ]


@pytest.mark.django_db
def test_every_public_page_answers_in_welsh_with_no_interface_string_in_english(
    client, public_world
):
    content = content_strings()
    checked = 0
    for english_path in public_paths(public_world):
        welsh_path = "/cy" + english_path
        english = client.get(english_path)
        welsh = client.get(welsh_path)
        assert english.status_code == 200, english_path
        assert welsh.status_code == 200, welsh_path
        english_html, welsh_html = english.content.decode(), welsh.content.decode()
        assert '<html lang="en-gb"' in english_html, english_path
        assert '<html lang="cy"' in welsh_html, welsh_path
        assert welsh["Content-Language"] == "cy"
        # The English page does show catalogue phrases: the comparison has something to find.
        assert english_left(english_html, content), english_path
        assert english_left(welsh_html, content) == [], welsh_path
        checked += 1
    assert checked == len(public_paths(public_world))


def toggle_links(html):
    """The language toggle's links: (href, lang, hreflang, text)."""
    toggle = re.search(r'<nav class="app-language-toggle".*?</nav>', html, re.S)
    assert toggle, "no language toggle"
    return re.findall(
        r'<a class="govuk-link" href="([^"]*)" lang="([^"]*)" hreflang="([^"]*)"[^>]*>'
        r'.*?<span aria-hidden="true">([^<]*)</span></a>',
        toggle.group(0),
        re.S,
    ), toggle.group(0)


@pytest.mark.django_db
def test_the_toggle_goes_to_the_same_page_in_the_other_language_and_back(client, public_world):
    english_path = reverse("public:finding-list") + "?q=custody&kind=recommendation"
    links, toggle = toggle_links(client.get(english_path).content.decode())
    assert links == [
        ("/cy/recommendations/?q=custody&amp;kind=recommendation", "cy", "cy", "Cymraeg")
    ]
    # The current language is text, not a link.
    assert '<span aria-current="true">English</span>' in toggle

    welsh_path = "/cy/recommendations/?q=custody&kind=recommendation"
    links, toggle = toggle_links(client.get(welsh_path).content.decode())
    assert links == [
        ("/recommendations/?q=custody&amp;kind=recommendation", "en-gb", "en-gb", "English")
    ]
    assert '<span aria-current="true">Cymraeg</span>' in toggle


@pytest.mark.django_db
def test_each_page_names_its_versions_in_both_languages_in_the_head(client, public_world):
    path = reverse("public:about")
    html = client.get("/cy" + path).content.decode()
    head = html.split("</head>")[0]
    assert f'<link rel="alternate" hreflang="en-gb" href="http://testserver{path}">' in head
    assert f'<link rel="alternate" hreflang="cy" href="http://testserver/cy{path}">' in head


@pytest.mark.django_db
def test_pages_outside_the_translated_site_have_no_toggle(client, inspector):
    client.force_login(inspector)
    html = client.get(reverse("workspace:queue")).content.decode()
    assert "app-language-toggle" not in html
    assert 'hreflang="cy"' not in html


@pytest.mark.django_db
def test_english_addresses_are_unchanged_and_machine_addresses_have_no_welsh_prefix(client):
    assert client.get("/about/").status_code == 200
    assert client.get("/cy/about/").status_code == 200
    assert client.get("/cy/api/").status_code == 404
    assert client.get("/cy/admin/").status_code == 404


@pytest.mark.django_db
def test_welsh_names_show_on_welsh_pages(client, public_world):
    met = Organisation.objects.get(slug="metropolitan-police-service")
    met.name_cy = "Gwasanaeth Heddlu Metropolitanaidd"
    met.save()
    path = reverse("public:organisation-detail", args=[met.slug])
    welsh = client.get("/cy" + path).content.decode()
    assert (
        "<title>Gwasanaeth Heddlu Metropolitanaidd – Traciwr Argymhellion Arolygu</title>" in welsh
    )
    assert '<h1 class="govuk-heading-xl" aria-describedby="other-name">Gwasanaeth' in welsh
    assert '<p class="govuk-body-l" id="other-name" lang="en">Metropolitan Police' in welsh
    english = client.get(path).content.decode()
    assert '<h1 class="govuk-heading-xl" aria-describedby="other-name">Metropolitan' in english
    assert '<p class="govuk-body-l" id="other-name" lang="cy">Gwasanaeth' in english
    assert (
        "<title>Metropolitan Police Service – Inspection Recommendations Tracker</title>" in english
    )


@pytest.mark.django_db
def test_welsh_content_shows_and_english_only_content_says_so(client, public_world):
    inspection = public_world["inspection"]
    inspection.title_cy = "Dalfa Gwasanaeth Heddlu Metropolitanaidd"
    inspection.save()
    recommendation = public_world["recommendation"]
    recommendation.text_cy = "Dylai’r heddlu a MOPAC wella’r llywodraethu ar ddefnyddio grym."
    recommendation.save()
    path = reverse("public:inspection-detail", args=[inspection.slug])
    welsh = client.get("/cy" + path).content.decode()
    assert '<h1 class="govuk-heading-xl">Dalfa Gwasanaeth Heddlu Metropolitanaidd</h1>' in welsh
    assert "Dylai’r heddlu a MOPAC wella’r llywodraethu ar ddefnyddio grym." in welsh
    # AFI1 has no Welsh text: the English, marked as English, with the note on its own page.
    afi_page = client.get("/cy" + reverse("public:finding-detail", args=[public_world["afi"].pk]))
    html = afi_page.content.decode()
    assert "Ar gael yn Saesneg yn unig" in html
    afi_text = "Pre-release risk assessments lack detail on risks such as self-harm."
    assert f'<span lang="en">{afi_text}</span>' in html
    english = client.get(path).content.decode()
    assert "Dalfa Gwasanaeth" not in english
    assert "Ar gael yn Saesneg yn unig" not in english


@pytest.mark.django_db
def test_dates_and_statuses_are_welsh(client, public_world):
    inspection = public_world["inspection"]
    inspection.published_at = datetime(2025, 8, 7, 9, 30, tzinfo=ZoneInfo("Europe/London"))
    inspection.save()
    path = reverse("public:inspection-detail", args=[inspection.slug])
    welsh = client.get("/cy" + path).content.decode()
    assert "7 Awst 2025" in welsh
    assert "7 August 2025" not in welsh
    assert "Ar y gweill" in welsh  # R1 is in progress for the Met
    assert "7 August 2025" in client.get(path).content.decode()


@pytest.mark.django_db
def test_an_overdue_item_is_hwyr_in_welsh(client, public_world):
    recommendation = public_world["recommendation"]
    recommendation.items.update(due_date=timezone.localdate().replace(year=2020))
    html = client.get("/cy" + reverse("public:finding-detail", args=[recommendation.pk]))
    assert '<strong class="govuk-tag govuk-tag--red">Hwyr</strong>' in html.content.decode()


@pytest.mark.django_db
def test_the_counts_cache_keeps_each_language_apart(client, public_world, settings):
    settings.COUNTS_CACHE_SECONDS = 300
    english = client.get(reverse("public:overview"))
    welsh = client.get("/cy" + reverse("public:overview"))
    again = client.get(reverse("public:overview"))
    assert "Items by status" in english.content.decode()
    assert "Eitemau yn ôl statws" in welsh.content.decode()
    assert "Ar y gweill" in welsh.content.decode()
    assert "Ar y gweill" not in again.content.decode()
    assert english["Content-Language"] == again["Content-Language"] == "en-gb"
    assert welsh["Content-Language"] == "cy"


@pytest.mark.django_db
def test_the_counts_cache_key_carries_the_language(settings):
    from django.utils import translation

    from public.counts_cache import cached_counts

    calls = []

    def compute():
        calls.append(translation.get_language())
        return translation.gettext("Overdue")

    with translation.override("en-gb"):
        assert cached_counts("test", ["q"], compute, stamp="s") == "Overdue"
    with translation.override("cy"):
        assert cached_counts("test", ["q"], compute, stamp="s") == "Hwyr"
    with translation.override("en-gb"):
        assert cached_counts("test", ["q"], compute, stamp="s") == "Overdue"
    assert calls == ["en-gb", "cy"]


@pytest.mark.django_db
def test_search_finds_welsh_words_and_welsh_names(client, public_world):
    recommendation = public_world["recommendation"]
    recommendation.text_cy = "Dylai’r heddlu wella llywodraethiant defnyddio grym."
    recommendation.save()
    met = Organisation.objects.get(slug="metropolitan-police-service")
    met.name_cy = "Gwasanaeth Heddlu Metropolitanaidd"
    met.save()
    found = client.get(reverse("public:finding-list") + "?q=llywodraethiant").content.decode()
    assert f'href="/recommendations/{recommendation.pk}/"' in found
    by_name = client.get(reverse("public:finding-list") + "?q=Metropolitanaidd").content.decode()
    assert f'href="/recommendations/{public_world["afi"].pk}/"' in by_name


@pytest.mark.django_db
def test_exports_give_labels_in_welsh_with_lang(client, public_world):
    url = reverse("public:finding-export-csv")
    english = list(csv.DictReader(io.StringIO(b"".join(client.get(url)).decode("utf-8-sig"))))
    welsh = list(
        csv.DictReader(io.StringIO(b"".join(client.get(url + "?lang=cy")).decode("utf-8-sig")))
    )
    assert {row["Status"] for row in english} >= {"In progress", "Open"}
    assert {row["Status"] for row in welsh} >= {"Ar y gweill", "Agored"}
    assert {row["Kind"] for row in welsh} == {"Argymhelliad", "Maes i’w wella"}
    assert "Text (Welsh)" in welsh[0]
    # Under /cy/ the labels are Welsh without asking.
    under_cy = client.get("/cy" + url)
    rows = list(csv.DictReader(io.StringIO(b"".join(under_cy).decode("utf-8-sig"))))
    assert {row["Kind"] for row in rows} == {"Argymhelliad", "Maes i’w wella"}


@pytest.mark.django_db
def test_the_api_gives_labels_in_welsh_with_lang(client, public_world):
    recommendation = public_world["recommendation"]
    recommendation.text_cy = "Dylai’r heddlu wella."
    recommendation.save()
    url = f"/api/v1/findings/{recommendation.pk}/"
    english = client.get(url).json()
    welsh = client.get(url + "?lang=cy").json()
    assert english["kind_label"] == "Recommendation"
    assert welsh["kind_label"] == "Argymhelliad"
    assert {item["status_label"] for item in welsh["items"]} <= {"Agored", "Ar y gweill"}
    assert welsh["text_cy"] == english["text_cy"] == "Dylai’r heddlu wella."
    # The language does not stay active for the next request.
    assert client.get(url).json()["kind_label"] == "Recommendation"
    assert client.get(url + "?lang=fr").status_code == 400


@pytest.mark.django_db
def test_the_data_dictionary_documents_the_welsh_fields(client):
    html = client.get(reverse("api:data-dictionary")).content.decode()
    for field in ("title_cy", "summary_cy", "text_cy", "name_cy"):
        assert field in html


@pytest.mark.django_db
def test_the_portal_answers_in_welsh(client, met_user, public_world):
    client.force_login(met_user)
    response = client.get("/cy" + reverse("portal:findings"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="cy"' in html
    assert "Ein canfyddiadau" in html
    assert english_left(html, content_strings()) == []
