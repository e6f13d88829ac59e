"""Dependencies run one way: catalog ← ratings ← recommender ← social (accounts, lists and
taste on top of ratings, the API on top of them all).

An app may import the apps below it, never one above: the catalog knows
nothing of members or models, ratings nothing of the recommender. Apps above
plug into the catalog's pages through ``catalog.extensions``. Tests and
migrations are exempt (tests build whole scenarios across apps).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("catalog", "ratings", "recommender", "accounts", "lists", "social", "taste", "api")
ALLOWED = {
    "catalog": set(),
    "ratings": {"catalog"},
    "recommender": {"catalog", "ratings"},
    "accounts": {"catalog", "ratings"},
    "lists": {"catalog", "ratings"},
    "social": {"catalog", "ratings", "recommender"},
    "taste": {"catalog", "ratings"},
    "api": {"catalog", "ratings", "recommender", "accounts", "lists"},
}


def imported_apps(path):
    """The project apps ``path`` imports, with the line of each import."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(name.split(".")[0], node.lineno) for name in names]
    return [(app, line) for app, line in found if app in APPS]


def product_modules(app):
    for path in sorted((ROOT / app).rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" not in parts and "migrations" not in parts:
            yield path


@pytest.mark.parametrize("app", APPS)
def test_an_app_imports_only_the_apps_below_it(app):
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {imported}"
        for path in product_modules(app)
        for imported, line in imported_apps(path)
        if imported != app and imported not in ALLOWED[app]
    ]
    assert wrong == [], "\n".join(wrong)


def test_the_check_sees_an_import_against_the_direction(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("def f():\n    from recommender.serving import recommend_for\n")
    assert imported_apps(module) == [("recommender", 2)]
