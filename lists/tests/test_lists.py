"""Members' lists: who may read them, adding films, moving them, and CSV in and out."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from catalog.tests.factories import make_movie
from lists import services
from lists.models import FilmList, ListItem
from lists.transfer import export_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def films():
    return [
        make_movie(title, year=year, imdb_id=imdb_id)
        for title, year, imdb_id in [
            ("Heat", 1995, "tt0113277"),
            ("Alien", 1979, "tt0078748"),
            ("Up", 2009, ""),
        ]
    ]


def make_list(owner, films=(), is_public=False, title="Best of"):
    film_list = services.create_list(owner, title, "Mine.", is_public)
    for movie in films:
        services.add_to_list(film_list, movie)
    return film_list


def titles(film_list):
    return list(film_list.items.order_by("position").values_list("movie__title", flat=True))


def positions(film_list):
    return list(film_list.items.order_by("position").values_list("position", flat=True))


def test_a_public_list_is_readable_by_a_visitor_and_a_private_one_is_a_404(client, alice, films):
    public = make_list(alice, films, is_public=True)
    private = make_list(alice, films, title="Secret")

    page = client.get(public.get_absolute_url())
    assert page.status_code == 200
    assert "Heat" in page.content.decode() and "Move" not in page.content.decode()
    assert client.get(private.get_absolute_url()).status_code == 404
    assert client.get(reverse("lists:export", args=[private.pk])).status_code == 404


def test_another_member_cannot_read_or_change_a_private_list(client, alice, bob, films):
    private = make_list(alice, films[:2])
    item = private.items.get(movie=films[0])
    client.force_login(bob)

    assert client.get(private.get_absolute_url()).status_code == 404
    for url in (
        reverse("lists:move", args=[private.pk, item.pk]),
        reverse("lists:remove", args=[private.pk, item.pk]),
        reverse("lists:edit", args=[private.pk]),
        reverse("lists:delete", args=[private.pk]),
    ):
        assert client.post(url, {"direction": "down", "title": "Mine now"}).status_code == 404
    # Not one of bob's lists, so not a choice: refused, nothing added.
    client.post(reverse("lists:add_movie", args=[films[2].pk]), {"film_list": private.pk})
    assert titles(private) == ["Heat", "Alien"]


def test_adding_from_the_film_page_appends_once_and_can_make_a_new_list(alice_client, alice, films):
    film_list = make_list(alice, films[:1])
    url = reverse("lists:add_movie", args=[films[1].pk])

    alice_client.post(url, {"film_list": film_list.pk, "new_title": ""})
    alice_client.post(url, {"film_list": film_list.pk, "new_title": ""})
    alice_client.post(url, {"film_list": "", "new_title": "To show Sam"})

    assert titles(film_list) == ["Heat", "Alien"]
    assert titles(FilmList.objects.get(title="To show Sam")) == ["Alien"]
    page = alice_client.get(films[1].get_absolute_url()).content.decode()
    assert reverse("lists:add_movie", args=[films[1].pk]) in page
    assert "To show Sam" in page


def test_cards_offer_the_members_lists_once_per_page(alice_client, alice, bob, films):
    make_list(alice, title="Mine <b>")
    make_list(bob, title="Bob's secret")
    page = alice_client.get(reverse("catalog:browse")).content.decode()

    assert page.count('<template id="card-list-template"') == 1
    template = page[page.index('<template id="card-list-template"') :]
    template = template[: template.index("</template>")]
    assert "Mine &lt;b&gt;" in template and "Bob" not in page
    assert template.count("<form") == 1 and template.count("<option") == 2
    # Without script, each card links to the film page's form (which a link opens).
    for film in films:
        card = page[page.index(f'data-movie="{film.pk}"') :]
        card = card[: card.index("</article>")]
        assert f'href="{film.get_absolute_url()}#add-to-list"' in card and "<form" not in card
    film_page = alice_client.get(films[0].get_absolute_url()).content.decode()
    assert 'id="add-to-list"' in film_page
    # Visitors have no lists: neither the template nor the links.
    visitor_page = Client().get(reverse("catalog:browse")).content.decode()
    assert "card-list-template" not in visitor_page and "#add-to-list" not in visitor_page


def test_a_cards_add_answers_a_fetch_with_json_and_keeps_lists_private(
    alice_client, alice, bob, films
):
    url = reverse("lists:add_movie", args=[films[0].pk])
    fetch = {"HTTP_X_REQUESTED_WITH": "fetch"}

    made = alice_client.post(url, {"film_list": "", "new_title": "Space"}, **fetch)
    again = alice_client.post(
        url, {"film_list": made.json()["list"]["id"], "new_title": ""}, **fetch
    )
    nothing = alice_client.post(url, {"film_list": "", "new_title": " "}, **fetch)
    bobs = make_list(bob, title="Bob's")
    other = alice_client.post(url, {"film_list": bobs.pk, "new_title": ""}, **fetch)

    space = FilmList.objects.get(owner=alice, title="Space")
    assert made.json() == {
        "ok": True,
        "message": f"Added {films[0].title} to “Space”.",
        "list": {
            "id": space.pk,
            "title": "Space",
            "url": space.get_absolute_url(),
            "created": True,
        },
    }
    assert again.json()["ok"] and "already on" in again.json()["message"]
    assert again.json()["list"]["created"] is False
    assert nothing.status_code == 400 and nothing.json()["ok"] is False
    assert other.status_code == 400 and bobs.items.count() == 0
    assert titles(space) == [films[0].title]


def test_move_buttons_reorder_without_javascript_and_stop_at_the_ends(alice_client, alice, films):
    film_list = make_list(alice, films)
    heat, alien, up = (film_list.items.get(movie=movie) for movie in films)

    def move(item, direction):
        return alice_client.post(
            reverse("lists:move", args=[film_list.pk, item.pk]), {"direction": direction}
        )

    response = move(heat, "down")
    assert response.status_code == 302 and response.url.endswith(f"#item-{heat.pk}")
    assert titles(film_list) == ["Alien", "Heat", "Up"]
    move(up, "up")
    move(up, "up")
    move(up, "up")
    assert titles(film_list) == ["Up", "Alien", "Heat"]
    move(up, "bottom")
    assert titles(film_list) == ["Alien", "Heat", "Up"]
    assert positions(film_list) == [1, 2, 3]
    assert move(alien, "sideways").status_code == 400


def test_dragging_sends_the_whole_order_and_a_stale_order_changes_nothing(
    alice_client, alice, films
):
    film_list = make_list(alice, films)
    heat, alien, up = (film_list.items.get(movie=movie).pk for movie in films)
    url = reverse("lists:reorder", args=[film_list.pk])

    response = alice_client.post(url, {"item": [up, heat, alien]}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 204
    assert titles(film_list) == ["Up", "Heat", "Alien"]

    assert alice_client.post(url, {"item": [heat, alien]}).status_code == 409
    assert alice_client.post(url, {"item": [heat, alien, "x"]}).status_code == 409
    assert titles(film_list) == ["Up", "Heat", "Alien"]


def test_removing_closes_the_gap(alice_client, alice, films):
    film_list = make_list(alice, films)
    alien = film_list.items.get(movie=films[1])
    alice_client.post(reverse("lists:remove", args=[film_list.pk, alien.pk]))
    assert titles(film_list) == ["Heat", "Up"]
    assert positions(film_list) == [1, 2]


def test_create_edit_and_delete_a_list(alice_client, alice):
    response = alice_client.post(
        reverse("lists:create"), {"title": "  Noir  ", "description": "Shadows.", "is_public": "on"}
    )
    film_list = FilmList.objects.get(owner=alice)
    assert response.url == film_list.get_absolute_url()
    assert (film_list.title, film_list.is_public) == ("Noir", True)
    alice_client.post(
        reverse("lists:edit", args=[film_list.pk]), {"title": "Noir", "description": ""}
    )
    film_list.refresh_from_db()
    assert film_list.is_public is False
    assert alice_client.post(reverse("lists:create"), {"title": "   "}).status_code == 400
    alice_client.post(reverse("lists:delete", args=[film_list.pk]))
    assert not FilmList.objects.exists()


def test_a_list_exported_and_imported_comes_back_in_order_with_its_notes(
    alice_client, alice, bob, films
):
    film_list = make_list(alice, [films[2], films[0], films[1]], title="=Odd, “quoted”")
    ListItem.objects.filter(movie=films[0]).update(note="Best heist.")
    exported = alice_client.get(reverse("lists:export", args=[film_list.pk]))
    assert exported["Content-Type"] == "text/csv; charset=utf-8"
    text = exported.content.decode()
    assert text.splitlines()[0] == "Letterboxd list export v7"
    assert "'=Odd" in text

    alice_client.force_login(bob)
    response = alice_client.post(
        reverse("lists:import"), {"file": SimpleUploadedFile("best.csv", text.encode())}
    )

    copy = FilmList.objects.get(owner=bob)
    assert response.url == copy.get_absolute_url()
    assert (copy.title, copy.description, copy.is_public) == ("=Odd, “quoted”", "Mine.", False)
    assert titles(copy) == ["Up", "Heat", "Alien"]
    assert copy.items.get(movie=films[0]).note == "Best heist."


def test_a_plain_csv_becomes_a_list_and_unknown_films_are_named(alice_client, alice, films):
    text = "Title,Year,imdbID\nAlien,1979,\nNope,1990,\n,,tt0113277\n"
    response = alice_client.post(
        reverse("lists:import"), {"file": SimpleUploadedFile("my-picks.csv", text.encode())}
    )
    film_list = FilmList.objects.get(owner=alice)
    assert film_list.title == "my picks"
    assert titles(film_list) == ["Alien", "Heat"]
    page = alice_client.get(response.url).content.decode()
    assert "line 3: Nope" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Director\nMann\n", "no column names the films"),
        (b"Name,Year\nNothing,1990\n", "No film of the file is in our catalog"),
        (b"\xff\xfe", "UTF-16"),
    ],
)
def test_a_bad_list_file_makes_no_list_and_says_why(alice_client, films, data, message):
    response = alice_client.post(
        reverse("lists:import"), {"file": SimpleUploadedFile("x.csv", data)}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not FilmList.objects.exists()


def test_a_list_page_runs_a_constant_number_of_queries(
    client, alice, films, django_assert_num_queries
):
    film_list = make_list(alice, films, is_public=True)
    for count in (3, 20):
        for _ in range(count - film_list.items.count()):
            services.add_to_list(film_list, make_movie())
        # The list with its owner, its items with their films.
        with django_assert_num_queries(2):
            client.get(film_list.get_absolute_url())


def test_export_csv_numbers_the_films_in_order(alice, films):
    film_list = make_list(alice, films)
    lines = export_csv(film_list, film_list.items.select_related("movie")).splitlines()
    assert lines[4] == "Position,Name,Year,URL,Description,imdbID,tmdbID"
    assert [line.split(",")[:3] for line in lines[5:]] == [
        ["1", "Heat", "1995"],
        ["2", "Alien", "1979"],
        ["3", "Up", "2009"],
    ]
