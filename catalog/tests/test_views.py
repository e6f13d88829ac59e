"""Catalog pages: content, filters, 404s, escaping and constant query counts."""

import pytest
from django.urls import reverse

from catalog.models import Credit, Person
from catalog.tests.factories import make_movie

pytestmark = pytest.mark.django_db


def make_catalog(count, genres=("Drama",)):
    return [
        make_movie(f"Film {i}", genres=genres, year=1990 + i % 20, rating_count=i, score=i / 10)
        for i in range(count)
    ]


def test_home_shows_popular_row_and_genre_rows(client):
    make_catalog(3, genres=("Comedy",))
    page = client.get(reverse("catalog:home")).content.decode()
    assert "Popular on NextFilms" in page
    assert "Comedy" in page
    assert "Film 2" in page


def test_genre_rows_come_as_fragments_and_link_to_their_genre_without_script(client):
    make_catalog(3, genres=("Comedy",))
    make_movie("A western", genres=["Western"], rating_count=1)
    page = client.get(reverse("catalog:home")).content.decode()
    row_url = reverse("catalog:genre_row", args=["western"])
    row = page[page.index(f'data-row-url="{row_url}"') :]
    row = row[: row.index("</section>")]
    assert f'href="{reverse("catalog:browse")}?genre=western"' in row
    assert "A western" not in row

    fragment = client.get(row_url).content.decode()
    assert "<html" not in fragment
    assert "A western" in fragment and "Film 2" not in fragment
    assert client.get(reverse("catalog:genre_row", args=["nope"])).status_code == 404


def test_a_members_genre_row_carries_their_state_and_leaves_out_dismissed_films(
    alice_client, alice
):
    from ratings.models import ListEntry, Rating

    rated = make_movie("Rated western", genres=["Western"], rating_count=5)
    dismissed = make_movie("Dismissed western", genres=["Western"], rating_count=4)
    Rating.objects.create(user=alice, movie=rated, value=3.5)
    ListEntry.objects.create(user=alice, movie=dismissed, kind="hidden")
    fragment = alice_client.get(reverse("catalog:genre_row", args=["western"])).content.decode()
    assert f'data-movie="{rated.pk}" data-rating="3.5"' in fragment
    assert "Dismissed western" not in fragment


def test_empty_catalog_home_tells_how_to_load_it(client):
    assert "import_movielens" in client.get(reverse("catalog:home")).content.decode()


@pytest.mark.parametrize("count", [2, 30])
def test_list_pages_run_a_constant_number_of_queries(client, django_assert_num_queries, count):
    make_catalog(count)
    # Popular and top-rated rows (films and their genres), genre chips, the genre rows.
    with django_assert_num_queries(6):
        client.get(reverse("catalog:home"))
    # A genre row: the genre, its films and their genres.
    with django_assert_num_queries(3):
        client.get(reverse("catalog:genre_row", args=["drama"]))
    # Count, page, genres of the page's films, the genre checkboxes.
    with django_assert_num_queries(4):
        client.get(reverse("catalog:browse"))
    # The same plus validating the chosen genre.
    with django_assert_num_queries(5):
        client.get(reverse("catalog:browse"), {"genre": "drama", "sort": "rating"})
    # Films (every word, near misses, the page's films, their genres), people
    # (every word, near misses) and tags, keywords and studios (the same, each).
    with django_assert_num_queries(12):
        client.get(reverse("catalog:search"), {"q": "film"})


def queries_for(client, path, params=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, params or {}).status_code == 200
    return len(captured)


MEMBER_PAGES = [
    ("catalog:home", None),
    ("catalog:genre_row", ["drama"]),
    ("catalog:browse", None),
    ("catalog:browse", {"genre": "drama", "sort": "rating"}),
    ("catalog:search", {"q": "film"}),
    ("ratings:onboarding", None),
    ("recommender:for_you", None),
]


@pytest.fixture
def own_model_dir(settings, tmp_path):
    from recommender.serving import model_cache

    settings.MODEL_DIR = tmp_path / "models"
    model_cache.reset()
    yield
    model_cache.reset()


@pytest.mark.parametrize(("name", "params"), MEMBER_PAGES)
def test_member_list_pages_cost_the_same_queries_for_2_or_30_films(
    alice_client, alice, own_model_dir, name, params
):
    from ratings.models import ListEntry, Rating
    from recommender.tests.factories import trained_model

    def queries_with(films):
        for movie in films:
            Rating.objects.create(user=alice, movie=movie, value=4.0)
            ListEntry.objects.create(user=alice, movie=movie, kind="watchlist")
        trained_model()
        if isinstance(params, list):
            return queries_for(alice_client, reverse(name, args=params))
        return queries_for(alice_client, reverse(name), params)

    few = queries_with(make_catalog(2))
    many = queries_with(
        make_movie(f"More {i}", genres=["Drama"], rating_count=40 + i) for i in range(28)
    )
    assert few == many


