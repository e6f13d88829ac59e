"""Person pages and the links to them: roles, order, photos, the member's figures."""

import re

import pytest
from django.urls import reverse

from catalog.tests.factories import credit, make_movie, make_person
from ratings.models import Rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def tarantino():
    """A director who also writes and acts, in four films of different years and fame."""
    person = make_person("Quentin Tarantino", tmdb_id=138)
    films = {
        "Reservoir Dogs": make_movie("Reservoir Dogs", year=1992, rating_count=130, score=3.9),
        "Pulp Fiction": make_movie("Pulp Fiction", year=1994, rating_count=300, score=4.1),
        "Jackie Brown": make_movie("Jackie Brown", year=1997, rating_count=60, score=3.6),
        "Four Rooms": make_movie("Four Rooms", year=1995, rating_count=20, score=3.0),
    }
    for title in ("Reservoir Dogs", "Pulp Fiction", "Jackie Brown"):
        credit(person, films[title], job="Director")
        credit(person, films[title], job="Screenplay", order=1)
    credit(person, films["Reservoir Dogs"], character="Mr. Brown", order=3)
    credit(person, films["Four Rooms"], job="Director")
    return person, films


def titles(html):
    return re.findall(r'class="card__title">([^<]+)<', html)


def film_titles(html):
    """The titles of the page's film cards (after "Known for" and the unseen row)."""
    return titles(html.split('id="films-heading"')[1])


