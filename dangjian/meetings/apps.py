from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "dangjian.meetings"
    label = "meetings"
    verbose_name = "组织生活"

    def ready(self):
        from dangjian.core.panels import register_panel
        from dangjian.meetings import exports  # noqa: F401 — registers the 会议台账 export kind

        register_panel(todo_panel)
        register_panel(art9_panel)


def todo_panel(user, root):
    """本月待办: what is still due in the current month/quarter/year (a few queries)."""
    from django.urls import reverse

    from dangjian.accounts.roles import STAFF_ROLES
    from dangjian.meetings.selectors import todo

    if root is None or user.role not in STAFF_ROLES:
        return None
    items = todo(root)
    url = reverse("meetings:todo")
    if not items:
        return {"title": "本月待办（组织生活）", "items": [("本周期组织生活都已完成", "", url)], "level": "success"}
    if root.is_branch:
        shown = [
            (f"{i['kind']}（{i['period']}）", f"截止{i['deadline'].month}月{i['deadline'].day}日", url)
            for i in items[:6]
        ]
    else:
        by_kind: dict[str, set] = {}
        for i in items:
            by_kind.setdefault(i["kind"], set()).add(i["branch_id"])
        shown = [(f"{k}待开展", f"{len(v)}个支部", url) for k, v in sorted(by_kind.items(), key=lambda kv: -len(kv[1]))]
    soon = any(i["days_left"] <= 7 for i in items)
    return {"title": "本月待办（组织生活）", "items": shown, "level": "danger" if soon else "warning"}


def art9_panel(user, root):
    """党章第九条 alerts (an alert only)."""
    from django.urls import reverse

    from dangjian.accounts.roles import STAFF_ROLES
    from dangjian.core.rulesettings import art9_warning_months
    from dangjian.meetings.selectors import art9_members
    from dangjian.rules.membership import ART9_MONTHS, Art9Level

    if root is None or user.role not in STAFF_ROLES:
        return None
    alerts = art9_members(root)
    if not alerts:
        return None
    over = sum(1 for a in alerts if a["status"] == Art9Level.OVER)
    url = reverse("meetings:art9")
    return {
        "title": "连续未参加组织生活（党章第九条）",
        "items": [
            (f"连续{ART9_MONTHS}个月及以上", f"{over}人", url),
            (f"连续{art9_warning_months()}至{ART9_MONTHS - 1}个月（预警）", f"{len(alerts) - over}人", url),
        ],
        "level": "danger" if over else "warning",
    }
