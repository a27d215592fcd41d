"""Production settings: `DJANGO_SECURE=1 manage.py check --deploy` is clean, and every
response carries the security headers (CSP without inline script, frame and sniff protection)."""

import os
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DANGJIAN_VAR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="dangjian.settings",
        DJANGO_SECURE="1",
        ALLOWED_HOSTS="dangjian.example.org",
    )
    run = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues" in run.stdout
    # The generated SECRET_KEY is strong and private to this installation.
    key = (tmp_path / "secret.key").read_text()
    assert len(key) >= 50 and oct((tmp_path / "secret.key").stat().st_mode)[-3:] == "600"


def test_secure_settings_switch_on_together():
    import importlib

    import dangjian.settings as s

    old = os.environ.get("DJANGO_SECURE")
    os.environ["DJANGO_SECURE"] = "1"
    try:
        importlib.reload(s)
        assert s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE and s.SECURE_SSL_REDIRECT
        assert s.SECURE_HSTS_SECONDS >= 31536000
        assert s.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
        # includeSubDomains and preload only when asked for: a district under a shared government
        # domain must not force HTTPS on its neighbours' hosts, nor enter the preload list unasked.
        assert not s.SECURE_HSTS_INCLUDE_SUBDOMAINS and not s.SECURE_HSTS_PRELOAD
        os.environ.update(HSTS_INCLUDE_SUBDOMAINS="1", HSTS_PRELOAD="1")
        importlib.reload(s)
        assert s.SECURE_HSTS_INCLUDE_SUBDOMAINS and s.SECURE_HSTS_PRELOAD and not s.SILENCED_SYSTEM_CHECKS
    finally:
        os.environ.pop("HSTS_INCLUDE_SUBDOMAINS", None)
        os.environ.pop("HSTS_PRELOAD", None)
        if old is None:
            os.environ.pop("DJANGO_SECURE", None)
        else:
            os.environ["DJANGO_SECURE"] = old
        importlib.reload(s)


def test_security_headers(world, client_for):
    for c, url in ((client_for("admin"), reverse("core:audit")), (client_for("admin"), reverse("accounts:users"))):
        resp = c.get(url)
        csp = resp["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert resp["X-Frame-Options"] == "DENY"
        assert resp["X-Content-Type-Options"] == "nosniff"
        assert resp["Referrer-Policy"] == "same-origin"
    from django.test import Client

    resp = Client().get(reverse("accounts:login"))
    assert "Content-Security-Policy" in resp
