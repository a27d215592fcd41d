"""A township's SQLite data moved into an empty PostgreSQL database: every row of every
table, every uploaded file, identity numbers readable under the district's own key, and
sequences continuing after the highest id. Compared row by row (the command's --verify)
and independently here (counts per table, decrypted identity numbers, file hashes)."""

import hashlib
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from dangjian.testsupport.world import require_or_skip

ROOT = Path(__file__).resolve().parents[2]
PG = "postgres://postgres@127.0.0.1:5432/"


def _pg_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect(PG + "postgres", connect_timeout=3).close()
        return True
    except Exception:
        return False


def _manage(args, env, timeout=900):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)  # fmt: skip


@pytest.fixture
def pg_database():
    require_or_skip(_pg_reachable(), "PostgreSQL at 127.0.0.1:5432 is not reachable (CI requires it)")
    import psycopg

    name = f"dangjian_move_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG + "postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(PG + "postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _keyring(var: Path):
    from dangjian.core import crypto

    return crypto.parse_keyring((var / "field.key").read_text())


def test_township_sqlite_moves_into_empty_postgres_without_loss(tmp_path, pg_database):
    import psycopg

    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    src_var, dst_var = tmp_path / "township", tmp_path / "district"
    src_env = dict(base, DANGJIAN_VAR=str(src_var))
    dst_env = dict(base, DANGJIAN_VAR=str(dst_var), DATABASE_URL=PG + pg_database)

    for args, env in ((["migrate", "-v0"], src_env), (["load_demo", "--scale", "tiny"], src_env),
                      (["migrate", "-v0"], dst_env)):  # fmt: skip
        r = _manage(args, env)
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    # an uploaded file of our own besides the demo's, with bytes that must survive exactly
    extra = src_var / "uploads" / "test" / "会议照片.jpg"
    extra.parent.mkdir(parents=True, exist_ok=True)
    extra.write_bytes(bytes(range(256)) * 40)
    # the district has its own key (created by its migrate/first use)
    _manage(["shell", "-c", "from dangjian.core import crypto; crypto.encrypt('x')"], dst_env)
    assert (src_var / "field.key").read_text() != (dst_var / "field.key").read_text()

    r = _manage(["move_to_postgres", "--sqlite", str(src_var / "dangjian.sqlite3"), "--verify"], dst_env)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "核对通过" in r.stdout

    src = sqlite3.connect(src_var / "dangjian.sqlite3")
    tables = [
        t for (t,) in src.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
    ]
    # core_cacheversion: cache tokens belong to each installation (not moved, core.cache).
    skip = {"django_migrations", "django_content_type", "auth_permission", "core_cacheversion"}
    with psycopg.connect(PG + pg_database) as dst:
        for t in tables:
            if t in skip:
                continue
            n_src = src.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
            n_dst = dst.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
            assert n_src == n_dst, t
        assert src.execute("SELECT COUNT(*) FROM members_member").fetchone()[0] > 50
        # identity numbers: the same people, readable under the district's key
        fs, fd = _keyring(src_var), _keyring(dst_var)
        ids_src = sorted((i, fs.decrypt(e)) for i, e in src.execute(
            "SELECT id, id_number_enc FROM members_member"))  # fmt: skip
        ids_dst = sorted((i, fd.decrypt(e)) for i, e in dst.execute(
            "SELECT id, id_number_enc FROM members_member").fetchall())  # fmt: skip
        assert ids_src == ids_dst
        # sequences continue after the highest id
        max_id = dst.execute("SELECT MAX(id) FROM members_member").fetchone()[0]
        seq = dst.execute("SELECT nextval(pg_get_serial_sequence('members_member', 'id'))").fetchone()[0]
        assert seq > max_id
    # files: every one, byte for byte
    src_files = {p.relative_to(src_var / "uploads"): hashlib.sha256(p.read_bytes()).hexdigest()
                 for p in (src_var / "uploads").rglob("*") if p.is_file()}  # fmt: skip
    dst_files = {p.relative_to(dst_var / "uploads"): hashlib.sha256(p.read_bytes()).hexdigest()
                 for p in (dst_var / "uploads").rglob("*") if p.is_file()}  # fmt: skip
    assert len(src_files) > 1 and src_files == dst_files

    # a second township into the same (now non-empty) database is refused, and nothing changes
    again = _manage(["move_to_postgres", "--sqlite", str(src_var / "dangjian.sqlite3")], dst_env)
    assert again.returncode != 0 and "已有党组织或账号数据" in again.stderr
