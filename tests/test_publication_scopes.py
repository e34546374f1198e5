"""The embargo is written once: each model's ``published()`` scope, built on
``inspections.models.published_q``, and ``Inspection.is_published``. These tests read the
project's own source so that a hand-written comparison of a publication time (the cause of
issue 9's side doors) cannot silently come back."""

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIPPED_DIRS = {
    ".venv",
    "var",
    "node_modules",
    "tests",
    "benchmarks",
    "migrations",
    "static",
    "frontend",
}

# A publication time compared by hand: an ORM lookup (published_at__lte=...), or a Python or
# SQL comparison (published_at <= now).
FORBIDDEN = re.compile(
    r"published_at__(?:lt|lte|gt|gte|range)\b"
    r"|published_at\s*(?:<|>)"
    r"|(?:<|>)=?\s*[\w.]*published_at\b"
)

# The only places allowed to say it: the one Q builder and the one property.
ALLOWED = {
    ("inspections/models.py", 'return Q(**{f"{path}published_at__lte": at or timezone.now()})'),
    (
        "inspections/models.py",
        "return self.published_at is not None and self.published_at <= timezone.now()",
    ),
}

# A progress update's published *flag* read in a query (``filter(is_published=True)``,
# ``Q(is_published=True)``) outside the model layer: published updates are read through
# ``ProgressUpdate.objects.published()``, which also asks the report's publication time.
# Setting the flag (``update.is_published = True``, ``create(is_published=...)``) is no read,
# and the model layer (its scope, guards and constraints) owns the flag.
QUERY_CALLS = {"filter", "exclude", "get", "Q", "Exists", "FilteredRelation", "Prefetch"}
MODEL_LAYER = re.compile(r"(?:^|/)models(?:\.py|/)")


def reads_of_the_published_flag(source: str):
    """Line numbers of queries that read ``is_published=True`` outside a model's own module."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in QUERY_CALLS:
            continue
        for keyword in node.keywords:
            if (
                keyword.arg == "is_published"
                and isinstance(keyword.value, ast.Constant)
                and keyword.value.value is True
            ):
                yield keyword.lineno


def project_sources():
    # Only the project's own top-level folders are walked: walking the virtualenv (.venv, var/)
    # and filtering afterwards took half a minute.
    folders = [
        path
        for path in ROOT.iterdir()
        if path.is_dir() and path.name not in SKIPPED_DIRS and not path.name.startswith(".")
    ]
    paths = [*ROOT.glob("*.py"), *(path for folder in folders for path in folder.rglob("*.py"))]
    for path in sorted(paths):
        relative = path.relative_to(ROOT)
        if SKIPPED_DIRS.intersection(relative.parts[:-1]):
            continue
        yield relative.as_posix(), path.read_text(encoding="utf-8")


def docstring_lines(source: str) -> set[int]:
    """Lines of docstrings: prose may describe the rule without breaking it."""
    lines = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def code_lines(source: str):
    """``(line number, line)`` of the code, without comments and docstrings."""
    skip = docstring_lines(source)
    comments = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.start[1]
    for number, line in enumerate(source.splitlines(), start=1):
        if number in skip:
            continue
        if number in comments:
            line = line[: comments[number]]
        if line.strip():
            yield number, line


def comparisons_of_publication_time(sources):
    found = []
    for name, source in sources:
        lines = source.splitlines()
        for number, line in code_lines(source):
            if FORBIDDEN.search(line) and (name, line.strip()) not in ALLOWED:
                found.append(f"{name}:{number}: {line.strip()}")
        if not MODEL_LAYER.search(name):
            for number in reads_of_the_published_flag(source):
                found.append(f"{name}:{number}: {lines[number - 1].strip()}")
    return found


def test_no_code_compares_a_publication_time_outside_the_public_scopes():
    found = comparisons_of_publication_time(project_sources())

    assert not found, (
        "Ask the model's published() scope (or Inspection.is_published) instead of comparing "
        "a publication time:\n" + "\n".join(found)
    )


def test_the_scan_reads_the_project():
    names = {name for name, _ in project_sources()}

    assert {"inspections/models.py", "api/views.py", "reminders/services.py"} <= names
    assert not any(name.startswith(("tests/", "benchmarks/")) for name in names)
    assert not any("/migrations/" in name for name in names)


@pytest.mark.parametrize(
    "line",
    [
        "qs.filter(finding__inspection__published_at__lte=timezone.now())",
        "qs.exclude(inspection__published_at__lt=at)",
        "public = period.inspection.published_at <= now",
        "public = now >= inspection.published_at",
        'SQL = "SELECT COUNT(*) FROM inspections_inspection WHERE published_at <= %s"',
        "ProgressUpdate.objects.filter(is_published=True)",
        "updates.exclude(pk=1).filter(item=item, is_published=True)",
        "qs.annotate(n=Count('updates', filter=Q(updates__x=1, is_published=True)))",
        '{f"{self.path}__published_at__gte": now}',
    ],
)
def test_the_scan_finds_a_hand_written_comparison(line):
    source = f"def view():\n    {line}\n    return None\n"

    assert comparisons_of_publication_time([("somewhere/views.py", source)])


@pytest.mark.parametrize(
    "line",
    [
        "# WHERE i.published_at <= now: what the index serves",
        "qs.order_by('-published_at')",
        "qs.filter(published_at__date__year=2025)",
        "qs.filter(published_at__isnull=True)",
        "update = progress_update_add(is_published=publish)",
        "update.is_published = True",
        "ProgressUpdate.objects.create(item=item, is_published=True)",
    ],
)
def test_the_scan_leaves_other_uses_alone(line):
    source = f"def view():\n    {line}\n    return None\n"

    assert not comparisons_of_publication_time([("somewhere/views.py", source)])


def test_the_scan_finds_a_read_of_the_flag_written_over_several_lines():
    source = (
        "def view():\n"
        "    return ProgressUpdate.objects.filter(\n"
        "        is_published=True,\n"
        "    )\n"
    )

    assert comparisons_of_publication_time([("somewhere/views.py", source)])


@pytest.mark.parametrize(
    "line",
    [
        "condition=Q(withdrawn_at__isnull=True) | Q(is_published=True)",
        "ProgressUpdate._base_manager.filter(pk=self.update_id, is_published=True).exists()",
    ],
)
def test_the_model_layer_guards_its_own_flag(line):
    source = f"def guard():\n    {line}\n    return None\n"

    assert not comparisons_of_publication_time([("recommendations/models.py", source)])
    assert comparisons_of_publication_time([("public/views.py", source)])
