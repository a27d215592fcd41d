"""The main menu. Entries whose URL does not exist yet are skipped, so each app adds
its pages by naming them here once."""

from django.urls import NoReverseMatch, reverse

from dangjian.accounts.roles import ADMIN_ONLY, ALL_ROLES, STAFF_ROLES, TOWNSHIP_ROLES, WRITER_ROLES, Role

MEMBER_ONLY = frozenset({Role.MEMBER})

# (group label, [(label, url name, roles)])
MENU = [
    ("首页", [("首页", "home", ALL_ROLES)]),
    (
        "组织与党员",
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


def menu_for(user) -> list[tuple[str, list[tuple[str, str]]]]:
    if not getattr(user, "is_authenticated", False):
        return []
    groups = []
    for group, items in MENU:
        links = []
        for label, name, roles in items:
            if user.role not in roles:
                continue
            try:
                links.append((label, reverse(name)))
            except NoReverseMatch:
                continue
        if links:
            groups.append((group, links))
    return groups
