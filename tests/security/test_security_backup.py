"""Faults: backup → wipe → restore gives identical data and files; a process killed in the
middle of an import or a bulk load leaves the database as it was; daily backups rotate.

These run real `manage.py` processes against a file SQLite database in a temporary
installation directory (DANGJIAN_VAR), as an office PC would.
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n" + os.urandom(2048)
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(1024)


def _env(var: Path) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "FIELD_ENCRYPTION_KEY", "MEDIA_ROOT", "BACKUP_KEY"}
    }
    env.update(
        DANGJIAN_VAR=str(var),
        DJANGO_SETTINGS_MODULE="dangjian.settings_test",
        FIELD_ENCRYPTION_KEY_FILE=str(var / "field.key"),
        BACKUP_DIR=str(var / "backups"),
        PYTHONPATH=str(ROOT),
    )
    return env


def manage(var: Path, *args, check=True, timeout=600) -> subprocess.CompletedProcess:
    run = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=_env(var), capture_output=True, text=True, timeout=timeout
    )
    if check and run.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{run.stdout}\n{run.stderr}")
    return run


def py(var: Path, code: str, timeout=600) -> str:
    script = "import django; django.setup()\n" + textwrap.dedent(code)
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=_env(var), capture_output=True, text=True, timeout=timeout
    )
    if run.returncode != 0:
        raise AssertionError(f"script failed:\n{run.stdout}\n{run.stderr}")
    return run.stdout


SUMMARY = """
import json
from pathlib import Path
from django.conf import settings
from dangjian.ops.backup import table_summary, file_summary
print(json.dumps({"tables": table_summary(), "files": file_summary(Path(settings.MEDIA_ROOT))}))
"""


def summary(var: Path) -> dict:
    return json.loads(py(var, SUMMARY).strip().splitlines()[-1])


def populate(var: Path) -> None:
    manage(var, "migrate", "--noinput", "-v0")
    manage(var, "load_demo", "--scale", "tiny", "--password", "Demo-Backup-2026!")
    uploads = var / "uploads" / "meetings" / "2026" / "11"
    uploads.mkdir(parents=True, exist_ok=True)
    (uploads / "a.pdf").write_bytes(PDF)
    (uploads / "照片.png").write_bytes(PNG)


@pytest.fixture(scope="module")
def installation(tmp_path_factory):
    var = tmp_path_factory.mktemp("install") / "var"
    var.mkdir()
    populate(var)
    return var


def _open(var: Path, archive: Path, tmp: Path) -> zipfile.ZipFile:
    """Decrypt a backup with the installation's backup key (as restore does)."""
    sys.path.insert(0, str(ROOT))
    from dangjian.ops.backup import decrypt_file, parse_backup_key

    inner = tmp / (archive.name + ".inner.zip")
    decrypt_file(archive, inner, parse_backup_key((var / "backup.key").read_text()))
    return zipfile.ZipFile(inner)


@pytest.mark.slow
def test_backup_wipe_restore_round_trip(installation, tmp_path):
    var = installation
    # A live session, a lockout record and a roster upload waiting for confirmation: none
    # of them may travel in a backup.
    py(
        var,
        """
        from django.contrib.sessions.backends.db import SessionStore
        from axes.models import AccessAttempt
        s = SessionStore(); s["_auth_user_id"] = "1"; s.create()
        AccessAttempt.objects.create(username="admin", ip_address="10.0.0.9", failures_since_start=3)
        print(s.session_key)
        """,
    )
    session_key = py(var, "from django.contrib.sessions.models import Session; print(Session.objects.first().pk)")
    session_key = session_key.strip().splitlines()[-1]
    pending = var / "uploads" / "roster_imports"
    pending.mkdir(parents=True, exist_ok=True)
    (pending / "abc.upload").write_bytes(b"620102199001011234 roster waiting")
    before = summary(var)
    archive = tmp_path / "bk" / "dangjian.djbak"
    out = manage(var, "backup", str(archive)).stdout
    assert "备份完成" in out and "不含字段加密密钥" in out and "已生成备份密钥" in out
    assert (var / "backup.key").stat().st_mode & 0o777 == 0o600
    assert archive.stat().st_mode & 0o777 == 0o600
    raw = archive.read_bytes()
    assert not zipfile.is_zipfile(archive) and b"manifest" not in raw and b"SQLite format" not in raw
    with _open(var, archive, tmp_path) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
        db = zf.read("db.sqlite3")
    assert {"db.sqlite3", "manifest.json", "uploads/meetings/2026/11/a.pdf"} <= names
    assert not any("roster_imports" in n for n in names)
    assert "field.key" not in names and manifest["with_key"] is False
    assert session_key.encode() not in db and b"10.0.0.9" not in db
    assert manifest["tables"]["django_session"]["rows"] == 0
    assert manifest["tables"]["axes_accessattempt"]["rows"] == 0
    expected = {t: v for t, v in before["tables"].items() if t not in ("django_session", "axes_accessattempt")}
    assert {t: manifest["tables"][t] for t in expected} == expected

    # Wipe the installation (database and uploads), keep the keys on this machine.
    for p in var.glob("dangjian.sqlite3*"):
        p.unlink()
    import shutil

    shutil.rmtree(var / "uploads")
    manage(var, "migrate", "--noinput", "-v0")  # an empty installation
    assert summary(var)["tables"]["members_member"]["rows"] == 0
    # Without the key, restore refuses (no terminal to ask on).
    run = manage(var, "restore", str(archive), "--yes", check=False)
    assert run.returncode != 0 and "备份密钥" in run.stderr
    out = manage(var, "restore", str(archive), "--yes", "--key-file", str(var / "backup.key")).stdout
    assert "恢复完成" in out and "均与备份清单一致" in out
    after = summary(var)
    assert after["files"] == {k: v for k, v in before["files"].items() if not k.startswith("roster_imports/")}
    assert {t: after["tables"][t] for t in expected} == expected
    assert after["tables"]["django_session"]["rows"] == 0
    # The encrypted identity numbers are readable again with this machine's key.
    ok = py(var, "from dangjian.ops.backup import key_matches_data; print(key_matches_data())")
    assert ok.strip().endswith("True")


