"""The TMDB client against the local stand-in: parsing, auth, errors, retries, limits."""

import json
import threading
import time
import uuid
from datetime import date

import pytest
import redis
from django.core.cache import cache

from catalog.tmdb import api, images, parsing
from catalog.tmdb.api import TMDBClient
from catalog.tmdb.limits import (
    RedisConnectionLimit,
    RedisRateLimit,
    RequestGate,
    local_gate,
    redis_gate,
)
from catalog.tmdb.parsing import choose_trailer_key, parse_movie
from conftest import CELERY_TEST_BROKER
from devtools.tmdb_standin import data_dir_from_env

SAMPLES = data_dir_from_env() / "samples"
REDIS_TEST_URL = CELERY_TEST_BROKER


def sample(name):
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


@pytest.fixture
def sleeps():
    """The delays a client asked to sleep, recorded instead of slept (see ``make_client``)."""
    return []


def make_client(standin, credential="a-read-access-token", *, sleeps=None, **options):
    sleep = sleeps.append if sleeps is not None else time.sleep
    return TMDBClient(credential, standin.url, gate=local_gate(1000), sleep=sleep, **options)


@pytest.fixture
def redis_prefix():
    """A key prefix of its own in the test Redis database, removed afterwards."""
    connection = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (`make services` starts it).")
    prefix = f"test:{uuid.uuid4().hex}"
    yield prefix
    keys = list(connection.scan_iter(f"{prefix}:*"))
    if keys:
        connection.delete(*keys)


# --- Parsing real bodies ------------------------------------------------------


def test_fight_club_body_parses_into_what_we_store():
    movie = parse_movie(sample("movie_550_details_append_DERIVED.json"))

    assert (movie.tmdb_id, movie.imdb_id, movie.runtime) == (550, "tt0137523", 139)
    assert movie.title == "Fight Club"
    assert movie.release_date == date(1999, 10, 15)
    assert movie.tagline == "Mischief. Mayhem. Soap."
    assert movie.poster_path == "/pB8BM7pdSp6B6Ih7QZ4DrQ3PmJK.jpg"
    assert movie.original_language == "en"
    assert movie.genres == ("Drama",)
    assert isinstance(movie.vote_average, float)
    assert len(movie.cast) == parsing.TOP_CAST
    assert [member.order for member in movie.cast] == list(range(parsing.TOP_CAST))
    assert (movie.cast[0].name, movie.cast[0].character) == ("Edward Norton", "Narrator")
    assert movie.cast[1].name == "Brad Pitt"
    assert [director.name for director in movie.directors] == ["David Fincher"]
    assert {(w.name, w.job) for w in movie.writers} == {
        ("Chuck Palahniuk", "Novel"),
        ("Jim Uhls", "Screenplay"),
    }
    assert (851, "dual identity") in movie.keywords
    assert len(movie.keywords) == 14
    assert movie.companies[:2] == ((711, "Fox 2000 Pictures"), (508, "Regency Enterprises"))
    assert len(movie.companies) == 5
    # The first official YouTube trailer TMDB lists.
    assert movie.trailer_youtube_key == "dfeUzm6KF4g"
    # belongs_to_collection is null: in no series.
    assert (movie.collection_id, movie.collection_name) == (None, "")


def test_body_with_every_append_parses():
    movie = parse_movie(sample("movie_12313_details_append_all.json"))
    assert movie.tmdb_id == 12313
    assert movie.cast and movie.directors
    assert movie.keywords
    assert movie.trailer_youtube_key
    # The series TMDB puts it in ("more like this" leads with its other parts).
    assert (movie.collection_id, movie.collection_name) == (77816, "Kung Fu Panda Collection")


def test_nulls_empty_strings_and_missing_keys_are_tolerated():
    body = {
        "id": 77,
        "imdb_id": None,
        "release_date": "",
        "vote_average": 7,
        "vote_count": None,
        "runtime": 0,
        "tagline": None,
        "overview": None,
        "poster_path": None,
        "genres": None,
        "production_companies": [{"id": None, "name": "No id"}, {"id": 9, "name": ""}, 3],
        "credits": {
            "cast": [
                {"id": 1, "name": "Somebody", "character": None, "order": None},
                {"id": None, "name": "No id"},
                "not a dict",
            ],
            "crew": None,
        },
        "videos": {"results": None},
    }

    movie = parse_movie(body)

    assert (movie.imdb_id, movie.release_date, movie.runtime) == ("", None, None)
    assert movie.vote_average == 7.0 and isinstance(movie.vote_average, float)
    assert (movie.vote_count, movie.tagline, movie.overview, movie.poster_path) == (
        None,
        "",
        "",
        "",
    )
    assert movie.genres == () and movie.keywords == () and movie.directors == ()
    assert movie.companies == ()
    assert [(m.name, m.character, m.profile_path) for m in movie.cast] == [("Somebody", "", "")]
    assert movie.trailer_youtube_key == ""


def youtube(key, kind, official):
    return {"site": "YouTube", "key": key, "type": kind, "official": official}


