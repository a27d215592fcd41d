from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "dangjian.integrity"
    label = "integrity"
    verbose_name = "诚信信号"

    def ready(self):
        from dangjian.core.panels import register_panel

        register_panel(open_signals_panel)
        from dangjian.integrity import jobs  # noqa: F401 — registers the background scan (core.jobs)


def open_signals_panel(user, root):
    from django.urls import reverse

    from dangjian.accounts.roles import TOWNSHIP_ROLES
    from dangjian.integrity.models import Signal, SignalKind

    if root is None or user.role not in TOWNSHIP_ROLES:
        return None
    from django.db.models import Count

    rows = (
        Signal.objects.filter(
            org__path__startswith=root.path, is_current=True, status__in=[Signal.Status.OPEN, Signal.Status.VERIFY]
        )
        .values("kind")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    url = reverse("integrity:queue")
    items = [(SignalKind(r["kind"]).label, r["n"], f"{url}?kind={r['kind']}") for r in rows]
    if not items:
        return None
    return {"title": "诚信信号待核查（仅供核查参考）", "items": items, "level": "warning"}
