"""Secure defaults (issue 19): no plain http beyond this PC unless told, links from the
configured site address, no Host wildcard, no-store on signed-in pages, private files."""

import os
import stat

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory, override_settings

import dangjian.settings as prod
from dangjian.core.site import absolute_url


def test_serve_refuses_plain_http_beyond_loopback(monkeypatch):
    import waitress

    started = []
    monkeypatch.setattr(waitress, "serve", lambda *a, **k: started.append(k))
    for host in ("0.0.0.0", "192.168.1.20", "::"):
        with pytest.raises(CommandError, match="拒绝在 .* 上用不加密的 http"):
            call_command("serve", host=host)
    assert not started


def test_links_from_the_site_address_never_the_host_header():
    assert "*" not in prod.ALLOWED_HOSTS
    req = RequestFactory().get("/meetings/1/", HTTP_HOST="evil.example")
    with override_settings(SITE_URL="https://dangjian.example.gov.cn", ALLOWED_HOSTS=["evil.example"]):
        assert absolute_url(req, "/meetings/1/signin/") == "https://dangjian.example.gov.cn/meetings/1/signin/"
    resp = Client(HTTP_HOST="evil.example").get("/accounts/login/")
    assert resp.status_code == 400  # a Host not configured is refused


def test_signed_in_pages_are_not_stored(world, client_for):
    c = client_for("secretary_a")
    m = world.members_a[0]
    for url in (f"/members/{m.pk}/", "/members/", "/members/export/"):
        resp = c.get(url)
        assert resp.status_code == 200, url
        assert "no-store" in resp["Cache-Control"], url


def test_files_are_private(tmp_path, settings):
    assert prod.FILE_UPLOAD_PERMISSIONS == 0o600 and prod.FILE_UPLOAD_DIRECTORY_PERMISSIONS == 0o700
    old = os.umask(0o077)
    os.umask(old)
    assert old == 0o077  # set by the settings module for everything the process writes
    p = tmp_path / "x"
    p.write_text("x")
    assert stat.S_IMODE(p.stat().st_mode) == 0o600
