"""Test settings: the real settings with plain static storage and a fast hasher."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DANGJIAN_VAR", tempfile.mkdtemp(prefix="dangjian-test-"))
os.environ.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")

from dangjian.settings import *  # noqa: E402,F403
from dangjian.settings import VAR_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.Argon2PasswordHasher"]
MEDIA_ROOT = Path(VAR_DIR) / "uploads"
DEBUG = False
# live_server wraps the app in a media handler that parses MEDIA_URL; None (uploads are
# never served directly) makes it crash on every request. A URL nothing links to is enough.
MEDIA_URL = "/_test_media_not_served/"
# Most tests sign in with force_login and no second factor; the two-factor tests turn the
# requirement on themselves (tests/accounts/test_accounts_two_factor.py, the e2e test).
TWO_FACTOR_REQUIRED_ROLES = ()
# Tests open several clients per account; the one-session rule is tested on its own.
ONE_SESSION_PER_STAFF_ACCOUNT = False
# Background tasks run at once, inside the test (the worker is a separate process in production).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# The development commands (bench, loadtest) are tested too.
if "dangjian.devtools" not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS = [*INSTALLED_APPS, "dangjian.devtools"]  # noqa: F405
