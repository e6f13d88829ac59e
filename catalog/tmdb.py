"""TMDB v3 client and the parsing of what it returns into what we store.

``TMDBClient`` talks HTTP: one ``requests.Session``, a credential sent as a Bearer
token (or as ``api_key`` when it looks like a v3 key), connect/read timeouts, every
request through the shared rate limit (``catalog.tmdb_limits``), and retries with
backoff and jitter on 429, 5xx and timeouts. Failures come out as our own error
types, so callers decide per kind: ``TMDBNotFound`` is final, ``TMDBAuthError``
stops a sync, ``TMDBTransientError`` is worth another try later.

``parse_movie`` turns a movie-details body into a ``MovieMetadata`` of plain
values; it is a pure function, tolerant of the API's nulls, empty strings and
missing keys. The credential only ever lives in this module's requests: pages
never see it.
"""

import logging
import random
import re
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta

import requests
from django.conf import settings
from django.core.cache import cache

from catalog.text import normalize_imdb_id
from catalog.tmdb_limits import default_gate

logger = logging.getLogger(__name__)

DEFAULT_IMAGE_BASE = "https://image.tmdb.org/t/p/"
APPEND_TO_MOVIE = "credits,videos,keywords,release_dates"
TIMEOUT = (3.05, 10)  # connect, read (seconds)
MAX_ATTEMPTS = 6
RETRY_BASE_SECONDS = 0.5
RETRY_MAX_SECONDS = 20.0
CHANGES_MAX_DAYS = 14
CONFIGURATION_CACHE_KEY = "tmdb:configuration"
CONFIGURATION_TTL = 24 * 60 * 60
IMAGE_BASE_MEMO_SECONDS = 60 * 60
TOP_CAST = 15
MAX_RUNTIME_MINUTES = 32_767
V3_API_KEY = re.compile(r"^[0-9a-fA-F]{32}$")

# Longest values the columns take (see catalog.models).
MAX_LENGTHS = {
    "title": 300,
    "tagline": 500,
    "path": 200,
    "language": 16,
    "name": 200,
    "character": 300,
    "job": 100,
    "video_key": 64,
}


class TMDBError(Exception):
    """TMDB answered with an error, or could not be reached."""

    def __init__(self, message, status_code=None):
        super().__init__(message)
        self.status_code = status_code


class TMDBAuthError(TMDBError):
    """401: the credential is wrong; retrying cannot help until staff fix it."""


class TMDBNotFound(TMDBError):
    """404: TMDB has no such resource."""


class TMDBTransientError(TMDBError):
    """A failure that may pass: worth retrying later, with backoff."""


class TMDBRateLimited(TMDBTransientError):
    """429; ``retry_after`` holds the seconds TMDB asked us to wait, if it said."""

    def __init__(self, message, status_code=429, retry_after=None):
        super().__init__(message, status_code)
        self.retry_after = retry_after


class TMDBServerError(TMDBTransientError):
    """5xx, or a body that is not the JSON promised."""


class TMDBTimeout(TMDBTransientError):
    """No answer within the timeout."""


class TMDBConnectionError(TMDBTransientError):
    """The connection could not be made or broke."""


# --- The client ----------------------------------------------------------------


class TMDBClient:
    """TMDB v3 over one session; every request waits for the shared rate limit."""

    def __init__(
        self,
        credential,
        base_url,
        *,
        gate=None,
        timeout=TIMEOUT,
        max_attempts=None,
        sleep=time.sleep,
    ):
        if not credential:
            raise TMDBAuthError("No TMDB credential is configured (TMDB_API_TOKEN).")
        self.base_url = base_url.rstrip("/")
        self.gate = gate or default_gate()
        self.timeout = timeout
        self.max_attempts = max_attempts or MAX_ATTEMPTS
        self.sleep = sleep
        self.retries = 0
        self.session = requests.Session()
        self.session.headers.update(
            {"Accept": "application/json", "User-Agent": "NextFilms (+TMDB sync)"}
        )
        # A v3 key travels as a query parameter; a v4 read access token as a header.
        self._auth_params = {}
        if V3_API_KEY.match(credential):
            self._auth_params = {"api_key": credential}
        else:
            self.session.headers["Authorization"] = f"Bearer {credential}"

    def movie(self, tmdb_id):
        """The details body of one film, with credits, videos, keywords and release dates."""
        return self.get(f"/movie/{int(tmdb_id)}", {"append_to_response": APPEND_TO_MOVIE})

    def find_by_imdb(self, imdb_id):
        """The TMDB id of the film with this IMDb id (``tt0137523``), or None."""
        body = self.get(f"/find/{imdb_id}", {"external_source": "imdb_id"})
        for result in body.get("movie_results") or []:
            if _int(result.get("id")):
                return _int(result["id"])
        return None

    def changed_movie_ids(self, start_date, end_date):
        """Ids of films changed between two days (at most 14 days apart), every page."""
        if end_date < start_date or end_date - start_date > timedelta(days=CHANGES_MAX_DAYS):
            raise ValueError(
                f"TMDB lists changes for up to {CHANGES_MAX_DAYS} days at a time, "
                f"not {start_date}..{end_date}."
            )
        page, pages = 1, 1
        while page <= pages:
            body = self.get(
                "/movie/changes",
                {
                    "start_date": start_date.isoformat(),
                    "end_date": end_date.isoformat(),
                    "page": page,
                },
            )
            for item in body.get("results") or []:
                if _int(item.get("id")):
                    yield _int(item["id"])
            pages = _int(body.get("total_pages")) or 1
            page += 1

    def configuration(self):
        """Image base URLs and sizes; cached for a day, as TMDB suggests."""
        configuration = cache.get(CONFIGURATION_CACHE_KEY)
        if configuration is None:
            configuration = self.get("/configuration")
            cache.set(CONFIGURATION_CACHE_KEY, configuration, CONFIGURATION_TTL)
        return configuration

    def get(self, path, params=None):
        """GET ``path`` and return its JSON body, retrying transient failures."""
        for attempt in range(1, self.max_attempts + 1):
            try:
                return self._get_once(path, params)
            except TMDBTransientError as error:
                if attempt == self.max_attempts:
                    raise
                delay = retry_delay(error, attempt)
                logger.info("TMDB %s: %s; retry %s in %.2f s", path, error, attempt, delay)
                self.retries += 1
                self.sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _get_once(self, path, params):
        url = f"{self.base_url}{path}"
        with self.gate.request_slot():
            try:
                response = self.session.get(
                    url, params={**(params or {}), **self._auth_params}, timeout=self.timeout
                )
            except requests.Timeout as exc:
                raise TMDBTimeout(f"TMDB did not answer {path} in time: {exc}")
            except requests.RequestException as exc:
                raise TMDBConnectionError(f"Could not reach TMDB for {path}: {exc}")
        return _checked_body(response, path)


