"""Issue 15: the organisation and unit imports preview before they write (like the roster and
meetings imports): upload → 新建/更新/无变化 with 行号, refusals with 行号/列/原因 → 确认导入
writes all or nothing. The commands' --dry-run prints the same plan."""

import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from dangjian.orgs.models import AdminUnit, Organization, OrgType, Post, UnitYearFigure
from tests.from_zero_files import xlsx

pytestmark = pytest.mark.django_db

TREE = [
    ["党组织名称", "简称", "上级党组织", "组织类型", "组织类别", "所在社区"],
    ["测试镇党委", "", "", "基层党委", "机关", ""],  # exists, nothing new: 无变化
    ["南街社区党支部", "南街支部", "测试镇党委", "党支部", "社区", "南街社区"],  # new
    ["东街社区党支部", "甲支部", "测试镇党委", "党支部", "", ""],  # exists: the short name changes
]


def upload(c, url, rows, **data):
    f = io.BytesIO(xlsx(rows))
    f.name = "file.xlsx"
    return c.post(url, {"file": f, "action": "upload", **data})


def lines(resp):
    return [(ln.row, ln.action, ln.name) for ln in resp.context["plan"].lines]


def test_org_import_previews_then_writes_on_confirm(world, client_for):
    c = client_for("admin")
    url = reverse("orgs:import")
    before = Organization.objects.count()
    resp = upload(c, url, TREE)
    assert resp.status_code == 200
    assert lines(resp) == [(2, "无变化", "测试镇党委"), (3, "新建", "南街社区党支部"), (4, "更新", "东街社区党支部")]
    body = resp.content.decode()
    assert "新建 1 个党组织，更新 1 个，无变化 1 个" in body and "简称：" in body and "确认导入" in body
    # nothing written before the confirmation
    assert Organization.objects.count() == before and not AdminUnit.objects.filter(name="南街社区").exists()
    assert Organization.objects.get(pk=world.branch_a.pk).short_name == "东街"

    resp = c.post(url, {"action": "confirm"})
    assert resp.status_code == 302
    assert Organization.objects.count() == before + 1
    assert Organization.objects.get(pk=world.branch_a.pk).short_name == "甲支部"
    assert Organization.objects.get(name="南街社区党支部").unit.name == "南街社区"
    # the preview is used up: confirming again is refused, nothing doubles
    resp = c.post(url, {"action": "confirm"})
    assert resp.status_code == 400 and "已过期" in resp.content.decode()
    # the same file again: every row unchanged
    resp = upload(c, url, TREE)
    assert [a for _, a, _ in lines(resp)] == ["无变化"] * 3


def test_org_import_refusals_name_row_and_column_and_cannot_be_confirmed(world, client_for):
    c = client_for("admin")
    url = reverse("orgs:import")
    bad = [*TREE, ["新支部", "", "没有的党委", "党支部", "", ""], ["坏类型", "", "测试镇党委", "大队", "", ""]]
    before = Organization.objects.count()
    resp = upload(c, url, bad)
    assert resp.status_code == 422
    errors = [(e.row, e.column) for e in resp.context["plan"].errors]
    assert (5, "上级党组织") in errors and (6, "组织类型") in errors
    assert "未导入任何数据" in resp.content.decode() and "确认导入" not in resp.content.decode()
    resp = c.post(url, {"action": "confirm"})  # no preview was kept for a refused file
    assert resp.status_code == 400 and Organization.objects.count() == before


def test_confirm_plans_again_against_the_data_as_it_is_now(world, client_for):
    """A preview confirmed after someone else changed the tree is checked again, not applied blind."""
    c = client_for("admin")
    url = reverse("orgs:import")
    rows = [TREE[0], ["南街社区党支部", "", "测试镇党委", "党支部", "社区", ""]]
    assert upload(c, url, rows).status_code == 200
    Organization.objects.add_child(
        world.township, dict(name="南街社区党支部", org_type=OrgType.GENERAL_BRANCH, category="社区")
    )  # a clash meanwhile
    resp = c.post(url, {"action": "confirm"})
    assert resp.status_code == 422 and "导入不能改变组织类型" in resp.content.decode()
    assert Organization.objects.filter(name="南街社区党支部").count() == 1


