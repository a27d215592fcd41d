"""The page header's breadcrumbs (issue 17 §7): derived once from the menu by the longest URL
prefix, the page's own title last; a 返回 link to the parent crumb for phones; none on 首页."""

import lxml.html
import pytest
from django.urls import reverse

from dangjian.shell.nav import menu_for, trail_for

pytestmark = pytest.mark.django_db


def crumbs(resp):
    """[(text, href or None, aria-current)] of the trail, and the 返回 link (text, href) or None."""
    assert resp.status_code == 200
    doc = lxml.html.fromstring(resp.content.decode())
    navs = doc.xpath('//nav[@aria-label="当前位置"]')
    if not navs:
        return None, None
    assert len(navs) == 1
    items = []
    for li in navs[0].xpath('.//ol[@id="breadcrumbs"]/li'):
        a = li.xpath("./a")
        items.append((li.text_content().strip(), a[0].get("href") if a else None, li.get("aria-current")))
    back = navs[0].xpath('.//a[@id="crumb-back"]')
    return items, ((back[0].text_content().strip(), back[0].get("href")) if back else None)


def test_roster_and_member_page_sit_under_their_menu_entry(world, client_for):
    c = client_for("secretary_a")
    items, back = crumbs(c.get(reverse("members:list")))
    # the roster is the menu entry itself: it is the current crumb, no link to itself
    assert items == [("首页", "/", None), ("组织与党员", None, None), ("党员名册", None, "page")]
    assert back == ("返回首页", "/")

    m = world.members_a[1]
    items, back = crumbs(c.get(reverse("members:detail", kwargs={"member": m.pk})))
    assert items == [
        ("首页", "/", None),
        ("组织与党员", None, None),
        ("党员名册", "/members/", None),
        (m.name, None, "page"),  # the page's own title
    ]
    assert back == ("返回党员名册", "/members/")


def test_longest_prefix_wins_and_deeper_pages_of_other_entries(world, client_for):
    c = client_for("admin")
    # /members/import/ is its own entry, not a page under /members/
    items, _ = crumbs(c.get(reverse("members:import")))
    assert items[-1] == ("名册导入", None, "page") and len(items) == 3
    # /dues/collect/ is 党费收缴 in 党费·学习·积分
    items, back = crumbs(c.get(reverse("dues:collect")))
    assert [t for t, _, _ in items] == ["首页", "党费·学习·积分", "党费收缴"]


def test_no_crumbs_on_home_pages_nor_signed_out(world, client_for, client):
    assert crumbs(client_for("secretary_a").get("/")) == (None, None)
    assert crumbs(client_for("member_a").get(reverse("members:home"))) == (None, None)
    assert crumbs(client.get(reverse("accounts:login"))) == (None, None)


def test_a_member_follows_their_own_menu(world, client_for):
    items, back = crumbs(client_for("member_a").get(reverse("dues:mine")))
    assert items == [("首页", "/", None), ("我的", None, None), ("我的党费", None, "page")]
    assert back == ("返回首页", "/")


def test_trail_for_pages_outside_the_menu_and_path_boundaries(world):
    menu = menu_for(world.user("admin"))
    # a page under no entry: 首页 alone (the template then adds the page title)
    assert [c.label for c in trail_for(menu, "/accounts/password/")[0]] == ["首页"]
    # a prefix only counts at a path boundary: /studyx/ is not under /study/
    assert [c.label for c in trail_for(menu, "/studyx/1/")[0]] == ["首页"]
    crumbs_, exact = trail_for(menu, "/study/materials/3/")
    assert [c.label for c in crumbs_] == ["首页", "党费·学习·积分", "学习资料"] and not exact
    assert trail_for(menu, "/") == ([], False)


def test_every_top_menu_group_has_an_icon_from_the_sprite(world, client_for):
    from dangjian.shell.templatetags.icons import sprite_names

    names = sprite_names()
    assert {"house-door", "check-circle-fill"} <= names
    for g in menu_for(world.user("admin")) + menu_for(world.user("member_a")):
        assert g.icon in names, g
    html = client_for("admin").get("/").content.decode()
    doc = lxml.html.fromstring(html)
    tops = doc.xpath('//ul[contains(@class,"navbar-nav")]/li/a')
    assert tops and all(a.xpath('./*[local-name()="svg"][@aria-hidden="true"]/*[local-name()="use"]') for a in tops)
