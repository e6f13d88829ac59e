"""Reading an uploaded file: Letterboxd, IMDb or MovieLens-style CSV, or Letterboxd's export zip.

``read_ratings_file`` decodes the upload, detects its format from the header
(and, for Letterboxd's look-alike ``watched.csv`` and ``watchlist.csv``, the
file name) and returns its valid rows and, line by line, why the others were
left out. Dates travel with the rows: when a film was rated, when it was watched.
"""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from catalog.text import normalize_imdb_id, parse_whole_number
from ratings.models import HALF_STARS, NOTE_MAX_LENGTH

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# Letterboxd's export zip holds a few files of a few MB at most; more is not one.
MAX_ZIP_MEMBER_BYTES = MAX_BYTES
MAX_ZIP_TOTAL_BYTES = 4 * MAX_BYTES

LETTERBOXD = "letterboxd"
LETTERBOXD_DIARY = "letterboxd-diary"
LETTERBOXD_WATCHED = "letterboxd-watched"
LETTERBOXD_WATCHLIST = "letterboxd-watchlist"
LETTERBOXD_ZIP = "letterboxd-zip"
IMDB = "imdb"
MOVIELENS = "movielens"
FORMAT_LABELS = {
    LETTERBOXD: "Letterboxd ratings",
    LETTERBOXD_DIARY: "Letterboxd diary",
    LETTERBOXD_WATCHED: "Letterboxd watched films",
    LETTERBOXD_WATCHLIST: "Letterboxd watchlist",
    LETTERBOXD_ZIP: "Letterboxd export (ratings, diary, watched films and watchlist)",
    IMDB: "IMDb ratings",
    MOVIELENS: "MovieLens-style ratings",
}
# The files of Letterboxd's export zip this import reads, and what each holds.
ZIP_MEMBERS = {
    "ratings.csv": LETTERBOXD,
    "diary.csv": LETTERBOXD_DIARY,
    "watched.csv": LETTERBOXD_WATCHED,
    "watchlist.csv": LETTERBOXD_WATCHLIST,
}
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
VALID_STARS = frozenset(HALF_STARS)


class TransferError(Exception):
    """The file cannot be imported at all; the message says why, and where."""


class NoRowsError(TransferError):
    """The file has its header but no rows (Letterboxd writes such files for empty lists)."""


class RowError(Exception):
    """One row cannot be imported; the rest of the file can."""


@dataclass(frozen=True)
class FileRow:
    """A valid row of an import file: what identifies the film, and what to record.

    ``value`` is the rating (``None`` for a watch without one); ``date`` is the
    day of rating for ratings, the day of watching for diary rows.
    """

    line: int
    value: float | None
    title: str = ""
    year: int | None = None
    imdb_id: str = ""
    tmdb_id: int | None = None
    movielens_id: int | None = None
    date: datetime.date | None = None
    rewatch: bool = False
    source: str = ""
    note: str = ""

    @property
    def label(self):
        """What the member would call this film."""
        if self.title:
            return self.title
        if self.imdb_id:
            return self.imdb_id
        return f"MovieLens film {self.movielens_id}"


@dataclass(frozen=True)
class InvalidRow:
    line: int
    reason: str

    def __str__(self):
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class ParsedFile:
    """An upload's rows: ratings, diary watches, films marked watched, and the watchlist."""

    format: str
    rows: list[FileRow]
    invalid: list[InvalidRow]
    watches: list[FileRow] = field(default_factory=list)
    watched: list[FileRow] = field(default_factory=list)
    watchlist: list[FileRow] = field(default_factory=list)


def read_ratings_file(data, filename=""):
    """Parse an uploaded file (bytes) into rows; raise ``TransferError`` if it is unusable.

    ``filename`` tells Letterboxd's ``watched.csv`` from ``watchlist.csv``,
    whose columns are the same.
    """
    if len(data) > MAX_BYTES:
        raise TransferError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_BYTES // 1024 // 1024} MB. Split it into smaller files."
        )
    if data.startswith(b"PK\x03\x04"):
        return _read_letterboxd_zip(data)
    return _read_csv(data, filename)


def _read_csv(data, filename, prefix=""):
    try:
        text = decode_text(data)
        if not text.strip():
            raise TransferError("The file is empty.")
        if text.lstrip()[:1] in ("{", "["):
            raise TransferError("line 1: this looks like a JSON file, not CSV.")
        return _read_rows(csv_records(text), PurePosixPath(filename).name.lower(), prefix)
    except TransferError as error:
        raise type(error)(f"{prefix}{error}") from None