def test_person_page_lists_each_film_once_with_its_roles_newest_first(client, tarantino):
    person, _ = tarantino
    response = client.get(person.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert film_titles(html) == ["Jackie Brown", "Four Rooms", "Pulp Fiction", "Reservoir Dogs"]
    assert "Director · Screenplay · as Mr. Brown" in html
    assert "Known for directing" in html


def test_person_page_sorts_by_popularity_and_filters_by_role(client, tarantino):
    person, _ = tarantino
    url = person.get_absolute_url()
    by_popularity = client.get(url, {"sort": "popularity"}).content.decode()
    assert film_titles(by_popularity) == [
        "Pulp Fiction",
        "Reservoir Dogs",
        "Jackie Brown",
        "Four Rooms",
    ]
    acted = client.get(url, {"role": "acted"}).content.decode()
    assert film_titles(acted) == ["Reservoir Dogs"]
    assert "Written (3)" in acted


def test_known_for_leads_with_the_most_rated_films(client, tarantino):
    person, _ = tarantino
    html = client.get(person.get_absolute_url()).content.decode()
    known_for = html.split('id="known-for-heading"')[1].split("</section>")[0]
    assert titles(known_for)[:2] == ["Pulp Fiction", "Reservoir Dogs"]


def test_person_address_carries_a_slug_and_old_or_wrong_ones_redirect(client, tarantino):
    person, _ = tarantino
    assert person.get_absolute_url() == f"/people/{person.pk}-quentin-tarantino/"
    for wrong in (f"/people/{person.pk}/", f"/people/{person.pk}-someone-else/"):
        response = client.get(wrong)
        assert response.status_code == 301
        assert response["Location"] == person.get_absolute_url()
    assert client.get("/people/999999-nobody/").status_code == 404


def test_a_name_without_latin_letters_still_gets_an_address(client):
    person = make_person("宮崎駿")
    assert person.get_absolute_url() == f"/people/{person.pk}-person/"
    assert client.get(person.get_absolute_url()).status_code == 200


def test_photo_from_tmdb_or_initials_placeholder(client, tarantino):
    person, _ = tarantino
    html = client.get(person.get_absolute_url()).content.decode()
    assert "Photo of" not in html
    assert '<span class="portrait__initials" aria-hidden="true">QT</span>' in html
    person.profile_path = "/qt.jpg"
    person.save()
    html = client.get(person.get_absolute_url()).content.decode()
    assert 'src="https://image.tmdb.org/t/p/w185/qt.jpg"' in html
    assert 'alt="Photo of Quentin Tarantino"' in html


def test_hidden_films_stay_off_the_person_page(client, tarantino):
    person, films = tarantino
    films["Pulp Fiction"].is_hidden = True
    films["Pulp Fiction"].save()
    assert "Pulp Fiction" not in client.get(person.get_absolute_url()).content.decode()


def test_member_sees_their_average_and_their_unseen_films_by_community_score(
    alice_client, alice, tarantino
):
    person, films = tarantino
    Rating.objects.create(user=alice, movie=films["Pulp Fiction"], value=5)
    Rating.objects.create(user=alice, movie=films["Jackie Brown"], value=3.5)
    html = alice_client.get(person.get_absolute_url()).content.decode()
    assert "Your average for their films" in html
    assert "★4.3</strong> from 2 ratings" in html
    unseen = html.split('id="unseen-heading"')[1].split("</section>")[0]
    # Without a model: best community score first.
    assert titles(unseen) == ["Reservoir Dogs", "Four Rooms"]


def test_films_the_member_is_not_interested_in_are_not_offered_as_unseen(
    alice_client, alice, tarantino
):
    from ratings.models import ListEntry

    person, films = tarantino
    ListEntry.objects.create(user=alice, movie=films["Four Rooms"], kind="hidden")
    html = alice_client.get(person.get_absolute_url()).content.decode()
    unseen = html.split('id="unseen-heading"')[1].split("</section>")[0]
    assert "Four Rooms" not in unseen


def test_films_the_member_logged_without_rating_count_as_seen(alice_client, alice, tarantino):
    from ratings.models import DiaryEntry

    person, films = tarantino
    DiaryEntry.objects.create(user=alice, movie=films["Reservoir Dogs"])
    Rating.objects.create(user=alice, movie=films["Pulp Fiction"], value=4)
    html = alice_client.get(person.get_absolute_url()).content.decode()
    unseen = html.split('id="unseen-heading"')[1].split("</section>")[0]
    assert titles(unseen) == ["Jackie Brown", "Four Rooms"]


def test_visitors_see_no_member_figures(client, tarantino):
    person, _ = tarantino
    html = client.get(person.get_absolute_url()).content.decode()
    assert "Your average" not in html
    assert "haven't seen" not in html


@pytest.mark.parametrize("count", [4, 60])
def test_person_page_runs_a_bounded_number_of_queries(
    alice_client, alice, count, django_assert_max_num_queries
):
    person = make_person("Prolific Actor")
    for i in range(count):
        movie = make_movie(f"Film {i}", genres=["Drama", "Crime"], rating_count=i)
        credit(person, movie, character=f"Role {i}", order=i % 8)
        if i % 3 == 0:
            Rating.objects.create(user=alice, movie=movie, value=4)
    # Session and member, the person, credits, the films' rows, the page's cards
    # and their genres, the recommender's model check: as many for 60 films as for 4.
    with django_assert_max_num_queries(10):
        response = alice_client.get(person.get_absolute_url())
    html = response.content.decode()
    assert html.count('class="card"') == min(count, 48)
    if count > 48:
        second = alice_client.get(person.get_absolute_url(), {"page": 2}).content.decode()
        assert second.count('class="card"') == count - 48
        assert "Page 2 of 2" in second


def test_every_name_on_a_film_page_links_to_its_person(client):
    movie = make_movie("Heat", year=1995)
    director = make_person("Michael Mann")
    actor = make_person("Al Pacino")
    credit(director, movie, job="Director")
    credit(director, movie, job="Writer", order=1)
    credit(actor, movie, character="Vincent Hanna")
    html = client.get(movie.get_absolute_url()).content.decode()
    assert html.count(f'href="{director.get_absolute_url()}"') == 2  # directed, wrote
    assert f'href="{actor.get_absolute_url()}">Al Pacino</a>' in html


def test_suggestions_group_people_and_films_best_match_first(client, tarantino):
    make_movie("Tarantula", year=1955)
    html = client.get(reverse("catalog:suggest"), {"q": "tarantino"}).content.decode()
    groups = re.findall(r'role="group" aria-labelledby="suggestions-(\w+)"', html)
    assert groups[0] == "people"
    person, _ = tarantino
    assert f'id="suggestion-person-{person.pk}" href="{person.get_absolute_url()}"' in html
    assert "Director · 4 films" in html


def test_search_page_shows_people_and_tags_beside_films(client, tarantino):
    from catalog.models import MovieTag

    person, films = tarantino
    MovieTag.objects.create(movie=films["Pulp Fiction"], tag="tarantino", count=12)
    html = client.get(reverse("catalog:search"), {"q": "tarantino"}).content.decode()
    assert 'id="people-results"' in html
    assert f'href="{person.get_absolute_url()}"' in html
    assert 'href="/tags/tarantino/">tarantino' in html
    assert "MovieLens tag · 1 film" in html
    # Later pages are more films only.
    for i in range(30):
        make_movie(f"Tarantino Tribute {i}")
    assert (
        'id="people-results"'
        not in client.get(reverse("catalog:search"), {"q": "tarantino", "page": 2}).content.decode()
    )


def test_people_the_tmdb_sync_stores_are_searchable_and_have_pages(client, standin):
    """Through the real client and the stand-in: Fight Club's real credits."""
    from catalog.search import search_people
    from catalog.tmdb import api, sync
    from catalog.tmdb.limits import local_gate

    movie = make_movie("Fight Club", year=1999, tmdb_id=550)
    tmdb = api.TMDBClient("test-token", standin.url, gate=local_gate(1000))
    assert sync.sync_movie(movie.pk, client=tmdb) == "ok"
    norton = search_people("edward nortn")[0]  # a typo, as people type
    assert norton.name == "Edward Norton"
    html = client.get(norton.get_absolute_url()).content.decode()
    assert "Fight Club" in html
    assert "as Narrator" in html
    film_page = client.get(movie.get_absolute_url()).content.decode()
    assert f'href="{norton.get_absolute_url()}">Edward Norton</a>' in film_page
