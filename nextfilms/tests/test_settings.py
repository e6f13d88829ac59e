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
}


# Set by the test settings in this process; a fresh process must not inherit them.
INHERITED = {
    *PRODUCTION,
    "SECURE_SSL_REDIRECT",
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


def test_development_needs_no_configuration(tmp_path):
    result = manage("check", DEBUG="true", VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
