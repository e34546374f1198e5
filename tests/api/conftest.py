"""The API's test world: the public world of tests/conftest.py, with something of every resource,
and references from published data to the embargoed report that must come out as null."""

from datetime import timedelta

import pytest
from django.utils import timezone

from api.services import token_create
from inspections.choices import Grade, GradingScale, OrganisationKind
from inspections.models import Inspection, Inspectorate, Organisation
from inspections.services import engage_enter, engage_leave
from recommendations.choices import Section55Action, Status
from recommendations.models import Section55Response, Theme
from recommendations.services import item_close, section55_record_response


@pytest.fixture(autouse=True)
def _api_settings(settings):
    # The schema tests and the page walks make many requests: rate limits have their own tests.
    settings.API_ANON_RATE = "10000/minute"
    settings.API_TOKEN_RATE = "10000/minute"
    # The query counts pinned here are the API's own: the rate limits count in a cache of this
    # process, not the shared database cache (tests/security/test_api_throttle.py tests that).
    settings.CACHES = {
        **settings.CACHES,
        "shared": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }


@pytest.fixture
def api_world(public_world, met, mopac, kent, hmicfrs, custody):
    """Published: the Met custody report with a partner inspectorate, a graded judgement, a
    theme, MOPAC's section 55 response with a statement, AFI1 closed as superseded by the
    embargoed R9 (so its superseded_by must be null), and a later report following up the
    embargoed one (its follows_up must be null). Kent has a predecessor and two Engage periods,
    one citing the embargoed report."""
    inspection = public_world["inspection"]
    recommendation = public_world["recommendation"]
    embargoed = public_world["embargoed"]
    cqc = Inspectorate.objects.create(
        slug="cqc", name="Care Quality Commission", abbreviation="CQC"
    )
    inspection.partner_inspectorates.add(cqc)
    inspection.judgements.create(
        question_area="Leadership", scale=GradingScale.PEEL_FIVE_POINT, grade=Grade.ADEQUATE
    )
    theme = Theme.objects.create(slug="custody", name="Custody")
    recommendation.themes.add(theme)

    response = Section55Response.objects.get(inspection=inspection, local_policing_body=mopac)
    section55_record_response(
        response=response,
        received_on=timezone.localdate(),
        text="MOPAC welcomes the report.",
        statements={recommendation: (Section55Action.WILL_BE_TAKEN, "A board will oversee it.")},
    )

    afi_item = public_world["afi"].items.get(organisation=met)
    item_close(
        item=afi_item,
        outcome=Status.CLOSED_SUPERSEDED,
        note="Replaced by a newer recommendation.",
        superseded_by=public_world["secret"],
    )

    follow_up = Inspection.objects.create(
        title="Child protection: an update",
        slug="child-protection-update",
        programme=custody,
        lead_inspectorate=hmicfrs,
        published_at=timezone.now() - timedelta(days=1),
        follows_up=embargoed,
    )
    follow_up.organisations.add(met)

    old_kent = Organisation.objects.create(
        slug="old-kent-constabulary",
        name="Old Kent Constabulary",
        kind=OrganisationKind.POLICE_FORCE,
        region="South East",
        successor=kent,
        ceased_on=timezone.localdate() - timedelta(days=400),
    )
    today = timezone.localdate()
    engage_enter(
        organisation=kent,
        entered_on=today - timedelta(days=300),
        reasons="Crime recording.",
        inspection=inspection,
    )
    engage_leave(organisation=kent, left_on=today - timedelta(days=100), reasons="Improved.")
    engage_enter(
        organisation=kent,
        entered_on=today - timedelta(days=10),
        reasons="Child protection.",
        inspection=embargoed,
    )
    return {
        **public_world,
        "follow_up": follow_up,
        "old_kent": old_kent,
        "response": response,
        "theme": theme,
        "afi_item": afi_item,
    }


@pytest.fixture
def bearer():
    """The Authorization header of a token of ``user`` (the same token each time for a name)."""
    tokens = {}

    def make(user, name="test"):
        if (user.pk, name) not in tokens:
            _row, token = token_create(user=user, name=name)
            tokens[user.pk, name] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        return tokens[user.pk, name]

    return make


def body(response) -> str:
    return response.content.decode()


def walk(client, url, **params):
    """Every result of a list, following the next links; and the number of pages."""
    results, pages = [], 0
    response = client.get(url, params)
    while True:
        assert response.status_code == 200, (url, response.content[:300])
        pages += 1
        data = response.json()
        results.extend(data["results"])
        if not data["next"]:
            return results, pages
        response = client.get(data["next"])
