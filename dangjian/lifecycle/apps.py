from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    name = "dangjian.lifecycle"
    label = "lifecycle"
    verbose_name = "党员发展与管理"
