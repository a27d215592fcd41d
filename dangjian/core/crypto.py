"""Encryption at rest for 公民身份号码, phone numbers and 外出联系方式 (国密: SM4-GCM, HMAC-SM3).

The keys live outside the database (var/field.key, or env FIELD_ENCRYPTION_KEY), so the
database file alone reveals no identity number. The key file is a small keyring (JSON):

    {"format": "dangjian-field-keys/1", "current": "k3f9a01c2",
     "keys": [{"id": "k3f9a01c2", "alg": "sm4", "secret": "<32 random bytes, base64>", ...}],
     "rotation": {...} while `manage.py rotate_keys` runs, "history": [...]}

Ciphertext written now:  S1.<key id>.<base64url(nonce 12 | SM4-GCM ciphertext | tag 16)>
(the "S1.<key id>" prefix is authenticated as associated data). Reading also accepts the
Fernet tokens of earlier versions, so an existing database keeps working; a key file holding
one bare Fernet key (the old format) is read as a keyring of that one key: new writes then use
SM4-GCM under a key derived from it and lookups keep their HMAC-SHA256, until `rotate_keys`
moves everything to a fresh SM4 key with HMAC-SM3 lookups.

Beside each ciphertext of an identity number sits a keyed hash (`lookup_hash`) for uniqueness
and exact lookup. During a rotation two keys are live, so a search must use every hash of the
value (`lookup_hashes`); writes always use the current key.

The keyring is re-read when the key file changes (its size, mtime, inode; looked at once a
second at most), so a running server picks up a rotation without a restart.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from django.conf import settings
from django.utils import timezone

FORMAT = "dangjian-field-keys/1"
VERSION = "S1"
NONCE = 12
TAG = 16
LEGACY = "fernet"  # what `key_id_of` answers for a Fernet token (it names no key)
WRONG_KEY = "无法解密：加密密钥与数据不匹配"


class KeyFileError(ValueError):
    """The key file is missing, unreadable or not a keyring; the message is for the operator."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hmac_sm3(key: bytes, data: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives import hmac as chmac

    h = chmac.HMAC(key, hashes.SM3())
    h.update(data)
    return h.finalize()


@dataclass(frozen=True)
class FieldKey:
    id: str
    alg: str  # "sm4": a random secret; "fernet": a key of the earlier versions
    secret: str
    created: str = ""

    @cached_property
    def _raw(self) -> bytes:
        return _unb64(self.secret.strip())

    @cached_property
    def sm4_key(self) -> bytes:
        return _hmac_sm3(self._raw, b"dangjian-field-sm4")[:16]

    @cached_property
    def sm4(self):
        """The cipher algorithm object, built (and its key checked) once per key, not per value."""
        from cryptography.hazmat.primitives.ciphers import algorithms

        return algorithms.SM4(self.sm4_key)

    @cached_property
    def _lookup_key(self) -> bytes:
        if self.alg == LEGACY:  # exactly what the Fernet versions computed: old hashes stay valid
            return hashlib.sha256(b"dangjian-lookup-hash:" + self._raw).digest()
        return _hmac_sm3(self._raw, b"dangjian-lookup")

    def lookup(self, value: str) -> str:
        if self.alg == LEGACY:
            return hmac.new(self._lookup_key, value.encode(), hashlib.sha256).hexdigest()
        return _hmac_sm3(self._lookup_key, value.encode()).hex()

    @cached_property
    def fernet(self):
        from cryptography.fernet import Fernet

        return Fernet(self.secret.strip().encode())

    def as_dict(self) -> dict:
        return {"id": self.id, "alg": self.alg, "secret": self.secret, "created": self.created}


def new_key() -> FieldKey:
    return FieldKey(
        id="k" + secrets.token_hex(4),
        alg="sm4",
        secret=_b64(secrets.token_bytes(32)),
        created=timezone.now().isoformat(timespec="seconds"),
    )


