from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "dangjian.actions"
    label = "actions"
    verbose_name = "三抓三促"
