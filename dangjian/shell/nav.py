"""The main menu. Entries whose URL does not exist yet are skipped, so each app adds
its pages by naming them here once. The breadcrumbs of every page come from it too
(trail_for), so no view names its place in the site."""

from typing import NamedTuple

from django.urls import NoReverseMatch, reverse

from dangjian.accounts.roles import ADMIN_ONLY, ALL_ROLES, STAFF_ROLES, TOWNSHIP_ROLES, WRITER_ROLES, Role

MEMBER_ONLY = frozenset({Role.MEMBER})

# (group label, icon, [(label, url name, roles)])
MENU = [
    ("首页", "house-door", [("首页", "home", ALL_ROLES)]),
    (
        "组织与党员",
        "people",
        [
            ("组织架构", "orgs:tree", STAFF_ROLES),
            ("党员名册", "members:list", STAFF_ROLES),
            ("名册导入", "members:import", WRITER_ROLES),
            ("发展党员", "lifecycle:pipeline", STAFF_ROLES),
            ("预备党员转正", "lifecycle:probation", STAFF_ROLES),
            ("流动党员", "lifecycle:mobile", STAFF_ROLES),
            ("组织关系转接", "lifecycle:transfers", STAFF_ROLES),
        ],
    ),
    (
        "组织生活",
        "calendar-event",
        [
            ("本月待办", "meetings:todo", STAFF_ROLES),
            ("会议记录", "meetings:list", STAFF_ROLES),
            ("落实情况", "meetings:compliance", STAFF_ROLES),
            ("六个月预警", "meetings:art9", STAFF_ROLES),
            ("谈心谈话", "meetings:talks", STAFF_ROLES),
        ],
    ),
    (
        "党费·学习·积分",
        "wallet2",
        [
            ("党费收缴", "dues:collect", STAFF_ROLES),
            ("催缴名单", "dues:arrears", STAFF_ROLES),
            ("学习记录", "study:list", STAFF_ROLES),
            ("学习计划", "study:plans", STAFF_ROLES),
            ("学习资料", "study:materials", STAFF_ROLES),
            ("培训班", "study:courses", STAFF_ROLES),
            ("党员积分", "points:list", STAFF_ROLES),
        ],
    ),
    (
        "评议与督查",
        "clipboard-check",
        [
            ("民主评议", "reviews:list", STAFF_ROLES),
            ("支部评星", "reviews:ratings", STAFF_ROLES),
            ("督查整改", "inspections:list", STAFF_ROLES),
            ("三抓三促", "actions:list", STAFF_ROLES),
            ("诚信信号", "integrity:queue", TOWNSHIP_ROLES),
        ],
    ),
    (
        "统计与报告",
        "bar-chart",
        [
            ("数据看板", "reports:dashboard", STAFF_ROLES),
            ("基本情况统计", "stats:list", STAFF_ROLES),
            ("调研报告", "reports:report", STAFF_ROLES),
            ("审计日志", "core:audit", ADMIN_ONLY),
            ("敏感信息查看记录", "accounts:reveals", ADMIN_ONLY),
            ("账号管理", "accounts:users", ADMIN_ONLY),
            ("批量建账号·密码条", "accounts:bulk", frozenset({Role.ADMIN, Role.SECRETARY})),
        ],
    ),
    (
        "我的",
        "person-circle",
        [
            ("我的档案", "members:me", MEMBER_ONLY),
            ("我的组织生活", "meetings:mine", MEMBER_ONLY),
            ("我的党费", "dues:mine", MEMBER_ONLY),
            ("我的学习", "study:mine", MEMBER_ONLY),
            ("学习资料", "study:materials", MEMBER_ONLY),
            ("我的积分", "points:mine", MEMBER_ONLY),
        ],
    ),
]


# The pages that are 首页 (a member's "/" redirects to 我的首页): no breadcrumbs there.
HOME_PAGES = ("home", "members:home")


def _urls(names) -> set[str]:
    urls = set()
    for name in names:
        try:
            urls.add(reverse(name))
        except NoReverseMatch:
            continue
    return urls


class MenuGroup(NamedTuple):
    label: str
    icon: str  # a Bootstrap Icons name in static/vendor/bootstrap-icons/icons.svg
    links: list[tuple[str, str]]  # (label, url)


class Crumb(NamedTuple):
    label: str
    url: str | None  # None: the group, a heading rather than a page


def menu_for(user) -> list[MenuGroup]:
    if not getattr(user, "is_authenticated", False):
        return []
    groups = []
    for group, icon, items in MENU:
        links = []
        for label, name, roles in items:
            if user.role not in roles:
                continue
            try:
                links.append((label, reverse(name)))
            except NoReverseMatch:
                continue
        if links:
            groups.append(MenuGroup(group, icon, links))
    return groups


def trail_for(menu: list[MenuGroup], path: str) -> tuple[list[Crumb], bool]:
    """The breadcrumbs of `path` from the user's own menu: 首页, then the group and the entry
    whose URL is the longest prefix of the path (so /members/12/ sits under 党员名册 and
    /members/import/ under 名册导入). Returns (crumbs, exact): exact when the path is the entry
    itself, so the page adds no crumb of its own. Pages under no entry get 首页 alone; the home
    pages themselves (the staff's and the member's 首页) get none."""
    home = reverse("home")
    if path in _urls(HOME_PAGES):
        return [], False
    crumbs = [Crumb("首页", home)]
    best = None
    for group in menu:
        for label, url in group.links:
            if url == home:
                continue  # "/" is a prefix of everything
            inside = path == url or path.startswith(url if url.endswith("/") else url + "/")
            if inside and (best is None or len(url) > len(best[2])):
                best = (group, label, url)
    if best is None:
        return crumbs, False
    group, label, url = best
    if len(group.links) > 1:  # a one-entry group is its entry
        crumbs.append(Crumb(group.label, None))
    crumbs.append(Crumb(label, url))
    return crumbs, path == url
