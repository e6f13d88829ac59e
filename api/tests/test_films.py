"""Films and people over the API: search, browse, a film, a person, pages of results."""

import pytest
import requests

from api.tests.conftest import assert_error
from catalog.models import Credit, Person
from catalog.tests.factories import make_movie


@pytest.fixture
def catalog(db):
    matrix = make_movie(
        "The Matrix",
        genres=["Action", "Sci-Fi"],
        year=1999,
        movielens_title="Matrix, The (1999)",
        rating_count=300,
        rating_mean=4.1875,
        overview="A hacker learns the truth.",
    )
    heat = make_movie("Heat", genres=["Crime"], year=1995, rating_count=200)
    heat_1986 = make_movie("Heat", genres=["Action"], year=1986, rating_count=5)
    amelie = make_movie("Amélie", genres=["Comedy"], year=2001, rating_count=150)
    hidden = make_movie("The Matrix Hidden", genres=["Sci-Fi"], year=2000, is_hidden=True)
    wachowski = Person.objects.create(name="Lana Wachowski", tmdb_id=1, profile_path="/lana.jpg")
    reeves = Person.objects.create(name="Keanu Reeves", tmdb_id=2)
    Credit.objects.create(movie=matrix, person=wachowski, kind="crew", job="Director")
    Credit.objects.create(movie=matrix, person=reeves, kind="cast", character="Neo", order=0)
    Credit.objects.create(movie=hidden, person=reeves, kind="cast", character="Neo", order=0)
    return {
        "matrix": matrix,
        "heat": heat,
        "heat_1986": heat_1986,
        "amelie": amelie,
        "hidden": hidden,
        "wachowski": wachowski,
        "reeves": reeves,
    }


def ids(response):
    assert response.status_code == 200, response.text[:300]
    return [film["id"] for film in response.json()["results"]]


def test_search_finds_titles_as_the_site_does(api_as, catalog):
    api = api_as(None)

    assert ids(api.get("films/", params={"q": "matrix"})) == [catalog["matrix"].pk]
    assert ids(api.get("films/", params={"q": "amelie"})) == [catalog["amelie"].pk]
    assert ids(api.get("films/", params={"q": "heat 1986"})) == [catalog["heat_1986"].pk]
    assert ids(api.get("films/", params={"q": "heat"}))[0] == catalog["heat"].pk


def test_browse_filters_and_sorts_and_pages(api_as, catalog):
    api = api_as(None)

    action = ids(api.get("films/", params={"genre": "action"}))
    nineties = ids(api.get("films/", params={"decade": 1990, "sort": "oldest"}))
    first = api.get("films/", params={"page_size": 2}).json()
    second = api.get(first["next"]).json()

    assert action == [catalog["matrix"].pk, catalog["heat_1986"].pk]
    assert nineties == [catalog["heat"].pk, catalog["matrix"].pk]
    assert first["count"] == 4 and first["previous"] is None
    assert [f["id"] for f in first["results"] + second["results"]] == [
        catalog[name].pk for name in ["matrix", "heat", "amelie", "heat_1986"]
    ]
    assert second["next"] is None


def test_a_film_with_its_people_and_figures(api_as, catalog, live_server):
    film = api_as(None).get(f"films/{catalog['matrix'].pk}/").json()

    assert film["title"] == "The Matrix" and film["year"] == 1999
    assert [g["slug"] for g in film["genres"]] == ["action", "sci-fi"]
    assert film["rating_mean"] == 4.19
    assert film["overview"] == "A hacker learns the truth."
    assert [d["name"] for d in film["directors"]] == ["Lana Wachowski"]
    assert film["directors"][0]["profile_url"].endswith("w185/lana.jpg")
    assert film["cast"] == [
        {
            "person": {
                "id": catalog["reeves"].pk,
                "name": "Keanu Reeves",
                "tmdb_id": 2,
                "profile_url": "",
                "url": f"{live_server.url}/people/{catalog['reeves'].pk}-keanu-reeves/",
            },
            "character": "Neo",
        }
    ]
    assert film["url"].endswith(f"/films/{catalog['matrix'].pk}/")


def test_films_staff_hid_are_not_found(api_as, catalog):
    api = api_as(None)

    assert_error(api.get(f"films/{catalog['hidden'].pk}/"), 404, "not_found")
    assert catalog["hidden"].pk not in ids(api.get("films/", params={"q": "matrix hidden"}))


def test_people_search_and_a_persons_films(api_as, catalog):
    api = api_as(None)

    found = api.get("people/", params={"q": "reeves"}).json()
    person = api.get(f"people/{catalog['reeves'].pk}/").json()

    assert [p["name"] for p in found["results"]] == ["Keanu Reeves"]
    assert person["name"] == "Keanu Reeves"
    assert [(f["film"]["id"], f["roles"]) for f in person["films"]] == [
        (catalog["matrix"].pk, ["Neo"])
    ]


def test_people_search_forgives_accents_and_typos_as_the_site_does(api_as, catalog):
    tarantino = Person.objects.create(name="Quentin Tarantino", tmdb_id=138)
    almodovar = Person.objects.create(name="Pedro Almodóvar", tmdb_id=309)
    for person, title in ((tarantino, "Pulp Fiction"), (almodovar, "Volver")):
        film = make_movie(title, genres=["Drama"], rating_count=50)
        Credit.objects.create(movie=film, person=person, kind="crew", job="Director")
    api = api_as(None)

    def names(q):
        response = api.get("people/", params={"q": q})
        assert response.status_code == 200, response.text[:300]
        return [p["name"] for p in response.json()["results"]]

    assert names("tarantno")[0] == "Quentin Tarantino"  # a letter left out
    assert names("almodovar") == ["Pedro Almodóvar"]  # no accent typed
    assert names("tarantino quentin") == ["Quentin Tarantino"]  # either order
    assert "Quentin Tarantino" not in names("reeves")


def test_people_found_carry_their_page_and_what_they_are_known_for(api_as, catalog, live_server):
    found = api_as(None).get("people/", params={"q": "wachowski"}).json()["results"]

    assert len(found) == 1
    lana = found[0]
    assert lana["known_for"] == "Director" and lana["film_count"] == 1
    assert lana["url"].endswith(f"/people/{catalog['wachowski'].pk}-lana-wachowski/")
    page = requests.get(lana["url"], timeout=30)
    assert page.status_code == 200 and "Lana Wachowski" in page.text
