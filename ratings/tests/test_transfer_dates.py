"""Imports keep their dates and the diary; Letterboxd's export zip comes in whole."""

import datetime
import io
import zipfile

import pytest
from django.db import IntegrityError
from django.utils import timezone

from catalog.tests.factories import make_movie
from ratings import diary
from ratings.models import DiaryEntry, ListEntry, Rating
from ratings.transfer.apply import apply
from ratings.transfer.export import export_zip
from ratings.transfer.formats import (
    LETTERBOXD_DIARY,
    LETTERBOXD_WATCHED,
    LETTERBOXD_WATCHLIST,
    LETTERBOXD_ZIP,
    TransferError,
    read_ratings_file,
)
from ratings.transfer.matching import build_report
from ratings.transfer.report import ImportReport, WatchRow

pytestmark = pytest.mark.django_db

RATINGS = """\
Date,Name,Year,Letterboxd URI,Rating
2021-06-01,Heat,1995,https://boxd.it/a,4.5
2022-02-02,Alien,1979,https://boxd.it/b,5
"""
DIARY = """\
Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date
2020-01-03,Heat,1995,https://boxd.it/a1,4,,,2020-01-02
2021-06-01,Heat,1995,https://boxd.it/a2,4.5,Yes,,2021-05-31
2021-07-01,Up,2009,https://boxd.it/c1,,,,2021-06-30
"""
WATCHED = """\
Date,Name,Year,Letterboxd URI
2019-09-09,Heat,1995,https://boxd.it/a
2019-09-10,Alien,1979,https://boxd.it/b
"""
WATCHLIST = """\
Date,Name,Year,Letterboxd URI
2023-03-03,Vertigo,1958,https://boxd.it/d
2023-03-04,Alien,1979,https://boxd.it/b
"""


@pytest.fixture
def films():
    return {
        title: make_movie(title, year=year)
        for title, year in [("Heat", 1995), ("Alien", 1979), ("Up", 2009), ("Vertigo", 1958)]
    }


