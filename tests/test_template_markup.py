"""Markup the HTML parser would silently rearrange: a scroll region's ``<div>`` opened inside a
``<table>`` is moved out of it by the browser, and its closing tag then ends the page's main
content early (a report's section 55 responses vanished from ``<main>`` that way)."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
# A <div> (after any template tags) straight after a table's start tag, before its caption/rows.
DIV_IN_TABLE = re.compile(r"<table\b[^>]*>\s*(?:\{%[^%]*%\}\s*)*<div\b")


def test_no_template_opens_a_div_straight_inside_a_table():
    found = [
        str(path.relative_to(TEMPLATES))
        for path in sorted(TEMPLATES.rglob("*.html"))
        if DIV_IN_TABLE.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_check_sees_a_div_inside_a_table():
    broken = '<table class="govuk-table">\n{% translate "x" as y %}<div class="app-table-wrapper">'
    assert DIV_IN_TABLE.search(broken)
    assert not DIV_IN_TABLE.search('<div class="app-table-wrapper">\n<table class="govuk-table">')
