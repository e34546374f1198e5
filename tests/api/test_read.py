"""What the read API returns: published data as on the public pages, linked together."""

import pytest
from django.urls import reverse

from tests.api.conftest import walk

pytestmark = pytest.mark.django_db


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.content[:300])
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_index_links_every_list_and_the_licence(client, api_world):
    index = get(client, "/api/v1/")
    assert index["licence"] == "Open Government Licence v3.0"
    for name in ("organisations", "inspections", "findings", "items", "section55_responses"):
        assert client.get(index[name]).status_code == 200, name


def test_organisation_links_its_successor_and_predecessors(client, api_world):
    old = get(client, "/api/v1/organisations/old-kent-constabulary/")
    kent = get(client, "/api/v1/organisations/kent-police/")
    assert old["successor"]["url"] == kent["url"]
    assert old["ceased_on"] is not None
    assert [p["slug"] for p in kent["predecessors"]] == ["old-kent-constabulary"]
    assert kent["successor"] is None
    assert kent["local_policing_body"]["slug"] == "kent-police-and-crime-commissioner"
    assert kent["web_url"] == "http://testserver/organisations/kent-police/"
    assert get(client, kent["engage_periods_url"])["results"]


def test_organisations_filter_by_type_and_existence(client, api_world):
    bodies, _ = walk(client, "/api/v1/organisations/", kind="local_policing_body")
    assert {o["slug"] for o in bodies} == {
        "mayors-office-for-policing-and-crime",
        "kent-police-and-crime-commissioner",
    }
    gone, _ = walk(client, "/api/v1/organisations/", current="false")
    assert [o["slug"] for o in gone] == ["old-kent-constabulary"]


def test_inspection_has_judgements_with_their_scale_figures_and_inspectorates(client, api_world):
    inspection = get(client, "/api/v1/inspections/met-custody-2025/")
    (judgement,) = inspection["judgements"]
    assert judgement["scale"] == "peel_5"
    assert judgement["scale_grades"][0] == "outstanding"
    assert (judgement["grade"], judgement["grade_rank"]) == ("adequate", 3)
    assert inspection["key_figures"] == [
        {"label": "CCTV cases reviewed", "value": 64, "out_of": None}
    ]
    assert inspection["lead_inspectorate"]["abbreviation"] == "HMICFRS"
    assert [i["abbreviation"] for i in inspection["partner_inspectorates"]] == ["CQC"]
    assert inspection["causes_of_concern"][0]["reference"] == "CoC1"
    findings = get(client, inspection["findings_url"])["results"]
    assert {f["reference"] for f in findings} == {"R1", "AFI1"}


def test_a_follow_up_of_an_unpublished_report_links_nothing(client, api_world):
    follow_up = get(client, "/api/v1/inspections/child-protection-update/")
    assert follow_up["follows_up"] is None


def test_finding_lists_each_addressee_with_its_own_status(client, api_world):
    finding = get(client, f"/api/v1/findings/{api_world['recommendation'].pk}/")
    statuses = {i["organisation"]["slug"]: i["status"] for i in finding["items"]}
    assert statuses == {
        "metropolitan-police-service": "in_progress",
        "mayors-office-for-policing-and-crime": "open",
    }
    assert finding["cause_of_concern"]["reference"] == "CoC1"
    assert finding["themes"] == [{"slug": "custody", "name": "Custody"}]
    met_item = get(client, finding["items"][1]["url"])
    assert met_item["self_reported"] is True
    assert met_item["verified"] is False
    assert met_item["finding"]["url"] == finding["url"]


def test_superseded_by_an_unpublished_finding_links_nothing(client, api_world):
    item = get(client, f"/api/v1/items/{api_world['afi_item'].pk}/")
    assert item["status"] == "closed_superseded"
    assert item["verified"] is False  # a decision of the inspectorate, not verified as done
    assert item["superseded_by"] is None


