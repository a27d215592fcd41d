"""The one spreadsheet reader and every import on it, with files made the way offices make them
(tests/spreadsheet_files.py builds them: openpyxl, LibreOffice, CSV in three encodings, …)."""

import resource
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import spreadsheet_files as F  # noqa: E402

from dangjian.core import spreadsheet  # noqa: E402
from dangjian.core.spreadsheet import IDENT, TEXT, Column, ReadError, Spec, read_table  # noqa: E402
from dangjian.members.models import Member  # noqa: E402
from dangjian.members.roster_import import BranchIndex, plan_import, read_rows  # noqa: E402
from dangjian.rules.idcard import make_id  # noqa: E402

SPEC = Spec(
    title="党员名册",
    columns=(
        Column("name", "姓名", kind=IDENT),
        Column("branch", "所在党支部", kind=IDENT),
        Column("phone", "联系电话", ("手机号码",), kind=IDENT),
        Column("note", "备注", kind=TEXT),
    ),
    must_have=("name",),
    min_match=2,
)
ROWS = [["东街社区党员花名册"], ["序号", "姓 名", "所在党支部", "手机号码", "联系电话", "籍贯"]]
BODY = [
    [1, "张　三", "东街", None, "13800000001", "甘肃"],
    [2, "李四", None, "13900000002", "13800000002", None],
    [3, "王五", None, "", "", None],
    ["合计", "3人"],
    ["填表人：赵六", None, None, "审核人：孙七"],
]


def _values(table):
    return [(r.where, r.values) for r in table.rows]


def _check_example(table):
    assert _values(table) == [
        ("第3行", {"name": "张三", "branch": "东街", "phone": "13800000001"}),
        ("第4行", {"name": "李四", "branch": "东街", "phone": "13900000002"}),
        ("第5行", {"name": "王五", "branch": "东街", "phone": ""}),
    ]
    notes = "\n".join(table.notices())
    assert "跳过“合计”行：第6行" in notes and "跳过“填表人”行：第7行" in notes
    assert "“序号”" in notes and "“籍贯”" in notes  # columns not used
    assert "取“手机号码”的值" in notes and "第4行　联系电话　“13800000002”未导入" in notes


def test_xlsx_title_rows_merged_cells_totals_and_doubled_columns():
    _check_example(read_table(F.xlsx(ROWS + BODY, merges=("A1:F1", "C3:C5")), spec=SPEC))


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_xls_and_ods_made_by_libreoffice(fmt):
    content = F.convert(F.xlsx(ROWS + BODY, merges=("A1:F1", "C3:C5")), fmt)
    if content is None:
        pytest.fail("LibreOffice (soffice) is needed to build the .xls/.ods fixtures")
    table = read_table(content, spec=SPEC)
    assert [r.values["name"] for r in table.rows] == ["张三", "李四", "王五"]
    # 所在党支部 merged down over the members is filled for both (ods from its content.xml)
    assert [r.values["branch"] for r in table.rows] == ["东街", "东街", "东街"]
    _check_example(table)


def test_ods_merges_on_every_sheet_across_and_down_with_hidden_contents_dropped():
    made = F.convert(
        F.xlsx(
            [["姓名", "所在党支部", "备注", "联系电话"], ["甲", "东街", None, None], ["乙", None, "外出务工", None]],
            merges=("B2:B3", "C3:D3"),
            title="一支部",
            sheets={
                "二支部": ([["东街社区"], ["姓名", "所在党支部"], ["丙", "西街"], ["丁", None]], ("A1:B1", "B3:B4"))
            },
        ),
        "ods",
    )
    if made is None:
        pytest.fail("LibreOffice (soffice) is needed to build the .ods fixtures")

    def hide(name, data):  # LibreOffice keeps a merged-over cell's old contents hidden
        if name != "content.xml":
            return data
        return data.replace(
            b"<table:covered-table-cell/>",
            b'<table:covered-table-cell office:value-type="string"><text:p>\xe6\x97\xa7</text:p></table:covered-table-cell>',
            1,
        )

    for content in (made, F._rewrite(made, hide)):
        table = read_table(content, spec=SPEC)
        assert [(r.where, r.values) for r in table.rows] == [
            ("“一支部”工作表第2行", {"name": "甲", "branch": "东街", "note": "", "phone": ""}),
            ("“一支部”工作表第3行", {"name": "乙", "branch": "东街", "note": "外出务工", "phone": "外出务工"}),
            ("“二支部”工作表第3行", {"name": "丙", "branch": "西街"}),
            ("“二支部”工作表第4行", {"name": "丁", "branch": "西街"}),
        ]


