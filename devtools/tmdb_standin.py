"""A local stand-in for the TMDB v3 API, for tests, benchmarks and offline development.

It serves bodies shaped like TMDB's own, built from the shared data folder
(``TMDB_STANDIN_DATA``, default ``../shared/data/tmdb`` beside the repository;
nothing is copied into the repository):

- ``/3/movie/{id}``: the real Fight Club body for 550; for the 4,803 films of
  ``tmdb_5000_movies.csv`` the 550 details as the shape, filled with that film's
  real metadata and keywords, plus credits, videos, images paths and release
  dates generated deterministically from the id (people come from the real
  Fight Club credits, so films share people as they do on TMDB).
  ``append_to_response`` is honoured.
- ``/3/find/{imdb_id}?external_source=imdb_id`` from MovieLens ``links.csv``.
- ``/3/movie/changes`` (paged, at most 14 days), ``/3/configuration`` (the sample).
- Errors with TMDB's bodies: 401 for a missing or wrong credential, 404 for
  unknown or forced ids, 429 past a request rate (with or without
  ``Retry-After``), a share of 500s, slow answers, and a script of answers for
  the next requests. Every request is recorded for tests to measure.

Run it with ``manage.py run_tmdb_standin --port 8910``, then point the site at it:
``TMDB_API_URL=http://127.0.0.1:8910/3 TMDB_API_TOKEN=anything``.
"""

import copy
import csv
import functools
import json
import os
import random
import re
import string
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

REPO_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO_DIR.parent / "shared" / "data" / "tmdb"
CHANGES_PAGE_SIZE = 100
CHANGES_MAX_DAYS = 14

ERROR_BODIES = {
    401: {
        "status_code": 7,
        "status_message": "Invalid API key: You must be granted a valid key.",
        "success": False,
    },
    404: {
        "success": False,
        "status_code": 34,
        "status_message": "The resource you requested could not be found.",
    },
    429: {
        "success": False,
        "status_code": 25,
        "status_message": "Your request count (#) is over the allowed limit of (40).",
    },
    500: {
        "success": False,
        "status_code": 11,
        "status_message": "Internal error: Something went wrong, contact TMDB.",
    },
    503: {
        "success": False,
        "status_code": 9,
        "status_message": "Service offline: This service is temporarily offline, try again later.",
    },
}


def data_dir_from_env():
    return Path(os.environ.get("TMDB_STANDIN_DATA") or DEFAULT_DATA_DIR)


@dataclass
class Faults:
    """What goes wrong, changeable while the server runs."""

    rate_limit: float | None = None  # answer 429 past this many requests in any second
    retry_after: int | None = 1  # Retry-After seconds sent with 429s; None: no header
    error_rate: float = 0.0  # share of requests answered 500
    slow_rate: float = 0.0  # share of requests answered after slow_seconds
    slow_seconds: float = 0.0
    not_found_ids: set = field(default_factory=set)  # films answered 404
    token: str | None = None  # the only credential accepted; None: any non-empty one
    # Answers for the next requests, in order, before anything else: a status
    # code (401, 404, 429, 500, 503), "slow", or None to answer normally.
    script: deque = field(default_factory=deque)


@dataclass(frozen=True)
class RecordedRequest:
    started: float  # time.monotonic()
    finished: float
    path: str
    query: dict
    status: int
    in_flight: int  # requests being answered when this one arrived, itself included
    authorization: str


