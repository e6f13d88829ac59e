"""Move a member's ratings in and out: Letterboxd, IMDb and MovieLens-style CSV files.

Importing is two steps so nothing changes until the member has seen what will
happen: ``read_ratings_file`` parses the upload and ``build_report`` matches it
against the catalog (a constant number of queries, whatever the file's length);
the member reads the report, then ``apply`` writes it in one transaction.
``export`` writes the member's films in a layout Letterboxd's importer reads.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from catalog.models import Movie
from catalog.text import (
    display_title,
    normalize,
    parse_whole_number,
    split_alternative_titles,
    split_title_year,
)
from ratings.aggregates import refresh_films
from ratings.models import HALF_STARS, ListEntry, Rating

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000

LETTERBOXD = "letterboxd"
IMDB = "imdb"
MOVIELENS = "movielens"
FORMAT_LABELS = {
    LETTERBOXD: "Letterboxd ratings",
    IMDB: "IMDb ratings",
    MOVIELENS: "MovieLens-style ratings",
}

KEEP = "keep"
OVERWRITE = "overwrite"
CONFLICT_POLICIES = (KEEP, OVERWRITE)

# How much of the unmatched, invalid and duplicate rows the pending import keeps
# for the preview: the counts stay exact, the lists are for reading.
PENDING_LIST_LIMIT = 300
PENDING_VERSION = 1

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
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_VALID_STARS = frozenset(HALF_STARS)
_IMDB_ID = re.compile(r"^(?:tt)?(\d{1,10})$")
_MOVIE_FIELDS = ("id", "title", "movielens_title", "year", "imdb_id", "tmdb_id", "movielens_id")
_BULK_BATCH = 1_000


class TransferError(Exception):
    """The file cannot be imported at all; the message says why, and where."""


class _RowError(Exception):
    """One row cannot be imported; the rest of the file can."""


@dataclass(frozen=True)
class FileRow:
    """A valid row of an import file: a rating and what identifies the film."""

    line: int
    value: float
    title: str = ""
    year: int | None = None
    imdb_id: str = ""
    tmdb_id: int | None = None
    movielens_id: int | None = None

    @property
    def label(self):
        """What the member would call this film."""
        if self.title:
            return self.title
        if self.imdb_id:
            return self.imdb_id
        return f"MovieLens film {self.movielens_id}"


@dataclass(frozen=True)
class ParsedFile:
    format: str
    rows: list[FileRow]
    invalid: list["InvalidRow"]


@dataclass(frozen=True)
class MatchedRow:
    line: int
    movie: Movie
    value: float
    existing: float | None = None

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
class UnmatchedRow:
    line: int
    title: str
    year: int | None
    reason: str


@dataclass(frozen=True)
class InvalidRow:
    line: int
    reason: str

    def __str__(self):
        return f"line {self.line}: {self.reason}"


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

    def to_pending(self, user):
        """A small JSON-ready summary to keep between preview and confirm (no model objects)."""
        return {
            "version": PENDING_VERSION,
            "user": user.pk,
            "format": self.format,
            "rows": [[row.movie.pk, row.value, row.line] for row in self.matched],
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
                (int(movie_id), float(value), int(line))
                for movie_id, value, line in pending["rows"]
            ]
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
        movies = Movie.objects.visible().only(*_MOVIE_FIELDS).in_bulk([row[0] for row in rows])
        existing = _existing_ratings(user)
        for movie_id, value, line in rows:
            movie = movies.get(movie_id)
            if movie is None:
                report.unmatched.append(
                    UnmatchedRow(line, f"film #{movie_id}", None, "no longer in the catalog")
                )
                report.unmatched_count += 1
            elif value in _VALID_STARS:
                report.matched.append(MatchedRow(line, movie, value, existing.get(movie_id)))
        report.unmatched.sort(key=lambda row: row.line)
        return report


@dataclass(frozen=True)
class ApplyResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0


# --- Reading a file -----------------------------------------------------------


def read_ratings_file(data):
    """Parse an uploaded file (bytes) into rows; raise ``TransferError`` if it is unusable."""
    if len(data) > MAX_BYTES:
        raise TransferError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_BYTES // 1024 // 1024} MB. Split it into smaller files."
        )
    text = _decode(data)
    if not text.strip():
        raise TransferError("The file is empty.")
    if text.lstrip()[:1] in ("{", "["):
        raise TransferError("line 1: this looks like a JSON file, not CSV.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    return _read_rows(_records(reader))


def _decode(data):
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TransferError("The file is saved as UTF-16; save it as UTF-8 CSV and try again.")
    if data.startswith(b"PK\x03\x04"):
        raise TransferError(
            "This is a zip file. Letterboxd sends its export as a zip: open it and "
            "upload the ratings.csv inside."
        )
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise TransferError(f"line {line}: this is not a CSV file (it holds binary data).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TransferError(
            f"line {line}: the file is not UTF-8 text (byte 0x{data[exc.start]:02x}). "
            "Save it as “CSV UTF-8” and try again."
        )


def _delimiter(text):
    """Commas, unless the header plainly uses semicolons or tabs (some spreadsheets do)."""
    header = text.lstrip().split("\n", 1)[0]
    if "," in header:
        return ","
    for candidate in (";", "\t"):
        if candidate in header:
            return candidate
    return ","


def _records(reader):
    """``(line, cells)`` for each non-blank record; ``line`` is where the record starts."""
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise TransferError(f"line {line}: this is not valid CSV ({exc}).")
        if any(cell.strip() for cell in cells):
            yield line, cells
        line = reader.line_num + 1


def _read_rows(records):
    line, header = next(records, (1, None))
    if header is None:
        raise TransferError("The file is empty.")
    columns = {}
    for index, name in enumerate(header):
        columns.setdefault(name.strip().lower(), index)
    file_format = _detect_format(columns)
    if file_format is None:
        shown = ", ".join(cell.strip() for cell in header[:8] if cell.strip())
        raise TransferError(
            f"line {line}: unrecognised columns ({shown}). Upload a Letterboxd "
            "ratings.csv (Date, Name, Year, Letterboxd URI, Rating), an IMDb ratings export "
            "(Const, Your Rating, …) or a MovieLens-style file (movieId, rating)."
        )
    parse_row = _ROW_PARSERS[file_format]
    rows, invalid, movielens_users = [], [], set()
    count = 0
    for line, cells in records:
        count += 1
        if count > MAX_ROWS:
            raise TransferError(
                f"line {line}: the file has more than {MAX_ROWS:,} rows, the limit for one "
                "import. Split it into smaller files."
            )
        get = _cell_getter(cells, columns)
        if file_format == MOVIELENS and get("userid"):
            movielens_users.add(get("userid"))
        try:
            rows.append(parse_row(get, line))
        except _RowError as exc:
            invalid.append(InvalidRow(line, str(exc)))
    if count == 0:
        raise TransferError("The file has a header but no ratings.")
    if len(movielens_users) > 1:
        raise TransferError(
            f"The file holds the ratings of {len(movielens_users):,} MovieLens users; "
            "import one person's ratings (movieId, rating)."
        )
    return ParsedFile(format=file_format, rows=rows, invalid=invalid)


def _detect_format(columns):
    if {"const", "your rating"} <= columns.keys():
        return IMDB
    if "rating" in columns and ("movieid" in columns or "movie_id" in columns):
        return MOVIELENS
    if {"year", "rating"} <= columns.keys() and ("name" in columns or "title" in columns):
        return LETTERBOXD
    return None


def _cell_getter(cells, columns):
    def get(*names):
        for name in names:
            index = columns.get(name)
            if index is not None and index < len(cells):
                return cells[index].strip()
        return ""

    return get


def _letterboxd_row(get, line):
    title = _unescape_formula(get("name", "title"))
    value = _half_stars(get("rating"))
    if not title:
        raise _RowError("no film name")
    return FileRow(
        line=line,
        value=value,
        title=title,
        year=_year(get("year")),
        imdb_id=_imdb_id(get("imdbid")) if get("imdbid") else "",
        tmdb_id=_positive_int(get("tmdbid"), "tmdbID") if get("tmdbid") else None,
    )


def _imdb_row(get, line):
    const = get("const")
    if not const:
        raise _RowError("no IMDb id (Const)")
    imdb_id = _imdb_id(const)
    raw = get("your rating")
    try:
        number = float(raw)
    except ValueError:
        number = None
    if number is None or not number.is_integer() or not 1 <= number <= 10:
        raise _RowError(f"rating '{raw}' is not 1–10" if raw else "no rating")
    return FileRow(
        line=line,
        value=number / 2,
        title=get("title", "original title"),
        year=_year(get("year")),
        imdb_id=imdb_id,
    )


def _movielens_row(get, line):
    raw_id = get("movieid", "movie_id")
    if not raw_id:
        raise _RowError("no movieId")
    return FileRow(
        line=line,
        value=_half_stars(get("rating")),
        title=get("title"),
        movielens_id=_positive_int(raw_id, "movieId"),
    )


_ROW_PARSERS = {LETTERBOXD: _letterboxd_row, IMDB: _imdb_row, MOVIELENS: _movielens_row}


def _half_stars(raw):
    if not raw:
        raise _RowError("no rating")
    try:
        value = float(raw)
    except ValueError:
        value = None
    if value not in _VALID_STARS:
        raise _RowError(f"rating '{raw}' is not 0.5–5 in half stars")
    return value


def _year(raw):
    if not raw:
        return None
    year = parse_whole_number(raw)
    if year is None or not 1870 <= year <= 2100:
        raise _RowError(f"year '{raw}' is not a year")
    return year


def _imdb_id(raw):
    match = _IMDB_ID.match(raw.lower())
    if not match:
        raise _RowError(f"'{raw}' is not an IMDb id")
    return f"tt{int(match.group(1)):07d}"


def _positive_int(raw, column):
    number = parse_whole_number(raw)
    if not number:
        raise _RowError(f"{column} '{raw}' is not a number")
    return number


def _unescape_formula(text):
    """Undo ``export``'s guard: ``'=Film`` was written for ``=Film``."""
    if text[:1] == "'" and text[1:2] in FORMULA_PREFIXES:
        return text[1:]
    return text


# --- Matching against the catalog --------------------------------------------


def build_report(parsed, user):
    """Match the file's rows to catalog films and compare with ``user``'s ratings."""
    matcher = _CatalogMatcher(parsed.rows)
    existing = _existing_ratings(user)
    chosen, unmatched, duplicates = {}, [], []
    for row in parsed.rows:
        movie, reason = matcher.match(row)
        if movie is None:
            unmatched.append(UnmatchedRow(row.line, row.label, row.year, reason))
            continue
        earlier = chosen.get(movie.pk)
        if earlier is not None:
            duplicates.append(DuplicateRow(earlier.line, row.line, row.label))
        chosen[movie.pk] = row
    matched = [
        MatchedRow(row.line, matcher.movies[movie_id], row.value, existing.get(movie_id))
        for movie_id, row in chosen.items()
    ]
    return ImportReport(
        format=parsed.format,
        matched=sorted(matched, key=lambda row: row.line),
        unmatched=unmatched,
        invalid=list(parsed.invalid),
        duplicates=duplicates,
    )


def import_report(data, user):
    """Read and match an uploaded file in one call."""
    return build_report(read_ratings_file(data), user)


def _existing_ratings(user):
    return dict(Rating.objects.filter(user=user).order_by().values_list("movie_id", "value"))


class _CatalogMatcher:
    """Finds each row's film with a few queries for the whole file, not one per row."""

    def __init__(self, rows):
        self.movies = {}
        visible = Movie.objects.visible().only(*_MOVIE_FIELDS).order_by()
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


