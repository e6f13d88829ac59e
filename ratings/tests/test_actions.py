"""Rating and list actions: plain forms, in-place fetch updates, owners only."""

import pytest
from django.test import Client
from django.urls import reverse

from catalog.tests.factories import make_movie
from ratings.models import ListEntry, Rating

pytestmark = pytest.mark.django_db
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


def rate_url(movie):
    return reverse("ratings:rate", args=[movie.pk])


def list_url(movie, kind):
    return reverse("ratings:set_list", args=[movie.pk, kind])


def test_rating_twice_updates_not_duplicates(alice_client, alice):
    movie = make_movie("Heat")
    alice_client.post(rate_url(movie), {"value": "4.5"})
    alice_client.post(rate_url(movie), {"value": "3"})
    assert list(Rating.objects.filter(user=alice).values_list("value", flat=True)) == [3.0]


def test_plain_post_redirects_back_to_the_page_it_came_from(alice_client):
    movie = make_movie("Heat")
    response = alice_client.post(rate_url(movie), {"value": "4", "next": "/browse/?page=2"})
    assert response.status_code == 302
    assert response["Location"] == "/browse/?page=2"


def test_redirect_never_leaves_the_site(alice_client):
    movie = make_movie("Heat")
    response = alice_client.post(rate_url(movie), {"value": "4", "next": "https://evil.example/"})
    assert response["Location"] == movie.get_absolute_url()


def test_fetch_gets_the_actions_fragment_with_the_new_state(alice_client):
    movie = make_movie("Heat")
    response = alice_client.post(rate_url(movie), {"value": "4.5"}, **FETCH)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'value="4.5" id="rate-' in body
    assert f'value="4.5" id="rate-{movie.pk}-9" checked' in body
    assert "You rated Heat ★4.5." in body


def test_remove_takes_the_rating_away_even_with_stars_checked(alice_client, alice):
    movie = make_movie("Heat")
    Rating.objects.create(user=alice, movie=movie, value=2.0)
    # The form sends the checked star along with the "Remove rating" button.
    response = alice_client.post(rate_url(movie), {"value": "2", "remove": "1"}, **FETCH)
    assert response.status_code == 200
    assert "Rating for Heat removed." in response.content.decode()
    assert not Rating.objects.filter(user=alice).exists()


@pytest.mark.parametrize("data", [{}, {"value": ""}, {"value": "  "}, {"remove": "0"}])
def test_a_post_without_stars_keeps_the_rating_and_says_why(alice_client, alice, data):
    movie = make_movie("Heat")
    Rating.objects.create(user=alice, movie=movie, value=2.0)

    response = alice_client.post(rate_url(movie), data, **FETCH)

    assert response.status_code == 400
    assert "Choose a number of stars to save a rating" in response.content.decode()
    assert Rating.objects.get(user=alice).value == 2.0


def test_a_plain_post_without_stars_goes_back_with_the_message(alice_client, alice):
    movie = make_movie("Heat")
    Rating.objects.create(user=alice, movie=movie, value=2.0)
    response = alice_client.post(rate_url(movie), {}, follow=True)
    assert "Choose a number of stars to save a rating" in response.content.decode()
    assert Rating.objects.get(user=alice).value == 2.0


def test_the_remove_button_names_its_action(alice_client, alice):
    movie = make_movie("Heat")
    Rating.objects.create(user=alice, movie=movie, value=2.0)
    page = alice_client.get(movie.get_absolute_url()).content.decode()
    assert 'type="submit" name="remove" value="1">Remove rating</button>' in page


@pytest.mark.parametrize("value", ["6", "0", "3.3", "lots", "nan"])
def test_invalid_rating_is_refused_and_keeps_the_old_one(alice_client, alice, value):
    movie = make_movie("Heat")
    Rating.objects.create(user=alice, movie=movie, value=2.0)
    response = alice_client.post(rate_url(movie), {"value": value}, **FETCH)
    assert response.status_code == 400
    assert "half steps" in response.content.decode()
    assert Rating.objects.get(user=alice).value == 2.0


def test_visitor_is_sent_to_log_in_and_back(client):
    movie = make_movie("Heat")
    response = client.post(rate_url(movie), {"value": "4", "next": movie.get_absolute_url()})
    assert response.status_code == 302
    assert response["Location"] == (
        f"/accounts/login/?next=%2Ffilms%2F{movie.pk}%2F&movie={movie.pk}&action=rate&value=4"
    )
    assert not Rating.objects.exists()