class StandinCatalog:
    """Builds TMDB-shaped bodies from the shared data."""

    def __init__(self, data_dir):
        self.data_dir = Path(data_dir)
        samples = self.data_dir / "samples"
        if not samples.is_dir():
            raise FileNotFoundError(f"No TMDB samples at {samples} (set TMDB_STANDIN_DATA).")
        self.fight_club = self._sample("movie_550_details_append_DERIVED.json")
        self.details_template = self._sample("movie_550_details.json")
        self.configuration = self._sample("configuration.json")
        credits = self._sample("movie_550_credits.json")
        self.cast_pool = credits["cast"]
        self.crew_pool = credits["crew"]
        self.characters = [c["character"] for c in credits["cast"] if c.get("character")]
        self.rows = self._rows(self.data_dir / "tmdb_5000_movies.csv")
        self.imdb_by_tmdb = self._imdb_ids(
            self.data_dir.parent / "movielens" / "ml-latest-small" / "links.csv"
        )
        self.imdb_by_tmdb[550] = self.fight_club["imdb_id"]
        self.tmdb_by_imdb = {imdb: tmdb_id for tmdb_id, imdb in self.imdb_by_tmdb.items()}

    @property
    def movie_ids(self):
        return sorted({*self.rows, 550})

    def _sample(self, name):
        return json.loads((self.data_dir / "samples" / name).read_text(encoding="utf-8"))

    @staticmethod
    def _rows(path):
        with path.open(encoding="utf-8", newline="") as file:
            return {int(row["id"]): row for row in csv.DictReader(file)}

    def _imdb_ids(self, links_path):
        if not links_path.is_file():
            return {}
        with links_path.open(encoding="utf-8", newline="") as file:
            return {
                int(row["tmdbId"]): f"tt{int(row['imdbId']):07d}"
                for row in csv.DictReader(file)
                if row["tmdbId"] and int(row["tmdbId"]) in self.rows
            }

    def movie(self, tmdb_id, append):
        """The details body for ``tmdb_id`` with the ``append`` parts, or None."""
        if tmdb_id == 550:
            body = copy.deepcopy(self.fight_club)
            for part in ("credits", "videos", "keywords", "release_dates", "external_ids"):
                if part not in append:
                    body.pop(part, None)
            return body
        row = self.rows.get(tmdb_id)
        if row is None:
            return None
        rng = random.Random(tmdb_id)
        body = self._details(tmdb_id, row, rng)
        generated = {
            "credits": lambda: self._credits(rng),
            "videos": lambda: self._videos(rng),
            "keywords": lambda: {"keywords": _json_list(row["keywords"])},
            "release_dates": lambda: self._release_dates(row),
        }
        for part, build in generated.items():
            if part in append:
                body[part] = build()
        return body

    def _details(self, tmdb_id, row, rng):
        body = copy.deepcopy(self.details_template)
        vote_average = float(row["vote_average"] or 0)
        body.update(
            id=tmdb_id,
            imdb_id=self.imdb_by_tmdb.get(tmdb_id),
            title=row["title"],
            original_title=row["original_title"],
            original_language=row["original_language"],
            overview=row["overview"],
            tagline=row["tagline"],
            # Like TMDB: runtime may be null, release_date "", vote_average an integer.
            runtime=int(float(row["runtime"])) if row["runtime"] else None,
            release_date=row["release_date"],
            popularity=float(row["popularity"] or 0),
            vote_average=int(vote_average) if vote_average.is_integer() else vote_average,
            vote_count=int(row["vote_count"] or 0),
            budget=int(row["budget"] or 0),
            revenue=int(row["revenue"] or 0),
            homepage=row["homepage"],
            status=row["status"] or "Released",
            genres=_json_list(row["genres"]),
            production_companies=[
                {"id": c["id"], "logo_path": None, "name": c["name"], "origin_country": ""}
                for c in _json_list(row["production_companies"])
            ],
            production_countries=_json_list(row["production_countries"]),
            spoken_languages=[
                {"english_name": lang["name"], **lang}
                for lang in _json_list(row["spoken_languages"])
            ],
            poster_path=_image_path(rng) if rng.random() > 0.03 else None,
            backdrop_path=_image_path(rng) if rng.random() > 0.1 else None,
            belongs_to_collection=None,
        )
        return body

    def _credits(self, rng):
        cast = []
        for order, person in enumerate(rng.sample(self.cast_pool, rng.randint(3, 30))):
            character = rng.choice(self.characters) if rng.random() > 0.05 else ""
            cast.append(
                {
                    **_person_fields(person),
                    "cast_id": order + 1,
                    "character": character,
                    "credit_id": _credit_id(rng),
                    "order": order,
                }
            )
        crew_people = rng.sample(self.crew_pool, 8)
        jobs = [("Directing", "Director")]
        if rng.random() < 0.1:
            jobs.append(("Directing", "Director"))
        writing_jobs = ["Screenplay", "Writer", "Novel", "Story"]
        jobs += [("Writing", rng.choice(writing_jobs)) for _ in range(rng.randint(0, 3))]
        jobs += [
            ("Production", "Producer"),
            ("Sound", "Original Music Composer"),
            ("Camera", "Director of Photography"),
        ]
        crew = [
            {
                **_person_fields(person),
                "credit_id": _credit_id(rng),
                "department": department,
                "job": job,
            }
            for person, (department, job) in zip(crew_people, jobs, strict=False)
        ]
        return {"cast": cast, "crew": crew}

    @staticmethod
    def _videos(rng):
        scenario = rng.random()
        kinds = []
        if scenario < 0.6:
            kinds = [("Teaser", True), ("Trailer", True), ("Trailer", False), ("Featurette", True)]
        elif scenario < 0.75:
            kinds = [("Trailer", False), ("Clip", True)]
        elif scenario < 0.85:
            kinds = [("Teaser", True)]
        elif scenario < 0.9:
            kinds = [("Trailer", True)]  # on Vimeo only, below
        videos = []
        for kind, official in kinds:
            videos.append(
                {
                    "iso_639_1": "en",
                    "iso_3166_1": "US",
                    "name": f"Official {kind}" if official else f"{kind} (fan upload)",
                    "key": "".join(rng.choices(string.ascii_letters + string.digits + "-_", k=11)),
                    "site": "Vimeo" if 0.85 <= scenario < 0.9 else "YouTube",
                    "size": 1080,
                    "type": kind,
                    "official": official,
                    "published_at": "2019-10-15T18:59:47.000Z",
                    "id": _credit_id(rng),
                }
            )
        return {"results": videos}

    @staticmethod
    def _release_dates(row):
        if not row["release_date"]:
            return {"results": []}
        release = {
            "certification": "",
            "descriptors": [],
            "iso_639_1": "",
            "note": "",
            "release_date": f"{row['release_date']}T00:00:00.000Z",
            "type": 3,
        }
        return {"results": [{"iso_3166_1": "US", "release_dates": [release]}]}

    def find(self, imdb_id):
        tmdb_id = self.tmdb_by_imdb.get(imdb_id)
        results = []
        if tmdb_id is not None:
            details = self.movie(tmdb_id, append=())
            results.append(
                {
                    key: details.get(key)
                    for key in (
                        "adult",
                        "backdrop_path",
                        "id",
                        "title",
                        "original_language",
                        "original_title",
                        "overview",
                        "poster_path",
                        "popularity",
                        "release_date",
                        "video",
                        "vote_average",
                        "vote_count",
                    )
                }
                | {"media_type": "movie", "genre_ids": [g["id"] for g in details["genres"]]}
            )
        return {
            "movie_results": results,
            "person_results": [],
            "tv_results": [],
            "tv_episode_results": [],
            "tv_season_results": [],
        }

    def changed_ids(self, start, end):
        """About 1 in 37 films per day, deterministically."""
        days = range(start.toordinal(), end.toordinal() + 1)
        return [i for i in self.movie_ids if any((i + day) % 37 == 0 for day in days)]