def test_browse_filters_by_genre_decade_and_minimum_ratings(client):
    make_movie("Old Comedy", genres=["Comedy"], year=1975, rating_count=50)
    make_movie("New Comedy", genres=["Comedy"], year=2015, rating_count=50)
    make_movie("Obscure Comedy", genres=["Comedy"], year=1978, rating_count=1)
    make_movie("Old Drama", genres=["Drama"], year=1972, rating_count=50)

    response = client.get(
        reverse("catalog:browse"), {"genre": "comedy", "decade": "1970", "min_ratings": "10"}
    )

    assert [m.title for m in response.context["page"].object_list] == ["Old Comedy"]


def test_browse_sorts_and_paginates_with_state_in_the_url(client):
    make_catalog(30)
    response = client.get(reverse("catalog:browse"), {"sort": "title", "page": "2"})
    page = response.context["page"]
    assert page.number == 2
    # Title order is alphabetical: "Film 10" sorts before "Film 2".
    assert [m.title for m in page.object_list] == [
        "Film 4",
        "Film 5",
        "Film 6",
        "Film 7",
        "Film 8",
        "Film 9",
    ]
    assert "sort=title&amp;page=1" in response.content.decode()


def test_browse_rejects_inverted_year_range_with_a_message(client):
    make_catalog(2)
    response = client.get(reverse("catalog:browse"), {"year_from": "2000", "year_to": "1990"})
    assert "The end year is before the start year." in response.content.decode()


