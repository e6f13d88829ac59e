"""In a real browser: two members become friends by an invite link, open watch
together, and a film one of them marks not interested leaves the list for both."""

import re

import pytest
from playwright.sync_api import expect

from conftest import log_in
from ratings.models import ListEntry, Rating
from recommender.tests.factories import planted_catalog, trained_model

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_friends_by_invite_watch_together_and_one_hides_a_film_for_both(
    page, browser, live_server, snap, alice, bob
):
    clusters = planted_catalog(n_per_cluster=20)
    trained_model()
    for movie in clusters["Comedy"][:4]:
        Rating.objects.create(user=alice, movie=movie, value=5.0)
    for movie in clusters["Comedy"][4:7]:
        Rating.objects.create(user=bob, movie=movie, value=4.5)

    log_in(page)
    page.locator(".menu summary").click()
    page.get_by_role("link", name="Friends").click()
    page.get_by_role("button", name="Create an invite link").click()
    invite_link = page.locator("[data-invite-link]").first.input_value()
    snap("invite-link")

    bobs = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    bobs.set_default_timeout(10_000)
    bob_page = bobs.new_page()
    bob_page.goto(invite_link)
    bob_page.get_by_label("Username or email").fill("bob")
    bob_page.get_by_label("Password").fill("battery staple 2")
    bob_page.get_by_role("button", name="Log in").click()
    expect(bob_page.get_by_text("alice invites you to be friends")).to_be_visible()
    bob_page.get_by_role("button", name="Accept and become friends").click()
    expect(bob_page.get_by_role("link", name="alice")).to_be_visible()

    page.goto("/together/")
    page.get_by_label("bob").check()
    page.get_by_role("button", name="Start").click()
    cards = page.locator("[data-recommendations] .card")
    expect(cards.first).to_contain_text("You ★")
    expect(cards.first).to_contain_text("bob ★")
    snap("group-list", at=cards.first)
    share_link = page.get_by_label(re.compile("Send this link")).input_value()

    # Bob was picked, so the group's link opens its list for him at once.
    bob_page.goto(share_link)
    bob_cards = bob_page.locator("[data-recommendations] .card")
    first_title = bob_cards.first.locator(".card__title").inner_text()
    expect(bob_cards.first).to_contain_text("alice ★")
    count = bob_cards.count()

    bob_cards.first.get_by_role("button", name=re.compile("^Not interested")).click()

    title = re.compile(f"^{re.escape(first_title)}$")
    expect(bob_page.locator(".card__title", has_text=title)).to_have_count(0)
    expect(bob_cards).to_have_count(count)
    assert ListEntry.objects.filter(user=bob, kind="hidden", movie__title=first_title).exists()
    page.reload()
    expect(cards.first).to_be_visible()
    expect(page.locator(".card__title", has_text=title)).to_have_count(0)
    snap("after-bob-hid-a-film")
    bobs.close()
