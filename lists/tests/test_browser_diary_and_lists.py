"""In a real browser: log a watch with a date and find it in the diary month; make a
list, add two films, reorder by keyboard, and read the public list as a visitor."""

import pytest
from playwright.sync_api import expect

from catalog.tests.factories import make_movie
from conftest import log_in
from lists.models import FilmList
from ratings.models import DiaryEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_a_watch_with_a_date_and_see_it_in_that_month(page, alice, snap):
    heat = make_movie("Heat", year=1995)
    log_in(page)
    page.goto(heat.get_absolute_url())

    page.get_by_label("Watched on").fill("2024-03-09")
    page.get_by_label("Rating", exact=True).select_option("4.5")
    page.get_by_label("Private note").fill("Second time, still great.")
    page.get_by_role("button", name="Log watch").click()
    expect(page.get_by_text("Logged Heat as watched on 9 March 2024.")).to_be_visible()

    page.locator("details.menu > summary").click()
    page.get_by_role("link", name="Diary").click()
    expect(page.get_by_role("heading", name="Diary March 2024")).to_be_visible()
    expect(page.get_by_role("link", name="Heat", exact=True)).to_be_visible()
    expect(page.get_by_text("Second time, still great.")).to_be_visible()
    snap("diary-month")
    assert DiaryEntry.objects.get(user=alice).rating == 4.5


def test_make_a_list_add_two_films_reorder_by_keyboard_and_share_it(
    page, alice, browser, live_server, snap
):
    heat, alien = make_movie("Heat", year=1995), make_movie("Alien", year=1979)
    log_in(page)
    page.goto("/lists/")
    page.get_by_label("Title").fill("Night films")
    page.get_by_label("Description").fill("For late evenings.")
    page.get_by_label("Public: anyone with the address can read it").check()
    page.get_by_role("button", name="Create list").click()
    expect(page.get_by_role("heading", name="Night films")).to_be_visible()

    for film in (heat, alien):
        page.goto(film.get_absolute_url())
        page.get_by_text("Add to a list").click()
        page.get_by_label("List", exact=True).select_option(label="Night films")
        page.get_by_role("button", name=f"Add {film.title} to the list").click()
        expect(page.get_by_text(f"Added {film.title} to “Night films”.")).to_be_visible()

    film_list = FilmList.objects.get(owner=alice)
    page.goto(film_list.get_absolute_url())
    titles = page.locator(".list-items__title")
    expect(titles).to_have_text(["Heat", "Alien"])
    # Keyboard only: Tab to Alien's "Up" button and press Enter.
    alien_item = film_list.items.get(movie=alien)
    up = page.locator(f"#item-{alien_item.pk} button[value=up]")
    up.focus()
    page.keyboard.press("Enter")
    expect(titles).to_have_text(["Alien", "Heat"])
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.closest('[data-item-id]')"
    )
    page.reload()
    expect(titles).to_have_text(["Alien", "Heat"])
    snap("list-owner")

    visitor = browser.new_context(base_url=live_server.url).new_page()
    visitor.goto(film_list.get_absolute_url())
    expect(visitor.get_by_role("heading", name="Night films")).to_be_visible()
    expect(visitor.locator(".list-items__title")).to_have_text(["Alien", "Heat"])
    expect(visitor.locator("button[value=up]")).to_have_count(0)
    visitor.context.close()

    film_list.is_public = False
    film_list.save()
    other = browser.new_context(base_url=live_server.url).new_page()
    assert other.goto(film_list.get_absolute_url()).status == 404
    other.context.close()
