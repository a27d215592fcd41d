"""The layers of docs/ARCHITECTURE.md, checked by walking every import of the project:

- no `importlib` / `import_module` of project code anywhere in dangjian/;
- a feature app (or reports/) imports another feature only through its selectors and types —
  never its models or services;
- core/ imports no feature app (only rules/ and itself);
- rules/ imports only the standard library.

Existing violations that another change will remove are listed in ALLOWED below, each by file
and imported module, so a NEW violation fails at once and a fixed one must leave the list.
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "dangjian"
FEATURES = {
    "meetings",
    "dues",
    "study",
    "points",
    "reviews",
    "inspections",
    "actions",
    "stats",
    "lifecycle",
    "integrity",
}
READERS = FEATURES | {"reports"}

# (file, imported module) pairs known today. Reason in brackets.
ALLOWED = {
    # [issue 13 item 4, moved by the lead: the site shell, operations and test support still live in core]
    ("core/home.py", "dangjian.orgs.selectors"),
    ("core/nav.py", "dangjian.accounts.roles"),
    ("core/views.py", "dangjian.accounts.access"),
    ("core/views.py", "dangjian.accounts.roles"),
    ("core/views.py", "dangjian.accounts.scope"),
    ("core/views_audit.py", "dangjian.accounts.access"),
    ("core/views_audit.py", "dangjian.accounts.models"),
    ("core/views_audit.py", "dangjian.accounts.roles"),
    ("core/views_audit.py", "dangjian.accounts.scope"),
    ("core/testing.py", "dangjian.accounts.models"),
    ("core/testing.py", "dangjian.accounts.roles"),
    ("core/testing.py", "dangjian.members.models"),
    ("core/testing.py", "dangjian.orgs.models"),
    ("core/testing_scope.py", "dangjian.accounts.models"),
    ("core/testing_scope.py", "dangjian.accounts.roles"),
    ("core/testing_scope.py", "dangjian.accounts.scope"),
    ("core/management/commands/bench.py", "dangjian.demo.context"),
    ("core/management/commands/bench.py", "dangjian.demo.reset"),
    ("core/management/commands/bench.py", "dangjian.orgs.models"),
    ("core/management/commands/loadtest.py", "dangjian.accounts.models"),
    ("core/management/commands/loadtest.py", "dangjian.accounts.roles"),
    ("core/management/commands/loadtest.py", "dangjian.members.models"),
    ("core/management/commands/loadtest.py", "dangjian.orgs.models"),
    ("core/management/commands/loadtest.py", "dangjian.wsgi"),
    ("core/management/commands/loadtest.py", "dangjian.wsgi.application"),
    ("core/management/commands/move_to_postgres.py", "dangjian.accounts.models"),
    ("core/management/commands/move_to_postgres.py", "dangjian.orgs.models"),
    ("core/management/commands/serve.py", "dangjian.demo.logins"),
    ("core/management/commands/serve.py", "dangjian.wsgi"),
    ("core/management/commands/serve.py", "dangjian.wsgi.application"),
    # [demo steps build on the records of earlier steps]
    ("dues/demo.py", "dangjian.meetings.models"),
    ("integrity/demo.py", "dangjian.meetings.models"),
    ("reviews/demo.py", "dangjian.meetings.models"),
    ("study/demo.py", "dangjian.meetings.models"),
    # [integrity detectors read the raw records they judge; owned by the integrity engineer]
    ("integrity/detectors.py", "dangjian.meetings.models"),
    ("integrity/detectors.py", "dangjian.study.models"),
    ("integrity/evaluation_db.py", "dangjian.meetings.models"),
    ("integrity/selectors.py", "dangjian.meetings.models"),
    ("integrity/selectors.py", "dangjian.study.models"),
    ("integrity/services.py", "dangjian.inspections.services"),
    # [study hours come from 党课 meetings: to be read through meetings selectors]
    ("study/selectors.py", "dangjian.meetings.models"),
    ("study/services.py", "dangjian.meetings.models"),
    ("study/views.py", "dangjian.meetings.models"),
    ("reviews/views.py", "dangjian.meetings.models"),
    # [arrived with other issues' merges into main on 2026-12-01; for their owners / the lead]
    ("study/demo.py", "dangjian.lifecycle.models"),
    # [issue 20: 发展/转正 votes count the same voters as meetings; to move into meetings.selectors]
    ("lifecycle/services/common.py", "dangjian.meetings.services"),
    ("core/cache.py", "dangjian.orgs.models"),
    ("core/exports.py", "dangjian.accounts.scope"),
    ("core/exports.py", "dangjian.meetings"),
    ("core/exports.py", "dangjian.meetings.ledger"),
    ("core/exports.py", "dangjian.meetings.views"),
    ("core/exports.py", "dangjian.members"),
    ("core/exports.py", "dangjian.members.roster_columns"),
    ("core/exports.py", "dangjian.members.roster_export"),
    ("core/exports.py", "dangjian.members.selectors"),
    ("core/home.py", "dangjian.accounts.models"),
    ("core/home.py", "dangjian.accounts.roles"),
    ("core/home.py", "dangjian.dues.models"),
    ("core/home.py", "dangjian.meetings.models"),
    ("core/home.py", "dangjian.members.models"),
    ("core/home.py", "dangjian.orgs.models"),
    ("core/home.py", "dangjian.stats.models"),
    ("core/jobs.py", "dangjian.accounts.models"),
    ("core/jobs.py", "dangjian.accounts.scope"),
    ("core/models.py", "dangjian.accounts.scope"),
    ("core/views_jobs.py", "dangjian.accounts.access"),
    ("core/views_jobs.py", "dangjian.accounts.roles"),
}


def _modules():
    for f in sorted(ROOT.rglob("*.py")):
        if "migrations" in f.parts:
            continue
        yield f, f.relative_to(ROOT).as_posix(), ast.parse(f.read_text(encoding="utf-8"))


def _imports(tree):
    """(lineno, module) for every absolute import, at module level or inside functions."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield node.lineno, a.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for a in node.names:  # from dangjian.meetings import models
                yield node.lineno, f"{node.module}.{a.name}"


