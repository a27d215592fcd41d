"""Encryption at rest for 公民身份号码 and phone numbers.

The key lives outside the database (env FIELD_ENCRYPTION_KEY or var/field.key), so the
database file alone reveals no identity number. A keyed hash (HMAC-SHA256 with a key
derived from the same secret) sits beside each ciphertext for uniqueness and exact lookup.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


@lru_cache(maxsize=1)
def _master_key() -> bytes:
    key = settings.FIELD_ENCRYPTION_KEY
    if not key:
        path = settings.FIELD_ENCRYPTION_KEY_FILE
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(Fernet.generate_key().decode())
            path.chmod(0o600)
        key = path.read_text().strip()
    return key.encode()


@lru_cache(maxsize=1)
def _fernet() -> Fernet:
    return Fernet(_master_key())


@lru_cache(maxsize=1)
def _hash_key() -> bytes:
    return hashlib.sha256(b"dangjian-lookup-hash:" + base64.urlsafe_b64decode(_master_key())).digest()


def encrypt(value: str) -> str:
    if not value:
        return ""
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # wrong key: say so plainly rather than show garbage
        raise ValueError("无法解密：加密密钥与数据不匹配") from exc


def lookup_hash(value: str) -> str:
    if not value:
        return ""
    return hmac.new(_hash_key(), value.encode(), hashlib.sha256).hexdigest()
