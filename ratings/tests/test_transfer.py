"""Importing Letterboxd, IMDb and MovieLens-style files, and exporting a member's films."""

import re

import pytest

from catalog.tests.factories import make_movie
from ratings.models import ListEntry, Rating
from ratings.transfer.apply import apply
from ratings.transfer.export import export_files, export_zip
from ratings.transfer.formats import (
    IMDB,
    LETTERBOXD,
    MAX_BYTES,
    MAX_ROWS,
    MOVIELENS,
    TransferError,
    read_ratings_file,
)
from ratings.transfer.matching import build_report
from ratings.transfer.report import PENDING_LIST_LIMIT, ApplyResult, ImportReport

pytestmark = pytest.mark.django_db

LETTERBOXD_RATINGS = """\
Date,Name,Year,Letterboxd URI,Rating
2023-01-05,The Matrix,1999,https://boxd.it/1Ynq,5
2023-01-06,"Crouching Tiger, Hidden Dragon",2000,https://boxd.it/1vKK,4.5
2023-02-11,Amélie,2001,https://boxd.it/2b0i,4
2023-03-02,"Léon: The Professional",1994,https://boxd.it/29IS,3.5
"""

# IMDb's current export; older ones lack "Original Title" and order some columns differently.
IMDB_RATINGS = """\
Const,Your Rating,Date Rated,Title,Original Title,URL,Title Type,IMDb Rating,Runtime (mins),\
Year,Genres,Num Votes,Release Date,Directors
tt0133093,10,2023-01-05,The Matrix,The Matrix,https://www.imdb.com/title/tt0133093,Movie,8.7,\
136,1999,"Action, Sci-Fi",2100000,1999-03-24,"Lana Wachowski, Lilly Wachowski"
tt0190332,7,2023-01-06,"Crouching Tiger, Hidden Dragon","Wo hu cang long",\
https://www.imdb.com/title/tt0190332,Movie,7.9,120,2000,"Action, Adventure, Drama",280000,\
2000-07-07,Ang Lee
tt0903747,9,2023-01-07,Breaking Bad,Breaking Bad,https://www.imdb.com/title/tt0903747,\
TV Series,9.5,49,2008,"Crime, Drama, Thriller",2200000,2008-01-20,
"""

OLD_IMDB_RATINGS = """\
Const,Your Rating,Date Rated,Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,Genres,\
Num Votes,Release Date,Directors
tt0133093,8,2019-05-01,The Matrix,https://www.imdb.com/title/tt0133093/,movie,8.7,136,1999,\
"Action, Sci-Fi",1700000,1999-03-31,"Lana Wachowski, Lilly Wachowski"
"""

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def catalog():
    return {
        "matrix": make_movie(
            "The Matrix", year=1999, movielens_title="Matrix, The (1999)", imdb_id="tt0133093"
        ),
        "tiger": make_movie(
            "Crouching Tiger, Hidden Dragon",
            year=2000,
            movielens_title="Crouching Tiger, Hidden Dragon (Wo hu cang long) (2000)",
            imdb_id="tt0190332",
        ),
        "amelie": make_movie(
            "Amelie",
            year=2001,
            movielens_title="Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)",
        ),
        "leon": make_movie(
            "Léon: The Professional",
            year=1994,
            movielens_title="Léon: The Professional (a.k.a. The Professional) (Léon) (1994)",
        ),
    }


def report_for(upload, user, encoding="utf-8"):
    """Read and match an upload (text or bytes), as the import page does."""
    data = upload.encode(encoding) if isinstance(upload, str) else upload
    return build_report(read_ratings_file(data), user)


def matched(report):
    return {row.movie.pk: row.value for row in report.matched}


def ratings_of(user):
    return dict(Rating.objects.filter(user=user).values_list("movie_id", "value"))


