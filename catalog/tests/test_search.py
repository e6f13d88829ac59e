"""Search relevance on the real ml-latest-small catalog."""

import pytest

from catalog import search
from catalog.search import ParsedQuery, parse_query, search_movies, typo_score

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("movielens_catalog")]


def titles(query, limit=5):
    return [(movie.title, movie.year) for movie in search_movies(query, limit=limit)]


def test_exact_title_comes_first():
    assert titles("toy story")[:3] == [
        ("Toy Story", 1995),
        ("Toy Story 2", 1999),
        ("Toy Story 3", 2010),
    ]


def test_trailing_article_form_is_found_by_its_main_word():
    assert titles("matrix")[0] == ("The Matrix", 1999)
    assert titles("Matrix, The")[0] == ("The Matrix", 1999)


def test_case_and_accents_do_not_matter():
    assert titles("AMÉLIE")[0] == ("Amelie", 2001)
    assert titles("amelie")[0] == ("Amelie", 2001)


def test_alternative_titles_stay_searchable():
    assert titles("fabuleux destin")[0] == ("Amelie", 2001)
    assert titles("se7en")[0] == ("Seven", 1995)
    assert titles("das boot")[0] == ("Das Boot", 1981)


def test_partial_words_match():
    assert ("The Shawshank Redemption", 1994) in titles("shawsh")


@pytest.mark.parametrize(
    ("typo", "expected"),
    [
        ("matirx", ("The Matrix", 1999)),
        ("godfahter", ("The Godfather", 1972)),
        ("forest gump", ("Forrest Gump", 1994)),
    ],
)
def test_typos_are_tolerated(typo, expected):
    assert titles(typo)[0] == expected


def test_year_in_query_narrows():
    assert titles("heat 1995")[0] == ("Heat", 1995)
    assert all(year == 1995 for _, year in titles("heat 1995"))
    assert ("The Heat", 2013) in titles("heat", limit=10)


def test_number_that_is_no_release_year_stays_in_the_title():
    assert titles("2001 a space odyssey")[0] == ("2001: A Space Odyssey", 1968)
    assert titles("apollo 13")[0] == ("Apollo 13", 1995)


def test_unrelated_titles_are_not_returned():
    assert titles("zzzqqqxxx") == []
    assert titles("   ") == []


def test_staff_hidden_films_are_never_found():
    from catalog.models import Movie

    Movie.objects.filter(title="Heat", year=1995).update(is_hidden=True)
    assert ("Heat", 1995) not in titles("heat", limit=50)


def test_parse_query_splits_only_a_trailing_year():
    assert parse_query("Heat 1995") == ParsedQuery("heat", 1995)
    assert parse_query("1995") == ParsedQuery("1995", None)


def test_a_long_query_is_cut_to_its_first_words_and_keeps_its_year():
    words = [f"word{i}" for i in range(30)]
    parsed = parse_query(" ".join(words) + " 1995")
    assert parsed == ParsedQuery(" ".join(words[: search.MAX_QUERY_WORDS]), 1995)
    assert parse_query("x" * 200) == ParsedQuery("x" * search.MAX_WORD_LENGTH, None)


def test_long_titles_are_still_found_from_a_long_query():
    query = "The Lord of the Rings: The Fellowship of the Ring 2001"
    assert titles(query)[0] == ("The Lord of the Rings: The Fellowship of the Ring", 2001)


def test_a_pasted_paragraph_costs_no_more_than_its_first_words(monkeypatch):
    """The typo matcher's work stays bounded: a 200-character query does what 8 words do."""
    comparisons = []
    edit_distance = search._edit_distance

    def counted(a, b):
        comparisons.append((a, b))
        return edit_distance(a, b)

    monkeypatch.setattr(search, "_edit_distance", counted)
    paragraph = (
        "adventrues chirstmas chornicles wondreful extraodrinary amercian begining catsle "
        "dagerous eternla fantsatic goldne histroy impossibel journye kingdmo legnd mystrey "
        "nigth ocena pirtaes qeuen rivre slvr"
    )
    assert len(paragraph) == 200
    first_words = " ".join(paragraph.split()[: search.MAX_QUERY_WORDS])

    search._word_similarity.cache_clear()
    assert titles(paragraph, limit=100) == titles(first_words, limit=100)
    assert len({a for a, _ in comparisons}) <= search.MAX_QUERY_WORDS
    assert max((len(a) for a, _ in comparisons), default=0) <= search.MAX_WORD_LENGTH


def test_typo_score_prefers_one_swap_over_different_words():
    assert typo_score("matirx", "the matrix") > typo_score("matirx", "matilda")


@pytest.mark.postgresql(reason="the pg_trgm GIN index serves typo search")
def test_the_trigram_index_can_serve_typo_search():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT id FROM catalog_movie WHERE %s <%% search_text", ["matirx"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "movie_search_trgm_idx" in plan


# --- People and tags beside films ----------------------------------------------


