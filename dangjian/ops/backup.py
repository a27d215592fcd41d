"""Backup and restore of the whole installation: the database and the uploaded files.

A backup is ONE encrypted file (dangjian-YYYYMMDD.djbak): SM4-GCM in 1 MiB chunks under a
backup key the office keeps apart from the backups (var/backup.key, made on the first
backup, or BACKUP_KEY; print it and keep it in the safe). `restore` asks for the key and
refuses any file it cannot authenticate: a wrong key, a changed byte, a cut-off end or an
unencrypted archive. Sessions, django-axes records and temporary uploads (roster files
waiting for confirmation) are never in a backup; the file is mode 600.

Inside the encryption, a zip with:
    manifest.json   what was saved: engine, row count and content digest per table,
                    SHA-256 per file, time, whether the key is included
    db.sqlite3      SQLite: a consistent copy made with sqlite3's online backup API
                    (the app may keep running while it is taken)
    db.dump         PostgreSQL: `pg_dump -Fc` (restored with `pg_restore --clean`)
    uploads/…       every file under MEDIA_ROOT
    field.key       ONLY with --with-key (see below)

Why the field key is left out by default: 公民身份号码 and phone numbers are encrypted with
a key kept outside the database (var/field.key or FIELD_ENCRYPTION_KEY). A backup that
carried the key would let whoever finds the USB stick read every identity number. Keep the
key separately (printed on paper in the office safe, or on a second medium); restoring onto
a machine without it leaves the numbers unreadable, which `restore` detects and reports.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from dangjian.core import clock

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_NAME = "db.sqlite3"
PG_NAME = "db.dump"
KEY_NAME = "field.key"
UPLOADS = "uploads"
SUFFIX = ".djbak"
# Never in a backup: live sign-in sessions (a key read from a backup is a login), lockout
# records, and uploads that are only waiting for a confirmation.
EXCLUDED_TABLES = (
    "django_session",
    "accounts_activesession",
    "axes_accessattempt",
    "axes_accessfailurelog",
    "axes_accesslog",
)
EXCLUDED_UPLOAD_DIRS = ("roster_imports", "tmp")
MAGIC = b"DJBAK2\n"
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message is for the operator (Chinese)."""


# --- what is in the database -----------------------------------------------------------------


def _is_sqlite(conn=connection) -> bool:
    return conn.vendor == "sqlite"


def _tables(conn) -> list[str]:
    """User tables of a DB-API connection (sqlite3 or Django's)."""
    cur = conn.cursor()
    if isinstance(conn, sqlite3.Connection) or _is_sqlite():
        cur.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    else:
        cur.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    return [r[0] for r in cur.fetchall()]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_summary(conn=None) -> dict[str, dict]:
    """{table: {"rows": n, "digest": sha256 of every row in primary-key order}}."""
    if conn is None:
        if _is_sqlite():
            raw = _raw_sqlite()
            try:
                return table_summary(raw)
            finally:
                raw.close()
        connection.ensure_connection()
        conn = connection.connection
    out = {}
    for table in _tables(conn):
        cur = conn.cursor()
        cur.execute(f"SELECT * FROM {_quote(table)} LIMIT 0")
        ncols = len(cur.description)
        # Every column in the ORDER BY: the first is not unique in every table (link tables).
        order = ", ".join(str(i) for i in range(1, ncols + 1))
        cur.execute(f"SELECT * FROM {_quote(table)} ORDER BY {order}")
        h = hashlib.sha256()
        n = 0
        while True:
            rows = cur.fetchmany(2000)
            if not rows:
                break
            for row in rows:
                h.update(repr(tuple(_norm(v) for v in row)).encode())
            n += len(rows)
        out[table] = {"rows": n, "digest": h.hexdigest()}
    return out


def _raw_sqlite() -> sqlite3.Connection:
    """A plain sqlite3 connection to the configured database: no Django type converters,
    so digests compare equal with those taken from a backup file."""
    name = str(connection.settings_dict["NAME"])
    if name.startswith("file:"):
        return sqlite3.connect(name, uri=True)
    if name == ":memory:":
        raise BackupError("内存数据库无法单独打开")
    return sqlite3.connect(f"file:{Path(name).resolve()}?mode=ro", uri=True)


def _norm(v):
    if isinstance(v, memoryview):
        return bytes(v)
    if isinstance(v, datetime):
        return v.isoformat()
    return v


def file_summary(root: Path) -> dict[str, str]:
    out = {}
    if not root.exists():
        return out
    for p in sorted(root.rglob("*")):
        if p.is_file():
            rel = p.relative_to(root).as_posix()
            if rel.split("/", 1)[0] in EXCLUDED_UPLOAD_DIRS:
                continue
            out[rel] = _sha256(p)
    return out


