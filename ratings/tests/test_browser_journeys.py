"""A member's journeys in a real browser: sign up, onboard, rate, keep lists."""

import re

import pytest
from playwright.sync_api import expect

from catalog.tests.factories import make_movie
from conftest import log_in
from ratings.models import ListEntry, Rating

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalog_films():
    return [
        make_movie(f"{genre} Classic {i}", genres=[genre], rating_count=500 - 10 * i, year=1990 + i)
        for genre in ["Drama", "Comedy", "Action", "Horror"]
        for i in range(5)
    ]


def test_sign_up_onboard_ten_ratings_and_find_them_in_my_ratings(page, catalog_films):
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label("Password", exact=True).fill("a long passphrase 7")
    page.get_by_label("Password confirmation").fill("a long passphrase 7")
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("heading", name="Rate films you have seen")).to_be_visible()
    counter = page.locator("[data-rated-count]")
    expect(counter).to_have_text("0")
    cards = page.locator(".card")
    for index in range(10):
        card = cards.nth(index)
        stars = 4 + index % 2  # alternate 2.5 and 3 stars: labels 5 and 6
        card.locator(".stars__label").nth(stars).click()
        expect(counter).to_have_text(str(index + 1))
    expect(page.get_by_role("link", name="Done")).to_be_visible()

    page.get_by_role("link", name="My ratings").click()
    expect(page.locator(".card")).to_have_count(10)
    assert Rating.objects.filter(user__username="newcomer").count() == 10
    assert set(Rating.objects.values_list("value", flat=True)) == {2.5, 3.0}


def test_change_a_rating_on_the_film_page_without_reload(page, alice, catalog_films):
    film = catalog_films[0]
    Rating.objects.create(user=alice, movie=film, value=2.0)
    log_in(page)
    page.goto(film.get_absolute_url())
    page.evaluate("window.stillTheSamePage = true")
    # The script that marks the page as scripted runs (from a file: the CSP allows
    # no inline script), so the stars save on click without a Save button.
    expect(page.locator("html")).to_have_class(re.compile(r"\bjs\b"))
    expect(page.locator(".film .stars__save")).to_be_hidden()

    page.locator(".film .stars__label").nth(8).click()

    expect(page.locator(".film [role=status]")).to_have_text(f"You rated {film.title} ★4.5.")
    assert page.evaluate("window.stillTheSamePage") is True
    assert Rating.objects.get(user=alice, movie=film).value == 4.5


def test_remove_a_rating_with_and_without_javascript(
    browser, live_server, page, alice, catalog_films
):
    film = catalog_films[0]
    Rating.objects.create(user=alice, movie=film, value=2.0)
    log_in(page)
    page.goto(film.get_absolute_url())
    page.evaluate("window.stillTheSamePage = true")

    page.locator(".film").get_by_role("button", name="Remove rating").click()

    expect(page.locator(".film [role=status]")).to_have_text(f"Rating for {film.title} removed.")
    expect(page.locator(".film .stars__input:checked")).to_have_count(0)
    assert page.evaluate("window.stillTheSamePage") is True
    assert not Rating.objects.filter(user=alice).exists()

    Rating.objects.create(user=alice, movie=film, value=3.0)
    no_script = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    tab = no_script.new_page()
    log_in(tab)
    tab.goto(catalog_films[1].get_absolute_url())
    tab.locator(".film").get_by_role("button", name="Save rating").click()
    expect(tab.locator(".messages")).to_contain_text("Choose a number of stars")
    tab.goto(film.get_absolute_url())
    tab.locator(".film").get_by_role("button", name="Remove rating").click()
    expect(tab.locator(".messages")).to_have_text(f"Rating for {film.title} removed.")
    assert not Rating.objects.filter(user=alice).exists()
    no_script.close()


def test_rate_with_the_keyboard_only(page, alice, catalog_films):
    film = catalog_films[1]
    log_in(page)
    page.goto(film.get_absolute_url())
    first_star = page.locator(".film .stars__input").first
    first_star.focus()
    page.keyboard.press("Space")
    for _ in range(6):
        page.keyboard.press("ArrowRight")

    expect(page.locator(".film [role=status]")).to_have_text(f"You rated {film.title} ★3.5.")
    focused_value = page.evaluate("document.activeElement.value")
    assert focused_value == "3.5"
    assert Rating.objects.get(user=alice, movie=film).value == 3.5


