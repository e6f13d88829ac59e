"""The one report type of an import: what importing a file would do, and what it did.

The report is kept between preview and confirm as ids and values only
(``ImportReport.to_pending``) and rebuilt from today's catalog and ratings.
"""

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from catalog.models import Movie
from ratings.models import DiaryEntry, ListEntry, Rating
from ratings.transfer.formats import FORMAT_LABELS, VALID_STARS, InvalidRow

# How much of the unmatched, invalid and duplicate rows the pending import keeps
# for the preview: the counts stay exact, the lists are for reading.
PENDING_LIST_LIMIT = 300
PENDING_VERSION = 2
MOVIE_FIELDS = ("id", "title", "movielens_title", "year", "imdb_id", "tmdb_id", "movielens_id")


@dataclass(frozen=True)
class MatchedRow:
    line: int
    movie: Movie
    value: float
    existing: float | None = None
    rated_on: datetime.date | None = None

    @property
    def is_new(self):
        return self.existing is None

    @property
    def is_unchanged(self):
        return self.existing == self.value

    @property
    def is_conflict(self):
        return self.existing is not None and self.existing != self.value


@dataclass(frozen=True)
class WatchRow:
    """A watch for the diary; ``is_logged`` if the member's diary has the film on that day."""

    line: int
    movie: Movie
    watched_on: datetime.date
    value: float | None = None
    rewatch: bool = False
    is_logged: bool = False
    note: str = ""


@dataclass(frozen=True)
class WatchlistRow:
    line: int
    movie: Movie
    is_listed: bool = False


@dataclass(frozen=True)
class UnmatchedRow:
    line: int
    title: str
    year: int | None
    reason: str


@dataclass(frozen=True)
class DuplicateRow:
    """A row that names the same film as a later row, which wins."""

    line: int
    kept_line: int
    title: str