EMPTY_DIGEST = hashlib.sha256().hexdigest()


def _blank_excluded(tables: dict) -> dict:
    """What an excluded table looks like in a backup (and after a restore): empty."""
    return {t: ({"rows": 0, "digest": EMPTY_DIGEST} if t in EXCLUDED_TABLES else v) for t, v in tables.items()}


# --- the backup key and the encrypted envelope ----------------------------------------------


def new_backup_key() -> str:
    """A printable key: 32 hex digits in groups of four (easy to copy onto paper)."""
    raw = secrets.token_hex(16)
    return "-".join(raw[i : i + 4] for i in range(0, 32, 4))


def parse_backup_key(text: str) -> bytes:
    digits = "".join(ch for ch in (text or "") if ch not in "- \n\r\t").lower()
    if len(digits) != 32 or any(ch not in "0123456789abcdef" for ch in digits):
        raise BackupError("备份密钥格式不对：应为 32 位十六进制数字（可带短横线），如 1a2b-3c4d-…")
    return bytes.fromhex(digits)


def backup_key(*, create: bool = True) -> bytes:
    """The key for writing backups: BACKUP_KEY, or var/backup.key (made on first use, mode 600)."""
    if settings.BACKUP_KEY:
        return parse_backup_key(settings.BACKUP_KEY)
    path = Path(settings.BACKUP_KEY_FILE)
    if not path.exists():
        if not create:
            raise BackupError(f"找不到备份密钥：{path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(new_backup_key() + "\n")
    return parse_backup_key(path.read_text())


def _key_check(key: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes, hmac

    h = hmac.HMAC(key, hashes.SM3())
    h.update(b"dangjian-backup-key-check")
    return h.finalize()[:8]


def _gcm(key: bytes, nonce: bytes, *, tag: bytes | None = None):
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    cipher = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag))
    return cipher.decryptor() if tag is not None else cipher.encryptor()


def encrypt_file(src: Path, dest: Path, key: bytes) -> None:
    """SM4-GCM, chunk by chunk; each chunk authenticates its number and whether it is the last,
    so reordering, dropping or cutting off chunks is detected."""
    prefix = secrets.token_bytes(8)
    header = MAGIC + prefix + _key_check(key)
    with open(src, "rb") as fin, open(dest, "wb") as fout:
        fout.write(header)
        index = 0
        chunk = fin.read(CHUNK)
        while True:
            nxt = fin.read(CHUNK)
            last = not nxt
            enc = _gcm(key, prefix + index.to_bytes(4, "big"))
            enc.authenticate_additional_data(header + index.to_bytes(4, "big") + (b"\1" if last else b"\0"))
            body = enc.update(chunk) + enc.finalize()
            fout.write(len(body).to_bytes(4, "big") + (b"\1" if last else b"\0") + body + enc.tag)
            if last:
                break
            chunk, index = nxt, index + 1


def decrypt_file(src: Path, dest: Path, key: bytes) -> None:
    from cryptography.exceptions import InvalidTag

    with open(src, "rb") as fin:
        header = fin.read(len(MAGIC) + 16)
        if not header.startswith(MAGIC):
            raise BackupError("这不是本系统的加密备份（或已损坏），无法验证，未做任何恢复。")
        prefix, check = header[len(MAGIC) : len(MAGIC) + 8], header[len(MAGIC) + 8 :]
        if not secrets.compare_digest(check, _key_check(key)):
            raise BackupError("备份密钥不对：这份备份不是用该密钥加密的，未做任何恢复。")
        with open(dest, "wb") as fout:
            index = 0
            while True:
                head = fin.read(5)
                if len(head) < 5:
                    raise BackupError("备份文件不完整（可能已损坏或被截断），未做任何恢复。")
                n, last = int.from_bytes(head[:4], "big"), head[4:5]
                if n > CHUNK or last not in (b"\0", b"\1"):
                    raise BackupError("备份文件已损坏，未做任何恢复。")
                body, tag = fin.read(n), fin.read(16)
                if len(body) < n or len(tag) < 16:
                    raise BackupError("备份文件不完整（可能已损坏或被截断），未做任何恢复。")
                dec = _gcm(key, prefix + index.to_bytes(4, "big"), tag=tag)
                dec.authenticate_additional_data(header + index.to_bytes(4, "big") + last)
                try:
                    fout.write(dec.update(body) + dec.finalize())
                except InvalidTag as exc:
                    raise BackupError("备份文件已损坏或被改动（校验未通过），未做任何恢复。") from exc
                if last == b"\1":
                    if fin.read(1):
                        raise BackupError("备份文件末尾有多余内容，未做任何恢复。")
                    return
                index += 1


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --- backup -----------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    tables: int
    rows: int
    files: int
    with_key: bool


