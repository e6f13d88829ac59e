"""The MovieLens importer on hand-made data sets, bad input, and the real ml-latest-small."""

import zipfile

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Genre, Movie, MovieTag
from catalog.movielens.source import MovieLensImportError
from ratings.models import MovieLensRating
from ratings.movielens import import_movielens

MOVIES = """movieId,title,genres
1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy
2,"Matrix, The (1999)",Action|Sci-Fi|Thriller
3,Heat (1995),Action|Crime|Thriller
4,Babylon 5,(no genres listed)
"""
LINKS = """movieId,imdbId,tmdbId
1,0114709,862
2,0133093,603
3,0113277,949
4,0105946,
"""
RATINGS = """userId,movieId,rating,timestamp
1,1,4.0,964982703
1,2,5.0,964981247
2,1,3.5,964982224
2,3,0.5,964983815
3,2,4.5,964982931
"""


TAGS = """userId,movieId,tag,timestamp
1,2,Cyberpunk,964982703
2,2,cyberpunk ,964982704
2,2,philosophy,964982705
3,3,heist,964982706
"""


def write_dataset(folder, movies=MOVIES, links=LINKS, ratings=RATINGS, tags=TAGS, encoding="utf-8"):
    folder.mkdir(parents=True, exist_ok=True)
    files = [("movies.csv", movies), ("links.csv", links), ("ratings.csv", ratings)]
    if tags is not None:
        files.append(("tags.csv", tags))
    for name, content in files:
        data = content if isinstance(content, bytes) else content.encode(encoding)
        (folder / name).write_bytes(data)
    return folder


def zip_dataset(folder, zip_path):
    with zipfile.ZipFile(zip_path, "w") as archive:
        for path in folder.iterdir():
            archive.write(path, f"ml-test/{path.name}")
    return zip_path


@pytest.fixture
def dataset(tmp_path):
    return write_dataset(tmp_path / "ml-test")


def import_quietly(source):
    return import_movielens(str(source), progress=False)


@pytest.mark.django_db
def test_import_creates_movies_genres_links_and_ratings(dataset):
    report = import_quietly(dataset)

    assert (report.movies_created, report.ratings, report.users) == (4, 5, 3)
    matrix = Movie.objects.get(movielens_id=2)
    assert (matrix.title, matrix.year, matrix.imdb_id, matrix.tmdb_id) == (
        "The Matrix",
        1999,
        "tt0133093",
        603,
    )
    assert sorted(matrix.genres.values_list("name", flat=True)) == ["Action", "Sci-Fi", "Thriller"]
    babylon = Movie.objects.get(movielens_id=4)
    assert (babylon.year, babylon.tmdb_id, babylon.genres.count()) == (None, None, 0)
    assert Genre.objects.count() == 9
    assert MovieLensRating.objects.filter(movielens_user_id=2, movie_id=3).get().rating == 0.5


@pytest.mark.django_db
def test_tags_are_counted_per_film_whatever_their_case(dataset, tmp_path):
    report = import_quietly(dataset)

    matrix = Movie.objects.get(movielens_id=2)
    assert report.tags == 4
    assert list(matrix.tags.values_list("tag", "count")) == [("cyberpunk", 2), ("philosophy", 1)]

    import_quietly(write_dataset(tmp_path / "ml-fewer-tags", tags=TAGS.splitlines()[0] + "\n"))
    assert not MovieTag.objects.exists()


@pytest.mark.django_db
def test_a_data_set_without_tags_imports(tmp_path):
    report = import_quietly(write_dataset(tmp_path / "ml-no-tags", tags=None))
    assert (report.tags, report.ratings) == (0, 5)


@pytest.mark.django_db
def test_import_computes_rating_aggregates(dataset):
    import_quietly(dataset)

    toy_story = Movie.objects.get(movielens_id=1)
    assert toy_story.rating_count == 2
    assert toy_story.rating_mean == pytest.approx(3.75)
    assert toy_story.rating_histogram == [0, 0, 0, 0, 0, 0, 1, 1, 0, 0]
    # Two ratings pulled toward the catalog mean (3.5) with a prior of 5/3 ratings.
    assert toy_story.score == pytest.approx((7.5 + 5 / 3 * 3.5) / (2 + 5 / 3))
    assert Movie.objects.get(movielens_id=4).rating_count == 0


