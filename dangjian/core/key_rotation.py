"""Re-encrypting every encrypted field under a new key (`manage.py rotate_keys`).

One run at a time per key file (an OS lock on field.key.lock, released if the process dies): a
second run that read the keyring before the first wrote its new key would write another and lose
the first, leaving rows already under it unreadable. A run that finds a rotation recorded says so
and continues it, with or without --resume.

The steps, each safe to interrupt:

1. The key file is checked: present, readable, and able to decrypt what the database holds
   (else a Chinese refusal and nothing is changed).
2. A new SM4 key is written into the keyring as the current key, the old keys kept for reading,
   and the rotation recorded in the keyring (`rotation`: to, from, started). From this moment
   every new write (in this process and in a running server, which re-reads a changed key
   file) uses the new key. An interrupted run leaves this record; the next run resumes it with
   the same new key rather than making another.
3. Every `*_enc` column of every model (and its `*_hash` lookup column) is rewritten, in batches
   by primary key, each batch in one transaction. A row is rewritten only where its value is not
   yet under the new key, and only if it still holds the value read (compare-and-set), so a
   concurrent edit by a user is never overwritten. Each rewritten row gets an audit entry.
4. The encrypted import previews (files under uploads/, swept after an hour) are rewritten too.
5. A final count must find no value under any other key. Only then are the old keys taken out
   of the keyring (saved apart as field.key.retired-…, for reading backups made before) and the
   run recorded in the keyring's history.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dangjian.core import crypto


class RotationError(Exception):
    """A rotation that cannot go ahead; the message is for the operator (Chinese)."""


@dataclass(frozen=True)
class EncryptedColumns:
    model: type
    enc: tuple[str, ...]  # attnames of the ciphertext columns
    hashes: dict[str, str]  # ciphertext column -> its lookup-hash column

    @property
    def label(self) -> str:
        return self.model._meta.db_table


@dataclass
class RotationResult:
    key_id: str
    resumed: bool  # no new key made (a recorded rotation continued, or stray values moved)
    continued: bool = False  # a recorded, unfinished rotation was continued
    rewritten: dict[str, int] = field(default_factory=dict)  # table -> rows rewritten
    skipped_concurrent: int = 0
    previews: int = 0
    retired_file: Path | None = None
    retired_ids: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        return sum(self.rewritten.values())


def encrypted_columns() -> list[EncryptedColumns]:
    """Every model with a `*_enc` column, found from the models (a new one is never missed)."""
    out = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = {f.attname for f in model._meta.concrete_fields}
        enc = tuple(sorted(n for n in names if n.endswith("_enc")))
        if enc:
            hashes = {e: e[: -len("_enc")] + "_hash" for e in enc if e[: -len("_enc")] + "_hash" in names}
            out.append(EncryptedColumns(model, enc, hashes))
    return sorted(out, key=lambda c: c.label)


def _manager(model):
    return model._base_manager  # every row, whatever the default manager hides


def _preview_files() -> list[Path]:
    from dangjian.core.spreadsheet import PREVIEW_DIR

    d = Path(settings.MEDIA_ROOT) / PREVIEW_DIR
    return sorted(d.glob("*.preview")) if d.is_dir() else []


# --- 1. the key file -----------------------------------------------------------------------------


def load_key_file() -> crypto.Keyring:
    if settings.FIELD_ENCRYPTION_KEY:
        raise RotationError(
            "字段加密密钥来自环境变量 FIELD_ENCRYPTION_KEY，rotate_keys 无法改写它。请把该值写入密钥文件 "
            f"{crypto.key_file()}（权限 600）、去掉这个环境变量后再运行。未做任何修改。"
        )
    path = crypto.key_file()
    if not path.is_file():
        raise RotationError(
            f"找不到字段加密密钥文件 {path}。没有它就无法解密现有的身份证号等数据，也就无法轮换密钥。"
            "请把原来的密钥文件放回原处（或从保管处抄回），再运行。未做任何修改。"
        )
    try:
        return crypto.parse_keyring(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RotationError(f"无法读取字段加密密钥文件 {path}（{exc}）。未做任何修改。") from exc
    except crypto.KeyFileError as exc:
        raise RotationError(f"字段加密密钥文件 {path} 不对：{exc}未做任何修改。") from exc


def check_key_opens_data(ring: crypto.Keyring, *, sample: int = 20) -> None:
    """The first values of every encrypted column must decrypt: a wrong key file stops here."""
    for cols in encrypted_columns():
        for name in cols.enc:
            qs = _manager(cols.model).exclude(**{name: ""}).order_by("pk").values_list("pk", name)[:sample]
            for pk, token in qs:
                try:
                    ring.decrypt(token)
                except ValueError:
                    raise RotationError(
                        f"字段加密密钥文件 {crypto.key_file()} 与数据库不匹配：无法解密 {cols.label}.{name}（id={pk}）。"
                        "请确认用的是本数据库的密钥文件。未做任何修改。"
                    ) from None


@contextlib.contextmanager
def exclusive() -> Iterator[None]:
    """Hold the rotation lock of the key file for the whole run, or refuse at once."""
    path = crypto.key_file()
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            if os.name == "nt":
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise RotationError(
                f"另一个 rotate_keys 正在运行（密钥文件 {path}）。请等它结束后再看 rotate_keys --status；"
                "它若已中断，再运行 rotate_keys 会接着做。未做任何修改。"
            ) from None
        yield
    finally:
        os.close(fd)  # releases the lock


def _write_durably(ring: crypto.Keyring) -> None:
    """The key file replaced and the replacement on disk before any row is written under it: after
    a power cut the rows must never be under a key the file lost."""
    path = crypto.key_file()
    crypto.write_keyring(path, ring)
    if os.name != "nt":  # a directory cannot be opened for fsync on Windows
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    crypto.reset()


# --- 2. the new key --------------------------------------------------------------------------------


def begin(ring: crypto.Keyring) -> tuple[crypto.Keyring, bool]:
    """The keyring with the rotation under way: resumed when one is recorded, else a new key."""
    if ring.rotation:
        if ring.rotation.get("to") != ring.current.id:
            raise RotationError("密钥文件中记录的轮换与当前密钥不一致（文件可能被手工改过）。未做任何修改。")
        return ring, True
    new = crypto.new_key()
    rotating = ring.with_keys(
        new,
        (new, *ring.keys),
        rotation={
            "to": new.id,
            "from": [k.id for k in ring.keys],
            "started": timezone.now().isoformat(timespec="seconds"),
        },
    )
    _write_durably(rotating)
    return rotating, False


def _save_apart(path: Path, text: str, tag: str) -> Path:
    text = text if text.endswith("\n") else text + "\n"
    for earlier in sorted(path.parent.glob(f"{path.name}.{tag}-*")):
        # a run stopped between saving the old keys and rewriting the key file: the same copy
        with contextlib.suppress(OSError, UnicodeDecodeError):
            if earlier.read_text(encoding="utf-8") == text:
                return earlier
    dest = path.with_name(f"{path.name}.{tag}-{timezone.now():%Y%m%d%H%M%S}")
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    return dest


# --- 3. the rows -------------------------------------------------------------------------------------


def stragglers(ring: crypto.Keyring, target: str) -> dict[str, int]:
    """{table.column: values not under `target`} (the final check, and `--status`)."""
    out = {}
    for cols in encrypted_columns():
        for name in cols.enc:
            n = 0
            values = _manager(cols.model).exclude(**{name: ""}).values_list(name, flat=True)
            for token in values.iterator(chunk_size=2000):
                n += ring.key_id_of(token) != target
            if n:
                out[f"{cols.label}.{name}"] = n
    return out


def _rewrite_batch(cols: EncryptedColumns, ring, target: str, rows: list[tuple], note: str) -> tuple[int, int]:
    """Rewrite one batch (inside the caller's transaction). Returns (rewritten, skipped)."""
    from dangjian.core.audit import log_bulk

    key = ring.by_id[target]
    changed, skipped = [], 0
    for pk, *values in rows:
        old = dict(zip(cols.enc, values))
        new: dict[str, str] = {}
        for name, token in old.items():
            if not token or ring.key_id_of(token) == target:
                continue
            try:
                plain = ring.decrypt(token)
            except ValueError:  # the batch is rolled back; batches before it stay done
                raise RotationError(
                    f"无法解密 {cols.label}.{name}（id={pk}）：密钥文件里没有加密它的密钥。"
                    "已完成的部分保留，旧密钥未删除；找回正确的密钥文件后再运行 rotate_keys 会接着做。"
                ) from None
            new[name] = crypto.Keyring(current=key, keys=(key,)).encrypt(plain)
            if name in cols.hashes:
                new[cols.hashes[name]] = key.lookup(plain) if plain else ""
        if not new:
            continue
        # compare-and-set: a row a user changed meanwhile (already under the new key) is left alone
        if _manager(cols.model).filter(pk=pk, **old).update(**new):
            changed.append(pk)
        else:
            skipped += 1
    if changed:
        log_bulk(list(_manager(cols.model).filter(pk__in=changed)), action="update", note=note)
    return len(changed), skipped


def rewrite_all(
    ring: crypto.Keyring, target: str, *, batch_size: int = 500, progress: Callable[[str], None] | None = None
) -> tuple[dict[str, int], int]:
    note = f"字段加密密钥轮换：重新加密为密钥 {target}"
    done: dict[str, int] = {}
    skipped = 0
    for cols in encrypted_columns():
        last = None
        n = 0
        while True:
            qs = _manager(cols.model).order_by("pk")
            if last is not None:
                qs = qs.filter(pk__gt=last)
            with transaction.atomic():
                rows = list(qs.values_list("pk", *cols.enc)[:batch_size])
                if not rows:
                    break
                got, skip = _rewrite_batch(cols, ring, target, rows, note)
            n, skipped, last = n + got, skipped + skip, rows[-1][0]
            if progress and got:
                progress(f"  {cols.model._meta.verbose_name}（{cols.label}）：已重新加密 {n} 行")
        if n:
            done[cols.label] = n
    return done, skipped


def rewrite_previews(ring: crypto.Keyring, target: str) -> int:
    key = ring.by_id[target]
    one = crypto.Keyring(current=key, keys=(key,))
    n = 0
    for path in _preview_files():
        try:
            token = path.read_text()
            if ring.key_id_of(token) == target:
                continue
            data = one.encrypt(ring.decrypt(token))
        except (OSError, ValueError):
            path.unlink(missing_ok=True)  # unreadable or expired: a preview can always be made again
            continue
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(data)
        os.replace(tmp, path)
        n += 1
    return n


# --- 5. finishing ----------------------------------------------------------------------------------


def finish(ring: crypto.Keyring) -> tuple[crypto.Keyring, Path | None, tuple[str, ...]]:
    target = ring.current
    old = tuple(k for k in ring.keys if k.id != target.id)
    retired_file = None
    if old:
        retired = crypto.Keyring(current=old[0], keys=old)
        retired_file = _save_apart(crypto.key_file(), retired.to_text(), f"retired-{'-'.join(k.id for k in old)}")
    entry = dict(ring.rotation or {"to": target.id, "from": []})
    entry["completed"] = timezone.now().isoformat(timespec="seconds")
    final = ring.with_keys(target, (target,), rotation=None, history=(*ring.history, entry))
    _write_durably(final)
    return final, retired_file, tuple(k.id for k in old)


def rotate(
    *, batch_size: int = 500, resume_only: bool = False, progress: Callable[[str], None] | None = None
) -> RotationResult:
    """The whole run (see the module docstring). `resume_only`: never make a new key — finish a
    recorded rotation, or bring stray values under the current key."""
    load_key_file()  # its refusals first: no lock file beside a missing key file
    with exclusive():
        return _rotate(batch_size=batch_size, resume_only=resume_only, progress=progress)


def _rotate(*, batch_size: int, resume_only: bool, progress: Callable[[str], None] | None) -> RotationResult:
    ring = load_key_file()
    check_key_opens_data(ring)
    if resume_only and not ring.rotation:
        resumed = True
        if not stragglers(ring, ring.current.id) and not any(
            ring.key_id_of(p.read_text()) != ring.current.id for p in _preview_files()
        ):
            return RotationResult(key_id=ring.current.id, resumed=True)
    else:
        ring, resumed = begin(ring)
        if resumed and progress:
            left = sum(stragglers(ring, ring.current.id).values())
            progress(
                f"发现上次未完成的轮换（开始于 {ring.rotation.get('started')}，新密钥 {ring.current.id}）："
                f"用同一把新密钥接着做，不再生成新密钥；只重新加密仍在旧密钥下的 {left} 个值。"
            )
    target = ring.current.id
    result = RotationResult(key_id=target, resumed=resumed, continued=resumed and bool(ring.rotation))
    for _attempt in range(3):  # a value written under an old key meanwhile is caught by the next pass
        done, skipped = rewrite_all(ring, target, batch_size=batch_size, progress=progress)
        for k, v in done.items():
            result.rewritten[k] = result.rewritten.get(k, 0) + v
        result.skipped_concurrent += skipped
        result.previews += rewrite_previews(ring, target)
        left = stragglers(ring, target)
        if not left:
            break
    else:
        raise RotationError(
            "仍有数据不在新密钥下（" + "、".join(f"{k} {v} 行" for k, v in left.items()) + "）。"
            "旧密钥保留未删，请稍后再运行 rotate_keys 继续。"
        )
    if len(ring.keys) > 1 or ring.rotation:
        _, result.retired_file, result.retired_ids = finish(ring)
    return result
