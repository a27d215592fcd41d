from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "dangjian.reports"
    label = "reports"
    verbose_name = "报表与报告"

    def ready(self):
        from dangjian.reports import jobs  # noqa: F401 — registers the report jobs (core.jobs)