def _pg_env() -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    return args + ["-d", db["NAME"]], env


def _dump_database(workdir: Path) -> str:
    if _is_sqlite():
        target = workdir / SQLITE_NAME
        connection.ensure_connection()
        dst = sqlite3.connect(target)
        try:
            # The online backup API copies a consistent snapshot while others keep writing.
            connection.connection.backup(dst)
            existing = set(_tables(dst))
            for table in EXCLUDED_TABLES:
                if table in existing:
                    dst.execute(f"DELETE FROM {_quote(table)}")
            dst.commit()
            dst.execute("VACUUM")  # no freed page may keep a session key
        finally:
            dst.close()
        return SQLITE_NAME
    if connection.vendor == "postgresql":
        args, env = _pg_env()
        target = workdir / PG_NAME
        run = subprocess.run(
            [
                "pg_dump",
                "-Fc",
                "--no-owner",
                *[f"--exclude-table-data={t}" for t in EXCLUDED_TABLES],
                "-f",
                str(target),
                *args,
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            raise BackupError(f"pg_dump 失败：{run.stderr.strip()}")
        return PG_NAME
    raise BackupError(f"不支持的数据库类型：{connection.vendor}")


def create_backup(dest: Path | str, *, with_key: bool = False, key: bytes | None = None) -> BackupResult:
    """Write one encrypted backup file to `dest` (mode 600), under `key` or the backup key."""
    dest = Path(dest)
    if dest.exists() and dest.is_dir():
        raise BackupError(f"备份应写成一个文件，而 {dest} 是目录：请给出文件名，如 {dest / ('dangjian' + SUFFIX)}")
    key = key or backup_key()
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="dangjian-backup-") as tmp:
        work = Path(tmp)
        db_name = _dump_database(work)
        if db_name == SQLITE_NAME:
            conn = sqlite3.connect(work / SQLITE_NAME)
            try:
                tables = table_summary(conn)
            finally:
                conn.close()
        else:
            tables = _blank_excluded(table_summary())
        files = file_summary(media)
        manifest = {
            "format": FORMAT,
            "created": timezone.now().isoformat(),
            "engine": connection.vendor,
            "database": db_name,
            "database_sha256": _sha256(work / db_name),
            "tables": tables,
            "files": files,
            "with_key": with_key,
            "excluded": {"tables": list(EXCLUDED_TABLES), "uploads": list(EXCLUDED_UPLOAD_DIRS)},
        }
        if with_key:
            (work / KEY_NAME).write_text(_current_key())
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        inner = work / "inner.zip"
        with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            for name in (db_name, MANIFEST, *([KEY_NAME] if with_key else [])):
                zf.write(work / name, name)
            for rel in files:
                zf.write(media / rel, f"{UPLOADS}/{rel}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(dest.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        os.chmod(partial, 0o600)
        encrypt_file(inner, partial, key)
        os.replace(partial, dest)  # never leave a half-written backup under the final name
    os.chmod(dest, 0o600)
    return BackupResult(dest, len(tables), sum(t["rows"] for t in tables.values()), len(files), with_key)


def _current_key() -> str:
    from dangjian.core import crypto

    return crypto.keyring_text()


# --- restore ----------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    tables: int
    rows: int
    files: int
    key_restored: bool
    key_ok: bool | None  # None: no encrypted data to check


def _open_source(src: Path, work: Path, key: bytes) -> Path:
    """Authenticate and decrypt a backup file, unpack it into `work`; return the directory."""
    if src.is_dir():
        raise BackupError(f"{src} 是目录：只能从加密备份文件恢复（未加密的备份无法验证，未做任何恢复）。")
    if not src.is_file():
        raise BackupError(f"找不到备份：{src}")
    inner = work / "inner.zip"
    decrypt_file(src, inner, key)
    try:
        with zipfile.ZipFile(inner) as zf:
            for info in zf.infolist():
                target = (work / info.filename).resolve()
                if work.resolve() not in target.parents:
                    raise BackupError(f"备份文件中有非法路径：{info.filename}")
            zf.extractall(work)
    except zipfile.BadZipFile as exc:
        raise BackupError(f"备份文件已损坏，无法打开：{src}") from exc
    inner.unlink()
    return work


def _verify_archive(root: Path) -> dict:
    try:
        manifest = json.loads((root / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError("备份中缺少或损坏了 manifest.json，无法确认备份完整，未做任何恢复。") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式：{manifest.get('format')}")
    db_file = root / manifest["database"]
    if not db_file.exists() or _sha256(db_file) != manifest["database_sha256"]:
        raise BackupError("备份中的数据库文件缺失或与清单不符（可能已损坏），未做任何恢复。")
    for rel, digest in manifest["files"].items():
        p = root / UPLOADS / rel
        if not p.is_file() or _sha256(p) != digest:
            raise BackupError(f"备份中的附件缺失或已损坏：{rel}，未做任何恢复。")
    return manifest


def _restore_database(root: Path, manifest: dict) -> None:
    engine = manifest["engine"]
    if engine != connection.vendor:
        raise BackupError(f"备份来自 {engine} 数据库，当前安装使用 {connection.vendor}，不能直接恢复。")
    if engine == "sqlite":
        src = sqlite3.connect(root / SQLITE_NAME)
        try:
            connection.ensure_connection()
            if connection.in_atomic_block:
                raise BackupError("恢复不能在事务中进行。")
            src.backup(connection.connection)  # replaces every page of the live database
        finally:
            src.close()
        connection.close()
        return
    args, env = _pg_env()
    run = subprocess.run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(root / PG_NAME)],
        env=env,
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        raise BackupError(f"pg_restore 失败：{run.stderr.strip()}")
    connection.close()


def _restore_files(root: Path, manifest: dict) -> None:
    media = Path(settings.MEDIA_ROOT)
    if media.exists() and any(media.iterdir()):
        aside = media.with_name(f"{media.name}.before-restore-{timezone.now():%Y%m%d%H%M%S}")
        media.rename(aside)  # keep what was there: a restore must never destroy the only copy
    media.mkdir(parents=True, exist_ok=True)
    for rel in manifest["files"]:
        target = media / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / UPLOADS / rel, target)


def _restore_key(root: Path, *, replace_key: bool) -> bool:
    from dangjian.core import crypto

    key_file = root / KEY_NAME
    if not key_file.exists():
        return False
    new = key_file.read_text().strip()
    if settings.FIELD_ENCRYPTION_KEY:
        if new != settings.FIELD_ENCRYPTION_KEY:
            raise BackupError("备份中的加密密钥与环境变量 FIELD_ENCRYPTION_KEY 不同：请先改用备份中的密钥。")
        return False
    path = Path(settings.FIELD_ENCRYPTION_KEY_FILE)
    if path.exists() and path.read_text().strip() != new and not replace_key:
        raise BackupError(
            f"本机已有不同的加密密钥（{path}）。确认要改用备份中的密钥时加 --replace-key（旧密钥会另存）。"
        )
    if path.exists() and path.read_text().strip() != new:
        shutil.copy2(path, path.with_name(path.name + f".before-restore-{timezone.now():%Y%m%d%H%M%S}"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new)
    path.chmod(0o600)
    crypto.reset()
    return True


def key_matches_data() -> bool | None:
    """Can the current key decrypt the stored identity numbers? None when there are none."""
    from django.apps import apps

    from dangjian.core import crypto

    try:
        member_model = apps.get_model("members", "Member")
    except LookupError:
        return None
    token = member_model._base_manager.exclude(id_number_enc="").values_list("id_number_enc", flat=True).first()
    if token is None:
        return None
    try:
        crypto.decrypt(token)
    except ValueError:
        return False
    return True


def restore_backup(src: Path | str, *, key: bytes, replace_key: bool = False) -> RestoreResult:
    """Replace the database and uploads with the backup at `src` (authenticated with `key` first)."""
    src = Path(src)
    with tempfile.TemporaryDirectory(prefix="dangjian-restore-") as tmp:
        root = _open_source(src, Path(tmp), key)
        manifest = _verify_archive(root)
        key_restored = _restore_key(root, replace_key=replace_key)
        _restore_database(root, manifest)
        _restore_files(root, manifest)
    got = _blank_excluded(table_summary())
    expected = manifest["tables"]
    bad = [t for t in expected if got.get(t) != expected[t]]
    if bad:
        raise BackupError(f"恢复后的数据与备份清单不一致：{', '.join(bad[:10])}")
    files = file_summary(Path(settings.MEDIA_ROOT))
    if files != manifest["files"]:
        raise BackupError("恢复后的附件与备份清单不一致。")
    return RestoreResult(
        tables=len(expected),
        rows=sum(t["rows"] for t in expected.values()),
        files=len(files),
        key_restored=key_restored,
        key_ok=key_matches_data(),
    )


def prune_backups(directory: Path, keep_days: int, *, today=None) -> list[Path]:
    """Delete dangjian-YYYYMMDD.djbak (and older .zip) files older than `keep_days`."""
    today = today or clock.today()
    removed = []
    found = [*Path(directory).glob(f"dangjian-*{SUFFIX}"), *Path(directory).glob("dangjian-*.zip")]
    for p in sorted(found):
        stem = p.stem.removeprefix("dangjian-")
        try:
            day = datetime.strptime(stem[:8], "%Y%m%d").date()
        except ValueError:
            continue
        if (today - day).days >= keep_days:
            p.unlink()
            removed.append(p)
    return removed
