"""Issue 15: set-up from an empty install, accounts at scale with slips, resets, least privilege,
`next` kept through the forced password change."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from dangjian.accounts import services
from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.orgs.models import Organization, OrgType

pytestmark = pytest.mark.django_db


def test_empty_install_leads_to_setup_then_home(client, settings):
    settings.DEMO_MODE = False
    resp = client.get("/members/")
    assert resp.status_code == 302 and resp["Location"] == reverse("accounts:setup")
    resp = client.get(reverse("accounts:setup"))
    assert resp.status_code == 200 and "初次设置" in resp.content.decode()
    bad = client.post(
        reverse("accounts:setup"),
        {"name": "中共桃川镇委员会", "org_type": "committee", "category": "机关", "username": "admin",
         "password1": "Strong-pass-2025!", "password2": "other"},
    )  # fmt: skip
    assert "两次输入的密码不一致" in bad.content.decode() and not Organization.objects.exists()
    resp = client.post(
        reverse("accounts:setup"),
        {"name": "中共桃川镇委员会", "short_name": "桃川镇党委", "org_type": "committee", "category": "机关",
         "username": "admin", "full_name": "组织委员", "password1": "Strong-pass-2025!",
         "password2": "Strong-pass-2025!"},
    )  # fmt: skip
    assert resp.status_code == 302
    top = Organization.objects.get()
    admin = User.objects.get(username="admin")
    assert (admin.role, admin.org, top.org_type) == (Role.ADMIN, top, OrgType.COMMITTEE)
    home = client.get("/")
    body = home.content.decode()
    assert home.status_code == 200 and "从零开始" in body and "下一步" in body
    assert reverse("orgs:import") in body
    # Set-up is over: the page only leads home now, for anyone.
    assert Client().get(reverse("accounts:setup"))["Location"] == reverse("home")


def test_createsuperuser_first_then_setup_assigns_the_scope(client, settings):
    settings.DEMO_MODE = False
    su = User.objects.create_superuser("root", password="Strong-pass-2025!")
    anon = Client().get(reverse("accounts:setup"))
    assert anon.status_code == 302 and reverse("accounts:login") in anon["Location"]
    client.force_login(su)
    client.post(reverse("accounts:setup"), {"name": "中共桃川镇委员会", "org_type": "committee", "category": "机关",
                                            "higher": "中共江华区委员会\n"})  # fmt: skip
    su.refresh_from_db()
    district = Organization.objects.get(depth=1)
    assert district.org_type == OrgType.HIGHER and su.org == district and su.role == Role.ADMIN
    assert Organization.objects.get(depth=2).name == "中共桃川镇委员会"
    assert client.get("/").status_code == 200


def test_roles_offered_never_above_the_creator(world):
    admin, sec = world.user("admin"), world.user("secretary_a")
    assert services.roles_offered(admin)[0] == Role.MEMBER and Role.ADMIN in services.roles_offered(admin)
    assert services.roles_offered(sec) == [Role.MEMBER, Role.COMMITTEE]
    assert services.roles_offered(world.user("committee_a")) == []
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_account(by=sec, username="xx_admin", full_name="", role=Role.ADMIN, org=world.branch_a)
    from dangjian.accounts.forms import AccountForm

    form = AccountForm(by=admin)
    assert form.fields["role"].initial == Role.MEMBER
    assert [c for c, _ in form.fields["role"].choices][0] == Role.MEMBER


def test_accounts_for_posts_and_a_whole_branch_with_slips(world, client_for):
    c = client_for("admin")
    User.objects.filter(member__isnull=False).exclude(username__in=["sec_a"]).delete()
    resp = c.post(reverse("accounts:bulk_create"), {"what": "posts", "branch": world.branch_a.pk})
    body = resp.content.decode()
    assert resp.status_code == 200 and "no-cache" in resp["Cache-Control"]
    made = {u.member.name: u for u in User.objects.filter(member__branch=world.branch_a)}
    # 张三 (书记) already had sec_a; 李四 and 王五 (组织委员, 宣传委员) get 支委委员 accounts.
    assert made["李四"].role == Role.COMMITTEE and made["李四"].org == world.branch_a
    assert made["王五"].role == Role.COMMITTEE and made["李四"].must_change_password
    assert body.count('class="slip"') == 2 and "<svg" in body
    assert made["李四"].username == "lisi"
    # Then every member of the branch in one step, as 党员 (least privilege).
    resp = c.post(reverse("accounts:bulk_create"), {"what": "members", "branch": world.branch_a.pk})
    body = resp.content.decode()
    assert body.count('class="slip"') == 2  # 赵六, 孙七
    zhao = User.objects.get(member__name="赵六")
    assert zhao.role == Role.MEMBER and zhao.org is None
    pw = re.search(rf'data-username="{zhao.username}".*?class="pw">([^<]+)<', body, re.S).group(1)
    assert zhao.check_password(pw)
    assert "next=%2Fmembers%2Fme%2F" in body
    # Nothing left to make: a message, no slips.
    again = c.post(reverse("accounts:bulk_create"), {"what": "members", "branch": world.branch_a.pk}, follow=True)
    assert "没有需要新建账号的人员" in again.content.decode()


def test_secretary_makes_and_resets_in_own_branch_only(world, client_for):
    c = client_for("secretary_a")
    resp = c.post(reverse("accounts:member_reset", kwargs={"member": world.members_a[4].pk}))
    assert resp.status_code == 200
    u = User.objects.get(member=world.members_a[4])
    assert u.role == Role.MEMBER
    mem_a = world.user("member_a")
    resp = c.post(reverse("accounts:member_reset", kwargs={"member": mem_a.member_id}))
    pw = re.search(r'class="pw">([^<]+)<', resp.content.decode()).group(1)
    mem_a.refresh_from_db()
    assert mem_a.check_password(pw) and mem_a.must_change_password
    # Another branch's member: not in scope.
    assert c.post(reverse("accounts:member_reset", kwargs={"member": world.members_b[3].pk})).status_code == 404
    # A secretary cannot reset the 支委's staff account.
    resp = c.post(reverse("accounts:member_reset", kwargs={"member": world.members_a[1].pk}), follow=True)
    assert "请由镇（区）党委管理员重置" in resp.content.decode()
    # A secretary's bulk page offers only their branch; members-only accounts there.
    page = c.get(reverse("accounts:bulk"))
    assert world.branch_a.name in page.content.decode() and world.branch_b.name not in page.content.decode()


def test_forced_change_keeps_the_page_asked_for(world):
    user = world.user("member_a")
    password = services.reset_password(by=world.user("admin"), user=user)
    c = Client()
    wanted = reverse("meetings:mine")
    resp = c.post(f"{reverse('accounts:login')}?next={wanted}", {"username": "mem_a", "password": password})
    assert resp["Location"] == wanted
    resp = c.get(wanted)
    assert (
        resp.status_code == 302
        and resp["Location"] == f"{reverse('accounts:password_change')}?next=%2Fmeetings%2Fmine%2F"
    )
    resp = c.post(
        resp["Location"],
        {"old_password": password, "new_password1": "My-own-pass-2025", "new_password2": "My-own-pass-2025"},
    )
    assert resp.status_code == 302 and resp["Location"] == wanted
    assert c.get(wanted).status_code == 200
    # An outside address in next is not followed.
    user.refresh_from_db()
    assert not user.must_change_password


def test_import_pages_report_rows_and_write_nothing(world, client_for):
    from tests.from_zero_files import xlsx

    c = client_for("admin")
    tpl = c.get(reverse("orgs:import_template", kwargs={"what": "orgs"}))
    assert tpl.status_code == 200 and tpl["Content-Type"].startswith("application/vnd.openxmlformats")
    assert c.get(reverse("orgs:import_template", kwargs={"what": "x"})).status_code == 404
    import io

    bad = xlsx([["党组织名称", "上级党组织", "组织类型"], ["新支部", "测试区委", "党支部"]])
    resp = c.post(reverse("orgs:import"), {"file": io.BytesIO(bad)})
    body = resp.content.decode()
    assert resp.status_code == 422 and "“测试区委”不在您的管理范围内" in body and "未导入任何数据" in body
    good = xlsx(
        [["党组织名称", "上级党组织", "组织类型", "组织类别"], ["南街社区党支部", "测试镇党委", "党支部", "社区"]]
    )
    f = io.BytesIO(good)
    f.name = "orgs.xlsx"
    resp = c.post(reverse("orgs:import"), {"file": f})  # the preview first: nothing written yet
    assert resp.status_code == 200 and not Organization.objects.filter(name="南街社区党支部").exists()
    resp = c.post(reverse("orgs:import"), {"action": "confirm"})
    assert (
        resp.status_code == 302
        and Organization.objects.get_parent(Organization.objects.get(name="南街社区党支部")) == world.township
    )
    units = io.BytesIO(xlsx([["社区（村）", "居民小组", "户籍户数", "户籍人口"], ["东街社区", "一组", 10, 30]]))
    units.name = "units.xlsx"
    assert c.post(reverse("orgs:import_units"), {"file": units, "year": "2025"}).status_code == 200
    resp = c.post(reverse("orgs:import_units"), {"action": "confirm"})
    assert resp.status_code == 302
    from dangjian.orgs.models import UnitYearFigure

    fig = UnitYearFigure.objects.get(unit__name="一组")
    assert (fig.year, fig.people_registered, fig.unit.parent) == (2025, 30, world.community)
    # Only the administrator imports the tree.
    assert client_for("secretary_a").get(reverse("orgs:import")).status_code == 403
    # The checklist counts only the admin's own tree and names the next step.
    home = c.get("/").content.decode()
    assert "从零开始" in home and "已完成：3 个支部" in home
