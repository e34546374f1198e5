"""Server-rendered SVG bar charts: the geometry is computed here, the markup is a template.

A chart is always shown beside a table of the same figures (templates/includes/bar_chart.html
draws only the picture), so nothing depends on seeing it.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: float
    width: float
    text_y: float
    value_x: float
    css_class: str


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    bars: list
    width: int
    height: int
    label_width: int
    bar_height: int

    @property
    def label_right(self):
        return self.label_width - 8


def bar_chart(
    rows,
    *,
    id,
    title,
    label="label",
    value="value",
    css_class=None,
    label_width=220,
    width=640,
    bar_height=22,
    gap=10,
):
    """Horizontal bars, one per row; ``rows`` are dicts (or objects) holding label and value."""

    def get(row, key):
        return row[key] if isinstance(row, dict) else getattr(row, key)

    rows = list(rows)
    plot = width - label_width - 60  # room for the value printed after the longest bar
    top = max((get(row, value) or 0 for row in rows), default=0) or 1
    bars = []
    for index, row in enumerate(rows):
        amount = get(row, value) or 0
        y = gap + index * (bar_height + gap)
        bar_width = round(plot * amount / top, 1)
        bars.append(
            Bar(
                label=str(get(row, label)),
                value=amount,
                y=y,
                width=bar_width,
                text_y=y + bar_height * 0.72,
                value_x=label_width + bar_width + 6,
                css_class=(get(row, css_class) if css_class else "") or "",
            )
        )
    height = gap + len(rows) * (bar_height + gap)
    return BarChart(
        id=id,
        title=title,
        bars=bars,
        width=width,
        height=height,
        label_width=label_width,
        bar_height=bar_height,
    )
