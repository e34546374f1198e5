"""Portal and workspace pages do not grow by a query per row: counts pinned at two sizes."""

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.services import item_submit_for_closure
from tests.public.test_pages import add_findings


def submit_all(items):
    for item in items:
        if item.status in ("open", "in_progress"):
            item_submit_for_closure(item=item, note="Done.")


# page: (persona, url name, queries)
PAGES = {
    # 1 session, 2 user, 3 memberships, 4 every succession (one walk, however many levels),
    # 5 status counts, 6 totals, 7 inspections, 8 page count, 9 organisations' names,
    # 10 page of items
    "portal findings": ("met_user", "portal:findings", 10),
    # 1 session, 2 user, 3 submissions count, 4 proposals, 5 memberships (navigation),
    # 6 organisations, 7 programmes, 8 page of submissions
    "workspace queue": ("inspector", "workspace:queue", 8),
    # 1 session, 2 user, 3 section 55 responses, 4 overdue count, 5 memberships (navigation),
    # 6 page of overdue items
    "workspace overdue": ("inspector", "workspace:overdue", 6),
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(PAGES))
def test_query_count_does_not_grow(
    page, client, request, public_world, met, mopac, django_assert_num_queries
):
    from recommendations.models import Item

    persona, name, queries = PAGES[page]
    client.force_login(request.getfixturevalue(persona))
    url = reverse(name)
    for count, start in ((3, 100), (25, 300)):
        add_findings(public_world["inspection"], count, [met, mopac], start=start)
        submit_all(Item.objects.filter(finding__reference__startswith="X"))
        client.get(url)
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200


# Pages with a form that writes: each issues a one-time token, two fixed queries (clear the
# person's old tokens, create the new one), whatever the number of rows on the page.
FORM_PAGES = {
    # 1 session, 2 user, 3 item, 4 may decide, 5 clear old tokens, 6 new token,
    # 7 updates it may withdraw, 8 memberships (navigation), 9 due date proposals, 10 due date
    # changes with who made them, 11 status changes, 12 updates (withdrawn and corrections
    # included), 13 their evidence
    "workspace item": ("inspector", "workspace:item", 13),
    # 1 session, 2 user, 3 memberships, 4 every succession (the lineages), 5 item,
    # 6 clear old tokens, 7 new token
    "portal update form": ("met_user", "portal:add-update", 7),
    # The portal's item page issues no token, but lists the same history: 1 session, 2 user,
    # 3 memberships, 4 every succession (the lineages), 5 item, 6 the lineages (organisations
    # led), 7 due date changes with who made them, 8 the lineages (updates they may correct),
    # 9 updates they may correct, 10 due date proposals, 11 status changes, 12 updates,
    # 13 their evidence
    "portal item": ("met_user", "portal:item", 13),
}


def add_history(item, inspector, n):
    """An internal update, a published one withdrawn, another corrected, and a due date change
    by an inspector: one of each kind of row the item's history lists."""
    from datetime import timedelta

    from recommendations.models import Item
    from recommendations.services import (
        item_set_due_date,
        progress_update_add,
        progress_update_correct,
        progress_update_withdraw,
    )

    progress_update_add(item=item, narrative=f"Update {n}.", self_assessment="on_track")
    withdrawn = progress_update_add(
        item=item, narrative=f"Named a person {n}.", self_assessment="on_track", publish=True
    )
    progress_update_withdraw(update=withdrawn, user=inspector, reason="It named a person.")
    wrong = progress_update_add(
        item=item, narrative=f"Wrong figure {n}.", self_assessment="on_track", publish=True
    )
    progress_update_correct(update=wrong, narrative=f"Right figure {n}.", reason="A typo.")
    item = Item.objects.get(pk=item.pk)
    item_set_due_date(
        item=item,
        due_date=(item.due_date or timezone.localdate()) + timedelta(days=30),
        user=inspector,
        reason=f"Agreed at the review meeting {n}.",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(FORM_PAGES))
def test_form_page_query_count_does_not_grow(
    page, client, request, public_world, inspector, django_assert_num_queries
):
    persona, name, queries = FORM_PAGES[page]
    client.force_login(request.getfixturevalue(persona))
    item = public_world["recommendation"].items.get(organisation__slug__startswith="met")
    url = reverse(name, args=[item.pk])
    for count in (1, 10):
        for n in range(count):
            add_history(item, inspector, n)
        client.get(url)
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200
