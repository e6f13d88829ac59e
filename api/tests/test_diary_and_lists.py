"""The diary and members' lists over the API: read and write, and only the owner writes."""

import pytest
from django.utils import timezone

from api.tests.conftest import assert_error
from catalog.tests.factories import make_movie
from lists.models import FilmList
from ratings.models import DiaryEntry, ListEntry, Rating


@pytest.fixture
def films(db):
    return [make_movie(f"Film {i}", genres=["Drama"], rating_count=100 - i) for i in range(4)]


def test_logging_watches_with_and_without_a_rating(api_as, alice, films):
    api = api_as(alice)
    api.put(f"me/watchlist/{films[0].pk}/")

    first = api.post(
        "me/diary/",
        json={"film": films[0].pk, "watched_on": "2024-03-02", "rating": 4, "note": "Rain"},
    )
    again = api.post("me/diary/", json={"film": films[0].pk})
    unrated = api.post("me/diary/", json={"film": films[1].pk, "watched_on": "2024-03-05"})

    assert first.status_code == 201, first.text
    entry = first.json()
    assert (entry["watched_on"], entry["rating"], entry["rewatch"], entry["note"]) == (
        "2024-03-02",
        4.0,
        False,
        "Rain",
    )
    assert again.json()["watched_on"] == timezone.localdate().isoformat()
    assert again.json()["rewatch"] is True and again.json()["rating"] is None
    assert unrated.json()["rating"] is None
    assert Rating.objects.get(user=alice).value == 4.0
    assert not ListEntry.objects.filter(user=alice, kind="watchlist").exists()

    diary = api.get("me/diary/").json()
    march = api.get("me/diary/", params={"since": "2024-03-01", "until": "2024-03-31"}).json()
    one_film = api.get("me/diary/", params={"film": films[1].pk}).json()
    assert diary["results"][0]["id"] == again.json()["id"]
    assert {e["id"] for e in march["results"]} == {entry["id"], unrated.json()["id"]}
    assert [e["film"]["id"] for e in one_film["results"]] == [films[1].pk]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": 4.3}, "rating"),
        ({"watched_on": "1800-01-01"}, "watched_on"),
        ({"watched_on": "3000-01-01"}, "watched_on"),
        ({"watched_on": "yesterday"}, "watched_on"),
        ({"note": "x" * 5000}, "note"),
    ],
)
def test_a_watch_is_checked_as_the_page_checks_it(api_as, alice, films, body, field):
    response = api_as(alice).post("me/diary/", json={"film": films[0].pk, **body})

    assert field in assert_error(response, 400, "invalid")["fields"]
    assert not DiaryEntry.objects.exists()


def test_changing_and_deleting_a_watch(api_as, alice, films):
    api = api_as(alice)
    entry = api.post("me/diary/", json={"film": films[0].pk, "watched_on": "2024-01-01"}).json()

    changed = api.patch(f"me/diary/{entry['id']}/", json={"rating": 3.5, "note": "Better"})
    refused = api.patch(f"me/diary/{entry['id']}/", json={"film": films[1].pk})
    deleted = api.delete(f"me/diary/{entry['id']}/")

    assert changed.status_code == 200
    assert (changed.json()["rating"], changed.json()["note"]) == (3.5, "Better")
    assert changed.json()["watched_on"] == "2024-01-01"
    assert_error(refused, 400, "invalid")
    assert deleted.status_code == 204
    assert_error(api.get(f"me/diary/{entry['id']}/"), 404, "not_found")
    assert Rating.objects.get(user=alice).value == 3.5


def test_a_diary_is_its_owners_alone(api_as, alice, bob, films):
    bobs = api_as(bob).post("me/diary/", json={"film": films[0].pk, "note": "secret"}).json()
    alices = api_as(alice)

    assert alices.get("me/diary/").json()["count"] == 0
    assert_error(alices.get(f"me/diary/{bobs['id']}/"), 404, "not_found")
    assert_error(alices.patch(f"me/diary/{bobs['id']}/", json={"note": "mine"}), 404, "not_found")
    assert_error(alices.delete(f"me/diary/{bobs['id']}/"), 404, "not_found")
    assert DiaryEntry.objects.get().note == "secret"


