"""One film's TMDB metadata, stored idempotently.

- ``sync_movie`` writes one film in one transaction, with the film's row locked:
  fields, people (upserted by TMDB id), credits and keywords (both diffed against
  what is there), so running it twice leaves the same rows.
- Every film carries its own bookkeeping: status, failed attempts in a row, last
  error and when to try again (``film_retry_delay``). "Pending" means a fetch is
  owed; a backfill (``catalog.tmdb.runs``) takes every pending film and every
  failed one that is due, so it resumes wherever the last one stopped.
"""

import logging
import random
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog import text
from catalog.models import Company, Credit, Keyword, Movie, Person
from catalog.page_cache import forget_page
from catalog.tmdb import api, parsing

logger = logging.getLogger(__name__)

Status = Movie.TmdbStatus

STALE_AFTER = timedelta(days=30)
MAX_FILM_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=2)
LONGEST_RETRY = timedelta(days=1)
NO_LOOKUP_KEY = "No TMDB or IMDb id to look up; add one in the admin."


class MappingConflict(Exception):
    """The TMDB id found for a film already belongs to another film."""


def sync_movie(movie_id, *, client=None):
    """Fetch one film from TMDB and store it; returns the film's new TMDB status.

    Raises ``TMDBAuthError`` (the caller stops), ``TMDBTransientError`` after the
    failure is recorded on the film (the caller may retry later), and
    ``Movie.DoesNotExist`` when the film is gone.
    """
    movie = Movie.objects.get(pk=movie_id)
    return sync_loaded_movie(movie, client or api.default_client())


def sync_loaded_movie(movie, client):
    try:
        tmdb_id = movie.tmdb_id or _find_tmdb_id(movie, client)
        if tmdb_id is None:
            reason = (
                f"TMDB knows no film with IMDb id {movie.imdb_id}."
                if movie.imdb_id
                else NO_LOOKUP_KEY
            )
            return _record_not_found(movie, reason)
        metadata = parsing.parse_movie(client.movie(tmdb_id))
    except api.TMDBNotFound as error:
        return _record_not_found(movie, str(error))
    except api.TMDBAuthError:
        raise
    except api.TMDBTransientError as error:
        record_failure(movie, error)
        raise
    except api.TMDBError as error:
        # Another 4xx: the same request will not do better in a minute.
        return record_failure(movie, error, retry_soon=False)
    try:
        store_metadata(movie.pk, tmdb_id, metadata)
    except MappingConflict as error:
        return record_failure(movie, error, retry_soon=False)
    except IntegrityError as error:
        return record_failure(movie, error)
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
        movie.keywords.set(_upsert_named(Keyword, metadata.keywords).values())
        movie.companies.set(_upsert_named(Company, metadata.companies).values())
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
            tmdb_collection_id=metadata.collection_id,
            tmdb_collection_name=metadata.collection_name,
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
            Person(
                tmdb_id=tmdb_id,
                name=name,
                profile_path=profile_path,
                search_text=text.normalize(name)[:200],
            )
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
            person.search_text = text.normalize(name)[:200]
            changed.append(person)
    Person.objects.bulk_update(changed, ["name", "profile_path", "search_text"])
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


def _upsert_named(model, pairs):
    """``{TMDB id: pk}`` of a named TMDB thing (``Keyword``, ``Company``) from (id, name)
    pairs, creating new ones and renaming changed ones."""
    wanted = dict(pairs)
    searchable = any(field.name == "search_text" for field in model._meta.fields)

    def fields(name):
        return (
            {"name": name, "search_text": text.normalize(name)[:200]}
            if searchable
            else {"name": name}
        )

    existing = {thing.tmdb_id: thing for thing in model.objects.filter(tmdb_id__in=wanted)}
    model.objects.bulk_create(
        [
            model(tmdb_id=tmdb_id, **fields(name))
            for tmdb_id, name in sorted(wanted.items())
            if tmdb_id not in existing
        ],
        ignore_conflicts=True,
    )
    renamed = []
    for tmdb_id, thing in sorted(existing.items()):
        if thing.name != wanted[tmdb_id]:
            for field, value in fields(wanted[tmdb_id]).items():
                setattr(thing, field, value)
            renamed.append(thing)
    model.objects.bulk_update(renamed, list(fields("")))
    return dict(model.objects.filter(tmdb_id__in=wanted).values_list("tmdb_id", "pk"))


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


def record_failure(movie, error, *, retry_soon=True):
    """Mark the film failed; it is tried again after a growing delay, or only when
    staff ask once the delay would pass ``MAX_FILM_ATTEMPTS`` or retrying cannot help."""
    now = timezone.now()
    attempts = movie.tmdb_attempts + 1
    next_attempt_at = None
    if retry_soon and attempts < MAX_FILM_ATTEMPTS:
        next_attempt_at = now + film_retry_delay(attempts)
    Movie.objects.filter(pk=movie.pk).update(
        tmdb_status=Status.FAILED,
        tmdb_attempts=attempts,
        tmdb_last_error=f"{type(error).__name__}: {error}"[:2000],
        tmdb_next_attempt_at=next_attempt_at,
        updated_at=now,
    )
    movie.tmdb_attempts = attempts
    return Status.FAILED


def film_retry_delay(attempts):
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
