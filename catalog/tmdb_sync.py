"""Keeping films' TMDB metadata in step: one film, chunks of films, and the runs that plan them.

The same functions serve the Celery tasks (``catalog.tasks``), the ``sync_tmdb``
command and the admin. How nothing gets lost or duplicated:

- ``sync_movie`` writes one film in one transaction, with the film's row locked:
  fields, people (upserted by TMDB id), credits and keywords (both diffed against
  what is there), so running it twice leaves the same rows.
- Every film carries its own bookkeeping: status, failed attempts in a row, last
  error and when to try again. "Pending" means a fetch is owed; a backfill takes
  every pending film and every failed one that is due, so it resumes wherever
  the last one stopped.
- A run (``SyncRun``) is split in chunks of film ids. A chunk skips films synced
  since the run began (a chunk delivered again after a worker died redoes only
  what it had not finished) and records its counts under its own number.
- 401 stops the run and records the problem for staff; nothing retries it.
"""

import logging
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog import text, tmdb
from catalog.models import Credit, Keyword, Movie, Person, SyncRun, TMDBSyncState
from catalog.page_cache import forget_page

logger = logging.getLogger(__name__)

Status = Movie.TmdbStatus

CHUNK_SIZE = 100
STALE_AFTER = timedelta(days=30)
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=2)
LONGEST_RETRY = timedelta(days=1)
RUN_STALLED_AFTER = timedelta(minutes=30)
ID_BATCH = 5_000
NO_LOOKUP_KEY = "No TMDB or IMDb id to look up; add one in the admin."


class MappingConflict(Exception):
    """The TMDB id found for a film already belongs to another film."""


# --- One film -------------------------------------------------------------------


def sync_movie(movie_id, *, client=None):
    """Fetch one film from TMDB and store it; returns the film's new TMDB status.

    Raises ``TMDBAuthError`` (the caller stops), ``TMDBTransientError`` after the
    failure is recorded on the film (the caller may retry later), and
    ``Movie.DoesNotExist`` when the film is gone.
    """
    movie = Movie.objects.get(pk=movie_id)
    return _sync(movie, client or tmdb.default_client())


def _sync(movie, client):
    try:
        tmdb_id = movie.tmdb_id or _find_tmdb_id(movie, client)
        if tmdb_id is None:
            reason = (
                f"TMDB knows no film with IMDb id {movie.imdb_id}."
                if movie.imdb_id
                else NO_LOOKUP_KEY
            )
            return _record_not_found(movie, reason)
        metadata = tmdb.parse_movie(client.movie(tmdb_id))
    except tmdb.TMDBNotFound as error:
        return _record_not_found(movie, str(error))
    except tmdb.TMDBAuthError:
        raise
    except tmdb.TMDBTransientError as error:
        _record_failure(movie, error)
        raise
    except tmdb.TMDBError as error:
        # Another 4xx: the same request will not do better in a minute.
        return _record_failure(movie, error, retry_soon=False)
    try:
        store_metadata(movie.pk, tmdb_id, metadata)
    except MappingConflict as error:
        return _record_failure(movie, error, retry_soon=False)
    except IntegrityError as error:
        return _record_failure(movie, error)
    return Status.OK


def _find_tmdb_id(movie, client):
    return client.find_by_imdb(movie.imdb_id) if movie.imdb_id else None


def store_metadata(movie_id, tmdb_id, metadata):
    """Write ``metadata`` for one film, idempotently, in one transaction."""
    now = timezone.now()
    with transaction.atomic():
        movie = Movie.objects.select_for_update().get(pk=movie_id)
        if movie.tmdb_id != tmdb_id:
            _check_tmdb_id_is_free(movie, tmdb_id)
        person_ids = _upsert_people(metadata)
        _replace_credits(movie, metadata, person_ids)
        movie.keywords.set(_upsert_keywords(metadata.keywords).values())
        title = text.known_title(movie.movielens_title or movie.title, metadata.title)
        Movie.objects.filter(pk=movie_id).update(
            tmdb_id=tmdb_id,
            title=title,
            tmdb_title=metadata.title,
            search_text=text.search_text(title, movie.movielens_title or movie.title)[:700],
            imdb_id=movie.imdb_id or metadata.imdb_id,
            overview=metadata.overview,
            tagline=metadata.tagline,
            runtime=metadata.runtime,
            release_date=metadata.release_date,
            poster_path=metadata.poster_path,
            backdrop_path=metadata.backdrop_path,
            original_language=metadata.original_language,
            trailer_youtube_key=metadata.trailer_youtube_key,
            tmdb_vote_average=metadata.vote_average,
            tmdb_vote_count=metadata.vote_count,
            tmdb_popularity=metadata.popularity,
            tmdb_genres=list(metadata.genres),
            tmdb_status=Status.OK,
            tmdb_synced_at=now,
            tmdb_attempts=0,
            tmdb_last_error="",
            tmdb_next_attempt_at=None,
            updated_at=now,
        )
        forget_page(movie.get_absolute_url())