@pytest.mark.django_db
def test_reimport_updates_and_never_duplicates(dataset, tmp_path):
    import_quietly(dataset)
    changed = write_dataset(
        tmp_path / "ml-changed",
        movies=MOVIES.replace("Heat (1995)", "Heat (1996)"),
        ratings=RATINGS + "3,3,2.0,964982931\n",
    )

    report = import_quietly(changed)

    assert (report.movies_created, report.movies_updated) == (0, 4)
    assert Movie.objects.count() == 4
    assert Movie.objects.get(movielens_id=3).year == 1996
    assert MovieLensRating.objects.count() == 6
    assert Movie.objects.get(movielens_id=3).genres.count() == 3


@pytest.mark.django_db
def test_films_are_shown_by_the_names_people_know_and_reimport_updates_them(tmp_path):
    movies = MOVIES + (
        '5,"City of Lost Children, The (Cité des enfants perdus, La) (1995)",Fantasy\n'
        '6,"Amelie (Fabuleux destin d\'Amélie Poulain, Le) (2001)",Comedy\n'
    )
    links = LINKS + "5,0112682,902\n6,0211915,194\n"
    import_quietly(write_dataset(tmp_path / "ml-first", movies=movies, links=links))
    assert Movie.objects.get(movielens_id=5).title == "The City of Lost Children"
    # A catalog imported before display titles dropped the alternative titles.
    Movie.objects.filter(movielens_id=5).update(
        title="The City of Lost Children (Cité des enfants perdus, La)"
    )
    # TMDB named Amélie with its accent; the next import keeps TMDB's name.
    Movie.objects.filter(movielens_id=6).update(title="Amélie", tmdb_title="Amélie")

    import_quietly(write_dataset(tmp_path / "ml-again", movies=movies, links=links))

    city, amelie = Movie.objects.filter(movielens_id__in=[5, 6]).order_by("movielens_id")
    assert city.title == "The City of Lost Children"
    assert amelie.title == "Amélie"
    assert "fabuleux destin" in amelie.search_text


@pytest.mark.django_db
def test_a_tmdb_title_is_dropped_when_the_film_moves_to_another_tmdb_id(tmp_path):
    import_quietly(write_dataset(tmp_path / "ml-first"))
    Movie.objects.filter(movielens_id=3).update(title="Heat!", tmdb_title="Heat!")

    import_quietly(write_dataset(tmp_path / "ml-moved", links=LINKS.replace(",949", ",950")))

    assert Movie.objects.get(movielens_id=3).title == "Heat"


@pytest.mark.django_db
def test_zip_with_a_top_level_folder_imports(dataset, tmp_path):
    report = import_quietly(zip_dataset(dataset, tmp_path / "ml-test.zip"))
    assert (report.movies_created, report.ratings) == (4, 5)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"ratings": "user,movie,rating,timestamp\n1,1,4.0,1\n"}, "ratings.csv, line 1: expected"),
        ({"movies": "movieId,name,genres\n1,X (1999),Drama\n"}, "movies.csv, line 1: expected"),
        ({"ratings": RATINGS + "4,1,5.5,964982931\n"}, "ratings.csv, line 7: rating '5.5'"),
        ({"ratings": RATINGS + "4,1,3.3,964982931\n"}, "ratings.csv, line 7: rating '3.3'"),
        ({"ratings": RATINGS + "4,1,0,964982931\n"}, "ratings.csv, line 7: rating '0'"),
        ({"ratings": RATINGS + "4,1,good,964982931\n"}, "ratings.csv, line 7: rating 'good'"),
        ({"ratings": RATINGS + "4,99,3.0,964982931\n"}, "ratings.csv, line 7: movieId 99"),
        ({"ratings": RATINGS + "4,1,3.0\n"}, "ratings.csv, line 7: expected 4 columns"),
        ({"ratings": RATINGS + "1,1,3.0,964982931\n"}, "ratings.csv, line 7: user 1 rated movie 1"),
        ({"movies": MOVIES + "5,,Drama\n"}, "movies.csv, line 6: the title is empty"),
        ({"movies": MOVIES + "x,Y (1999),Drama\n"}, "movies.csv, line 6: movieId 'x'"),
        ({"links": LINKS + "9,0000001,1\n"}, "links.csv, line 6: movieId 9 is not in movies.csv"),
        ({"tags": TAGS + "1,77,funny,1\n"}, "tags.csv, line 6: movieId 77 is not in movies.csv"),
        (
            {"movies": MOVIES.encode() + "5,Am\xe9lie (2001),Drama\n".encode("latin-1")},
            "movies.csv, line 6: not valid UTF-8",
        ),
    ],
)
@pytest.mark.django_db
def test_bad_input_names_file_and_line_and_keeps_previous_catalog(
    tmp_path, dataset, files, message
):
    import_quietly(dataset)
    bad = write_dataset(tmp_path / "ml-bad", **files)

    with pytest.raises(MovieLensImportError, match=message):
        import_quietly(bad)

    assert Movie.objects.count() == 4
    assert MovieLensRating.objects.count() == 5
    assert Movie.objects.get(movielens_id=1).rating_count == 2