@pytest.fixture
def people():
    """Real names on real films of the catalog, and Fight Club's real TMDB credits."""
    import json

    from catalog.models import Movie
    from catalog.tests.factories import credit, make_person
    from catalog.tmdb.parsing import parse_movie
    from catalog.tmdb.sync import store_metadata
    from conftest import SHARED_DIR

    def film(title, year):
        return Movie.objects.get(title=title, year=year)

    hanks = make_person("Tom Hanks")
    credit(hanks, film("Forrest Gump", 1994), character="Forrest Gump")
    credit(hanks, film("Toy Story", 1995), character="Woody (voice)")
    credit(make_person("Tom Hardy"), film("Inception", 2010), character="Eames")
    credit(make_person("Quentin Tarantino"), film("Pulp Fiction", 1994), job="Director")
    credit(make_person("Steven Spielberg"), film("Jurassic Park", 1993), job="Director")
    nolan = make_person("Christopher Nolan")
    for title, year in (("Inception", 2010), ("Memento", 2000), ("The Dark Knight", 2008)):
        credit(nolan, film(title, year), job="Director")
    credit(make_person("Jonathan Nolan"), film("Memento", 2000), job="Story")
    credit(make_person("Pedro Almodóvar"), film("Talk to Her", 2002), job="Director")
    sample = SHARED_DIR / "data" / "tmdb" / "samples" / "movie_550_details_append_DERIVED.json"
    body = json.loads(sample.read_text(encoding="utf-8"))
    store_metadata(film("Fight Club", 1999).pk, 550, parse_movie(body))


def names(query, limit=5):
    return [person.name for person in search.search_people(query, limit=limit)]


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tarantino", "Quentin Tarantino"),
        ("tom hanks", "Tom Hanks"),
        ("spielberg", "Steven Spielberg"),
        ("nolan", "Christopher Nolan"),  # the more rated films of the two
        ("almodovar", "Pedro Almodóvar"),  # no accent typed
        ("ALMODÓVAR", "Pedro Almodóvar"),
        ("tarantno", "Quentin Tarantino"),  # typos, as for titles
        ("spielburg", "Steven Spielberg"),
        ("david fincher", "David Fincher"),  # from TMDB's real credits
        ("brad pit", "Brad Pitt"),
    ],
)
def test_people_are_found_by_name_with_accent_and_typo_tolerance(query, expected):
    assert names(query)[0] == expected


@pytest.mark.usefixtures("people")
def test_a_name_puts_people_before_films_that_only_nearly_match():
    results = search.search_everything("tom hanks")
    assert results.groups[0] == "people"
    assert results.people[0].name == "Tom Hanks"
    assert "Tom Hardy" not in [person.name for person in results.people]


@pytest.mark.usefixtures("people")
def test_a_title_still_puts_films_first():
    results = search.search_everything("forrest gump")
    assert results.groups[0] == "films"
    assert results.films[0].title == "Forrest Gump"


def test_movielens_tags_are_found_with_their_film_counts():
    tags = search.search_tags("dark comedy")
    assert tags[0].name == "dark comedy"
    assert tags[0].kind == "tag"
    assert tags[0].film_count >= 5
    assert tags[0].url == "/tags/dark%20comedy/"
    assert search.search_tags("atmosferic")[0].name == "atmospheric"


@pytest.mark.usefixtures("people")
def test_tmdb_keywords_are_found_beside_tags():
    keywords = [tag for tag in search.search_tags("dual identity") if tag.kind == "keyword"]
    assert [(tag.name, tag.film_count) for tag in keywords] == [("dual identity", 1)]


def test_studios_are_found_by_name_with_their_film_counts():
    from catalog.models import Company, Movie

    ghibli = Company.objects.create(tmdb_id=10342, name="Studio Ghibli")
    ghibli.movies.add(*Movie.objects.filter(title__in=["Spirited Away", "My Neighbor Totoro"]))
    Company.objects.create(tmdb_id=3, name="Pixar")

    studios = [tag for tag in search.search_tags("ghibli") if tag.kind == "company"]
    assert [(tag.name, tag.film_count, tag.kind_label) for tag in studios] == [
        ("Studio Ghibli", 2, "Studio")
    ]
    assert studios[0].url == ghibli.get_absolute_url()
    assert [tag.name for tag in search.search_tags("ghibly") if tag.kind == "company"] == [
        "Studio Ghibli"
    ]
    results = search.search_everything("studio ghibli")
    assert "tags" in results.groups
    assert results.tags_heading == "Tags and studios"
    assert search.search_everything("dark comedy").tags_heading == "Tags"


@pytest.mark.django_db
def test_a_title_that_starts_with_the_query_leads_a_tag_of_the_same_word():
    from catalog.models import MovieTag
    from catalog.tests.factories import make_movie

    matrix = make_movie("The Matrix", year=1999, movielens_title="Matrix, The (1999)")
    MovieTag.objects.create(movie=matrix, tag="matrix", count=3)
    results = search.search_everything("matrix")
    assert results.groups[0] == "films"
    assert "tags" in results.groups
