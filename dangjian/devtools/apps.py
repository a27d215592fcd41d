from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Development commands (bench, loadtest): installed only with DEBUG=1 or DANGJIAN_DEVTOOLS=1
    (dangjian/settings.py) and in the test settings, never in a production deployment."""

    name = "dangjian.devtools"
    label = "devtools"
    verbose_name = "开发工具"
