"""First-run HTTPS (issue 19 §8): `serve --https` makes a certificate of this installation on the
first run (keys mode 600 under var/), prints its fingerprint, reuses it afterwards, and serves TLS."""

import datetime as dt
import io
import os
import socket
import ssl
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.core.management import call_command

from dangjian.core import tls
from dangjian.ops.management.commands import serve

ROOT = Path(__file__).resolve().parents[2]


def _fp(path: Path) -> str:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    return ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_certificate_made_once_then_reused(tmp_path):
    d = tmp_path / "tls"
    first = tls.ensure_certificate(d, ["localhost", "127.0.0.1", "192.168.1.20"])
    assert first.made == "new"
    for name in ("ca.key", "server.key", "server.crt"):
        assert _mode(d / name) == 0o600, name
    assert _mode(d) == 0o700
    assert first.fingerprint == _fp(d / "ca.crt") and len(first.fingerprint) == 95
    assert {"localhost", "127.0.0.1", "192.168.1.20"} <= set(first.names)
    # the server certificate is signed by the installation's authority and is for serving only
    ca = x509.load_pem_x509_certificate((d / "ca.crt").read_bytes())
    server = x509.load_pem_x509_certificate((d / "server.crt").read_bytes())
    server.verify_directly_issued_by(ca)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert not server.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert (server.not_valid_after_utc - server.not_valid_before_utc).days <= 826

    files = {p.name: p.read_bytes() for p in d.iterdir()}
    again = tls.ensure_certificate(d, ["localhost", "127.0.0.1", "192.168.1.20"])
    assert again.made == "" and again.fingerprint == first.fingerprint
    assert {p.name: p.read_bytes() for p in d.iterdir()} == files  # nothing rewritten

    # a new address: only the server certificate is re-issued, by the same authority (phones keep trusting it)
    moved = tls.ensure_certificate(d, ["localhost", "127.0.0.1", "192.168.1.77"])
    assert moved.made == "reissued" and moved.fingerprint == first.fingerprint
    assert (d / "ca.crt").read_bytes() == files["ca.crt"] and "192.168.1.77" in moved.names
    # near its end: re-issued again, same authority
    later = tls.ensure_certificate(d, ["localhost"], now=dt.datetime.now(dt.UTC) + dt.timedelta(days=810))
    assert later.made == "reissued" and later.fingerprint == first.fingerprint


def test_serve_https_prints_the_fingerprint_and_reuses_the_certificate(tmp_path, settings, monkeypatch):
    settings.VAR_DIR = tmp_path
    settings.BACKUP_ON_SERVE = False
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    started = []
    monkeypatch.setattr(serve.Command, "_ensure_static", lambda self: None)
    monkeypatch.setattr(serve.Command, "_gunicorn", lambda self, *a, **k: started.append((a, k)))

    out = io.StringIO()
    call_command("serve", host="0.0.0.0", https=True, task_workers=0, stdout=out)
    text = out.getvalue()
    fp = _fp(tmp_path / "tls" / "ca.crt")
    assert "首次使用 HTTPS" in text and f"证书指纹（SHA-256）：{fp}" in text and "https://127.0.0.1:8000/" in text
    (args, kwargs) = started[-1]
    assert args[:2] == ("0.0.0.0", 8000) and args[2] == 1  # one gunicorn process (waitress has no TLS)
    assert kwargs["tls"].cert == tmp_path / "tls" / "server.crt"
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SITE_URL.startswith("https://") and "localhost" in settings.ALLOWED_HOSTS

    out = io.StringIO()
    call_command("serve", host="0.0.0.0", https=True, task_workers=0, stdout=out)
    assert "首次使用" not in out.getvalue() and f"证书指纹（SHA-256）：{fp}" in out.getvalue()
    assert _fp(tmp_path / "tls" / "ca.crt") == fp


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(os.name == "nt", reason="gunicorn does not run on Windows")
def test_serve_https_answers_over_tls_with_its_certificate(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "FIELD_ENCRYPTION_KEY"}}
    env.update(
        DJANGO_SETTINGS_MODULE="dangjian.settings",
        DANGJIAN_VAR=str(tmp_path),
        DANGJIAN_DEMO="0",
        BACKUP_ON_SERVE="0",
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
    )
    args = [sys.executable, "manage.py", "serve", "--https", "--port", str(port), "--task-workers", "0"]
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        ctx = ssl.create_default_context(cafile=None)
        deadline = time.time() + 90
        while True:
            if (tmp_path / "tls" / "ca.crt").exists():
                ctx = ssl.create_default_context(cafile=str(tmp_path / "tls" / "ca.crt"))
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
                        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:  # verified against ca.crt
                            s.sendall(b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                            reply = s.recv(200)
                            peer = s.getpeercert()
                    break
                except (ConnectionRefusedError, ConnectionResetError):
                    pass
            assert proc.poll() is None, proc.stdout.read()
            assert time.time() < deadline, "serve --https did not answer"
            time.sleep(0.5)
        assert reply.startswith(b"HTTP/1.1 ")
        assert ("IP Address", "127.0.0.1") in peer["subjectAltName"]
    finally:
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert "证书指纹（SHA-256）：" + _fp(tmp_path / "tls" / "ca.crt") in out
