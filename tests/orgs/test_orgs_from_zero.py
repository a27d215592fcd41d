"""Issue 15: a township starts from an empty install and its own files, by the commands:
import_orgs → import_units → import_roster → import_orgs again (posts) → import_meetings →
compliance --json (党章第九条 by name), report."""

import json
from datetime import date
from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.orgs.models import AdminUnit, Organization, OrgType, Post, Term, UnitYearFigure
from dangjian.rules.idcard import make_id
from tests.from_zero_files import DM, JG, ORG_ROWS, TOP, UNIT_ROWS, ledger_rows, roster_rows, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(tmp_path):
    paths = {}
    for key, rows in (("orgs", ORG_ROWS), ("units", UNIT_ROWS), ("roster", roster_rows()), ("ledger", ledger_rows())):
        p = tmp_path / f"{key}.xlsx"
        p.write_bytes(xlsx(rows))
        paths[key] = str(p)
    return paths


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_township_from_its_own_files(files, tmp_path, settings):
    settings.DANGJIAN_DEMO = False
    assert not Organization.objects.exists()
    # createsuperuser on the empty database, then the tree: the top org is created from the file.
    admin = User.objects.create_superuser("admin", password="Strong-pass-2025!")
    assert admin.role == Role.ADMIN and admin.org is None
    out = run("import_orgs", files["orgs"])
    assert "新建 4 个" in out and "不在" in out  # posts wait for the roster
    top = Organization.objects.get(depth=1)
    assert (top.name, top.short_name, top.org_type) == (TOP, "桃川镇党委", OrgType.COMMITTEE)
    jg = Organization.objects.get(name=JG)
    assert Organization.objects.get_parent(jg) == top and jg.founded_on == date(1958, 3, 1)
    dm = Organization.objects.get(name=DM)
    assert dm.unit.name == "东门社区" and dm.unit.township == top
    assert Organization.objects.get_parent(Organization.objects.get(name="东门社区第一党小组")) == dm
    assert Term.objects.get(org=jg).started_on == date(2024, 3, 15)
    # Re-import: updates by name, never duplicates.
    assert "新建 0 个，更新 0 个，无变化 4 个" in run("import_orgs", files["orgs"])
    assert Organization.objects.count() == 4 and Term.objects.count() == 1

    # createsuperuser after the tree exists: administrator of the top organization.
    admin2 = User.objects.create_superuser("admin2", password="Strong-pass-2025!")
    assert (admin2.role, admin2.org) == (Role.ADMIN, top)

    assert "小组 3 个" in run("import_units", files["units"])
    run("import_units", files["units"])
    assert AdminUnit.objects.filter(kind=AdminUnit.Kind.GROUP).count() == 3
    assert UnitYearFigure.objects.count() == 3
    assert AdminUnit.objects.get(name="河口村").kind == AdminUnit.Kind.VILLAGE

    # The roster as the top administrator (the scope that used to refuse every row).
    assert "新增 6 人" in run("import_roster", files["roster"], "--user", "admin2")
    # The posts from the tree file now find their people.
    out = run("import_orgs", files["orgs"])
    assert "职务 3 条" in out
    assert set(Post.objects.filter(org=jg).values_list("member__name", "kind")) == {
        ("张建国", "书记"), ("李红", "委员"), ("王强", "委员"),
    }  # fmt: skip
    assert "职务 0 条" in run("import_orgs", files["orgs"])  # idempotent

    run("import_meetings", files["ledger"], "--user", "admin2")
    data = json.loads(run("compliance", "--year", "2025", "--json", "--today", "2026-01-10"))
    theme = [r for r in data["branches"] if r["kind_code"] == "theme_day"]
    assert {(r["branch"], r["held"], r["shortfall"]) for r in theme} == {("机关支部", 12, 0), ("东门社区支部", 12, 0)}
    assert data["art9"] == {"over": 1, "warning": 0}
    assert [(a["name"], a["branch"], a["status"], a["gap_months"]) for a in data["art9_members"]] == [
        ("赵六", "机关支部", "达到六个月", 6)
    ]
    text = run("compliance", "--year", "2025", "--today", "2026-01-10")
    assert "机关支部 赵六" in text

    out_docx = tmp_path / "报告.docx"
    run("report", "--year", "2025", "--out", str(out_docx), "--today", "2026-01-10")
    from docx import Document

    body = "\n".join(p.text for p in Document(str(out_docx)).paragraphs)
    assert "桃川镇" in body and "6名" in body.replace(" ", "")
    assert out_docx.with_suffix(".xlsx").exists()


def test_import_orgs_all_or_nothing_with_row_and_column(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        xlsx(
            [
                ["党组织名称", "上级党组织", "组织类型", "组织类别", "成立日期"],
                [TOP, "", "基层党委", "机关", ""],
                ["中共桃川镇甲支部委员会", TOP, "支队", "机关", ""],
                ["中共桃川镇乙支部委员会", "中共不存在委员会", "党支部", "机关", ""],
                ["乙小组", TOP, "党小组", "机关", "2030-01-01"],
            ]
        )
    )
    with pytest.raises(CommandError, match="未导入任何数据"):
        out = StringIO()
        call_command("import_orgs", str(bad), stdout=out)
    text = out.getvalue()
    assert "第3行　组织类型　“支队”不是组织类型" in text
    assert "第4行　上级党组织　没有名为“中共不存在委员会”的党组织" in text
    assert "第5行　成立日期　成立日期不能晚于今天" in text
    assert "第5行　组织类型　基层党委下不能设立党小组" in text
    assert not Organization.objects.exists()


