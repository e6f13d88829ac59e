"""The small site the page-wide browser checks (accessibility, layout) walk through."""

import pytest

from catalog.tests.factories import make_movie
from ratings.models import Rating
from recommender.tests.factories import planted_catalog, trained_model

PUBLIC_PAGES = [
    "/",
    "/browse/",
    "/search/?q=comedy",
    "/about/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
]
MEMBER_PAGES = [
    "/",
    "/for-you/",
    "/me/ratings/",
    "/me/lists/favorites/",
    "/me/lists/watchlist/",
    "/me/lists/not-interested/",
    "/welcome/",
    "/accounts/settings/",
    "/me/import/",
]


@pytest.fixture
def site(alice):
    """A trained catalog, alice with five ratings; returns a film to open."""
    clusters = planted_catalog(n_per_cluster=8)
    trained_model()
    film = clusters["Comedy"][0]
    for movie in clusters["Comedy"][1:6]:
        Rating.objects.create(user=alice, movie=movie, value=4.5)
    make_movie(
        "Heat",
        year=1995,
        genres=["Crime"],
        rating_count=3,
        rating_mean=4.0,
        rating_histogram=[0, 0, 0, 0, 0, 0, 1, 1, 1, 0],
    )
    return film


def log_in_as_alice(page):
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("alice")
    page.get_by_label("Password").fill("correct horse 1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
