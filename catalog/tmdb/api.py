"""TMDB v3 over HTTP: the client, its error types and the image base URL.

``TMDBClient`` talks HTTP: one ``requests.Session``, a credential sent as a Bearer
token (or as ``api_key`` when it looks like a v3 key), connect/read timeouts, every
request through the shared rate limit (``catalog.tmdb.limits``), and retries with
backoff and jitter on 429, 5xx and timeouts (``request_retry_delay``, within one
request; a film's later attempts are ``catalog.tmdb.sync``'s business). Failures
come out as our own error types, so callers decide per kind: ``TMDBNotFound`` is
final, ``TMDBAuthError`` stops a sync, ``TMDBTransientError`` is worth another try
later. The credential only ever lives in this module's requests: pages never see it.
"""

import logging
import random
import re
import threading
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.core.cache import cache

from catalog.tmdb.images import CONFIGURATION_CACHE_KEY
from catalog.tmdb.limits import default_gate
from catalog.tmdb.parsing import whole_number

logger = logging.getLogger(__name__)

APPEND_TO_MOVIE = "credits,videos,keywords,release_dates"
TIMEOUT = (3.05, 10)  # connect, read (seconds)
MAX_REQUEST_ATTEMPTS = 6
RETRY_BASE_SECONDS = 0.5
RETRY_MAX_SECONDS = 20.0
CHANGES_MAX_DAYS = 14
CONFIGURATION_TTL = 24 * 60 * 60
V3_API_KEY = re.compile(r"^[0-9a-fA-F]{32}$")


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
        self.max_attempts = max_attempts or MAX_REQUEST_ATTEMPTS
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
            if whole_number(result.get("id")):
                return whole_number(result["id"])
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
                if whole_number(item.get("id")):
                    yield whole_number(item["id"])
            pages = whole_number(body.get("total_pages")) or 1
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
                delay = request_retry_delay(error, attempt)
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


def request_retry_delay(error, attempt):
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
