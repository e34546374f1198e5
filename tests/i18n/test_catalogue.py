"""The Welsh catalogue: complete, compiled, with Welsh plural forms; and the check that says so
(``manage.py check_translations``, run by ``make lint``) fails when it should."""

import shutil

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from core.management.commands.check_translations import catalogue_problems, read_catalogue

PO = settings.BASE_DIR / "locale" / "cy" / "LC_MESSAGES" / "django.po"


def test_the_catalogue_has_every_string_of_the_code_translated_and_compiled():
    call_command("check_translations")


def test_a_string_marked_in_the_code_but_not_in_the_catalogue_fails_the_check(tmp_path, settings):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text(
        '{% load i18n %}<p>{% translate "A phrase nobody has translated" %}</p>'
        '<p>{% translate "Overdue" %}</p>'
    )
    shutil.copytree(settings.BASE_DIR / "locale", tmp_path / "locale")
    settings.BASE_DIR = tmp_path
    with pytest.raises(CommandError) as error:
        call_command("check_translations")
    message = str(error.value)
    assert "not in the catalogue: 'A phrase nobody has translated'" in message
    # Everything else of the real catalogue is, in this small project, no longer in the code.
    assert "no longer in the code: 'Find findings'" in message
    assert "'Overdue'" not in message


def test_fuzzy_and_empty_translations_fail_the_check():
    fresh = {("", "Open"): {"plural": None, "translations": [""], "fuzzy": False}}
    assert catalogue_problems(
        {("", "Open"): {"plural": None, "translations": ["Agored"], "fuzzy": True}}, fresh
    ) == ["fuzzy: 'Open'"]
    assert catalogue_problems(
        {("", "Open"): {"plural": None, "translations": [""], "fuzzy": False}}, fresh
    ) == ["not translated: 'Open'"]
    assert (
        catalogue_problems(
            {("", "Open"): {"plural": None, "translations": ["Agored"], "fuzzy": False}}, fresh
        )
        == []
    )


def test_the_catalogue_uses_the_six_welsh_plural_forms():
    header = PO.read_text(encoding="utf-8").split("\n\n")[0]
    assert (
        "Plural-Forms: nplurals=6; plural=(n==0) ? 0 : (n==1) ? 1 : (n==2) ? 2 : "
        "(n==3) ? 3 : (n==6) ? 4 : 5;" in header
    )
    entries = read_catalogue(PO)
    plurals = [entry for entry in entries.values() if entry["plural"]]
    assert plurals
    assert all(len(entry["translations"]) == 6 for entry in plurals)
    with translation.override("cy"):
        words = {
            n: translation.ngettext("%(counter)s finding.", "%(counter)s findings.", n)
            % {"counter": n}
            for n in (0, 1, 2, 3, 6, 7)
        }
    assert words == {
        0: "0 canfyddiad.",
        1: "1 canfyddiad.",
        2: "2 ganfyddiad.",
        3: "3 chanfyddiad.",
        6: "6 chanfyddiad.",
        7: "7 canfyddiad.",
    }