def _check_tmdb_id_is_free(movie, tmdb_id):
    owner = Movie.objects.filter(tmdb_id=tmdb_id).exclude(pk=movie.pk).first()
    if owner:
        raise MappingConflict(
            f"TMDB id {tmdb_id} (found by IMDb id {movie.imdb_id}) already belongs to "
            f"“{owner}” (#{owner.pk}); correct the ids of one of the two in the admin."
        )


def _upsert_people(metadata):
    """``{person TMDB id: Person pk}`` for everyone credited, creating or updating rows."""
    wanted = {}
    for member in (*metadata.cast, *metadata.directors, *metadata.writers):
        wanted.setdefault(member.person_tmdb_id, (member.name, member.profile_path))
    existing = {person.tmdb_id: person for person in Person.objects.filter(tmdb_id__in=wanted)}
    # Sorted by TMDB id so that concurrent syncs lock shared people in one order.
    Person.objects.bulk_create(
        [
            Person(tmdb_id=tmdb_id, name=name, profile_path=profile_path)
            for tmdb_id, (name, profile_path) in sorted(wanted.items())
            if tmdb_id not in existing
        ],
        ignore_conflicts=True,
    )
    changed = []
    for tmdb_id, person in sorted(existing.items()):
        name, profile_path = wanted[tmdb_id]
        # Keep a known picture when TMDB omits it in one film's credits.
        profile_path = profile_path or person.profile_path
        if (person.name, person.profile_path) != (name, profile_path):
            person.name, person.profile_path = name, profile_path
            changed.append(person)
    Person.objects.bulk_update(changed, ["name", "profile_path"])
    return dict(Person.objects.filter(tmdb_id__in=wanted).values_list("tmdb_id", "pk"))


def _replace_credits(movie, metadata, person_ids):
    """Make the film's credits exactly the top cast, directors and writers, touching
    only rows that differ (unchanged credits keep their ids)."""
    wanted = {}
    for member in metadata.cast:
        key = (person_ids[member.person_tmdb_id], Credit.Kind.CAST, "", member.character)
        wanted[key] = {"department": "", "order": member.order}
    for order, member in enumerate((*metadata.directors, *metadata.writers)):
        key = (person_ids[member.person_tmdb_id], Credit.Kind.CREW, member.job, "")
        wanted.setdefault(key, {"department": member.department, "order": order})
    existing = {
        (credit.person_id, credit.kind, credit.job, credit.character): credit
        for credit in Credit.objects.filter(movie=movie)
    }
    Credit.objects.filter(
        pk__in=[c.pk for key, c in existing.items() if key not in wanted]
    ).delete()
    changed = []
    for key, credit in existing.items():
        values = wanted.get(key)
        if values and (credit.department, credit.order) != (values["department"], values["order"]):
            credit.department, credit.order = values["department"], values["order"]
            changed.append(credit)
    Credit.objects.bulk_update(changed, ["department", "order"])
    Credit.objects.bulk_create(
        [
            Credit(
                movie=movie, person_id=person_id, kind=kind, job=job, character=character, **values
            )
            for (person_id, kind, job, character), values in wanted.items()
            if (person_id, kind, job, character) not in existing
        ]
    )


