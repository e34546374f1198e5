"""CSV safety shared by the exports and the bulk import.

Spreadsheets run a cell that starts like a formula (``=``, ``+``, ``-``, ``@``, a tab or a
carriage return). Every CSV the tracker writes keeps such a cell as text with a leading
apostrophe, and the import takes the apostrophe off again, so that a file exported then
imported says what it said. A value that already starts with apostrophes before a formula
gets one more, so the round trip keeps them.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: str) -> bool:
    """Whether a spreadsheet would run ``value`` (after any apostrophes) as a formula."""
    return value.lstrip("'").startswith(FORMULA_STARTS)


def escape_formula(value: str) -> str:
    """``value`` as a CSV cell a spreadsheet shows as text."""
    return "'" + value if looks_like_formula(value) else value


def unescape_formula(value):
    """What ``escape_formula`` was given; anything else (not a string, an apostrophe before
    ordinary text) unchanged."""
    if isinstance(value, str) and value.startswith("'") and looks_like_formula(value[1:]):
        return value[1:]
    return value
