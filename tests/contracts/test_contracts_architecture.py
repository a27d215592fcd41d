"""The layers of docs/ARCHITECTURE.md, checked by walking every import of the project:

- no `importlib` / `import_module` of project code anywhere in dangjian/;
- a feature app (or reports/) imports another feature only through its selectors and types —
  never its models or services;
- core/ imports no other project app (only rules/ and itself): it is the base;
- the site shell (shell/) may import the platform apps (accounts, orgs, members) and reads
  features only through their selectors and types, like reports/;
- no app imports the layers on top: shell/, ops/, devtools/ (only urls.py and settings name
  them), nor the test support package testsupport/;
- rules/ imports only the standard library;
- the development app (devtools: bench, loadtest) is not installed by the production settings.

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
READERS = FEATURES | {"reports", "shell"}
# The layers on top of every app: nothing below imports them.
TOP = {"shell", "ops", "devtools", "testsupport"}

# (file, imported module) pairs known today. Reason in brackets.
ALLOWED = {
    # [the integrity detectors' labelled evaluation builds its members with the test factories]
    ("integrity/evaluation_db.py", "dangjian.testsupport.world"),
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
    # [a command, not a read: a confirmed signal becomes an inspection finding (issue 21)]
    ("integrity/services.py", "dangjian.inspections.services"),
    # [the demo's 培训班 enrols the demo's 发展对象 cases]
    ("study/demo.py", "dangjian.lifecycle.models"),
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
            if target in TOP and target != app and app != "":
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


def test_the_top_layers_are_imported_by_no_app():
    found = _violations()
    new = sorted(v for v in found if v not in ALLOWED and v[1].split(".")[1] in TOP)
    assert not new, f"shell/ops/devtools/testsupport sit on top; no app imports them: {new}"


def test_the_development_app_is_not_installed_in_production():
    """bench and loadtest wipe or load data: only DEBUG=1 or DANGJIAN_DEVTOOLS=1 install them."""
    import os
    import subprocess

    code = "import dangjian.settings as s; print('dangjian.devtools' in s.INSTALLED_APPS)"
    # DANGJIAN_VAR is kept: the test run's own var/ directory (settings_test.py set it).
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DANGJIAN_DEVTOOLS")}
    run = lambda extra: subprocess.run(  # noqa: E731
        [sys.executable, "-c", code], cwd=ROOT.parent, env={**env, **extra}, capture_output=True, text=True
    )
    production, dev = run({}), run({"DANGJIAN_DEVTOOLS": "1"})
    assert production.returncode == 0, production.stderr
    assert production.stdout.strip() == "False"
    assert dev.stdout.strip() == "True", dev.stderr
