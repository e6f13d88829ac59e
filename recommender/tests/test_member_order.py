"""``rank_movies_for``: a page's films in the member's order, with predicted ratings."""

import pytest

from ratings.models import Rating
from recommender.serving import rank_movies_for

pytestmark = pytest.mark.django_db


def test_films_the_member_would_like_come_first_and_rated_ones_are_left_out(alice, clusters):
    comedies, horrors = clusters["Comedy"], clusters["Horror"]
    for movie in comedies[:5]:
        Rating.objects.create(user=alice, movie=movie, value=5)
    page = [horrors[0].pk, comedies[0].pk, horrors[1].pk, comedies[6].pk, comedies[7].pk]
    ranking = rank_movies_for(alice, page)
    assert comedies[0].pk not in ranking.movie_ids
    assert set(ranking.movie_ids[:2]) == {comedies[6].pk, comedies[7].pk}
    assert set(ranking.predicted_ratings) == set(ranking.movie_ids)
    assert all(0.5 <= stars <= 5 for stars in ranking.predicted_ratings.values())


def test_no_order_without_ratings_or_for_visitors(alice, clusters):
    from django.contrib.auth.models import AnonymousUser

    films = [movie.pk for movie in clusters["Comedy"]]
    assert rank_movies_for(alice, films) is None
    assert rank_movies_for(AnonymousUser(), films) is None


def test_no_order_without_a_model(alice):
    assert rank_movies_for(alice, [1, 2, 3]) is None
