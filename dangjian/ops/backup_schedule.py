"""The daily backup `make run` keeps (manage.py serve calls start_daily_backups).

On start and then every 24 hours: write BACKUP_DIR/dangjian-YYYYMMDD.djbak (encrypted) (the day's file is
replaced by a later run the same day) and delete those older than BACKUP_KEEP_DAYS. The key
is not included (docs/SECURITY.md). Runs in a daemon thread: it stops with the server.
"""

from __future__ import annotations

import threading
from pathlib import Path

from django.conf import settings
from django.db import connection

from dangjian.core import clock

INTERVAL_SECONDS = 24 * 3600
_started = threading.Event()


def backup_once(stdout=None) -> Path | None:
    from dangjian.ops.backup import create_backup, prune_backups

    directory = Path(settings.BACKUP_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"dangjian-{clock.today():%Y%m%d}.djbak"
    try:
        result = create_backup(target)
        removed = prune_backups(directory, settings.BACKUP_KEEP_DAYS)
    except Exception as exc:  # noqa: BLE001 - a failed backup must not stop the server; say so
        if stdout:
            stdout.write(f"自动备份失败：{exc}")
        return None
    finally:
        connection.close()  # this thread's own connection
    if stdout:
        note = f"，清理过期备份 {len(removed)} 个" if removed else ""
        stdout.write(f"自动备份已保存：{result.path}（保留 {settings.BACKUP_KEEP_DAYS} 天{note}）")
    return result.path


def _loop(stdout, stop: threading.Event, interval: float) -> None:
    while True:
        backup_once(stdout)
        if stop.wait(interval):
            return


def start_daily_backups(stdout=None, *, interval: float = INTERVAL_SECONDS, stop: threading.Event | None = None):
    """Start the backup thread once per process; returns it (or None if already running)."""
    if settings.BACKUP_KEEP_DAYS <= 0:
        if stdout:
            stdout.write("自动备份已关闭（BACKUP_KEEP_DAYS=0）。")
        return None
    if _started.is_set() and stop is None:
        return None
    _started.set()
    thread = threading.Thread(
        target=_loop, args=(stdout, stop or threading.Event(), interval), name="daily-backup", daemon=True
    )
    thread.start()
    return thread
