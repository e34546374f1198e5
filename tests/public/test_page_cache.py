"""The whole-page cache of the anonymous public pages (public/page_cache.py): served again
without rendering, answered 304 on its validators, a new version after any write, never for a
signed-in user, and never hiding a report whose embargo has lifted nor showing one before."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import caches
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from audit.services import log_actions
from inspections.models import Inspection
from public import page_cache, views
from public.counts_cache import GENERATION_KEY, stamp_cache
from recommendations.choices import Source, Status
from recommendations.models import Item
from recommendations.services import item_close, item_start
from tests.conftest import EMBARGOED

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300
    # A Welsh request leaves Welsh active in this thread, as a server's would: reverse() below
    # gives the English addresses.
    translation.deactivate()
    yield
    translation.deactivate()


def from_the_cache(response) -> bool:
    """Answered by the middleware: the session and sign-in middleware never saw the request."""
    return not hasattr(response.wsgi_request, "session")


def nonce_of(response):
    return re.search(rb'nonce="([^"]+)"', response.content).group(1).decode()


def test_a_second_reader_gets_the_cached_page_without_rendering(client, public_world):
    url = reverse("public:inspection-detail", args=[public_world["inspection"].slug])
    first = client.get(url)
    assert first.status_code == 200 and first.context is not None
    second = client.get(url)
    assert second.status_code == 200
    assert second.context is None, "served from the cache, no template rendered"
    assert second["ETag"] == first["ETag"] and second["ETag"].startswith('W/"')
    assert second["Last-Modified"] == first["Last-Modified"]
    # The same page but for its nonce, which is this response's own and in its policy.
    assert nonce_of(first) != nonce_of(second)
    assert f"'nonce-{nonce_of(second)}'" in second["Content-Security-Policy"]
    assert first.content.replace(nonce_of(first).encode(), b"") == second.content.replace(
        nonce_of(second).encode(), b""
    )


def test_a_cached_page_costs_no_query(client, public_world, django_assert_num_queries):
    """The version of the data is kept in the shared cache: a hit reads no table."""
    url = reverse("public:finding-list") + "?organisation=metropolitan-police-service"
    client.get(url)
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200


def test_a_hit_is_served_before_the_session_locale_and_view(client, public_world, monkeypatch):
    """The middleware answers a hit itself: no view, no URL resolving, no session."""
    url = reverse("public:about")
    client.get(url)

    def refuse(*args, **kwargs):
        raise AssertionError("reached the URL resolver")

    monkeypatch.setattr("django.urls.resolvers.URLResolver.resolve", refuse)
    hit = client.get(url)
    assert hit.status_code == 200 and b"<html" in hit.content
    assert from_the_cache(hit) and not hasattr(hit.wsgi_request, "user")


def test_a_page_stored_by_another_process_is_served_and_kept(client, public_world, settings):
    """The shared cache holds every page; each process keeps those it served in its memory, and
    then reads only the version from the shared cache."""
    url = reverse("public:about")
    first = client.get(url)
    page_cache.KEPT.clear()  # as in another process
    from_shared = client.get(url)
    assert from_the_cache(from_shared) and from_shared["ETag"] == first["ETag"]
    caches["default"].delete(
        page_cache.entry_key(f"{settings.LANGUAGE_CODE}|http://testserver{url}")
    )
    kept = client.get(url)
    assert from_the_cache(kept) and kept["ETag"] == first["ETag"]
    assert kept.content.replace(nonce_of(kept).encode(), b"") == first.content.replace(
        nonce_of(first).encode(), b""
    )


@pytest.mark.parametrize(
    "name", ["public:overview", "public:finding-list", "public:about", "public:feed"]
)
def test_a_hit_has_every_header_of_a_miss(client, public_world, name):
    """Security headers, language, Vary, framing: a hit answers as the page it copies, with a
    CSP of its own nonce."""
    url = reverse(name)
    miss = client.get(url)
    hit = client.get(url)
    assert not from_the_cache(miss) and from_the_cache(hit)

    def headers(response):
        return {
            name.lower(): value
            for name, value in response.items()
            if name.lower() != "content-security-policy"
        }

    assert headers(hit) == headers(miss)
    for header in ("X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Vary"):
        assert hit.has_header(header), header
    assert int(hit["Content-Length"]) == len(hit.content)
    policy = miss["Content-Security-Policy"]
    if b"nonce=" in miss.content:
        assert hit["Content-Security-Policy"] == policy.replace(nonce_of(miss), nonce_of(hit))
    else:
        assert hit["Content-Security-Policy"] == policy


@pytest.mark.parametrize("name", ["public:overview", "public:finding-list", "public:about"])
def test_if_none_match_and_if_modified_since_get_304(client, public_world, name):
    url = reverse(name)
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    assert client.get(url, headers={"if-modified-since": modified}).status_code == 304
    assert client.get(url, headers={"if-none-match": 'W/"other"'}).status_code == 200


def test_a_date_alone_is_not_believed_for_a_page_never_served(client, public_world):
    overview = client.get(reverse("public:overview"))
    missing = client.get(
        reverse("public:organisation-detail", args=["nobody"]),
        headers={"if-modified-since": overview["Last-Modified"]},
    )
    assert missing.status_code == 404


def test_a_status_change_through_a_service_makes_a_new_version(
    client, transactional_db, public_world, inspector
):
    """Committed (``transactional_db``): the generation moves when the write commits."""
    item = Item.objects.get(finding=public_world["afi"])
    url = reverse("public:finding-detail", args=[item.finding_id])
    before = client.get(url)
    client.get(url)  # cached
    item_start(item=item, user=inspector, note="Begun.")
    after = client.get(url, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    assert after.context is not None, "rendered again"
    assert after["ETag"] != before["ETag"]
    assert b"In progress" in after.content
    item_close(item=item, user=inspector, outcome="closed_complete", note="Verified.")
    assert b"Verified by the inspectorate" in client.get(url).content


def test_an_edit_without_a_log_still_makes_a_new_version(
    client, transactional_db, public_world, met
):
    """Any committed save of the public data bumps the version (public/apps.py): once for a
    transaction, and only when it commits."""
    url = reverse("public:overview")
    before = client.get(url)
    generation = stamp_cache().get(GENERATION_KEY)
    with pytest.raises(RuntimeError), transaction.atomic():
        met.name = "Rolled back"
        met.save()
        raise RuntimeError
    assert stamp_cache().get(GENERATION_KEY) == generation
    with transaction.atomic():
        met.name = "Metropolitan Police Service (renamed)"
        met.save()
        met.save()
    assert stamp_cache().get(GENERATION_KEY) == generation + 1
    after = client.get(url)
    assert after["ETag"] != before["ETag"]
    assert b"(renamed)" in after.content


def test_a_bulk_write_logged_in_the_audit_trail_makes_a_new_version(
    client, transactional_db, public_world, met
):
    """Bulk writes send no post_save: the audit trail's bulk log announces them (core.signals)."""
    url = reverse("public:overview")
    before = client.get(url)
    assert from_the_cache(client.get(url))
    generation = stamp_cache().get(GENERATION_KEY)
    with transaction.atomic():
        log_actions(entries=[("organisation.renamed", met, {}), ("organisation.renamed", met, {})])
    assert stamp_cache().get(GENERATION_KEY) == generation + 1
    after = client.get(url)
    assert not from_the_cache(after) and after["ETag"] != before["ETag"]