@dataclass
class ImportReport:
    """What importing a file would do; the ``*_count`` fields count rows not listed."""

    format: str
    matched: list[MatchedRow] = field(default_factory=list)
    unmatched: list[UnmatchedRow] = field(default_factory=list)
    invalid: list[InvalidRow] = field(default_factory=list)
    duplicates: list[DuplicateRow] = field(default_factory=list)
    watches: list[WatchRow] = field(default_factory=list)
    watchlist: list[WatchlistRow] = field(default_factory=list)
    unmatched_count: int | None = None
    invalid_count: int | None = None
    duplicate_count: int | None = None

    def __post_init__(self):
        if self.unmatched_count is None:
            self.unmatched_count = len(self.unmatched)
        if self.invalid_count is None:
            self.invalid_count = len(self.invalid)
        if self.duplicate_count is None:
            self.duplicate_count = len(self.duplicates)

    @property
    def format_label(self):
        return FORMAT_LABELS[self.format]

    @property
    def new(self):
        return [row for row in self.matched if row.is_new]

    @property
    def unchanged(self):
        return [row for row in self.matched if row.is_unchanged]

    @property
    def conflicts(self):
        return [row for row in self.matched if row.is_conflict]

    @property
    def new_watches(self):
        return [row for row in self.watches if not row.is_logged]

    @property
    def new_watchlist(self):
        return [row for row in self.watchlist if not row.is_listed]

    @property
    def has_changes(self):
        return bool(self.matched or self.new_watches or self.new_watchlist)

    def to_pending(self, user):
        """A small JSON-ready summary to keep between preview and confirm (no model objects)."""
        return {
            "version": PENDING_VERSION,
            "user": user.pk,
            "format": self.format,
            "rows": [
                [row.movie.pk, row.value, row.line, _iso(row.rated_on)] for row in self.matched
            ],
            "watches": [
                [
                    row.movie.pk,
                    row.watched_on.isoformat(),
                    row.value,
                    row.rewatch,
                    row.line,
                    row.note,
                ]
                for row in self.watches
            ],
            "watchlist": [[row.movie.pk, row.line] for row in self.watchlist],
            "unmatched": [
                [row.line, row.title, row.year, row.reason]
                for row in self.unmatched[:PENDING_LIST_LIMIT]
            ],
            "unmatched_count": self.unmatched_count,
            "invalid": [[row.line, row.reason] for row in self.invalid[:PENDING_LIST_LIMIT]],
            "invalid_count": self.invalid_count,
            "duplicates": [
                [row.line, row.kept_line, row.title] for row in self.duplicates[:PENDING_LIST_LIMIT]
            ],
            "duplicate_count": self.duplicate_count,
        }

    @classmethod
    def from_pending(cls, pending, user):
        """Rebuild the report from ``to_pending`` with today's catalog and ratings.

        Returns ``None`` when there is nothing usable: no pending import, one of
        another member, or one saved by an older version of this code.
        """
        if not isinstance(pending, dict) or pending.get("version") != PENDING_VERSION:
            return None
        if pending.get("user") != user.pk or pending.get("format") not in FORMAT_LABELS:
            return None
        try:
            rows = [
                (int(movie_id), float(value), int(line), _day(rated_on))
                for movie_id, value, line, rated_on in pending["rows"]
            ]
            watches = [
                (
                    int(movie_id),
                    datetime.date.fromisoformat(watched_on),
                    None if value is None else float(value),
                    bool(rewatch),
                    int(line),
                    str(note),
                )
                for movie_id, watched_on, value, rewatch, line, note in pending["watches"]
            ]
            watchlist = [(int(movie_id), int(line)) for movie_id, line in pending["watchlist"]]
            report = cls(
                format=pending["format"],
                unmatched=[UnmatchedRow(*row) for row in pending["unmatched"]],
                unmatched_count=int(pending["unmatched_count"]),
                invalid=[InvalidRow(*row) for row in pending["invalid"]],
                invalid_count=int(pending["invalid_count"]),
                duplicates=[DuplicateRow(*row) for row in pending["duplicates"]],
                duplicate_count=int(pending["duplicate_count"]),
            )
        except (KeyError, TypeError, ValueError):
            return None
        movies = (
            Movie.objects.visible()
            .only(*MOVIE_FIELDS)
            .in_bulk({row[0] for row in rows + watches + watchlist})
        )
        existing = existing_ratings(user)
        state = MemberFilms(user)

        def found(movie_id, line):
            movie = movies.get(movie_id)
            if movie is None:
                report.unmatched.append(
                    UnmatchedRow(line, f"film #{movie_id}", None, "no longer in the catalog")
                )
                report.unmatched_count += 1
            return movie

        for movie_id, value, line, rated_on in rows:
            movie = found(movie_id, line)
            if movie is not None and value in VALID_STARS:
                report.matched.append(
                    MatchedRow(line, movie, value, existing.get(movie_id), rated_on)
                )
        for movie_id, watched_on, value, rewatch, line, note in watches:
            movie = found(movie_id, line)
            if movie is not None and (value is None or value in VALID_STARS):
                report.watches.append(
                    state.watch_row(line, movie, watched_on, value, rewatch, note)
                )
        for movie_id, line in watchlist:
            movie = found(movie_id, line)
            if movie is not None:
                report.watchlist.append(state.watchlist_row(line, movie))
        report.unmatched.sort(key=lambda row: row.line)
        return report


@dataclass(frozen=True)
class ApplyResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    watches: int = 0
    watchlist: int = 0


def existing_ratings(user):
    return dict(Rating.objects.filter(user=user).order_by().values_list("movie_id", "value"))


def logged_days(user):
    """``{(movie id, day)}`` of the member's diary."""
    return set(
        DiaryEntry.objects.filter(user=user).order_by().values_list("movie_id", "watched_on")
    )


class MemberFilms:
    """What the member's diary and watchlist already hold, read only if a file asks."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def days(self):
        return logged_days(self.user)

    @cached_property
    def logged(self):
        return {movie_id for movie_id, _ in self.days}

    @cached_property
    def listed(self):
        entries = ListEntry.objects.filter(user=self.user, kind=ListEntry.Kind.WATCHLIST)
        return set(entries.order_by().values_list("movie_id", flat=True))

    def watch_row(self, line, movie, watched_on, value, rewatch, note=""):
        is_logged = (movie.pk, watched_on) in self.days
        return WatchRow(line, movie, watched_on, value, rewatch, is_logged, note)

    def watchlist_row(self, line, movie):
        return WatchlistRow(line, movie, movie.pk in self.listed)


def _iso(day):
    return day.isoformat() if day else None


def _day(text):
    return datetime.date.fromisoformat(text) if text else None
