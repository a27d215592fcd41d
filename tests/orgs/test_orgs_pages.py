"""Organization pages: scope, roles, forms, optimistic locking, query counts."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangjian.core.concurrency import save_versioned
from dangjian.members.models import MemberKind
from dangjian.orgs.models import AdminUnit, Organization, OrgCategory, OrgType, Post, Term, UnitYearFigure
from dangjian.rules.dates import add_months
from dangjian.testsupport.world import make_member

pytestmark = pytest.mark.django_db


def test_tree_shows_scope_with_member_counts(world, client_for):
    r = client_for("admin").get(reverse("orgs:tree"))
    assert r.status_code == 200
    body = r.content.decode()
    assert "东街" in body and "西街" in body and "测试镇党委" in body
    assert "10人" in body  # the township: 5 + 5 members
    r = client_for("secretary_b").get(reverse("orgs:tree"))
    body = r.content.decode()
    assert "西街" in body and "东街" not in body


def test_member_role_has_no_tree(world, client_for):
    assert client_for("member_a").get(reverse("orgs:tree")).status_code == 403


def test_branch_page_scope_and_content(world, client_for):
    url = reverse("orgs:detail", args=[world.branch_a.pk])
    assert client_for("secretary_b").get(url).status_code == 404
    r = client_for("secretary_a").get(url)
    assert r.status_code == 200
    body = r.content.decode()
    assert "东街社区党支部" in body
    assert "书记" in body and "张三" in body and "组织委员" in body
    assert "东街第一党小组" in body  # the 党小组 list
    assert "预备党员" in body
    assert f"?branch={world.branch_a.pk}" in body  # link to the roster filtered by this branch
    assert client_for("inspector").get(url).status_code == 200


@pytest.mark.parametrize(
    "name,kw",
    [
        ("orgs:edit", "branch"),
        ("orgs:add_child", "branch"),
        ("orgs:post_add", "branch"),
        ("orgs:term_add", "branch"),
    ],
)
def test_writes_are_refused_to_the_inspector(world, client_for, name, kw):
    url = reverse(name, args=[world.branch_a.pk])
    c = client_for("inspector")
    assert c.get(url).status_code == 403
    assert c.post(url, {"name": "改名"}).status_code == 403
    world.branch_a.refresh_from_db()
    assert world.branch_a.name == "东街社区党支部"


def test_post_end_refused_to_inspector_and_other_branch(world, client_for):
    post = Post.objects.get(org=world.branch_a, kind="书记")
    url = reverse("orgs:post_end", args=[post.pk])
    data = {"version": post.version, "ended_on": timezone.localdate().isoformat()}
    assert client_for("inspector").post(url, data).status_code == 403
    assert client_for("secretary_b").post(url, data).status_code == 404
    post.refresh_from_db()
    assert post.ended_on is None


def test_edit_with_optimistic_lock_conflict(world, client_for):
    c = client_for("admin")
    url = reverse("orgs:edit", args=[world.branch_a.pk])
    r = c.get(url)
    assert r.status_code == 200
    version = r.context["form"].initial["version"]
    # someone else saves in between
    other = Organization.objects.get(pk=world.branch_a.pk)
    other.contact_name = "别人"
    save_versioned(other, expected_version=version)
    data = {
        "version": version,
        "name": "东街社区党支部（改）",
        "short_name": "东街",
        "category": "社区",
        "is_active": "on",
    }
    r = c.post(url, data)
    assert r.status_code == 200
    assert "已被他人修改" in r.content.decode()
    world.branch_a.refresh_from_db()
    assert world.branch_a.name == "东街社区党支部" and world.branch_a.contact_name == "别人"
    # with the fresh version it saves
    data["version"] = world.branch_a.version
    r = c.post(url, data)
    assert r.status_code == 302
    world.branch_a.refresh_from_db()
    assert world.branch_a.name == "东街社区党支部（改）"


def test_secretary_edits_only_contact_fields(world, client_for):
    c = client_for("secretary_a")
    url = reverse("orgs:edit", args=[world.branch_a.pk])
    r = c.post(url, {"version": world.branch_a.version, "name": "篡改", "contact_name": "李联络", "short_name": "东街"})
    assert r.status_code == 302
    world.branch_a.refresh_from_db()
    assert world.branch_a.contact_name == "李联络" and world.branch_a.name == "东街社区党支部"


def test_deactivating_a_branch_with_members_is_refused(world, client_for):
    c = client_for("admin")
    url = reverse("orgs:edit", args=[world.branch_a.pk])
    r = c.post(url, {"version": world.branch_a.version, "name": "东街社区党支部", "category": "社区"})
    assert r.status_code == 200
    assert "仍有在册党员" in r.content.decode()
    world.branch_a.refresh_from_db()
    assert world.branch_a.is_active


def test_secretary_adds_a_group_but_not_a_branch(world, client_for):
    c = client_for("secretary_a")
    url = reverse("orgs:add_child", args=[world.branch_a.pk])
    r = c.post(url, {"org_type": "group", "name": "东街第二党小组", "category": "社区"})
    assert r.status_code == 302
    g = Organization.objects.get(name="东街第二党小组")
    assert Organization.objects.get_parent(g) == world.branch_a and g.org_type == OrgType.GROUP
    # a branch type is not offered and is refused if posted
    r = c.post(url, {"org_type": "branch", "name": "假支部", "category": "社区"})
    assert r.status_code == 200 and not Organization.objects.filter(name="假支部").exists()
    # nothing under the township: out of scope
    r = c.post(reverse("orgs:add_child", args=[world.township.pk]), {"org_type": "branch", "name": "X"})
    assert r.status_code == 404
    assert Organization.objects.find_problems() == ([], [], [], [], [])


def test_admin_adds_a_branch_under_the_township_only(world, client_for):
    c = client_for("admin")
    r = c.post(
        reverse("orgs:add_child", args=[world.township.pk]),
        {"org_type": "branch", "name": "南街社区党支部", "category": "社区", "unit": world.community.pk},
    )
    assert r.status_code == 302
    b = Organization.objects.get(name="南街社区党支部")
    assert Organization.objects.get_parent(b) == world.township and b.unit == world.community
    # a branch cannot sit under a branch
    r = c.post(reverse("orgs:add_child", args=[world.branch_a.pk]), {"org_type": "branch", "name": "错支部"})
    assert r.status_code == 200 and not Organization.objects.filter(name="错支部").exists()
    # founded in the future: a clear error
    r = c.post(
        reverse("orgs:add_child", args=[world.township.pk]),
        {"org_type": "branch", "name": "未来支部", "category": "社区", "founded_on": "2999-01-01"},
    )
    assert "成立日期不能晚于今天" in r.content.decode()
    assert Organization.objects.find_problems() == ([], [], [], [], [])


def test_posts_are_validated(world, client_for):
    c = client_for("secretary_a")
    url = reverse("orgs:post_add", args=[world.branch_a.pk])
    today = timezone.localdate().isoformat()
    # a second 书记 is refused
    r = c.post(url, {"member": world.members_a[3].pk, "kind": "书记", "started_on": today})
    assert "已有现任书记" in r.content.decode()
    # a 预备党员 cannot be chosen (not offered) — and is refused by the service if posted
    r = c.post(url, {"member": world.members_a[4].pk, "kind": "纪检委员", "started_on": today})
    assert r.status_code == 200 and not Post.objects.filter(member=world.members_a[4]).exists()
    # a member of branch B cannot be appointed in A
    r = c.post(url, {"member": world.members_b[3].pk, "kind": "纪检委员", "started_on": today})
    assert r.status_code == 200 and not Post.objects.filter(member=world.members_b[3]).exists()
    # a valid appointment
    r = c.post(url, {"member": world.members_a[3].pk, "kind": "纪检委员", "started_on": today})
    assert r.status_code == 302
    assert Post.objects.filter(org=world.branch_a, member=world.members_a[3], kind="纪检委员").exists()


def test_end_post(world, client_for):
    c = client_for("secretary_a")
    post = Post.objects.get(org=world.branch_a, kind="宣传委员")
    url = reverse("orgs:post_end", args=[post.pk])
    r = c.post(url, {"version": post.version, "ended_on": "2020-01-01"}, follow=True)
    assert "离任日期不能早于任职日期" in r.content.decode()
    post.refresh_from_db()
    assert post.ended_on is None
    r = c.post(url, {"version": post.version, "ended_on": timezone.localdate().isoformat()})
    assert r.status_code == 302
    post.refresh_from_db()
    assert post.ended_on == timezone.localdate()
    # bad input never 500s
    r = c.post(url, {"version": "x", "ended_on": "not a date"}, follow=True)
    assert r.status_code == 200


def test_terms_default_years_and_note_rule(world, client_for):
    c = client_for("secretary_a")
    url = reverse("orgs:term_add", args=[world.branch_a.pk])
    r = c.get(url)
    assert r.context["form"].initial["years"] == 5  # 社区 branch: 5 years
    r = c.post(url, {"started_on": "2024-03-01", "years": 3})
    assert "备注" in r.content.decode() and not Term.objects.exists()
    r = c.post(url, {"started_on": "2024-03-01", "years": 5})
    assert r.status_code == 302
    t = Term.objects.get(org=world.branch_a)
    assert t.ends_on == date(2029, 3, 1)
    r = c.post(url, {"started_on": "2023-03-01", "years": 5})
    assert "应晚于上一届" in r.content.decode()
    # no term for a 党小组
    r = c.get(reverse("orgs:term_add", args=[world.group_a.pk]), follow=True)
    assert "不设任期" in r.content.decode()


def test_term_warning_on_branch_page_and_home(world, client_for):
    today = timezone.localdate()
    start_near = add_months(today + timedelta(days=40), -60)
    Term.objects.create(org=world.branch_a, started_on=start_near, years=5, ends_on=add_months(start_near, 60))
    start_old = add_months(today - timedelta(days=10), -60)
    Term.objects.create(org=world.branch_b, started_on=start_old, years=5, ends_on=add_months(start_old, 60))
    r = client_for("admin").get(reverse("orgs:detail", args=[world.branch_a.pk]))
    assert "换届提醒" in r.content.decode() and "即将到期" in r.content.decode()
    home = client_for("admin").get(reverse("home")).content.decode()
    assert "换届提醒" in home and "西街" in home and "已超期" in home and "即将到期" in home
    # a secretary of A sees only A's warning
    home = client_for("secretary_a").get(reverse("home")).content.decode()
    assert "换届提醒" in home and "已超期" not in home


def _grow(world, n_branches: int):
    for i in range(n_branches):
        b = Organization.objects.add_child(
            world.township, dict(name=f"扩展支部{i}", org_type=OrgType.BRANCH, category=OrgCategory.COMMUNITY)
        )
        g = Organization.objects.add_child(
            b, dict(name=f"扩展小组{i}", org_type=OrgType.GROUP, category=OrgCategory.COMMUNITY)
        )
        for _ in range(3):
            make_member(b, group=g)
        Term.objects.create(org=b, started_on=date(2022, 1, 1), years=5, ends_on=date(2027, 1, 1))
        world.township.refresh_from_db()


def test_tree_query_count_does_not_grow(world, client_for):
    c = client_for("admin")
    url = reverse("orgs:tree")
    c.get(url)
    with CaptureQueriesContext(connection) as small:
        assert c.get(url).status_code == 200
    _grow(world, 6)
    with CaptureQueriesContext(connection) as big:
        r = c.get(url)
    assert "扩展支部5" in r.content.decode()
    assert len(big) == len(small), [q["sql"] for q in big.captured_queries]


def test_branch_page_query_count_does_not_grow(world, client_for):
    c = client_for("admin")
    url = reverse("orgs:detail", args=[world.township.pk])
    c.get(url)
    with CaptureQueriesContext(connection) as small:
        c.get(url)
    _grow(world, 5)
    with CaptureQueriesContext(connection) as big:
        c.get(url)
    assert len(big) == len(small)


def test_units_page_and_figures(world, client_for):
    grp = AdminUnit.objects.create(
        township=world.township, parent=world.community, name="东街第一居民小组", kind=AdminUnit.Kind.GROUP
    )
    UnitYearFigure.objects.create(unit=grp, year=2022, households_registered=100, people_registered=350)
    r = client_for("admin").get(reverse("orgs:units"))
    body = r.content.decode()
    assert r.status_code == 200 and "东街社区" in body and "350" in body and "数据缺失" in body
    assert client_for("inspector").get(reverse("orgs:units")).status_code == 200
    assert client_for("secretary_a").get(reverse("orgs:units")).status_code == 403
    url = reverse("orgs:unit_figures") + f"?unit={grp.pk}"
    assert client_for("inspector").get(url).status_code == 403
    c = client_for("admin")
    fig = UnitYearFigure.objects.get(unit=grp)
    r = c.post(url, {"year": 2022, "version": fig.version, "households_registered": 100, "people_registered": 90})
    assert "户籍人口不应少于户籍户数" in r.content.decode()
    r = c.post(url, {"year": 2022, "version": fig.version, "households_registered": 101, "people_registered": 352,
                     "households_resident": "", "people_resident": ""})  # fmt: skip
    assert r.status_code == 302
    fig.refresh_from_db()
    assert (fig.households_registered, fig.people_registered, fig.people_resident) == (101, 352, None)
    # a stale version is refused
    r = c.post(url, {"year": 2022, "version": 1, "households_registered": 1, "people_registered": 1})
    assert "已被他人修改" in r.content.decode()
    r = c.post(url, {"year": "abc"})
    assert r.status_code == 200
    # a unit of another township is out of scope: 404
    other = Organization.objects.add_root(dict(name="别的区委", org_type=OrgType.HIGHER))
    far = AdminUnit.objects.create(township=other, name="远方社区", kind=AdminUnit.Kind.COMMUNITY)
    assert c.get(reverse("orgs:unit_figures") + f"?unit={far.pk}").status_code == 404
    assert c.get(reverse("orgs:unit_figures")).status_code == 404


def test_probationary_member_is_not_offered_for_posts(world, client_for):
    r = client_for("secretary_a").get(reverse("orgs:post_add", args=[world.branch_a.pk]))
    names = [m.name for m in r.context["form"].fields["member"].queryset]
    assert "孙七" not in names and "李四" in names
    assert world.members_a[4].kind == MemberKind.PROBATIONARY


def test_large_tree_shows_committees_only_and_expands_one(world, client_for, monkeypatch):
    from dangjian.orgs import views

    monkeypatch.setattr(views, "TREE_FULL_LIMIT", 3)
    c = client_for("admin")
    body = c.get(reverse("orgs:tree")).content.decode()
    assert "只列出各级党委" in body and "2个支部" in body and "东街" not in body
    body = c.get(reverse("orgs:tree") + f"?org={world.branch_a.pk}").content.decode()
    assert "东街" in body and "西街" not in body and "返回全部组织" in body
    # ?org= is scoped like everything else
    assert client_for("secretary_b").get(reverse("orgs:tree") + f"?org={world.branch_a.pk}").status_code == 404