def _legacy_key(text: str) -> FieldKey:
    text = text.strip()
    try:
        raw = _unb64(text)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise KeyFileError("密钥文件格式不对：既不是本系统的密钥环（JSON），也不是早期版本的 Fernet 密钥。")
    return FieldKey(id="f" + hashlib.sha256(raw).hexdigest()[:8], alg=LEGACY, secret=text)


@dataclass(frozen=True)
class Keyring:
    current: FieldKey
    keys: tuple[FieldKey, ...]  # the current key first, then older keys kept for reading
    rotation: dict | None = None  # {"to", "from", "started"} while rotate_keys runs
    history: tuple = ()
    legacy_text: bool = False  # read from a bare Fernet key (the old file format)
    by_id: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self.by_id.update({k.id: k for k in self.keys})

    # --- ciphertext --------------------------------------------------------------------
    def encrypt(self, value: str) -> str:
        if not value:
            return ""
        from cryptography.hazmat.primitives.ciphers import Cipher, modes

        key = self.current
        header = f"{VERSION}.{key.id}"
        nonce = secrets.token_bytes(NONCE)
        enc = Cipher(key.sm4, modes.GCM(nonce)).encryptor()
        enc.authenticate_additional_data(header.encode())
        body = enc.update(value.encode()) + enc.finalize()
        return f"{header}.{_b64(nonce + body + enc.tag)}"

    def decrypt(self, token: str) -> str:
        if not token:
            return ""
        if token.startswith(VERSION + "."):
            return self._decrypt_sm4(token)
        from cryptography.fernet import InvalidToken

        for key in self.keys:  # a Fernet token does not name its key: try each old one
            if key.alg != LEGACY:
                continue
            try:
                return key.fernet.decrypt(token.encode()).decode()
            except InvalidToken:
                continue
        raise ValueError(WRONG_KEY)

    def _decrypt_sm4(self, token: str) -> str:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers import Cipher, modes

        try:
            _, kid, payload = token.split(".", 2)
            blob = _unb64(payload)
        except ValueError:
            raise ValueError(WRONG_KEY) from None
        key = self.by_id.get(kid)
        if key is None or len(blob) < NONCE + TAG:
            raise ValueError(WRONG_KEY + f"（数据用密钥 {kid} 加密，密钥文件中没有它）")
        nonce, body, tag = blob[:NONCE], blob[NONCE:-TAG], blob[-TAG:]
        dec = Cipher(key.sm4, modes.GCM(nonce, tag)).decryptor()
        dec.authenticate_additional_data(f"{VERSION}.{kid}".encode())
        try:
            return (dec.update(body) + dec.finalize()).decode()
        except InvalidTag:
            raise ValueError(WRONG_KEY) from None

    @staticmethod
    def key_id_of(token: str) -> str:
        """The key a ciphertext is under: its key id, or "fernet" for a token of the old format."""
        if token.startswith(VERSION + "."):
            return token.split(".", 2)[1]
        return LEGACY

    # --- lookups -----------------------------------------------------------------------
    def lookup_hash(self, value: str) -> str:
        return self.current.lookup(value) if value else ""

    def lookup_hashes(self, value: str) -> list[str]:
        """Every hash the value may be stored under: the current key's first."""
        if not value:
            return []
        return list(dict.fromkeys(k.lookup(value) for k in self.keys))

    # --- the key file ------------------------------------------------------------------
    def to_text(self) -> str:
        data = {
            "format": FORMAT,
            "说明": "基层党建工作台的字段加密密钥。丢失后身份证号等无法恢复：请打印或抄写，与备份分开保管。",
            "current": self.current.id,
            "keys": [k.as_dict() for k in self.keys],
            "history": list(self.history),
        }
        if self.rotation:
            data["rotation"] = self.rotation
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"

    def with_keys(self, current: FieldKey, keys: tuple[FieldKey, ...], **changes) -> Keyring:
        return replace(self, current=current, keys=keys, legacy_text=False, by_id={}, **changes)