@pytest.mark.slow
def test_restore_on_a_new_machine_needs_the_key(installation, tmp_path):
    var = installation
    before = summary(var)
    plain = tmp_path / "plain.djbak"
    keyed = tmp_path / "keyed.djbak"
    manage(var, "backup", str(plain))
    out = manage(var, "backup", str(keyed), "--with-key").stdout
    assert "包含字段加密密钥" in out
    with _open(var, keyed, tmp_path) as zf:
        assert zf.read("field.key").decode() == (var / "field.key").read_text()
    bkey = str(var / "backup.key")

    new = tmp_path / "newpc"
    new.mkdir()
    manage(new, "migrate", "--noinput", "-v0")
    out = manage(new, "restore", str(plain), "--yes", "--key-file", bkey).stdout
    assert summary(new) == before  # every record and file...
    assert "无法解密" in out  # ...but the numbers need the key, and restore says so

    new2 = tmp_path / "newpc2"
    new2.mkdir()
    manage(new2, "migrate", "--noinput", "-v0")
    out = manage(new2, "restore", str(keyed), "--yes", "--key-file", bkey).stdout
    assert "已从备份恢复加密密钥" in out and "无法解密" not in out
    assert summary(new2) == before


@pytest.mark.slow
def test_backup_that_cannot_be_authenticated_is_refused(installation, tmp_path):
    var = installation
    archive = tmp_path / "bk.djbak"
    manage(var, "backup", str(archive))
    before = summary(var)
    bkey = str(var / "backup.key")
    raw = bytearray(archive.read_bytes())
    cases = {}
    flipped = bytearray(raw)
    flipped[len(raw) // 2] ^= 0x01
    cases["flipped"] = (bytes(flipped), "已损坏或被改动")
    cases["cut"] = (bytes(raw[: len(raw) - 100]), "不完整")
    cases["junk"] = (b"not a backup", "不是本系统的加密备份")
    with _open(var, archive, tmp_path) as zf:  # an unencrypted zip of the same content
        plain = tmp_path / "plain.zip"
        with zipfile.ZipFile(plain, "w") as dst:
            for info in zf.infolist():
                dst.writestr(info, zf.read(info.filename))
    cases["plain zip"] = (plain.read_bytes(), "不是本系统的加密备份")
    for label, (data, message) in cases.items():
        bad = tmp_path / f"{label}.djbak"
        bad.write_bytes(data)
        run = manage(var, "restore", str(bad), "--yes", "--key-file", bkey, check=False)
        assert run.returncode != 0 and message in run.stderr, (label, run.stderr)
    other_key = tmp_path / "other.key"
    other_key.write_text("0123-4567-89ab-cdef-0123-4567-89ab-cdef")
    run = manage(var, "restore", str(archive), "--yes", "--key-file", str(other_key), check=False)
    assert run.returncode != 0 and "备份密钥不对" in run.stderr
    assert summary(var) == before


# --- killed mid-way --------------------------------------------------------------------------

# Runs a command in a child process; after the command's first bulk INSERT it prints a
# marker and stalls, so the parent can SIGKILL it while the transaction is open.
STALL_AFTER_FIRST_BULK = """
import sys, time, django
django.setup()
from django.db.models.query import QuerySet
_orig = QuerySet.bulk_create
def stalled(self, objs, *a, **kw):
    out = _orig(self, objs, *a, **kw)
    if out:
        print("WRITING", flush=True)
        time.sleep(120)
    return out
QuerySet.bulk_create = stalled
# Importers may also insert with one executemany (members.roster_import): stall after it too.
from django.db.backends import utils
_orig_many = utils.CursorWrapper.executemany
def stalled_many(self, sql, param_list):
    out = _orig_many(self, sql, param_list)
    if sql.lstrip().upper().startswith("INSERT"):
        print("WRITING", flush=True)
        time.sleep(120)
    return out
utils.CursorWrapper.executemany = stalled_many
from django.core.management import call_command
call_command(*sys.argv[1:])
"""


def _run_and_kill(var: Path, *args) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", STALL_AFTER_FIRST_BULK, *args],
        cwd=ROOT,
        env=_env(var),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 300
        seen = ""
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            seen += line
            if "WRITING" in line:
                break
        assert "WRITING" in seen, (
            f"the command never wrote: {seen}\n{proc.stderr.read() if proc.poll() is not None else ''}"
        )
        # WRITING is printed after a bulk INSERT returned: rows are in the open transaction.
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_killed_roster_import_leaves_database_unchanged(installation, tmp_path):
    from dangjian.testsupport.fuzz import ROSTER_HEADER, roster_rows, workbook_bytes

    var = installation
    branch = (
        py(
            var,
            "from dangjian.orgs.models import Organization, BRANCH_TYPES\n"
            "print(Organization.objects.filter(org_type__in=BRANCH_TYPES).order_by('path').first().name)",
        )
        .strip()
        .splitlines()[-1]
    )
    roster = tmp_path / "roster.xlsx"
    roster.write_bytes(workbook_bytes([ROSTER_HEADER, *roster_rows(branch, 3000, area="530102")]))
    before = summary(var)
    _run_and_kill(var, "import_roster", str(roster))
    assert summary(var) == before
    # The same import, not killed, does write (so the kill really interrupted a write).
    out = manage(var, "import_roster", str(roster)).stdout
    assert "导入完成：新增 3000 人" in out
    assert summary(var)["tables"]["members_member"]["rows"] == before["tables"]["members_member"]["rows"] + 3000


@pytest.mark.slow
def test_killed_bulk_load_leaves_database_empty(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    manage(var, "migrate", "--noinput", "-v0")
    before = summary(var)
    _run_and_kill(var, "load_demo", "--scale", "tiny", "--password", "Demo-Kill-2026!")
    assert summary(var) == before


# --- daily backups ---------------------------------------------------------------------------


def test_prune_keeps_the_last_days(tmp_path):
    from dangjian.ops.backup import prune_backups

    today = date(2026, 11, 29)
    for d in range(20):
        (tmp_path / f"dangjian-{today - timedelta(days=d):%Y%m%d}.zip").write_bytes(b"x")
    (tmp_path / "other.zip").write_bytes(b"keep")
    removed = prune_backups(tmp_path, 14, today=today)
    assert len(removed) == 6
    left = sorted(p.name for p in tmp_path.glob("dangjian-*.zip"))
    assert len(left) == 14 and left[-1] == "dangjian-20261129.zip" and left[0] == "dangjian-20261116.zip"
    assert (tmp_path / "other.zip").exists()


@pytest.mark.django_db(transaction=True)
def test_daily_backup_thread_writes_and_rotates(tmp_path, settings):
    import io
    import threading

    from dangjian.ops.backup_schedule import start_daily_backups

    settings.BACKUP_DIR = tmp_path
    settings.BACKUP_KEEP_DAYS = 3
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_KEY_FILE = tmp_path / "backup.key"
    old = tmp_path / "dangjian-20200101.zip"
    old.write_bytes(b"old")
    out = io.StringIO()
    stop = threading.Event()
    thread = start_daily_backups(out, interval=0.2, stop=stop)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and out.getvalue().count("自动备份已保存") < 2:
        time.sleep(0.1)
    stop.set()
    thread.join(timeout=30)
    assert out.getvalue().count("自动备份已保存") >= 2, out.getvalue()  # on start, then again
    from django.utils import timezone

    today = tmp_path / f"dangjian-{timezone.localdate():%Y%m%d}.djbak"
    assert today.exists() and today.read_bytes().startswith(b"DJBAK2") and today.stat().st_mode & 0o777 == 0o600
    assert not old.exists()
