"""Fail when the Welsh catalogue is behind the code: ``manage.py check_translations``.

It runs ``makemessages -l cy`` on a scratch copy of the project (symbolic links to its folders,
a real copy of ``locale/``), so the working tree is never touched, and compares what comes out
with the committed ``locale/cy/LC_MESSAGES/django.po``: a string marked in the code but not in
the catalogue, one that is only in the catalogue, an empty or fuzzy translation all fail. It
then checks that the committed ``django.mo`` is the compiled ``django.po``. ``make lint`` and CI
run it; README, "How to add or correct a translation".
"""

import ast
import gettext
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test import override_settings

LANGUAGE = "cy"
# What makemessages must not read: the tests, generated files, tools and installed packages.
IGNORED = ["tests/*", "var/*", "benchmarks/*", "static/*", "node_modules/*", "demo/*"]


def catalogue_path(base: Path) -> Path:
    return base / "locale" / LANGUAGE / "LC_MESSAGES" / "django.po"


# A PO entry's keywords (msgctxt, msgid, msgid_plural, msgstr, msgstr[n]) and their strings,
# each continued on the lines that follow it.
KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$')


def read_catalogue(path: Path) -> dict:
    """{(context, msgid): {"plural": ..., "translations": [...], "fuzzy": bool}} of a PO file."""
    entries = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        if "\n#~" in "\n" + block:
            raise CommandError(f"{path} keeps obsolete entries (#~): remove them")
        fields, fuzzy, keyword = {}, False, None
        for line in block.splitlines():
            if line.startswith("#"):
                fuzzy = fuzzy or (line.startswith("#,") and "fuzzy" in line)
            elif match := KEYWORD.match(line):
                keyword = match.group(1)
                fields[keyword] = _unquote(match.group(2))
            elif line.startswith('"') and keyword:
                fields[keyword] += _unquote(line)
        if fields.get("msgid"):
            translations = [
                value for key, value in sorted(fields.items()) if key.startswith("msgstr")
            ]
            entries[(fields.get("msgctxt", ""), fields["msgid"])] = {
                "plural": fields.get("msgid_plural"),
                "translations": translations,
                "fuzzy": fuzzy,
            }
    return entries


def _unquote(text: str) -> str:
    """A PO string's value: the quotes off, the escapes undone."""
    return ast.literal_eval(text.strip())


def catalogue_problems(committed: dict, fresh: dict) -> list[str]:
    """What is wrong with the committed catalogue, given what makemessages makes of the code."""
    problems = []
    for key in sorted(fresh.keys() - committed.keys()):
        problems.append(f"not in the catalogue: {key[1]!r}")
    for key in sorted(committed.keys() - fresh.keys()):
        problems.append(f"no longer in the code: {key[1]!r}")
    for key, entry in sorted(committed.items()):
        if entry["fuzzy"]:
            problems.append(f"fuzzy: {key[1]!r}")
        if not entry["translations"] or not all(entry["translations"]):
            problems.append(f"not translated: {key[1]!r}")
    for key, entry in sorted(fresh.items()):
        if key in committed and entry["fuzzy"]:
            problems.append(f"fuzzy after makemessages: {key[1]!r}")
    return problems


def compiled_problems(po_path: Path, mo_path: Path) -> list[str]:
    """Whether the committed .mo holds exactly what compiling the .po gives."""
    if not mo_path.exists():
        return [f"{mo_path} is missing: run manage.py compilemessages"]
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "django.mo"
        msgfmt = shutil.which("msgfmt")
        # Fixed arguments: the catalogue's own path and a scratch file.
        subprocess.run(  # noqa: S603
            [msgfmt, "--check", "-o", str(fresh), str(po_path)], check=True, capture_output=True
        )
        with fresh.open("rb") as file:
            expected = gettext.GNUTranslations(file)._catalog
    with mo_path.open("rb") as file:
        committed = gettext.GNUTranslations(file)._catalog
    if committed != expected:
        return [f"{mo_path} is not the compiled {po_path.name}: run manage.py compilemessages"]
    return []


class Command(BaseCommand):
    help = "Fail if the Welsh catalogue misses, keeps or leaves untranslated any string."

    def handle(self, *args, **options):
        if shutil.which("msgfmt") is None:
            raise CommandError("GNU gettext is needed (msgfmt): apt-get install gettext")
        base = Path(settings.BASE_DIR)
        committed_po = catalogue_path(base)
        problems = []
        with tempfile.TemporaryDirectory() as scratch:
            scratch = Path(scratch)
            for child in base.iterdir():
                if child.name in ("locale",) or child.name.startswith("."):
                    continue
                (scratch / child.name).symlink_to(child)
            shutil.copytree(base / "locale", scratch / "locale")
            here = Path.cwd()
            os.chdir(scratch)
            try:
                with override_settings(LOCALE_PATHS=[scratch / "locale"]):
                    call_command(
                        "makemessages",
                        locale=[LANGUAGE],
                        symlinks=True,
                        no_obsolete=True,
                        ignore_patterns=IGNORED,
                        verbosity=0,
                    )
            finally:
                os.chdir(here)
            fresh = read_catalogue(catalogue_path(scratch))
        problems += catalogue_problems(read_catalogue(committed_po), fresh)
        problems += compiled_problems(committed_po, committed_po.with_suffix(".mo"))
        if problems:
            raise CommandError(
                "The Welsh catalogue is not up to date (README, 'How to add or correct a "
                "translation'):\n  " + "\n  ".join(problems)
            )
        self.stdout.write(f"The Welsh catalogue is complete: {len(fresh)} strings.")
