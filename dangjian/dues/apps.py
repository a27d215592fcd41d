from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "dangjian.dues"
    label = "dues"
    verbose_name = "党费"

    def ready(self):
        from dangjian.core.panels import register_panel

        register_panel(dues_panel)


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
