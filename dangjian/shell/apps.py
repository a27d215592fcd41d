from django.apps import AppConfig


class ShellConfig(AppConfig):
    """The site shell: home page, menu, error pages, 审计日志 and the background-job pages.
    It sits above the apps it shows (accounts, orgs, members, and features through their
    selectors); no app imports it."""

    name = "dangjian.shell"
    label = "shell"
    verbose_name = "站点"

    def ready(self):
        from dangjian.core.panels import register_panel
        from dangjian.shell import exports  # noqa: F401 — registers the 审计日志 export kind
        from dangjian.shell.home import setup_checklist

        # 从零开始 stays the first panel, as before the panels moved out of core.
        register_panel(setup_checklist, first=True)
