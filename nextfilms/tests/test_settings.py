"""Settings come from the environment and refuse bad values in production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-secret-key-that-is-long-enough-" + "k" * 20,
    "ALLOWED_HOSTS": "nextfilms.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/nextfilms",
    "REDIS_URL": "redis://127.0.0.1:6379/14",
    "EMAIL_URL": "smtp+tls://nextfilms:secret@smtp.example.com:587",
}


# Set by the test settings in this process; a fresh process must not inherit them.
INHERITED = {
    *PRODUCTION,
    "SECURE_SSL_REDIRECT",
    "CACHE_URL",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def manage(*args, **environment):
    env = {key: value for key, value in os.environ.items() if key not in INHERITED}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_pass_the_deployment_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must be set"),
        ({"DEBUG": "ture"}, "DEBUG must be true or false"),
        ({"CONN_MAX_AGE": "sixty"}, "CONN_MAX_AGE must be a whole number"),
    ],
)
def test_missing_or_malformed_values_fail_loudly(override, message):
    result = manage("check", **{**PRODUCTION, **override})
    assert result.returncode != 0
    assert message in result.stderr


def without(*names):
    return {name: value for name, value in PRODUCTION.items() if name not in names}


def test_redis_url_gives_every_worker_the_same_cache():
    show = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = manage("shell", "--no-imports", "-c", show, **PRODUCTION)
    assert result.stdout.strip() == "django.core.cache.backends.redis.RedisCache", result.stderr


@pytest.mark.parametrize(
    "environment",
    [without("REDIS_URL"), {**PRODUCTION, "CACHE_URL": "locmemcache://"}],
    ids=["no-redis", "locmem-cache-url"],
)
def test_the_deployment_check_refuses_a_cache_each_worker_keeps_to_itself(environment):
    result = manage("check", "--deploy", **environment)
    assert result.returncode != 0
    assert "nextfilms.E001" in result.stderr
    assert "Set REDIS_URL" in result.stderr


def test_the_deployment_check_refuses_reset_links_written_to_the_log():
    result = manage("check", "--deploy", **without("EMAIL_URL"))
    assert result.returncode != 0
    assert "nextfilms.E002" in result.stderr
    assert "password-reset links" in result.stderr


def test_development_needs_no_configuration(tmp_path):
    result = manage("check", DEBUG="true", VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr


def checkout_files():
    """Untracked and ignored paths in the checkout, less what tools and tests write."""
    listing = subprocess.run(
        ["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],  # noqa: S607
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    tooling = (".venv/", "test-artifacts/", ".pytest_cache/", ".ruff_cache/", "__pycache__")
    return {line for line in listing if not any(part in line for part in tooling)}


def test_with_its_paths_set_the_site_writes_nothing_into_the_checkout(tmp_path):
    before = checkout_files()
    paths = {
        "VAR_DIR": str(tmp_path / "var"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    on_sqlite = {name: value for name, value in PRODUCTION.items() if name != "DATABASE_URL"}
    for command in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):
        result = manage(*command, **on_sqlite, **paths)
        assert result.returncode == 0, result.stderr

    assert (tmp_path / "static" / "css").is_dir()
    assert (tmp_path / "var" / "nextfilms.sqlite3").is_file()
    assert checkout_files() == before
