"""Load (small version of `manage.py loadtest --clients 50 --seconds 20`): concurrent
clients against waitress on 127.0.0.1 with a file SQLite database — no errors, and every
successful write is in the database (the command checks final values and audit entries)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_concurrent_clients_no_errors_nothing_lost(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "FIELD_ENCRYPTION_KEY"}}
    env.update(
        DANGJIAN_VAR=str(var),
        DJANGO_SETTINGS_MODULE="dangjian.settings",  # production settings: argon2, CSP, axes
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        FIELD_ENCRYPTION_KEY_FILE=str(var / "field.key"),
        DANGJIAN_DEVTOOLS="1",  # loadtest is a development command (dangjian/devtools)
    )

    def manage(*args):
        run = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
        )
        assert run.returncode == 0, f"{args}: {run.stdout}\n{run.stderr}"
        return run.stdout

    manage("migrate", "--noinput", "-v0")
    manage("load_demo", "--scale", "tiny", "--password", "Demo-Load-2026!")
    out = manage("loadtest", "--clients", "10", "--seconds", "5", "--no-docs")
    assert "无错误，所有成功的写入都已在数据库中" in out
    assert "错误 0 个，写入丢失 0 处" in out
