"""Uploaded files: checked by content (magic bytes) and size, stored under MEDIA_ROOT
(var/uploads, outside the web root) and served only through scoped views.

    from dangjian.core.uploads import validate_upload, serve_upload, store_upload

    # in a form's clean_<field>():
    validate_upload(f, kinds=("image", "pdf"))        # raises ValidationError in Chinese
    # in a scoped view (the object was fetched with @scoped(meeting=Meeting)):
    return serve_upload(request, meeting.attachment)  # FileField / relative path / Path

Why magic bytes: an extension or the browser's Content-Type is chosen by the uploader; a
file named 会议记录.pdf that is really HTML would run script in our origin if served inline.
We only accept what we can recognise and always answer with nosniff.
"""

from __future__ import annotations

import contextlib
import mimetypes
import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404

from dangjian.core import clock

# kind -> [(magic prefix, mime type, canonical extensions)]
SIGNATURES: dict[str, list[tuple[bytes, str, tuple[str, ...]]]] = {
    "image": [
        (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
        (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    ],
    "pdf": [(b"%PDF-", "application/pdf", (".pdf",))],
    # Office files are zip containers; accepted only when asked for explicitly.
    "xlsx": [(b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))],
    "docx": [(b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))],
}
KIND_LABELS = {
    "image": "图片（JPG、PNG）",
    "pdf": "PDF 文件",
    "xlsx": "Excel 表格（.xlsx）",
    "docx": "Word 文档（.docx）",
}
# Types a browser may display inline without risk (no script): images and PDF.
INLINE_SAFE = {"image/jpeg", "image/png", "application/pdf"}


def _human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.0f} MB"
    return f"{max(1, n // 1024)} KB"


def sniff(head: bytes, kinds: Iterable[str]) -> tuple[str, str, tuple[str, ...]] | None:
    """(kind, mime, extensions) of the first signature among `kinds` matching `head`."""
    for kind in kinds:
        for magic, mime, exts in SIGNATURES.get(kind, []):
            if head.startswith(magic):
                return kind, mime, exts
    return None


def validate_upload(file, kinds=("image", "pdf"), max_bytes: int | None = None) -> str:
    """Check an uploaded file by size and content; return its MIME type.

    Raises django ValidationError with a Chinese message: empty file, too large, type not
    accepted, or an extension that contradicts the content.
    """
    max_bytes = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    kinds = tuple(kinds)
    allowed = "、".join(KIND_LABELS.get(k, k) for k in kinds)
    if file is None:
        raise ValidationError("请选择要上传的文件。", code="required")
    size = getattr(file, "size", None)
    if size is None:
        try:
            pos = file.tell()
            file.seek(0, os.SEEK_END)
            size = file.tell()
            file.seek(pos)
        except (AttributeError, OSError):
            size = 0
    if not size:
        raise ValidationError("上传的文件是空的，请重新选择。", code="empty")
    if size > max_bytes:
        raise ValidationError(
            f"文件太大（{_human_size(size)}），单个文件不能超过 {_human_size(max_bytes)}。", code="too_large"
        )
    with contextlib.suppress(AttributeError, OSError):
        file.seek(0)
    head = file.read(16) or b""
    with contextlib.suppress(AttributeError, OSError):
        file.seek(0)
    if isinstance(head, str):  # text-mode file: certainly not an image or PDF
        head = head.encode("utf-8", "replace")
    found = sniff(head, kinds)
    if found is None:
        raise ValidationError(f"文件类型不支持：只能上传{allowed}。文件内容与所选类型不符。", code="bad_type")
    _kind, mime, exts = found
    name = getattr(file, "name", "") or ""
    ext = Path(name).suffix.lower()
    if ext and ext not in exts:
        raise ValidationError(f"文件扩展名“{ext}”与文件内容（{mime}）不符，请检查后重新上传。", code="bad_extension")
    return mime


def store_upload(file, *, subdir: str, kinds=("image", "pdf"), max_bytes: int | None = None) -> str:
    """Validate and save under MEDIA_ROOT/<subdir>/YYYY/MM/<random>.<ext>; return the relative path.

    The stored name is random: user-supplied names never reach the file system.
    """
    mime = validate_upload(file, kinds=kinds, max_bytes=max_bytes)
    ext = mimetypes.guess_extension(mime) or ""
    if mime == "image/jpeg":
        ext = ".jpg"
    safe_subdir = "/".join(p for p in Path(subdir).parts if p not in ("..", "/", "\\") and not p.startswith("."))
    today = clock.today()
    rel = f"{safe_subdir}/{today:%Y/%m}/{uuid.uuid4().hex}{ext}"
    dest = Path(settings.MEDIA_ROOT) / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    file.seek(0)
    with open(dest, "wb") as out:
        if hasattr(file, "chunks"):
            for chunk in file.chunks():
                out.write(chunk)
        else:
            out.write(file.read())
    return rel


def _resolve(path_or_filefield) -> tuple[Path, str]:
    """Absolute path inside MEDIA_ROOT and a display name; 404 for anything else."""
    root = Path(settings.MEDIA_ROOT).resolve()
    name = ""
    if hasattr(path_or_filefield, "name") and hasattr(path_or_filefield, "storage"):  # FieldFile
        if not path_or_filefield:
            raise Http404("文件不存在")
        rel = path_or_filefield.name
    else:
        rel = str(path_or_filefield or "")
    if not rel:
        raise Http404("文件不存在")
    candidate = Path(rel)
    full = (candidate if candidate.is_absolute() else root / candidate).resolve()
    if root not in full.parents or not full.is_file():
        raise Http404("文件不存在")
    name = name or full.name
    return full, name


def serve_upload(request, path_or_filefield, *, download_name: str | None = None, inline: bool | None = None):
    """Stream one stored upload. Call only from a @scoped view that already checked the
    object owning the file. Content type comes from the file's bytes, not its name."""
    full, name = _resolve(path_or_filefield)
    with open(full, "rb") as fh:
        head = fh.read(16)
    found = sniff(head, SIGNATURES.keys())
    mime = found[1] if found else "application/octet-stream"
    if inline is None:
        inline = mime in INLINE_SAFE
    inline = inline and mime in INLINE_SAFE
    resp = FileResponse(open(full, "rb"), content_type=mime)  # noqa: SIM115 (FileResponse closes it)
    disp = "inline" if inline else "attachment"
    shown = download_name or name
    ascii_name = "".join(c for c in shown if c.isascii() and (c.isalnum() or c in "._-")) or "file"
    resp["Content-Disposition"] = f"{disp}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(shown)}"
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Cache-Control"] = "private, no-store"
    # A sandboxed CSP for the file itself: even a mis-detected file cannot run script.
    resp["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return resp
