"""Celery tasks for the TMDB sync: they take ids and call ``catalog.tmdb.runs``.

Every task acknowledges late and is rejected back to the queue when its worker
dies, so a killed worker's chunk runs again; the per-film writes are idempotent
and a chunk skips what it already finished. Only transient failures (TMDB busy
or down, the database or Redis unreachable) are retried, with exponential
backoff and jitter; a refused credential stops the sync instead.
"""

import logging
from functools import partial

import kombu.exceptions
import redis
from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, transaction

from catalog.models import Movie
from catalog.tmdb import api, runs, sync

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (
    api.TMDBTransientError,
    OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
RETRYING = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 10,
    "retry_backoff_max": 600,
    "retry_jitter": True,
}
ON_DEMAND_LOCK_SECONDS = 10 * 60
# Never above the default limit, which the broker's visibility timeout is set from.
CHUNK_TIME_LIMIT_SECONDS = min(
    int(runs.CHUNK_TIME_LIMIT.total_seconds()), settings.CELERY_TASK_TIME_LIMIT
)
# What sending a task raises when the broker is down or does not answer in time
# (connect and socket timeouts, then the publish retry policy, in settings).
BROKER_ERRORS = (kombu.exceptions.OperationalError,)


class QueueingFailed(Exception):
    """The broker did not take a run's chunks; the run was stopped, nothing was lost."""


@shared_task(
    max_retries=6,
    soft_time_limit=CHUNK_TIME_LIMIT_SECONDS * 9 // 10,
    time_limit=CHUNK_TIME_LIMIT_SECONDS,
    **RETRYING,
)
def sync_tmdb_chunk(self, run_id, chunk_index, movie_ids):
    """One chunk of a run; on its last try, films still failing stay failed and due later."""
    give_up = self.request.retries >= self.max_retries
    runs.sync_chunk(run_id, chunk_index, movie_ids, give_up=give_up)


@shared_task(max_retries=3, **RETRYING)
def sync_tmdb_movie(self, movie_id):
    """One film (a page view found it missing or stale)."""
    try:
        sync.sync_movie(movie_id)
    except Movie.DoesNotExist:
        logger.info("TMDB sync: movie %s no longer exists", movie_id)
    except api.TMDBAuthError as error:
        runs.record_auth_problem(f"TMDB refused the credential: {error}")


@shared_task(max_retries=3, **RETRYING)
def sync_tmdb_backfill(self, chunk_size=runs.CHUNK_SIZE):
    """Every film owed a fetch, in chunks (the periodic backfill; resumes by itself)."""
    dispatch(runs.plan_backfill(chunk_size))


@shared_task(max_retries=3, **RETRYING)
def sync_tmdb_changes(self, chunk_size=runs.CHUNK_SIZE):
    """The films TMDB changed since the last pass (daily)."""
    dispatch(runs.plan_changes(chunk_size=chunk_size))


def dispatch(plan):
    """Send a plan's chunks to the workers; returns its run, or None for no plan.

    Raises ``QueueingFailed`` when the broker refuses them, after stopping the run
    and putting its films back (``runs.not_queued``).
    """
    if plan is None:
        return None
    try:
        for index, movie_ids in plan.numbered_chunks():
            sync_tmdb_chunk.delay(plan.run.pk, index, movie_ids)
    except BROKER_ERRORS as error:
        runs.not_queued(plan, error)
        raise QueueingFailed(
            f"The task queue did not answer ({runs.one_line(error)}); {plan.run} was "
            "stopped and nothing was sent. Check CELERY_BROKER_URL and that the broker runs."
        ) from error
    runs.queued(plan)
    return plan.run


def sync_movies_now(movie_ids):
    """Queue chosen films as an on-demand run once the current transaction commits."""
    plan = runs.plan_movies(movie_ids)
    transaction.on_commit(partial(dispatch, plan))
    return plan.run


def queue_refresh_if_stale(movie):
    """Ask a worker to fetch ``movie`` when its TMDB data is missing or stale.

    Never makes the page wait: the task is sent after the request's transaction
    commits, at most once per film every ten minutes (a cache lock), and not at
    all without a token, with tasks in-process (no broker: the fetch would run
    inside the request), or while TMDB refuses our credential.
    """
    if not settings.TMDB_API_TOKEN or settings.CELERY_TASK_ALWAYS_EAGER:
        return False
    if not sync.wants_refresh(movie):
        return False
    if not cache.add(f"tmdb:on-demand:{movie.pk}", 1, ON_DEMAND_LOCK_SECONDS):
        return False
    if runs.auth_problem():
        return False
    transaction.on_commit(partial(_send_movie_task, movie.pk))
    return True


def _send_movie_task(movie_id):
    try:
        sync_tmdb_movie.delay(movie_id)
    except Exception:
        # The broker being down must not turn a film page into an error page.
        logger.warning("Could not queue the TMDB fetch of movie %s", movie_id, exc_info=True)
