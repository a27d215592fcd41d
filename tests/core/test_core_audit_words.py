"""Audit entries read in words wherever they are shown: a member's 修改记录, the 审计日志
page and its export. auditlog stores field names, "None", "True"/"False" and, for reverse
relations on create, the related manager's str() ("points.ManualPoint.None"); none of those
may reach a page (core.audit.change_rows)."""

import re
from datetime import date
from html.parser import HTMLParser

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from dangjian.core.audit import acting_as
from dangjian.inspections.models import Inspection
from dangjian.orgs.models import Organization
from dangjian.shell.exports import audit_rows
from dangjian.testsupport.words import english_words
from dangjian.testsupport.world import approved_manual_point

PROGRAMMER_WORDS = re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|\b[A-Za-z_]\w*\.[A-Za-z_]\w*\.\w+")


class _TextOnly(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def _text(html: str) -> str:
    p = _TextOnly()
    p.feed(html)
    return " ".join("".join(p.parts).split())


def _entries(obj):
    ct = ContentType.objects.get_for_model(type(obj))
    return list(LogEntry.objects.filter(content_type=ct, object_pk=str(obj.pk)).order_by("pk"))


def _raw_field_names(entries) -> set[str]:
    return {str(name) for e in entries for name in (e.changes or {}) if str(name).isascii()}


def _data_words(m, *users) -> set[str]:
    """Words that are data, not programmer words: the actors' account names."""
    return {u.username.lower() for u in users}


def _assert_in_words(text: str, raw_names: set[str], where: str, allowed: set[str]):
    found = english_words(text, allowed=allowed)
    assert not found, f"{where}: {found}"
    assert not PROGRAMMER_WORDS.search(text), f"{where}: {PROGRAMMER_WORDS.findall(text)}"
    leaked = sorted(n for n in raw_names if re.search(rf"(?<![\w.]){re.escape(n)}(?![\w])", text))
    assert not leaked, f"{where}: raw field names shown: {leaked}"


@pytest.fixture
def history(world):
    """A member with a create entry (reverse relations as managers), an edit of an FK and a
    boolean, a manual points item proposed and approved, and an m2m addition."""
    m = world.members_a[1]
    secretary, admin = world.user("secretary_a"), world.user("admin")
    assert m.group_id == world.group_a.pk and not m.is_migrant_worker
    with acting_as(secretary):
        m.group = None
        m.is_migrant_worker = True
        m.job = "村会计"
        m.save()
    mp = approved_manual_point(m, secretary, admin, date(2026, 3, 1))
    with acting_as(admin):
        insp = Inspection.objects.create(
            org=world.township, title="春季组织生活督查", date=date(2026, 3, 2), team="张三"
        )
        insp.branches.add(world.branch_a)
        LogEntry.objects.log_m2m_changes(
            Organization.objects.filter(pk=world.branch_a.pk), insp, "add", "branches", actor=admin
        )
    member_entries, mp_entries, insp_entries = _entries(m), _entries(mp), _entries(insp)
    # The raw entries really hold the programmer's words this test is about.
    raw = " ".join(str(e.changes) for e in member_entries + mp_entries)
    assert "points.ManualPoint.None" in raw and "manual_points" in raw
    assert "'True'" in raw or "True" in raw
    assert any(isinstance(v, dict) for e in insp_entries for v in (e.changes or {}).values())
    return m, mp, insp, member_entries, mp_entries, insp_entries


def test_member_history_reads_in_words(history, world, client_for):
    m, _, _, member_entries, _, _ = history
    data = _data_words(m, world.user("secretary_a"), world.user("admin"))
    html = client_for("secretary_a").get(reverse("members:detail", kwargs={"member": m.pk})).content.decode()
    section = re.search(r'<div class="card" id="history">.*?</ul>\s*</div>', html, re.S).group(0)
    text = _text(section)
    assert "是否农民工：否 → 是" in text
    assert "所在党小组：东街第一党小组 → （空）" in text
    assert "工作岗位：（空） → 村会计" in text
    assert "所在党支部：（空） → " + str(m.branch) in text  # the create entry: FK by its name
    assert f"姓名：（空） → {m.name}" in text
    # every entry is listed, even one whose changes said nothing to a person
    assert text.count("修改") + text.count("新建") >= len(member_entries)
    _assert_in_words(text, _raw_field_names(member_entries), "member history", data)


def test_audit_page_and_export_read_in_words(history, world, client_for):
    m, mp, insp, member_entries, mp_entries, insp_entries = history
    data = _data_words(m, world.user("secretary_a"), world.user("admin"))
    c = client_for("admin")
    texts = []
    for q in (m.name, insp.title):
        resp = c.get(reverse("core:audit"), {"q": q})
        assert resp.status_code == 200
        body = resp.content.decode()
        texts.append(_text(re.search(r"<tbody>.*?</tbody>", body, re.S).group(0)))
    text = " ".join(texts)
    for words in (
        "是否农民工：否 → 是",
        "所在党小组：东街第一党小组 → （空）",
        "手工积分",
        "事由：（空） → 参加志愿服务",
        "积分项目：（空） → 志愿服务",  # the item's code ("volunteer") by its name
        "状态：（空） → 待审核",
        "状态：待审核 → 已生效",
        f"党员：（空） → {m.name}",
        "审核人：（空） → ",
        "督查支部：（空） → 添加：" + world_branch_name(insp),
    ):
        assert words in text, words
    entries = member_entries + mp_entries + insp_entries
    _assert_in_words(text, _raw_field_names(entries), "audit page", data)

    rows = list(audit_rows(LogEntry.objects.filter(pk__in=[e.pk for e in entries]).order_by("pk")))
    assert len(rows) == len(entries)  # no entry is dropped
    export_text = " ".join(str(v) for row in rows for v in row[3:8])
    assert "状态：待审核 → 已生效" in export_text and "是否农民工：否 → 是" in export_text
    _assert_in_words(export_text, _raw_field_names(entries), "audit export", data)


def world_branch_name(insp) -> str:
    return "、".join(str(b) for b in insp.branches.all())