def _checked_body(response, path):
    status = response.status_code
    if status == 200:
        try:
            body = response.json()
        except ValueError:
            raise TMDBServerError(f"TMDB sent a body that is not JSON for {path}.", status)
        if not isinstance(body, dict):
            raise TMDBServerError(f"TMDB sent unexpected JSON for {path}.", status)
        return body
    message = f"TMDB {status} for {path}: {_status_message(response)}"
    if status == 401:
        raise TMDBAuthError(message, status)
    if status == 404:
        raise TMDBNotFound(message, status)
    if status == 429:
        raise TMDBRateLimited(message, retry_after=_retry_after(response))
    if status >= 500:
        raise TMDBServerError(message, status)
    raise TMDBError(message, status)


def _status_message(response):
    try:
        body = response.json()
    except ValueError:
        return response.reason or "no message"
    if isinstance(body, dict):
        if body.get("status_message"):
            return str(body["status_message"])
        if body.get("errors"):
            return "; ".join(str(error) for error in body["errors"])
    return response.reason or "no message"


def _retry_after(response):
    """Seconds from a ``Retry-After`` header; None when absent or an HTTP date."""
    value = response.headers.get("Retry-After", "").strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def retry_delay(error, attempt):
    """Seconds to wait before attempt ``attempt + 1``.

    ``Retry-After`` wins when TMDB sent it (plus a little jitter so waiting
    workers do not return in lockstep); otherwise exponential backoff with "equal
    jitter": half the step for sure, the other half at random.
    """
    if isinstance(error, TMDBRateLimited) and error.retry_after is not None:
        return error.retry_after + random.uniform(0, 0.1 + 0.1 * error.retry_after)  # noqa: S311
    step = min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** (attempt - 1))
    return step / 2 + random.uniform(0, step / 2)  # noqa: S311


_clients = threading.local()


def default_client():
    """This thread's client for the configured credential and URL (sessions are reused)."""
    key = (settings.TMDB_API_TOKEN, settings.TMDB_API_URL)
    client = getattr(_clients, "by_settings", {}).get(key)
    if client is None:
        client = TMDBClient(settings.TMDB_API_TOKEN, settings.TMDB_API_URL)
        _clients.by_settings = {key: client}
    return client


_image_base = {"url": DEFAULT_IMAGE_BASE, "expires": 0.0}


def image_base_url():
    """``images.secure_base_url`` from the cached configuration, else TMDB's usual one.

    Read from the cache only (never the network, pages call this per poster) and
    remembered in the process for an hour, so a list page costs no cache trips.
    """
    now = time.monotonic()
    if now >= _image_base["expires"]:
        configuration = cache.get(CONFIGURATION_CACHE_KEY) or {}
        images = configuration.get("images") or {}
        _image_base["url"] = images.get("secure_base_url") or DEFAULT_IMAGE_BASE
        _image_base["expires"] = now + IMAGE_BASE_MEMO_SECONDS
    return _image_base["url"]


# --- What we store ------------------------------------------------------------


@dataclass(frozen=True)
class CastMember:
    person_tmdb_id: int
    name: str
    character: str
    order: int
    profile_path: str


@dataclass(frozen=True)
class CrewMember:
    person_tmdb_id: int
    name: str
    job: str
    department: str
    profile_path: str


