from django.apps import AppConfig

from dangjian.core import clock


class ReviewsConfig(AppConfig):
    name = "dangjian.reviews"
    label = "reviews"
    verbose_name = "民主评议与支部评星"

    def ready(self):
        from dangjian.core.panels import register_panel

        register_panel(home_panel)


def home_panel(user, root):
    """Disposal reminders: steps past due and 限期改正 periods ending within 30 days. 2 queries."""
    from django.urls import reverse

    from dangjian.accounts.roles import STAFF_ROLES
    from dangjian.reviews.selectors import disposal_alerts

    if root is None or user.role not in STAFF_ROLES:
        return None
    alerts = disposal_alerts(root, clock.today())
    if not alerts["steps_overdue"] and not alerts["correction_due"]:
        return None
    url = reverse("reviews:disposals")
    items = []
    if alerts["steps_overdue"]:
        items.append(("不合格党员处置：步骤逾期", f"{alerts['steps_overdue']}件", url))
    if alerts["correction_due"]:
        items.append(("限期改正30天内到期或已到期", f"{alerts['correction_due']}人", url))
    return {"title": "不合格党员处置提醒", "items": items, "level": "warning"}
