"""The embargo holds in the API exactly as on the pages: nothing of an unpublished report in any
answer (list, object, filter, link), and everything once it is published."""

import pytest
from django.utils import timezone

from recommendations.models import ProgressUpdate, StatusChange
from recommendations.services import inspection_set_publication
from tests.conftest import EMBARGOED

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/organisations/",
    "/api/v1/inspections/",
    "/api/v1/findings/",
    "/api/v1/items/",
    "/api/v1/updates/",
    "/api/v1/status-changes/",
    "/api/v1/section-55-responses/",
    "/api/v1/engage-periods/",
]
FILTERED = [
    "/api/v1/items/?q=referrals",
    "/api/v1/items/?organisation=kent-police",
    "/api/v1/items/?overdue=yes",
    "/api/v1/items/?inspection=embargoed-report",
    "/api/v1/findings/?organisation=kent-police",
    "/api/v1/inspections/?organisation=kent-police",
    "/api/v1/updates/?organisation=kent-police",
    "/api/v1/status-changes/?inspection=embargoed-report",
]


def every_answer(client):
    """Every list page and every object they link to, with the items' timelines."""
    answers, seen = {}, set()
    pending = [*LISTS, *FILTERED]
    while pending:
        url = pending.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        answers[url] = response.content.decode()
        data = response.json()
        if data.get("next"):
            pending.append(data["next"])
        for row in data.get("results", []):
            for key in ("url", "updates_url", "status_changes_url"):
                if row.get(key):
                    pending.append(row[key])
    return answers


def secret_urls(world):
    secret = world["secret"]
    item = secret.items.get(organisation__slug="metropolitan-police-service")
    return [
        f"/api/v1/findings/{secret.pk}/",
        f"/api/v1/items/{item.pk}/",
        f"/api/v1/items/{item.pk}/updates/",
        f"/api/v1/items/{item.pk}/status-changes/",
        f"/api/v1/inspections/{world['embargoed'].slug}/",
    ]


def test_unpublished_report_appears_in_no_api_answer(client, api_world):
    answers = every_answer(client)
    assert len(answers) > 25
    for url, body in answers.items():
        assert EMBARGOED not in body, url
        assert "embargoed-report" not in body or "inspection=embargoed-report" in url, url
    for url in secret_urls(api_world):
        assert client.get(url).status_code == 404, url
    # Its history exists, only hidden.
    assert StatusChange.objects.filter(note__contains=EMBARGOED).exists()
    assert ProgressUpdate.objects.filter(narrative__contains=EMBARGOED).exists()


def test_published_report_appears_everywhere_in_the_api(client, api_world):
    inspection_set_publication(inspection=api_world["embargoed"], published_at=timezone.now())

    for url in secret_urls(api_world):
        assert client.get(url).status_code == 200, url
    bodies = every_answer(client)
    for url in [
        "/api/v1/inspections/",
        "/api/v1/findings/",
        "/api/v1/items/",
        "/api/v1/updates/",
        "/api/v1/status-changes/",
        "/api/v1/items/?q=referrals",
        "/api/v1/items/?organisation=kent-police",
        "/api/v1/findings/?organisation=kent-police",
    ]:
        assert EMBARGOED in bodies[url], url
    follow_up = client.get("/api/v1/inspections/child-protection-update/").json()
    assert follow_up["follows_up"]["slug"] == "embargoed-report"
    superseded = client.get(f"/api/v1/items/{api_world['afi_item'].pk}/").json()
    assert superseded["superseded_by"]["reference"] == "R9"
    periods = client.get("/api/v1/engage-periods/?current=true").json()["results"]
    assert periods[0]["inspection"]["slug"] == "embargoed-report"


def test_cached_answers_do_not_outlive_the_embargo(client, api_world):
    """A client revalidating its copy from before publication gets the new answer."""
    before = client.get("/api/v1/items/")
    inspection_set_publication(inspection=api_world["embargoed"], published_at=timezone.now())
    after = client.get("/api/v1/items/", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert EMBARGOED in after.content.decode()
