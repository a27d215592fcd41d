"""`manage.py serve` on a fresh checkout collects the static files first (issue 17 §7)."""

import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings


@pytest.mark.django_db
def test_serve_collects_static_files_when_missing(tmp_path):
    root = tmp_path / "static"
    out = io.StringIO()
    with override_settings(STATIC_ROOT=str(root), BACKUP_ON_SERVE=False), mock.patch("waitress.serve") as serve:
        call_command("serve", port=8999, task_workers=0, stdout=out)
    assert serve.called
    assert (root / "css" / "app.css").exists()
    assert "正在准备网页样式和脚本文件" in out.getvalue()
    # second start: nothing to do
    out = io.StringIO()
    with override_settings(STATIC_ROOT=str(root), BACKUP_ON_SERVE=False), mock.patch("waitress.serve"):
        call_command("serve", port=8999, task_workers=0, stdout=out)
    assert "正在准备" not in out.getvalue()


@pytest.mark.django_db
def test_serve_refuses_in_chinese_when_static_files_cannot_be_collected(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    with (
        override_settings(STATIC_ROOT=str(blocker / "static"), BACKUP_ON_SERVE=False),
        mock.patch("waitress.serve") as serve,
        pytest.raises(CommandError) as e,
    ):
        call_command("serve", port=8999, task_workers=0, stdout=io.StringIO())
    assert "python manage.py collectstatic --noinput" in str(e.value) and "无法准备" in str(e.value)
    assert not serve.called


@pytest.mark.django_db
def test_serve_collects_again_when_an_update_brought_files_the_manifest_lacks(tmp_path):
    """An updated install whose manifest predates a new file (a new icon sprite) would answer
    every page that uses it with a 500: serve collects again first."""
    import json

    root = tmp_path / "static"
    root.mkdir()
    (root / "staticfiles.json").write_text(json.dumps({"paths": {"css/app.css": "css/app.abc.css"}}))
    out = io.StringIO()
    with override_settings(STATIC_ROOT=str(root), BACKUP_ON_SERVE=False), mock.patch("waitress.serve"):
        call_command("serve", port=8999, task_workers=0, stdout=out)
    assert "程序更新后" in out.getvalue() and "新的网页文件" in out.getvalue()
    assert (root / "js" / "app.js").exists()
