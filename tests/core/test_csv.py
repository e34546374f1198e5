"""One CSV formula escaping, shared by the exports and the bulk import."""

import pytest

from core.csv import escape_formula, unescape_formula
from imports import services as importing
from public import exports


@pytest.mark.parametrize(
    "value", ["=SUM(A1)", "+44 20", "-1", "@cmd", "\tx", "\rx", "'=quoted", "''+x", "plain", "'"]
)
def test_an_escaped_value_reads_back_as_it_was(value):
    assert unescape_formula(escape_formula(value)) == value


def test_a_formula_is_kept_as_text_and_plain_text_is_untouched():
    assert escape_formula("=HYPERLINK()") == "'=HYPERLINK()"
    assert escape_formula("Improve custody") == "Improve custody"
    assert unescape_formula("'not a formula") == "'not a formula"


def test_the_public_export_and_the_import_template_escape_alike():
    # The export once left "'=x" alone, which an import would then read as the formula "=x".
    for value in ["=1+1", "'=1+1", "Plain"]:
        assert exports._csv_cell(value) == importing._csv_cell(value) == escape_formula(value)
