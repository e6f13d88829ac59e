"""In Chromium: search a director → their page → rate a film there → the taste page.

Also the new pages' checks: WCAG 2.2 AA (axe-core) in both themes and nothing
wider than the window at phone and desktop widths.
"""

import re

import pytest
from playwright.sync_api import expect

from catalog.models import Movie, MovieTag
from catalog.tests.axe import axe_violations
from catalog.tests.factories import credit, make_person
from catalog.tests.test_browser_layout import OVERFLOW
from conftest import log_in
from ratings.models import Rating
from recommender.tests.factories import planted_catalog, trained_model

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def director(alice):
    """A director of four comedies and a horror film; a trained model; alice's ratings."""
    clusters = planted_catalog(n_per_cluster=8)
    trained_model()
    comedies, horrors = clusters["Comedy"], clusters["Horror"]
    person = make_person("Quentin Tarantino", tmdb_id=138)
    for movie in [*comedies[:4], horrors[0]]:
        credit(person, movie, job="Director")
    credit(person, comedies[1], job="Screenplay", order=1)
    credit(make_person("Uma Thurman"), comedies[0], character="Mia Wallace")
    credit(person, comedies[2], character="Jimmie", order=4)
    for movie in comedies[4:8]:
        Rating.objects.create(user=alice, movie=movie, value=4.5)
    Rating.objects.create(user=alice, movie=comedies[0], value=4)
    MovieTag.objects.create(movie=comedies[0], tag="quirky", count=3)
    return person


def test_search_a_director_rate_on_their_page_and_see_it_on_the_taste_page(page, director, snap):
    log_in(page)
    search = page.get_by_role("combobox", name="Search films")
    search.press_sequentially("tarantino", delay=30)
    people = page.get_by_role("group", name="People")
    expect(people.get_by_role("option")).to_have_count(1)
    expect(people.get_by_role("option")).to_have_accessible_name(
        "Quentin Tarantino Director · 5 films"
    )
    snap("suggestions")
    search.press("ArrowDown")
    search.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Quentin Tarantino")
    expect(page).to_have_url(re.compile(rf"/people/{director.pk}-quentin-tarantino/$"))
    expect(page.locator(".person__average")).to_contain_text(
        "Your average for their films: ★4.0 from 1 rating"
    )
    unseen = page.get_by_role("region", name="Their films you haven't seen, best first")
    expect(unseen.locator(".film-link")).to_have_count(4)
    # The comedies alice's taste points at lead, the horror film comes last.
    expect(unseen.locator(".film-link").last).to_contain_text("Horror 0")
    snap("person-page")

    card = page.locator(".card", has_text="Comedy 1")
    expect(card.locator(".card__note")).to_have_text("Director · Screenplay")
    expect(card.locator(".card__prediction")).to_contain_text("We think you'd give it")
    card.locator(".stars__label").nth(9).click()  # five stars
    expect(card.get_by_role("status")).to_contain_text("★5")
    assert Rating.objects.get(user__username="alice", movie__title="Comedy 1").value == 5
    snap("rated", at=card)

    page.goto("/")
    page.locator(".menu summary").click()
    page.get_by_role("link", name="Your taste").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your taste")
    expect(page.locator(".page-header")).to_contain_text("From your 6 ratings")
    directors = page.get_by_role("table", name="Directors you rated most")
    expect(
        directors.get_by_role("row", name=re.compile("Quentin Tarantino 2 ★4.5"))
    ).to_be_visible()
    snap("taste")
    directors.get_by_role("link", name="Quentin Tarantino").click()
    expect(page.locator(".person__average")).to_contain_text("★4.5 from 2 ratings")


def test_new_pages_pass_axe_and_fit_a_phone(page, director):
    film = Movie.objects.get(title="Comedy 0")  # linked names, cast photos, tags
    paths = [
        film.get_absolute_url(),
        director.get_absolute_url(),
        "/search/?q=tarantino",
        "/tags/quirky/",
    ]
    log_in(page)
    found = []
    for color_scheme in ("dark", "light"):
        page.emulate_media(color_scheme=color_scheme)
        for width in (390, 1440):
            page.set_viewport_size({"width": width, "height": 900})
            for path in [*paths, "/me/taste/"]:
                assert page.goto(path).status == 200
                seen = page.evaluate(OVERFLOW)
                if seen["scrollWidth"] > seen["clientWidth"]:
                    found.append(f"{path} ({color_scheme}, {width}px) too wide: {seen['widest']}")
                if width == 390:
                    found += axe_violations(page, f"{path} ({color_scheme})")
        search = page.get_by_role("combobox", name="Search films")
        search.press_sequentially("taran", delay=30)
        expect(page.get_by_role("group", name="People")).to_be_visible()
        found += axe_violations(page, f"suggestions ({color_scheme})")
    assert found == [], "\n".join(found)
