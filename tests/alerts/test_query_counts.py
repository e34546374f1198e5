"""What each email alert page costs, pinned at two sizes: a small world and one with many more
findings, items and other people's subscriptions. None of these pages lists items, so none may
grow with them."""

import pytest

from alerts.models import Subscription
from alerts.services import confirm_token, unsubscribe_token
from tests.public.test_pages import add_findings

SEARCH = "search=q%3Dcustody%26organisation%3Dmetropolitan-police-service"


def subscription(public_world, met, scope, number=0, **fields):
    targets = {
        "organisation": {"organisation": met},
        "inspection": {"inspection": public_world["inspection"]},
        "search": {"query": "q=custody&organisation=metropolitan-police-service"},
    }
    return Subscription.objects.create(
        email=f"reader{number}@example.org",
        scope=scope,
        frequency="weekly",
        **targets[scope],
        **fields,
    )


def page_urls(public_world, met):
    urls = {
        "subscribe_organisation": "/alerts/?organisation=metropolitan-police-service",
        "subscribe_inspection": f"/alerts/?inspection={public_world['inspection'].slug}",
        "subscribe_search": f"/alerts/?{SEARCH}",
        "check_email": "/alerts/check-your-email/",
    }
    for scope in ("organisation", "inspection", "search"):
        mine = subscription(public_world, met, scope, number=1000 + len(urls))
        urls[f"confirm_{scope}"] = f"/alerts/confirm/{confirm_token(mine)}/"
        urls[f"unsubscribe_{scope}"] = f"/alerts/unsubscribe/{unsubscribe_token(mine)}/"
    return urls


# What each page's GET costs, written down so that a change in it is a decision.
QUERIES = {
    # 1 the organisation
    "subscribe_organisation": 1,
    # 1 the published inspection
    "subscribe_inspection": 1,
    # 1 the organisation the search names (the browse page's filters check the query)
    "subscribe_search": 1,
    "check_email": 0,
    # 1 the subscription the signed link names, 2 what it follows
    "confirm_organisation": 2,
    "confirm_inspection": 2,
    "confirm_search": 2,
    "unsubscribe_organisation": 2,
    "unsubscribe_inspection": 2,
    "unsubscribe_search": 2,
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(QUERIES))
def test_alert_page_query_count_is_pinned_and_does_not_grow(
    page, client, public_world, met, mopac, django_assert_num_queries
):
    url = page_urls(public_world, met)[page]
    client.get(url)  # warm what is not per request (content types and the like)
    for grow in (False, True):
        if grow:
            add_findings(public_world["inspection"], 30, [met, mopac], start=200)
            for number in range(40):
                scope = ("organisation", "inspection", "search")[number % 3]
                subscription(public_world, met, scope, number=number)
        with django_assert_num_queries(QUERIES[page]):
            response = client.get(url)
        assert response.status_code == 200, url
