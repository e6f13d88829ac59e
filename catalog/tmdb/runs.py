"""Runs of the TMDB sync: backfill, the daily changes pass and on-demand refreshes.

The same functions serve the Celery tasks (``catalog.tasks``), the ``sync_tmdb``
command and the admin. How nothing gets lost or duplicated:

- A run (``SyncRun``) is split in chunks of film ids. A chunk skips films synced
  since the run began (a chunk delivered again after a worker died redoes only
  what it had not finished) and records its counts under its own number.
- 401 stops the run and records the problem for staff; nothing retries it.
- A run is queued before it counts: the changes pass moves its watermark only once
  every chunk is with the broker, and a plan the broker refused is stopped with
  the films it marked put back as they were.
- A run none of whose chunks finished for longer than a chunk's time limit has
  lost a worker: staff see it stalled and may resume it, which queues again the
  chunks that never reported (a late redelivery of the same chunk is harmless);
  the next backfill stops it otherwise.
"""

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.utils import timezone

from catalog.models import Movie, SyncRun, TMDBSyncState
from catalog.tmdb import api
from catalog.tmdb.sync import NO_LOOKUP_KEY, Status, record_failure, sync_loaded_movie

logger = logging.getLogger(__name__)

CHUNK_SIZE = 100
# A chunk is killed after this long (catalog.tasks), so a run none of whose chunks
# reported for longer has lost one: its worker died with the chunk unacknowledged.
CHUNK_TIME_LIMIT = timedelta(minutes=10)
RUN_STALLED_AFTER = CHUNK_TIME_LIMIT
ID_BATCH = 5_000


class NotResumable(Exception):
    """The run cannot be resumed; the message says why."""


@dataclass
class Plan:
    """A run and its chunks of film ids, ready to be sent to workers or run here."""

    run: SyncRun
    chunks: list = field(default_factory=list)
    # The chunks' numbers in the run when they are not 0, 1, 2… (a resumed run).
    chunk_numbers: list | None = None
    # The changes pass: the watermark, moved once the chunks are queued.
    changes_until: date | None = None
    # (pk, status, next attempt) of films this plan marked pending, to put back
    # when its chunks cannot be queued.
    marked_pending: list = field(default_factory=list)

    def numbered_chunks(self):
        return zip(self.chunk_numbers or range(len(self.chunks)), self.chunks, strict=True)


def plan_backfill(chunk_size=CHUNK_SIZE):
    """Start a backfill of every film owed a fetch, most-rated first.

    Returns None while another backfill is making progress: one at a time.
    """
    now = timezone.now()
    with transaction.atomic():
        _lock_sync_state()
        _stop_stalled_runs(now)
        if SyncRun.objects.filter(
            kind=SyncRun.Kind.BACKFILL, status=SyncRun.Status.RUNNING
        ).exists():
            return None
        Movie.objects.filter(tmdb_status=Status.PENDING, tmdb_id=None, imdb_id="").update(
            tmdb_status=Status.NOT_FOUND, tmdb_last_error=NO_LOOKUP_KEY, updated_at=now
        )
        movie_ids = list(
            Movie.objects.needing_tmdb_sync(now)
            .order_by("-rating_count", "pk")
            .values_list("pk", flat=True)
        )
        return _start_run(SyncRun.Kind.BACKFILL, movie_ids, chunk_size)


def plan_changes(*, client=None, today=None, chunk_size=CHUNK_SIZE):
    """Start a run over the films TMDB changed since the last changes pass.

    The watermark moves when the plan's chunks are queued (``queued``); a run
    whose tasks are lost later still leaves its pending films to the next backfill.
    """
    today = today or timezone.now().date()
    if _changes_run_in_progress():
        return None
    start = TMDBSyncState.load().changes_synced_until or today - timedelta(days=1)
    try:
        client = client or api.default_client()
        changed_tmdb_ids = set()
        for window_start, window_end in change_windows(start, today):
            changed_tmdb_ids.update(client.changed_movie_ids(window_start, window_end))
    except api.TMDBAuthError as error:
        run = SyncRun.objects.create(kind=SyncRun.Kind.CHANGES)
        stop_run(run.pk, error)
        return None
    with transaction.atomic():
        _lock_sync_state()
        if SyncRun.objects.filter(
            kind=SyncRun.Kind.CHANGES, status=SyncRun.Status.RUNNING
        ).exists():
            return None
        marked = _mark_changed_films_pending(changed_tmdb_ids)
        plan = _start_run(SyncRun.Kind.CHANGES, [pk for pk, *_ in marked], chunk_size)
    plan.changes_until, plan.marked_pending = today, marked
    return plan


def _changes_run_in_progress():
    with transaction.atomic():
        _lock_sync_state()
        _stop_stalled_runs(timezone.now())
        return SyncRun.objects.filter(
            kind=SyncRun.Kind.CHANGES, status=SyncRun.Status.RUNNING
        ).exists()