def test_letterboxd_ratings_match_by_title_and_year(catalog, alice):
    report = report_for(LETTERBOXD_RATINGS, alice)

    assert report.format == LETTERBOXD
    assert matched(report) == {
        catalog["matrix"].pk: 5.0,
        catalog["tiger"].pk: 4.5,
        catalog["amelie"].pk: 4.0,
        catalog["leon"].pk: 3.5,
    }
    assert report.unmatched == report.invalid == report.duplicates == []


def test_a_byte_order_mark_and_windows_line_ends_are_fine(catalog, alice):
    data = b"\xef\xbb\xbf" + LETTERBOXD_RATINGS.replace("\n", "\r\n").encode()
    report = report_for(data, alice)
    assert len(report.matched) == 4


def test_letterboxd_titles_match_the_movielens_forms(alice):
    godzilla = make_movie(
        "Godzilla 1985: The Legend Is Reborn (Gojira) (Godzilla) (Return of Godzilla, The)",
        year=1984,
        movielens_title="Godzilla 1985: The Legend Is Reborn (Gojira) (Godzilla) "
        "(Return of Godzilla, The) (1984)",
    )
    summer = make_movie("(500) Days of Summer", year=2009)
    file = "Date,Name,Year,Letterboxd URI,Rating\n"
    file += "2023-01-01,The Return of Godzilla,1984,,3\n2023-01-01,(500) Days of Summer,2009,,4\n"

    assert matched(report_for(file, alice)) == {godzilla.pk: 3.0, summer.pk: 4.0}


def test_imdb_export_matches_by_imdb_id_and_halves_the_rating(catalog, alice):
    report = report_for(IMDB_RATINGS, alice)

    assert report.format == IMDB
    assert matched(report) == {catalog["matrix"].pk: 5.0, catalog["tiger"].pk: 3.5}
    [series] = report.unmatched
    assert (series.line, series.title, series.year) == (4, "Breaking Bad", 2008)
    assert "tt0903747" in series.reason


def test_imdb_columns_may_come_in_another_order(catalog, alice):
    assert matched(report_for(OLD_IMDB_RATINGS, alice)) == {catalog["matrix"].pk: 4.0}
    reordered = "Title,Your Rating,Const,Extra\nThe Matrix,6,tt0133093,x\n"
    assert matched(report_for(reordered, alice)) == {catalog["matrix"].pk: 3.0}


def test_imdb_row_falls_back_to_the_title_only_for_films_without_an_imdb_id(alice):
    no_id = make_movie("Heat", year=1995)
    make_movie("Solaris", year=1972, imdb_id="tt0069293")
    file = "Const,Your Rating,Title,Year\ntt0113277,9,Heat,1995\ntt0307479,6,Solaris,1972\n"

    report = report_for(file, alice)

    assert matched(report) == {no_id.pk: 4.5}
    assert [row.title for row in report.unmatched] == ["Solaris"]


def test_movielens_style_matches_by_movielens_id(alice):
    toy_story = make_movie("Toy Story", year=1995, movielens_id=1)
    jumanji = make_movie("Jumanji", year=1995, movielens_id=2)
    file = "movieId,rating,timestamp\n1,4.0,964982703\n2,0.5,964981247\n999999,3,964982224\n"

    report = report_for(file, alice)

    assert report.format == MOVIELENS
    assert matched(report) == {toy_story.pk: 4.0, jumanji.pk: 0.5}
    assert [(row.line, row.title) for row in report.unmatched] == [(4, "MovieLens film 999999")]


def test_a_whole_movielens_data_set_is_refused(alice):
    file = "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n2,1,3.0,964982703\n"
    with pytest.raises(TransferError, match="2 MovieLens users"):
        report_for(file, alice)