@pytest.mark.parametrize(
    ("videos", "expected"),
    [
        (
            [
                youtube("teaser", "Teaser", True),
                youtube("fan", "Trailer", False),
                youtube("official", "Trailer", True),
            ],
            "official",
        ),
        ([youtube("teaser", "Teaser", True), youtube("fan", "Trailer", False)], "fan"),
        ([youtube("clip", "Clip", True), youtube("teaser", "Teaser", False)], "teaser"),
        ([{"site": "Vimeo", "key": "v", "type": "Trailer", "official": True}], ""),
        ([], ""),
        (None, ""),
    ],
)
def test_trailer_prefers_official_trailer_then_any_trailer_then_teaser(videos, expected):
    assert choose_trailer_key(videos) == expected


# --- Credentials and errors ---------------------------------------------------


def test_read_access_token_goes_in_the_authorization_header(standin):
    make_client(standin, "eyJhbGciOiJIUzI1NiJ9.token").movie(550)
    [request] = standin.recorded()
    assert request.authorization == "Bearer eyJhbGciOiJIUzI1NiJ9.token"
    assert "api_key" not in request.query
    assert request.query["append_to_response"] == "credits,videos,keywords,release_dates"


def test_v3_api_key_goes_in_the_query(standin):
    key = "0123456789abcdef0123456789abcdef"
    make_client(standin, key).movie(550)
    [request] = standin.recorded()
    assert request.query["api_key"] == key
    assert request.authorization == ""


def test_missing_credential_is_refused_before_any_request(standin):
    with pytest.raises(api.TMDBAuthError):
        make_client(standin, "")
    assert standin.recorded() == []


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (401, api.TMDBAuthError),
        (404, api.TMDBNotFound),
    ],
)
def test_final_errors_are_raised_at_once_without_retry(standin, sleeps, status, error_type):
    standin.faults.script.append(status)
    with pytest.raises(error_type) as caught:
        make_client(standin, sleeps=sleeps).movie(550)
    assert caught.value.status_code == status
    assert len(standin.recorded()) == 1
    assert sleeps == []


def test_wrong_token_raises_auth_error_with_tmdb_message(standin):
    standin.faults.token = "the-right-one"
    with pytest.raises(api.TMDBAuthError, match="Invalid API key"):
        make_client(standin, "the-wrong-one").movie(550)


def test_unknown_film_is_not_found(standin):
    with pytest.raises(api.TMDBNotFound, match="could not be found"):
        make_client(standin).movie(1)


def test_server_errors_are_retried_with_growing_backoff(standin, sleeps):
    standin.faults.script.extend([500, 503])
    body = make_client(standin, sleeps=sleeps).movie(550)
    assert body["id"] == 550
    assert [request.status for request in standin.recorded()] == [500, 503, 200]
    # Equal jitter: attempt n waits between half and all of 0.5 s * 2^(n-1).
    assert 0.25 <= sleeps[0] <= 0.5 <= sleeps[1] <= 1.0


def test_server_errors_give_up_after_the_last_attempt(standin, sleeps):
    standin.faults.script.extend([500] * 3)
    with pytest.raises(api.TMDBServerError):
        make_client(standin, sleeps=sleeps, max_attempts=3).movie(550)
    assert len(standin.recorded()) == 3
    assert len(sleeps) == 2


def test_retry_after_is_honoured(standin):
    standin.faults.retry_after = 1
    standin.faults.script.append(429)
    make_client(standin).movie(550)
    limited, answered = standin.recorded()
    assert (limited.status, answered.status) == (429, 200)
    assert answered.started - limited.finished >= 1.0


def test_rate_limited_error_carries_retry_after(standin):
    standin.faults.retry_after = 7
    standin.faults.script.append(429)
    with pytest.raises(api.TMDBRateLimited) as caught:
        make_client(standin, max_attempts=1).movie(550)
    assert caught.value.retry_after == 7.0


def test_429_without_retry_after_backs_off_exponentially(standin, sleeps):
    standin.faults.retry_after = None
    standin.faults.script.extend([429, 429])
    make_client(standin, sleeps=sleeps).movie(550)
    assert 0.25 <= sleeps[0] <= 0.5 <= sleeps[1] <= 1.0


def test_timeouts_are_retried(standin, sleeps):
    standin.faults.slow_seconds = 0.5
    standin.faults.script.append("slow")
    client = make_client(standin, sleeps=sleeps, timeout=(1, 0.2))
    assert client.movie(550)["id"] == 550
    assert client.retries == 1
    assert len(sleeps) == 1


def test_timeouts_raise_our_error_after_the_last_attempt(standin, sleeps):
    standin.faults.slow_seconds = 0.5
    standin.faults.script.extend(["slow", "slow"])
    with pytest.raises(api.TMDBTimeout):
        make_client(standin, sleeps=sleeps, timeout=(1, 0.2), max_attempts=2).movie(550)


