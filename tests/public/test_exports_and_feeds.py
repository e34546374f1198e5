"""CSV and JSON exports give exactly the browse page's items; Atom feeds are valid and public."""

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from public.exports import COLUMNS
from tests.public.test_pages import add_findings

ATOM = "{http://www.w3.org/2005/Atom}"


def streamed(response):
    assert response.streaming
    return b"".join(response.streaming_content)


def browse_ids(client, query):
    """The (finding, addressee) pairs of every page of the browse page, in order."""
    pairs, page = [], 1
    while True:
        response = client.get(reverse("public:finding-list") + f"?{query}&page={page}")
        pairs += [(i.finding_id, i.organisation.slug) for i in response.context["page"]]
        if not response.context["page"].has_next():
            return pairs
        page += 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "",
        "kind=area_for_improvement",
        "organisation=metropolitan-police-service&sort=due",
        "q=custody&status=in_progress",
    ],
)
def test_csv_export_equals_the_browse_pages(client, public_world, met, mopac, query):
    add_findings(public_world["inspection"], 40, [met, mopac])
    response = client.get(reverse("public:finding-export-csv") + f"?{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    raw = streamed(response)
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, for Excel"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [header for header, _ in COLUMNS]
    body = rows[1:]
    assert all(len(row) == len(COLUMNS) for row in body)
    exported = [(int(row[0]), row[9]) for row in body]
    assert exported == browse_ids(client, query)
    assert exported, "each query gives some rows"


@pytest.mark.django_db
def test_json_export_is_valid_and_equals_the_browse_pages(client, public_world, met, mopac):
    add_findings(public_world["inspection"], 10, [met])
    response = client.get(
        reverse("public:finding-export-json") + "?organisation=metropolitan-police-service"
    )
    data = json.loads(streamed(response))
    assert data["licence"] == "Open Government Licence v3.0"
    assert [(i["finding_id"], i["organisation_slug"]) for i in data["items"]] == browse_ids(
        client, "organisation=metropolitan-police-service"
    )
    first = data["items"][0]
    assert set(first) == {key for _, key in COLUMNS}
    r1 = next(i for i in data["items"] if i["reference"] == "R1")
    assert r1["status_code"] == "in_progress" and r1["verified"] is False


@pytest.mark.django_db
def test_csv_keeps_characters_and_defuses_formulas(client, public_world, met):
    finding = public_world["afi"]
    finding.text = '=HYPERLINK("http://example.org") – Gwasanaeth Heddlu’r Met'
    finding.save()
    raw = streamed(client.get(reverse("public:finding-export-csv") + "?kind=area_for_improvement"))
    row = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))[1]
    assert row[3] == '\'=HYPERLINK("http://example.org") – Gwasanaeth Heddlu’r Met'


@pytest.mark.django_db
def test_export_reads_rows_in_chunks_not_all_at_once(client, public_world, met, monkeypatch):
    """The export iterates the queryset with a chunk size, the way a stream must."""
    from public import exports

    monkeypatch.setattr(exports, "CHUNK_SIZE", 3)
    add_findings(public_world["inspection"], 8, [met])
    raw = streamed(client.get(reverse("public:finding-export-csv")))
    assert raw.decode("utf-8-sig").count("\r\n") == 1 + 3 + 8


@pytest.mark.django_db
def test_site_feed_is_atom_with_public_events_only(client, public_world):
    response = client.get(reverse("public:feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    titles = [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]
    assert any("progress update" in title for title in titles)
    assert any("In progress" in title for title in titles)
    text = response.content.decode()
    assert "INTERNAL-ONLY" not in text
    ids = [entry.findtext(f"{ATOM}id") for entry in root.iter(f"{ATOM}entry")]
    assert len(ids) == len(set(ids))


@pytest.mark.django_db
def test_organisation_feed_covers_only_that_organisation(client, public_world):
    response = client.get(
        reverse("public:organisation-feed", args=["mayors-office-for-policing-and-crime"])
    )
    root = ET.fromstring(response.content)
    authors = {e.findtext(f"{ATOM}author/{ATOM}name") for e in root.iter(f"{ATOM}entry")}
    assert authors <= {"Mayor's Office for Policing and Crime"}
    assert client.get(reverse("public:organisation-feed", args=["nobody"])).status_code == 404
