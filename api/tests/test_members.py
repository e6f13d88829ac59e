"""The member's own data over the API: ratings and lists, read and write, and only theirs."""

import pytest

from api.tests.conftest import assert_error
from catalog.tests.factories import make_movie
from ratings.models import ListEntry, Rating


@pytest.fixture
def films(db):
    return [make_movie(f"Film {i}", genres=["Drama"], rating_count=100 - i) for i in range(3)]


def test_rating_a_film_in_half_stars(api_as, alice, films):
    api = api_as(alice)

    created = api.put(f"me/ratings/{films[0].pk}/", json={"rating": 4.5})
    changed = api.put(f"me/ratings/{films[0].pk}/", json={"rating": 3})

    assert created.status_code == 201
    assert changed.status_code == 200
    body = changed.json()
    assert body["rating"] == 3.0
    assert body["film"]["id"] == films[0].pk
    assert body["film"]["me"]["rating"] == 3.0
    assert Rating.objects.get(user=alice).value == 3.0


@pytest.mark.parametrize("value", [0, 4.3, 5.5, "four", None, -1])
def test_a_rating_that_is_not_half_stars_is_refused_field_by_field(api_as, alice, films, value):
    response = api_as(alice).put(f"me/ratings/{films[0].pk}/", json={"rating": value})

    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == ["rating"]
    assert not Rating.objects.exists()


def test_my_ratings_are_paged_sorted_and_filtered(api_as, alice, films):
    api = api_as(alice)
    for movie, stars in zip(films, [5, 2.5, 4], strict=True):
        api.put(f"me/ratings/{movie.pk}/", json={"rating": stars})

    highest = api.get("me/ratings/", params={"sort": "highest", "page_size": 2}).json()
    second_page = api.get(highest["next"]).json()
    only_fours = api.get("me/ratings/", params={"stars": "4"}).json()

    assert highest["count"] == 3
    assert [r["rating"] for r in highest["results"]] == [5.0, 4.0]
    assert [r["rating"] for r in second_page["results"]] == [2.5]
    assert [r["film"]["id"] for r in only_fours["results"]] == [films[2].pk]
    assert_error(api.get("me/ratings/", params={"sort": "best"}), 400, "invalid")


def test_removing_a_rating(api_as, alice, films):
    api = api_as(alice)
    api.put(f"me/ratings/{films[0].pk}/", json={"rating": 4})

    assert api.delete(f"me/ratings/{films[0].pk}/").status_code == 204
    assert_error(api.get(f"me/ratings/{films[0].pk}/"), 404, "not_found")
    assert not Rating.objects.exists()


def test_watchlist_add_read_remove_and_rating_takes_a_film_off_it(api_as, alice, films):
    api = api_as(alice)

    added = api.put(f"me/watchlist/{films[0].pk}/")
    again = api.put(f"me/watchlist/{films[0].pk}/")
    api.put(f"me/watchlist/{films[1].pk}/")
    listed = api.get("me/watchlist/").json()
    api.put(f"me/ratings/{films[1].pk}/", json={"rating": 4})
    after_rating = api.get("me/watchlist/").json()
    removed = api.delete(f"me/watchlist/{films[0].pk}/")

    assert (added.status_code, again.status_code) == (201, 200)
    assert added.json()["film"]["me"]["watchlist"] is True
    assert [e["film"]["id"] for e in listed["results"]] == [films[1].pk, films[0].pk]
    assert [e["film"]["id"] for e in after_rating["results"]] == [films[0].pk]
    assert removed.status_code == 204
    assert api.get("me/watchlist/").json()["count"] == 0


def test_favorites_and_not_interested_are_lists_of_their_own(api_as, alice, films):
    api = api_as(alice)
    api.put(f"me/favorites/{films[0].pk}/")
    api.put(f"me/not-interested/{films[1].pk}/")

    assert [e["film"]["id"] for e in api.get("me/favorites/").json()["results"]] == [films[0].pk]
    hidden = api.get("me/not-interested/").json()["results"]
    assert [e["film"]["id"] for e in hidden] == [films[1].pk]
    assert api.get("me/").json() == {
        "username": "alice",
        "ratings": 0,
        "favorites": 1,
        "watchlist": 0,
        "not_interested": 1,
    }


def test_a_member_never_sees_or_changes_anothers_ratings_and_lists(api_as, alice, bob, films):
    bobs = api_as(bob)
    bobs.put(f"me/ratings/{films[0].pk}/", json={"rating": 5})
    bobs.put(f"me/watchlist/{films[1].pk}/")
    bobs.put(f"me/favorites/{films[2].pk}/")
    alices = api_as(alice)

    assert alices.get("me/ratings/").json()["count"] == 0
    assert_error(alices.get(f"me/ratings/{films[0].pk}/"), 404, "not_found")
    assert alices.get("me/watchlist/").json()["count"] == 0
    assert alices.get("me/favorites/").json()["count"] == 0
    film = alices.get(f"films/{films[0].pk}/").json()
    assert film["me"] == {
        "rating": None,
        "favorite": False,
        "watchlist": False,
        "not_interested": False,
    }
    alices.put(f"me/ratings/{films[0].pk}/", json={"rating": 1})
    alices.delete(f"me/watchlist/{films[1].pk}/")

    assert Rating.objects.get(user=bob).value == 5.0
    assert ListEntry.objects.filter(user=bob, kind="watchlist", movie=films[1]).exists()
    assert bobs.get(f"me/ratings/{films[0].pk}/").json()["rating"] == 5.0


def test_member_endpoints_ask_visitors_to_authenticate(api_as, films):
    visitor = api_as(None)
    for path in ["me/", "me/ratings/", "me/watchlist/", "me/recommendations/"]:
        error = assert_error(visitor.get(path), 401, "not_authenticated")
        assert "credentials" in error["message"]
    assert_error(
        visitor.put(f"me/ratings/{films[0].pk}/", json={"rating": 4}), 401, "not_authenticated"
    )


def test_hidden_and_unknown_films_cannot_be_rated(api_as, alice, films):
    films[0].is_hidden = True
    films[0].save()
    api = api_as(alice)

    assert_error(api.put(f"me/ratings/{films[0].pk}/", json={"rating": 4}), 404, "not_found")
    assert_error(api.put("me/watchlist/999999999/"), 404, "not_found")
    assert not Rating.objects.exists() and not ListEntry.objects.exists()