def test_a_year_off_by_one_matches_only_a_single_candidate(alice):
    heat = make_movie("Heat", year=1995)
    crash_1996 = make_movie("Crash", year=1996)
    crash_2004 = make_movie("Crash", year=2004)
    crash_2005 = make_movie("Crash", year=2005)
    file = (
        "Name,Year,Rating\n"
        "Heat,1996,4\n"  # the only Heat near 1996
        "Crash,2004,2\n"  # the exact year wins over 2005
        "Crash,1997,3\n"  # only the 1996 one is near
        "Crash,2006,1\n"  # only the 2005 one is near
    )

    assert matched(report_for(file, alice)) == {
        heat.pk: 4.0,
        crash_2004.pk: 2.0,
        crash_1996.pk: 3.0,
        crash_2005.pk: 1.0,
    }


def test_two_candidates_a_year_away_are_not_guessed(alice):
    make_movie("Twins", year=1987)
    make_movie("Twins", year=1989)
    report = report_for("Name,Year,Rating\nTwins,1988,3\n", alice)
    assert report.matched == []
    assert "2 films" in report.unmatched[0].reason


def test_unknown_films_are_listed_with_a_reason(catalog, alice):
    file = "Name,Year,Rating\nThe Matrix,1970,4\nNot A Real Film,2001,3\nThe Matrix,,2\n"

    report = report_for(file, alice)

    assert report.matched == []
    assert [(row.line, row.title, row.year) for row in report.unmatched] == [
        (2, "The Matrix", 1970),
        (3, "Not A Real Film", 2001),
        (4, "The Matrix", None),
    ]
    assert all(row.reason for row in report.unmatched)


def test_hidden_films_do_not_match(alice):
    make_movie("Secret", year=2000, imdb_id="tt0000001", movielens_id=7, is_hidden=True)

    for file in (
        "Name,Year,Rating\nSecret,2000,4\n",
        "Const,Your Rating\ntt0000001,8\n",
        "movieId,rating\n7,4\n",
    ):
        report = report_for(file, alice)
        assert report.matched == []
        assert len(report.unmatched) == 1


def test_bad_rows_are_reported_per_line_and_the_rest_is_kept(catalog, alice):
    imdb = "Const,Your Rating,Title\ntt0133093,11,The Matrix\ntt0190332,8,Crouching Tiger\n"
    imdb += "nonsense,5,Odd\n,5,No id\ntt0190332,7.5,Half\n"
    report = report_for(imdb, alice)
    assert [str(row) for row in report.invalid] == [
        "line 2: rating '11' is not 1–10",
        "line 4: 'nonsense' is not an IMDb id",
        "line 5: no IMDb id (Const)",
        "line 6: rating '7.5' is not 1–10",
    ]
    assert matched(report) == {catalog["tiger"].pk: 4.0}

    letterboxd = "Name,Year,Rating\nThe Matrix,1999,five\n,1999,4\nThe Matrix,1999,5.5\n"
    letterboxd += "The Matrix,19x9,3\nThe Matrix,1999,\n"
    assert [str(row) for row in report_for(letterboxd, alice).invalid] == [
        "line 2: rating 'five' is not 0.5–5 in half stars",
        "line 3: no film name",
        "line 4: rating '5.5' is not 0.5–5 in half stars",
        "line 5: year '19x9' is not a year",
        "line 6: no rating",
    ]


def test_digits_that_are_not_ascii_are_reported_not_a_crash(catalog, alice):
    letterboxd = "Name,Year,Rating\nThe Matrix,¹⁹⁹⁹,3\n"
    movielens = "movieId,rating\n²,4\n"
    assert [str(row) for row in report_for(letterboxd, alice).invalid] == [
        "line 2: year '¹⁹⁹⁹' is not a year"
    ]
    assert [str(row) for row in report_for(movielens, alice).invalid] == [
        "line 2: movieId '²' is not a number"
    ]


def test_line_numbers_count_quoted_line_breaks(catalog, alice):
    file = 'Name,Year,Rating\n"The\nMatrix",1999,abc\nAmélie,2001,9\n'
    assert [row.line for row in report_for(file, alice).invalid] == [2, 4]