def test_ods_repeated_rows_and_columns_row_groups_and_header_rows_count_as_positions():
    c, row = F.ods_cell, F.ods_row
    lead = c(None, repeat=2)  # data starts in column C
    body = (
        "<table:table-header-rows>"
        + row(lead, c("姓名"), c("所在党支部"), c("备注"), c("联系电话"))
        + "</table:table-header-rows><table:table-row-group>"
        + row(lead, c("甲"), c("东街"), c("外出", cols=2), c(covered=True), repeat=2)
        + row(lead, c("乙"), c("西街", rows=3), c("a"), c())
        + row(lead, c("丙"), c("旧", covered=True), c("b"), c())
        + "</table:table-row-group>"
        + row(lead, c("丁"), c(covered=True), c("c", rows=2, cols=2), c(covered=True))
        + row(lead, c("戊"), c("北街"), c(covered=True, repeat=2))
        + row(c(None, repeat=16384), repeat=1048570)
    )
    second = row(c("姓名"), c("所在党支部")) + row(c("己"), c("南街", rows=2)) + row(c("庚"), c(covered=True))
    table = read_table(F.ods_xml({"一支部": body, "二支部": second}), spec=SPEC)
    assert [(r.sheet, r.number, r.values) for r in table.rows] == [
        ("一支部", 2, {"name": "甲", "branch": "东街", "note": "外出", "phone": "外出"}),
        ("一支部", 3, {"name": "甲", "branch": "东街", "note": "外出", "phone": "外出"}),
        ("一支部", 4, {"name": "乙", "branch": "西街", "note": "a", "phone": ""}),
        ("一支部", 5, {"name": "丙", "branch": "西街", "note": "b", "phone": ""}),
        ("一支部", 6, {"name": "丁", "branch": "西街", "note": "c", "phone": "c"}),
        ("一支部", 7, {"name": "戊", "branch": "北街", "note": "c", "phone": "c"}),
        ("二支部", 2, {"name": "己", "branch": "南街"}),
        ("二支部", 3, {"name": "庚", "branch": "南街"}),
    ]


