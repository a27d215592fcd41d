"""Backup and restore of the whole installation: the database and the uploaded files.

Layout (a .zip, or a directory with the same entries):
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

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_NAME = "db.sqlite3"
PG_NAME = "db.dump"
KEY_NAME = "field.key"
UPLOADS = "uploads"


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
            out[p.relative_to(root).as_posix()] = _sha256(p)
    return out


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
        finally:
            dst.close()
        return SQLITE_NAME
    if connection.vendor == "postgresql":
        args, env = _pg_env()
        target = workdir / PG_NAME
        run = subprocess.run(
            ["pg_dump", "-Fc", "--no-owner", "-f", str(target), *args], env=env, capture_output=True, text=True
        )
        if run.returncode != 0:
            raise BackupError(f"pg_dump 失败：{run.stderr.strip()}")
        return PG_NAME
    raise BackupError(f"不支持的数据库类型：{connection.vendor}")


def create_backup(dest: Path | str, *, with_key: bool = False) -> BackupResult:
    """Write a backup to `dest` (*.zip → one zip file; otherwise a directory)."""
    dest = Path(dest)
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
            tables = table_summary()
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
        }
        if with_key:
            (work / KEY_NAME).write_text(_current_key())
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        if dest.suffix.lower() == ".zip":
            dest.parent.mkdir(parents=True, exist_ok=True)
            partial = dest.with_suffix(".zip.partial")
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
                for name in (db_name, MANIFEST, *([KEY_NAME] if with_key else [])):
                    zf.write(work / name, name)
                for rel in files:
                    zf.write(media / rel, f"{UPLOADS}/{rel}")
            os.replace(partial, dest)  # never leave a half-written zip under the final name
        else:
            if dest.exists() and any(dest.iterdir()):
                raise BackupError(f"目标目录不为空：{dest}")
            dest.mkdir(parents=True, exist_ok=True)
            for name in (db_name, MANIFEST, *([KEY_NAME] if with_key else [])):
                shutil.copy2(work / name, dest / name)
            for rel in files:
                (dest / UPLOADS / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(media / rel, dest / UPLOADS / rel)
    if with_key:
        os.chmod(dest, 0o600) if dest.is_file() else os.chmod(dest / KEY_NAME, 0o600)
    return BackupResult(dest, len(tables), sum(t["rows"] for t in tables.values()), len(files), with_key)


def _current_key() -> str:
    from dangjian.core import crypto

    return crypto._master_key().decode()


# --- restore ----------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    tables: int
    rows: int
    files: int
    key_restored: bool
    key_ok: bool | None  # None: no encrypted data to check


def _open_source(src: Path, work: Path) -> Path:
    """Unpack a zip into `work` (or use a directory as is); return the directory."""
    if src.is_dir():
        return src
    if not src.is_file():
        raise BackupError(f"找不到备份：{src}")
    try:
        with zipfile.ZipFile(src) as zf:
            for info in zf.infolist():
                target = (work / info.filename).resolve()
                if work.resolve() not in target.parents:
                    raise BackupError(f"备份文件中有非法路径：{info.filename}")
            zf.extractall(work)
    except zipfile.BadZipFile as exc:
        raise BackupError(f"备份文件已损坏，无法打开：{src}") from exc
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
    for fn in (crypto._master_key, crypto._fernet, crypto._hash_key):
        fn.cache_clear()
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


def restore_backup(src: Path | str, *, replace_key: bool = False) -> RestoreResult:
    """Replace the database and uploads with the backup at `src` (verified first)."""
    src = Path(src)
    with tempfile.TemporaryDirectory(prefix="dangjian-restore-") as tmp:
        root = _open_source(src, Path(tmp))
        manifest = _verify_archive(root)
        key_restored = _restore_key(root, replace_key=replace_key)
        _restore_database(root, manifest)
        _restore_files(root, manifest)
    got = table_summary()
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
    """Delete dangjian-YYYYMMDD.zip files older than `keep_days`; return what was deleted."""
    today = today or timezone.localdate()
    removed = []
    for p in sorted(Path(directory).glob("dangjian-*.zip")):
        stem = p.stem.removeprefix("dangjian-")
        try:
            day = datetime.strptime(stem[:8], "%Y%m%d").date()
        except ValueError:
            continue
        if (today - day).days >= keep_days:
            p.unlink()
            removed.append(p)
    return removed
