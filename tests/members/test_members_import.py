"""Roster import: clean, messy-but-valid, invalid (all-or-nothing), re-import, round trip."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.core import crypto
from dangjian.members.models import Member
from dangjian.members.roster_export import roster_bytes
from dangjian.members.roster_import import (
    ID_AS_NUMBER_MESSAGE,
    BranchIndex,
    apply_plan,
    error_workbook,
    plan_import,
    read_rows,
)
from dangjian.rules.idcard import make_id
from dangjian.testsupport.fuzz import ROSTER_COLUMNS

pytestmark = pytest.mark.django_db

FW = {ord(c): ord(c) + 0xFEE0 for c in "0123456789"}


def xlsx(rows, *, title_rows=()):
    wb = openpyxl.Workbook()
    ws = wb.active
    for t in title_rows:
        ws.append(t)
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def plan_for(content, user=None, **kw):
    index = BranchIndex.for_user(user) if user else BranchIndex.everything()
    return plan_import(read_rows(content), branches=index, **kw)


def new_id(birth, seq):
    return make_id("620102", birth, seq)


CLEAN_HEADER = [*ROSTER_COLUMNS, "联系电话"]


def test_clean_file_imports(world):
    a = new_id(date(1990, 1, 2), 301)
    b = new_id(date(1995, 6, 30), 402)
    content = xlsx(
        [
            CLEAN_HEADER,
            [
                "新甲",
                "男",
                "汉族",
                a,
                date(1990, 1, 2),
                "大学本科",
                "正式党员",
                "东街社区党支部",
                date(2015, 7, 1),
                date(2016, 7, 1),
                "13800001111",
            ],
            [
                "新乙",
                "女",
                "回族",
                b,
                date(1995, 6, 30),
                "大学专科",
                "预备党员",
                "东街社区党支部",
                date(2026, 5, 1),
                None,
                "",
            ],
        ]
    )
    plan = plan_for(content, world.user("secretary_a"))
    assert plan.ok, plan.errors
    assert len(plan.to_create) == 2
    result = apply_plan(plan, user=world.user("secretary_a"))
    assert result.created == 2
    m = Member.objects.get(id_number_hash=crypto.lookup_hash(a))
    assert m.name == "新甲" and m.branch == world.branch_a and m.phone == "13800001111"
    assert m.name_initials == "xj" and m.full_on == date(2016, 7, 1)
    from dangjian.core.audit import history_for

    entry = history_for(m)[0]
    assert entry.actor == world.user("secretary_a") and entry.changes["name"] == ["None", "新甲"]


def test_messy_but_valid_file(world):
    # An X-ending ID written with a lower-case x and full-width digits.
    for seq in range(1, 999, 2):
        x_id = new_id(date(1978, 11, 5), seq)
        if x_id.endswith("X"):
            break
    messy_id = "  " + x_id[:-1].translate(FW) + "x "
    other = new_id(date(1962, 2, 14), 220)
    third = new_id(date(2000, 8, 8), 33)
    content = xlsx(
        [
            [
                "序号",
                "手机号码",
                "身份证号码",
                "入党时间",
                "预/正",
                "姓 名",
                "文化程度",
                "党支部",
                "转正时间",
                "民族",
                "备注",
                "出生年月",
            ],
            [
                1,
                13912345678,
                messy_id,
                "2001年7月1日",
                "正式",
                " 老 王 ",
                "本科",
                "东街",
                "2002.07.01",
                "汉",
                "无",
                "1978.11",
            ],
            [
                2,
                "139 1234 0000",
                other,
                "1990-7-1",
                "中共党员",
                "刘阿姨",
                "初中",
                "东街社区党支部",
                "1991/07/01",
                "汉族",
                "",
                "1962年2月",
            ],
            [3, "", third, "２０２６０３０１", "中共预备党员", "小赵", "大专", "东街", "", "壮", "", ""],
        ],
        title_rows=[["东街社区党支部党员花名册"], ["填报日期：2026年10月"], []],
    )
    plan = plan_for(content, world.user("secretary_a"))
    assert plan.ok, [(e.row, e.column, e.message) for e in plan.errors]
    assert plan.header_row == 4
    assert "序号" in plan.ignored_columns and "备注" in plan.ignored_columns
    apply_plan(plan, user=world.user("secretary_a"))
    wang = Member.objects.get(name="老王")
    assert wang.id_number == x_id and wang.sex == "男" and wang.birth_date == date(1978, 11, 5)
    assert wang.joined_on == date(2001, 7, 1) and wang.full_on == date(2002, 7, 1)
    assert wang.education == "大学本科" and wang.kind == "正式党员" and wang.phone == "13912345678"
    liu = Member.objects.get(name="刘阿姨")
    assert liu.sex == "女" and liu.phone == "13912340000" and liu.education == "初中及以下"
    zhao = Member.objects.get(name="小赵")
    assert zhao.kind == "预备党员" and zhao.ethnicity == "壮族" and zhao.joined_on == date(2026, 3, 1)


def test_one_bad_row_imports_nothing_and_names_row_and_reason(world):
    good = new_id(date(1990, 1, 2), 301)
    bad = new_id(date(1991, 1, 2), 303)
    bad = bad[:-1] + ("1" if bad[-1] != "1" else "2")
    content = xlsx(
        [
            CLEAN_HEADER,
            ["好人", "男", "汉族", good, "", "高中", "正式党员", "东街", "2015-07-01", "2016-07-01", ""],
            ["坏人", "男", "汉族", bad, "", "高中", "正式党员", "东街", "2015-07-01", "2016-07-01", ""],
            [
                "没支部",
                "男",
                "汉族",
                new_id(date(1970, 1, 1), 5),
                "",
                "高中",
                "正式党员",
                "西街",
                "2015-07-01",
                "2016-07-01",
                "",
            ],
            [
                "日期错",
                "男",
                "汉族",
                new_id(date(1970, 1, 1), 7),
                "",
                "高中",
                "正式党员",
                "东街",
                "2015-07-01",
                "2016-09-01",
                "",
            ],
        ],
        title_rows=[["花名册"]],
    )
    before = Member.objects.count()
    plan = plan_for(content, world.user("secretary_a"))
    assert not plan.ok
    by_row = {e.row: e for e in plan.errors}
    assert len(plan.errors) == 3 and set(by_row) == {4, 5, 6}
    assert by_row[4].column == "公民身份号码" and "校验位" in by_row[4].message and by_row[4].col == 4
    assert by_row[5].column == "所在党支部" and "权限范围" in by_row[5].message  # another branch: refused
    assert by_row[6].column == "转为正式党员日期" and "一年后" in by_row[6].message
    with pytest.raises(ValueError):
        apply_plan(plan)
    assert Member.objects.count() == before
    # the marked copy: bad cells filled and commented, reasons in an extra column
    wb = openpyxl.load_workbook(io.BytesIO(error_workbook(plan)))
    ws = wb.active
    assert ws.cell(row=4, column=4).fill.fgColor.rgb.endswith("F8B4B4")
    assert "校验位" in ws.cell(row=4, column=4).comment.text
    assert "一年后" in ws.cell(row=6, column=12).value


@pytest.mark.parametrize(
    "cell", [620102199001023011, 6.20102199001023e17, "6.20102E+17", "62010219900102301", "620102199001023011.0"]
)
def test_id_stored_as_number_is_refused(world, cell):
    content = xlsx(
        [CLEAN_HEADER, ["数字人", "男", "汉族", cell, "", "高中", "正式党员", "东街", "2015-07-01", "2016-07-01", ""]]
    )
    plan = plan_for(content, world.user("admin"))
    assert [e.message for e in plan.errors] == [ID_AS_NUMBER_MESSAGE]


def test_reimport_updates_not_duplicates(world):
    m = world.members_a[1]
    content = xlsx(
        [
            ["姓名", "身份证号", "入党日期", "转正日期", "人员类别", "学历", "民族", "党支部", "联系电话", "工作岗位"],
            [
                m.name,
                m.id_number,
                m.joined_on,
                m.full_on,
                m.kind,
                "大学本科",
                m.ethnicity,
                m.branch.name,
                "13700001234",
                "会计",
            ],
        ]
    )
    count = Member.objects.count()
    plan = plan_for(content, world.user("secretary_a"))
    assert plan.ok and not plan.to_create and len(plan.to_update) == 1
    apply_plan(plan, user=world.user("secretary_a"))
    assert Member.objects.count() == count
    m.refresh_from_db()
    assert m.education == "大学本科" and m.job == "会计" and m.phone == "13700001234" and m.version == 2
    from dangjian.core.audit import history_for

    assert history_for(m)[0].changes["job"] == ["", "会计"]
    # importing the same file again changes nothing
    again = plan_for(content, world.user("secretary_a"))
    assert again.ok and not again.to_create and not again.to_update and len(again.unchanged) == 1


def test_secretary_cannot_import_over_other_branch_member(world):
    m = world.members_b[1]
    content = xlsx(
        [
            ["姓名", "身份证号", "入党日期", "转正日期", "人员类别", "学历", "民族", "党支部"],
            [m.name, m.id_number, m.joined_on, m.full_on, m.kind, "高中", m.ethnicity, "东街"],
        ]
    )
    plan = plan_for(content, world.user("secretary_a"))
    assert not plan.ok and "权限范围以外" in plan.errors[0].message


def test_duplicate_rows_in_file(world):
    a = new_id(date(1990, 1, 2), 301)
    row = ["甲", "男", "汉族", a, "", "高中", "正式党员", "东街", "2015-07-01", "2016-07-01", ""]
    plan = plan_for(xlsx([CLEAN_HEADER, row, row]), world.user("admin"))
    assert [e.row for e in plan.errors] == [3] and "与第2行重复" in plan.errors[0].message


def test_export_then_import_into_empty_database_gives_same_roster(world):
    def snapshot():
        return sorted(
            (
                m.name,
                m.sex,
                m.ethnicity,
                m.id_number,
                m.birth_date,
                m.education,
                m.kind,
                m.branch.name,
                m.group.name if m.group else "",
                m.joined_on,
                m.full_on,
                m.phone,
                m.occupation,
                m.dues_category,
                m.is_mobile,
                m.is_lost,
                m.standing,
            )
            for m in Member.objects.filter(is_current=True).select_related("branch", "group")
        )

    Member.objects.filter(pk=world.members_a[2].pk).update(is_mobile=True, mobile_destination="广东深圳")
    before = snapshot()
    content = roster_bytes(Member.objects.filter(is_current=True).select_related("branch", "group"), full=True)
    from dangjian.orgs.models import Post

    Post.objects.all().delete()
    from dangjian.accounts.models import User

    User.objects.update(member=None)
    Member.objects.all().delete()
    assert Member.objects.count() == 0
    plan = plan_for(content)
    assert plan.ok, plan.errors
    apply_plan(plan)
    assert snapshot() == before


def test_masked_export_cannot_be_imported(world):
    content = roster_bytes(Member.objects.filter(branch=world.branch_a).select_related("branch", "group"), full=False)
    plan = plan_for(content, world.user("admin"))
    assert not plan.ok and all("脱敏" in e.message for e in plan.errors)


def test_branch_option_when_file_has_no_branch_column(world):
    content = xlsx(
        [
            ["姓名", "身份证号", "入党时间", "人员类别", "学历", "民族"],
            ["甲", new_id(date(1999, 1, 1), 11), "2025年1月1日", "预备", "高中", "汉"],
        ]
    )
    with pytest.raises(Exception, match="所在党支部"):
        plan_for(content, world.user("secretary_a"))
    plan = plan_for(content, world.user("secretary_a"), default_branch=world.branch_a)
    assert plan.ok, plan.errors


def test_management_commands(world, tmp_path):
    out = tmp_path / "roster.xlsx"
    call_command("export_roster", str(out))
    ok = io.StringIO()
    call_command("import_roster", str(out), "--dry-run", stdout=ok)
    assert "新增 0 人" in ok.getvalue() and "无变化 10 人" in ok.getvalue()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        xlsx(
            [
                CLEAN_HEADER,
                [
                    "甲",
                    "男",
                    "汉族",
                    620102199001023011,
                    "",
                    "高中",
                    "正式党员",
                    "东街",
                    "2015-07-01",
                    "2016-07-01",
                    "",
                ],
            ]
        )
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_roster", str(bad), stdout=err)
    assert "第2行" in err.getvalue() and "Excel存成了数字" in err.getvalue()


def test_large_file_matching_by_scan_finds_the_same_members(world, monkeypatch):
    """Above MATCH_BY_SCAN hashes the plan reads all current members' hashes instead of
    IN-lists: the same members are matched (in scope, out of scope) and new ones stay new."""
    from dangjian.members import roster_plan

    mine, other = world.members_a[1], world.members_b[1]
    header = ["姓名", "身份证号", "入党日期", "转正日期", "人员类别", "学历", "民族", "党支部", "工作岗位"]
    rows = [header]
    for m in (mine, other):
        rows.append(
            [m.name, m.id_number, m.joined_on, m.full_on, m.kind, "大学本科", m.ethnicity, m.branch.name, "会计"]
        )
    rows.append(
        [
            "新丙",
            new_id(date(1991, 3, 4), 511),
            date(2015, 7, 1),
            date(2016, 7, 1),
            "正式党员",
            "高中",
            "汉族",
            "东街",
            "",
        ]
    )
    content = xlsx(rows)

    def outcome():
        plan = plan_for(content, world.user("admin"))
        return (
            [(p.row, p.existing.pk if p.existing else None, sorted(p.changes)) for p in plan.planned],
            [(e.row, e.message) for e in plan.errors],
            plan.basis,
        )

    by_in_list = outcome()
    monkeypatch.setattr(roster_plan, "MATCH_BY_SCAN", 0)
    by_scan = outcome()
    assert by_scan == by_in_list
    planned, errors, basis = by_scan
    assert [p[1] for p in planned] == [mine.pk, other.pk, None] and not errors
    assert sum(v is not None for v in basis.values()) == 2
    # and out of a secretary's scope the other branch's member is refused the same way
    monkeypatch.setattr(roster_plan, "MATCH_BY_SCAN", 0)
    plan = plan_for(content, world.user("secretary_a"))
    assert {e.row for e in plan.errors} == {3}
    assert any("该党员已在您权限范围以外的党组织登记在册" in e.message for e in plan.errors)
