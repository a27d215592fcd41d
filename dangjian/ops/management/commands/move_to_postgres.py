"""manage.py move_to_postgres --sqlite PATH [--media DIR] [--key-file FILE] [--dry-run]

Moves a township's SQLite database (the `make run` installation: var/dangjian.sqlite3, its
uploads in var/uploads and its encryption key var/field.key) into the PostgreSQL database
this installation is configured for (DATABASE_URL), without loss:

- every row of every table (project apps, accounts, audit log, sessions, lockouts), primary
  keys kept; ContentType and Permission ids are remapped by natural key, since the target's
  migrations already created their own;
- identity numbers and phones re-encrypted under the target's key when the keys differ
  (the keyed lookup hashes recomputed with it);
- sequences reset so new rows continue after the highest id;
- uploaded files copied and checked (size and SHA-256).

The target must be migrated to the same migrations as the source and hold no data yet
(an empty district database). Merging into a database that already holds other townships
needs primary keys remapped (see docs/DEPLOYMENT.md) and is refused here.
Everything happens in one transaction: on any error nothing is written.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import time
from itertools import zip_longest
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, connections, transaction

SOURCE = "move_source"
CHUNK = 5000
# The cache token (core.cache) belongs to each installation; the target keeps its own.
SKIP_TABLES = {"django_migrations", "core_cacheversion"}


def copy_models() -> list:
    """Every concrete model with a table, auto-created M2M tables included."""
    seen, out = set(), []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in seen or meta.db_table in SKIP_TABLES:
            continue
        seen.add(meta.db_table)
        out.append(model)
    return out


class Command(BaseCommand):
    help = "把乡镇的 SQLite 数据库（含上传文件）完整迁入本安装配置的 PostgreSQL 数据库（目标须为空）"

    def add_arguments(self, parser):
        parser.add_argument("--sqlite", required=True, help="乡镇的 SQLite 数据库文件（如 var/dangjian.sqlite3）")
        parser.add_argument("--media", default=None, help="乡镇的上传文件目录（默认：数据库旁的 uploads/）")
        parser.add_argument("--key-file", default=None, help="乡镇的加密密钥文件（默认：数据库旁的 field.key）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并统计，不写入")
        parser.add_argument("--verify", action="store_true", help="迁移后逐行、逐个文件与乡镇数据核对")

    def handle(self, *args, sqlite, media, key_file, dry_run, verify, **options):
        if connection.vendor != "postgresql":
            raise CommandError("目标数据库不是 PostgreSQL：请设置 DATABASE_URL=postgres://…")
        src = Path(sqlite)
        if not src.is_file():
            raise CommandError(f"找不到 SQLite 数据库：{sqlite}")
        media_dir = Path(media) if media else src.parent / "uploads"
        key_path = Path(key_file) if key_file else src.parent / "field.key"
        self._open_source(src)
        try:
            self._check_migrations()
            self._check_target_empty()
            recrypt = self._recrypter(key_path)
            started = time.monotonic()
            with transaction.atomic():
                counts = self._copy_rows(recrypt)
                self._reset_sequences()
                # Inside the transaction: a file that cannot be copied rolls the rows back too.
                files = self._copy_files(media_dir, dry_run=dry_run)
                if dry_run:
                    transaction.set_rollback(True)
            if verify and not dry_run:
                problems = self._verify(recrypt, media_dir)
                if problems:
                    for p in problems[:20]:
                        self.stderr.write(p)
                    raise CommandError(f"核对发现 {len(problems)} 处不一致")
                self.stdout.write("核对通过：每张表的每一行、每个上传文件都与乡镇数据一致。")
        finally:
            connections[SOURCE].close()
            del connections.databases[SOURCE]
        total = sum(counts.values())
        verb = "检查通过（--dry-run，未写入）" if dry_run else "迁移完成"
        self.stdout.write(self.style.SUCCESS(
            f"{verb}：{len(counts)} 张表 {total:,} 行，上传文件 {files} 个，用时 {time.monotonic() - started:.1f} 秒。"
        ))  # fmt: skip

    # ------------------------------------------------------------------ source
    def _open_source(self, path: Path) -> None:
        # Read-only: the township's file is never changed by the move.
        uri = f"file:{path.resolve()}?mode=ro"
        try:
            sqlite3.connect(uri, uri=True).execute("SELECT 1 FROM django_migrations LIMIT 1").fetchall()
        except sqlite3.Error as exc:
            raise CommandError(f"不是本系统的 SQLite 数据库：{path}（{exc}）") from None
        connections.databases[SOURCE] = {
            **settings.DATABASES["default"],
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": uri,
            "OPTIONS": {"uri": True},
            "CONN_MAX_AGE": 0,
            "TEST": {},
        }
        connections.databases[SOURCE].pop("HOST", None)

    def _check_migrations(self) -> None:
        def applied(alias):
            with connections[alias].cursor() as c:
                c.execute("SELECT app, name FROM django_migrations")
                return set(c.fetchall())

        source, target = applied(SOURCE), applied("default")
        if source - target:
            missing = sorted(f"{a}.{n}" for a, n in source - target)[:5]
            raise CommandError("目标数据库缺少迁移，请先在目标上运行 migrate：" + "、".join(missing))
        if target - source:
            missing = sorted(f"{a}.{n}" for a, n in target - source)[:5]
            raise CommandError(
                "乡镇数据库的版本较旧：请先用新版本在乡镇安装上运行 migrate（或复制一份后运行），再迁移。缺少："
                + "、".join(missing)
            )

    def _check_target_empty(self) -> None:
        from dangjian.accounts.models import User
        from dangjian.orgs.models import Organization

        if Organization.objects.exists() or User.objects.exists():
            raise CommandError(
                "目标数据库已有党组织或账号数据。本命令只迁入空的数据库；多个乡镇合并需要重新编号主键，见 docs/DEPLOYMENT.md。"
            )

    # ------------------------------------------------------------------ keys
    def _recrypter(self, key_path: Path):
        """None when the source key is the target's; else a function re-encrypting a row dict."""
        from dangjian.core import crypto

        target_text = crypto.keyring_text()
        if not key_path.is_file():
            self.stdout.write(f"未找到乡镇密钥文件 {key_path}：假定乡镇与目标使用同一密钥（将逐行校验）。")
            source_text = target_text
        else:
            source_text = key_path.read_text().strip()
        try:
            source = crypto.parse_keyring(source_text)
        except crypto.KeyFileError as exc:
            raise CommandError(f"乡镇密钥文件 {key_path}：{exc}") from None
        same = source_text.strip() == target_text.strip()

        def recrypt(model, row: dict) -> None:
            for f in model._meta.concrete_fields:
                if not f.attname.endswith("_enc") or not row.get(f.attname):
                    continue
                try:
                    plain = source.decrypt(row[f.attname])
                except Exception:
                    raise CommandError(
                        f"{model._meta.db_table} id={row.get('id')}：无法用乡镇密钥解密，请用 --key-file 指定正确的密钥"
                    ) from None
                if not same:
                    row[f.attname] = crypto.encrypt(plain)
                    hash_name = f.attname[: -len("_enc")] + "_hash"
                    if hash_name in row:
                        row[hash_name] = crypto.lookup_hash(plain)

        return recrypt

    # ------------------------------------------------------------------ rows
    def _remaps(self) -> tuple[dict, dict]:
        from django.contrib.auth.models import Permission
        from django.contrib.contenttypes.models import ContentType

        src_ct = {r["id"]: (r["app_label"], r["model"]) for r in ContentType.objects.using(SOURCE).values()}
        for app_label, model in set(src_ct.values()):
            ContentType.objects.get_or_create(app_label=app_label, model=model)
        dst_ct = {(r["app_label"], r["model"]): r["id"] for r in ContentType.objects.values()}
        ct_map = {sid: dst_ct[key] for sid, key in src_ct.items()}
        dst_perm = {(r["content_type_id"], r["codename"]): r["id"] for r in Permission.objects.values()}
        perm_map = {}
        for r in Permission.objects.using(SOURCE).values():
            key = (ct_map[r["content_type_id"]], r["codename"])
            if key not in dst_perm:
                dst_perm[key] = Permission.objects.create(
                    content_type_id=key[0], codename=r["codename"], name=r["name"]
                ).pk
            perm_map[r["id"]] = dst_perm[key]
        return ct_map, perm_map

    def _copy_rows(self, recrypt) -> dict[str, int]:
        from django.contrib.auth.models import Permission
        from django.contrib.contenttypes.models import ContentType

        ct_map, perm_map = self._remaps()
        counts: dict[str, int] = {}
        target = connections["default"]
        with target.cursor() as c:
            c.execute("SET CONSTRAINTS ALL DEFERRED")
        for model in copy_models():
            if model in (ContentType, Permission):
                counts[model._meta.db_table] = model.objects.using(SOURCE).count()
                continue
            fields = model._meta.concrete_fields
            names = [f.attname for f in fields]
            maps = {}
            for f in fields:
                if f.is_relation and f.related_model is ContentType:
                    maps[f.attname] = ct_map
                elif f.is_relation and f.related_model is Permission:
                    maps[f.attname] = perm_map
            has_enc = any(n.endswith("_enc") for n in names)
            cols = ", ".join(target.ops.quote_name(f.column) for f in fields)
            marks = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {target.ops.quote_name(model._meta.db_table)} ({cols}) VALUES ({marks})"
            # The target holds only what its own migrations created (checked above, e.g. the
            # cache's version row); the township's rows of the same tables replace them.
            with target.cursor() as c:
                c.execute(f"DELETE FROM {target.ops.quote_name(model._meta.db_table)}")
            qs = model._base_manager.using(SOURCE).order_by("pk").values(*names)
            n = 0
            batch = []
            with target.cursor() as c:
                for row in qs.iterator(chunk_size=CHUNK):
                    for name, m in maps.items():
                        if row[name] is not None:
                            row[name] = m[row[name]]
                    if has_enc:
                        recrypt(model, row)
                    batch.append([f.get_db_prep_save(row[f.attname], target) for f in fields])
                    if len(batch) >= CHUNK:
                        c.executemany(sql, batch)
                        n += len(batch)
                        batch = []
                if batch:
                    c.executemany(sql, batch)
                    n += len(batch)
            counts[model._meta.db_table] = n
            if n >= 20_000:
                self.stdout.write(f"  {model._meta.db_table}：{n:,} 行")
        return counts

    def _reset_sequences(self) -> None:
        target = connections["default"]
        statements = target.ops.sequence_reset_sql(no_style(), copy_models())
        with target.cursor() as c:
            for sql in statements:
                c.execute(sql)

    # ------------------------------------------------------------------ verify
    def _verify(self, recrypt, media_dir: Path) -> list[str]:
        """Every row of every table equal in source and target (decrypted values for
        encrypted columns, natural keys for content types), and every file equal."""
        from django.contrib.auth.models import Permission
        from django.contrib.contenttypes.models import ContentType

        from dangjian.core import crypto

        ct_map, perm_map = self._remaps()
        problems: list[str] = []
        for model in copy_models():
            if model in (ContentType, Permission):
                continue
            names = [f.attname for f in model._meta.concrete_fields]
            enc = [n for n in names if n.endswith("_enc")]
            maps = {f.attname: ct_map if f.related_model is ContentType else perm_map
                    for f in model._meta.concrete_fields if f.is_relation and f.related_model in (ContentType, Permission)}  # fmt: skip
            src = model._base_manager.using(SOURCE).order_by("pk").values_list(*names).iterator(chunk_size=CHUNK)
            dst = model._base_manager.using("default").order_by("pk").values_list(*names).iterator(chunk_size=CHUNK)
            table = model._meta.db_table
            n_src = n_dst = 0
            for a, b in zip_longest(src, dst):
                n_src += a is not None
                n_dst += b is not None
                if a is None or b is None:
                    continue
                ra, rb = dict(zip(names, a)), dict(zip(names, b))
                for name, m in maps.items():
                    if ra[name] is not None:
                        ra[name] = m[ra[name]]
                if enc:
                    recrypt(model, ra)  # to the target key (no-op when keys are equal)
                    for name in enc:
                        ra[name] = crypto.decrypt(ra[name]) if ra[name] else ""
                        rb[name] = crypto.decrypt(rb[name]) if rb[name] else ""
                if ra != rb:
                    diff = [k for k in names if ra[k] != rb[k]]
                    problems.append(f"{table} pk={a[0]}：{', '.join(diff)} 不一致")
            if n_src != n_dst:
                problems.append(f"{table}：乡镇 {n_src} 行，目标 {n_dst} 行")
        if media_dir.is_dir():
            for p in media_dir.rglob("*"):
                if p.is_file():
                    d = Path(settings.MEDIA_ROOT) / p.relative_to(media_dir)
                    if not d.is_file() or _sha256(d) != _sha256(p):
                        problems.append(f"文件 {p.relative_to(media_dir)} 缺失或不一致")
        return problems

    # ------------------------------------------------------------------ files
    def _copy_files(self, media_dir: Path, *, dry_run: bool) -> int:
        if not media_dir.is_dir():
            return 0
        dest_root = Path(settings.MEDIA_ROOT)
        n = 0
        for src in sorted(p for p in media_dir.rglob("*") if p.is_file()):
            rel = src.relative_to(media_dir)
            dest = dest_root / rel
            digest = _sha256(src)
            if dest.exists():
                if _sha256(dest) != digest:
                    raise CommandError(f"目标已有同名但内容不同的文件：{dest}")
                n += 1
                continue
            if not dry_run:
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest)
                if _sha256(dest) != digest:
                    raise CommandError(f"文件复制后校验不一致：{dest}")
            n += 1
        return n


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
