from django.apps import AppConfig

from dangjian.core import clock


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    label = "orgs"
    verbose_name = "组织"

    def ready(self):
        from dangjian.core.cache import set_tree_model
        from dangjian.core.panels import register_panel
        from dangjian.orgs.models import Organization

        set_tree_model(Organization)  # scoped cache invalidation follows this tree

        register_panel(renewal_panel)


def renewal_panel(user, root):
    """换届提醒: committees whose term ends within TERM_WARNING_MONTHS or is overdue (RULES.md §7).
    Two queries."""
    from django.urls import reverse

    from dangjian.accounts.roles import STAFF_ROLES
    from dangjian.accounts.scope import orgs_in_scope
    from dangjian.orgs.selectors import renewal_due, term_warning_months

    if root is None or user.role not in STAFF_ROLES:
        return None
    rows = renewal_due(orgs_in_scope(user), today=clock.today())
    if not rows:
        return None
    shown = 8
    items = []
    for r in rows[:shown]:
        end = r["term"].ends_on
        items.append(
            (
                str(r["org"]),
                f"{r['status']}（{end.year}年{end.month}月{end.day}日届满）",
                reverse("orgs:detail", args=[r["org"].pk]),
            )
        )
    if len(rows) > shown:
        items.append((f"另有 {len(rows) - shown} 个", "", reverse("orgs:tree")))
    overdue = any(r["status"] == "已超期" for r in rows)
    return {
        "title": f"换届提醒（任期届满前{term_warning_months()}个月起提醒）",
        "items": items,
        "level": "danger" if overdue else "warning",
    }
