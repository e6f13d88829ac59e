"""A visitor's first star or list click, kept through log-in or sign-up and applied after."""

import re

import pytest
from django.urls import reverse

from catalog.tests.factories import make_movie
from ratings.models import ListEntry, Rating
from ratings.pending import SESSION_KEY

pytestmark = pytest.mark.django_db

SIGN_UP = {
    "username": "carol",
    "email": "carol@example.com",
    "password1": "a long passphrase 7",
    "password2": "a long passphrase 7",
}


@pytest.fixture
def heat():
    return make_movie("Heat", year=1995)


def star_click(client, movie, value):
    """What a visitor's star form sends: a GET to the log-in page."""
    return client.get(
        reverse("accounts:login"),
        {"next": movie.get_absolute_url(), "movie": movie.pk, "action": "rate", "value": value},
    )


def log_in(client, **extra):
    return client.post(
        reverse("accounts:login"), {"username": "alice", "password": "correct horse 1", **extra}
    )


def test_visitor_film_page_forms_name_the_film_and_the_action(client, heat):
    page = client.get(heat.get_absolute_url()).content.decode()
    assert f'<input type="hidden" name="movie" value="{heat.pk}">' in page
    assert '<input type="hidden" name="action" value="rate">' in page
    assert '<input type="hidden" name="action" value="watchlist">' in page


def test_log_in_page_says_why_and_the_star_is_saved_right_after(client, alice, heat):
    page = star_click(client, heat, "4").content.decode()
    assert "Log in to rate Heat — we&#x27;ll save your ★4 right after." in page
    assert not Rating.objects.exists()

    response = log_in(client, next=heat.get_absolute_url())

    assert response["Location"] == heat.get_absolute_url()
    assert Rating.objects.get(user=alice, movie=heat).value == 4.0
    assert SESSION_KEY not in client.session
    page = client.get(heat.get_absolute_url()).content.decode()
    assert "You rated Heat ★4." in page


def test_a_list_click_is_applied_after_log_in(client, alice, heat):
    page = client.get(reverse("accounts:login"), {"movie": heat.pk, "action": "watchlist"})
    assert "Log in to add Heat to your watchlist — we&#x27;ll do it right after." in (
        page.content.decode()
    )
    log_in(client)
    assert list(ListEntry.objects.filter(user=alice).values_list("kind", flat=True)) == [
        "watchlist"
    ]
    assert "Added Heat to your watchlist." in client.get("/").content.decode()


def test_the_pending_rating_takes_the_film_off_the_watchlist(client, alice, heat):
    ListEntry.objects.create(user=alice, movie=heat, kind="watchlist")
    star_click(client, heat, "3.5")
    log_in(client)
    assert not ListEntry.objects.filter(user=alice).exists()
    messages = client.get("/").content.decode()
    assert "You rated Heat ★3.5 — removed from your watchlist." in messages


def test_sign_up_keeps_the_click_and_applies_it_before_onboarding(client, heat):
    login_page = star_click(client, heat, "4.5").content.decode()
    signup_link = reverse("accounts:signup") + (
        f"?next=%2Ffilms%2F{heat.pk}%2F&amp;movie={heat.pk}&amp;action=rate&amp;value=4.5"
    )
    assert signup_link in login_page

    page = client.get(signup_link.replace("&amp;", "&")).content.decode()
    assert "Create an account to rate Heat — we&#x27;ll save your ★4.5 right after." in page
    response = client.post(reverse("accounts:signup"), {**SIGN_UP, "next": heat.get_absolute_url()})

    assert response["Location"].startswith(reverse("ratings:onboarding"))
    assert Rating.objects.get(user__username="carol", movie=heat).value == 4.5
    onboarding = client.get(response["Location"]).content.decode()
    assert "Welcome to NextFilms, carol!" in onboarding
    assert "You rated Heat ★4.5." in onboarding


def test_a_failed_log_in_keeps_the_click_for_the_next_try(client, alice, heat):
    star_click(client, heat, "2")
    page = client.post(reverse("accounts:login"), {"username": "alice", "password": "wrong"})
    assert "Log in to rate Heat" in page.content.decode()
    log_in(client)
    assert Rating.objects.get(user=alice).value == 2.0


def test_opening_log_in_afresh_forgets_an_old_click(client, alice, heat):
    star_click(client, heat, "4")
    client.get(reverse("accounts:login"))
    log_in(client)
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {"action": "rate", "value": "7"},
        {"action": "rate", "value": ""},
        {"action": "rate"},
        {"action": "trash"},
        {"action": "rate", "value": "4", "movie": "x"},
        {"action": "rate", "value": "4", "movie": "999999"},
    ],
)
def test_a_click_that_names_nothing_valid_is_ignored(client, alice, heat, query):
    page = client.get(reverse("accounts:login"), {"movie": heat.pk, **query}).content.decode()
    assert "Log in to" not in page
    log_in(client)
    assert not Rating.objects.exists() and not ListEntry.objects.exists()


def test_a_film_hidden_meanwhile_is_not_rated(client, alice, heat):
    star_click(client, heat, "4")
    heat.is_hidden = True
    heat.save()
    log_in(client)
    assert not Rating.objects.exists()


def test_a_get_never_rates_even_for_a_member(alice_client, alice, heat):
    star_click(alice_client, heat, "4")
    assert not Rating.objects.exists()


def test_a_visitors_post_keeps_the_click_for_after_log_in(client, alice, heat):
    response = client.post(
        reverse("ratings:rate", args=[heat.pk]), {"value": "5", "next": "/browse/"}
    )
    assert response["Location"] == (
        f"/accounts/login/?next=%2Fbrowse%2F&movie={heat.pk}&action=rate&value=5"
    )
    client.get(response["Location"])
    log_in(client)
    assert Rating.objects.get(user=alice).value == 5.0


@pytest.mark.parametrize(
    ("start", "other"),
    [("accounts:login", "accounts:signup"), ("accounts:signup", "accounts:login")],
)
def test_the_header_links_between_log_in_and_sign_up_keep_the_click(client, heat, start, other):
    query = {"next": heat.get_absolute_url(), "movie": heat.pk, "action": "rate", "value": "4"}
    page = client.get(reverse(start), query).content.decode()
    header = page[page.index('<header class="site-header">') : page.index("</header>")]
    link = re.search(rf'href="({re.escape(reverse(other))}[^"]*)"', header).group(1)

    # The visitor follows the header's link instead of the one in the form.
    client.get(link.replace("&amp;", "&"))

    assert client.session[SESSION_KEY] == {"movie": heat.pk, "action": "rate", "value": "4"}
    if other == "accounts:signup":
        client.post(reverse("accounts:signup"), SIGN_UP)
        assert Rating.objects.get(user__username="carol", movie=heat).value == 4.0
