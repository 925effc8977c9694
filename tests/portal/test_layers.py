"""The floors of the code (README, "Layout"): portal is the ground floor, the domain apps
stand on it in order (villages <- rectification <- firstsecretary <- inspections), home is
the roof. Every import of every module, local ones inside functions included, points down
or sideways within its own app, never up. Read from the source (ast), nothing imported."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What each app may import of ours besides itself, written out by hand.
ALLOWED = {
    "portal": set(),
    "villages": {"portal"},
    "rectification": {"portal", "villages"},
    "firstsecretary": {"portal", "villages", "rectification"},
    "inspections": {"portal", "villages", "rectification", "firstsecretary"},
    "home": {"portal", "villages", "rectification", "firstsecretary", "inspections"},
}
OURS = set(ALLOWED)


def imported_apps(source):
    """Our top-level packages that `source` imports, with their line numbers."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.extend((name.split(".")[0], node.lineno) for name in names)
    return [(app, line) for app, line in found if app in OURS]


def upward_imports(app):
    wrong = []
    for path in sorted((ROOT / app).rglob("*.py")):
        for imported, line in imported_apps(path.read_text(encoding="utf-8")):
            if imported != app and imported not in ALLOWED[app]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    return wrong


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_an_app_imports_only_the_floors_below_it(app):
    assert upward_imports(app) == []


def test_the_check_sees_top_level_and_local_imports():
    source = (
        "import os\n"
        "from villages.models import Village\n"
        "import rectification.services\n"
        "def f():\n"
        "    from home import todo\n"
        "    from . import sibling\n"
    )
    assert imported_apps(source) == [("villages", 2), ("rectification", 3), ("home", 5)]


def test_every_app_is_on_a_floor():
    """A new app must be given its floor here (and in INSTALLED_APPS's order)."""
    from django.conf import settings

    ours = [name for name in settings.INSTALLED_APPS if (ROOT / name / "apps.py").exists()]
    assert ours == ["portal", "villages", "rectification", "firstsecretary", "inspections", "home"]