def _upsert_keywords(keywords):
    """``{keyword TMDB id: Keyword pk}``, creating new keywords and renaming changed ones."""
    wanted = dict(keywords)
    existing = {keyword.tmdb_id: keyword for keyword in Keyword.objects.filter(tmdb_id__in=wanted)}
    Keyword.objects.bulk_create(
        [
            Keyword(tmdb_id=tmdb_id, name=name)
            for tmdb_id, name in sorted(wanted.items())
            if tmdb_id not in existing
        ],
        ignore_conflicts=True,
    )
    renamed = []
    for tmdb_id, keyword in sorted(existing.items()):
        if keyword.name != wanted[tmdb_id]:
            keyword.name = wanted[tmdb_id]
            renamed.append(keyword)
    Keyword.objects.bulk_update(renamed, ["name"])
    return dict(Keyword.objects.filter(tmdb_id__in=wanted).values_list("tmdb_id", "pk"))


def _record_not_found(movie, reason):
    now = timezone.now()
    Movie.objects.filter(pk=movie.pk).update(
        tmdb_status=Status.NOT_FOUND,
        tmdb_synced_at=now,
        tmdb_attempts=0,
        tmdb_last_error=reason,
        tmdb_next_attempt_at=None,
        updated_at=now,
    )
    return Status.NOT_FOUND


def _record_failure(movie, error, *, retry_soon=True):
    """Mark the film failed; it is tried again after a growing delay, or only when
    staff ask once the delay would pass ``MAX_ATTEMPTS`` or retrying cannot help."""
    now = timezone.now()
    attempts = movie.tmdb_attempts + 1
    next_attempt_at = None
    if retry_soon and attempts < MAX_ATTEMPTS:
        next_attempt_at = now + retry_delay(attempts)
    Movie.objects.filter(pk=movie.pk).update(
        tmdb_status=Status.FAILED,
        tmdb_attempts=attempts,
        tmdb_last_error=f"{type(error).__name__}: {error}"[:2000],
        tmdb_next_attempt_at=next_attempt_at,
        updated_at=now,
    )
    movie.tmdb_attempts = attempts
    return Status.FAILED


def retry_delay(attempts):
    """2 min, 8 min, 32 min, … up to a day, ±20% so failed films spread out."""
    delay = min(LONGEST_RETRY, FIRST_RETRY * 4 ** (attempts - 1))
    return delay * random.uniform(0.8, 1.2)  # noqa: S311


def wants_refresh(movie, now=None):
    """Whether a page view of ``movie`` should ask for a fetch: data missing or stale."""
    now = now or timezone.now()
    if not (movie.tmdb_id or movie.imdb_id):
        return False
    if movie.tmdb_status == Status.PENDING:
        return True
    if movie.tmdb_status == Status.FAILED:
        return movie.tmdb_next_attempt_at is not None and movie.tmdb_next_attempt_at <= now
    if movie.tmdb_status == Status.OK:
        return movie.tmdb_synced_at is None or movie.tmdb_synced_at < now - STALE_AFTER
    return False


# --- Runs and chunks ------------------------------------------------------------