# --- Writing ------------------------------------------------------------------


def apply(report, user, conflict_policy=KEEP):
    """Save the report's ratings for ``user`` in one transaction and count what changed.

    Ratings equal to the member's are left alone, so importing a file twice changes
    nothing. A different rating is kept (``"keep"``) or replaced (``"overwrite"``).
    """
    if conflict_policy not in CONFLICT_POLICIES:
        raise ValueError(f"conflict_policy must be one of {CONFLICT_POLICIES}")
    wanted = {row.movie.pk: row.value for row in report.matched}
    with transaction.atomic():
        existing = _existing_ratings(user)
        to_create, to_update = [], []
        unchanged = skipped = 0
        for movie_id, value in wanted.items():
            current = existing.get(movie_id)
            if current is None:
                to_create.append(Rating(user=user, movie_id=movie_id, value=value))
            elif current == value:
                unchanged += 1
            elif conflict_policy == OVERWRITE:
                to_update.append(Rating(user=user, movie_id=movie_id, value=value))
            else:
                skipped += 1
        if to_update:
            Rating.objects.bulk_create(
                to_create + to_update,
                batch_size=_BULK_BATCH,
                update_conflicts=True,
                unique_fields=["user", "movie"],
                update_fields=["value", "updated_at"],
            )
        elif to_create:
            # A rating saved from another tab since the preview wins over the file.
            Rating.objects.bulk_create(to_create, batch_size=_BULK_BATCH, ignore_conflicts=True)
        # bulk_create sends no signals: the films' figures are refreshed here.
        refresh_films(rating.movie_id for rating in to_create + to_update)
    return ApplyResult(
        created=len(to_create), updated=len(to_update), unchanged=unchanged, skipped=skipped
    )


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
