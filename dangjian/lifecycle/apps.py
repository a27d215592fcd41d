from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    name = "dangjian.lifecycle"
    label = "lifecycle"
    verbose_name = "党员发展与管理"

    def ready(self) -> None:
        from dangjian.core.panels import register_panel
        from dangjian.lifecycle.selectors import home_panel

        register_panel(home_panel)
