"""``sync_tmdb --enqueue`` when the broker is down, silent, or back (#11, 12–13).

The command runs as a real process, as an operator runs it, against a port
nobody listens on, a local TCP server that accepts connections and never
answers, or the test Redis; TMDB is the local stand-in.
"""

import socket
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Movie, SyncRun, TMDBSyncState
from catalog.tests.conftest import run_sync_tmdb
from catalog.tests.factories import make_movie
from catalog.tmdb import runs
from conftest import CELERY_TEST_BROKER

STANDIN_SEED = 4
pytestmark = pytest.mark.django_db(transaction=True)

AVATAR, PIRATES, SPECTRE = 19995, 285, 206647


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_broker():
    """A TCP server that accepts every connection and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []

    def accept_forever():
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:  # closed at the end of the test
                return

    threading.Thread(target=accept_forever, daemon=True).start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0", accepted
    server.close()
    for connection in accepted:
        connection.close()


def assert_one_line_error(result):
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("CommandError: The task queue did not answer")
    return lines[0]


def test_broker_down_fails_in_one_line_and_frees_the_backfill(standin):
    films = [make_movie(tmdb_id=tmdb_id) for tmdb_id in (AVATAR, PIRATES, SPECTRE)]

    result, seconds = run_sync_tmdb(
        standin, f"redis://127.0.0.1:{closed_port()}/0", "--backfill", "--enqueue"
    )

    assert "Connection refused" in assert_one_line_error(result)
    assert seconds < 15
    run = SyncRun.objects.get()
    assert run.status == SyncRun.Status.STOPPED
    assert "could not be queued" in run.last_error
    # Nothing lost: the films are still owed a fetch, and the next backfill takes them.
    plan = runs.plan_backfill()
    assert plan is not None and sorted(plan.chunks[0]) == sorted(m.pk for m in films)


def test_a_broker_that_never_answers_times_out(standin, silent_broker):
    url, accepted = silent_broker
    make_movie(tmdb_id=AVATAR)

    result, seconds = run_sync_tmdb(standin, url, "--backfill", "--enqueue")

    assert accepted, "the command never reached the silent broker"
    assert "Timeout" in assert_one_line_error(result)
    assert seconds < 20
    assert SyncRun.objects.get().status == SyncRun.Status.STOPPED

    result, _ = run_sync_tmdb(standin, url, "--movie", str(Movie.objects.get().pk), "--enqueue")
    assert_one_line_error(result)


def test_changes_pass_with_the_broker_down_changes_nothing_then_runs_when_it_is_back(
    standin, redis_db
):
    old = timezone.now() - timedelta(days=3)
    changed = [
        make_movie(tmdb_id=AVATAR, tmdb_status="ok", tmdb_synced_at=old),
        make_movie(
            tmdb_id=PIRATES, tmdb_status="failed", tmdb_next_attempt_at=old + timedelta(days=9)
        ),
    ]
    standin.changed = [AVATAR, PIRATES]
    state = TMDBSyncState.load()
    state.changes_synced_until = timezone.now().date() - timedelta(days=2)
    state.save()

    result, _ = run_sync_tmdb(
        standin, f"redis://127.0.0.1:{closed_port()}/0", "--changes", "--enqueue"
    )

    assert_one_line_error(result)
    assert TMDBSyncState.load().changes_synced_until == timezone.now().date() - timedelta(days=2)
    assert [(m.tmdb_status, m.tmdb_next_attempt_at) for m in Movie.objects.order_by("pk")] == [
        ("ok", None),
        ("failed", changed[1].tmdb_next_attempt_at),
    ]
    assert SyncRun.objects.get().status == SyncRun.Status.STOPPED

    result, _ = run_sync_tmdb(standin, CELERY_TEST_BROKER, "--changes", "--enqueue")

    assert result.returncode == 0, result.stderr
    assert "2 films sent to the workers" in result.stdout
    assert TMDBSyncState.load().changes_synced_until == timezone.now().date()
    assert set(Movie.objects.values_list("tmdb_status", flat=True)) == {"pending"}
    assert redis_db.llen("celery") == 1  # one chunk, waiting for a worker
