"""The fast export paths (core.exports, core.xlsx.write_ledger) write what the slower ones
wrote: the audit rows built from plain values equal the audit page's wording of each entry,
and the streamed workbook keeps the ledger layout."""

import io
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.http import QueryDict
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.core.xlsx import safe_cell, write_ledger
from dangjian.shell import exports
from dangjian.shell import views_audit as va


def _page_rows(qs):
    """The audit rows as the model-instance path words them (the audit page's functions)."""
    out = []
    for e in qs:
        changes = "；".join(f"{f}：{b or '（空）'} → {a or '（空）'}" for f, b, a in va._changes(e))
        out.append(
            [
                e.timestamp,
                e.actor.display_name if e.actor_id else "系统",
                e.actor.username if e.actor_id else "",
                va.ACTION_LABELS.get(e.action, str(e.action)),
                va._model_label(e),
                e.object_pk,
                va._object_name(e),
                changes,
                e.remote_addr or "",
            ]
        )
    return out


@pytest.mark.django_db
def test_audit_rows_equal_the_page_wording_of_every_entry(world):
    from dangjian.members.models import Member

    m = Member.objects.filter(branch=world.branch_a).order_by("pk").first()
    # real edits: a text field, a choice, a date and a foreign key
    m.name = "改名测试"
    m.joined_on = date(2011, 3, 4)
    m.branch = world.branch_b
    m.save()
    m.name = "再改一次"
    m.save()
    ct = ContentType.objects.get_for_model(Member)
    admin = world.user("admin")
    # an entry with a numeric foreign key (looked up), one with m2m changes, one without a name,
    # and two bulk entries with the same changes (worded once)
    extra = [
        dict(changes={"branch": ["None", str(world.branch_a.pk)]}, object_repr=str(m)),
        dict(changes={"meetings": {"type": "m2m", "operation": "add", "objects": ["3月支委会"]}}, object_repr=str(m)),
        dict(changes={}, object_repr="Member object (12)"),
        dict(changes={"education": ["None", "大学本科"]}, object_repr="甲"),
        dict(changes={"education": ["None", "大学本科"]}, object_repr="乙"),
    ]
    for i, kw in enumerate(extra):
        LogEntry.objects.create(
            content_type=ct,
            object_pk=str(m.pk),
            object_id=m.pk,
            action=LogEntry.Action.UPDATE if i % 2 else LogEntry.Action.CREATE,
            actor=admin if i % 2 else None,
            remote_addr="10.0.0.1" if i % 2 else None,
            **kw,
        )
    request = SimpleNamespace(user=admin, GET=QueryDict(), META={})
    _, qs = va._filtered(request)
    expected = _page_rows(qs)
    assert len(expected) > len(extra) and any("改名测试" in r[7] for r in expected)
    assert list(exports.audit_rows(qs)) == expected


@pytest.mark.django_db
def test_streamed_ledger_layout_and_cell_types(world):
    buf = io.BytesIO()
    now = timezone.now()
    write_ledger(
        buf,
        title="测试台账",
        headers=["文本", "日期", "时间", "金额", "是否", "空"],
        rows=[
            ["=cmd|' /C calc'!A0", date(2020, 1, 2), now, Decimal("12.50"), True, None],
            ["http://example.org 不是链接", date(2021, 5, 6), datetime(2021, 5, 6, 8, 30), 3, False, ""],
        ],
        org="测试镇党委",
        extra_sheets=[("第二页", ["名称"], [["乙"]])],
    )
    wb = load_workbook(io.BytesIO(buf.getvalue()))
    assert wb.sheetnames == ["测试台账", "第二页"]
    ws = wb["测试台账"]
    assert ws["A1"].value.startswith("测试台账") and "党组织：测试镇党委" in ws["A1"].value
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:F1"]
    assert ws["A2"].font.b and ws["A2"].border.top.style == "thin" and ws["A2"].fill.fgColor.rgb.endswith("FDE9E7")
    assert ws["A3"].value == "'=cmd|' /C calc'!A0" and ws["A3"].data_type == "s"
    assert ws["A4"].value == "http://example.org 不是链接" and ws["A4"].hyperlink is None
    assert ws["B3"].value == datetime(2020, 1, 2) and ws["B3"].number_format == "yyyy-mm-dd"
    assert ws["C3"].value.replace(microsecond=0) == timezone.localtime(now).replace(tzinfo=None, microsecond=0)
    assert ws["C4"].number_format == "yyyy-mm-dd h:mm:ss"
    assert ws["D3"].value == 12.5 and ws["D4"].value == 3
    assert ws["E3"].value is True and ws["E4"].value is False
    assert ws["F3"].value is None and ws["F4"].value is None
    assert ws.freeze_panes == "A3" and ws.print_title_rows == "$2:$2"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0 and ws.page_setup.orientation == "landscape"
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
    assert wb["第二页"]["A1"].value.startswith("第二页") and wb["第二页"]["A3"].value == "乙"


def test_safe_cell_keeps_its_rules():
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell("-1") == "'-1" and safe_cell("\tx") == "'\tx"
    assert safe_cell("a\x00b\x1fc") == "abc" and safe_cell("\r=1") == "'=1"  # control characters go first
    assert safe_cell("") == "" and safe_cell(None) is None and safe_cell(5) == 5 and safe_cell(True) is True
    naive = datetime(2024, 1, 1, 8, 0)
    assert safe_cell(naive) is naive
    aware = timezone.make_aware(naive)
    assert safe_cell(aware) == naive
