"""Roster pages: scoping for every role, masking and reveal, search, export, import, query counts."""

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from dangjian.accounts.models import RevealEvent
from dangjian.members.models import Member
from dangjian.members.selectors import age_band_birth_range, filtered_roster
from dangjian.rules.idcard import make_id
from dangjian.testsupport.world import make_member

pytestmark = pytest.mark.django_db


def names(resp):
    return {m.name for m in resp.context["page"]}


# --- list, search, filters ---------------------------------------------------------------


def test_list_scoped_per_role(world, client_for):
    all_a = {m.name for m in world.members_a}
    all_b = {m.name for m in world.members_b}
    assert names(client_for("admin").get(reverse("members:list"))) == all_a | all_b
    assert names(client_for("inspector").get(reverse("members:list"))) == all_a | all_b
    assert names(client_for("secretary_a").get(reverse("members:list"))) == all_a
    assert names(client_for("committee_a").get(reverse("members:list"))) == all_a
    assert names(client_for("secretary_b").get(reverse("members:list"))) == all_b
    assert client_for("member_a").get(reverse("members:list")).status_code == 403


def test_branch_filter_only_offers_branches_in_scope(world, client_for):
    c = client_for("secretary_a")
    resp = c.get(reverse("members:list"), {"branch": world.branch_b.pk})
    # another branch is not a valid choice: the filter form rejects it, nothing of B leaks
    assert not names(resp) & {m.name for m in world.members_b}
    assert list(resp.context["filter"].form.fields["branch"].queryset) == [world.branch_a]


def test_pinyin_search(world, client_for):
    c = client_for("secretary_a")
    for q in ("zs", "zhangsan", "ZhangSan", "张", "zhang"):
        assert names(c.get(reverse("members:list"), {"q": q})) == {"张三"}, q
    assert names(c.get(reverse("members:list"), {"q": "san"})) == {"张三"}
    assert names(c.get(reverse("members:list"), {"q": "zb"})) == set()  # 周八 is in branch B


def test_filters_and_sorting(world, client_for):
    c = client_for("admin")
    url = reverse("members:list")
    assert names(c.get(url, {"kind": "预备党员"})) == {"孙七", "冯二"}
    assert names(c.get(url, {"branch": world.branch_a.pk, "group": world.group_a.pk})) == {"张三", "李四", "王五"}
    Member.objects.filter(pk=world.members_a[0].pk).update(is_mobile=True)
    Member.objects.filter(pk=world.members_a[1].pk).update(is_lost=True, lost_on=date(2025, 1, 1))
    assert names(c.get(url, {"mobile": "true"})) == {"张三"}
    assert names(c.get(url, {"lost": "true"})) == {"李四"}
    assert names(c.get(url, {"sex": "女"})) == set()
    make_member(world.branch_a, name="年轻人", birth=date(2000, 1, 1), joined_on=date(2020, 1, 1))
    resp = c.get(url, {"age": "30岁及以下"})
    assert names(resp) == {"年轻人"}
    from dangjian.rules.membership import age_band, age_on

    band = age_band(age_on(date(1980, 5, 1), date.today()))  # world members are born 1980-05-01
    assert names(c.get(url, {"age": band})) == {m.name for m in world.members_a + world.members_b}
    resp = c.get(url, {"sort": "-birth"})
    assert list(resp.context["page"])[0].name == "年轻人"
    resp = c.get(url, {"sort": "name", "branch": world.branch_a.pk})
    pinyins = [m.name_pinyin for m in resp.context["page"]]
    assert pinyins == sorted(pinyins)


def test_left_members_hidden_unless_asked(world, client_for):
    Member.objects.filter(pk=world.members_a[2].pk).update(
        is_current=False, left_on=date(2025, 1, 1), left_reason="转出"
    )
    c = client_for("secretary_a")
    assert "王五" not in names(c.get(reverse("members:list")))
    assert "王五" in names(c.get(reverse("members:list"), {"left": "on"}))


def test_age_band_ranges():
    today = date(2026, 11, 29)
    assert age_band_birth_range("31-35岁", today) == (date(1990, 11, 30), date(1995, 11, 29))
    assert age_band_birth_range("61岁及以上", today) == (None, date(1965, 11, 29))
    assert age_band_birth_range("30岁及以下", today) == (date(1995, 11, 30), None)


def _grow(world, n):
    for i in range(n):
        make_member(world.branch_a, name=f"加{i}", group=world.group_a if i % 2 else None)