def parse_keyring(text: str) -> Keyring:
    """A keyring from the key file's text (the JSON keyring, or a bare Fernet key of old)."""
    text = (text or "").strip()
    if not text:
        raise KeyFileError("密钥文件是空的。")
    if not text.startswith("{"):
        key = _legacy_key(text)
        return Keyring(current=key, keys=(key,), legacy_text=True)
    try:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise KeyFileError(f"密钥文件的格式标记不对（{data.get('format')!r}）。")
        keys = tuple(
            FieldKey(id=k["id"], alg=k["alg"], secret=k["secret"], created=k.get("created", "")) for k in data["keys"]
        )
        by_id = {k.id: k for k in keys}
        current = by_id[data["current"]]
        for k in keys:
            if k.alg not in ("sm4", LEGACY) or (k.alg == "sm4" and len(_unb64(k.secret)) != 32):
                raise KeyFileError(f"密钥文件中的密钥 {k.id} 不完整或已损坏。")
    except KeyFileError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KeyFileError("密钥文件已损坏，无法读取（不是完整的密钥环）。") from exc
    ordered = (current, *(k for k in keys if k is not current))
    return Keyring(current=current, keys=ordered, rotation=data.get("rotation"), history=tuple(data.get("history", ())))


def write_keyring(path: Path, ring: Keyring) -> None:
    """Replace the key file atomically (never a half-written key file), mode 600."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(ring.to_text())
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


# --- the keyring in use ----------------------------------------------------------------------

_lock = threading.Lock()
# The key file is looked at (stat) at most this often: a running server follows a rotation within
# a second, and an encryption does not pay a system call each time.
RECHECK_SECONDS = 1.0


@dataclass
class _Cached:
    source: tuple  # (env value, key file path) the keyring was read for
    sig: tuple  # the key file's identity when read
    checked: float
    ring: Keyring


_cache: _Cached | None = None


def key_file() -> Path:
    return Path(settings.FIELD_ENCRYPTION_KEY_FILE)


def _signature(env: str, path: Path) -> tuple:
    if env:
        return ("env", env)
    try:
        st = path.stat()
    except FileNotFoundError:
        with _lock:
            if not path.exists():  # a new installation: one fresh SM4 key
                key = new_key()
                write_keyring(path, Keyring(current=key, keys=(key,)))
        st = path.stat()
    return ("file", st.st_size, st.st_mtime_ns, st.st_ino)


def keyring() -> Keyring:
    """The keyring in force: FIELD_ENCRYPTION_KEY, else the key file (made on first use)."""
    global _cache
    env = settings.FIELD_ENCRYPTION_KEY
    source = (env, str(settings.FIELD_ENCRYPTION_KEY_FILE))
    now = time.monotonic()
    cached = _cache
    if cached is not None and cached.source == source and now - cached.checked < RECHECK_SECONDS:
        return cached.ring
    path = key_file()
    sig = _signature(env, path)
    if cached is not None and cached.source == source and cached.sig == sig:
        cached.checked = now
        return cached.ring
    ring = parse_keyring(env if env else path.read_text(encoding="utf-8"))
    _cache = _Cached(source, sig, now, ring)
    return ring


def reset() -> None:
    """Forget the cached keyring (after the key file was replaced within the same second)."""
    global _cache
    _cache = None


def keyring_text() -> str:
    """The key material as the office keeps it (for a backup made --with-key)."""
    if settings.FIELD_ENCRYPTION_KEY:
        return settings.FIELD_ENCRYPTION_KEY.strip()
    keyring()  # make the file on first use
    return key_file().read_text(encoding="utf-8")


def encrypt(value: str) -> str:
    return keyring().encrypt(value)


def decrypt(token: str) -> str:
    return keyring().decrypt(token)


def lookup_hash(value: str) -> str:
    """The hash to store beside a new value (current key)."""
    return keyring().lookup_hash(value)


def lookup_hashes(value: str) -> list[str]:
    """Every hash to search for (all live keys: during a rotation, old rows keep the old hash)."""
    return keyring().lookup_hashes(value)
