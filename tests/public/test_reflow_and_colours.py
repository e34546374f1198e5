"""Fixes from the outside accessibility sweep that a page's HTML shows: wide tables in a
focusable scroll region, and a status the same colour in a chart as in its tag."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from public.charts import status_bar_class
from recommendations.choices import Status
from recommendations.services import item_submit_for_closure
from recommendations.templatetags.tracker import TAG_COLOURS

REGION = 'class="app-table-wrapper" role="region" aria-label="Items by status and kind, scrolls'


@pytest.mark.parametrize("url", ["/", "/organisations/metropolitan-police-service/"])
def test_the_status_table_scrolls_in_its_own_focusable_box(client, public_world, url):
    html = client.get(url).text

    region = html.split(REGION, 1)[1].split("</div>", 1)[0]
    assert 'tabindex="0"' in region.split(">", 1)[0]
    assert "<table" in region


def test_submitted_for_closure_is_the_same_colour_in_the_chart_and_the_tag(
    client, public_world, item
):
    item_submit_for_closure(item=item, note="Done.")

    chart = client.get("/organisations/metropolitan-police-service/").text
    tag = client.get(f"/recommendations/{item.finding_id}/").text

    assert TAG_COLOURS[Status.SUBMITTED] == "govuk-tag--yellow"
    bar = chart.split("Submitted for closure</text>", 1)[1].split("</rect>", 1)[0]
    assert "app-chart__bar--tag-yellow" in bar
    assert 'govuk-tag govuk-tag--yellow">Submitted for closure' in tag


@pytest.mark.parametrize("status", list(Status))
def test_every_status_bar_colour_is_in_the_built_stylesheet(status):
    css = (Path(settings.BASE_DIR) / "static" / "tracker" / "tracker.css").read_text()

    assert f".app-chart__bar--{status_bar_class(status)}{{" in css


def _tag_colours(css: str, selector: str) -> tuple[str, str]:
    """The text and background colours a rule of GOV.UK Frontend's built stylesheet gives."""
    for rule in re.findall(re.escape(selector) + r"\{([^}]*)\}", css):
        declarations = dict(d.split(":", 1) for d in rule.split(";") if ":" in d)
        if "background-color" in declarations:
            return declarations["color"], declarations["background-color"]
    raise AssertionError(f"{selector} sets no colours in the built GOV.UK Frontend stylesheet")


@pytest.mark.parametrize("status", list(Status))
def test_every_status_bar_takes_its_tags_colours_from_the_built_govuk_stylesheet(status):
    static = Path(settings.BASE_DIR) / "static"
    govuk = (static / "govuk" / "govuk-frontend.min.css").read_text()
    tracker = (static / "tracker" / "tracker.css").read_text()
    modifier = TAG_COLOURS[status]
    # Blue is the tag's default colour: GOV.UK Frontend 6 has no rule for a blue modifier.
    selector = ".govuk-tag" if modifier == "govuk-tag--blue" else f".{modifier}"
    text, background = _tag_colours(govuk, selector)

    bar_rule = re.escape(f".app-chart__bar--{status_bar_class(status)}") + r"\{([^}]*)\}"
    bar = re.search(bar_rule, tracker)

    assert bar, status
    assert f"fill:{background}" in bar.group(1)
    assert f"stroke:{text}" in bar.group(1)