@st.composite
def _grid_with_merges(draw):
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 5))
    cell = st.one_of(st.none(), st.sampled_from(["东街", "张三", "合计", "备注", "1968.03", "a b"]))
    grid = [[draw(cell) for _ in range(w)] for _ in range(h)]
    taken: set[tuple[int, int]] = set()
    merges = []
    for _ in range(draw(st.integers(0, 4))):
        r0, c0 = draw(st.integers(0, h - 1)), draw(st.integers(0, w - 1))
        r1, c1 = draw(st.integers(r0, h - 1)), draw(st.integers(c0, w - 1))
        area = {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        if len(area) > 1 and not area & taken:  # real programs never overlap merged ranges
            taken |= area
            merges.append((r0, c0, r1, c1))
            for r, c in area - {(r0, c0)}:
                grid[r][c] = None
    return grid, merges


def _ods_of(grid, merges) -> bytes:
    starts = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in merges}
    covered = {(r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    rows = []
    for r, line in enumerate(grid):
        cells = []
        for c, v in enumerate(line):
            if (r, c) in starts:
                rs, cs = starts[(r, c)]
                cells.append(F.ods_cell(v, rows=rs, cols=cs))
            else:
                cells.append(F.ods_cell(covered=True) if (r, c) in covered else F.ods_cell(v))
        rows.append(F.ods_row(*cells))
    return F.ods_xml({"Sheet1": "".join(rows)})


@given(case=_grid_with_merges())
@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_ods_with_merges_reads_as_the_same_xlsx_does(case):
    from openpyxl.utils import get_column_letter

    grid, merges = case
    ranges = [f"{get_column_letter(c0 + 1)}{r0 + 1}:{get_column_letter(c1 + 1)}{r1 + 1}" for r0, c0, r1, c1 in merges]

    def filled(content):
        return [spreadsheet._fill_merges(rows, m)[0] for _n, rows, m in spreadsheet.parse_sheets(content)]

    def same(v):
        return None if v in (None, "") else v

    want = [[[same(v) for v in r] for r in sheet] for sheet in filled(F.xlsx(grid, merges=ranges))]
    got = [[[same(v) for v in r] for r in sheet] for sheet in filled(_ods_of(grid, merges))]
    assert got == want


def test_ods_spans_are_bounded_by_the_sheet_and_the_cell_limit(settings):
    import time

    c, row = F.ods_cell, F.ods_row
    head = row(c("姓名"), c("所在党支部"))
    huge = head + row(c("甲"), c("东街", rows=10**9, cols=10**6)) + row(c("乙"), c(covered=True))
    started = time.monotonic()
    table = read_table(F.ods_xml({"Sheet1": huge}), spec=SPEC)
    assert [r.values["branch"] for r in table.rows] == ["东街", "东街"]  # clipped to the rows read
    assert time.monotonic() - started < 10
    # Overlapping spans (never written by a real program) add up past the cell limit: refused.
    many = head + "".join(row(c(f"人{i}"), c("东街", rows=10**6, cols=2)) for i in range(300))
    settings.SPREADSHEET_LIMITS = {"max_cells": 20_000}
    with pytest.raises(ReadError) as exc:
        read_table(F.ods_xml({"Sheet1": many}), spec=SPEC)
    assert exc.value.code == "too_large" and "单元格太多" in exc.value.message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_csv_in_every_encoding_excel_writes(encoding):
    rows = [["姓名", "所在党支部", "备注"], ["张三", "东街", "外出，（务工）：兰州"]]
    table = read_table(F.csv_bytes(rows, encoding=encoding), spec=SPEC)
    assert table.rows[0].values == {"name": "张三", "branch": "东街", "note": "外出，（务工）：兰州"}


def test_html_table_saved_as_xls_is_read():
    content = F.html_table([["姓名", "所在党支部"], ["张三", "东街"]], charset="gb18030")
    assert read_table(content, spec=SPEC).rows[0].values == {"name": "张三", "branch": "东街"}


def test_every_sheet_is_read_and_errors_name_the_sheet():
    content = F.xlsx(
        [["姓名", "所在党支部"], ["张三", "东街"]],
        title="一支部",
        sheets={"二支部": ([["姓名", "所在党支部"], ["李四", "西街"]], ()), "说明": ([["填表说明"]], ())},
    )
    table = read_table(content, spec=SPEC)
    assert [(r.sheet, r.where) for r in table.rows] == [
        ("一支部", "“一支部”工作表第2行"),
        ("二支部", "“二支部”工作表第2行"),
    ]
    assert any(n.startswith("工作表“说明”未读取") for n in table.notices())


@pytest.mark.parametrize(
    ("content", "code", "words"),
    [
        (b"", "empty", "文件是空的"),
        (F.encrypted_ooxml(), "password", "文件设有密码，请另存为无密码的文件"),
        (F.excel2003_xml([["姓名"]]), "xml", "Excel 2003 XML"),
        (b"PK\x03\x04" + b"\x00" * 100, "broken", "文件已损坏"),
        (b"%PDF-1.4\n", "not_sheet", "PDF"),
        (b"not a spreadsheet", "unknown", "不是表格"),
        (F.xlsx([["随便", "什么"]]), "no_header", "没有找到党员名册的表头行"),
    ],
)
def test_each_refusal_has_its_own_message(content, code, words):
    with pytest.raises(ReadError) as exc:
        read_table(content, spec=SPEC)
    assert exc.value.code == code and words in exc.value.message


def _rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


@pytest.mark.parametrize("which", ["sparse", "sparse_without_dimension", "bomb"])
def test_hostile_files_are_refused_before_or_while_parsing_in_a_bounded_child(which, settings):
    content = {
        "sparse": lambda: F.sparse_xlsx(),
        "sparse_without_dimension": lambda: F.sparse_xlsx(keep_dimension=False),
        "bomb": lambda: F.zip_bomb_xlsx(),
    }[which]()
    before = _rss_mb()
    with pytest.raises(ReadError) as exc:
        read_table(content, spec=SPEC)
    assert exc.value.code == "too_large"
    # The bomb also with the pre-checks off: the child's memory cap stops it, not the server.
    settings.SPREADSHEET_LIMITS = {
        "max_compression_ratio": 10**9,
        "max_uncompressed_bytes": 10**12,
        "max_rows": 10**8,
        "max_cells": 10**10,
        "memory_mb": 200,
    }
    with pytest.raises(ReadError) as exc:
        read_table(content, spec=SPEC)
    assert exc.value.code in ("too_large", "timeout")
    assert _rss_mb() - before < 100  # this process never held the sheet


@given(
    rows=st.lists(
        st.lists(
            st.one_of(
                st.none(),
                st.text(max_size=12),
                st.integers(-(10**12), 10**12),
                st.floats(allow_nan=False, allow_infinity=False),
                st.dates(),
                st.booleans(),
                st.sampled_from(["姓名", "所在党支部", "合计", "备注：无", "　", "1968.03", "=1+1"]),
            ),
            max_size=6,
        ),
        max_size=8,
    )
)
@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_sheet_gives_a_table_or_a_chinese_refusal(rows):
    clean = [[v.replace("\x00", "") if isinstance(v, str) else v for v in r] for r in rows]
    clean = [[("".join(ch for ch in v if ch.isprintable()) if isinstance(v, str) else v) for v in r] for r in clean]
    try:
        table = read_table(F.xlsx(clean), spec=SPEC)
    except ReadError as exc:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.message)
        return
    for r in table.rows:
        assert r.number >= 1 and set(r.values) <= {"name", "branch", "phone", "note"}
    assert all(isinstance(n, str) and "None" not in n for n in table.notices())


# --- the importers ------------------------------------------------------------------------

HEADER = [
    "姓名",
    "公民身份号码",
    "所在党支部",
    "入党日期",
    "转为正式党员日期",
    "人员类别",
    "学历",
    "民族",
    "手机号码",
    "联系电话",
]


def _roster(rows, *, merges=(), title=True):
    return F.xlsx(([["东街社区党支部党员花名册"]] if title else []) + [HEADER] + rows, merges=merges)


def _person(name, seq, **kw):
    row = [
        name,
        make_id("620102", date(1980, 5, 3), seq),
        "东街社区党支部",
        2005.07,
        2006.07,
        "正式党员",
        "高中",
        "汉族",
        None,
        None,
    ]
    for k, v in kw.items():
        row[HEADER.index(k)] = v
    return row


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_roster_as_offices_keep_it(world, fmt):
    content = _roster(
        [
            _person("甲", 11, 联系电话="13800001111"),
            _person("乙", 13, 所在党支部=None, 入党日期=20050701, 转为正式党员日期="2006年7月"),
            _person("丙", 15, 所在党支部=None, 手机号码="13900002222", 联系电话="13800002222"),
            ["合计", "3人"],
            ["备注：本表由支部书记填写"],
        ],
        merges=("C3:C5",),
    )
    if fmt == "ods":  # 所在党支部 merged down over 乙 and 丙, saved by LibreOffice as .ods
        content = F.convert(content, "ods")
        assert content is not None, "LibreOffice (soffice) is needed to build the .ods fixtures"
    plan = plan_import(
        read_rows(content), branches=BranchIndex.for_user(world.user("secretary_a")), today=date(2026, 12, 1)
    )
    assert plan.ok, [e.text for e in plan.errors]
    by_name = {p.data["name"]: p for p in plan.to_create}
    assert by_name["甲"].phone == "13800001111"  # only in 联系电话: not lost
    assert by_name["甲"].data["joined_on"] == date(2005, 7, 1)  # 2005.07 typed as a number
    assert by_name["乙"].data["joined_on"] == date(2005, 7, 1) and by_name["乙"].data["branch"] == world.branch_a
    assert by_name["丙"].phone == "13900002222"
    notes = "\n".join(plan.notices)
    assert "跳过“合计”行" in notes and "跳过“备注”行" in notes and "“13800002222”未导入" in notes


@pytest.mark.django_db
def test_roster_refusals_in_plain_words(world):
    content = _roster(
        [
            _person("旧证", 17, 公民身份号码="620102800503171"),
            _person("错支部", 19, 所在党支部="东街社区第一支部"),
            _person("越权", 21, 所在党支部="西街社区党支部"),
            _person("坏号", 23, 公民身份号码=make_id("620102", date(1980, 5, 3), 23)[:-1] + "0"),
        ]
    )
    plan = plan_import(
        read_rows(content), branches=BranchIndex.for_user(world.user("secretary_a")), today=date(2026, 12, 1)
    )
    texts = [e.text for e in plan.errors]
    assert "第3行　公民身份号码　旧版15位身份证号，请换成18位" in texts
    assert any(
        t.startswith("第4行　所在党支部　没有名为“东街社区第一支部”的党支部，是不是“东街社区党支部”") for t in texts
    )
    assert any(t.startswith("第5行　所在党支部") and "权限范围" in t for t in texts)
    bad = [t for t in texts if t.startswith("第6行")]
    assert bad and "校验位不对，请核对身份证原件" in bad[0] and "应为" not in bad[0]
    assert not any(w in t for t in texts for w in ("None", "True", "变量"))


@pytest.mark.django_db
def test_month_only_join_date_near_18th_birthday_is_a_warning(world):
    # born 1980-05-01, 18 on 1998-05-01: "1998.05" may be before or after the birthday
    content = _roster([_person("月份", 25, 入党日期="1998.05", 转为正式党员日期="1999.05")])
    plan = plan_import(
        read_rows(content), branches=BranchIndex.for_user(world.user("secretary_a")), today=date(2026, 12, 1)
    )
    assert plan.ok, [e.text for e in plan.errors]
    assert any("无法确认入党时是否已满十八岁" in w.text for w in plan.warnings)
    content = _roster([_person("月份", 25, 入党日期="1998.04", 转为正式党员日期="1999.04")])
    plan = plan_import(
        read_rows(content), branches=BranchIndex.for_user(world.user("secretary_a")), today=date(2026, 12, 1)
    )
    assert not plan.ok and "十八岁" in plan.errors[0].message


@pytest.mark.django_db
def test_roster_upload_kept_encrypted_not_reparsed_and_swept(world, client_for, settings, monkeypatch):
    c = client_for("secretary_a")
    bad = _roster([_person("坏号", 23, 公民身份号码=make_id("620102", date(1980, 5, 3), 23)[:-1] + "0")])
    resp = c.post("/members/import/", {"action": "upload", "file": SimpleUploadedFile("名册.xlsx", bad)})
    assert resp.status_code == 422
    media = Path(settings.MEDIA_ROOT)
    assert not list(media.glob("roster_imports/*.upload"))  # the upload itself is not kept
    kept = list(media.glob("import_previews/*.preview"))
    assert len(kept) == 1 and (kept[0].stat().st_mode & 0o777) == 0o600
    assert "坏号".encode() not in kept[0].read_bytes() and "坏号" not in kept[0].read_text()

    def no_parse(*a, **k):
        raise AssertionError("the upload was parsed again")

    monkeypatch.setattr(spreadsheet, "parse_sheets", no_parse)
    resp = c.get("/members/import/errors/")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    import os
    import time

    old = time.time() - 2 * 3600
    os.utime(kept[0], (old, old))
    assert spreadsheet.sweep_previews() == 1 and not kept[0].exists()


def _hostile_uploads():
    return {"sparse": F.sparse_xlsx(keep_dimension=False), "bomb": F.zip_bomb_xlsx()}


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["sparse", "bomb"])
def test_hostile_files_on_every_import_leave_the_server_up(world, client_for, which):
    content = _hostile_uploads()[which]
    before = _rss_mb()
    sec, admin = client_for("secretary_a"), client_for("admin")
    year = date.today().year
    posts = [
        (sec, "/members/import/", {"action": "upload"}),
        (sec, "/meetings/import/", {}),
        (sec, "/dues/bases/import/", {"branch": world.branch_a.pk, "year": year}),
        (admin, f"/stats/import/?org={world.township.pk}", {"org": world.township.pk}),
    ]
    for c, url, data in posts:
        resp = c.post(url, {**data, "file": SimpleUploadedFile("x.xlsx", content)})
        assert resp.status_code in (200, 400, 422), url
        body = resp.content.decode()
        assert "文件" in body and ("过大" in body or "太大" in body or "异常" in body or "超过上限" in body), url
    assert _rss_mb() - before < 150
    assert Member.objects.filter(name__in=["x"]).count() == 0


