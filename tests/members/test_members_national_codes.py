"""Issue 15: the national code values (rules.codes) — one table, read by the roster import and
written by `export_roster --layout national`; a national export imports back to the same members."""

from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command

from dangjian.members.models import Education, Member
from dangjian.members.national import NATIONAL_LAYOUT
from dangjian.rules import codes
from tests.from_zero_files import ORG_ROWS, roster_rows, xlsx

COMPARED = ("name", "sex", "ethnicity", "education", "kind", "birth_date", "joined_on", "full_on", "standing",
            "is_lost", "is_mobile", "job")  # fmt: skip


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_code_tables():
    assert len([c for c in codes.ETHNICITY_CODES if int(c) <= 56]) == 56
    assert (codes.ETHNICITY_CODES["01"], codes.ETHNICITY_CODES["56"]) == ("汉族", "基诺族")
    assert (codes.ETHNICITY_CODES["97"], codes.ETHNICITY_CODES["98"]) == ("其他未识别民族", "外国血统中国籍人士")
    # every stored value with a code comes back from its code
    for field, values in (("sex", ["男", "女"]), ("ethnicity", list(codes.ETHNICITY_CODES.values())),
                          ("education", list(Education.values))):  # fmt: skip
        for v in values:
            code = codes.encode(field, v)
            assert code is not None and codes.decode(field, code) == v, (field, v)
    assert [codes.encode("education", e) for e in Education.values] == ["10", "20", "30", "40", "60", "70"]
    # a code inside a level reads as its level; an unknown level stays text (the importer refuses it)
    assert [codes.decode("education", c) for c in ("11", "14", "21", "31", "41", "61", "80", "90", "50")] == [
        "研究生", "研究生", "大学本科", "大学专科", "中专", "高中", "初中及以下", "初中及以下", "50",
    ]  # fmt: skip
    assert (codes.decode("sex", "1"), codes.decode("sex", "2"), codes.decode("sex", "3")) == ("男", "女", "3")
    assert codes.encode("ethnicity", "穿青人") is None and codes.encode("kind", "正式党员") is None


@pytest.mark.django_db
def test_national_export_writes_codes_and_imports_back_to_the_same_members(tmp_path):
    tree = tmp_path / "orgs.xlsx"
    tree.write_bytes(xlsx(ORG_ROWS))
    run("import_orgs", str(tree))
    rows = roster_rows()
    head = rows[0]
    # vary the coded values: 回族 / 研究生 / 预备党员 / 初中及以下 / 穿青人 (no national code)
    rows[1][head.index("民族")] = "回族"
    rows[2][head.index("学历")] = "研究生"
    rows[3][head.index("学历")] = "初中及以下"
    rows[4][head.index("民族")] = "穿青人"
    roster = tmp_path / "roster.xlsx"
    roster.write_bytes(xlsx(rows))
    run("import_roster", str(roster))
    before = {m.id_number: tuple(getattr(m, f) for f in COMPARED) for m in Member.objects.all()}
    assert len(before) == 6

    out = tmp_path / "national.xlsx"
    text = run("export_roster", str(out), "--layout", "national")
    assert "“穿青人”没有国家代码，按原文写出" in text  # said, not changed silently
    sheet = [list(r) for r in openpyxl.load_workbook(out).active.iter_rows(values_only=True)]
    headers = [h for _, h in NATIONAL_LAYOUT]
    assert sheet[1][: len(headers)] == headers
    col = {h: headers.index(h) for h in headers}
    by_name = {r[col["姓名"]]: r for r in sheet[2:]}
    assert [by_name["张建国"][col[h]] for h in ("性别", "民族", "学历")] == ["1", "03", "20"]
    assert [by_name["李红"][col[h]] for h in ("性别", "民族", "学历")] == ["2", "01", "10"]
    assert by_name["王强"][col["学历"]] == "70" and by_name["赵六"][col["民族"]] == "穿青人"

    # the national file read back changes nothing; into an empty roster it makes the same members
    assert "无变化 6 人" in run("import_roster", str(out), "--dry-run")
    Member.objects.all().delete()
    assert "新增 6 人" in run("import_roster", str(out))
    after = {m.id_number: tuple(getattr(m, f) for f in COMPARED) for m in Member.objects.all()}
    assert after == before