def test_changes_need_post(alice_client):
    movie = make_movie("Heat")
    assert alice_client.get(rate_url(movie)).status_code == 405
    assert alice_client.get(list_url(movie, "favorite")).status_code == 405


def test_csrf_token_is_required(alice):
    movie = make_movie("Heat")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post(rate_url(movie), {"value": "4"}, **FETCH).status_code == 403
    assert strict.post(list_url(movie, "watchlist"), {"on": "1"}, **FETCH).status_code == 403
    assert not Rating.objects.exists() and not ListEntry.objects.exists()


def test_hidden_film_cannot_be_rated(alice_client):
    movie = make_movie("Heat", is_hidden=True)
    assert alice_client.post(rate_url(movie), {"value": "4"}).status_code == 404


@pytest.mark.parametrize("kind", ["favorite", "watchlist", "hidden"])
def test_list_toggle_adds_once_and_removes(alice_client, alice, kind):
    movie = make_movie("Heat")
    alice_client.post(list_url(movie, kind), {"on": "1"})
    alice_client.post(list_url(movie, kind), {"on": "1"})
    assert ListEntry.objects.filter(user=alice, kind=kind).count() == 1
    response = alice_client.post(list_url(movie, kind), {"on": "0"}, **FETCH)
    assert ListEntry.objects.filter(user=alice, kind=kind).count() == 0
    assert 'aria-pressed="false"' in response.content.decode()


def test_unknown_list_is_a_bad_request(alice_client):
    movie = make_movie("Heat")
    assert alice_client.post(list_url(movie, "trash"), {"on": "1"}).status_code == 400


def test_actions_change_only_the_signed_in_persons_data(alice_client, alice, bob):
    movie = make_movie("Heat")
    Rating.objects.create(user=bob, movie=movie, value=1.0)
    ListEntry.objects.create(user=bob, movie=movie, kind="favorite")
    alice_client.post(rate_url(movie), {"remove": "1"})
    alice_client.post(list_url(movie, "favorite"), {"on": "0"})
    assert Rating.objects.get(user=bob).value == 1.0
    assert ListEntry.objects.filter(user=bob).count() == 1


def test_not_interested_films_leave_the_discovery_rows(alice_client, alice, client):
    shown = make_movie("Shown Film", rating_count=10)
    hidden = make_movie("Hidden Film", rating_count=20)
    alice_client.post(list_url(hidden, "hidden"), {"on": "1"})
    page = alice_client.get(reverse("catalog:home")).content.decode()
    assert shown.title in page
    assert hidden.title not in page


def test_rating_a_film_takes_it_off_the_watchlist(alice_client, alice):
    movie = make_movie("Heat")
    ListEntry.objects.create(user=alice, movie=movie, kind="watchlist")
    ListEntry.objects.create(user=alice, movie=movie, kind="favorite")
    response = alice_client.post(rate_url(movie), {"value": "4"}, follow=True)
    assert "You rated Heat ★4 — removed from your watchlist." in response.content.decode()
    assert list(ListEntry.objects.filter(user=alice).values_list("kind", flat=True)) == ["favorite"]


def test_rating_by_fetch_says_the_film_left_the_watchlist(alice_client, alice):
    movie = make_movie("Heat")
    ListEntry.objects.create(user=alice, movie=movie, kind="watchlist")
    body = alice_client.post(rate_url(movie), {"value": "4.5"}, **FETCH).content.decode()
    assert "You rated Heat ★4.5 — removed from your watchlist." in body
    assert 'toggle--watchlist" type="submit" aria-pressed="false"' in body
    assert not ListEntry.objects.filter(user=alice).exists()


def test_rating_a_film_not_on_the_watchlist_says_nothing_about_it(alice_client, alice, bob):
    movie = make_movie("Heat")
    ListEntry.objects.create(user=bob, movie=movie, kind="watchlist")
    body = alice_client.post(rate_url(movie), {"value": "3"}, **FETCH).content.decode()
    assert "You rated Heat ★3." in body and "watchlist." not in body
    assert ListEntry.objects.filter(user=bob, kind="watchlist").exists()


def test_a_refused_rating_leaves_the_watchlist_alone(alice_client, alice):
    movie = make_movie("Heat")
    ListEntry.objects.create(user=alice, movie=movie, kind="watchlist")
    alice_client.post(rate_url(movie), {"value": "7"})
    alice_client.post(rate_url(movie), {"remove": "1"})
    assert ListEntry.objects.filter(user=alice, kind="watchlist").exists()
