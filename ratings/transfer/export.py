"""A member's films as Letterboxd's export zip: ratings, diary and watchlist as separate files.

Each file has Letterboxd's own columns (its importer reads them) plus the
film's IMDb and TMDB ids, which its importer also reads and which match
exactly. Dates are the real ones: when a film was rated, when it was watched.
"""

import csv
import io
import zipfile

from django.utils import timezone

from ratings.models import DiaryEntry, ListEntry, Rating
from ratings.transfer.formats import FORMULA_PREFIXES

FILM_COLUMNS = ["Name", "Year", "Letterboxd URI"]
ID_COLUMNS = ["imdbID", "tmdbID"]
RATINGS_HEADER = ["Date", *FILM_COLUMNS, "Rating", *ID_COLUMNS]
DIARY_HEADER = [
    "Date",
    *FILM_COLUMNS,
    "Rating",
    "Rewatch",
    "Tags",
    "Watched Date",
    *ID_COLUMNS,
    "Private Note",
]
LISTED_HEADER = ["Date", *FILM_COLUMNS, *ID_COLUMNS]
# Letterboxd keeps liked films in likes/films.csv; "not interested" is NextFilms's own.
LIST_FILES = {
    ListEntry.Kind.WATCHLIST: "watchlist.csv",
    ListEntry.Kind.FAVORITE: "likes/films.csv",
    ListEntry.Kind.NOT_INTERESTED: "not-interested.csv",
}


def export_files(user):
    """``{file name: CSV text}`` of everything ``user`` rated, logged and listed."""
    files = {
        "ratings.csv": _csv(RATINGS_HEADER, ratings_rows(user)),
        "diary.csv": _csv(DIARY_HEADER, diary_rows(user)),
    }
    for kind, name in LIST_FILES.items():
        files[name] = _csv(LISTED_HEADER, listed_rows(user, kind))
    return files


def export_zip(user):
    """``export_files`` as the bytes of one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in export_files(user).items():
            archive.writestr(name, text)
    return buffer.getvalue()


def ratings_rows(user):
    ratings = Rating.objects.filter(user=user).select_related("movie")
    return [
        [_day(rating.rated_at), *_film(rating.movie), f"{rating.value:g}", *_ids(rating.movie)]
        for rating in ratings.order_by("rated_at", "id")
    ]


def diary_rows(user):
    entries = DiaryEntry.objects.filter(user=user).select_related("movie")
    return [
        [
            _day(entry.created_at),
            *_film(entry.movie),
            f"{entry.rating:g}" if entry.rating is not None else "",
            "Yes" if entry.rewatch else "",
            "",
            entry.watched_on.isoformat(),
            *_ids(entry.movie),
            _formula_safe(entry.note),
        ]
        for entry in entries.order_by("watched_on", "created_at", "id")
    ]


def listed_rows(user, kind):
    entries = ListEntry.objects.filter(user=user, kind=kind).select_related("movie")
    return [
        [_day(entry.created_at), *_film(entry.movie), *_ids(entry.movie)]
        for entry in entries.order_by("created_at", "id")
    ]


def _csv(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _day(moment):
    return timezone.localtime(moment).date().isoformat()


def _film(movie):
    return [_formula_safe(movie.title), movie.year or "", ""]


def _ids(movie):
    return [movie.imdb_id, movie.tmdb_id or ""]


def _formula_safe(text):
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text
