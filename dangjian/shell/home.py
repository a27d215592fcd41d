"""The home page: the overview plus each app's alerts ("what is due this month").

Apps contribute panels with core.panels.register_panel: (user, root) -> dict | None
with keys title, items (list of (label, value, url)), level.
"""

from dangjian.core import clock
from dangjian.core.cache import cached, data_version
from dangjian.core.panels import HOME_PANELS
from dangjian.orgs.selectors import overview

# The icon on each panel's header, by the app that registered it (a panel may name its own).
PANEL_ICONS = {
    "shell": "list-check",
    "meetings": "calendar-event",
    "dues": "wallet2",
    "study": "book",
    "reviews": "clipboard-check",
    "inspections": "search",
    "actions": "flag",
    "integrity": "shield-exclamation",
    "orgs": "diagram-3",
    "lifecycle": "person-up",
}


def home_context(user, root) -> dict:
    """Panels and the overview, cached per user scope at the current data version
    (core.cache: any write invalidates them)."""
    version = data_version()
    who = (user.role, user.org_id, user.member_id, clock.today())
    ctx = {
        "root": root,
        # Scoped to the root's subtree (core.cache): writes in other townships keep it cached.
        "overview": cached(("overview", root, clock.today()), lambda: overview(root)) if root else None,
        "panels": [],
    }
    for fn in HOME_PANELS:
        panel = cached(
            ("panel", fn.__module__, fn.__qualname__, *who), lambda fn=fn: fn(user, root) or {}, version=version
        )
        if panel:
            app = fn.__module__.split(".")[1] if fn.__module__.startswith("dangjian.") else ""
            ctx["panels"].append({"icon": PANEL_ICONS.get(app, "bell"), **panel})
    return ctx


def setup_checklist(user, root):
    """从零开始 (issue 15): the administrator's first steps, what is done and the next one, each
    with its import or form. Shown until every step is done. Seven queries (cached as a panel)."""
    from django.urls import reverse

    from dangjian.accounts.models import User
    from dangjian.accounts.roles import Role
    from dangjian.dues.selectors import bases_set_under
    from dangjian.meetings.selectors import meetings_recorded_under
    from dangjian.members.models import Member
    from dangjian.orgs.models import BRANCH_TYPES, AdminUnit, Organization
    from dangjian.stats.selectors import years_recorded_under

    if root is None or user.role != Role.ADMIN:
        return None
    under = root.path
    year = clock.today().year
    steps = [
        ("组织架构（支部、党小组）", Organization.objects.filter(path__startswith=under, org_type__in=BRANCH_TYPES).count(), "个支部", "orgs:import"),
        ("社区和居民小组", AdminUnit.objects.filter(township__path__startswith=under, kind=AdminUnit.Kind.GROUP).count(), "个小组", "orgs:import_units"),
        ("党员名册", Member.objects.filter(branch__path__startswith=under, is_current=True).count(), "名党员", "members:import"),
        ("账号（书记、支委、党员）", User.objects.filter(member__branch__path__startswith=under).count(), "个账号", "accounts:bulk"),
        ("会议台账", meetings_recorded_under(root), "次会议", "meetings:import"),
        ("党费基数", bases_set_under(root, year), f"人（{year}年）", "dues:import"),
        ("年度统计", years_recorded_under(root), "个年度", "stats:import"),
    ]  # fmt: skip
    if all(n for _, n, _, _ in steps):
        return None
    items, next_given = [], False
    for i, (label, n, unit, url) in enumerate(steps, start=1):
        if n:
            value = f"已完成：{n} {unit}"
        elif not next_given:
            value, next_given = "下一步", True
        else:
            value = "未开始"
        items.append((f"{i}. {label}", value, reverse(url)))
    return {"title": "从零开始：建立本单位数据", "items": items, "level": "primary"}
