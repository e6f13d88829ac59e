"""Settings for the test suite: production settings with test-only conveniences.

Every value still comes from ``nextfilms.settings``; this module only supplies
defaults for the variables tests need and relaxes what tests cannot use (HTTPS
redirects, the collected static-file manifest, slow password hashing).
"""

import os
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nextfilms")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DEBUG", "false")
# One process, so per-process memory serves (and is fast); tests of the shared
# cache start their own processes on Redis database 14.
os.environ.setdefault("CACHE_URL", "locmemcache://")
os.environ.setdefault(
    "MODEL_DIR", str(Path(__file__).resolve().parent.parent / "var" / "test-models")
)

from nextfilms.settings import *  # noqa: F403
from nextfilms.settings import DATABASES, STORAGES, VAR_DIR

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: Celery workers and servers the tests start must see it too.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-nextfilms.sqlite3")}

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
