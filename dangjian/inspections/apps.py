from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "dangjian.inspections"
    label = "inspections"
    verbose_name = "督查与整改"
