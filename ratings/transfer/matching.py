"""Matching a file's rows to catalog films: by MovieLens, TMDB or IMDb id, else title and year.

A few queries for the whole file, whatever its length.
"""

from django.db.models import Q
from django.utils import timezone

from catalog.models import Movie
from catalog.text import display_title, normalize, split_alternative_titles, split_title_year
from ratings.transfer.formats import FileRow
from ratings.transfer.report import (
    MOVIE_FIELDS,
    DuplicateRow,
    ImportReport,
    MatchedRow,
    MemberFilms,
    UnmatchedRow,
    existing_ratings,
)


def build_report(parsed, user):
    """Match the file's rows to catalog films and compare with ``user``'s films.

    Ratings come from the rating rows; a diary without them (Letterboxd's
    ``diary.csv`` alone) gives each film the rating of its latest rated watch.
    A film marked watched becomes a diary entry on that day unless the diary
    (the member's or the file's) already has it.
    """
    matcher = CatalogMatcher(parsed.rows + parsed.watches + parsed.watched + parsed.watchlist)
    existing = existing_ratings(user)
    state = MemberFilms(user)
    unmatched = []

    def matched_movie(row):
        movie, reason = matcher.match(row)
        if movie is None:
            reason = f"{row.source}: {reason}" if row.source else reason
            unmatched.append(UnmatchedRow(row.line, row.label, row.year, reason))
        return movie

    chosen, duplicates = {}, []
    for row in parsed.rows:
        movie = matched_movie(row)
        if movie is None:
            continue
        earlier = chosen.get(movie.pk)
        if earlier is not None:
            duplicates.append(DuplicateRow(earlier[1].line, row.line, row.label))
        chosen[movie.pk] = (movie, row)

    watches = []
    for row in parsed.watches:
        movie = matched_movie(row)
        if movie is not None:
            watches.append(
                state.watch_row(row.line, movie, row.date, row.value, row.rewatch, row.note)
            )
    if not parsed.rows:
        for watch in sorted(watches, key=lambda watch: watch.watched_on):
            if watch.value is not None:
                chosen[watch.movie.pk] = (watch.movie, _rating_of(watch))
    in_file_diary = {watch.movie.pk for watch in watches}
    for row in parsed.watched:
        movie = matched_movie(row)
        if movie is None or movie.pk in in_file_diary or movie.pk in state.logged:
            continue
        in_file_diary.add(movie.pk)
        watched_on = row.date or timezone.localdate()
        watches.append(state.watch_row(row.line, movie, watched_on, None, False))

    watchlist = []
    for row in parsed.watchlist:
        movie = matched_movie(row)
        if movie is not None:
            watchlist.append(state.watchlist_row(row.line, movie))

    matched = [
        MatchedRow(row.line, movie, row.value, existing.get(movie.pk), row.date)
        for movie, row in chosen.values()
    ]
    return ImportReport(
        format=parsed.format,
        matched=sorted(matched, key=lambda row: row.line),
        unmatched=unmatched,
        invalid=list(parsed.invalid),
        duplicates=duplicates,
        watches=sorted(watches, key=lambda watch: (watch.watched_on, watch.line)),
        watchlist=watchlist,
    )


def _rating_of(watch):
    return FileRow(line=watch.line, value=watch.value, date=watch.watched_on)


