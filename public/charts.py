"""Server-rendered SVG bar charts: the geometry is computed here, the markup is a template.

A chart is always shown beside a table of the same figures (templates/includes/bar_chart.html
draws only the picture), so nothing depends on seeing it.
"""

from dataclasses import dataclass

from recommendations.choices import Status
from recommendations.templatetags.tracker import TAG_COLOURS


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    label_y: float
    y: float
    width: float
    value_y: float
    value_x: float
    css_class: str


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    bars: list
    width: int
    height: int
    bar_height: int


# Each row: the label on its own line, the bar under it, the value after the bar. Labels above
# bars keep the chart narrow, so that on a phone it needs no shrinking and the text stays legible.
LABEL_HEIGHT = 20
BAR_HEIGHT = 18
ROW_GAP = 12
VALUE_ROOM = 56


def status_bar_class(status: str) -> str:
    """The modifier of a status's bar: its tag's colour (``TAG_COLOURS``), so that "Submitted
    for closure" is the same colour in a chart as in a tag (frontend/tracker.scss draws the bar
    with the tag's background and its text colour as the edge)."""
    return "tag-" + TAG_COLOURS[Status(status)].removeprefix("govuk-tag--")


def bar_chart(rows, *, id, title, label="label", value="value", css_class=None, width=360):
    """Horizontal bars, one per row; ``rows`` are dicts (or objects) holding label and value.

    ``css_class`` names the row's key holding each bar's modifier; ``"status"`` gives each bar
    its status tag's colour.
    """

    def get(row, key):
        return row[key] if isinstance(row, dict) else getattr(row, key)

    rows = list(rows)
    plot = width - VALUE_ROOM
    top = max((get(row, value) or 0 for row in rows), default=0) or 1
    row_height = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    bars = []
    for index, row in enumerate(rows):
        amount = get(row, value) or 0
        y = index * row_height
        bar_width = round(plot * amount / top, 1)
        bars.append(
            Bar(
                label=str(get(row, label)),
                value=amount,
                label_y=y + 15,
                y=y + LABEL_HEIGHT,
                width=bar_width,
                value_y=y + LABEL_HEIGHT + 14,
                value_x=bar_width + 6,
                css_class=_bar_class(row, css_class, get),
            )
        )
    return BarChart(
        id=id,
        title=title,
        bars=bars,
        width=width,
        height=len(rows) * row_height,
        bar_height=BAR_HEIGHT,
    )


def _bar_class(row, css_class, get) -> str:
    if not css_class:
        return ""
    if css_class == "status":
        return status_bar_class(get(row, "status"))
    return get(row, css_class) or ""
