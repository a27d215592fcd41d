from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: serve, backup, restore (with the daily schedule) and move_to_postgres."""

    name = "dangjian.ops"
    label = "ops"
    verbose_name = "运维"
