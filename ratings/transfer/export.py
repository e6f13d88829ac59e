"""A member's rated and listed films as CSV that Letterboxd's importer reads."""

import csv
import io

from django.utils import timezone

from ratings.models import ListEntry, Rating
from ratings.transfer.formats import FORMULA_PREFIXES

EXPORT_HEADER = [
    "Date",
    "Name",
    "Year",
    "Letterboxd URI",
    "Rating",
    "imdbID",
    "tmdbID",
    "Favorite",
    "Watchlist",
    "Not Interested",
]


def export(user):
    """``user``'s rated and listed films as CSV text Letterboxd's importer accepts."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPORT_HEADER)
    writer.writerows(export_rows(user))
    return buffer.getvalue()


def export_rows(user):
    """One row per film ``user`` rated or put on a list, in title order (two queries)."""
    films = {}
    for rating in Rating.objects.filter(user=user).select_related("movie").order_by():
        film = films.setdefault(rating.movie_id, _ExportFilm(rating.movie))
        film.rating = rating.value
        film.date = rating.updated_at
    for entry in ListEntry.objects.filter(user=user).select_related("movie").order_by():
        film = films.setdefault(entry.movie_id, _ExportFilm(entry.movie))
        film.lists.add(entry.kind)
        if film.rating is None and (film.date is None or entry.created_at < film.date):
            film.date = entry.created_at
    ordered = sorted(
        films.values(),
        key=lambda film: (film.movie.title.lower(), film.movie.year or 0, film.movie.pk),
    )
    return [film.row() for film in ordered]


class _ExportFilm:
    def __init__(self, movie):
        self.movie = movie
        self.rating = None
        self.date = None
        self.lists = set()

    def row(self):
        movie = self.movie
        return [
            timezone.localtime(self.date).date().isoformat() if self.date else "",
            _formula_safe(movie.title),
            movie.year or "",
            "",
            f"{self.rating:g}" if self.rating is not None else "",
            movie.imdb_id,
            movie.tmdb_id or "",
            _flag(ListEntry.Kind.FAVORITE in self.lists),
            _flag(ListEntry.Kind.WATCHLIST in self.lists),
            _flag(ListEntry.Kind.NOT_INTERESTED in self.lists),
        ]


def _flag(on):
    return "true" if on else "false"


def _formula_safe(text):
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text