@pytest.mark.django_db
def test_corrupt_zip_is_refused(tmp_path):
    broken = tmp_path / "ml-latest-small.zip"
    broken.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(MovieLensImportError, match="not a valid zip"):
        import_quietly(broken)


@pytest.mark.django_db
def test_folder_without_movielens_files_is_refused(tmp_path):
    with pytest.raises(MovieLensImportError, match=r"missing movies\.csv, ratings\.csv"):
        import_quietly(tmp_path)


@pytest.mark.django_db
def test_download_failure_suggests_movielens_source(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    # Nothing listens on port 9 of this machine: the connection is refused at once.
    with pytest.raises(MovieLensImportError, match="set MOVIELENS_SOURCE"):
        import_quietly("http://127.0.0.1:9/ml-latest-small.zip")
    assert not list((tmp_path / "downloads").iterdir())


@pytest.mark.django_db
def test_command_reports_failure_without_traceback(tmp_path):
    with pytest.raises(CommandError, match=r"nothing was changed: .* does not exist"):
        call_command("import_movielens", str(tmp_path / "missing.zip"), "--no-progress")


@pytest.mark.django_db
def test_command_skips_when_catalog_is_loaded(dataset, capsys):
    import_quietly(dataset)
    call_command("import_movielens", "/nonexistent", "--if-empty", "--no-progress")
    assert "already has 4 movies" in capsys.readouterr().out


@pytest.mark.django_db
def test_real_ml_latest_small_imports_completely_and_idempotently(movielens_small_zip):
    report = import_quietly(movielens_small_zip)

    assert (report.movies_created, report.ratings, report.users) == (9742, 100836, 610)
    assert Movie.objects.count() == 9742
    assert Genre.objects.count() == 19
    assert report.tags == 3683
    toy_story = Movie.objects.get(movielens_id=1)
    assert (toy_story.title, toy_story.year, toy_story.imdb_id, toy_story.tmdb_id) == (
        "Toy Story",
        1995,
        "tt0114709",
        862,
    )
    assert toy_story.rating_count == MovieLensRating.objects.filter(movie_id=1).count() == 215
    snapshot = list(
        Movie.objects.order_by("id").values_list("id", "title", "rating_count", "score")
    )

    again = import_quietly(movielens_small_zip)

    assert (again.movies_created, again.movies_updated, again.ratings) == (0, 9742, 100836)
    assert MovieLensRating.objects.count() == 100836
    assert (
        list(Movie.objects.order_by("id").values_list("id", "title", "rating_count", "score"))
        == snapshot
    )


@pytest.mark.postgresql(reason="COPY drops the ratings table's keys and rebuilds them")
@pytest.mark.django_db
def test_copy_load_rebuilds_the_ratings_keys_and_indexes(dataset):
    from django.db import connection

    def keys_and_indexes():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT contype FROM pg_constraint WHERE conrelid = %s::regclass",
                [MovieLensRating._meta.db_table],
            )
            constraints = sorted(row[0] for row in cursor.fetchall())
            cursor.execute(
                "SELECT count(*) FROM pg_indexes WHERE tablename = %s",
                [MovieLensRating._meta.db_table],
            )
            return constraints, cursor.fetchone()[0]

    before = keys_and_indexes()
    import_quietly(dataset)
    import_quietly(dataset)

    assert keys_and_indexes() == before
    assert "p" in before[0] and "f" in before[0]
