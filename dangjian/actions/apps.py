from django.apps import AppConfig

from dangjian.core import clock


class ActionsConfig(AppConfig):
    name = "dangjian.actions"
    label = "actions"
    verbose_name = "三抓三促"

    def ready(self):
        from dangjian.core.panels import register_panel

        register_panel(home_panel)


def home_panel(user, root):
    """Overdue and stalled tasks of the user's organizations. 1 query."""
    from django.db.models import Count
    from django.urls import reverse

    from dangjian.accounts.roles import STAFF_ROLES
    from dangjian.actions.models import Task
    from dangjian.actions.selectors import overdue_q, stalled_q

    if root is None or user.role not in STAFF_ROLES:
        return None
    today = clock.today()
    counts = Task.objects.filter(org__path__startswith=root.path).aggregate(
        overdue=Count("id", filter=overdue_q(today)), stalled=Count("id", filter=stalled_q(today) & ~overdue_q(today))
    )
    if not counts["overdue"] and not counts["stalled"]:
        return None
    url = reverse("actions:list")
    items = []
    if counts["overdue"]:
        items.append(("三抓三促任务逾期", f"{counts['overdue']}项", f"{url}?flag=overdue"))
    if counts["stalled"]:
        items.append(("任务停滞（长期无进展）", f"{counts['stalled']}项", f"{url}?flag=stalled"))
    return {"title": "三抓三促任务提醒", "items": items, "level": "danger" if counts["overdue"] else "warning"}