def zipped(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def imported(data, user, filename=""):
    report = build_report(read_ratings_file(data, filename), user)
    # Through the session's form, as the confirm step rebuilds it.
    report = ImportReport.from_pending(report.to_pending(user), user)
    return report, apply(report, user, conflict_policy="overwrite")


def day_of(moment):
    return timezone.localtime(moment).date()


def watches(user):
    return sorted(
        DiaryEntry.objects.filter(user=user).values_list(
            "movie__title", "watched_on", "rating", "rewatch"
        ),
        key=lambda row: (row[1], row[0]),
    )


def test_letterboxd_ratings_keep_their_dates(alice, films):
    imported(RATINGS.encode(), alice)
    dates = {r.movie.title: day_of(r.rated_at) for r in Rating.objects.select_related("movie")}
    assert dates == {"Heat": datetime.date(2021, 6, 1), "Alien": datetime.date(2022, 2, 2)}


def test_a_letterboxd_diary_logs_each_watch_and_rates_from_the_latest(alice, films):
    report, result = imported(DIARY.encode(), alice, "diary.csv")

    assert report.format == LETTERBOXD_DIARY
    assert watches(alice) == [
        ("Heat", datetime.date(2020, 1, 2), 4.0, False),
        ("Heat", datetime.date(2021, 5, 31), 4.5, True),
        ("Up", datetime.date(2021, 6, 30), None, False),
    ]
    rating = Rating.objects.get(user=alice)
    assert (rating.movie, rating.value, day_of(rating.rated_at)) == (
        films["Heat"],
        4.5,
        datetime.date(2021, 5, 31),
    )
    assert (result.watches, result.created) == (3, 1)


def test_importing_a_diary_twice_logs_nothing_new(alice, films):
    imported(DIARY.encode(), alice, "diary.csv")
    report, result = imported(DIARY.encode(), alice, "diary.csv")
    assert (len(report.new_watches), result.watches) == (0, 0)
    assert DiaryEntry.objects.count() == 3


def test_watched_and_watchlist_files_are_told_apart_by_name(alice, films):
    assert read_ratings_file(WATCHED.encode(), "watched.csv").format == LETTERBOXD_WATCHED
    assert read_ratings_file(WATCHLIST.encode(), "watchlist.csv").format == LETTERBOXD_WATCHLIST


def test_the_whole_letterboxd_zip_comes_in_at_once(alice, films):
    data = zipped(
        {
            "ratings.csv": RATINGS,
            "diary.csv": DIARY,
            "watched.csv": WATCHED,
            "watchlist.csv": WATCHLIST,
            "profile.csv": "Date Joined,Username\n2019-01-01,alice\n",
            "deleted/diary.csv": DIARY.replace("Up,2009", "Vertigo,1958"),
        }
    )

    report, result = imported(data, alice)

    assert report.format == LETTERBOXD_ZIP
    # Ratings from ratings.csv; Alien, marked watched, joins the diary on its day;
    # Heat is in the diary already; Alien is seen, so it stays off the watchlist.
    assert {r.movie.title: r.value for r in Rating.objects.select_related("movie")} == {
        "Heat": 4.5,
        "Alien": 5.0,
    }
    assert watches(alice) == [
        ("Alien", datetime.date(2019, 9, 10), None, False),
        ("Heat", datetime.date(2020, 1, 2), 4.0, False),
        ("Heat", datetime.date(2021, 5, 31), 4.5, True),
        ("Up", datetime.date(2021, 6, 30), None, False),
    ]
    assert list(ListEntry.objects.values_list("movie__title", "kind")) == [("Vertigo", "watchlist")]
    assert (result.watches, result.watchlist) == (4, 1)


def test_imdb_date_rated_and_movielens_timestamps_become_the_ratings_dates(alice):
    matrix = make_movie("The Matrix", year=1999, imdb_id="tt0133093")
    toy_story = make_movie("Toy Story", year=1995, movielens_id=1)

    imported(b"Const,Your Rating,Date Rated,Title\ntt0133093,8,2019-05-01,The Matrix\n", alice)
    imported(b"userId,movieId,rating,timestamp\n7,1,4.0,964982703\n", alice)

    dates = {r.movie_id: day_of(r.rated_at) for r in Rating.objects.all()}
    assert dates == {matrix.pk: datetime.date(2019, 5, 1), toy_story.pk: datetime.date(2000, 7, 30)}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04garbage", "The zip file cannot be opened"),
        (zipped({"profile.csv": "a,b\n1,2\n"}), "holds none of Letterboxd's ratings.csv"),
        (zipped({"diary.csv": "Title,Director\nHeat,Mann\n"}), "diary.csv: line 1: unrecognised"),
        (zipped({"ratings.csv": WATCHED}), "ratings.csv: its columns are not those"),
    ],
)
def test_a_bad_zip_is_refused_with_a_clear_message(alice, data, message):
    with pytest.raises(TransferError, match=message):
        read_ratings_file(data)


def test_bad_dates_are_named_by_line_and_the_rest_is_imported(alice, films):
    report = build_report(
        read_ratings_file(
            b"Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n"
            b"2020-01-01,Heat,1995,,4,,,31/12/2019\n"
            b"2020-01-01,Alien,1979,,5,,,2019-12-30\n"
        ),
        alice,
    )
    assert [str(row) for row in report.invalid] == [
        "line 2: Watched Date '31/12/2019' is not a date (YYYY-MM-DD)"
    ]
    assert [row.movie.title for row in report.watches] == ["Alien"]


def test_a_failing_import_saves_nothing_and_keeps_what_was_there(alice, films):
    diary.log_watch(alice, films["Up"], datetime.date(2020, 1, 1), rating=3.0)
    report = build_report(read_ratings_file(RATINGS.encode()), alice)
    # A watch the database refuses, saved after the ratings: the ratings go too.
    report.watches.append(WatchRow(9, films["Vertigo"], datetime.date(2020, 2, 2), value=4.2))

    with pytest.raises(IntegrityError):
        apply(report, alice)

    assert watches(alice) == [("Up", datetime.date(2020, 1, 1), 3.0, False)]
    assert list(Rating.objects.filter(user=alice).values_list("value", flat=True)) == [3.0]


def test_an_exported_diary_comes_back_with_its_days_ratings_and_rewatches(alice, bob, films):
    diary.log_watch(alice, films["Heat"], datetime.date(2020, 1, 2), rating=4.0)
    diary.log_watch(alice, films["Heat"], datetime.date(2021, 5, 31), rating=4.5)
    diary.log_watch(alice, films["Up"], datetime.date(2021, 6, 30), note="=SUM(1)")

    imported(export_zip(alice), bob)

    assert watches(bob) == watches(alice)
    assert DiaryEntry.objects.get(user=bob, movie=films["Up"]).note == "=SUM(1)"
    assert Rating.objects.get(user=bob).value == 4.5
