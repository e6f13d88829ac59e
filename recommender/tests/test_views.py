"""The "For you" page, its filters, the replacement card and film-page additions."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import Genre, Movie
from ratings.models import ListEntry, Rating
from recommender.serving import predicted_rating
from recommender.tests.factories import planted_catalog, trained_model

pytestmark = pytest.mark.django_db


def test_for_you_needs_an_account(client):
    response = client.get(reverse("recommender:for_you"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_for_you_shows_predictions_and_reasons(alice_client, alice, clusters):
    for movie in clusters["Comedy"][:6]:
        Rating.objects.create(user=alice, movie=movie, value=5.0)
    page = alice_client.get(reverse("recommender:for_you")).content.decode()
    assert "We think you'd give it" in page
    assert "Because you rated" in page
    assert clusters["Comedy"][7].title in page


def test_filters_live_in_the_url(alice_client, alice, clusters):
    Rating.objects.create(user=alice, movie=clusters["Comedy"][0], value=5.0)
    response = alice_client.get(reverse("recommender:for_you"), {"genre": "horror"})
    shown = [r.movie.title for r in response.context["recommendations"]]
    assert shown and all(title.startswith("Horror") for title in shown)


def test_inverted_years_show_an_error(alice_client, clusters):
    response = alice_client.get(
        reverse("recommender:for_you"), {"year_from": 2000, "year_to": 1990}
    )
    assert "The end year is before the start year." in response.content.decode()


def test_a_decade_that_is_not_a_number_is_an_error_not_a_crash(alice_client, clusters):
    response = alice_client.get(reverse("recommender:for_you"), {"decade": "abc"})
    assert response.status_code == 200
    assert "Choose a decade from the list." in response.content.decode()


def test_next_card_skips_the_films_already_shown(alice_client, alice, clusters):
    for movie in clusters["Comedy"][:4]:
        Rating.objects.create(user=alice, movie=movie, value=5.0)
    first = alice_client.get(reverse("recommender:for_you")).context["recommendations"]
    shown = [r.movie.pk for r in first[:-1]]
    response = alice_client.get(reverse("recommender:next"), {"shown": shown})
    card = response.context["recommendation"]
    assert card.movie.pk not in shown
    assert "<html" not in response.content.decode()


def test_next_card_ignores_shown_ids_that_are_not_numbers(alice_client, clusters):
    # "²" passes str.isdigit() but int() refuses it.
    response = alice_client.get(reverse("recommender:next"), {"shown": ["²", "abc"]})
    assert response.status_code == 200
    assert response.context["recommendation"] is not None


def test_hidden_film_leaves_the_page(alice_client, alice, clusters):
    for movie in clusters["Comedy"][:4]:
        Rating.objects.create(user=alice, movie=movie, value=5.0)
    first = alice_client.get(reverse("recommender:for_you")).context["recommendations"][0]
    ListEntry.objects.create(user=alice, movie=first.movie, kind="hidden")
    again = alice_client.get(reverse("recommender:for_you")).context["recommendations"]
    assert first.movie.pk not in {r.movie.pk for r in again}


def test_home_has_a_for_you_row_for_members_only(alice_client, clusters):
    assert "row-for-you" in alice_client.get(reverse("catalog:home")).content.decode()
    assert "row-for-you" not in Client().get(reverse("catalog:home")).content.decode()


def test_film_page_shows_more_like_this_and_a_predicted_rating(alice_client, alice, clusters):
    for movie in clusters["Comedy"][:5]:
        Rating.objects.create(user=alice, movie=movie, value=5.0)
    target = clusters["Comedy"][8]
    response = alice_client.get(target.get_absolute_url())
    page = response.content.decode()
    assert f"More like {target.title}" in page
    assert "We think you'd give it" in page


def test_more_like_this_cards_carry_their_own_predictions(alice_client, alice, clusters):
    comedies, horror = clusters["Comedy"], clusters["Horror"]
    for movie in comedies[:5]:
        Rating.objects.create(user=alice, movie=movie, value=5.0)
    for movie in horror[:3]:
        Rating.objects.create(user=alice, movie=movie, value=1.0)
    target = comedies[8]

    page = alice_client.get(target.get_absolute_url()).content.decode()
    similar = page[page.index("more-like-this-heading") :]
    cards = re.findall(
        r'data-movie="(\d+)".*?(?:We think you\'d give it <strong>★([\d.]+)</strong>|</article>)',
        similar,
        re.S,
    )

    own = f"{predicted_rating(alice, target):.1f}"
    assert f"We think you'd give it <strong>★{own}</strong>" in page[: page.index("more-like")]
    shown = {int(pk): stars for pk, stars in cards}
    assert len(shown) >= 3
    for pk, stars in shown.items():
        movie = Movie.objects.get(pk=pk)
        rated = Rating.objects.filter(user=alice, movie=movie).exists()
        assert stars == ("" if rated else f"{predicted_rating(alice, movie):.1f}")
    # The films like a comedy she loves are not all predicted as that comedy is.
    assert len({stars for stars in shown.values() if stars}) > 1


def test_for_you_runs_a_bounded_number_of_queries(
    alice_client, alice, clusters, django_assert_max_num_queries
):
    for movie in clusters["Comedy"][:6]:
        Rating.objects.create(user=alice, movie=movie, value=5.0)
    with django_assert_max_num_queries(14):
        alice_client.get(reverse("recommender:for_you"))


def test_films_without_factors_get_more_like_this_by_content(alice_client):
    from catalog.models import MovieTag
    from catalog.tests.factories import make_movie

    new_film = make_movie("Brand New Heist", genres=["Crime"])
    similar = make_movie("Old Heist", genres=["Crime"], rating_count=50)
    make_movie("Unrelated Comedy", genres=["Comedy"], rating_count=500)
    for movie in (new_film, similar):
        MovieTag.objects.create(movie=movie, tag="heist", count=3)
    page = alice_client.get(new_film.get_absolute_url()).content.decode()
    assert "More like Brand New Heist" in page
    assert "Old Heist" in page
    assert "Unrelated Comedy" not in page


@pytest.mark.parametrize(
    ("match", "expected"),
    [("any", {"Comedy 3", "Horror 4", "Comedy 5"}), ("all", {"Comedy 3"})],
)
def test_chosen_genres_mean_any_of_them_unless_all_are_asked_for(
    alice_client, alice, match, expected
):
    clusters = planted_catalog()
    romance = Genre.objects.create(name="Romance")
    clusters["Comedy"][3].genres.add(romance)
    clusters["Horror"][4].genres.add(romance)
    trained_model()
    Rating.objects.create(user=alice, movie=clusters["Comedy"][0], value=5.0)

    response = alice_client.get(
        reverse("recommender:for_you"),
        {"genre": ["comedy", "romance"], "genre_match": match},
    )

    shown = {r.movie.title for r in response.context["recommendations"]}
    assert expected <= shown
    if match == "all":
        assert shown == expected
    else:
        assert all(title.startswith("Comedy") or title == "Horror 4" for title in shown)
    assert "Any of the chosen genres" in response.content.decode()


def test_for_you_can_sort_by_predicted_rating(alice_client, alice, clusters):
    for movie in clusters["Comedy"][:4]:
        Rating.objects.create(user=alice, movie=movie, value=5.0)
    for movie in clusters["Horror"][:4]:
        Rating.objects.create(user=alice, movie=movie, value=3.0)

    default = alice_client.get(reverse("recommender:for_you"))
    by_stars = alice_client.get(reverse("recommender:for_you"), {"sort": "predicted"})

    assert 'name="sort" value="predicted"' in default.content.decode()
    predictions = [r.predicted_rating for r in by_stars.context["recommendations"]]
    assert predictions and predictions == sorted(predictions, reverse=True)


def test_film_page_says_which_ratings_the_prediction_rests_on(alice_client, alice, clusters):
    for movie, value in zip(clusters["Comedy"][:4], [5.0, 4.5, 4.0, 3.5], strict=True):
        Rating.objects.create(user=alice, movie=movie, value=value)
    Rating.objects.create(user=alice, movie=clusters["Horror"][0], value=2.0)

    page = alice_client.get(clusters["Comedy"][9].get_absolute_url()).content.decode()

    why = page[page.index("data-why") :]
    why = why[: why.index("</details>")]
    rated = [*clusters["Comedy"][:4], clusters["Horror"][0]]
    listed = [movie for movie in rated if f">{movie}</a>" in why]
    assert why.count("<li>") == len(listed) == 3
