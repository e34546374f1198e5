"""Following a search: how it is put in words, and what becomes of a stored search whose
filter options have gone since."""

from urllib.parse import quote

from django.utils import timezone

from alerts.models import Subscription
from alerts.services import alerts_send, search_target
from inspections.choices import ProgrammeKind
from inspections.models import Programme
from recommendations.services import item_submit_for_closure, progress_update_add

URL = "/alerts/"


def test_a_search_is_said_in_words_with_every_filter_it_keeps(public_world):
    target = search_target(
        "?status=in_progress&status=open&kind=recommendation&due_before=2030-01-31"
        "&organisation=metropolitan-police-service&inspection=met-custody-2025&q=force&page=2"
    )

    assert target.description == (
        "findings with words “force”; Kind: Recommendation; Status: In progress, Open; "
        "Organisation: Metropolitan Police Service; Due on or before: 31 January 2030; "
        "Inspection: Metropolitan Police Service custody"
    )
    # In a canonical order, without the page: the same search is one subscription.
    assert target.query == (
        "due_before=2030-01-31&inspection=met-custody-2025&kind=recommendation"
        "&organisation=metropolitan-police-service&q=force&status=in_progress&status=open"
    )
    assert target.url() == "/recommendations/?" + target.query


def test_a_search_of_nothing_follows_every_published_finding(public_world):
    assert search_target("?page=3&sort=due").description == "every published finding"


def test_the_subscription_page_of_an_unknown_organisation_is_not_found(client, db):
    response = client.get(URL, {"organisation": "no-such-force"})

    assert response.status_code == 404


def test_a_stored_search_whose_programme_has_gone_still_sends_what_is_left(
    public_world, met, outbox
):
    """The programme was renamed after the search was stored: the email says "your search"
    and the rest of the search (the status) still chooses what is sent."""
    programme = Programme.objects.create(slug="peel", name="PEEL", kind=ProgrammeKind.PEEL)
    since = timezone.now()  # After the world was made: only what follows is news.
    subscription = Subscription.objects.create(
        email="reader@example.org",
        scope="search",
        frequency="daily",
        query=f"programme={quote(programme.slug)}&status=submitted",
        created_at=since,
        confirmed_at=since,
        covered_until=since,
    )
    programme.delete()
    item = public_world["recommendation"].items.get(organisation=met)
    item_submit_for_closure(item=item, note="The board has met three times.")
    progress_update_add(  # An open item: not what the search follows.
        item=public_world["afi"].items.get(organisation=met),
        narrative="Risk assessments are being rewritten.",
        self_assessment="on_track",
        publish=True,
    )

    report = alerts_send()

    assert [digest.subscription for digest in report.emailed] == [subscription]
    (message,) = outbox
    assert message.subject == "1 change: your search"
    assert "Submitted for closure" in message.body
    assert "Risk assessments are being rewritten." not in message.body