def test_toggle_favorite_and_watchlist(page, alice, catalog_films):
    film = catalog_films[2]
    log_in(page)
    page.goto(film.get_absolute_url())
    favorite = page.locator(".film").get_by_role("button", name=re.compile("^Favorite"))
    watchlist = page.locator(".film").get_by_role("button", name=re.compile("^Watchlist"))

    favorite.click()
    expect(favorite).to_have_attribute("aria-pressed", "true")
    watchlist.click()
    expect(watchlist).to_have_attribute("aria-pressed", "true")
    assert set(ListEntry.objects.filter(user=alice).values_list("kind", flat=True)) == {
        "favorite",
        "watchlist",
    }

    watchlist.click()
    expect(watchlist).to_have_attribute("aria-pressed", "false")
    assert list(ListEntry.objects.filter(user=alice).values_list("kind", flat=True)) == ["favorite"]
    page.get_by_role("link", name="Watchlist", exact=True).click()
    expect(page.get_by_text("want to see")).to_be_visible()


def test_visitor_clicking_a_star_logs_in_and_the_star_is_saved(page, alice, catalog_films):
    film = catalog_films[3]
    page.goto(film.get_absolute_url())
    page.locator(".film .stars__label").nth(7).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?.*next="))
    expect(page.get_by_text(f"Log in to rate {film.title} — we'll save your ★4")).to_be_visible()
    page.get_by_label("Username or email").fill("alice")
    page.get_by_label("Password").fill("correct horse 1")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(f"{film.get_absolute_url()}$"))
    expect(page.get_by_text(f"You rated {film.title} ★4.")).to_be_visible()
    expect(page.locator(".film .stars__input:checked")).to_have_value("4.0")
    assert Rating.objects.get(user=alice, movie=film).value == 4.0


def test_visitor_watchlist_click_survives_sign_up(page, catalog_films):
    film = catalog_films[0]
    page.goto(film.get_absolute_url())
    page.locator(".film").get_by_role("button", name=re.compile("^Watchlist")).click()
    expect(page.get_by_text(f"Log in to add {film.title} to your watchlist")).to_be_visible()
    page.get_by_role("link", name="Create an account").click()
    expect(
        page.get_by_text(f"Create an account to add {film.title} to your watchlist")
    ).to_be_visible()
    page.get_by_label("Username").fill("dora")
    page.get_by_label("Email").fill("dora@example.com")
    page.get_by_label("Password", exact=True).fill("a long passphrase 7")
    page.get_by_label("Password confirmation").fill("a long passphrase 7")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text(f"Added {film.title} to your watchlist.")).to_be_visible()
    assert ListEntry.objects.filter(user__username="dora", movie=film, kind="watchlist").exists()


def test_onboarding_search_genres_more_films_and_a_counter_past_its_goal(page, alice):
    for i in range(45):
        make_movie(f"Western {i:02d}", genres=["Western"], rating_count=900 - i)
    make_movie("Heat", genres=["Crime"], rating_count=50, year=1995)
    log_in(page)
    page.goto("/welcome/")
    progress = page.locator(".progress__text")
    expect(progress).to_have_text("0 of 10 rated")

    page.get_by_label("Find a film you have seen").fill("heat")
    page.get_by_role("button", name="Find").click()
    expect(page.locator(".card .card__title")).to_have_text(["Heat"])
    page.locator(".card .stars__label").nth(9).click()
    expect(progress).to_have_text("1 of 10 rated")

    page.get_by_role("navigation", name="Choose a genre").get_by_role(
        "link", name="Western"
    ).click()
    cards = page.locator(".card")
    expect(cards).to_have_count(40)
    page.get_by_role("link", name="More films").click()
    expect(cards).to_have_count(45)
    expect(page.get_by_role("link", name="More films")).to_have_count(0)
    assert "page=2" not in page.url  # added in place, without leaving the page
    for index in range(40, 45):
        cards.nth(index).locator(".stars__label").nth(7).click()
    for index in range(6):
        cards.nth(index).locator(".stars__label").nth(7).click()
    expect(progress).to_have_text("12 rated — enough for recommendations; keep going if you like")
    page.get_by_role("link", name="Done").click()
    expect(page.get_by_role("heading", name="For you", level=1)).to_be_visible()
    assert Rating.objects.filter(user=alice).count() == 12