def _read_letterboxd_zip(data):
    """The ratings, diary, watched films and watchlist of Letterboxd's export zip, together."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = {
            PurePosixPath(info.filename).name.lower(): info
            for info in archive.infolist()
            # Letterboxd's zip keeps deleted entries and lists in folders: only the top counts.
            if "/" not in info.filename.strip("/") and not info.is_dir()
        }
    except (zipfile.BadZipFile, ValueError) as error:
        raise TransferError(f"The zip file cannot be opened ({error}).") from None
    wanted = {name: members[name] for name in ZIP_MEMBERS if name in members}
    if not wanted:
        raise TransferError(
            "This zip holds none of Letterboxd's ratings.csv, diary.csv, watched.csv or "
            "watchlist.csv. Upload the zip Letterboxd sends (Settings → Data → Export)."
        )
    if sum(info.file_size for info in wanted.values()) > MAX_ZIP_TOTAL_BYTES or any(
        info.file_size > MAX_ZIP_MEMBER_BYTES for info in wanted.values()
    ):
        raise TransferError(
            f"The files in the zip are too large: at most {MAX_ZIP_MEMBER_BYTES // 1024 // 1024} "
            "MB each. Upload its CSV files one by one."
        )
    rows, invalid, watches, watched, watchlist = [], [], [], [], []
    for name, info in wanted.items():
        try:
            content = archive.read(info)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError) as error:
            raise TransferError(f"{name}: cannot be read from the zip ({error}).") from None
        if not content.strip():
            continue
        try:
            parsed = _read_csv(content, name, prefix=f"{name}: ")
        except NoRowsError:
            continue
        if parsed.format != ZIP_MEMBERS[name]:
            raise TransferError(
                f"{name}: its columns are not those of Letterboxd's {name} "
                f"(read as {FORMAT_LABELS[parsed.format]})."
            )
        rows += parsed.rows
        invalid += [InvalidRow(row.line, f"{name}: {row.reason}") for row in parsed.invalid]
        watches += parsed.watches
        watched += parsed.watched
        watchlist += parsed.watchlist
    return ParsedFile(LETTERBOXD_ZIP, rows, invalid, watches, watched, watchlist)


def decode_text(data):
    """The upload as text, or a ``TransferError`` saying how to save it instead."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TransferError("The file is saved as UTF-16; save it as UTF-8 CSV and try again.")
    if data.startswith(b"PK\x03\x04"):
        raise TransferError("This is a zip file: open it and upload the .csv file inside.")
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


