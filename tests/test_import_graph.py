"""The apps import each other in one direction, and core imports no other app.

Every first-party module is parsed (not imported), and each import in it counts, whether at
module level or inside a function: an import placed in a function to dodge a circle is still
the circle. An app is a top-level package of the project (``tests`` aside). The direction:

    core  <-  audit, accounts  <-  inspections  <-  recommendations
          <-  public, portal, workspace, api, reminders, backoffice  <-  imports (extends the admin)
          <-  demo, benchmarks, config (settings and urls)

The self-tests below check the checker on a made-up project: one that would have passed the old
code's circles would not be a test.
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOT_APPS = {"tests"}


def first_party_packages(root: Path) -> set[str]:
    return {
        path.name
        for path in root.iterdir()
        if path.is_dir() and (path / "__init__.py").exists() and path.name not in NOT_APPS
    }


def imported_modules(tree: ast.AST):
    """Every absolute import in the module, at any depth, with its line."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, node.lineno


def app_imports(root: Path) -> dict[tuple[str, str], list[str]]:
    """``{(app, imported app): ["file:line", ...]}`` for every import between two apps."""
    apps = first_party_packages(root)
    edges = defaultdict(list)
    for app in sorted(apps):
        for path in sorted((root / app).rglob("*.py")):
            where = path.relative_to(root).as_posix()
            for module, line in imported_modules(ast.parse(path.read_text(), filename=where)):
                target = module.split(".")[0]
                if target in apps and target != app:
                    edges[(app, target)].append(f"{where}:{line}")
    return dict(edges)


def import_cycles(edges) -> list[list[str]]:
    """The groups of apps that import each other, directly or round a circle (the strongly
    connected components of more than one app), each sorted, in sorted order."""
    graph = defaultdict(set)
    for source, target in edges:
        graph[source].add(target)
        graph.setdefault(target, set())
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(app):
        index[app] = low[app] = len(index)
        stack.append(app)
        on_stack.add(app)
        for other in sorted(graph[app]):
            if other not in index:
                visit(other)
                low[app] = min(low[app], low[other])
            elif other in on_stack:
                low[app] = min(low[app], index[other])
        if low[app] == index[app]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == app:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for app in sorted(graph):
        if app not in index:
            visit(app)
    return sorted(groups)


def describe(cycles, edges) -> str:
    lines = []
    for group in cycles:
        lines.append(" <-> ".join(group) + ":")
        for (source, target), places in sorted(edges.items()):
            if source in group and target in group:
                lines.append(f"  {source} imports {target} at {', '.join(places)}")
    return "\n".join(lines)


def test_no_app_imports_another_round_a_circle():
    edges = app_imports(ROOT)
    cycles = import_cycles(edges)
    assert not cycles, "First-party import circles:\n" + describe(cycles, edges)


def test_core_imports_no_other_app():
    edges = app_imports(ROOT)
    from_core = {target: places for (source, target), places in edges.items() if source == "core"}
    assert not from_core, f"core must depend on Django only; it imports {from_core}"


def test_the_domain_apps_import_in_one_direction():
    edges = app_imports(ROOT)
    assert ("inspections", "recommendations") not in edges, edges[
        ("inspections", "recommendations")
    ]


DOMAIN = {"core", "audit", "accounts", "inspections", "recommendations"}


def test_the_domain_imports_none_of_the_apps_built_on_it():
    # The public site, the portal, the workspace, the API, the reminders, the admin, the import
    # and the demo are built on the domain; the domain knows none of them.
    edges = app_imports(ROOT)
    upward = {
        f"{source} imports {target}": places
        for (source, target), places in edges.items()
        if source in DOMAIN and target not in DOMAIN
    }
    assert not upward, upward


# The checker, checked ----------------------------------------------------------------------


def _project(tmp_path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for package in {Path(name).parts[0] for name in files}:
        (tmp_path / package / "__init__.py").touch()
    return tmp_path


def test_a_circle_held_by_an_import_inside_a_function_is_found(tmp_path):
    # The old shape: inspections imports recommendations inside a function, recommendations
    # imports inspections at the top.
    root = _project(
        tmp_path,
        {
            "inspections/services.py": (
                "def publish():\n    from recommendations.services import open_responses\n"
            ),
            "recommendations/services.py": "from inspections.services import publish\n",
            "core/errors.py": "class DomainError(Exception):\n    pass\n",
            "tests/test_x.py": "import inspections.services\nimport recommendations\n",
        },
    )
    edges = app_imports(root)
    cycles = import_cycles(edges)
    assert cycles == [["inspections", "recommendations"]]
    assert "inspections/services.py:2" in describe(cycles, edges)


def test_a_longer_circle_is_found_and_one_direction_is_not_a_circle(tmp_path):
    root = _project(
        tmp_path,
        {
            "audit/admin.py": "import accounts.models\n",
            "accounts/models.py": "from recommendations import policy\n",
            "recommendations/policy.py": "from audit.admin import x\nimport core\n",
            "portal/views.py": "import recommendations.policy\nfrom core import errors\n",
        },
    )
    assert import_cycles(app_imports(root)) == [["accounts", "audit", "recommendations"]]
    (root / "recommendations/policy.py").write_text("import core\n")
    assert import_cycles(app_imports(root)) == []


def test_this_project_is_read(tmp_path):
    # The real tree is parsed: the apps are there, and the imports everyone makes are seen.
    assert {"core", "inspections", "recommendations", "api"} <= first_party_packages(ROOT)
    assert ("recommendations", "inspections") in app_imports(ROOT)
