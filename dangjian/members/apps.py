from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "dangjian.members"
    label = "members"
    verbose_name = "党员"

    def ready(self):
        from dangjian.members import (
            exports,  # noqa: F401 — registers the 党员名册 export kind
            jobs,  # noqa: F401 — registers the background import (core.jobs)
        )