def test_a_film_twice_in_the_file_keeps_the_last_row(catalog, alice):
    file = 'Name,Year,Rating\nThe Matrix,1999,2\nAmélie,2001,3\n"Matrix, The",1999,4.5\n'

    report = report_for(file, alice)

    assert matched(report) == {catalog["matrix"].pk: 4.5, catalog["amelie"].pk: 3.0}
    [duplicate] = report.duplicates
    assert (duplicate.line, duplicate.kept_line) == (2, 4)


def test_conflicts_keep_the_members_rating_by_default(catalog, alice):
    Rating.objects.create(user=alice, movie=catalog["matrix"], value=3.0)
    Rating.objects.create(user=alice, movie=catalog["tiger"], value=4.5)
    report = report_for(LETTERBOXD_RATINGS, alice)
    assert [(row.movie.pk, row.existing, row.value) for row in report.conflicts] == [
        (catalog["matrix"].pk, 3.0, 5.0)
    ]

    result = apply(report, alice)

    assert result == ApplyResult(created=2, updated=0, unchanged=1, skipped=1)
    assert ratings_of(alice) == {
        catalog["matrix"].pk: 3.0,
        catalog["tiger"].pk: 4.5,
        catalog["amelie"].pk: 4.0,
        catalog["leon"].pk: 3.5,
    }


def test_overwrite_takes_the_files_rating(catalog, alice):
    Rating.objects.create(user=alice, movie=catalog["matrix"], value=3.0)
    report = report_for(LETTERBOXD_RATINGS, alice)

    result = apply(report, alice, conflict_policy="overwrite")

    assert result == ApplyResult(created=3, updated=1, unchanged=0, skipped=0)
    assert ratings_of(alice)[catalog["matrix"].pk] == 5.0
    assert Rating.objects.filter(user=alice).count() == 4


def test_an_unknown_conflict_policy_is_refused(catalog, alice):
    with pytest.raises(ValueError):
        apply(report_for(LETTERBOXD_RATINGS, alice), alice, conflict_policy="merge")


def test_importing_the_same_file_again_changes_nothing(catalog, alice):
    apply(report_for(LETTERBOXD_RATINGS, alice), alice, conflict_policy="overwrite")
    before = list(Rating.objects.filter(user=alice).values_list("movie_id", "value", "updated_at"))

    again = report_for(LETTERBOXD_RATINGS, alice)
    result = apply(again, alice, conflict_policy="overwrite")

    assert again.new == again.conflicts == []
    assert result == ApplyResult(created=0, updated=0, unchanged=4, skipped=0)
    after = list(Rating.objects.filter(user=alice).values_list("movie_id", "value", "updated_at"))
    assert sorted(after) == sorted(before)


def test_importing_touches_only_the_members_ratings(catalog, alice, bob):
    Rating.objects.create(user=bob, movie=catalog["matrix"], value=1.0)
    apply(report_for(LETTERBOXD_RATINGS, alice), alice, conflict_policy="overwrite")
    assert ratings_of(bob) == {catalog["matrix"].pk: 1.0}
    assert len(ratings_of(alice)) == 4


JSON_EXPORT = b'{"ratings": [{"title": "The Matrix", "rating": 5}]}'


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (PNG_BYTES, "not a CSV file"),
        (JSON_EXPORT, "JSON"),
        ("Name,Year,Rating\nAmélie,2001,4\n".encode("latin-1"), "line 2: the file is not UTF-8"),
        ("Name,Year,Rating\n".encode("utf-16"), "UTF-16"),
        (b"PK\x03\x04\x14\x00\x00\x00", "zip"),
        (b"Title,Director\nHeat,Michael Mann\n", "line 1: unrecognised columns (Title, Director)"),
        (b"", "empty"),
        (b"\xef\xbb\xbf\r\n  \n", "empty"),
        (b"Date,Name,Year,Letterboxd URI,Rating\n", "no rows"),
        (
            b'Name,Year,Rating\nUp,2009,4\n"Heat,1995,4\nAlien,1979,5\n',
            "line 3: this is not valid CSV",
        ),
    ],
    ids=["png", "json", "latin-1", "utf-16", "zip", "header", "empty", "blank", "no-rows", "quote"],
)
def test_unusable_files_are_refused_with_a_clear_message(alice, data, message):
    with pytest.raises(TransferError, match=re.escape(message)):
        report_for(data, alice)