class CatalogMatcher:
    """Finds each row's film with a few queries for the whole file, not one per row."""

    def __init__(self, rows):
        self.movies = {}
        visible = Movie.objects.visible().only(*MOVIE_FIELDS).order_by()
        self.by_movielens_id = self._fetch(
            visible, "movielens_id", {row.movielens_id for row in rows if row.movielens_id}
        )
        self.by_imdb_id = self._fetch(
            visible, "imdb_id", {row.imdb_id for row in rows if row.imdb_id}
        )
        self.by_tmdb_id = self._fetch(
            visible, "tmdb_id", {row.tmdb_id for row in rows if row.tmdb_id}
        )
        self.primary_titles, self.alternative_titles = {}, {}
        titled = [row for row in rows if row.title and row.movielens_id is None]
        if titled:
            self._index_titles(visible, titled)

    def _fetch(self, visible, field_name, values):
        """``{value: [movies]}`` for the films whose ``field_name`` is one of ``values``."""
        found = {}
        if not values:
            return found
        for movie in visible.filter(**{f"{field_name}__in": values}):
            self.movies[movie.pk] = movie
            found.setdefault(getattr(movie, field_name), []).append(movie)
        return found

    def _index_titles(self, visible, rows):
        years = {row.year + offset for row in rows if row.year for offset in (-1, 0, 1)}
        wanted = Q(year__in=years)
        if any(row.year is None for row in rows):
            wanted |= Q(year__isnull=True)
        for movie in visible.filter(wanted):
            self.movies.setdefault(movie.pk, movie)
            primary, alternatives = _title_keys(movie)
            for key in primary:
                self.primary_titles.setdefault((key, movie.year), set()).add(movie.pk)
            for key in alternatives - primary:
                self.alternative_titles.setdefault((key, movie.year), set()).add(movie.pk)

    def match(self, row):
        """Return ``(movie, None)`` or ``(None, reason)``."""
        if row.movielens_id is not None:
            return self._only(
                self.by_movielens_id.get(row.movielens_id, []),
                f"no film with MovieLens id {row.movielens_id} in the catalog",
            )
        for index, key in ((self.by_imdb_id, row.imdb_id), (self.by_tmdb_id, row.tmdb_id)):
            if key and key in index:
                return self._only(index[key], "")
        movie, reason = self._match_title(row) if row.title else (None, "")
        if movie is None and row.imdb_id:
            reason = f"{row.imdb_id} is not in the catalog"
        return movie, reason

    @staticmethod
    def _only(movies, missing_reason):
        if len(movies) == 1:
            return movies[0], None
        if not movies:
            return None, missing_reason
        return None, f"{len(movies)} films in the catalog share this id"

    def _match_title(self, row):
        key = normalize(row.title)
        if not key:
            return None, "no film with this title in the catalog"

        def allowed(movie_id):
            # A catalog film with another IMDb/TMDB id than the row's is another film.
            movie = self.movies[movie_id]
            if row.imdb_id and movie.imdb_id:
                return False
            return not (row.tmdb_id and movie.tmdb_id)

        if row.year is None:
            searches = [(self.primary_titles, [None]), (self.alternative_titles, [None])]
        else:
            exact, near = [row.year], [row.year - 1, row.year + 1]
            searches = [
                (self.primary_titles, exact),
                (self.alternative_titles, exact),
                (self.primary_titles, near),
                (self.alternative_titles, near),
            ]
        for index, years in searches:
            found = {
                movie_id
                for year in years
                for movie_id in index.get((key, year), ())
                if allowed(movie_id)
            }
            if len(found) == 1:
                return self.movies[found.pop()], None
            if found:
                return None, f"{len(found)} films in the catalog have this title and year"
        if row.year is None:
            return None, "no year given, and no undated film has this title"
        return None, "no film with this title and year (±1) in the catalog"


def _title_keys(movie):
    """Normalized names of a catalog film: ``(main titles, alternative titles)``.

    MovieLens writes ``"Léon: The Professional (a.k.a. The Professional) (Léon)"``:
    the main title is the part before the trailing parentheses, each parenthesis
    is an alternative title (possibly with its article moved to the end).
    """
    base, _ = split_title_year(movie.movielens_title or movie.title)
    main, alternatives = split_alternative_titles(base)
    primary = {normalize(name) for name in (movie.title, base, main, display_title(main))}
    secondary = {normalize(name) for alt in alternatives for name in (alt, display_title(alt))}
    primary.discard("")
    secondary.discard("")
    return primary, secondary