def csv_records(text):
    """``(line, cells)`` for each non-blank record; ``line`` is where the record starts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
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


def column_indexes(header):
    """``{lower-cased column name: index}``, the first of repeated names winning."""
    columns = {}
    for index, name in enumerate(header):
        columns.setdefault(name.strip().lower(), index)
    return columns


def _read_rows(records, filename, prefix=""):
    line, header = next(records, (1, None))
    if header is None:
        raise TransferError("The file is empty.")
    columns = column_indexes(header)
    file_format = _detect_format(columns, filename)
    if file_format is None:
        shown = ", ".join(cell.strip() for cell in header[:8] if cell.strip())
        raise TransferError(
            f"line {line}: unrecognised columns ({shown}). Upload Letterboxd's export zip or "
            "one of its files (ratings.csv, diary.csv, watched.csv, watchlist.csv), an IMDb "
            "ratings export (Const, Your Rating, …) or a MovieLens-style file (movieId, rating)."
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
        get = cell_getter(cells, columns)
        if file_format == MOVIELENS and get("userid"):
            movielens_users.add(get("userid"))
        try:
            rows.append(parse_row(get, line, prefix.rstrip(": ")))
        except RowError as exc:
            invalid.append(InvalidRow(line, str(exc)))
    if count == 0:
        raise NoRowsError("The file has a header but no rows.")
    if len(movielens_users) > 1:
        raise TransferError(
            f"The file holds the ratings of {len(movielens_users):,} MovieLens users; "
            "import one person's ratings (movieId, rating)."
        )
    if file_format == LETTERBOXD_DIARY:
        return ParsedFile(file_format, [], invalid, watches=rows)
    if file_format == LETTERBOXD_WATCHED:
        return ParsedFile(file_format, [], invalid, watched=rows)
    if file_format == LETTERBOXD_WATCHLIST:
        return ParsedFile(file_format, [], invalid, watchlist=rows)
    return ParsedFile(format=file_format, rows=rows, invalid=invalid)


def _detect_format(columns, filename=""):
    if {"const", "your rating"} <= columns.keys():
        return IMDB
    if "rating" in columns and ("movieid" in columns or "movie_id" in columns):
        return MOVIELENS
    named = "year" in columns and ("name" in columns or "title" in columns)
    if named and "watched date" in columns:
        return LETTERBOXD_DIARY
    if named and "rating" in columns:
        return LETTERBOXD
    if named and "date" in columns and "letterboxd uri" in columns:
        # watched.csv and watchlist.csv have the same columns: the name tells them apart.
        return LETTERBOXD_WATCHLIST if "watchlist" in filename else LETTERBOXD_WATCHED
    return None


def cell_getter(cells, columns):
    def get(*names):
        for name in names:
            index = columns.get(name)
            if index is not None and index < len(cells):
                return cells[index].strip()
        return ""

    return get


def _letterboxd_film(get, line, source, value, date, rewatch=False, note=""):
    title = unescape_formula(get("name", "title"))
    if not title:
        raise RowError("no film name")
    return FileRow(
        line=line,
        value=value,
        title=title,
        year=parse_year(get("year")),
        imdb_id=parse_imdb_id(get("imdbid")) if get("imdbid") else "",
        tmdb_id=parse_positive_int(get("tmdbid"), "tmdbID") if get("tmdbid") else None,
        date=date,
        rewatch=rewatch,
        source=source,
        note=note,
    )


def _letterboxd_row(get, line, source=""):
    value = _half_stars(get("rating"))
    return _letterboxd_film(get, line, source, value, parse_date(get("date"), "Date"))


def _letterboxd_diary_row(get, line, source=""):
    value = _half_stars(get("rating")) if get("rating") else None
    watched_on = parse_date(get("watched date"), "Watched Date") or parse_date(get("date"), "Date")
    if watched_on is None:
        raise RowError("no Watched Date")
    rewatch = get("rewatch").lower() in ("yes", "true", "1")
    # NextFilms's own export carries the private note; Letterboxd's diary has none.
    note = unescape_formula(get("private note"))[:NOTE_MAX_LENGTH]
    return _letterboxd_film(get, line, source, value, watched_on, rewatch, note)


def _letterboxd_dated_row(get, line, source=""):
    return _letterboxd_film(get, line, source, None, parse_date(get("date"), "Date"))


def _imdb_row(get, line, source=""):
    const = get("const")
    if not const:
        raise RowError("no IMDb id (Const)")
    imdb_id = parse_imdb_id(const)
    raw = get("your rating")
    try:
        number = float(raw)
    except ValueError:
        number = None
    if number is None or not number.is_integer() or not 1 <= number <= 10:
        raise RowError(f"rating '{raw}' is not 1–10" if raw else "no rating")
    return FileRow(
        line=line,
        value=number / 2,
        title=get("title", "original title"),
        year=parse_year(get("year")),
        imdb_id=imdb_id,
        date=parse_date(get("date rated"), "Date Rated"),
        source=source,
    )


def _movielens_row(get, line, source=""):
    raw_id = get("movieid", "movie_id")
    if not raw_id:
        raise RowError("no movieId")
    return FileRow(
        line=line,
        value=_half_stars(get("rating")),
        title=get("title"),
        movielens_id=parse_positive_int(raw_id, "movieId"),
        date=_unix_date(get("timestamp")),
        source=source,
    )


_ROW_PARSERS = {
    LETTERBOXD: _letterboxd_row,
    LETTERBOXD_DIARY: _letterboxd_diary_row,
    LETTERBOXD_WATCHED: _letterboxd_dated_row,
    LETTERBOXD_WATCHLIST: _letterboxd_dated_row,
    IMDB: _imdb_row,
    MOVIELENS: _movielens_row,
}


def _half_stars(raw):
    if not raw:
        raise RowError("no rating")
    try:
        value = float(raw)
    except ValueError:
        value = None
    if value not in VALID_STARS:
        raise RowError(f"rating '{raw}' is not 0.5–5 in half stars")
    return value


def parse_date(raw, column):
    """``"2024-03-09"`` → a date; ``None`` for an empty cell; ``RowError`` for anything else."""
    if not raw:
        return None
    try:
        day = datetime.date.fromisoformat(raw[:10])
    except ValueError:
        day = None
    if day is None or day.year < 1888:
        raise RowError(f"{column} '{raw}' is not a date (YYYY-MM-DD)")
    return day


def _unix_date(raw):
    """MovieLens's ``timestamp`` (Unix seconds) as a UTC day; ``None`` if empty."""
    if not raw:
        return None
    seconds = parse_whole_number(raw)
    if seconds is None or seconds > 4_102_444_800:  # 2100-01-01
        raise RowError(f"timestamp '{raw}' is not Unix time")
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC).date()


def parse_year(raw):
    if not raw:
        return None
    year = parse_whole_number(raw)
    if year is None or not 1870 <= year <= 2100:
        raise RowError(f"year '{raw}' is not a year")
    return year


def parse_imdb_id(raw):
    imdb_id = normalize_imdb_id(raw)
    if not imdb_id:
        raise RowError(f"'{raw}' is not an IMDb id")
    return imdb_id


def parse_positive_int(raw, column):
    number = parse_whole_number(raw)
    if not number:
        raise RowError(f"{column} '{raw}' is not a number")
    return number


def unescape_formula(text):
    """Undo ``export``'s guard: ``'=Film`` was written for ``=Film``."""
    if text[:1] == "'" and text[1:2] in FORMULA_PREFIXES:
        return text[1:]
    return text