def change_windows(start, end):
    """``(start, end)`` day pairs of at most ``api.CHANGES_MAX_DAYS`` covering start..end."""
    windows = []
    window_start = start
    while True:
        window_end = min(end, window_start + timedelta(days=api.CHANGES_MAX_DAYS))
        windows.append((window_start, window_end))
        if window_end >= end:
            return windows
        window_start = window_end


def _mark_changed_films_pending(changed_tmdb_ids):
    """Mark the changed films pending; returns (pk, status, next attempt) as they were."""
    # Films still pending already belong to the backfill; the rest get a refresh.
    marked = []
    changed = sorted(changed_tmdb_ids)
    for start in range(0, len(changed), ID_BATCH):
        films = Movie.objects.filter(tmdb_id__in=changed[start : start + ID_BATCH])
        marked.extend(_mark_pending(films))
    return marked


def _mark_pending(films):
    before = list(
        films.exclude(tmdb_status=Status.PENDING)
        .order_by("pk")
        .values_list("pk", "tmdb_status", "tmdb_next_attempt_at")
    )
    Movie.objects.filter(pk__in=[pk for pk, *_ in before]).update(
        tmdb_status=Status.PENDING, tmdb_next_attempt_at=None
    )
    return before


def plan_movies(movie_ids, chunk_size=CHUNK_SIZE):
    """Start an on-demand run over chosen films (the admin's "Sync from TMDB now")."""
    movie_ids = sorted(set(movie_ids))
    with transaction.atomic():
        marked = _mark_pending(Movie.objects.filter(pk__in=movie_ids))
        plan = _start_run(SyncRun.Kind.ON_DEMAND, movie_ids, chunk_size)
    plan.marked_pending = marked
    return plan


def _start_run(kind, movie_ids, chunk_size):
    chunks = [movie_ids[i : i + chunk_size] for i in range(0, len(movie_ids), chunk_size)]
    run = SyncRun.objects.create(
        kind=kind, total=len(movie_ids), chunks_total=len(chunks), chunks=chunks
    )
    if not chunks:
        _finish(run)
        run.save()
    return Plan(run=run, chunks=chunks)


def _lock_sync_state():
    TMDBSyncState.load()
    return TMDBSyncState.objects.select_for_update().get(pk=1)


def _stop_stalled_runs(now):
    SyncRun.objects.filter(
        status=SyncRun.Status.RUNNING, updated_at__lt=now - RUN_STALLED_AFTER
    ).update(
        status=SyncRun.Status.STOPPED,
        finished_at=now,
        last_error=(
            f"No chunk finished for {_minutes(RUN_STALLED_AFTER)}: its tasks were lost. "
            "The films it did not reach are left to the next backfill."
        ),
    )


def _minutes(delta):
    return f"{int(delta.total_seconds() // 60)} minutes"


def stalled_for(run, now=None):
    """How long a running run has gone without a chunk finishing, once that is longer
    than a chunk may take (its worker died holding one); None while it is fine."""
    if run.status != SyncRun.Status.RUNNING:
        return None
    quiet = (now or timezone.now()) - run.updated_at
    return quiet if quiet > RUN_STALLED_AFTER else None


def queued(plan):
    """Every chunk of ``plan`` is with the broker (or running here): the changes pass
    may now move its watermark."""
    if plan.changes_until is None:
        return
    with transaction.atomic():
        state = _lock_sync_state()
        if state.changes_synced_until is None or state.changes_synced_until < plan.changes_until:
            state.changes_synced_until = plan.changes_until
            state.save(update_fields=["changes_synced_until"])


def not_queued(plan, error):
    """The broker refused ``plan``'s chunks: stop its run and put back the films it
    marked pending, as if it had never been planned (the watermark never moved)."""
    with transaction.atomic():
        SyncRun.objects.filter(pk=plan.run.pk, status=SyncRun.Status.RUNNING).update(
            status=SyncRun.Status.STOPPED,
            finished_at=timezone.now(),
            last_error=f"Its chunks could not be queued: {one_line(error)}",
        )
        for pk, status, next_attempt_at in plan.marked_pending:
            Movie.objects.filter(pk=pk, tmdb_status=Status.PENDING).update(
                tmdb_status=status, tmdb_next_attempt_at=next_attempt_at
            )


def one_line(error):
    return " ".join(str(error).split()) or type(error).__name__


