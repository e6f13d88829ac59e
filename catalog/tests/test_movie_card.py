"""Film cards: the member's state on every card, the shared part cached and kept current."""

import json
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from catalog.models import Movie
from catalog.templatetags.catalog_tags import shared_card_key
from catalog.tests.factories import make_movie
from catalog.tmdb import parsing, sync
from devtools.tmdb_standin import data_dir_from_env
from ratings import actions
from ratings.models import ListEntry, Rating

pytestmark = pytest.mark.django_db

CARD = re.compile(r'<article class="card" data-movie="(\d+)"([^>]*)>')


def cards(html):
    """``{film id: {"rating": "4.5" or None, "lists": {...}}}`` for every card of a page."""
    found = {}
    for pk, attributes in CARD.findall(html):
        rating = re.search(r'data-rating="([^"]*)"', attributes)
        lists = re.search(r'data-lists="([^"]*)"', attributes)
        found[int(pk)] = {
            "rating": rating.group(1) if rating else None,
            "lists": set(lists.group(1).split()) if lists else set(),
        }
    return found


@pytest.fixture
def films():
    return [
        make_movie(f"Film {i}", genres=["Drama"], rating_count=100 - i, rating_mean=3.5)
        for i in range(8)
    ]


def test_every_card_carries_the_members_own_rating_and_lists(alice_client, alice, bob, films):
    Rating.objects.create(user=alice, movie=films[0], value=4.5)
    Rating.objects.create(user=alice, movie=films[1], value=1.0)
    ListEntry.objects.create(user=alice, movie=films[1], kind="favorite")
    ListEntry.objects.create(user=alice, movie=films[2], kind="watchlist")
    ListEntry.objects.create(user=alice, movie=films[2], kind="favorite")
    ListEntry.objects.create(user=alice, movie=films[3], kind="hidden")
    # Another member's state never shows on alice's cards.
    Rating.objects.create(user=bob, movie=films[4], value=2.0)
    ListEntry.objects.create(user=bob, movie=films[5], kind="favorite")

    found = cards(alice_client.get(reverse("catalog:browse")).content.decode())

    assert found[films[0].pk] == {"rating": "4.5", "lists": set()}
    assert found[films[1].pk] == {"rating": "1", "lists": {"favorite"}}
    assert found[films[2].pk] == {"rating": None, "lists": {"favorite", "watchlist"}}
    assert found[films[3].pk] == {"rating": None, "lists": {"hidden"}}
    for film in films[4:]:
        assert found[film.pk] == {"rating": None, "lists": set()}


def test_cards_say_the_members_state_in_words_for_a_browser_without_script(
    alice_client, alice, films
):
    Rating.objects.create(user=alice, movie=films[0], value=4.5)
    ListEntry.objects.create(user=alice, movie=films[0], kind="watchlist")
    page = alice_client.get(reverse("catalog:browse")).content.decode()
    card = page[page.index(f'data-movie="{films[0].pk}"') :]
    card = card[: card.index("</article>")]
    assert "Your rating ★4.5" in card
    assert "On your watchlist" in card


def test_a_page_of_cards_carries_one_actions_template_and_no_per_card_forms(alice_client, films):
    page = alice_client.get(reverse("catalog:browse")).content.decode()
    assert page.count('<template id="card-actions-template"') == 1
    template = page[page.index("<template") : page.index("</template>")]
    assert template.count("<form") == 4 and template.count('type="radio"') == 10
    for pk in cards(page):
        card = page[page.index(f'data-movie="{pk}"') :]
        card = card[: card.index("</article>")]
        assert "<form" not in card and "radio" not in card


def test_a_page_without_cards_has_no_actions_template(alice_client):
    assert b"card-actions-template" not in alice_client.get(reverse("about")).content


def test_the_film_page_keeps_a_real_rating_form(alice_client, alice, films):
    Rating.objects.create(user=alice, movie=films[0], value=3.5)
    page = alice_client.get(films[0].get_absolute_url()).content.decode()
    film = page[page.index('<article class="film"') :]
    assert f'action="{reverse("ratings:rate", args=[films[0].pk])}"' in film
    assert f'value="3.5" id="rate-{films[0].pk}-7" checked' in film


def test_twenty_four_cards_of_browse_stay_small(alice_client, alice):
    many = [
        make_movie(f"A film with a fairly long title {i}", genres=["Drama", "Crime"])
        for i in range(30)
    ]
    for film in many[:12]:
        Rating.objects.create(user=alice, movie=film, value=4.0)
    page = alice_client.get(reverse("catalog:browse")).content
    assert len(CARD.findall(page.decode())) == 24
    # Before cards shed their forms, each one cost about 3.5 KB.
    assert len(page) < 24 * 1200 + 16_000


def test_the_shared_part_is_rendered_once_and_cached(alice_client, films):
    alice_client.get(reverse("catalog:browse"))
    from catalog.page_cache import catalog_generation

    film = Movie.objects.get(pk=films[0].pk)
    cached = cache.get(shared_card_key(film, catalog_generation()))
    assert cached is not None and "Film 0" in cached and "data-rating" not in cached


def test_a_staff_edit_of_a_title_or_genres_shows_on_the_cards_at_once(alice_client, client, films):
    for browser in (alice_client, client):
        assert "Film 0" in browser.get(reverse("catalog:browse")).content.decode()
    film = films[0]
    film.title = "Renamed by staff"
    film.save()  # as the admin's change form does
    film.genres.add(make_movie("Other", genres=["Western"]).genres.get())
    for browser in (alice_client, client):
        page = browser.get(reverse("catalog:browse")).content.decode()
        card = page[page.index(f'data-movie="{film.pk}"') :]
        card = card[: card.index("</article>")]
        assert "Renamed by staff" in card and "Western" in card
        assert ">Film 0<" not in page


def test_a_tmdb_sync_shows_on_the_cards_at_once(alice_client, films):
    alice_client.get(reverse("catalog:browse"))
    body = json.loads(
        (data_dir_from_env() / "samples" / "movie_12313_details_append_all.json").read_text()
    )
    film = films[0]
    film.movielens_title = ""
    film.save()
    alice_client.get(reverse("catalog:browse"))
    sync.store_metadata(film.pk, 12313, parsing.parse_movie(body))

    page = alice_client.get(reverse("catalog:browse")).content.decode()
    film.refresh_from_db()
    assert film.poster_path and film.poster_path in page


def test_a_members_rating_moves_the_community_figure_on_cards(alice_client, alice, films):
    film = make_movie("Rarely rated", genres=["Drama"], rating_count=200)

    def card():
        page = alice_client.get(reverse("catalog:browse")).content.decode()
        found = page[page.index(f'data-movie="{film.pk}"') :]
        return found[: found.index("</article>")]

    assert "average from" not in card()
    actions.rate_movie(alice, film, 5.0)
    film.refresh_from_db()
    assert f"average from {film.rating_count} ratings" in card()


def test_a_title_with_markup_stays_text_on_cards_and_in_the_actions(alice_client, client):
    make_movie('<script>alert("x")</script><img src=x onerror=alert(1)>', rating_count=500)
    for browser in (alice_client, client):
        page = browser.get(reverse("catalog:browse")).content.decode()
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
