"""The API's links come from a template made once per request (api.serializers.templated_link):
every link of a list is the address reverse() gives, and a page of items reverses each kind of
link once."""

import pytest
from django.urls import reverse

from api import serializers as api_serializers
from tests.public.test_pages import add_findings

pytestmark = pytest.mark.django_db


def absolute(path):
    return "http://testserver" + path


def test_every_link_of_the_item_list_is_what_reverse_gives(client, public_world, met, mopac):
    add_findings(public_world["inspection"], 5, [met, mopac])
    body = client.get("/api/v1/items/").json()
    assert len(body["results"]) >= 10
    for item in body["results"]:
        assert item["url"] == absolute(reverse("api:item-detail", args=[item["id"]]))
        assert item["finding"]["url"] == absolute(
            reverse("api:finding-detail", args=[item["finding"]["id"]])
        )
        assert item["inspection"]["url"] == absolute(
            reverse("api:inspection-detail", args=[item["inspection"]["slug"]])
        )
        assert item["organisation"]["url"] == absolute(
            reverse("api:organisation-detail", args=[item["organisation"]["slug"]])
        )
        for field, name in (
            ("updates_url", "api:item-update-list"),
            ("status_changes_url", "api:item-status-change-list"),
            ("due_date_changes_url", "api:item-due-date-change-list"),
        ):
            assert item[field] == absolute(reverse(name, args=[item["id"]]))
        assert item["web_url"] == absolute(
            reverse("public:finding-detail", args=[item["finding"]["id"]])
        )


def test_a_list_reverses_each_kind_of_link_once(client, public_world, met, mopac, monkeypatch):
    add_findings(public_world["inspection"], 5, [met, mopac])
    built = []
    real = api_serializers.templated_link

    def counting(request, key, value, build):
        return real(request, key, value, lambda v: built.append(key) or build(v))

    monkeypatch.setattr(api_serializers, "templated_link", counting)
    body = client.get("/api/v1/items/").json()
    assert len(body["results"]) >= 10
    assert len(built) == len(set(built)) == 8


def test_a_value_that_would_need_quoting_is_reversed_as_before():
    calls = []
    link = api_serializers.templated_link(
        object(), "k", "a b", lambda value: calls.append(value) or f"/x/{value}/"
    )
    assert link == "/x/a b/" and calls == ["a b"]