# --- meetings: idempotent, dates, text as typed --------------------------------------------


def _ledger_header():
    from dangjian.meetings.ledger import COLUMNS

    return COLUMNS


def _ledger(rows):
    return F.xlsx([["东街社区党支部会议台账"], _ledger_header(), *rows])


@pytest.mark.django_db
def test_meetings_import_twice_and_reimport_export_change_nothing(world):
    from dangjian.accounts.scope import editable_by
    from dangjian.meetings import ledger
    from dangjian.meetings.models import Meeting
    from dangjian.orgs.models import Organization

    user = world.user("secretary_a")
    orgs = editable_by(user, Organization)
    names = [m.name for m in world.members_a]
    row = [
        "东街社区党支部",
        "党员大会",
        2023.03,
        "15:00",
        "17:00",
        "活动室（二楼）",
        "学习：党章，（第一章）",
        names[0],
        names[1],
        "、".join(names),
        "",
        "",
        "传达上级精神，讨论：发展党员。",
    ]
    row[2] = "2023年3月10日"
    again = row.copy()
    again[3] = "15:00"  # the same meeting typed twice in one file
    r = ledger.import_meetings(_ledger([row, again]), user=user, orgs=orgs, today=date(2023, 3, 12))
    assert r.ok and r.created == 1 and len(r.already) == 1, (r.errors, r.already)
    m = Meeting.objects.get()
    assert (
        m.topic == "学习：党章，（第一章）"
        and m.place == "活动室（二楼）"
        and m.minutes == "传达上级精神，讨论：发展党员。"
    )
    export = ledger.export_bytes(Meeting.objects.all())
    r = ledger.import_meetings(export, user=user, orgs=orgs, today=date(2023, 3, 12))
    assert r.ok and r.created == 0 and len(r.already) == 1
    assert Meeting.objects.count() == 1
    future = row.copy()
    future[2], future[12] = "2024-01-05", ""
    r = ledger.import_meetings(_ledger([future]), user=user, orgs=orgs, today=date(2023, 3, 12))
    assert not r.ok and "会议日期晚于今天" in r.errors[0].message and Meeting.objects.count() == 1