def resume_run(run_id):
    """A plan of the chunks of a running run that never reported, to queue again.

    For a run whose worker died holding chunks (Redis gives them back only after
    the visibility timeout). A late redelivery of the same chunk then finds its
    films synced in this run and records the same counts under the same number.
    """
    with transaction.atomic():
        run = SyncRun.objects.select_for_update().get(pk=run_id)
        if run.status != SyncRun.Status.RUNNING:
            raise NotResumable(f"{run} is {run.get_status_display().lower()}, not running.")
        if len(run.chunks) != run.chunks_total:
            raise NotResumable(f"{run} did not record its chunks; start a new backfill instead.")
        numbers = [n for n in range(run.chunks_total) if str(n) not in run.chunk_results]
        # Counts as progress: the run is not stalled again before a chunk could finish.
        run.save(update_fields=["updated_at"])
    return Plan(run=run, chunks=[run.chunks[n] for n in numbers], chunk_numbers=numbers)


def sync_chunk(run_id, chunk_index, movie_ids, *, give_up=False, client=None):
    """Sync the films of one chunk of a run and record its counts.

    A transient failure (TMDB down after the client's own retries) is recorded on
    the film and, unless ``give_up``, raised so the task retries the chunk later;
    on the last try the film stays failed with its next attempt time and the
    chunk moves on. Returns the counts, or None when the run has stopped.
    """
    run = SyncRun.objects.only("started_at").get(pk=run_id)
    counts = Counter()
    try:
        client = client or api.default_client()
        for movie_id in movie_ids:
            if not SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.RUNNING).exists():
                return None
            outcome = _sync_in_run(movie_id, run, client, give_up=give_up)
            if outcome:
                counts[outcome] += 1
    except api.TMDBAuthError as error:
        stop_run(run_id, error)
        return None
    record_chunk(run_id, chunk_index, counts)
    return counts


def _sync_in_run(movie_id, run, client, *, give_up):
    movie = Movie.objects.filter(pk=movie_id).first()
    if movie is None:
        return None
    already_synced = movie.tmdb_synced_at is not None and movie.tmdb_synced_at >= run.started_at
    if already_synced and movie.tmdb_status in (Status.OK, Status.NOT_FOUND):
        return movie.tmdb_status
    try:
        return sync_loaded_movie(movie, client)
    except api.TMDBTransientError:
        if give_up:
            return Status.FAILED
        raise
    except (api.TMDBAuthError, SoftTimeLimitExceeded):
        raise
    except Exception as error:
        # One film's surprise (an odd body, a bug) must not hold up the others.
        logger.exception("TMDB sync of movie %s failed", movie_id)
        return record_failure(movie, error)


def record_chunk(run_id, chunk_index, counts):
    """Store one chunk's counts on its run (again, if redelivered) and total them up."""
    with transaction.atomic():
        run = SyncRun.objects.select_for_update().defer("chunks").get(pk=run_id)
        run.chunk_results[str(chunk_index)] = {
            status: counts.get(status, 0) for status in (Status.OK, Status.NOT_FOUND, Status.FAILED)
        }
        results = run.chunk_results.values()
        run.done = sum(result[Status.OK] for result in results)
        run.not_found = sum(result[Status.NOT_FOUND] for result in results)
        run.failed = sum(result[Status.FAILED] for result in results)
        if run.status == SyncRun.Status.RUNNING and len(run.chunk_results) >= run.chunks_total:
            _finish(run)
        run.save(
            update_fields=[
                "chunk_results",
                "done",
                "not_found",
                "failed",
                "status",
                "finished_at",
                "updated_at",
            ]
        )
    if counts.get(Status.OK) or counts.get(Status.NOT_FOUND):
        clear_auth_problem()


def _finish(run):
    run.status = SyncRun.Status.FINISHED
    run.finished_at = timezone.now()


def stop_run(run_id, error):
    """Stop a run TMDB refused (401) and tell staff why; its other chunks then stop too."""
    message = f"TMDB refused the credential: {error} Fix TMDB_API_TOKEN and start a new sync."
    SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.RUNNING).update(
        status=SyncRun.Status.STOPPED, finished_at=timezone.now(), last_error=message
    )
    record_auth_problem(message)


def record_auth_problem(message):
    TMDBSyncState.load()
    TMDBSyncState.objects.filter(pk=1).update(auth_error=str(message), auth_error_at=timezone.now())


def clear_auth_problem():
    TMDBSyncState.objects.filter(pk=1).exclude(auth_error="").update(
        auth_error="", auth_error_at=None
    )


def auth_problem():
    """What TMDB said when it last refused our credential; empty when all is well."""
    return TMDBSyncState.objects.filter(pk=1).values_list("auth_error", flat=True).first() or ""


def run_in_process(plan, *, client=None, on_chunk=None):
    """Run a plan's chunks here, one after another (the command, tasks in-process)."""
    queued(plan)
    for index, movie_ids in plan.numbered_chunks():
        if sync_chunk(plan.run.pk, index, movie_ids, give_up=True, client=client) is None:
            break
        if on_chunk:
            on_chunk(SyncRun.objects.get(pk=plan.run.pk))
    plan.run.refresh_from_db()
    return plan.run