def test_browse_ignores_unknown_genre_with_an_error_not_a_crash(client):
    make_catalog(2)
    response = client.get(reverse("catalog:browse"), {"genre": "no-such-genre"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_browse_says_a_decade_that_is_not_a_number_is_wrong(client):
    make_catalog(2)
    response = client.get(reverse("catalog:browse"), {"decade": "abc"})
    assert response.status_code == 200
    assert "Choose a decade from the list." in response.content.decode()
    assert len(response.context["page"].object_list) == 2


@pytest.mark.parametrize("view", ["catalog:search", "catalog:suggest"])
def test_search_for_a_superscript_digit_answers_without_error(client, view):
    make_movie("Alien³", movielens_title="Alien³ (1992)", year=1992)
    response = client.get(reverse(view), {"q": "²"})
    assert response.status_code == 200


def test_film_page_shows_details_credits_and_distribution(client):
    movie = make_movie(
        "Heat",
        genres=["Crime"],
        year=1995,
        imdb_id="tt0113277",
        tmdb_id=949,
        overview="A group of high-end professional thieves.",
        runtime=170,
        poster_path="/heat.jpg",
        trailer_youtube_key="abc123",
        rating_count=3,
        rating_mean=4.5,
        rating_histogram=[0, 0, 0, 0, 0, 0, 0, 1, 1, 1],
    )
    Credit.objects.create(
        movie=movie, person=Person.objects.create(name="Michael Mann"), kind="crew", job="Director"
    )
    Credit.objects.create(
        movie=movie,
        person=Person.objects.create(name="Al Pacino"),
        kind="cast",
        character="Vincent Hanna",
    )

    page = client.get(movie.get_absolute_url()).content.decode()

    for text in [
        "Heat",
        "170 min",
        "Michael Mann",
        "Vincent Hanna",
        "https://image.tmdb.org/t/p/w342/heat.jpg",
        "https://www.youtube.com/watch?v=abc123",
        "https://www.imdb.com/title/tt0113277/",
        "https://www.themoviedb.org/movie/949",
        "from 3 ratings",
    ]:
        assert text in page


def test_film_without_poster_gets_a_generated_placeholder(client):
    movie = make_movie("No Poster")
    page = client.get(movie.get_absolute_url()).content.decode()
    assert '<span class="poster__title">No Poster</span>' in page
    assert "poster__image" not in page


def test_posters_keep_their_box_and_offer_sizes_for_the_screen(client):
    movie = make_movie("Heat", poster_path="/heat.jpg", rating_count=5)
    film_page = client.get(movie.get_absolute_url()).content.decode()
    base = "https://image.tmdb.org/t/p/"
    assert (
        f'srcset="{base}w342/heat.jpg 342w, {base}w500/heat.jpg 500w, {base}w780/heat.jpg 780w"'
        in film_page
    )
    assert 'alt="Poster of Heat" fetchpriority="high"' in film_page
    card = client.get(reverse("catalog:browse")).content.decode()
    assert f'srcset="{base}w185/heat.jpg 185w, {base}w342/heat.jpg 342w' in card
    assert 'alt="" loading="lazy" decoding="async" width="342" height="513"' in card
    # The placeholder is drawn underneath, for while it loads or if it fails.
    assert '<span class="poster__title">Heat</span>' in card


def test_unknown_and_hidden_films_are_404(client):
    hidden = make_movie("Hidden", is_hidden=True)
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(reverse("catalog:movie_detail", args=[999_999])).status_code == 404


def test_hidden_films_are_left_out_of_lists(client):
    make_movie("Shown Film", rating_count=5)
    make_movie("Hidden Film", rating_count=9, is_hidden=True)
    for url in [reverse("catalog:home"), reverse("catalog:browse")]:
        page = client.get(url).content.decode()
        assert "Shown Film" in page
        assert "Hidden Film" not in page


def test_tmdb_and_movielens_text_is_escaped(client):
    movie = make_movie("<script>alert(1)</script>", overview="<img src=x onerror=alert(2)>")
    page = client.get(movie.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)" in page


def test_suggestions_are_a_fragment_of_links(client):
    movie = make_movie("Heat", year=1995)
    response = client.get(reverse("catalog:suggest"), {"q": "hea"})
    body = response.content.decode()
    assert "<html" not in body
    assert f'href="{movie.get_absolute_url()}"' in body
    assert 'role="option"' in body


def test_search_page_without_query_explains_what_to_type(client):
    assert "heat 1995" in client.get(reverse("catalog:search")).content.decode()


def test_a_search_too_long_to_run_says_so_instead_of_an_empty_page(client):
    make_movie("Heat", year=1995)
    response = client.get(reverse("catalog:search"), {"q": "heat " + "x" * 196})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"><p>Your search is 201 characters long; the limit is 200.' in page
    assert "No film matches" not in page


def test_a_search_at_the_length_limit_still_runs(client):
    make_movie("Heat", year=1995)
    response = client.get(reverse("catalog:search"), {"q": "heat" + " " * 192 + "1995"})
    assert response.status_code == 200
    assert [movie.title for movie in response.context["page"]] == ["Heat"]


def test_footer_carries_the_tmdb_attribution(client):
    page = client.get(reverse("about")).content.decode()
    assert "This product uses the TMDB API but is not endorsed or certified by TMDB." in page


@pytest.mark.parametrize(
    ("match", "expected"),
    [("any", ["Comedy", "Crime Comedy", "Crime"]), ("all", ["Crime Comedy"])],
)
def test_browse_genres_mean_any_of_them_unless_all_are_asked_for(client, match, expected):
    make_movie("Comedy", genres=["Comedy"], rating_count=30)
    make_movie("Crime Comedy", genres=["Crime", "Comedy"], rating_count=20)
    make_movie("Crime", genres=["Crime"], rating_count=10)
    make_movie("Drama", genres=["Drama"], rating_count=40)

    response = client.get(
        reverse("catalog:browse"), {"genre": ["comedy", "crime"], "genre_match": match}
    )

    assert [movie.title for movie in response.context["page"]] == expected


def test_a_card_cut_to_three_genres_shows_the_one_filtered_by(client):
    make_movie("Everything", genres=["Action", "Adventure", "Animation", "Western"])

    page = client.get(reverse("catalog:browse"), {"genre": "western"}).content.decode()

    assert "Western · Action · Adventure" in page
    assert "Animation" not in page.split('class="card__genres"')[1].split("</p>")[0]


def test_browse_filter_panel_is_cached_per_query_and_follows_new_genres(alice_client):
    make_catalog(2, genres=("Drama", "Comedy"))
    plain = alice_client.get(reverse("catalog:browse")).content.decode()
    assert 'value="drama" checked' not in plain
    chosen = alice_client.get(reverse("catalog:browse"), {"genre": "drama"}).content.decode()
    assert 'value="drama"' in chosen and "checked" in chosen[chosen.index('value="drama"') :][:40]
    again = alice_client.get(reverse("catalog:browse")).content.decode()
    assert again.count("checked") == plain.count("checked")
    make_movie("A western", genres=["Western"])
    assert 'value="western"' in alice_client.get(reverse("catalog:browse")).content.decode()