def test_roster_query_count_does_not_grow(world, client_for, django_assert_num_queries):
    c = client_for("secretary_a")
    url = reverse("members:list")
    c.get(url)  # warm up (session, content types)
    with django_assert_num_queries(6):
        resp = c.get(url)
    assert len(resp.context["page"]) == 5
    _grow(world, 60)
    with django_assert_num_queries(6):
        resp = c.get(url)
    assert len(resp.context["page"]) == 50 and resp.context["page"].paginator.count == 65


# --- detail, masking, reveal ---------------------------------------------------------------


def test_detail_masked_and_scoped(world, client_for):
    m = world.members_a[0]
    resp = client_for("secretary_a").get(reverse("members:detail", kwargs={"member": m.pk}))
    html = resp.content.decode()
    assert resp.status_code == 200
    assert m.id_number_mask in html and m.id_number not in html
    assert m.phone_mask in html and m.phone not in html
    assert "2010年7月1日" in html  # dates in Chinese
    for role in ("secretary_a", "committee_a", "member_a"):
        other = world.members_b[1]
        assert client_for(role).get(reverse("members:detail", kwargs={"member": other.pk})).status_code == 404
    # a member sees only their own record
    assert (
        client_for("member_a").get(reverse("members:detail", kwargs={"member": world.members_a[0].pk})).status_code
        == 404
    )
    assert (
        client_for("member_a").get(reverse("members:detail", kwargs={"member": world.members_a[3].pk})).status_code
        == 200
    )
    assert client_for("member_a").get(reverse("members:detail", kwargs={"member": 999999})).status_code == 404


def test_me_page(world, client_for):
    resp = client_for("member_a").get(reverse("members:me"))
    assert resp.status_code == 200 and "我的档案" in resp.content.decode()
    assert resp.context["m"] == world.members_a[3]
    assert world.members_a[3].id_number not in resp.content.decode()


def reveal(client, member, field):
    return client.post(
        reverse("members:reveal", kwargs={"member": member.pk}),
        {"field": field},
        HTTP_HX_REQUEST="true",
        REMOTE_ADDR="10.1.2.3",
    )


def test_reveal_logs_and_returns_value(world, client_for):
    m = world.members_a[2]
    resp = reveal(client_for("secretary_a"), m, "id_number")
    assert resp.status_code == 200 and m.id_number in resp.content.decode()
    ev = RevealEvent.objects.get()
    assert ev.user == world.user("secretary_a") and ev.member == m and ev.kind == "id_number"
    assert ev.remote_addr == "10.1.2.3"
    resp = reveal(client_for("committee_a"), m, "phone")
    assert resp.status_code == 200 and m.phone in resp.content.decode()
    assert RevealEvent.objects.count() == 2


def test_reveal_refused(world, client_for):
    m = world.members_a[2]
    resp = reveal(client_for("committee_a"), m, "id_number")
    assert resp.status_code == 403 and m.id_number not in resp.content.decode()
    resp = reveal(client_for("inspector"), m, "id_number")
    assert resp.status_code == 403
    assert reveal(client_for("inspector"), m, "phone").status_code == 403
    assert reveal(client_for("secretary_b"), m, "id_number").status_code == 404
    assert reveal(client_for("member_a"), m, "id_number").status_code == 404
    assert client_for("secretary_a").get(reverse("members:reveal", kwargs={"member": m.pk})).status_code == 405
    assert RevealEvent.objects.count() == 0


def test_member_reveals_own(world, client_for):
    own = world.members_a[3]
    resp = reveal(client_for("member_a"), own, "id_number")
    assert resp.status_code == 200 and own.id_number in resp.content.decode()
    assert RevealEvent.objects.filter(user=world.user("member_a"), member=own).exists()


# --- edit / add ------------------------------------------------------------------------


def form_data(m, **over):
    d = {
        "name": m.name,
        "sex": m.sex,
        "ethnicity": m.ethnicity,
        "birth_date": m.birth_date.isoformat(),
        "education": m.education,
        "kind": m.kind,
        "branch": m.branch_id,
        "group": m.group_id or "",
        "joined_on": m.joined_on.isoformat(),
        "full_on": m.full_on.isoformat() if m.full_on else "",
        "probation_extension_months": m.probation_extension_months,
        "occupation": m.occupation,
        "dues_category": m.dues_category,
        "standing": m.standing,
        "version": m.version,
        "id_number": "",
        "phone": "",
    }
    d.update(over)
    return d


