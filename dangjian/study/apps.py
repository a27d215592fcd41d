from django.apps import AppConfig

from dangjian.core import clock


class StudyConfig(AppConfig):
    name = "dangjian.study"
    label = "study"
    verbose_name = "学习"

    def ready(self):
        from dangjian.core.panels import register_panel
        from dangjian.meetings.signals import meeting_saved
        from dangjian.study.plan_services import _on_meeting_saved

        register_panel(month_study_panel)
        # The meeting form offers the 学习计划 item a meeting carried out; study keeps the link.
        meeting_saved.connect(_on_meeting_saved, dispatch_uid="study.plan_item_link")


def month_study_panel(user, root):
    """This month's topics of the study plan that applies to the user's organization (本月待办)."""
    from django.urls import reverse

    from dangjian.accounts.roles import STAFF_ROLES
    from dangjian.accounts.scope import member_branch
    from dangjian.study.plan_selectors import month_items

    org = root if user.role in STAFF_ROLES else member_branch(user)
    if org is None:
        return None
    items = list(month_items(org, clock.today()))
    if not items:
        return None
    staff = user.role in STAFF_ROLES
    rows = [
        (
            f"本月学习：{it.topic}",
            f"{it.hours}学时",
            reverse("study:item", args=[it.pk]) if staff else reverse("study:mine"),
        )
        for it in items
    ]
    return {"title": "本月学习计划", "items": rows, "level": "info"}
