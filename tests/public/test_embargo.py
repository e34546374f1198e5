"""Nothing of an unpublished inspection is public: no page, count, search, export or feed.

Once published, it appears everywhere.
"""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.services import inspection_set_publication
from tests.conftest import EMBARGOED


def public_urls(world):
    inspection = world["inspection"]
    return [
        reverse("public:overview"),
        reverse("public:finding-list"),
        reverse("public:finding-list") + "?q=referrals",
        reverse("public:finding-list") + "?organisation=kent-police",
        reverse("public:finding-list") + "?overdue=yes",
        reverse("public:finding-export-csv"),
        reverse("public:finding-export-json"),
        reverse("public:feed"),
        reverse("public:organisation-feed", args=["kent-police"]),
        reverse("public:organisation-feed", args=["metropolitan-police-service"]),
        reverse("public:organisation-detail", args=["metropolitan-police-service"]),
        reverse("public:organisation-detail", args=["kent-police"]),
        reverse("public:organisation-detail", args=["mayors-office-for-policing-and-crime"]),
        reverse("public:inspection-detail", args=[inspection.slug]),
        reverse("public:finding-detail", args=[world["recommendation"].pk]),
    ]


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.django_db
def test_unpublished_inspection_appears_nowhere(client, public_world):
    for url in public_urls(public_world):
        response = client.get(url)
        assert response.status_code == 200, url
        assert EMBARGOED not in body(response), url
    secret = public_world["secret"]
    assert client.get(reverse("public:finding-detail", args=[secret.pk])).status_code == 404
    embargoed = public_world["embargoed"]
    assert client.get(reverse("public:inspection-detail", args=[embargoed.slug])).status_code == 404


@pytest.mark.django_db
def test_unpublished_inspection_is_not_counted(client, public_world):
    response = client.get(reverse("public:overview"))
    breakdown = response.context["breakdown"]
    # R1 to the Met and MOPAC, AFI1 to the Met: three published items, none overdue.
    assert breakdown.total() == 3
    assert breakdown.total_overdue == 0
    kent_row = next(r for r in response.context["rows"] if r["organisation"].slug == "kent-police")
    assert (kent_row["total"], kent_row["overdue"]) == (0, 0)

    response = client.get(reverse("public:finding-list"), {"organisation": "kent-police"})
    assert response.context["paginator"].count == 0
    kinds = {o["value"]: o["count"] for o in response.context["options"]["kind"]}
    assert kinds == {"recommendation": 0, "area_for_improvement": 0}

    exported = json.loads(body(client.get(reverse("public:finding-export-json"))))
    assert len(exported["items"]) == 3


@pytest.mark.django_db
def test_published_inspection_appears_everywhere(client, public_world):
    embargoed = public_world["embargoed"]
    inspection_set_publication(inspection=embargoed, published_at=timezone.now())

    assert EMBARGOED in body(client.get(reverse("public:inspection-detail", args=[embargoed.slug])))
    secret = public_world["secret"]
    assert EMBARGOED in body(client.get(reverse("public:finding-detail", args=[secret.pk])))
    for url in [
        reverse("public:finding-list") + "?organisation=kent-police",
        reverse("public:finding-export-csv"),
        reverse("public:finding-export-json"),
        reverse("public:feed"),
        reverse("public:organisation-feed", args=["kent-police"]),
        reverse("public:organisation-detail", args=["kent-police"]),
    ]:
        assert EMBARGOED in body(client.get(url)), url

    response = client.get(reverse("public:overview"))
    assert response.context["breakdown"].total() == 5
    assert response.context["breakdown"].total_overdue == 2
    found = client.get(reverse("public:finding-list"), {"q": "referrals"})
    assert found.context["paginator"].count == 2
