"""The database itself refuses impossible ratings and duplicate entries."""

import pytest
from django.db import IntegrityError, transaction

from catalog.tests.factories import make_movie
from ratings.models import ListEntry, Rating

pytestmark = pytest.mark.django_db


def test_one_rating_per_person_and_film(alice):
    movie = make_movie()
    Rating.objects.create(user=alice, movie=movie, value=4.0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(user=alice, movie=movie, value=3.0)


@pytest.mark.parametrize("value", [0.0, 0.25, 5.5, 3.3, -1.0])
def test_rating_must_be_half_stars_from_half_to_five(alice, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(user=alice, movie=make_movie(), value=value)


def test_a_film_is_on_each_list_at_most_once(alice):
    movie = make_movie()
    ListEntry.objects.create(user=alice, movie=movie, kind=ListEntry.Kind.WATCHLIST)
    ListEntry.objects.create(user=alice, movie=movie, kind=ListEntry.Kind.FAVORITE)
    with pytest.raises(IntegrityError), transaction.atomic():
        ListEntry.objects.create(user=alice, movie=movie, kind=ListEntry.Kind.WATCHLIST)


def test_emails_are_unique_whatever_their_case(django_user_model, alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        django_user_model.objects.create_user("alice2", "ALICE@example.com", "pw")


def test_staff_see_ratings_and_lists_in_the_admin(client, django_user_model, alice):
    from django.urls import reverse

    staff = django_user_model.objects.create_superuser("staff", "staff@example.com", "pw")
    movie = make_movie("Heat")
    Rating.objects.create(user=alice, movie=movie, value=4.0)
    ListEntry.objects.create(user=alice, movie=movie, kind="watchlist")
    client.force_login(staff)
    ratings_page = client.get(reverse("admin:ratings_rating_changelist"), {"q": "alice"})
    lists_page = client.get(reverse("admin:ratings_listentry_changelist"), {"kind": "watchlist"})
    assert list(ratings_page.context["cl"].result_list) == list(Rating.objects.all())
    assert len(lists_page.context["cl"].result_list) == 1
