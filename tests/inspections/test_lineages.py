"""The succession walk: one implementation (``Organisation.objects.lineages``), one query."""

from inspections.choices import OrganisationKind
from inspections.models import Organisation


def _body(slug, successor=None):
    return Organisation.objects.create(
        slug=slug, name=slug.title(), kind=OrganisationKind.POLICE_FORCE, successor=successor
    )


def test_lineages_of_many_bodies_walk_every_merger_back_in_one_query(db, django_assert_num_queries):
    today = _body("today")
    middle = _body("middle", successor=today)
    oldest = _body("oldest", successor=middle)
    sibling = _body("sibling", successor=today)
    alone = _body("alone")

    with django_assert_num_queries(1):
        lineages = Organisation.objects.lineages([today.pk, middle.pk, alone.pk])

    assert lineages == {
        today.pk: {today.pk, middle.pk, oldest.pk, sibling.pk},
        middle.pk: {middle.pk, oldest.pk},
        alone.pk: {alone.pk},
    }
    assert today.lineage_ids() == lineages[today.pk]


def test_lineages_by_slug_cover_every_body_that_succeeded_another(db):
    today = _body("today")
    middle = _body("middle", successor=today)
    _body("oldest", successor=middle)
    _body("alone")

    assert Organisation.objects.lineages(key="slug") == {
        "today": {"today", "middle", "oldest"},
        "middle": {"middle", "oldest"},
    }


def test_a_loop_of_successions_ends_the_walk(db):
    first = _body("first")
    second = _body("second", successor=first)
    Organisation.objects.filter(pk=first.pk).update(successor=second, ceased_on="2020-01-01")

    assert Organisation.objects.lineages([first.pk]) == {first.pk: {first.pk, second.pk}}
