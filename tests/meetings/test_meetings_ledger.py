import io
from datetime import date

import pytest
from openpyxl import Workbook

from dangjian.meetings import ledger
from dangjian.meetings.models import Attendance, Meeting
from dangjian.orgs.models import Organization

pytestmark = pytest.mark.django_db


def _xlsx(rows, title=True):
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append(["东街社区党支部2023年会议台账"])
    ws.append(ledger.COLUMNS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


GOOD = [
    "东街社区党支部",
    "主题党日、党员大会",
    "2023年3月10日",
    "15:00",
    "17:00",
    "活动室",
    "三月主题党日",
    "张三",
    "李四",
    "张三、李四，王五",
    "赵六（外出务工）",
    "孙七",
    "学习党章",
]


def _import(world, content, user="secretary_a"):
    u = world.user(user)
    from dangjian.accounts.scope import editable_by

    return ledger.import_meetings(content, user=u, orgs=editable_by(u, Organization), today=date(2023, 3, 12))


def test_import_good_rows(world):
    second = GOOD.copy()
    second[1], second[2], second[9], second[10], second[11] = "支委会", "2023-03-02", "", "", ""
    r = _import(world, _xlsx([GOOD, second]))
    assert r.ok, r.errors
    assert r.created == 2
    m = Meeting.objects.get(topic="三月主题党日", date=date(2023, 3, 10))
    assert m.kinds_label == "党员大会、主题党日"
    assert Attendance.objects.get(meeting=m, member__name="赵六").reason == "外出务工"
    assert Attendance.objects.get(meeting=m, member__name="孙七").status == "absent"
    # 支委会 with no names: the committee, all 出席
    m2 = Meeting.objects.get(date=date(2023, 3, 2))
    assert sorted(m2.attendance.values_list("member__name", flat=True)) == sorted(["张三", "李四", "王五"])


def test_one_bad_row_imports_nothing_and_reports_row_column_reason(world):
    bad = GOOD.copy()
    bad[2], bad[9] = "2023-02-30", "张三、查无此人"
    r = _import(world, _xlsx([GOOD, bad, GOOD]))
    assert not r.ok and Meeting.objects.count() == 0
    msgs = {(e.row, e.column) for e in r.errors}
    assert (4, "日期") in msgs and (4, "出席") in msgs
    assert any("查无此人" in e.message for e in r.errors)


def test_other_branch_is_out_of_scope(world):
    row = GOOD.copy()
    row[0] = "西街社区党支部"
    r = _import(world, _xlsx([row]))
    assert not r.ok and "权限范围" in r.errors[0].message


@pytest.mark.parametrize(
    "cell,value",
    [
        (0, "=cmd|' /C calc'!A0"),
        (1, "茶话会"),
        (1, "谈心谈话"),
        (2, "not a date"),
        (3, "25:99"),
        (4, None),
        (6, ""),
        (9, "张三、张三"),
        (10, "张" * 5000 + "（" + "理由" * 3000 + "）"),
        (2, 10**12),
        (10, "赵六（" + "理由" * 150 + "）"),
        (5, "地" * 101),
    ],
)
def test_hostile_values_are_row_errors_never_crashes(world, cell, value):
    row = GOOD.copy()
    row[cell] = value
    r = _import(world, _xlsx([row]))
    assert not r.ok
    assert Meeting.objects.count() == 0


def test_not_a_spreadsheet(world):
    with pytest.raises(ledger.LedgerError):
        _import(world, b"<html>hello</html>")
    with pytest.raises(ledger.LedgerError):
        _import(world, _xlsx([["a", "b"]], title=False)[:200])


def test_export_roundtrip(world, client_for):
    _import(world, _xlsx([GOOD]))
    c = client_for("secretary_a")
    resp = c.get("/meetings/?format=xlsx&year=2023")
    assert resp.status_code == 200
    Meeting.objects.all().delete()
    r = _import(world, resp.content)
    assert r.ok and r.created == 1
    m = Meeting.objects.get()
    assert Attendance.objects.get(meeting=m, member__name="赵六").reason == "外出务工"


def test_export_formula_cells_escaped(world, record):
    from dangjian.meetings.models import Kind

    m = record(world.branch_a, [Kind.THEME_DAY], date(2023, 3, 10))
    Meeting.objects.filter(pk=m.pk).update(topic='=HYPERLINK("x")')
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(ledger.export_bytes(Meeting.objects.all())))
    assert wb.active.cell(row=3, column=7).value.startswith("'=")