def test_making_filling_and_ordering_a_list(api_as, alice, films):
    api = api_as(alice)

    made = api.post("me/lists/", json={"title": "  Rainy days ", "description": "Cosy"})
    list_id = made.json()["id"]
    for movie in films[:3]:
        api.put(f"lists/{list_id}/films/{movie.pk}/")
    again = api.put(f"lists/{list_id}/films/{films[0].pk}/")
    moved = api.put(f"lists/{list_id}/films/{films[2].pk}/", json={"position": 1})
    after_move = api.get(f"lists/{list_id}/films/").json()["results"]
    reordered = api.put(
        f"lists/{list_id}/order/", json={"films": [films[0].pk, films[1].pk, films[2].pk]}
    )
    stale = api.put(f"lists/{list_id}/order/", json={"films": [films[0].pk, films[1].pk]})
    removed = api.delete(f"lists/{list_id}/films/{films[0].pk}/")
    items = api.get(f"lists/{list_id}/films/").json()["results"]

    assert made.status_code == 201
    assert made.json()["title"] == "Rainy days" and made.json()["public"] is False
    assert again.status_code == 200
    assert moved.json()["position"] == 1
    assert [i["film"]["id"] for i in after_move] == [films[2].pk, films[0].pk, films[1].pk]
    assert [i["film"]["id"] for i in reordered.json()] == [f.pk for f in films[:3]]
    assert_error(stale, 400, "invalid")
    assert removed.status_code == 204
    assert [(i["position"], i["film"]["id"]) for i in items] == [
        (1, films[1].pk),
        (2, films[2].pk),
    ]
    mine = api.get("me/lists/").json()["results"]
    assert [(entry["id"], entry["film_count"]) for entry in mine] == [(list_id, 2)]


def test_a_list_needs_a_title(api_as, alice):
    error = assert_error(api_as(alice).post("me/lists/", json={"title": "   "}), 400, "invalid")

    assert "title" in error["fields"]


def test_public_lists_read_for_anyone_private_for_the_owner_and_only_the_owner_writes(
    api_as, alice, bob, films
):
    alices = api_as(alice)
    public = alices.post("me/lists/", json={"title": "Shared", "public": True}).json()
    private = alices.post("me/lists/", json={"title": "Mine"}).json()
    alices.put(f"lists/{public['id']}/films/{films[0].pk}/")
    bobs, visitor = api_as(bob), api_as(None)

    assert visitor.get(f"lists/{public['id']}/").json()["owner"] == "alice"
    assert bobs.get(f"lists/{public['id']}/films/").json()["count"] == 1
    assert_error(visitor.get(f"lists/{private['id']}/"), 404, "not_found")
    assert_error(bobs.get(f"lists/{private['id']}/films/"), 404, "not_found")
    assert_error(bobs.put(f"lists/{private['id']}/films/{films[1].pk}/"), 404, "not_found")
    assert_error(bobs.put(f"lists/{public['id']}/films/{films[1].pk}/"), 403, "permission_denied")
    assert_error(
        bobs.patch(f"lists/{public['id']}/", json={"title": "Bob's"}), 403, "permission_denied"
    )
    assert_error(bobs.delete(f"lists/{public['id']}/"), 403, "permission_denied")
    assert_error(visitor.delete(f"lists/{public['id']}/"), 401, "not_authenticated")
    assert bobs.get("me/lists/").json()["count"] == 0

    made_private = alices.patch(f"lists/{public['id']}/", json={"public": False})
    assert made_private.json()["public"] is False
    assert_error(visitor.get(f"lists/{public['id']}/"), 404, "not_found")
    assert FilmList.objects.get(pk=public["id"]).title == "Shared"
    assert alices.delete(f"lists/{private['id']}/").status_code == 204
