"""The demo logins `make run` prints (only in demo installations)."""

import json

from django.conf import settings

LOGINS_FILE = "demo-logins.json"


def save_demo_logins(logins: list[tuple[str, str, str]]) -> None:
    path = settings.VAR_DIR / LOGINS_FILE
    path.write_text(json.dumps(logins, ensure_ascii=False))
    path.chmod(0o600)


def demo_logins() -> list[tuple[str, str, str]]:
    if not settings.DEMO_MODE:
        return []
    path = settings.VAR_DIR / LOGINS_FILE
    if not path.exists():
        return []
    return [tuple(x) for x in json.loads(path.read_text())]
