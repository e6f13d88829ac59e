"""A member's pages: my ratings and lists, private and query-bounded."""

import pytest
from django.urls import reverse

from catalog.tests.factories import make_movie
from ratings.models import ListEntry, Rating

pytestmark = pytest.mark.django_db
LIST_SLUGS = ["favorites", "watchlist", "not-interested"]


def rate(user, title, value, **fields):
    movie = make_movie(title, **fields)
    Rating.objects.create(user=user, movie=movie, value=value)
    return movie


def titles(response):
    return [movie.title for movie in response.context["movies"]]


def test_my_ratings_sorts_and_filters(alice_client, alice):
    rate(alice, "Alpha", 3.0)
    rate(alice, "Bravo", 5.0)
    rate(alice, "Charlie", 3.0)
    url = reverse("ratings:my_ratings")
    assert titles(alice_client.get(url)) == ["Charlie", "Bravo", "Alpha"]
    assert titles(alice_client.get(url, {"sort": "highest"})) == ["Bravo", "Charlie", "Alpha"]
    assert titles(alice_client.get(url, {"sort": "title"})) == ["Alpha", "Bravo", "Charlie"]
    assert titles(alice_client.get(url, {"stars": "3.0", "sort": "title"})) == ["Alpha", "Charlie"]
    assert titles(alice_client.get(url, {"stars": "bogus", "sort": "nope"})) == [
        "Charlie",
        "Bravo",
        "Alpha",
    ]


def test_recently_rated_goes_by_the_date_rated_not_by_when_a_row_was_written(alice_client, alice):
    today = rate(alice, "Rated today", 4.0)
    # Imported afterwards, with the dates of the member's file.
    for title, day in [("Seen in 2019", "2019-03-01"), ("Seen in 2021", "2021-06-15")]:
        Rating.objects.create(
            user=alice, movie=make_movie(title), value=3.5, rated_at=f"{day}T20:00:00Z"
        )
    assert Rating.objects.filter(user=alice).latest("updated_at").movie.title == "Seen in 2021"

    response = alice_client.get(reverse("ratings:my_ratings"))

    assert titles(response) == [today.title, "Seen in 2021", "Seen in 2019"]


def test_my_ratings_paginates(alice_client, alice):
    for i in range(30):
        rate(alice, f"Film {i:02d}", 4.0)
    response = alice_client.get(reverse("ratings:my_ratings"), {"sort": "title", "page": 2})
    assert titles(response) == [f"Film {i:02d}" for i in range(24, 30)]


def test_pages_show_only_the_owners_data(alice_client, alice, bob):
    rate(bob, "Bob's Film", 5.0)
    ListEntry.objects.create(user=bob, movie=make_movie("Bob's Watch"), kind="watchlist")
    rate(alice, "Alice's Film", 4.0)
    assert titles(alice_client.get(reverse("ratings:my_ratings"))) == ["Alice's Film"]
    assert titles(alice_client.get(reverse("ratings:movie_list", args=["watchlist"]))) == []


@pytest.mark.parametrize("count", [2, 30])
def test_member_list_pages_run_a_constant_number_of_queries(
    alice_client, alice, django_assert_num_queries, count
):
    for i in range(count):
        movie = rate(alice, f"Film {i}", 4.0, genres=["Drama"])
        ListEntry.objects.create(user=alice, movie=movie, kind="favorite")
    # Session, user, count, page, total, films with state, their genres, and the
    # member's lists once for every card's "Add to list".
    with django_assert_num_queries(8):
        alice_client.get(reverse("ratings:my_ratings"))
    # Session, user, count, page, films with state, their genres, the lists.
    with django_assert_num_queries(7):
        alice_client.get(reverse("ratings:movie_list", args=["favorites"]))


def test_lists_pages_show_the_right_films(alice_client, alice):
    for kind, title in [("favorite", "Loved"), ("watchlist", "Later"), ("hidden", "Nope")]:
        ListEntry.objects.create(user=alice, movie=make_movie(title), kind=kind)
    for slug, expected in [
        ("favorites", "Loved"),
        ("watchlist", "Later"),
        ("not-interested", "Nope"),
    ]:
        assert titles(alice_client.get(reverse("ratings:movie_list", args=[slug]))) == [expected]


def test_empty_list_says_what_to_do(alice_client):
    page = alice_client.get(reverse("ratings:movie_list", args=["watchlist"])).content.decode()
    assert "Watchlist" in page and "want to see" in page


def test_a_film_staff_hid_leaves_the_members_pages_and_counts(alice_client, alice):
    shown = rate(alice, "Shown Film", 4.0)
    gone = rate(alice, "Gone Film", 5.0)
    for kind in ["favorite", "watchlist", "hidden"]:
        ListEntry.objects.create(user=alice, movie=shown, kind=kind)
        ListEntry.objects.create(user=alice, movie=gone, kind=kind)
    gone.is_hidden = True
    gone.save()

    pages = [
        reverse("ratings:my_ratings"),
        *(reverse("ratings:movie_list", args=[slug]) for slug in LIST_SLUGS),
    ]
    for url in pages:
        response = alice_client.get(url)
        body = response.content.decode()
        assert titles(response) == ["Shown Film"], url
        assert response.context["page"].paginator.count == 1, url
        assert "Gone Film" not in body and gone.get_absolute_url() not in body, url
    assert alice_client.get(pages[0]).context["total"] == 1
    assert "1 of 1 film" in alice_client.get(pages[0]).content.decode()
    for_you = alice_client.get(reverse("recommender:for_you"))
    assert for_you.context["rated_count"] == 1
    onboarding = alice_client.get(reverse("ratings:onboarding"))
    assert onboarding.context["rated_count"] == 1
