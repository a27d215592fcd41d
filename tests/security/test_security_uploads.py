"""Uploads: checked by content and size; served with nosniff, never outside MEDIA_ROOT."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory, override_settings

from dangjian.core.uploads import serve_upload, store_upload, validate_upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64
HTML = b"<html><script>alert(1)</script></html>"


@pytest.mark.parametrize(
    ("name", "data", "mime"),
    [
        ("a.png", PNG, "image/png"),
        ("b.JPG", JPEG, "image/jpeg"),
        ("c.pdf", PDF, "application/pdf"),
        ("noext", PDF, "application/pdf"),
    ],
)
def test_accepts_real_files(name, data, mime):
    assert validate_upload(SimpleUploadedFile(name, data)) == mime


@pytest.mark.parametrize(
    ("name", "data", "needle"),
    [
        ("evil.pdf", HTML, "文件类型不支持"),
        ("evil.png", b"GIF89a" + b"\x00" * 10, "文件类型不支持"),
        ("x.exe", b"MZ\x90\x00", "文件类型不支持"),
        ("photo.pdf", PNG, "扩展名"),
        ("empty.pdf", b"", "空的"),
    ],
)
def test_rejects_with_chinese_message(name, data, needle):
    with pytest.raises(ValidationError) as exc:
        validate_upload(SimpleUploadedFile(name, data))
    assert needle in " ".join(exc.value.messages)


def test_size_limit():
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 2048)
    with pytest.raises(ValidationError) as exc:
        validate_upload(big, max_bytes=1024)
    assert "文件太大" in exc.value.messages[0]
    with override_settings(UPLOAD_MAX_BYTES=100):
        with pytest.raises(ValidationError):
            validate_upload(SimpleUploadedFile("big.pdf", PDF + b"0" * 200))


def test_kinds_restrict():
    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile("c.pdf", PDF), kinds=("image",))


def test_plain_file_object():
    assert validate_upload(io.BytesIO(PNG)) == "image/png"


@pytest.mark.django_db  # closing a response fires request_finished, which checks connections
def test_store_and_serve(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        rel = store_upload(SimpleUploadedFile("../../会议.pdf", PDF), subdir="meetings/../x")
        assert ".." not in rel and rel.endswith(".pdf")
        assert (tmp_path / rel).read_bytes() == PDF
        req = RequestFactory().get("/")
        resp = serve_upload(req, rel, download_name="会议记录.pdf")
        assert resp["X-Content-Type-Options"] == "nosniff"
        assert resp["Content-Type"] == "application/pdf"
        assert resp["Content-Disposition"].startswith("inline;")
        assert "filename*=UTF-8''%E4%BC%9A" in resp["Content-Disposition"]
        assert b"".join(resp.streaming_content) == PDF
        # A stored file whose bytes are not an accepted type is only ever downloaded.
        (tmp_path / "x.html").write_bytes(HTML)
        resp = serve_upload(req, "x.html")
        assert resp["Content-Type"] == "application/octet-stream"
        assert resp["Content-Disposition"].startswith("attachment;")
        resp.close()


def test_serve_refuses_paths_outside_media_root(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("field key")
    media = tmp_path / "media"
    media.mkdir()
    req = RequestFactory().get("/")
    with override_settings(MEDIA_ROOT=media):
        for bad in ("../secret.txt", str(outside), "", "missing.pdf", "/etc/passwd"):
            with pytest.raises(Http404):
                serve_upload(req, bad)
        assert Path(media).exists()
