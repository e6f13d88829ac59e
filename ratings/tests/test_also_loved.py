""" "Members who loved this also loved": from members' ratings, above a threshold."""

import pytest

from catalog.tests.factories import make_movie
from ratings import also_loved
from ratings.models import Rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(django_user_model):
    return [
        django_user_model.objects.create_user(f"member{i}", f"m{i}@example.com", "pw")
        for i in range(also_loved.MIN_LOVERS + 1)
    ]


@pytest.fixture
def films():
    return {title: make_movie(title) for title in ("Heat", "Ronin", "Collateral", "Thief", "Cats")}


def love(users, movie, value=4.5):
    for user in users:
        Rating.objects.create(user=user, movie=movie, value=value)


def test_films_the_lovers_love_most_come_first(members, films):
    love(members, films["Heat"])
    love(members, films["Ronin"])
    love(members[:3], films["Collateral"])
    love(members[:2], films["Thief"], value=4.0)
    love(members, films["Cats"], value=2.0)  # rated, not loved
    assert also_loved.also_loved_ids(films["Heat"]) == [
        films["Ronin"].pk,
        films["Collateral"].pk,
        films["Thief"].pk,
    ]


def test_below_the_threshold_there_is_no_row(members, films):
    love(members[: also_loved.MIN_LOVERS - 1], films["Heat"])
    for title in ("Ronin", "Collateral", "Thief"):
        love(members, films[title])
    assert also_loved.also_loved_ids(films["Heat"]) == []


def test_too_few_films_loved_together_give_no_row(members, films):
    love(members, films["Heat"])
    love(members, films["Ronin"])
    love(members[:1], films["Collateral"])  # one lover is not "members"
    assert also_loved.also_loved_ids(films["Heat"]) == []


def test_film_page_shows_the_row_and_falls_back_to_the_models_without_it(client, members, films):
    love(members, films["Heat"])
    html = client.get(films["Heat"].get_absolute_url()).content.decode()
    assert "Members who loved Heat also loved" not in html
    for title in ("Ronin", "Collateral", "Thief"):
        love(members, films[title])
    films["Heat"].save()  # a new page generation for visitors
    html = client.get(films["Heat"].get_absolute_url()).content.decode()
    row = html.split("Members who loved Heat also loved")[1].split("</section>")[0]
    assert f'href="{films["Ronin"].get_absolute_url()}"' in row
    assert "Cats" not in row


def test_hidden_films_are_left_out(members, films):
    for title in ("Heat", "Ronin", "Collateral", "Thief"):
        love(members, films[title])
    films["Ronin"].is_hidden = True
    films["Ronin"].save()
    assert films["Ronin"].pk not in also_loved.also_loved_ids(films["Heat"])
