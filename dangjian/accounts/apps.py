from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dangjian.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self):
        # The audit log is append-only (docs/SECURITY.md §审计).
        from dangjian.core import audit_guard

        audit_guard.connect()
        from dangjian.accounts import sessions  # noqa: F401 - one session per staff account (signal)
