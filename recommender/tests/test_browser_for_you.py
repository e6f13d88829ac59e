"""In a real browser: rate ten films, open "For you", hide one and see it replaced."""

import re

import pytest
from playwright.sync_api import expect

from ratings.models import ListEntry
from recommender.tests.factories import planted_catalog, trained_model

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rate_ten_films_then_hide_a_suggestion_and_get_another(page, alice):
    # More films than the page shows, so a hidden one has a successor.
    clusters = planted_catalog(n_per_cluster=35)
    trained_model()
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("alice")
    page.get_by_label("Password").fill("correct horse 1")
    page.get_by_role("button", name="Log in").click()

    for movie in clusters["Comedy"][:10]:
        page.goto(movie.get_absolute_url())
        page.locator(".film .stars__label").nth(9).click()
        expect(page.locator(".film [role=status]")).to_contain_text("★5")

    page.get_by_role("link", name="For you").click()
    cards = page.locator("[data-recommendations] .card")
    expect(cards.first).to_contain_text("Because you rated Comedy")
    expect(cards.first).to_contain_text("We think you'd give it")
    count = cards.count()
    first_title = cards.first.locator(".card__title").inner_text()
    assert first_title.startswith("Comedy")

    cards.first.get_by_role("button", name=re.compile("^Not interested")).click()

    expect(page.locator(".card__title", has_text=re.compile(f"^{first_title}$"))).to_have_count(0)
    expect(cards).to_have_count(count)
    assert ListEntry.objects.filter(user=alice, kind="hidden", movie__title=first_title).exists()
