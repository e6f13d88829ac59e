"""Automated WCAG 2.2 AA checks (axe-core in Chromium) on the main pages."""

import pytest

from catalog.tests.axe import axe_violations
from catalog.tests.factories import make_movie
from ratings.models import Rating
from recommender.tests.factories import planted_catalog, trained_model

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def violations(page, path, color_scheme):
    page.emulate_media(color_scheme=color_scheme)
    page.goto(path)
    return axe_violations(page, f"{path} ({color_scheme})")


@pytest.fixture
def site(alice):
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
    "/for-you/",
    "/me/ratings/",
    "/me/lists/watchlist/",
    "/welcome/",
    "/accounts/settings/",
    "/me/import/",
]


@pytest.mark.parametrize("color_scheme", ["dark", "light"])
def test_main_pages_have_no_wcag_violations(page, site, color_scheme):
    found = []
    for path in [*PUBLIC_PAGES, site.get_absolute_url()]:
        found += violations(page, path, color_scheme)
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("alice")
    page.get_by_label("Password").fill("correct horse 1")
    page.get_by_role("button", name="Log in").click()
    for path in [*MEMBER_PAGES, site.get_absolute_url()]:
        found += violations(page, path, color_scheme)
    assert found == [], "\n".join(found)
