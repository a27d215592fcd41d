from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "dangjian.integrity"
    label = "integrity"
    verbose_name = "诚信信号"
