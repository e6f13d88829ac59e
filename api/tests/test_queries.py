"""Lists cost a constant number of SQL queries, however many films they hold."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.tests.factories import make_movie
from ratings.models import ListEntry, Rating

pytestmark = pytest.mark.django_db


def queries_for(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return len(captured)


def add_films(user, count, start):
    for i in range(start, start + count):
        movie = make_movie(f"Film {i}", genres=["Drama", "Comedy"], rating_count=i)
        Rating.objects.create(user=user, movie=movie, value=4)
        ListEntry.objects.create(user=user, movie=movie, kind="watchlist")


@pytest.mark.parametrize("path", ["/api/v1/films/", "/api/v1/me/ratings/", "/api/v1/me/watchlist/"])
def test_a_page_of_films_costs_the_same_queries_for_2_or_20(alice_client, alice, path):
    add_films(alice, 2, 0)
    few = queries_for(alice_client, path)
    add_films(alice, 18, 2)
    many = queries_for(alice_client, path)

    assert many == few
