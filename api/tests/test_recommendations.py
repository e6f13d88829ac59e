"""Recommendations over the API: they follow the member's ratings at once, with reasons."""

import pytest

from api.tests.conftest import assert_error
from recommender.tests.factories import planted_catalog, trained_model


@pytest.fixture
def clusters(transactional_db):
    """Two planted taste clusters (Comedy, Horror) and a model trained on them."""
    clusters = planted_catalog()
    trained_model()
    return clusters


def titles(response):
    return [r["film"]["title"] for r in response.json()["results"]]


def test_rating_over_the_api_changes_the_recommendations(api_as, alice, clusters):
    api = api_as(alice)
    for movie in clusters["Comedy"][:6]:
        api.put(f"me/ratings/{movie.pk}/", json={"rating": 5})

    before = api.get("me/recommendations/", params={"limit": 3})
    for movie in clusters["Horror"][:8]:
        api.put(f"me/ratings/{movie.pk}/", json={"rating": 5})
    for movie in clusters["Comedy"][:6]:
        api.put(f"me/ratings/{movie.pk}/", json={"rating": 0.5})
    after = api.get("me/recommendations/", params={"limit": 3})

    assert before.status_code == 200
    assert len(titles(before)) == 3 and all(t.startswith("Comedy") for t in titles(before))
    assert len(titles(after)) == 3 and all(t.startswith("Horror") for t in titles(after))
    rated = {movie.pk for movie in clusters["Comedy"][:6] + clusters["Horror"][:8]}
    assert not {r["film"]["id"] for r in after.json()["results"]} & rated


def test_each_recommendation_has_a_predicted_rating_and_a_reason(api_as, alice, clusters):
    api = api_as(alice)
    comedies = clusters["Comedy"]
    for movie in comedies[:6]:
        api.put(f"me/ratings/{movie.pk}/", json={"rating": 4.5})

    results = api.get("me/recommendations/", params={"limit": 4}).json()["results"]

    assert len(results) == 4
    rated_ids = {movie.pk for movie in comedies[:6]}
    for result in results:
        assert 0.5 <= result["predicted_rating"] <= 5
        assert result["reason"]["film"]["id"] in rated_ids
        assert result["reason"]["rating"] == 4.5
        assert result["film"]["me"]["rating"] is None


def test_the_for_you_filters_apply(api_as, alice, clusters):
    api = api_as(alice)
    for movie in clusters["Comedy"][:6]:
        api.put(f"me/ratings/{movie.pk}/", json={"rating": 5})
    watchlisted = clusters["Comedy"][6]
    api.put(f"me/watchlist/{watchlisted.pk}/")

    only_horror = api.get("me/recommendations/", params={"genre": "horror", "limit": 50})
    no_comedy = api.get("me/recommendations/", params={"without": "comedy", "limit": 50})
    nineties = api.get(
        "me/recommendations/", params={"year_from": 1990, "year_to": 1994, "limit": 50}
    )
    default = api.get("me/recommendations/", params={"limit": 50}).json()["results"]
    with_watchlist = api.get("me/recommendations/", params={"watchlist": "true", "limit": 50})
    watchlist_off = api.get("me/recommendations/", params={"watchlist": "false", "limit": 50})

    assert titles(only_horror) and all(t.startswith("Horror") for t in titles(only_horror))
    assert titles(no_comedy) == titles(only_horror)
    assert nineties.json()["results"]
    assert all(1990 <= r["film"]["year"] <= 1994 for r in nineties.json()["results"])
    assert watchlisted.pk not in {r["film"]["id"] for r in default}
    assert watchlisted.pk in {r["film"]["id"] for r in with_watchlist.json()["results"]}
    assert watchlisted.pk not in {r["film"]["id"] for r in watchlist_off.json()["results"]}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"popularity": "7"}, "popularity"),
        ({"genre": "no-such-genre"}, "genre"),
        ({"year_from": 2000, "year_to": 1990}, "year_to"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"watchlist": "maybe"}, "watchlist"),
    ],
)
def test_invalid_filters_are_named(api_as, alice, clusters, params, field):
    error = assert_error(api_as(alice).get("me/recommendations/", params=params), 400, "invalid")

    assert field in error["fields"]


def test_similar_films_come_from_the_same_cluster(api_as, clusters):
    comedy = clusters["Comedy"][0]

    results = api_as(None).get(f"films/{comedy.pk}/similar/").json()["results"]

    assert results and comedy.pk not in {r["id"] for r in results}
    assert all(r["title"].startswith("Comedy") for r in results[:5])


def test_a_film_shows_members_the_rating_we_predict(api_as, alice, clusters):
    api = api_as(alice)
    for movie in clusters["Comedy"][:6]:
        api.put(f"me/ratings/{movie.pk}/", json={"rating": 5})

    unseen = api.get(f"films/{clusters['Comedy'][8].pk}/").json()
    seen = api.get(f"films/{clusters['Comedy'][0].pk}/").json()
    visitor = api_as(None).get(f"films/{clusters['Comedy'][8].pk}/").json()

    assert unseen["predicted_rating"] >= 3.5
    assert seen["predicted_rating"] is None and seen["me"]["rating"] == 5.0
    assert visitor["predicted_rating"] is None and visitor["me"] is None


def test_a_film_logged_in_the_diary_leaves_the_recommendations_even_unrated(
    api_as, alice, clusters
):
    api = api_as(alice)
    for movie in clusters["Comedy"][:6]:
        api.put(f"me/ratings/{movie.pk}/", json={"rating": 5})
    first = api.get("me/recommendations/", params={"limit": 3}).json()["results"][0]["film"]

    logged = api.post("me/diary/", json={"film": first["id"]})
    after = api.get("me/recommendations/", params={"limit": 50}).json()["results"]

    assert logged.status_code == 201 and logged.json()["rating"] is None
    assert first["id"] not in {r["film"]["id"] for r in after}
