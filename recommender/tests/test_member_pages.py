"""A member's pages are kept for them alone and rendered afresh once anything of theirs changes."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ratings.models import ListEntry, Rating
from ratings.transfer.views import PENDING_IMPORT_KEY

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def member_pages(clusters):
    return [
        reverse("recommender:for_you"),
        reverse("catalog:home"),
        reverse("catalog:browse") + "?sort=rating",
        clusters["Horror"][3].get_absolute_url(),
    ]


def signed_in(user):
    """A member's browser after their first page (which set its CSRF cookie)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(reverse("about"))
    assert client.cookies.get("csrftoken")
    return client


@pytest.fixture
def alice_rated(alice, clusters):
    for movie in clusters["Comedy"][:5]:
        Rating.objects.create(user=alice, movie=movie, value=5.0)
    return alice


def test_reloading_a_page_nothing_changed_is_a_lookup(alice_rated, clusters):
    client = signed_in(alice_rated)
    for path in member_pages(clusters):
        first = client.get(path)
        assert first["X-Page-Cache"] == "member-miss", path
        with CaptureQueriesContext(connection) as queries:
            again = client.get(path)
        assert again["X-Page-Cache"] == "member-hit", path
        # The same page, but its CSRF token masked anew (BREACH, docs/security.md).
        first_html, again_html = first.content.decode(), again.content.decode()
        assert TOKEN.sub("", again_html) == TOKEN.sub("", first_html)
        assert set(TOKEN.findall(again_html)).isdisjoint(TOKEN.findall(first_html))
        # The session and the member; no recommender, no films.
        assert len(queries) <= 2, [q["sql"] for q in queries]
        assert "Cache-Control" in again and "private" in again["Cache-Control"]


def test_a_rating_through_the_site_shows_on_the_next_page(alice_rated, clusters):
    client = signed_in(alice_rated)
    horror = clusters["Horror"][3]
    for path in member_pages(clusters):
        client.get(path)
    page = client.get(horror.get_absolute_url()).content.decode()
    token = TOKEN.search(page).group(1)

    response = client.post(
        reverse("ratings:rate", args=[horror.pk]),
        {"value": "2.5"},
        headers={"X-Requested-With": "fetch", "X-CSRFToken": token},
    )

    assert response.status_code == 200
    for path in member_pages(clusters):
        assert client.get(path)["X-Page-Cache"] == "member-miss", path
    page = client.get(horror.get_absolute_url()).content.decode()
    assert re.search(rf'value="2\.5" id="rate-{horror.pk}-\d+" checked', page)


def test_a_token_on_a_page_from_the_cache_is_accepted(alice_rated, clusters):
    client = signed_in(alice_rated)
    film = clusters["Horror"][4]
    client.get(film.get_absolute_url())
    cached = client.get(film.get_absolute_url())
    assert cached["X-Page-Cache"] == "member-hit"
    token = TOKEN.search(cached.content.decode()).group(1)

    response = client.post(
        reverse("ratings:set_list", args=[film.pk, "watchlist"]),
        {"on": "1"},
        headers={"X-Requested-With": "fetch", "X-CSRFToken": token},
    )

    assert response.status_code == 200
    assert ListEntry.objects.filter(user=alice_rated, movie=film, kind="watchlist").exists()


def test_changes_made_outside_the_member_requests_show_too(alice_rated, clusters):
    client = signed_in(alice_rated)
    for_you = reverse("recommender:for_you")
    shown = client.get(for_you).context["recommendations"][0].movie
    assert client.get(for_you)["X-Page-Cache"] == "member-hit"

    # A task, the admin or the shell: one row at a time, as they write.
    ListEntry.objects.create(user=alice_rated, movie=shown, kind="hidden")

    again = client.get(for_you)
    assert again["X-Page-Cache"] == "member-miss"
    assert shown.pk not in {r.movie.pk for r in again.context["recommendations"]}


def test_members_never_get_each_other_s_pages(alice_rated, bob, clusters):
    alice_client, bob_client = signed_in(alice_rated), signed_in(bob)
    film = clusters["Comedy"][0]
    alice_client.get(film.get_absolute_url())
    assert alice_client.get(film.get_absolute_url())["X-Page-Cache"] == "member-hit"

    bob_page = bob_client.get(film.get_absolute_url())

    assert bob_page["X-Page-Cache"] == "member-miss"
    assert re.search(
        rf'id="rate-{film.pk}-\d+" checked',
        alice_client.get(film.get_absolute_url()).content.decode(),
    )
    assert not re.search(rf'id="rate-{film.pk}-\d+" checked', bob_page.content.decode())
    assert "bob" in bob_page.content.decode()


def test_another_device_gets_its_own_copy_with_its_own_token(alice_rated, clusters):
    laptop = signed_in(alice_rated)
    path = reverse("catalog:browse")
    laptop.get(path)
    assert laptop.get(path)["X-Page-Cache"] == "member-hit"
    phone = Client(enforce_csrf_checks=True)
    phone.force_login(alice_rated)

    # No CSRF cookie yet: rendered, and the new cookie set, not kept.
    first = phone.get(path)
    assert "X-Page-Cache" not in first
    second = phone.get(path)
    assert second["X-Page-Cache"] == "member-miss"
    assert phone.get(path)["X-Page-Cache"] == "member-hit"


def test_a_page_with_a_message_for_the_member_is_not_kept(alice_rated, clusters):
    client = signed_in(alice_rated)
    film = clusters["Horror"][5]
    page = client.get(film.get_absolute_url()).content.decode()
    token = TOKEN.search(page).group(1)

    # Without JavaScript: the form posts, the site redirects with a message.
    response = client.post(
        reverse("ratings:rate", args=[film.pk]),
        {"value": "4", "csrfmiddlewaretoken": token},
        follow=True,
    )

    assert "X-Page-Cache" not in response
    assert response.status_code == 200


def test_zero_seconds_turns_the_members_cache_off(settings, alice_rated, clusters):
    settings.MEMBER_PAGE_CACHE_SECONDS = 0
    client = signed_in(alice_rated)
    client.get(reverse("recommender:for_you"))
    assert "X-Page-Cache" not in client.get(reverse("recommender:for_you"))


def test_an_import_written_in_bulk_shows_on_the_next_page(alice_rated, clusters):
    client = signed_in(alice_rated)
    for_you = reverse("recommender:for_you")
    film = client.get(for_you).context["recommendations"][0].movie
    assert client.get(for_you)["X-Page-Cache"] == "member-hit"
    letterboxd = f"Date,Name,Year,Letterboxd URI,Rating\n2024-02-01,{film.title},{film.year},,4.5\n"
    token = client.cookies["csrftoken"].value

    # The import writes its ratings with one bulk insert: no row signal fires.
    upload(client, letterboxd, token)
    # The page it lands on shows "imported" once.
    assert confirm(client, token, follow=True).status_code == 200

    assert Rating.objects.filter(user=alice_rated, movie=film, value=4.5).exists()
    again = client.get(for_you)
    assert again["X-Page-Cache"] == "member-miss"
    assert film.pk not in {r.movie.pk for r in again.context["recommendations"]}


def upload(client, text, token):
    file = SimpleUploadedFile("ratings.csv", text.encode(), "text/csv")
    return client.post(reverse("ratings:import"), {"file": file}, headers={"X-CSRFToken": token})


def confirm(client, token, **kwargs):
    data = {"import_id": client.session[PENDING_IMPORT_KEY]["id"], "conflict_policy": "keep"}
    return client.post(
        reverse("ratings:import_confirm"), data, headers={"X-CSRFToken": token}, **kwargs
    )