def test_unit_import_previews_creates_updates_and_unchanged(world, client_for):
    c = client_for("admin")
    url = reverse("orgs:import_units")
    head = ["社区（村）", "居民小组", "户籍户数", "户籍人口", "年度"]
    first = [head, ["东街社区", "一组", 10, 30, 2025], ["东街社区", "二组", 20, 60, 2025]]
    resp = upload(c, url, first)
    assert resp.status_code == 200 and lines(resp) == [(2, "新建", "东街社区 一组"), (3, "新建", "东街社区 二组")]
    assert not AdminUnit.objects.filter(name="一组").exists()
    assert c.post(url, {"action": "confirm"}).status_code == 302
    assert UnitYearFigure.objects.get(unit__name="二组").people_registered == 60

    second = [head, ["东街社区", "一组", 10, 30, 2025], ["东街社区", "二组", 20, 65, 2025], ["西村", "", "", "", ""]]
    resp = upload(c, url, second)
    assert lines(resp) == [(2, "无变化", "东街社区 一组"), (3, "更新", "东街社区 二组"), (4, "新建", "西村")]
    detail = {ln.row: ln.detail for ln in resp.context["plan"].lines}
    assert "户籍人口 60→65" in detail[3] and "新建社区（村）“西村”" in detail[4]
    assert UnitYearFigure.objects.get(unit__name="二组").people_registered == 60  # not yet
    resp = c.post(url, {"action": "confirm"}, follow=True)
    assert "户数人口 1 条，无变化 1 行" in resp.content.decode()
    assert UnitYearFigure.objects.get(unit__name="二组").people_registered == 65
    assert AdminUnit.objects.get(name="西村").kind == AdminUnit.Kind.VILLAGE


def test_unit_import_refusal_writes_nothing(world, client_for):
    c = client_for("admin")
    url = reverse("orgs:import_units")
    rows = [["社区（村）", "居民小组", "户籍户数", "户籍人口", "年度"], ["东街社区", "一组", 10, 5, 2025]]
    resp = upload(c, url, rows)
    assert resp.status_code == 422
    assert [(e.row, e.column) for e in resp.context["plan"].errors] == [(2, "户籍人口")]
    assert c.post(url, {"action": "confirm"}).status_code == 400
    assert not AdminUnit.objects.filter(name="一组").exists()


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_dry_run_commands_print_the_plan_and_write_nothing(world, tmp_path):
    tree = tmp_path / "tree.xlsx"
    tree.write_bytes(xlsx([*TREE, ["西街社区党支部", "", "测试镇党委", "党支部", "", ""]]))
    posts_before = Post.objects.count()
    out = run("import_orgs", str(tree), "--dry-run", "--user", "admin")
    assert "可导入：新建 1 个党组织，更新 1 个，无变化 2 个" in out
    assert "第3行　新建　南街社区党支部" in out and "第4行　更新　东街社区党支部：简称：东街→甲支部" in out
    assert "第5行　无变化　西街社区党支部" in out and "未写入" in out
    assert not Organization.objects.filter(name="南街社区党支部").exists() and Post.objects.count() == posts_before
    units = tmp_path / "units.xlsx"
    units.write_bytes(
        xlsx([["社区（村）", "居民小组", "户籍户数", "户籍人口", "年度"], ["东街社区", "三组", 5, 9, 2025]])
    )
    out = run("import_units", str(units), "--dry-run", "--user", "admin")
    assert "按行：新建 1 行，更新 0 行，无变化 0 行" in out and "第2行　新建　东街社区 三组：新建小组“三组”" in out
    assert not AdminUnit.objects.filter(name="三组").exists()