def test_item_timeline_has_published_updates_only_and_no_names(client, api_world, met_user):
    item = api_world["recommendation"].items.get(organisation__slug="metropolitan-police-service")
    updates = get(client, f"/api/v1/items/{item.pk}/updates/")["results"]
    assert [u["narrative"] for u in updates] == ["A new use of force board met in March."]
    changes = get(client, f"/api/v1/items/{item.pk}/status-changes/")["results"]
    assert [(c["from_status"], c["to_status"], c["recorded_by"]) for c in changes] == [
        ("open", "in_progress", "Metropolitan Police Service")
    ]
    closed = get(client, f"/api/v1/items/{api_world['afi_item'].pk}/status-changes/")["results"]
    assert closed[0]["recorded_by"] == "inspectorate"
    assert closed[0]["note"] == "Replaced by a newer recommendation."
    everything = client.get("/api/v1/updates/").content.decode()
    everything += client.get("/api/v1/status-changes/").content.decode()
    assert "INTERNAL-ONLY" not in everything
    assert "changed_by" not in everything and "author" not in everything


@pytest.mark.parametrize("path", ["/api/v1/updates/", "/api/v1/status-changes/"])
@pytest.mark.parametrize("item", ["99999999999999999999999", "-2.9e209", "0"])
def test_an_item_id_beyond_the_databases_integers_is_a_400(client, api_world, path, item):
    # Not an overflow in the query (a 500 on SQLite, found by the schema test).
    response = client.get(path, {"item": item})
    assert response.status_code == 400
    assert "item" in response.json()


def test_section_55_responses_only_once_received(client, api_world):
    (response,) = walk(client, "/api/v1/section-55-responses/")[0]
    assert response["local_policing_body"]["slug"] == "mayors-office-for-policing-and-crime"
    assert response["statements"][0]["finding"]["reference"] == "R1"
    assert response["statements"][0]["action"] == "will_be_taken"
    # The Kent PCC's response to the embargoed report exists but is not received.
    assert len(walk(client, "/api/v1/section-55-responses/", inspection="embargoed-report")[0]) == 0


def test_engage_period_links_its_inspection_only_once_published(client, api_world):
    periods, _ = walk(client, "/api/v1/engage-periods/", organisation="kent-police")
    linked = {p["entry_reasons"]: p["inspection"] for p in periods}
    assert linked["Crime recording."]["slug"] == "met-custody-2025"
    assert linked["Child protection."] is None
    current, _ = walk(client, "/api/v1/engage-periods/", current="true")
    assert [p["entry_reasons"] for p in current] == ["Child protection."]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"organisation": "metropolitan-police-service"},
        {"status": ["open", "in_progress"]},
        {"kind": "recommendation", "region": "London"},
        {"q": "governance"},
        {"theme": "custody"},
        {"overdue": "no", "organisation_kind": "police_force"},
        {"inspection": "met-custody-2025", "programme": "police-custody"},
        {"year": "2010"},
    ],
    ids=repr,
)
def test_items_filter_exactly_as_the_browse_page(client, api_world, query):
    page = client.get(reverse("public:finding-list"), query)
    expected = {row.pk for row in page.context["page"].object_list}
    items, _ = walk(client, "/api/v1/items/", **query)
    assert {item["id"] for item in items} == expected
    assert len(items) == page.context["paginator"].count


def test_findings_filter_through_their_items(client, api_world):
    made_to_mopac, _ = walk(
        client, "/api/v1/findings/", organisation="mayors-office-for-policing-and-crime"
    )
    assert [f["reference"] for f in made_to_mopac] == ["R1"]
    closed, _ = walk(client, "/api/v1/findings/", status="closed_superseded")
    assert [f["reference"] for f in closed] == ["AFI1"]
    found, _ = walk(client, "/api/v1/findings/", q="governance")
    assert [f["reference"] for f in found] == ["R1"]
    by_reference, _ = walk(client, "/api/v1/findings/", q="AFI1")
    assert [f["reference"] for f in by_reference] == ["AFI1"]


@pytest.mark.parametrize(
    "query",
    [
        {"organisation": "no-such-body"},
        {"status": "lost"},
        {"year": "1900"},
        {"due_after": "not a date"},
    ],
    ids=repr,
)
def test_a_bad_filter_is_a_400_that_names_it(client, api_world, query):
    response = client.get("/api/v1/items/", query)
    assert response.status_code == 400
    assert set(response.json()) == set(query)


def test_unknown_addresses_are_json_404s(client, api_world):
    for url in ["/api/v1/items/999999/", "/api/v1/nothing/", "/api/v1/organisations/no-such/"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json", url
        assert "detail" in response.json()


def test_a_forged_cursor_is_a_404(client, api_world):
    import base64

    cursor = base64.b64encode(b"p=abc&o=0").decode()
    response = client.get("/api/v1/items/", {"cursor": cursor})
    assert response.status_code == 404
