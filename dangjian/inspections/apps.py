from django.apps import AppConfig

from dangjian.core import clock


class InspectionsConfig(AppConfig):
    name = "dangjian.inspections"
    label = "inspections"
    verbose_name = "督查与整改"

    def ready(self):
        from dangjian.core.panels import register_panel

        register_panel(home_panel)


def home_panel(user, root):
    """Overdue rectification items: the branch sees its own, the township every branch's. 1 query."""
    from django.urls import reverse

    from dangjian.accounts.roles import STAFF_ROLES
    from dangjian.inspections.selectors import overdue_counts

    if root is None or user.role not in STAFF_ROLES:
        return None
    rows = overdue_counts(root, clock.today())
    if not rows:
        return None
    url = reverse("inspections:problems") + "?status=逾期"
    return {
        "title": "整改逾期",
        "items": [(f"{name}：整改逾期", f"{n}项", url) for name, n in rows[:6]],
        "level": "danger",
    }
