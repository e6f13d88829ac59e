"""Film cards in a real browser: the stars and list buttons site.js builds from a card's state."""

import re

import pytest
from playwright.sync_api import expect

from catalog.tests.factories import make_movie
from conftest import log_in
from ratings.models import ListEntry, Rating

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def films():
    return [
        make_movie(f"Card Film {i}", genres=["Drama"], rating_count=300 - i, rating_mean=3.9)
        for i in range(6)
    ]


def card(page, film):
    return page.locator(f'.card[data-movie="{film.pk}"]')


def test_cards_show_the_members_stars_and_lists(page, alice, bob, films):
    Rating.objects.create(user=alice, movie=films[0], value=3.5)
    ListEntry.objects.create(user=alice, movie=films[1], kind="favorite")
    ListEntry.objects.create(user=alice, movie=films[1], kind="watchlist")
    Rating.objects.create(user=bob, movie=films[2], value=5.0)
    log_in(page)
    page.goto("/browse/")

    first = card(page, films[0])
    expect(first.locator(".stars__input:checked")).to_have_value("3.5")
    expect(first.get_by_role("group", name=f"Your rating {films[0].title}")).to_be_visible()
    expect(first.get_by_role("button", name="Remove rating")).to_have_count(1)
    second = card(page, films[1])
    expect(second.locator(".stars__input:checked")).to_have_count(0)
    expect(second.get_by_role("button", name=f"Favorite {films[1].title}")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(second.get_by_role("button", name=f"Watchlist {films[1].title}")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(second.get_by_role("button", name=f"Not interested {films[1].title}")).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(card(page, films[2]).locator(".stars__input:checked")).to_have_count(0)
    # Each card's controls are its own: ids and actions name the card's film.
    expect(page.locator(f"#rate-{films[3].pk}-9")).to_have_count(1)
    assert page.locator(".card .stars__input").count() == 10 * len(films)


def test_rate_and_list_from_a_card_without_reload(page, alice, films):
    log_in(page)
    page.goto("/browse/")
    page.evaluate("window.stillTheSamePage = true")
    film = films[2]

    card(page, film).locator(".stars__label").nth(8).click()
    expect(card(page, film).locator("[role=status]")).to_have_text(f"You rated {film.title} ★4.5.")
    favorite = card(page, film).get_by_role("button", name=f"Favorite {film.title}")
    favorite.click()
    expect(favorite).to_have_attribute("aria-pressed", "true")

    assert page.evaluate("window.stillTheSamePage") is True
    assert Rating.objects.get(user=alice, movie=film).value == 4.5
    assert ListEntry.objects.filter(user=alice, movie=film, kind="favorite").exists()
    page.reload()
    expect(card(page, film).locator(".stars__input:checked")).to_have_value("4.5")


def test_rate_a_card_with_the_keyboard(page, alice, films):
    film = films[1]
    log_in(page)
    page.goto("/browse/")
    card(page, film).locator(".card__link").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.id")
    assert focused.startswith(f"rate-{film.pk}-")
    page.keyboard.press("Space")
    for _ in range(4):
        page.keyboard.press("ArrowRight")

    expect(card(page, film).locator("[role=status]")).to_have_text(f"You rated {film.title} ★2.5.")
    assert page.evaluate("document.activeElement.value") == "2.5"
    assert Rating.objects.get(user=alice, movie=film).value == 2.5


def test_without_javascript_cards_say_the_state_and_the_film_page_rates(
    browser, live_server, alice, films
):
    Rating.objects.create(user=alice, movie=films[0], value=4.0)
    ListEntry.objects.create(user=alice, movie=films[0], kind="favorite")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    tab = context.new_page()
    log_in(tab)
    tab.goto("/browse/")
    first = card(tab, films[0])
    expect(first).to_contain_text("Your rating ★4")
    expect(first).to_contain_text("Favorite")
    expect(first.locator("form")).to_have_count(0)

    card(tab, films[3]).locator(".card__link").click()
    expect(tab.locator("h1")).to_contain_text(films[3].title)
    tab.locator(".film .stars__label").nth(5).click()
    tab.locator(".film").get_by_role("button", name="Save rating").click()
    expect(tab.locator(".messages")).to_contain_text(f"You rated {films[3].title} ★3.")
    assert Rating.objects.get(user=alice, movie=films[3]).value == 3.0
    context.close()


def test_a_title_with_markup_stays_text_in_the_built_controls(page, alice):
    film = make_movie('<img src=x onerror="window.pwned=1">', rating_count=999)
    log_in(page)
    page.goto("/browse/")
    group = card(page, film).get_by_role("group", name=re.compile("^Rate it <img src=x"))
    expect(group).to_have_count(1)
    assert page.evaluate("window.pwned") is None


def test_discover_rows_load_as_the_member_scrolls(page, alice, films):
    westerns = [
        make_movie(f"Western {i}", genres=["Western"], rating_count=10 - i) for i in range(3)
    ]
    Rating.objects.create(user=alice, movie=westerns[0], value=2.0)
    log_in(page)
    page.goto("/")
    row = page.get_by_role("region", name="Western")
    row.scroll_into_view_if_needed()
    expect(row.locator(".card")).to_have_count(3)
    expect(row.locator(".row__placeholder")).to_have_count(0)
    rated = row.locator(f'.card[data-movie="{westerns[0].pk}"]')
    expect(rated.locator(".stars__input:checked")).to_have_value("2.0")
    other = row.locator(f'.card[data-movie="{westerns[1].pk}"]')
    other.locator(".stars__label").nth(9).click()
    expect(other.locator("[role=status]")).to_contain_text("★5")
    assert Rating.objects.get(user=alice, movie=westerns[1]).value == 5.0
