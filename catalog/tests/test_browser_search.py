"""In a real browser: search, pick a suggestion, land on the film page."""

import re

import pytest
from playwright.sync_api import expect

from catalog.tests.factories import make_movie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_suggestion_leads_to_the_film_page(page):
    make_movie("Heat", year=1995, genres=["Crime"], rating_count=100, rating_mean=4.0)
    make_movie("The Heat", year=2013, genres=["Comedy"], rating_count=10)
    make_movie("Casino", year=1995, genres=["Crime"], rating_count=80)

    page.goto("/")
    search = page.get_by_role("combobox", name="Search films")
    search.press_sequentially("heat", delay=40)
    options = page.get_by_role("option")
    expect(options).to_have_count(2)
    expect(options.first).to_contain_text("Heat 1995")
    expect(search).to_have_attribute("aria-expanded", "true")

    search.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    search.press("Enter")

    expect(page).to_have_url(re.compile(r"/films/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Heat (1995)")


def test_search_without_javascript_suggestions_still_submits(page):
    make_movie("Heat", year=1995, rating_count=100)

    page.goto("/")
    page.get_by_role("combobox", name="Search films").fill("heat 1995")
    page.get_by_role("button", name="Search").click()

    expect(page).to_have_url(re.compile(r"/search/\?q=heat\+1995$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Results for “heat 1995”")
    expect(page.get_by_role("link", name="Heat", exact=True)).to_be_visible()
