"""The small site the page-wide browser checks walk through; ``sync_tmdb`` as a process."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

from catalog.tests.factories import make_movie
from conftest import CELERY_TEST_BROKER, database_url_for_subprocesses
from ratings.models import Rating
from recommender.tests.factories import planted_catalog, trained_model

ROOT = Path(__file__).resolve().parents[2]
# Whatever the broker does, ``sync_tmdb`` must be done well within this.
COMMAND_DEADLINE = 30

PUBLIC_PAGES = [
    "/",
    "/browse/",
    "/search/?q=comedy",
    "/about/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
]
MEMBER_PAGES = [
    "/",
    "/for-you/",
    "/me/ratings/",
    "/me/lists/favorites/",
    "/me/lists/watchlist/",
    "/me/lists/not-interested/",
    "/welcome/",
    "/accounts/settings/",
    "/me/import/",
    "/friends/",
    "/together/",
]


@pytest.fixture
def site(alice):
    """A trained catalog, alice with five ratings; returns a film to open."""
    clusters = planted_catalog(n_per_cluster=8)
    trained_model()
    film = clusters["Comedy"][0]
    for movie in clusters["Comedy"][1:6]:
        Rating.objects.create(user=alice, movie=movie, value=4.5)
    make_movie(
        "Heat",
        year=1995,
        genres=["Crime"],
        rating_count=3,
        rating_mean=4.0,
        rating_histogram=[0, 0, 0, 0, 0, 0, 1, 1, 1, 0],
    )
    return film


def run_sync_tmdb(standin, broker_url, *args):
    """Run ``manage.py sync_tmdb *args`` in its own process; returns (result, seconds)."""
    environment = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "nextfilms.settings_test",
        "DATABASE_URL": database_url_for_subprocesses(),
        "CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": broker_url,
        "TMDB_API_URL": standin.url,
        "TMDB_API_TOKEN": "test-token",
        "REDIS_URL": CELERY_TEST_BROKER,  # the TMDB rate limit, as in production
    }
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "manage.py", "sync_tmdb", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=COMMAND_DEADLINE,
    )
    return result, time.monotonic() - started
