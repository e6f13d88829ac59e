"""Onboarding (/welcome/): well-known films, a genre's, a search; more films; a sensible counter."""

import re

import pytest
from django.urls import reverse

from catalog.tests.factories import make_movie
from ratings.models import ListEntry, Rating

pytestmark = pytest.mark.django_db
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}
URL = "/welcome/"


def rate(user, title, value, **fields):
    movie = make_movie(title, **fields)
    Rating.objects.create(user=user, movie=movie, value=value)
    return movie


def titles(response):
    return [movie.title for movie in response.context["movies"]]


def counter_text(response):
    """The progress line as a reader sees it: "3 of 10 rated"."""
    html = re.search(r'<p class="progress__text".*?</p>', response.content.decode(), re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html.group(0))).strip()


def finish_link(response):
    match = re.search(
        r'<a class="[^"]*" href="([^"]+)" data-onboarding-finish>([^<]+)</a>',
        response.content.decode(),
    )
    return match.group(1), match.group(2)


def test_onboarding_offers_well_known_films_across_genres(alice_client, alice):
    for genre in ["Drama", "Comedy", "Horror"]:
        for i in range(8):
            make_movie(f"{genre} {i}", genres=[genre], rating_count=100 - i)
    make_movie("Obscure Drama", genres=["Drama"], rating_count=0)
    rate(alice, "Already Rated", 4.0, genres=["Drama"], rating_count=1000)
    response = alice_client.get(reverse("ratings:onboarding"))
    shown = titles(response)
    assert {title.split()[0] for title in shown} >= {"Drama", "Comedy", "Horror"}
    assert "Obscure Drama" not in shown
    assert response.context["rated_count"] == 1
    assert counter_text(response) == "1 of 10 rated"


def test_skip_leads_to_for_you(alice_client, alice):
    rate(alice, "One Film", 4.0)
    assert finish_link(alice_client.get(URL)) == (reverse("recommender:for_you"), "Skip for now")


def test_past_the_goal_the_counter_reads_sensibly_and_done_leads_to_for_you(alice_client, alice):
    for i in range(12):
        rate(alice, f"Film {i}", 4.0)
    response = alice_client.get(URL)
    assert counter_text(response) == (
        "12 rated — enough for recommendations; keep going if you like"
    )
    assert "of 10" not in counter_text(response)
    assert finish_link(response) == (reverse("recommender:for_you"), "Done")


def test_search_finds_films_to_rate_right_there(alice_client, alice):
    make_movie("Heat", year=1995, rating_count=50)
    make_movie("Heat Wave", year=1990, rating_count=5)
    make_movie("Heathers", year=1989, rating_count=9)
    make_movie("Toy Story", year=1995, rating_count=90)
    make_movie("Heat Hidden By Staff", is_hidden=True, rating_count=90)
    ListEntry.objects.create(user=alice, movie=make_movie("Heat Not For Me"), kind="hidden")
    response = alice_client.get(URL, {"q": "heat"})
    shown = titles(response)
    assert shown[0] == "Heat"
    assert set(shown) == {"Heat", "Heat Wave", "Heathers"}
    page = response.content.decode()
    assert 'name="q" value="heat"' in page
    assert "Films matching “heat”" in page
    # Every card can be rated where it is: site.js builds its stars from the page's template.
    assert page.count('<article class="card"') == 3
    assert page.count('<template id="card-actions-template"') == 1


def test_search_finding_nothing_says_so(alice_client):
    make_movie("Heat")
    response = alice_client.get(URL, {"q": "zzzzqqq"})
    assert titles(response) == []
    assert "No film matches “zzzzqqq”" in response.content.decode()


def test_a_genre_shows_its_best_known_films(alice_client):
    for i in range(3):
        make_movie(f"Comedy {i}", genres=["Comedy"], rating_count=10 + i)
    make_movie("Drama Hit", genres=["Drama"], rating_count=500)
    response = alice_client.get(URL, {"genre": "comedy"})
    assert titles(response) == ["Comedy 2", "Comedy 1", "Comedy 0"]
    page = response.content.decode()
    assert "Best-known Comedy films" in page
    assert f'href="{URL}?genre=comedy" aria-current="page">Comedy</a>' in page
    assert f'href="{URL}?genre=drama">Drama</a>' in page


def test_more_films_pages_through_a_genre_without_javascript(alice_client):
    for i in range(45):
        make_movie(f"Comedy {i:02d}", genres=["Comedy"], rating_count=100 - i)
    first = alice_client.get(URL, {"genre": "comedy"})
    assert len(titles(first)) == 40
    assert 'href="?page=2&amp;genre=comedy" data-more-films>More films</a>' in (
        first.content.decode()
    )
    second = alice_client.get(URL, {"genre": "comedy", "page": "2"})
    assert titles(second) == [f"Comedy {i:02d}" for i in range(40, 45)]
    assert "data-more-films" not in second.content.decode()


def test_more_popular_films_never_repeat_one_already_offered(alice_client):
    for genre in ["Drama", "Comedy", "Horror"]:
        for i in range(12):
            make_movie(
                f"{genre} {i}", genres=[genre, "Crime"] if i % 3 else [genre], rating_count=200 - i
            )
    pages, page_number = [], 1
    while True:
        response = alice_client.get(URL, {"page": page_number})
        pages.append(titles(response))
        if "data-more-films" not in response.content.decode():
            break
        page_number += 1
    offered = [title for page in pages for title in page]
    assert len(pages) > 1
    assert len(offered) == len(set(offered))
    assert len(set(offered)) == 36


def test_more_films_by_fetch_returns_only_the_new_cards(alice_client):
    for i in range(45):
        make_movie(f"Comedy {i:02d}", genres=["Comedy"], rating_count=100 - i)
    response = alice_client.get(URL, {"genre": "comedy", "page": "2"}, **FETCH)
    body = response.content.decode()
    assert "<html" not in body and "data-onboarding-films" in body
    assert body.count('class="card"') == 5


def test_bad_page_numbers_and_unknown_genres_fall_back(alice_client):
    make_movie("Drama Hit", genres=["Drama"], rating_count=500)
    for query in [{"page": "x"}, {"page": "-3"}, {"genre": "nope"}]:
        assert titles(alice_client.get(URL, query)) == ["Drama Hit"]


@pytest.mark.parametrize("count", [3, 30])
def test_onboarding_runs_a_constant_number_of_queries(
    alice_client, alice, django_assert_num_queries, count
):
    for i in range(count):
        rate(alice, f"Film {i}", 4.0, genres=["Drama", "Comedy"], rating_count=i)
    # Session, user, largest genres (or the chosen one), film ids, films with state,
    # their genres, the rating count, genre choices, the member's lists (the cards'
    # "Add to list", once per page).
    with django_assert_num_queries(9):
        alice_client.get(URL)
    with django_assert_num_queries(9):
        alice_client.get(URL, {"genre": "drama"})
