"""Fixes from the outside accessibility sweep that a page's HTML shows: wide tables in a
focusable scroll region, and a status the same colour in a chart as in its tag."""

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
