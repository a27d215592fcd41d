from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "dangjian.dues"
    label = "dues"
    verbose_name = "党费"

    def ready(self):
        from dangjian.core.panels import register_panel

        register_panel(month_panel)
        register_panel(dues_panel)


def month_panel(user, root):
    """本月党费收缴 for those who record dues (secretary, committee, administrator): 已交 x/y 人,
    the amounts and a link to the collection screen. Reads dues.selectors.this_month, the same
    selector as the member's 本月党费 tile."""
    from django.urls import reverse

    from dangjian.accounts.roles import WRITER_ROLES
    from dangjian.dues.selectors import this_month
    from dangjian.orgs.models import BRANCH_TYPES

    if root is None or user.role not in WRITER_ROLES:
        return None
    m = this_month(root)
    if not m.due_count:
        return None
    if root.org_type in BRANCH_TYPES:
        url = reverse("dues:collect") + f"?branch={root.pk}&month={m.month:%Y-%m}"
    else:
        url = reverse("dues:summary") + f"?branch={root.pk}&year={m.month.year}"
    return {
        "title": f"本月党费收缴（{m.month.month}月）",
        "items": [
            ("已交", f"{m.paid_count}/{m.due_count}人", url),
            ("已收 / 应收金额", f"{m.paid_amount} / {m.due_amount}元", url),
            ("去收缴" if root.org_type in BRANCH_TYPES else "查看各支部", f"未交{m.unpaid_count}人", url),
        ],
        "level": "success" if m.all_paid else "primary",
    }


def dues_panel(user, root):
    """党费: arrears and the 党章 Art. 9 dues alert (six consecutive unpaid months; early
    warning at four). An alert only: the 支部大会 decides."""
    from django.urls import reverse

    from dangjian.accounts.roles import STAFF_ROLES
    from dangjian.dues.selectors import arrears_list

    if root is None or user.role not in STAFF_ROLES:
        return None
    rows = arrears_list(root)
    if not rows:
        return None
    url = reverse("dues:arrears") + f"?branch={root.pk}"
    from dangjian.core.rulesettings import art9_warning_months
    from dangjian.rules.membership import ART9_MONTHS

    over = sum(1 for r in rows if r["level"] is not None and r["level"].is_over)
    warn = sum(1 for r in rows if r["level"] is not None and r["level"].is_warning)
    return {
        "title": "党费欠缴（催缴）",
        "items": [
            ("欠缴党员", f"{len(rows)}人", url),
            (f"连续{ART9_MONTHS}个月未交（党章第九条）", f"{over}人", url + "&only=art9"),
            (f"连续{art9_warning_months()}至{ART9_MONTHS - 1}个月未交（预警）", f"{warn}人", url + "&only=art9"),
        ],
        "level": "danger" if over else "warning",
    }
