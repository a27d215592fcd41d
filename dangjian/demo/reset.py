"""Empty every table of the project's apps (for `load_demo --reset`)."""

from django.apps import apps
from django.db import connection


def wipe_all() -> None:
    project_models = [m for m in apps.get_models(include_auto_created=True) if m.__module__.startswith("dangjian.")]
    extra = [apps.get_model("auditlog", "LogEntry")]
    tables = [m._meta.db_table for m in project_models + extra]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks of rows written earlier in this transaction must
            # fire before a TRUNCATE may run.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables) + " CASCADE")
        else:
            cur.execute("PRAGMA defer_foreign_keys = ON")
            for t in tables:
                cur.execute(f"DELETE FROM {connection.ops.quote_name(t)}")