@dataclass
class Plan:
    """A run and its chunks of film ids, ready to be sent to workers or run here."""

    run: SyncRun
    chunks: list = field(default_factory=list)


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

    The changed films are marked pending before the watermark moves, so a run
    whose tasks are lost still leaves them to the next backfill.
    """
    today = today or timezone.now().date()
    if SyncRun.objects.filter(kind=SyncRun.Kind.CHANGES, status=SyncRun.Status.RUNNING).exists():
        return None
    start = TMDBSyncState.load().changes_synced_until or today - timedelta(days=1)
    try:
        client = client or tmdb.default_client()
        changed_tmdb_ids = set()
        for window_start, window_end in change_windows(start, today):
            changed_tmdb_ids.update(client.changed_movie_ids(window_start, window_end))
    except tmdb.TMDBAuthError as error:
        run = SyncRun.objects.create(kind=SyncRun.Kind.CHANGES)
        stop_run(run.pk, error)
        return None
    with transaction.atomic():
        state = _lock_sync_state()
        movie_ids = _mark_changed_films_pending(changed_tmdb_ids)
        state.changes_synced_until = today
        state.save(update_fields=["changes_synced_until"])
        return _start_run(SyncRun.Kind.CHANGES, movie_ids, chunk_size)


def change_windows(start, end):
    """``(start, end)`` day pairs of at most ``tmdb.CHANGES_MAX_DAYS`` covering start..end."""
    windows = []
    window_start = start
    while True:
        window_end = min(end, window_start + timedelta(days=tmdb.CHANGES_MAX_DAYS))
        windows.append((window_start, window_end))
        if window_end >= end:
            return windows
        window_start = window_end


def _mark_changed_films_pending(changed_tmdb_ids):
    # Films still pending already belong to the backfill; the rest get a refresh.
    movie_ids = []
    changed = sorted(changed_tmdb_ids)
    for start in range(0, len(changed), ID_BATCH):
        films = Movie.objects.filter(tmdb_id__in=changed[start : start + ID_BATCH]).exclude(
            tmdb_status=Status.PENDING
        )
        batch = list(films.values_list("pk", flat=True))
        Movie.objects.filter(pk__in=batch).update(
            tmdb_status=Status.PENDING, tmdb_next_attempt_at=None
        )
        movie_ids.extend(batch)
    return movie_ids


def plan_movies(movie_ids, chunk_size=CHUNK_SIZE):
    """Start an on-demand run over chosen films (the admin's "Sync from TMDB now")."""
    movie_ids = sorted(set(movie_ids))
    with transaction.atomic():
        Movie.objects.filter(pk__in=movie_ids).update(
            tmdb_status=Status.PENDING, tmdb_next_attempt_at=None
        )
        return _start_run(SyncRun.Kind.ON_DEMAND, movie_ids, chunk_size)


def _start_run(kind, movie_ids, chunk_size):
    chunks = [movie_ids[i : i + chunk_size] for i in range(0, len(movie_ids), chunk_size)]
    run = SyncRun.objects.create(kind=kind, total=len(movie_ids), chunks_total=len(chunks))
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
            f"No progress for {RUN_STALLED_AFTER}: its tasks were lost. "
            "The films it did not reach are left to the next backfill."
        ),
    )


def sync_chunk(run_id, chunk_index, movie_ids, *, give_up=False, client=None):
    """Sync the films of one chunk of a run and record its counts.

    A transient failure (TMDB down after the client's own retries) is recorded on
    the film and, unless ``give_up``, raised so the task retries the chunk later;
    on the last try the film stays failed with its next attempt time and the
    chunk moves on. Returns the counts, or None when the run has stopped.
    """
    run = SyncRun.objects.get(pk=run_id)
    counts = Counter()
    try:
        client = client or tmdb.default_client()
        for movie_id in movie_ids:
            if not SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.RUNNING).exists():
                return None
            outcome = _sync_in_run(movie_id, run, client, give_up=give_up)
            if outcome:
                counts[outcome] += 1
    except tmdb.TMDBAuthError as error:
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
        return _sync(movie, client)
    except tmdb.TMDBTransientError:
        if give_up:
            return Status.FAILED
        raise
    except (tmdb.TMDBAuthError, SoftTimeLimitExceeded):
        raise
    except Exception as error:
        # One film's surprise (an odd body, a bug) must not hold up the others.
        logger.exception("TMDB sync of movie %s failed", movie_id)
        return _record_failure(movie, error)


def record_chunk(run_id, chunk_index, counts):
    """Store one chunk's counts on its run (again, if redelivered) and total them up."""
    with transaction.atomic():
        run = SyncRun.objects.select_for_update().get(pk=run_id)
        run.chunk_results[str(chunk_index)] = {
            status: counts.get(status, 0) for status in (Status.OK, Status.NOT_FOUND, Status.FAILED)
        }
        results = run.chunk_results.values()
        run.done = sum(result[Status.OK] for result in results)
        run.not_found = sum(result[Status.NOT_FOUND] for result in results)
        run.failed = sum(result[Status.FAILED] for result in results)
        if run.status == SyncRun.Status.RUNNING and len(run.chunk_results) >= run.chunks_total:
            _finish(run)
        run.save()
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
    for index, movie_ids in enumerate(plan.chunks):
        if sync_chunk(plan.run.pk, index, movie_ids, give_up=True, client=client) is None:
            break
        if on_chunk:
            on_chunk(SyncRun.objects.get(pk=plan.run.pk))
    plan.run.refresh_from_db()
    return plan.run
