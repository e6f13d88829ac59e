"""One error shape for every failure, per-token rate limits in the shared cache, CORS off."""

import time

import pytest
from django.test import Client, override_settings

from api.tests.conftest import ApiClient, assert_error, log_in_over_http
from api.tokens import create_token
from catalog.tests.factories import make_movie
from conftest import CELERY_TEST_BROKER


@pytest.fixture
def film(db):
    return make_movie("Heat", genres=["Crime"], year=1995)


@pytest.fixture
def fresh_window():
    """Start well inside a minute: limits count per fixed minute, and a test whose
    requests straddle two minutes would see its count start again."""
    left = 60 - time.time() % 60
    if left < 15:
        time.sleep(left + 0.1)


def test_every_kind_of_failure_answers_in_one_shape(api_as, alice, film):
    api = api_as(alice)

    assert_error(api.get("films/999999999/"), 404, "not_found")
    assert_error(api.get("people/999999999/"), 404, "not_found")
    assert_error(api.get("no-such-thing/"), 404, "not_found")
    assert_error(api.get("films/?page=99"), 404, "not_found")
    assert_error(api.post("films/"), 405, "method_not_allowed")
    assert_error(api.delete(f"films/{film.pk}/"), 405, "method_not_allowed")
    assert_error(api.get("films/", params={"decade": "1234"}), 400, "invalid")
    assert_error(api.get("people/"), 400, "invalid")
    malformed = api.put(
        f"me/ratings/{film.pk}/", data="{rating: 4", headers={"Content-Type": "application/json"}
    )
    assert_error(malformed, 400, "parse_error")
    form_encoded = api.put(f"me/ratings/{film.pk}/", data={"rating": "4"})
    assert_error(form_encoded, 415, "unsupported_media_type")


def test_a_missing_final_slash_is_pointed_out(api_as):
    error = assert_error(api_as(None).get("films"), 404, "not_found")

    assert "/api/v1/films/" in error["message"]


def test_session_writes_need_the_csrf_token(live_server, alice, film):
    session = log_in_over_http(live_server.url)
    url = f"{live_server.url}/api/v1/me/ratings/{film.pk}/"

    read = session.get(f"{live_server.url}/api/v1/me/", timeout=30)
    refused = session.put(url, json={"rating": 4}, timeout=30)
    accepted = session.put(
        url,
        json={"rating": 4},
        headers={"X-CSRFToken": session.cookies["csrftoken"], "Referer": live_server.url},
        timeout=30,
    )

    assert read.status_code == 200 and read.json()["username"] == "alice"
    error = assert_error(refused, 403, "permission_denied")
    assert "CSRF" in error["message"]
    assert accepted.status_code == 201


@override_settings(API_RATE_LIMIT="3/minute", API_VISITOR_RATE_LIMIT="2/minute")
def test_each_token_has_its_own_rate_limit(live_server, alice, film, fresh_window):
    _, first_key = create_token(alice, "first")
    _, second_key = create_token(alice, "second")
    first = ApiClient(live_server.url, first_key)

    statuses = [first.get("films/").status_code for _ in range(3)]
    limited = first.get("films/")

    assert statuses == [200, 200, 200]
    error = assert_error(limited, 429, "throttled")
    assert 1 <= error["retry_after"] <= 60
    assert limited.headers["Retry-After"] == str(error["retry_after"])
    assert ApiClient(live_server.url, second_key).get("films/").status_code == 200
    visitor = ApiClient(live_server.url)
    assert [visitor.get("films/").status_code for _ in range(3)] == [200, 200, 429]


def test_the_limit_is_counted_in_the_shared_cache(live_server, alice, film, redis_db, fresh_window):
    token, key = create_token(alice, "shared")
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CELERY_TEST_BROKER,
        }
    }
    api = ApiClient(live_server.url, key)

    with override_settings(CACHES=redis_cache, API_RATE_LIMIT="2/minute"):
        statuses = [api.get("films/").status_code for _ in range(2)]
        # Another web worker sees the same count: here, the count set straight in Redis.
        [counter] = redis_db.keys(f"*api-rate:token:{token.pk}:*")
        assert int(redis_db.get(counter)) == 2
        limited = api.get("films/")

    assert statuses == [200, 200]
    assert_error(limited, 429, "throttled")


def test_no_cors_headers_unless_origins_are_listed(live_server, film):
    origin = {"Origin": "https://elsewhere.example"}

    plain = ApiClient(live_server.url).get("films/", headers=origin)
    preflight = ApiClient(live_server.url).request(
        "OPTIONS",
        "films/",
        headers={**origin, "Access-Control-Request-Method": "GET"},
    )

    for response in (plain, preflight):
        assert not [name for name in response.headers if name.lower().startswith("access-control")]


@pytest.mark.django_db
def test_listed_origins_get_cors_headers_for_the_api_only(settings, film):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example"]
    settings.MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware", *settings.MIDDLEWARE]
    client = Client()

    allowed = client.get("/api/v1/films/", headers={"Origin": "https://app.example"})
    other = client.get("/api/v1/films/", headers={"Origin": "https://evil.example"})
    page = client.get("/", headers={"Origin": "https://app.example"})

    assert allowed["Access-Control-Allow-Origin"] == "https://app.example"
    assert "Access-Control-Allow-Credentials" not in allowed
    assert "Access-Control-Allow-Origin" not in other
    assert "Access-Control-Allow-Origin" not in page


def test_an_unexpected_failure_is_logged_and_answered_in_the_shape(
    api_as, film, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("search index on fire")

    monkeypatch.setattr("api.views.catalog.search_movies", broken)

    response = api_as(None).get("films/", params={"q": "heat"})

    assert_error(response, 500, "server_error")
    assert "on fire" not in response.text and "Traceback" not in response.text
    assert "search index on fire" in caplog.text


def test_answers_vary_by_who_asks_and_members_answers_are_private(api_as, alice, film):
    visitor = api_as(None).get(f"films/{film.pk}/")
    member = api_as(alice).get(f"films/{film.pk}/")

    for response in (visitor, member):
        assert {"authorization", "cookie"} <= {
            value.strip().lower() for value in response.headers["Vary"].split(",")
        }
    assert "private" in member.headers["Cache-Control"]


@pytest.mark.parametrize(
    ("path", "meant"),
    [("/api/", "/api/v1/"), ("/api/docs/", "/api/v1/docs/"), ("/api/films", "/api/v1/films/")],
)
def test_an_address_without_the_version_is_pointed_to_it(client, db, path, meant):
    response = client.get(path)

    assert response.status_code == 404
    assert response.json()["error"]["message"].endswith(f"did you mean {meant}?")


def test_an_unversioned_address_that_names_nothing_gets_no_suggestion(client, db):
    message = client.get("/api/no-such-thing/").json()["error"]["message"]

    assert message == "There is no API endpoint at /api/no-such-thing/."