def test_second_township_under_the_district(tmp_path):
    """A district install: set-up with the 区委 above, then a second township beside the first."""
    from dangjian.accounts.setup import set_up

    top, admin = set_up(
        name=TOP, short_name="桃川镇党委", org_type=OrgType.COMMITTEE, category="机关", higher=["中共江华区委员会"],
        username="quwei", full_name="区委组织部", password="Strong-pass-2025!",
    )  # fmt: skip
    district = Organization.objects.get_parent(top)
    assert (district.name, district.org_type, admin.org) == ("中共江华区委员会", OrgType.HIGHER, district)
    second = tmp_path / "second.xlsx"
    second.write_bytes(
        xlsx(
            [
                ["党组织名称", "简称", "上级党组织", "组织类型", "组织类别"],
                ["中共白芒营镇委员会", "白芒营镇党委", "中共江华区委员会", "基层党委", "机关"],
                ["中共白芒营镇机关支部委员会", "机关支部", "白芒营镇党委", "党支部", "机关"],
            ]
        )
    )
    run("import_orgs", str(second), "--user", "quwei")
    b = Organization.objects.get(name="中共白芒营镇委员会")
    assert Organization.objects.get_parent(b) == district and Organization.objects.get_parent(top) == district
    assert Organization.objects.get_parent(Organization.objects.get(name="中共白芒营镇机关支部委员会")) == b
    with pytest.raises(CommandError):  # the township administrator cannot add beside itself
        User.objects.create(username="taochuan", role=Role.ADMIN, org=top)
        run("import_orgs", str(second), "--user", "taochuan")


def test_national_layout_round_trip(tmp_path):
    """Roster import reads the national system's layout with its code values (民族, 学历, 人员类别);
    export_roster --layout national writes that layout and it imports back unchanged."""
    from dangjian.members.models import Member
    from dangjian.members.national import NATIONAL_LAYOUT, decode

    assert (decode("ethnicity", "03"), decode("ethnicity", "01汉族"), decode("ethnicity", "汉族")) == (
        "回族",
        "汉族",
        "汉族",
    )
    assert (decode("education", "21"), decode("education", "14 硕士研究生毕业"), decode("kind", "2")) == (
        "大学本科", "研究生", "预备党员",
    )  # fmt: skip
    tree = tmp_path / "orgs.xlsx"
    tree.write_bytes(xlsx(ORG_ROWS))
    run("import_orgs", str(tree))
    headers = [h for _, h in NATIONAL_LAYOUT]
    row = {"姓名": "马兰", "性别": "女", "公民身份号码": make_id("431024", date(1986, 5, 6), 124), "民族": "03",
           "出生日期": "1986-05-06", "学历": "31", "人员类别": "1", "所在党支部": JG, "入党日期": "2012-07-01",
           "转为正式党员日期": "2013-07-01", "工作岗位": "文员", "联系电话": "13900001234", "党籍状态": "正常",
           "是否失联党员": "否", "是否流动党员": "否"}  # fmt: skip
    national = tmp_path / "national.xlsx"
    national.write_bytes(xlsx([headers, [row.get(h, "") for h in headers]]))
    assert "新增 1 人" in run("import_roster", str(national))
    m = Member.objects.get(name="马兰")
    assert (m.ethnicity, m.education, m.kind, m.branch.name) == ("回族", "大学专科", "正式党员", JG)
    out = tmp_path / "export.xlsx"
    run("export_roster", str(out), "--layout", "national")
    wb = openpyxl.load_workbook(out)
    sheet = [list(r) for r in wb.active.iter_rows(values_only=True)]
    assert list(sheet[1][: len(headers)]) == headers
    # 性别/民族/学历 go out as national codes (rules.codes); 人员类别 has none in the repo's code book.
    got = [sheet[2][headers.index(h)] for h in ("性别", "民族", "学历", "人员类别")]
    assert got == ["2", "03", "30", "正式党员"]
    assert "无变化 1 人" in run("import_roster", str(out), "--dry-run")


def test_csv_files_and_a_new_secretary_on_reimport(tmp_path):
    tree = tmp_path / "orgs.csv"
    tree.write_text(
        "党组织名称,简称,上级党组织,组织类型,组织类别\n"
        f"{TOP},桃川镇党委,,基层党委,机关\n{JG},机关支部,{TOP},党支部,机关\n",
        encoding="gb18030",
    )
    assert "新建 2 个" in run("import_orgs", str(tree))
    roster = tmp_path / "roster.xlsx"
    roster.write_bytes(xlsx(roster_rows()[:5]))
    run("import_roster", str(roster))
    jg = Organization.objects.get(name=JG)
    posts = tmp_path / "posts.xlsx"
    posts.write_bytes(
        xlsx(
            [
                ["党组织名称", "上级党组织", "组织类型", "书记", "书记任职日期"],
                [JG, TOP, "党支部", "张建国", "2021-03-01"],
            ]
        )
    )
    run("import_orgs", str(posts))
    posts.write_bytes(
        xlsx(
            [
                ["党组织名称", "上级党组织", "组织类型", "书记", "书记任职日期"],
                [JG, TOP, "党支部", "李红", "2024-03-15"],
            ]
        )
    )
    run("import_orgs", str(posts))
    secretaries = Post.objects.filter(org=jg, kind="书记").order_by("started_on")
    assert [(p.member.name, p.ended_on) for p in secretaries] == [("张建国", date(2024, 3, 15)), ("李红", None)]
    units = tmp_path / "units.csv"
    units.write_text(
        '社区（村）,居民小组,户籍户数,户籍人口,年度\n东门社区,一组,"1,200",3600,2025\n', encoding="utf-8-sig"
    )
    assert "户数人口 1 条" in run("import_units", str(units))
    assert UnitYearFigure.objects.get().households_registered == 1200
