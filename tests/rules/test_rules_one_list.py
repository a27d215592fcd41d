"""Issue 20 item "one place": the dues categories, committee posts and whole-branch meeting
kinds are each defined once in dangjian/rules and every model and page takes them from there."""

import ast
from pathlib import Path

import pytest

from dangjian.rules import dues as dues_rules
from dangjian.rules import orglife, structure

ROOT = Path(__file__).resolve().parents[2] / "dangjian"


def test_models_are_built_from_the_rules():
    from dangjian.dues.models import Category
    from dangjian.members.models import DuesCategory
    from dangjian.orgs.models import Post

    assert Category is DuesCategory  # one Django class for the roster and the dues bases
    assert list(DuesCategory.values) == dues_rules.DUES_CATEGORIES == [c.value for c in dues_rules.DuesCategory]
    assert "低保/救济" not in DuesCategory.values  # the roster's merged value is gone
    assert list(Post.Kind.values) == [k.value for k in structure.PostKind]
    assert Post.Kind.GROUP_LEADER not in structure.COMMITTEE_POSTS and "委员" in structure.COMMITTEE_POSTS


def test_whole_branch_kinds_are_the_rules_set():
    from dangjian.meetings.models import WHOLE_BRANCH_KINDS, Kind

    assert WHOLE_BRANCH_KINDS is orglife.WHOLE_BRANCH_KINDS
    assert Kind.MEMBER_MEETING in WHOLE_BRANCH_KINDS and Kind.COMMITTEE_MEETING not in WHOLE_BRANCH_KINDS
    assert Kind.GROUP_MEETING not in WHOLE_BRANCH_KINDS


def _string_sets():
    """Every list, tuple or set literal of 2+ strings in the project (migrations aside)."""
    for f in ROOT.rglob("*.py"):
        if "migrations" in f.parts:
            continue
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.List | ast.Tuple | ast.Set):
                values = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
                if len(values) >= 2:
                    yield f.relative_to(ROOT).as_posix(), set(values)


@pytest.mark.parametrize(
    "wanted",
    [
        {"组织委员", "宣传委员", "纪检委员"},
        {"member_meeting", "theme_day", "party_lecture"},
        {"下岗失业", "救济/抚恤"},
    ],
)
def test_no_hand_copy_of_an_enumeration(wanted):
    copies = [path for path, values in _string_sets() if wanted <= values]
    assert not copies, f"enumeration written again by hand in {copies}; import it from dangjian.rules"


@pytest.mark.django_db
def test_dues_import_page_lists_the_categories_from_the_rules(world, client_for):
    page = client_for("secretary_a").get(f"/dues/bases/import/?branch={world.branch_a.pk}").content.decode()
    assert "党费类别（" + "、".join(dues_rules.DUES_CATEGORIES) + "）" in page
