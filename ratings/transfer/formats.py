"""Reading an uploaded ratings file: Letterboxd, IMDb or MovieLens-style CSV.

``read_ratings_file`` decodes the upload, detects its format from the header
and returns its valid rows and, line by line, why the others were left out.
"""

import csv
import io
from dataclasses import dataclass

from catalog.text import normalize_imdb_id, parse_whole_number
from ratings.models import HALF_STARS

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
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
VALID_STARS = frozenset(HALF_STARS)


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
class InvalidRow:
    line: int
    reason: str

    def __str__(self):
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class ParsedFile:
    format: str
    rows: list[FileRow]
    invalid: list[InvalidRow]


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
    if value not in VALID_STARS:
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
    imdb_id = normalize_imdb_id(raw)
    if not imdb_id:
        raise _RowError(f"'{raw}' is not an IMDb id")
    return imdb_id


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