def test_unreachable_server_is_a_transient_connection_error(sleeps):
    client = TMDBClient(
        "token", "http://127.0.0.1:9/3", gate=local_gate(1000), sleep=sleeps.append, max_attempts=2
    )
    with pytest.raises(api.TMDBConnectionError):
        client.movie(550)
    assert len(sleeps) == 1


# --- Endpoints ----------------------------------------------------------------


def test_find_by_imdb_id(standin):
    client = make_client(standin)
    assert client.find_by_imdb("tt0137523") == 550
    assert client.find_by_imdb("tt0499549") == 19995
    assert client.find_by_imdb("tt0000001") is None
    assert standin.recorded()[0].query == {"external_source": "imdb_id"}


def test_changed_movie_ids_reads_every_page(standin):
    standin.changed = list(range(1, 251))
    ids = list(make_client(standin).changed_movie_ids(date(2024, 3, 1), date(2024, 3, 14)))
    assert ids == list(range(1, 251))
    pages = [request.query["page"] for request in standin.recorded()]
    assert pages == ["1", "2", "3"]
    assert standin.recorded()[0].query["start_date"] == "2024-03-01"


def test_changed_movie_ids_refuses_more_than_14_days(standin):
    with pytest.raises(ValueError, match="14 days"):
        list(make_client(standin).changed_movie_ids(date(2024, 3, 1), date(2024, 3, 16)))
    assert standin.recorded() == []


def test_configuration_is_cached_and_feeds_image_urls(standin, monkeypatch):
    cache.clear()
    client = make_client(standin)
    assert client.configuration()["images"]["secure_base_url"] == "https://image.tmdb.org/t/p/"
    client.configuration()
    assert len(standin.recorded()) == 1

    cache.set(
        images.CONFIGURATION_CACHE_KEY, {"images": {"secure_base_url": "https://images.example/"}}
    )
    monkeypatch.setitem(images._image_base, "expires", 0.0)
    assert images.image_base_url() == "https://images.example/"
    cache.clear()
    monkeypatch.setitem(images._image_base, "expires", 0.0)
    assert images.image_base_url() == images.DEFAULT_IMAGE_BASE


# --- Rate and connection limits -----------------------------------------------

BURST = 2  # tokens a bucket of 20 req/s holds: a tenth of a second's worth
# Requests whose turn came while the machine was busy leave together: a stall of
# 0.1 s at 20 req/s bunches two more into a second, as TMDB would count them.
JITTER = 2


def fetch_in_threads(clients, requests_each):
    def fetch(client):
        for _ in range(requests_each):
            client.movie(550)

    threads = [threading.Thread(target=fetch, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_in_process_limit_holds_the_rate_across_threads(standin):
    gate = local_gate(20)
    clients = [TMDBClient("token", standin.url, gate=gate) for _ in range(6)]
    started = time.monotonic()
    fetch_in_threads(clients, 5)
    elapsed = time.monotonic() - started

    assert len(standin.recorded()) == 30
    assert elapsed >= (30 - BURST) / 20
    assert standin.max_in_window(1.0) <= 20 + BURST + JITTER


def test_redis_limit_holds_the_rate_across_processes(standin, redis_prefix):
    # Two gates with their own Redis connections stand for two worker processes.
    gates = [redis_gate(REDIS_TEST_URL, 20, key_prefix=redis_prefix) for _ in range(2)]
    clients = [TMDBClient("token", standin.url, gate=gates[i % 2]) for i in range(8)]
    started = time.monotonic()
    fetch_in_threads(clients, 6)
    elapsed = time.monotonic() - started

    assert len(standin.recorded()) == 48
    assert elapsed >= (48 - BURST) / 20
    assert standin.max_in_window(1.0) <= 20 + BURST + JITTER
    assert elapsed < 48 / 20 + 1.5  # and it keeps close to the rate


def test_redis_semaphore_caps_concurrent_connections(standin, redis_prefix):
    connection = redis.Redis.from_url(REDIS_TEST_URL)
    gate = RequestGate(
        RedisRateLimit(connection, 1000, key=f"{redis_prefix}:bucket"),
        RedisConnectionLimit(connection, limit=3, key=f"{redis_prefix}:connections"),
    )
    standin.faults.slow_rate, standin.faults.slow_seconds = 1.0, 0.2
    clients = [TMDBClient("token", standin.url, gate=gate) for _ in range(8)]
    fetch_in_threads(clients, 2)

    assert max(request.in_flight for request in standin.recorded()) == 3
    assert connection.zcard(f"{redis_prefix}:connections") == 0


def test_lease_of_a_dead_holder_expires(redis_prefix):
    connection = redis.Redis.from_url(REDIS_TEST_URL)
    limit = RedisConnectionLimit(
        connection, limit=1, lease_seconds=0.5, key=f"{redis_prefix}:connections"
    )
    # A worker killed while holding the only connection never releases it.
    assert limit._acquire(keys=[limit.key], args=[1, "killed-worker", limit.lease_seconds])
    started = time.monotonic()
    with limit.hold():
        waited = time.monotonic() - started
    assert 0.3 <= waited < 2.0
