"""In a real browser: log a watch with a date and find it in the diary month; make a
list, add two films, reorder by keyboard, and read the public list as a visitor."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from catalog.tests.axe import axe_violations
from catalog.tests.factories import make_movie
from catalog.tests.test_browser_layout import OVERFLOW, pages_wider_than_the_window
from conftest import log_in
from lists import services
from lists.models import FilmList
from ratings import diary
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


@pytest.fixture
def member_data(alice):
    """A diary entry and a public list of alice's; returns the paths of the new pages."""
    heat, alien = make_movie("Heat", year=1995), make_movie("Alien", year=1979)
    entry = diary.log_watch(alice, heat, datetime.date(2024, 3, 9), rating=4.5, note="Again.")
    film_list = services.create_list(alice, "Night films", "For late evenings.", is_public=True)
    for movie in (heat, alien):
        services.add_to_list(film_list, movie)
    return {
        "member": [
            "/me/diary/",
            reverse("ratings:diary_entry", args=[entry.pk]),
            "/lists/",
            "/lists/import/",
            film_list.get_absolute_url(),
            heat.get_absolute_url(),
            "/me/import/",
        ],
        "visitor": [film_list.get_absolute_url(), heat.get_absolute_url()],
    }


def test_diary_and_list_pages_fit_the_window_and_have_no_wcag_violations(page, member_data):
    found = pages_wider_than_the_window(page, member_data["visitor"], "visitor")
    for color_scheme in ("dark", "light"):
        page.emulate_media(color_scheme=color_scheme)
        for path in member_data["visitor"]:
            page.goto(path)
            found += axe_violations(page, f"visitor {path} ({color_scheme})")
    log_in(page)
    found += pages_wider_than_the_window(page, member_data["member"], "member")
    page.set_viewport_size({"width": 1280, "height": 900})
    for color_scheme in ("dark", "light"):
        page.emulate_media(color_scheme=color_scheme)
        for path in member_data["member"]:
            page.goto(path)
            for summary in page.locator("main details:not([open]) > summary").all():
                if summary.is_visible():
                    summary.click()  # the folded forms are checked open
            found += axe_violations(page, f"{path} ({color_scheme})")
    assert found == [], "\n".join(found)


def test_add_films_to_lists_from_the_cards_of_browse(page, alice, snap):
    heat, alien = make_movie("Heat", year=1995), make_movie("Alien", year=1979)
    night = services.create_list(alice, "Night films")
    log_in(page)
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(reverse("catalog:browse"))

    # By keyboard: the card's "Add to list" opens with Enter, and its form follows.
    heat_card = page.locator(f'.card[data-movie="{heat.pk}"]')
    heat_card.get_by_role("group").first.wait_for()
    summary = heat_card.locator("summary", has_text="Add to list")
    summary.focus()
    page.keyboard.press("Enter")
    heat_card.get_by_label("List", exact=True).select_option(label="Night films")
    heat_card.get_by_role("button", name="Add Heat to the list").press("Enter")
    expect(page.get_by_text("Added Heat to “Night films”.")).to_be_visible()
    expect(summary).to_be_focused()
    assert page.url.endswith(reverse("catalog:browse"))  # the page stayed

    # A new list, named on a card, is offered on the other cards at once.
    alien_card = page.locator(f'.card[data-movie="{alien.pk}"]')
    alien_card.locator("summary", has_text="Add to list").click()
    alien_card.get_by_label("Or a new list").fill("Space <films>")
    snap("card-add-to-list", at=alien_card)
    seen = page.evaluate(OVERFLOW)
    assert seen["scrollWidth"] <= seen["clientWidth"], seen["widest"]
    violations = axe_violations(page, "browse with a card's add-to-list open")
    assert violations == [], "\n".join(violations)
    alien_card.get_by_role("button", name="Add Alien to the list").click()
    expect(page.get_by_text("Added Alien to “Space <films>”.")).to_be_visible()
    expect(heat_card.get_by_label("List", exact=True).locator("option")).to_have_text(
        ["Choose a list", "Night films", "Space <films>"]
    )

    page.goto(night.get_absolute_url())
    expect(page.get_by_role("link", name="Heat", exact=True)).to_be_visible()
    space = FilmList.objects.get(owner=alice, title="Space <films>")
    page.goto(space.get_absolute_url())
    expect(page.get_by_role("link", name="Alien", exact=True)).to_be_visible()
    assert [item.movie for item in night.items.all()] == [heat]

    # Without script a card links to the film page's form, which the link opens.
    page.goto(f"{heat.get_absolute_url()}#add-to-list")
    expect(page.locator("#add-to-list").get_by_label("List", exact=True)).to_be_visible()


def test_a_first_list_made_on_a_card_is_offered_on_every_other_card(page, alice):
    heat, alien = make_movie("Heat", year=1995), make_movie("Alien", year=1979)
    log_in(page)
    page.goto(reverse("catalog:browse"))
    heat_card = page.locator(f'.card[data-movie="{heat.pk}"]')
    alien_card = page.locator(f'.card[data-movie="{alien.pk}"]')
    heat_card.get_by_role("group").first.wait_for()

    # No lists yet: a card asks only for a new list's name.
    heat_card.locator("summary", has_text="Add to list").click()
    expect(heat_card.get_by_label("List", exact=True)).to_be_hidden()
    heat_card.get_by_label("New list").fill("Film night")
    heat_card.get_by_role("button", name="Add Heat to the list").click()
    expect(page.get_by_text("Added Heat to “Film night”.")).to_be_visible()

    # Without a reload, the next card offers that list.
    alien_card.locator("summary", has_text="Add to list").click()
    alien_card.get_by_label("List", exact=True).select_option(label="Film night")
    expect(alien_card.get_by_label("Or a new list")).to_be_visible()
    alien_card.get_by_role("button", name="Add Alien to the list").click()
    expect(page.get_by_text("Added Alien to “Film night”.")).to_be_visible()

    night = FilmList.objects.get(owner=alice)
    assert [item.movie for item in night.items.all()] == [heat, alien]