def test_an_oversized_file_is_refused_naming_the_limit(alice):
    row = "2023-01-01,A film with a rather long title to fill the file,2000,,4\n"
    data = ("Date,Name,Year,Letterboxd URI,Rating\n" + row * 90_000).encode()
    assert len(data) > MAX_BYTES
    with pytest.raises(TransferError, match="the limit is 5 MB"):
        report_for(data, alice)


def test_too_many_rows_are_refused_naming_the_limit(alice):
    data = ("movieId,rating\n" + "1,4\n" * (MAX_ROWS + 1)).encode()
    with pytest.raises(TransferError, match=r"line 20002: .*more than 20,000 rows"):
        report_for(data, alice)
    exactly = ("movieId,rating\n" + "1,4\n" * MAX_ROWS).encode()
    assert len(report_for(exactly, alice).unmatched) == MAX_ROWS


def test_semicolon_separated_files_from_spreadsheets_work(catalog, alice):
    file = "Name;Year;Rating\nThe Matrix;1999;4,5\nAmélie;2001;4\n"
    report = report_for(file, alice)
    assert matched(report) == {catalog["amelie"].pk: 4.0}
    assert [str(row) for row in report.invalid] == [
        "line 2: rating '4,5' is not 0.5–5 in half stars"
    ]


def test_export_writes_ratings_and_lists_to_separate_letterboxd_files(catalog, alice, bob):
    catalog["matrix"].tmdb_id = 603
    catalog["matrix"].save()
    rating = Rating.objects.create(user=alice, movie=catalog["matrix"], value=4.5)
    ListEntry.objects.create(user=alice, movie=catalog["matrix"], kind="favorite")
    watchlisted = ListEntry.objects.create(user=alice, movie=catalog["amelie"], kind="watchlist")
    ListEntry.objects.create(user=alice, movie=catalog["leon"], kind="hidden")
    Rating.objects.create(user=bob, movie=catalog["leon"], value=1.0)

    files = {name: text.splitlines() for name, text in export_files(alice).items()}

    day = rating.rated_at.date().isoformat()
    assert files["ratings.csv"] == [
        "Date,Name,Year,Letterboxd URI,Rating,imdbID,tmdbID",
        f"{day},The Matrix,1999,,4.5,tt0133093,603",
    ]
    assert files["watchlist.csv"] == [
        "Date,Name,Year,Letterboxd URI,imdbID,tmdbID",
        f"{watchlisted.created_at.date().isoformat()},Amelie,2001,,,",
    ]
    assert [line.split(",")[1] for line in files["likes/films.csv"][1:]] == ["The Matrix"]
    assert [line.split(",")[1] for line in files["not-interested.csv"][1:]] == [
        "Léon: The Professional"
    ]
    assert files["diary.csv"] == [
        "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date,imdbID,tmdbID,Private Note"
    ]


def test_export_defuses_spreadsheet_formulas(alice):
    for title in ("=HYPERLINK(1)", "+1", "-1", "@SUM(A1)"):
        Rating.objects.create(user=alice, movie=make_movie(title, year=2001), value=3.0)

    names = [line.split(",")[1] for line in export_files(alice)["ratings.csv"].splitlines()[1:]]

    assert sorted(names) == ["'+1", "'-1", "'=HYPERLINK(1)", "'@SUM(A1)"]


