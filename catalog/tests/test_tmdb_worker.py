"""The TMDB sync on real Celery workers (Redis broker) against the local stand-in.

Each test starts ``celery -A nextfilms worker`` as a subprocess on the test Redis
database (15, or ``CELERY_TEST_REDIS_DB``; flushed first), pointed at the pytest
database and at the stand-in, and sends tasks by name, as beat would. Rows are
committed (``transactional_db``) so the worker sees them.
"""

import re
import time
from collections import Counter
from pathlib import Path

import pytest
from celery import Celery

from catalog.models import Credit, Movie, Person, SyncRun
from catalog.tests.conftest import run_sync_tmdb
from catalog.tmdb import parsing, runs
from catalog.tmdb.runs import auth_problem
from conftest import CELERY_TEST_BROKER, kill_process_group, wait_until

STANDIN_SEED = 3
pytestmark = pytest.mark.worker

ROOT = Path(__file__).resolve().parents[2]
# A killed worker's unacknowledged tasks come back after the visibility timeout
# (the longest task's time limit, over half an hour); some tests shorten it so
# redelivery fits in seconds, "settings" keeps it.
WORKER_BOOT = """
import sys
from nextfilms.celery import app
if sys.argv[1] != "settings":
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "visibility_timeout": float(sys.argv[1]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
app.worker_main(sys.argv[2:])
"""


@pytest.fixture
def broker(redis_db):
    app = Celery("tmdb-worker-tests", broker=CELERY_TEST_BROKER)
    yield app
    app.close()


def send(broker, task, **kwargs):
    broker.send_task(f"catalog.tasks.{task}", kwargs=kwargs)


