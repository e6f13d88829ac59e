"""Web workers share one cache: what one worker changes, the others see at once.

Each worker here is a process of its own with production settings and
``REDIS_URL`` set, as the Procfile's gunicorn workers are; they meet in Redis
database 14.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SHARED_CACHE_TEST_URL

BASE_DIR = Path(__file__).resolve().parents[2]


def in_worker(code, tmp_path):
    """Run ``code`` in a fresh process with production settings; return what it printed."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "CACHE_URL"}
    }
    environment.update(
        DEBUG="false",
        SECRET_KEY="a-production-secret-key-that-is-long-enough-" + "k" * 20,
        ALLOWED_HOSTS="nextfilms.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        REDIS_URL=SHARED_CACHE_TEST_URL,
        DJANGO_SETTINGS_MODULE="nextfilms.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.sqlite(reason="the workers use a database of their own")
def test_a_catalog_change_in_one_worker_reaches_the_others(shared_cache_redis, tmp_path):
    changed_in_one = in_worker(
        "from catalog.page_cache import catalog_changed, catalog_generation\n"
        "catalog_changed()\n"
        "print(catalog_generation())",
        tmp_path,
    )
    seen_by_another = in_worker(
        "from catalog.page_cache import catalog_generation\nprint(catalog_generation())",
        tmp_path,
    )
    assert seen_by_another == changed_in_one
