"""``finding_diff``: the one diff of a finding and its changes, shared by ``findings_update``
and the import's preview. Pure: these tests need no database."""

from datetime import date

from recommendations.models import Theme
from recommendations.services import finding_diff


def test_only_fields_whose_value_changes_are_in_the_diff():
    current = {"text": "Same.", "due_date": date(2026, 3, 31), "deadline_wording": ""}
    changes = {"text": "Same.", "due_date": date(2026, 4, 30), "deadline_wording": ""}

    assert finding_diff(current, changes) == {"due_date": (date(2026, 3, 31), date(2026, 4, 30))}


def test_themes_compare_by_identity_not_order_and_read_as_sorted_slugs():
    custody, force = Theme(pk=1, slug="custody"), Theme(pk=2, slug="use-of-force")
    current = {"themes": {2: "use-of-force", 1: "custody"}}

    assert finding_diff(current, {"themes": [force, custody]}) == {}
    assert finding_diff(current, {"themes": [force]}) == {
        "themes": (["custody", "use-of-force"], ["use-of-force"])
    }


def test_the_diff_keeps_the_order_of_the_changes():
    current = {"kind": "recommendation", "text": "Old.", "reference": "R1"}
    changes = {"reference": "R2", "text": "New.", "kind": "area_for_improvement"}

    assert list(finding_diff(current, changes)) == ["reference", "text", "kind"]