@pytest.fixture
def start_worker(celery_process, standin):
    """Start a TMDB-syncing worker on the stand-in."""
    started = []

    def start(*, rate, token="test-token", concurrency=4, visibility_timeout="settings"):
        process = celery_process(
            [
                str(visibility_timeout),
                "worker",
                "--loglevel=INFO",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                f"--hostname=tmdb-test-{len(started)}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            boot=WORKER_BOOT,
            env={
                "TMDB_API_URL": standin.url,
                "TMDB_API_TOKEN": token,
                "TMDB_RATE_LIMIT": str(rate),
            },
        )
        started.append(process)
        return process

    return start


def make_films(standin, count):
    """``count`` films the stand-in knows, by TMDB id (Fight Club left out)."""
    ids = [tmdb_id for tmdb_id in standin.catalog.movie_ids if tmdb_id != 550][:count]
    Movie.objects.bulk_create(
        Movie(movielens_id=n, title=f"Film {n}", movielens_title=f"Film {n}", tmdb_id=tmdb_id)
        for n, tmdb_id in enumerate(ids, start=1)
    )
    return ids


def run_of(kind):
    return SyncRun.objects.filter(kind=kind).order_by("-pk").first()


def finished(kind):
    run = run_of(kind)
    return run is not None and run.status == SyncRun.Status.FINISHED


def statuses():
    return dict(Counter(Movie.objects.values_list("tmdb_status", flat=True)))


def test_backfill_through_rate_limits_and_server_errors_loses_no_film(
    start_worker, standin, broker
):
    ids = make_films(standin, 200)
    standin.faults.not_found_ids = set(ids[:3])
    # Configured above what the stand-in allows, so it answers 429s.
    standin.faults.rate_limit, standin.faults.retry_after = 30, 1
    standin.faults.error_rate = 0.05
    start_worker(rate=35)

    send(broker, "sync_tmdb_backfill", chunk_size=25)
    wait_until(lambda: finished(SyncRun.Kind.BACKFILL), timeout=60)

    assert statuses() == {"ok": 197, "not_found": 3}
    run = run_of(SyncRun.Kind.BACKFILL)
    assert (run.total, run.done, run.not_found, run.failed) == (200, 197, 3, 0)
    assert standin.recorded(status=429) and standin.recorded(status=500)
    assert not Movie.objects.filter(tmdb_status="ok", credits=None).exists()


def test_workers_keep_to_the_configured_rate(start_worker, standin, broker):
    make_films(standin, 120)
    start_worker(rate=20)

    send(broker, "sync_tmdb_backfill", chunk_size=10)
    wait_until(lambda: finished(SyncRun.Kind.BACKFILL), timeout=30)

    requests = standin.recorded("/3/movie/")
    assert len(requests) == 120
    span = requests[-1].started - requests[0].started
    achieved = (len(requests) - 1) / span
    # Over any two seconds, within 10% of the rate: a tenth of a second's burst
    # plus requests a busy machine sent late, together.
    assert standin.max_in_window(2.0) / 2 <= 20 * 1.1
    assert 0.85 * 20 <= achieved <= 20 * 1.05
    assert max(request.in_flight for request in requests) <= 20


def test_refused_token_stops_the_sync_and_is_recorded(start_worker, standin, broker):
    standin.faults.token = "the-real-token"
    make_films(standin, 60)
    start_worker(rate=20, token="a-revoked-token")

    send(broker, "sync_tmdb_backfill", chunk_size=10)
    wait_until(
        lambda: getattr(run_of(SyncRun.Kind.BACKFILL), "status", "") == "stopped", timeout=20
    )
    time.sleep(1.5)  # the other chunks get their turn, and must not fetch

    run = run_of(SyncRun.Kind.BACKFILL)
    assert "Invalid API key" in run.last_error
    assert "Invalid API key" in auth_problem()
    requests = standin.recorded()
    # At most one request per pool process (4), each answered 401 and never retried.
    assert 1 <= len(requests) <= 4
    assert {request.status for request in requests} == {401}
    assert len({request.path for request in requests}) == len(requests)
    assert statuses() == {"pending": 60}


def test_worker_killed_mid_chunk_loses_and_duplicates_nothing(start_worker, standin, broker):
    ids = make_films(standin, 60)
    worker = start_worker(rate=15, concurrency=2, visibility_timeout=5)

    send(broker, "sync_tmdb_backfill", chunk_size=10)
    wait_until(lambda: Movie.objects.filter(tmdb_status="ok").count() >= 12, timeout=20)
    kill_process_group(worker)
    synced_before_kill = Movie.objects.filter(tmdb_status="ok").count()
    assert synced_before_kill < 60

    start_worker(rate=15, concurrency=2, visibility_timeout=5)
    wait_until(lambda: finished(SyncRun.Kind.BACKFILL), timeout=45)

    assert statuses() == {"ok": 60}
    run = run_of(SyncRun.Kind.BACKFILL)
    assert (run.total, run.done, run.failed) == (60, 60, 0)
    # Each film holds exactly the credits TMDB lists, once.
    for tmdb_id in ids:
        metadata = parsing.parse_movie(standin.catalog.movie(tmdb_id, {"credits"}))
        crew = {(m.person_tmdb_id, m.job) for m in (*metadata.directors, *metadata.writers)}
        expected = len(metadata.cast) + len(crew)
        assert Credit.objects.filter(movie__tmdb_id=tmdb_id).count() == expected, tmdb_id
    assert Person.objects.count() == len(set(Credit.objects.values_list("person", flat=True)))
    # Only the films the killed chunks had not finished were fetched again.
    assert len(standin.recorded("/3/movie/")) <= 60 + 2


def test_a_killed_workers_chunk_stalls_its_run_until_staff_resume_it(start_worker, standin, broker):
    make_films(standin, 60)
    survivor = start_worker(rate=8, concurrency=1)
    doomed = start_worker(rate=8, concurrency=1)

    send(broker, "sync_tmdb_backfill", chunk_size=10)
    wait_until(
        lambda: (
            "sync_tmdb_chunk" in doomed.log_path.read_text()
            and Movie.objects.filter(tmdb_status="ok").count() >= 4
        ),
        timeout=30,
    )
    kill_process_group(doomed)  # kill -9, its chunk unacknowledged in Redis
    (lost_chunk,) = re.findall(
        r"sync_tmdb_chunk\[([0-9a-f-]+)\] received", doomed.log_path.read_text()
    )

    # The survivor does the rest; the doomed chunk stays with the dead worker.
    run = run_of(SyncRun.Kind.BACKFILL)
    wait_until(
        lambda: len(SyncRun.objects.get(pk=run.pk).chunk_results) == run.chunks_total - 1,
        timeout=45,
    )
    time.sleep(2)
    run.refresh_from_db()
    assert run.status == SyncRun.Status.RUNNING and run.processed < 60
    assert runs.stalled_for(run) is None
    # Time passes: longer than a chunk may take, and no chunk finished.
    SyncRun.objects.filter(pk=run.pk).update(updated_at=run.updated_at - runs.RUN_STALLED_AFTER)
    assert runs.stalled_for(SyncRun.objects.get(pk=run.pk))

    result, _ = run_sync_tmdb(standin, CELERY_TEST_BROKER, "--resume", str(run.pk), "--enqueue")

    assert result.returncode == 0, result.stderr
    assert f"Backfill #{run.pk}:" in result.stdout
    wait_until(lambda: finished(SyncRun.Kind.BACKFILL), timeout=30)
    assert statuses() == {"ok": 60}
    fetched = len(standin.recorded("/3/movie/"))
    assert fetched <= 60 + 1  # at most the film in flight when the worker died

    # Much later Redis hands the dead worker's chunk out again: it changes nothing.
    late = start_worker(rate=8, concurrency=1, visibility_timeout=1)
    wait_until(
        lambda: any(
            f"{lost_chunk}] succeeded" in worker.log_path.read_text() for worker in (survivor, late)
        ),
        timeout=30,
    )
    run.refresh_from_db()
    assert (run.status, run.total, run.done, run.processed) == (SyncRun.Status.FINISHED, 60, 60, 60)
    assert len(standin.recorded("/3/movie/")) == fetched
    assert survivor.poll() is None