@pytest.mark.django_db
def test_meeting_form_refuses_a_future_date():
    from dangjian.meetings.forms import MeetingForm

    form = MeetingForm(
        {
            "kinds": ["branch_meeting"],
            "date": "2999-01-01",
            "start_time": "09:00",
            "end_time": "10:00",
            "place": "x",
            "topic": "y",
        }
    )
    assert not form.is_valid() and "会议日期晚于今天" in str(form.errors["date"])


@pytest.mark.django_db
def test_dues_bases_with_a_treasurers_own_headers(world):
    from dangjian.dues.importer import import_bases

    names = [m.name for m in world.members_a[:2]]
    content = F.csv_bytes(
        [
            ["序号", "党员姓名", "交纳类别", "月工资收入"],
            [1, names[0], "在职", "3,000元"],
            [2, names[1], "离退休", 2500],
            ["合计"],
        ],
        encoding="gb18030",
    )
    notices: list[str] = []
    assert import_bases(branch=world.branch_a, year=date.today().year, data=content, notices=notices) == 2
    assert any("合计" in n for n in notices) and any("序号" in n for n in notices)


def test_no_second_date_parser_or_header_finder():
    root = Path(__file__).resolve().parents[2] / "dangjian"
    offenders = []
    for path in root.rglob("*.py"):
        text = path.read_text()
        rel = path.relative_to(root).as_posix()
        if rel in ("core/spreadsheet.py", "core/dates.py"):
            continue
        for needle in (
            "CalamineWorkbook",
            "def parse_cn_date",
            "def _find_header",
            "def find_header_row",
            "_from_excel_serial",
        ):
            if needle in text:
                offenders.append((rel, needle))
    assert offenders == []


@pytest.mark.django_db
def test_no_partial_write_is_possible_from_the_reader():
    # The reader never touches the database: a read that fails leaves nothing behind.
    with transaction.atomic():
        with pytest.raises(ReadError):
            read_table(b"", spec=SPEC)
