"""Fixtures shared by every app's tests: personas and the shared data paths."""

import itertools
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SHARED_DIR = Path(__file__).resolve().parent.parent / "shared"
MOVIELENS_SMALL_ZIP = SHARED_DIR / "data" / "movielens" / "ml-latest-small.zip"


def pytest_collection_modifyitems(config, items):
    """Run each test on the databases it is about, skipping it elsewhere with its reason.

    ``postgresql`` marks tests of PostgreSQL features; ``sqlite`` marks tests that
    need no test database of their own and run once, in the SQLite pass.
    """
    from django.conf import settings

    on_sqlite = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    for item in items:
        for name, label in (("postgresql", "PostgreSQL"), ("sqlite", "SQLite")):
            marker = item.get_closest_marker(name)
            if marker and on_sqlite != (name == "sqlite"):
                reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
                item.add_marker(pytest.mark.skip(reason=f"{label} only: {reason}"))


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (pages, throttles, TMDB settings) and no model.

    The serving model is kept per process and rechecked every few seconds: a model
    an earlier test loaded would otherwise still serve the next one.
    """
    from django.core.cache import cache

    from recommender.serving import model_cache

    cache.clear()
    model_cache.reset()
    yield
    cache.clear()
    model_cache.reset()


@pytest.fixture
def movielens_small_zip():
    if not MOVIELENS_SMALL_ZIP.is_file():
        pytest.fail(f"{MOVIELENS_SMALL_ZIP} is missing: the tests need ../shared beside the repo.")
    return MOVIELENS_SMALL_ZIP


@pytest.fixture(scope="module")
def movielens_catalog(django_db_setup, django_db_blocker):
    """The real ml-latest-small catalog, loaded once for a module and removed after it."""
    from catalog.models import Genre, Movie
    from ratings.movielens import import_movielens

    with django_db_blocker.unblock():
        import_movielens(str(MOVIELENS_SMALL_ZIP), progress=False)
        yield
        Movie.objects.all().delete()
        Genre.objects.all().delete()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS_DIR = Path(__file__).resolve().parent / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no browser download needed)."""
    import os

    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`.")
    # Playwright's sync API keeps an event loop around; the ORM calls our tests
    # make between browser steps are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser tab; a screenshot of it lands in test-artifacts/ after the test.

    Anything the Content-Security-Policy blocked on any page the tab showed fails
    the test: the site's own pages must never need more than the policy allows.
    """
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    blocked = []
    tab.on(
        "console",
        lambda message: "Content Security Policy" in message.text and blocked.append(message.text),
    )
    yield tab
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    tab.screenshot(path=ARTIFACTS_DIR / f"{request.node.name}.png", full_page=True)
    context.close()
    if blocked:
        pytest.fail("The Content-Security-Policy blocked:\n" + "\n".join(blocked))


JOURNEY_VIEWPORTS = {
    "phone": {"width": 390, "height": 844},
    "tablet": {"width": 820, "height": 1180},
    "desktop": {"width": 1440, "height": 900},
}


@pytest.fixture
def snap(page, request):
    """``snap("step")`` saves the tab at phone, tablet and desktop widths.

    The pictures land in ``test-artifacts/journeys/<journey>/NN-step-<width>.png``,
    numbered in the order the journey takes them. ``at=locator`` scrolls that
    element into view first.
    """
    folder = ARTIFACTS_DIR / "journeys" / request.node.name.removeprefix("test_")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    numbers = itertools.count(1)
    # The site's own default theme (headless Chromium would otherwise ask for light).
    page.emulate_media(color_scheme="dark")

    def take(step, *, at=None):
        number = next(numbers)
        original = page.viewport_size
        page.mouse.move(0, 0)  # no hover effects left where the last click was
        for width, viewport in JOURNEY_VIEWPORTS.items():
            page.set_viewport_size(viewport)
            if at is not None:
                at.scroll_into_view_if_needed()
            page.screenshot(path=folder / f"{number:02d}-{step}-{width}.png", animations="disabled")
        page.set_viewport_size(original)

    return take


@pytest.fixture
def alice(django_user_model):
    """A member with an account."""
    return django_user_model.objects.create_user("alice", "alice@example.com", "correct horse 1")


@pytest.fixture
def bob(django_user_model):
    """Another member, whose data alice must never see or change."""
    return django_user_model.objects.create_user("bob", "bob@example.com", "battery staple 2")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def staff(django_user_model):
    """A curator with every admin permission."""
    return django_user_model.objects.create_superuser("curator", "curator@example.com", "pw")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def log_in(page, username="alice", password="correct horse 1"):
    """Log a browser tab in through the log-in form and wait for the member menu."""
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".menu summary")).to_have_text(username)


@pytest.fixture
def standin(request):
    """A local TMDB stand-in for the test; a module may set ``STANDIN_SEED`` for its faults."""
    from devtools.tmdb_standin import TMDBStandin

    server = TMDBStandin(seed=getattr(request.module, "STANDIN_SEED", 1)).start()
    yield server
    server.stop()


# --- Real Celery processes -----------------------------------------------------

# Database 15 unless CELERY_TEST_REDIS_DB names another, so that two runs of the
# worker tests on one machine do not flush each other's queues.
CELERY_TEST_REDIS_DB = int(os.environ.get("CELERY_TEST_REDIS_DB", "15"))
CELERY_TEST_BROKER = f"redis://127.0.0.1:6379/{CELERY_TEST_REDIS_DB}"


# Redis database 14 (or SHARED_CACHE_TEST_URL): the shared cache of web workers the
# tests start, so that two runs on one machine do not flush each other's.
SHARED_CACHE_TEST_URL = os.environ.get("SHARED_CACHE_TEST_URL", "redis://127.0.0.1:6379/14")


def empty_redis(url):
    """The Redis database at ``url``, flushed before and after the test."""
    import redis

    connection = redis.Redis.from_url(url)
    try:
        connection.flushdb()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (`make services` starts it).")
    yield connection
    connection.flushdb()


@pytest.fixture
def redis_db():
    """The test Redis database (15 by default), empty, as the broker of Celery processes."""
    yield from empty_redis(CELERY_TEST_BROKER)


@pytest.fixture
def shared_cache_redis():
    """Redis database 14, empty, as the cache web workers started by a test share."""
    yield from empty_redis(SHARED_CACHE_TEST_URL)


def database_url_for_subprocesses():
    """The URL of the database this test uses, for processes it starts."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def wait_until(condition, *, timeout, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"Still waiting after {timeout} s.")


def kill_process_group(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture
def celery_process(transactional_db, redis_db, tmp_path):
    """Start Celery processes (worker, beat) on the test database and the test Redis.

    ``start(args, env=…, boot=…, ready=…)`` runs ``celery -A nextfilms *args`` (or
    ``python -c boot *args``) and waits for ``ready`` in its log; every process
    started is killed with its children after the test.
    """
    started = []

    def start(args, *, env=None, boot=None, ready="ready."):
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "nextfilms.settings_test",
            "DATABASE_URL": database_url_for_subprocesses(),
            "CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": CELERY_TEST_BROKER,
            "REDIS_URL": CELERY_TEST_BROKER,
            **(env or {}),
        }
        if boot:
            command = [sys.executable, "-c", boot, *args]
        else:
            command = [sys.executable, "-m", "celery", "-A", "nextfilms", *args]
        log_path = tmp_path / f"celery-{len(started)}.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                command,
                cwd=Path(__file__).resolve().parent,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, pool included
            )
        started.append(process)
        wait_until(lambda: ready in log_path.read_text() or process.poll() is not None, timeout=30)
        assert process.poll() is None, log_path.read_text()
        process.log_path = log_path
        return process

    yield start
    for process in started:
        kill_process_group(process)