def test_signed_in_users_are_never_served_or_stored(client, public_world, inspector):
    url = reverse("public:overview")
    client.force_login(inspector)
    signed_in = client.get(url)
    assert b"Sign out" in signed_in.content
    assert not signed_in.has_header("ETag")
    again = client.get(url)
    assert again.context is not None, "rendered for a signed-in user every time"
    client.logout()
    anonymous = client.__class__()
    page = anonymous.get(url)
    assert page.context is not None, "what the signed-in user saw was not stored"
    assert b"Sign out" not in page.content


def test_a_report_whose_embargo_lifts_shows_at_that_moment(
    client, public_world, settings, monkeypatch
):
    """A page cached while a report was embargoed is served until its publication time and not
    a moment after, however long the version would otherwise be kept: nothing is written."""
    settings.PAGE_VERSION_SECONDS = 30 * 24 * 60 * 60
    lifting = Inspection.objects.get(slug="embargoed-report").published_at
    url = reverse("public:inspection-list")
    before = client.get(url)
    assert EMBARGOED.encode() not in before.content
    assert page_cache.current_version().valid_until <= lifting.timestamp()

    monkeypatch.setattr(timezone, "now", lambda: lifting - timedelta(seconds=1))
    just_before = client.get(url)
    assert EMBARGOED.encode() not in just_before.content
    monkeypatch.setattr(timezone, "now", lambda: lifting)
    after = client.get(url, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200 and after.context is not None
    assert EMBARGOED.encode() in after.content
    assert after["ETag"] != before["ETag"]


def test_a_write_that_sends_no_signal_shows_when_the_version_is_read_again(
    client, public_world, settings, monkeypatch
):
    """A bulk update bumps no generation: the stamp is read again after PAGE_VERSION_SECONDS."""
    url = reverse("public:inspection-list")
    before = client.get(url)
    assert EMBARGOED.encode() not in before.content
    assert client.get(url).context is None  # cached
    Inspection.objects.filter(slug="embargoed-report").update(
        published_at=timezone.now() - timedelta(seconds=1)
    )
    later = timezone.now() + timedelta(seconds=settings.PAGE_VERSION_SECONDS)
    monkeypatch.setattr(timezone, "now", lambda: later)
    after = client.get(url, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    assert EMBARGOED.encode() in after.content


def test_when_the_version_ends_the_same_data_keeps_its_pages(
    client, public_world, settings, monkeypatch, django_assert_num_queries
):
    """The version is worked out again (2 queries: the next embargo, the stamp), not the page."""
    settings.PAGE_VERSION_SECONDS = 1  # (a new day would be new data: one second from midnight)
    url = reverse("public:overview")
    first = client.get(url)
    later = timezone.now() + timedelta(seconds=settings.PAGE_VERSION_SECONDS)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with django_assert_num_queries(2):
        again = client.get(url)
    assert from_the_cache(again) and again["ETag"] == first["ETag"]


def test_midnight_makes_a_new_version(client, public_world, monkeypatch):
    """Overdue items change with the day."""
    url = reverse("public:overview")
    before = client.get(url)
    midnight = page_cache._next_midnight(timezone.now())
    monkeypatch.setattr(timezone, "now", lambda: midnight)
    after = client.get(url)
    assert after.context is not None and after["ETag"] != before["ETag"]


def test_a_welsh_page_is_its_own_entry(client, public_world):
    english, welsh = reverse("public:about"), "/cy" + reverse("public:about")
    first_english = client.get(english)
    first_welsh = client.get(welsh)
    assert first_welsh.context is not None, "not the English page from the cache"
    again_english, again_welsh = client.get(english), client.get(welsh)
    assert again_english.context is None and again_welsh.context is None
    assert again_welsh["Content-Language"] == "cy"
    assert again_english["Content-Language"] == "en-gb"
    assert again_welsh["ETag"] == first_welsh["ETag"] != first_english["ETag"]
    assert first_welsh.content.replace(nonce_of(first_welsh).encode(), b"") == (
        again_welsh.content.replace(nonce_of(again_welsh).encode(), b"")
    )
    assert again_english.content != again_welsh.content


def test_a_signed_in_user_never_gets_the_cached_page(client, public_world, inspector):
    url = reverse("public:overview")
    client.get(url)
    assert client.get(url).context is None  # cached for anonymous readers
    client.force_login(inspector)
    signed_in = client.get(url)
    assert signed_in.context is not None
    assert b"Sign out" in signed_in.content


def test_feeds_are_cached_and_move_with_a_write(
    client, transactional_db, public_world, inspector, django_assert_num_queries
):
    url = reverse("public:organisation-feed", args=["metropolitan-police-service"])
    first = client.get(url)
    assert first["Content-Type"].startswith("application/atom+xml")
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    item = Item.objects.get(finding=public_world["afi"])
    item_start(item=item, user=inspector, note="Begun in earnest.")
    after = client.get(url)
    assert after["ETag"] != first["ETag"]
    assert b"Begun in earnest." in after.content


def test_the_language_is_part_of_the_key(public_world):
    request_factory = RequestFactory()
    etags = {}
    for language in ("en", "cy"):
        with translation.override(language):
            request = request_factory.get(reverse("public:about"))
            request.user = AnonymousUser()
            request.session = SessionStore()
            etags[language] = views.about(request)["ETag"]
    assert etags["en"] != etags["cy"]


def test_the_query_is_part_of_the_key(client, public_world):
    url = reverse("public:finding-list")
    assert client.get(url + "?kind=recommendation")["ETag"] != client.get(url)["ETag"]
    filtered = client.get(url + "?kind=area_for_improvement")
    assert client.get(url + "?kind=area_for_improvement").content.count(b"AFI1") == (
        filtered.content.count(b"AFI1")
    )


def test_a_reader_with_a_session_is_not_served_from_the_cache(client, public_world):
    url = reverse("public:overview")
    client.get(url)
    client.cookies["sessionid"] = "anything"
    assert client.get(url).context is not None


@pytest.mark.parametrize("overdue", [False, True])
def test_status_tags_worked_out_once_are_the_tag_the_templates_write(public_world, overdue):
    """The inspection page's tables take each status tag from ``status_tag_html`` (rendered
    once per status, source and flag): the same markup as ``{% status_tag %}``."""
    from django.template import Context, Template

    from recommendations.templatetags.tracker import status_tag_html

    tag = Template("{% load tracker %}{% status_tag item overdue=overdue %}")
    for status in Status:
        for source in ["", *Source.values]:
            item = Item(status=status, status_source=source)
            expected = tag.render(Context({"item": item, "overdue": overdue}))
            assert status_tag_html(item, overdue=overdue) == expected


def test_the_inspection_page_links_each_finding_as_reverse_would(client, public_world):
    response = client.get(
        reverse("public:inspection-detail", args=[public_world["inspection"].slug])
    )
    finding = public_world["afi"]
    assert finding.pk in [f.pk for f in response.context["areas"]]
    [shown] = [f for f in response.context["areas"] if f.pk == finding.pk]
    assert shown.public_url == reverse("public:finding-detail", args=[finding.pk])
    assert f'href="{shown.public_url}"'.encode() in response.content