def _violations():
    found = set()
    for _f, rel, tree in _modules():
        app = rel.split("/")[0] if "/" in rel else ""
        for _line, mod in _imports(tree):
            parts = mod.split(".")
            if parts[0] != "dangjian" or len(parts) < 2:
                continue
            target, layer = parts[1], (parts[2] if len(parts) > 2 else "")
            if app in READERS and target in FEATURES and target != app and layer in ("models", "services"):
                found.add((rel, ".".join(parts[:3])))
            if app == "core" and target not in ("core", "rules"):
                found.add((rel, ".".join(parts[:3])))
    return found


def test_no_importlib_for_project_code():
    bad = []
    for _f, rel, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                fn = node.func
                name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
                if name in ("import_module", "__import__"):
                    arg = node.args[0] if node.args else None
                    literal = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                    # __import__("json") of the standard library is harmless; project code never
                    if not literal or arg.value.split(".")[0] not in sys.stdlib_module_names:
                        bad.append(f"{rel}:{node.lineno}")
        for line, mod in _imports(tree):
            if mod == "importlib" or mod.startswith("importlib."):
                bad.append(f"{rel}:{line} imports {mod}")
    assert not bad, bad


def test_features_read_each_other_only_through_selectors_and_types():
    found = _violations()
    new = sorted(v for v in found if v not in ALLOWED and not v[0].startswith("core/"))
    assert not new, f"import another feature's selectors/types instead: {new}"


def test_core_imports_no_feature_app():
    found = _violations()
    new = sorted(v for v in found if v not in ALLOWED and v[0].startswith("core/"))
    assert not new, f"core is the base only: {new}"


def test_the_allow_list_holds_only_violations_that_still_exist():
    stale = sorted(ALLOWED - _violations())
    assert not stale, f"fixed — remove from ALLOWED: {stale}"


def test_rules_import_only_the_standard_library():
    bad = []
    for _f, rel, tree in _modules():
        if not rel.startswith("rules/"):
            continue
        for line, mod in _imports(tree):
            top = mod.split(".")[0]
            if top == "dangjian":
                if not mod.startswith("dangjian.rules"):
                    bad.append(f"{rel}:{line} {mod}")
            elif top not in sys.stdlib_module_names and top != "__future__":
                bad.append(f"{rel}:{line} {mod}")
    assert not bad, bad


def test_reports_read_features_only_through_typed_results():
    """reports/sources.py imports each feature's selectors and types directly (no strings)."""
    src = (ROOT / "reports" / "sources.py").read_text(encoding="utf-8")
    for feature in (
        "meetings",
        "dues",
        "study",
        "points",
        "reviews",
        "inspections",
        "actions",
        "integrity",
        "lifecycle",
    ):
        assert f"from dangjian.{feature} import selectors as {feature}" in src, feature
    assert ".get(" not in src