def test_edit_saves_and_history_shows_on_detail(world, client_for):
    m = world.members_a[1]
    c = client_for("secretary_a")
    resp = c.post(reverse("members:edit", kwargs={"member": m.pk}), form_data(m, job="村会计"), REMOTE_ADDR="10.9.8.7")
    assert resp.status_code == 302
    m.refresh_from_db()
    assert m.job == "村会计" and m.id_number_mask  # ID unchanged when left blank
    html = c.get(reverse("members:detail", kwargs={"member": m.pk})).content.decode()
    assert "修改记录" in html and "村会计" in html and "sec_a" in html and "10.9.8.7" in html


def test_edit_conflict_message(world, client_for):
    m = world.members_a[1]
    c = client_for("secretary_a")
    stale = form_data(m, job="甲")
    assert c.post(reverse("members:edit", kwargs={"member": m.pk}), form_data(m, job="乙")).status_code == 302
    resp = c.post(reverse("members:edit", kwargs={"member": m.pk}), stale)
    assert resp.status_code == 200 and "已被他人修改" in resp.content.decode()
    m.refresh_from_db()
    assert m.job == "乙"


def test_edit_validation_message_in_chinese(world, client_for):
    m = world.members_a[1]
    resp = client_for("secretary_a").post(
        reverse("members:edit", kwargs={"member": m.pk}), form_data(m, full_on="2011-09-01")
    )
    assert resp.status_code == 200 and "入党一年后" in resp.content.decode()


def test_edit_scope(world, client_for):
    other = world.members_b[1]
    for role in ("secretary_a", "committee_a"):
        assert client_for(role).get(reverse("members:edit", kwargs={"member": other.pk})).status_code == 404
        assert (
            client_for(role)
            .post(reverse("members:edit", kwargs={"member": other.pk}), form_data(other, job="x"))
            .status_code
            == 404
        )
    assert client_for("inspector").get(reverse("members:edit", kwargs={"member": other.pk})).status_code == 403
    assert (
        client_for("member_a").get(reverse("members:edit", kwargs={"member": world.members_a[3].pk})).status_code == 403
    )
    # moving one's own member into another branch is refused too
    m = world.members_a[4]
    resp = client_for("secretary_a").post(
        reverse("members:edit", kwargs={"member": m.pk}), form_data(m, branch=world.branch_b.pk)
    )
    assert resp.status_code == 200
    m.refresh_from_db()
    assert m.branch == world.branch_a


def test_add_member(world, client_for):
    c = client_for("secretary_a")
    new_id = make_id("620102", date(1992, 4, 5), 123)
    data = {
        "name": "新同志",
        "sex": "",
        "ethnicity": "汉族",
        "birth_date": "",
        "education": "大学本科",
        "kind": "预备党员",
        "branch": world.branch_a.pk,
        "joined_on": "2026-06-01",
        "full_on": "",
        "probation_extension_months": 0,
        "occupation": "工人",
        "dues_category": "在职",
        "standing": "正常",
        "id_number": new_id,
        "phone": "13811112222",
    }
    resp = c.post(reverse("members:add"), data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    m = Member.objects.get(name="新同志")
    assert m.sex == "男" and m.birth_date == date(1992, 4, 5) and m.branch == world.branch_a
    resp = c.post(reverse("members:add"), data | {"name": "重复"})
    assert resp.status_code == 200 and "重复登记" in resp.content.decode()
    assert client_for("inspector").get(reverse("members:add")).status_code == 403


# --- export / import in the browser ------------------------------------------------------


def read_xlsx(resp):
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(resp.streaming_content) if resp.streaming else resp.content))
    return [[c.value for c in row] for row in wb.active.iter_rows()]


def test_export_masked_and_scoped(world, client_for):
    resp = client_for("secretary_a").get(reverse("members:export"))
    rows = read_xlsx(resp)
    assert "党员名册" in rows[0][0] and "sec_a" in rows[0][0]
    names_ = {r[0] for r in rows[2:]}
    assert names_ == {m.name for m in world.members_a}
    ids = {r[3] for r in rows[2:]}
    assert ids == {m.id_number_mask for m in world.members_a}
    assert RevealEvent.objects.count() == 0