def test_an_export_imported_gives_back_the_same_ratings_and_watchlist(catalog, alice, bob):
    formula = make_movie("=Cursed", year=2010)
    ratings = {
        catalog["matrix"].pk: 5.0,
        catalog["tiger"].pk: 0.5,
        catalog["amelie"].pk: 3.5,
        catalog["leon"].pk: 2.0,
        formula.pk: 1.5,
    }
    for movie_id, value in ratings.items():
        Rating.objects.create(user=alice, movie_id=movie_id, value=value)
    listed = make_movie("Only Listed")
    ListEntry.objects.create(user=alice, movie=listed, kind="watchlist")

    report = report_for(export_zip(alice), bob)
    apply(report, bob)

    assert ratings_of(bob) == ratings
    assert list(ListEntry.objects.filter(user=bob).values_list("movie_id", "kind")) == [
        (listed.pk, "watchlist")
    ]
    assert report.invalid == []


def test_a_pending_import_is_rebuilt_for_its_owner_only(catalog, alice, bob):
    report = report_for(LETTERBOXD_RATINGS + "2023-04-01,Unknown,1990,,2\n", alice)
    pending = report.to_pending(alice)
    catalog["leon"].is_hidden = True
    catalog["leon"].save()
    Rating.objects.create(user=alice, movie=catalog["amelie"], value=1.0)

    rebuilt = ImportReport.from_pending(pending, alice)

    assert matched(rebuilt) == {
        catalog["matrix"].pk: 5.0,
        catalog["tiger"].pk: 4.5,
        catalog["amelie"].pk: 4.0,
    }
    assert [row.movie.pk for row in rebuilt.conflicts] == [catalog["amelie"].pk]
    assert [row.line for row in rebuilt.unmatched] == [5, 6]
    assert rebuilt.unmatched_count == 2
    assert ImportReport.from_pending(pending, bob) is None
    assert ImportReport.from_pending({**pending, "rows": "junk"}, alice) is None
    assert ImportReport.from_pending(None, alice) is None


def test_a_pending_import_keeps_long_problem_lists_short(alice):
    file = "Name,Year,Rating\n" + "Nothing,2000,4\n" * 400 + ",2000,4\n" * 350
    pending = report_for(file, alice).to_pending(alice)

    rebuilt = ImportReport.from_pending(pending, alice)

    assert len(rebuilt.unmatched) == len(rebuilt.invalid) == PENDING_LIST_LIMIT
    assert (rebuilt.unmatched_count, rebuilt.invalid_count) == (400, 350)


@pytest.mark.parametrize("count", [3, 30])
def test_matching_applying_and_exporting_run_a_constant_number_of_queries(
    alice, django_assert_num_queries, count
):
    movies = [
        make_movie(f"Film {i}", year=1990 + i % 7, imdb_id=f"tt{9_000_000 + i:07d}")
        for i in range(count)
    ]
    by_title = "Name,Year,Rating\n" + "".join(f"{m.title},{m.year},4\n" for m in movies)
    by_id = "Const,Your Rating\n" + "".join(f"{m.imdb_id},7\n" for m in movies)
    by_movielens = "movieId,rating\n" + "".join(f"{m.movielens_id},2\n" for m in movies)
    Rating.objects.create(user=alice, movie=movies[0], value=1.0)

    # Title candidates, the member's ratings.
    with django_assert_num_queries(2):
        title_report = report_for(by_title, alice)
    # Films by IMDb id, the member's ratings.
    with django_assert_num_queries(2):
        report_for(by_id, alice)
    with django_assert_num_queries(2):
        movielens_report = report_for(by_movielens, alice)
    assert len(title_report.matched) == len(movielens_report.matched) == count
    # Savepoint, the member's ratings, one insert; the films' figures (the prior,
    # lock the films, members' ratings of them, one update); release.
    with django_assert_num_queries(8):
        apply(movielens_report, alice, conflict_policy="overwrite")
    for movie in movies[:2]:
        ListEntry.objects.create(user=alice, movie=movie, kind="favorite")
    # Ratings, diary, and one query for each of the three lists.
    with django_assert_num_queries(5):
        export_zip(alice)
