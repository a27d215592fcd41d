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
    assert settings.SECURE_HSTS_SECONDS == 365 * 24 * 3600
    assert not settings.SECURE_HSTS_INCLUDE_SUBDOMAINS and not settings.SECURE_HSTS_PRELOAD
    assert settings.SECURE_PROXY_SSL_HEADER is None  # nothing in front of it sets X-Forwarded-Proto
    assert settings.SITE_URL.startswith("https://") and "localhost" in settings.ALLOWED_HOSTS

    out = io.StringIO()
    call_command("serve", host="0.0.0.0", https=True, task_workers=0, stdout=out)
    assert "首次使用" not in out.getvalue() and f"证书指纹（SHA-256）：{fp}" in out.getvalue()
    assert _fp(tmp_path / "tls" / "ca.crt") == fp


def _sign_in(client, **extra):
    return client.post(
        "/accounts/login/", {"username": "sec_a", "password": "Test-pass-2023"}, HTTP_HOST="127.0.0.1", **extra
    )


def test_https_mode_sends_hsts_and_secure_cookies_embedded_mode_does_not(world, tmp_path, settings, monkeypatch):
    from django.test import Client

    settings.VAR_DIR = tmp_path
    settings.BACKUP_ON_SERVE = False
    settings.SITE_URL = ""
    monkeypatch.setattr(serve.Command, "_ensure_static", lambda self: None)
    monkeypatch.setattr(serve.Command, "_gunicorn", lambda self, *a, **k: None)

    # embedded (`make run`, plain http on 127.0.0.1): no HSTS, no Secure cookie, and a client's own
    # X-Forwarded-Proto does not make the request count as https
    for extra in ({}, {"HTTP_X_FORWARDED_PROTO": "https"}):
        resp = _sign_in(Client(), **extra)
        assert resp.status_code == 302 and resp.cookies["sessionid"].value, extra
        assert "Strict-Transport-Security" not in resp, extra
        assert not resp.cookies["sessionid"]["secure"] and not resp.cookies["csrftoken"]["secure"], extra

    call_command("serve", host="0.0.0.0", https=True, task_workers=0, stdout=io.StringIO())
    resp = _sign_in(Client(), secure=True)  # what gunicorn's TLS hands the application
    assert resp.status_code == 302
    assert resp["Strict-Transport-Security"] == "max-age=31536000"  # no includeSubDomains, no preload
    assert resp.cookies["sessionid"]["secure"] and resp.cookies["csrftoken"]["secure"]
    assert resp.cookies["sessionid"]["httponly"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(tmp_path, *args):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "FIELD_ENCRYPTION_KEY", "DJANGO_SECURE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="dangjian.settings",
        DANGJIAN_VAR=str(tmp_path),
        DANGJIAN_DEMO="0",
        BACKUP_ON_SERVE="0",
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
    )
    cmd = [sys.executable, "manage.py", "serve", *args, "--task-workers", "0"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _stop(proc) -> str:
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out


def _head(sock, extra: bytes = b"") -> tuple[str, dict]:
    """The status line and headers (lower-case names) of GET /accounts/login/, which sets the csrftoken cookie."""
    sock.sendall(b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + b"Connection: close\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    status, *lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers: dict[str, list[str]] = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return status, headers


def _wait_for(proc, connect):
    deadline = time.time() + 90
    while True:
        try:
            return connect()
        except (ConnectionRefusedError, ConnectionResetError, FileNotFoundError):
            pass
        assert proc.poll() is None, proc.stdout.read()
        assert time.time() < deadline, "serve did not answer"
        time.sleep(0.5)


@pytest.mark.skipif(os.name == "nt", reason="gunicorn does not run on Windows")
def test_serve_https_answers_over_tls_with_hsts_and_plain_embedded_serve_does_not(tmp_path):
    # `make run`: waitress, plain http on 127.0.0.1 — no HSTS, no Secure cookie, even when a
    # client claims https itself
    port = _free_port()
    proc = _serve(tmp_path, "--port", str(port))
    try:

        def plain():
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                return _head(s, b"X-Forwarded-Proto: https\r\n")

        status, headers = _wait_for(proc, plain)
    finally:
        _stop(proc)
    assert status.startswith("HTTP/1.1 200 "), status
    assert "strict-transport-security" not in headers, headers
    (cookie,) = headers["set-cookie"]
    assert cookie.startswith("csrftoken=") and "secure" not in cookie.lower(), cookie

    # `serve --https`: TLS with the installation's certificate, HSTS, Secure cookies
    port = _free_port()
    proc = _serve(tmp_path, "--https", "--port", str(port))
    try:

        def tls_head():
            if not (tmp_path / "tls" / "ca.crt").exists():
                raise FileNotFoundError
            ctx = ssl.create_default_context(cafile=str(tmp_path / "tls" / "ca.crt"))
            with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
                with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:  # verified against ca.crt
                    return *_head(s), s.getpeercert()

        status, headers, peer = _wait_for(proc, tls_head)
    finally:
        out = _stop(proc)
    assert status.startswith("HTTP/1.1 200 "), status
    assert ("IP Address", "127.0.0.1") in peer["subjectAltName"]
    assert headers["strict-transport-security"] == ["max-age=31536000"]  # no includeSubDomains, no preload
    (cookie,) = headers["set-cookie"]
    assert cookie.startswith("csrftoken=") and "Secure" in [a.strip() for a in cookie.split(";")], cookie
    assert "证书指纹（SHA-256）：" + _fp(tmp_path / "tls" / "ca.crt") in out