def test_export_full_ids_only_for_entitled_and_logged(world, client_for):
    sec = client_for("secretary_a")
    url = reverse("members:export") + "?full=1&q=zs"
    # A GET (a link from another site) only shows the form asking for the purpose.
    page = sec.get(url)
    assert page.status_code == 200 and "用途（必填）" in page.content.decode()
    assert not RevealEvent.objects.exists()
    refused = sec.post(url, {"purpose": " "})
    assert refused.status_code == 400 and "请写明用途" in refused.content.decode()
    assert not RevealEvent.objects.exists()
    resp = sec.post(url, {"purpose": "报送县委组织部年度统计"}, REMOTE_ADDR="10.8.0.5")
    rows = read_xlsx(resp)
    assert [r[3] for r in rows[2:]] == [world.members_a[0].id_number]
    ev = RevealEvent.objects.get()
    assert ev.kind == RevealEvent.Kind.EXPORT_IDS and ev.user == world.user("secretary_a")
    assert ev.purpose == "报送县委组织部年度统计" and ev.remote_addr == "10.8.0.5"
    assert client_for("committee_a").get(reverse("members:export"), {"full": "1"}).status_code == 403
    assert client_for("inspector").get(reverse("members:export"), {"full": "1"}).status_code == 403
    assert client_for("member_a").get(reverse("members:export")).status_code == 403


def _upload(c, content, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = SimpleUploadedFile("名册.xlsx", content)
    return c.post(reverse("members:import"), {"action": "upload", "file": f, **extra})


def _file(rows):
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


HEADER = ["姓名", "身份证号", "入党时间", "转正时间", "预/正", "学历", "民族", "党支部"]


def test_browser_import_preview_then_confirm(world, client_for):
    c = client_for("secretary_a")
    new = make_id("620102", date(1988, 8, 8), 55)
    content = _file([["东街花名册"], HEADER, ["新来的", new, "2012-07-01", "2013-07-01", "正", "高中", "汉族", "东街"]])
    resp = _upload(c, content)
    assert resp.status_code == 200 and "确认导入" in resp.content.decode()
    assert not Member.objects.filter(name="新来的").exists()  # preview writes nothing
    resp = c.post(reverse("members:import"), {"action": "confirm"})
    assert resp.status_code == 302
    assert Member.objects.get(name="新来的").branch == world.branch_a


def test_browser_import_errors_and_marked_file(world, client_for):
    c = client_for("secretary_a")
    content = _file(
        [
            HEADER,
            ["甲", "620102198808080551", "2012-07-01", "2013-07-01", "正", "高中", "汉族", "东街"],
            ["乙", make_id("620102", date(1988, 8, 8), 57), "2012-07-01", "2013-07-01", "正", "高中", "汉族", "西街"],
        ]
    )
    before = Member.objects.count()
    resp = _upload(c, content)
    html = resp.content.decode()
    assert resp.status_code == 422 and "没有导入任何数据" in html and "第2行" in html and "第3行" in html
    resp = c.post(reverse("members:import"), {"action": "confirm"})
    assert Member.objects.count() == before
    marked = read_xlsx(c.get(reverse("members:import_errors")))
    assert marked[0][-1] == "错误原因" and "校验位" in marked[1][-1] and "权限范围" in marked[2][-1]


def test_import_not_for_read_only_roles_and_template(world, client_for):
    assert client_for("inspector").get(reverse("members:import")).status_code == 403
    assert client_for("member_a").get(reverse("members:import")).status_code == 403
    rows = read_xlsx(client_for("secretary_a").get(reverse("members:import_template")))
    assert "公民身份号码*" in rows[1] and "入党日期*" in rows[1]


def test_import_garbage_file_is_a_chinese_error(world, client_for):
    resp = _upload(client_for("secretary_a"), b"not a spreadsheet")
    assert resp.status_code == 400 and "无法读取该文件" in resp.content.decode()


def test_filtered_roster_selector_is_scoped(world):
    f, qs = filtered_roster(world.user("secretary_b"), {"q": "zhangsan"})
    assert list(qs) == []
    f, qs = filtered_roster(world.user("secretary_b"), {"q": "zs"})
    assert [m.name for m in qs] == ["郑十"]  # zheng shi: initials zs too


def test_edit_and_add_pages_render_without_full_id(world, client_for):
    m = world.members_a[0]
    c = client_for("secretary_a")
    html = c.get(reverse("members:edit", kwargs={"member": m.pk})).content.decode()
    assert m.id_number_mask in html and m.id_number not in html and m.phone not in html
    assert c.get(reverse("members:add")).status_code == 200
    assert c.get(reverse("members:import")).status_code == 200