@dataclass(frozen=True)
class MovieMetadata:
    """The parts of a TMDB movie-details body that NextFilms stores."""

    tmdb_id: int
    imdb_id: str
    title: str
    overview: str
    tagline: str
    runtime: int | None
    release_date: date | None
    poster_path: str
    backdrop_path: str
    original_language: str
    vote_average: float | None
    vote_count: int | None
    popularity: float | None
    genres: tuple[str, ...]
    cast: tuple[CastMember, ...]
    directors: tuple[CrewMember, ...]
    writers: tuple[CrewMember, ...]
    keywords: tuple[tuple[int, str], ...]
    trailer_youtube_key: str


def parse_movie(body):
    """``MovieMetadata`` from a ``/movie/{id}?append_to_response=…`` body."""
    crew = _crew(_section(body, "credits").get("crew"))
    return MovieMetadata(
        tmdb_id=_int(body.get("id")),
        imdb_id=normalize_imdb_id(_text(body.get("imdb_id"))),
        title=_text(body.get("title"), MAX_LENGTHS["title"]),
        overview=_text(body.get("overview")),
        tagline=_text(body.get("tagline"), MAX_LENGTHS["tagline"]),
        runtime=_runtime(body.get("runtime")),
        release_date=_date(body.get("release_date")),
        poster_path=_text(body.get("poster_path"), MAX_LENGTHS["path"]),
        backdrop_path=_text(body.get("backdrop_path"), MAX_LENGTHS["path"]),
        original_language=_text(body.get("original_language"), MAX_LENGTHS["language"]),
        vote_average=_float(body.get("vote_average")),
        vote_count=_int(body.get("vote_count")),
        popularity=_float(body.get("popularity")),
        genres=tuple(
            _text(genre.get("name")) for genre in _dicts(body.get("genres")) if genre.get("name")
        ),
        cast=_top_cast(_section(body, "credits").get("cast")),
        directors=tuple(member for member in crew if member.job == "Director"),
        writers=tuple(member for member in crew if member.department == "Writing"),
        keywords=_keywords(_section(body, "keywords").get("keywords")),
        trailer_youtube_key=choose_trailer_key(_section(body, "videos").get("results")),
    )


def choose_trailer_key(videos):
    """The YouTube key of the film's trailer: an official Trailer, then any Trailer,
    then a Teaser; within each, the first TMDB lists. Empty when there is none."""
    youtube = [
        video for video in _dicts(videos) if video.get("site") == "YouTube" and video.get("key")
    ]
    preferences = [
        lambda video: video.get("type") == "Trailer" and video.get("official") is True,
        lambda video: video.get("type") == "Trailer",
        lambda video: video.get("type") == "Teaser",
    ]
    for preferred in preferences:
        for video in youtube:
            if preferred(video):
                return _text(video["key"], MAX_LENGTHS["video_key"])
    return ""


def _top_cast(cast):
    members, seen = [], set()
    for entry in sorted(_dicts(cast), key=lambda entry: _int(entry.get("order")) or 0):
        person_id = _int(entry.get("id"))
        character = _text(entry.get("character"), MAX_LENGTHS["character"])
        # One row per person and role: TMDB occasionally repeats an entry.
        if not person_id or (person_id, character) in seen:
            continue
        seen.add((person_id, character))
        members.append(
            CastMember(
                person_tmdb_id=person_id,
                name=_text(entry.get("name"), MAX_LENGTHS["name"]),
                character=character,
                order=len(members),
                profile_path=_text(entry.get("profile_path"), MAX_LENGTHS["path"]),
            )
        )
        if len(members) == TOP_CAST:
            break
    return tuple(members)


def _crew(crew):
    members, seen = [], set()
    for entry in _dicts(crew):
        person_id = _int(entry.get("id"))
        job = _text(entry.get("job"), MAX_LENGTHS["job"])
        if not person_id or (person_id, job) in seen:
            continue
        seen.add((person_id, job))
        members.append(
            CrewMember(
                person_tmdb_id=person_id,
                name=_text(entry.get("name"), MAX_LENGTHS["name"]),
                job=job,
                department=_text(entry.get("department"), MAX_LENGTHS["job"]),
                profile_path=_text(entry.get("profile_path"), MAX_LENGTHS["path"]),
            )
        )
    return tuple(members)


def _runtime(value):
    minutes = _int(value)
    # TMDB writes 0 for "unknown"; a handful of art films run past what the column holds.
    return minutes if minutes and 0 < minutes <= MAX_RUNTIME_MINUTES else None


def _keywords(keywords):
    found = {}
    for entry in _dicts(keywords):
        keyword_id, name = _int(entry.get("id")), _text(entry.get("name"), MAX_LENGTHS["name"])
        if keyword_id and name:
            found.setdefault(keyword_id, name)
    return tuple(found.items())


def _section(body, name):
    value = body.get(name)
    return value if isinstance(value, dict) else {}


def _dicts(value):
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value, max_length=None):
    if value is None:
        return ""
    value = str(value).strip()
    return value[:max_length] if max_length else value


def _int(value):
    if isinstance(value, bool):
        return None
    try:
        return int(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


def _float(value):
    if isinstance(value, bool):
        return None
    try:
        return float(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


def _date(value):
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