@functools.cache
def load_catalog(data_dir):
    """One catalog per data folder and process: tests start many stand-ins."""
    return StandinCatalog(data_dir)


class TMDBStandin:
    """The stand-in server, run in a background thread or in the foreground."""

    def __init__(self, data_dir=None, *, host="127.0.0.1", port=0, faults=None, seed=0):
        self.catalog = load_catalog(Path(data_dir or data_dir_from_env()).resolve())
        self.faults = faults or Faults()
        self.changed = None  # a list of ids for /movie/changes; None: generated per day
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._arrivals = deque()
        self._in_flight = 0
        self.requests = []
        self.server = ThreadingHTTPServer((host, port), _Handler)
        self.server.daemon_threads = True
        self.server.standin = self
        self._thread = None

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/3"

    def start(self):
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def serve_forever(self):
        try:
            self.server.serve_forever()
        finally:
            self.server.server_close()

    def reset(self):
        """Forget recorded requests; no faults, generated changes."""
        with self._lock:
            self.requests = []
            self._arrivals.clear()
            self.faults = Faults()
            self.changed = None

    # --- What tests measure ---

    def recorded(self, path_prefix="/3/", status=None):
        with self._lock:
            return [
                request
                for request in self.requests
                if request.path.startswith(path_prefix) and status in (None, request.status)
            ]

    def max_in_window(self, seconds=1.0, path_prefix="/3/"):
        """Most requests that arrived within any ``seconds`` (a sliding window)."""
        starts = sorted(request.started for request in self.recorded(path_prefix))
        best, first = 0, 0
        for last, started in enumerate(starts):
            while started - starts[first] >= seconds:
                first += 1
            best = max(best, last - first + 1)
        return best

    # --- Answering ---

    def answer(self, handler):
        started = time.monotonic()
        parts = urlsplit(handler.path)
        query = dict(parse_qsl(parts.query))
        with self._lock:
            self._in_flight += 1
            in_flight = self._in_flight
        status = 500
        # Recorded before the answer goes out, so a client that has its answer
        # always finds its request in the record.
        try:
            status, body, headers = self._respond(parts.path, query, handler.headers, started)
        finally:
            with self._lock:
                self._in_flight -= 1
                self.requests.append(
                    RecordedRequest(
                        started=started,
                        finished=time.monotonic(),
                        path=parts.path,
                        query=query,
                        status=status,
                        in_flight=in_flight,
                        authorization=handler.headers.get("Authorization", ""),
                    )
                )
        _send(handler, status, body, headers)

    def _respond(self, path, query, headers, started):
        scripted = self._next_scripted()
        if scripted == "slow":
            time.sleep(self.faults.slow_seconds)
        elif scripted is not None:
            return self._error(int(scripted))
        if not self._credential_ok(headers, query):
            return self._error(401)
        if self._over_rate_limit(started):
            return self._error(429)
        if self._chance(self.faults.error_rate):
            return self._error(500)
        if self._chance(self.faults.slow_rate):
            time.sleep(self.faults.slow_seconds)
        return self._route(path, query)

    def _next_scripted(self):
        with self._lock:
            return self.faults.script.popleft() if self.faults.script else None

    def _credential_ok(self, headers, query):
        authorization = headers.get("Authorization", "")
        credential = authorization.removeprefix("Bearer ").strip() or query.get("api_key", "")
        if not credential:
            return False
        return self.faults.token is None or credential == self.faults.token

    def _over_rate_limit(self, now):
        limit = self.faults.rate_limit
        with self._lock:
            self._arrivals.append(now)
            while self._arrivals and now - self._arrivals[0] >= 1.0:
                self._arrivals.popleft()
            return limit is not None and len(self._arrivals) > limit

    def _chance(self, share):
        if share <= 0:
            return False
        with self._lock:
            return self._random.random() < share

    def _error(self, status):
        headers = {}
        if status == 429 and self.faults.retry_after is not None:
            headers["Retry-After"] = str(self.faults.retry_after)
        return status, ERROR_BODIES.get(status, ERROR_BODIES[500]), headers

    def _route(self, path, query):
        if match := re.fullmatch(r"/3/movie/(\d+)", path):
            tmdb_id = int(match[1])
            append = set(filter(None, query.get("append_to_response", "").split(",")))
            body = (
                None
                if tmdb_id in self.faults.not_found_ids
                else self.catalog.movie(tmdb_id, append)
            )
            return (200, body, {}) if body else self._error(404)
        if match := re.fullmatch(r"/3/find/([^/]+)", path):
            if query.get("external_source") != "imdb_id":
                return (
                    400,
                    {"success": False, "status_code": 5, "status_message": "Invalid parameters"},
                    {},
                )
            return 200, self.catalog.find(match[1]), {}
        if path == "/3/movie/changes":
            return self._changes(query)
        if path == "/3/configuration":
            return 200, self.catalog.configuration, {}
        return self._error(404)

    def _changes(self, query):
        try:
            end = date.fromisoformat(query["end_date"]) if "end_date" in query else date.today()
            start = (
                date.fromisoformat(query["start_date"])
                if "start_date" in query
                else end - timedelta(days=1)
            )
            page = int(query.get("page", 1))
        except ValueError:
            return 422, {"errors": ["start_date, end_date or page is not valid."]}, {}
        if end < start or (end - start).days > CHANGES_MAX_DAYS:
            return 422, {"errors": ["Invalid date range: should be at most 14 days."]}, {}
        ids = self.changed if self.changed is not None else self.catalog.changed_ids(start, end)
        pages = max(1, -(-len(ids) // CHANGES_PAGE_SIZE))
        on_page = ids[(page - 1) * CHANGES_PAGE_SIZE : page * CHANGES_PAGE_SIZE]
        return (
            200,
            {
                "results": [{"id": i, "adult": False} for i in on_page],
                "page": page,
                "total_pages": pages,
                "total_results": len(ids),
            },
            {},
        )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the client's session expects
    server_version = "TMDBStandin/1.0"

    def do_GET(self):
        self.server.standin.answer(self)

    def log_message(self, format, *args):
        """Quiet: the stand-in records every request itself."""


def _send(handler, status, body, headers):
    payload = json.dumps(body).encode()
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json;charset=utf-8")
        handler.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)
    except (BrokenPipeError, ConnectionResetError):
        # The client gave up (its read timeout) before a slow answer came.
        handler.close_connection = True


def _json_list(text):
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _image_path(rng):
    return "/" + "".join(rng.choices(string.ascii_letters + string.digits, k=27)) + ".jpg"


def _credit_id(rng):
    return "".join(rng.choices("0123456789abcdef", k=24))


def _person_fields(person):
    keys = ("adult", "gender", "id", "known_for_department", "name", "original_name")
    return {key: person.get(key) for key in keys} | {
        "popularity": person.get("popularity", 0),
        "profile_path": person.get("profile_path"),
    }
