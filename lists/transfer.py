"""A list as CSV, in Letterboxd's list layout, and a list made from such a file.

Export writes Letterboxd's list export: a first line naming the format, the
list's own row (Date, Name, Tags, URL, Description), then its films (Position,
Name, Year, URL, Description) with their IMDb and TMDB ids. Import reads that,
or any CSV with a film per row (Letterboxd, IMDb or MovieLens-style columns),
matched to the catalog as ratings imports are.
"""

import csv
import io

from django.db import transaction
from django.utils import timezone

from lists import services
from lists.models import DESCRIPTION_MAX_LENGTH, ITEM_NOTE_MAX_LENGTH, MAX_ITEMS, TITLE_MAX_LENGTH
from ratings.transfer.formats import (
    FORMULA_PREFIXES,
    MAX_BYTES,
    FileRow,
    InvalidRow,
    RowError,
    TransferError,
    cell_getter,
    column_indexes,
    csv_records,
    decode_text,
    parse_imdb_id,
    parse_positive_int,
    parse_year,
    unescape_formula,
)
from ratings.transfer.matching import CatalogMatcher

FORMAT_LINE = "Letterboxd list export v7"
LIST_HEADER = ["Date", "Name", "Tags", "URL", "Description"]
ITEMS_HEADER = ["Position", "Name", "Year", "URL", "Description", "imdbID", "tmdbID"]


def export_csv(film_list, items):
    """``film_list`` and its ``items`` (in order) as CSV text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([FORMAT_LINE])
    writer.writerow(LIST_HEADER)
    writer.writerow(
        [
            timezone.localtime(film_list.created_at).date().isoformat(),
            _safe(film_list.title),
            "",
            "",
            _safe(film_list.description),
        ]
    )
    writer.writerow([])
    writer.writerow(ITEMS_HEADER)
    for position, item in enumerate(items, start=1):
        movie = item.movie
        writer.writerow(
            [
                position,
                _safe(movie.title),
                movie.year or "",
                "",
                _safe(item.note),
                movie.imdb_id,
                movie.tmdb_id or "",
            ]
        )
    return buffer.getvalue()


class ListImport:
    """What a file gave: the new list, films added, rows not found or unreadable."""

    def __init__(self, film_list, added, unmatched, invalid):
        self.film_list, self.added = film_list, added
        self.unmatched, self.invalid = unmatched, invalid


def import_list(owner, data, fallback_title, is_public=False):
    """Make a new list of ``owner``'s from a CSV file (bytes), all at once or not at all.

    Raises ``TransferError`` when the file is unusable or matches no film.
    """
    if len(data) > MAX_BYTES:
        raise TransferError(f"The file is larger than {MAX_BYTES // 1024 // 1024} MB.")
    title, description, rows, notes, invalid = _read_list(decode_text(data))
    if len(rows) > MAX_ITEMS:
        raise TransferError(f"The file has {len(rows):,} films; a list holds {MAX_ITEMS:,}.")
    matcher = CatalogMatcher(rows)
    films, unmatched = [], []
    for row in rows:
        movie, reason = matcher.match(row)
        if movie is None:
            unmatched.append(f"line {row.line}: {row.label} — {reason}")
        else:
            films.append((movie, notes[row.line][:ITEM_NOTE_MAX_LENGTH]))
    if not films:
        raise TransferError("No film of the file is in our catalog, so no list was made.")
    with transaction.atomic():
        film_list = services.create_list(
            owner,
            (title or fallback_title)[:TITLE_MAX_LENGTH] or "Imported list",
            description[:DESCRIPTION_MAX_LENGTH],
            is_public,
        )
        added = services.add_films(film_list, films)
    return ListImport(film_list, added, unmatched, invalid)


def _read_list(text):
    records = csv_records(text)
    title = description = ""
    line, header = next(records, (1, None))
    if header is None:
        raise TransferError("The file is empty.")
    if header[0].strip().lower().startswith("letterboxd list export"):
        _, list_header = next(records, (line, None))
        _, list_row = next(records, (line, None))
        if list_header is None or list_row is None:
            raise TransferError("line 2: the list's own row (Date, Name, …) is missing.")
        get = cell_getter(list_row, column_indexes(list_header))
        title, description = unescape_formula(get("name")), unescape_formula(get("description"))
        line, header = next(records, (line, None))
        if header is None:
            raise TransferError("The file names a list but has no films.")
    columns = column_indexes(header)
    if not ({"name", "title", "imdbid", "const", "tmdbid", "movieid"} & columns.keys()):
        raise TransferError(
            f"line {line}: no column names the films (Name or Title, with Year; or imdbID, "
            "Const, tmdbID or movieId)."
        )
    rows, notes, invalid = [], {}, []
    for line, cells in records:
        get = cell_getter(cells, columns)
        try:
            row = _film_row(get, line)
        except RowError as error:
            invalid.append(InvalidRow(line, str(error)))
            continue
        rows.append(row)
        notes[line] = unescape_formula(get("description", "review", "notes"))
    if not rows and not invalid:
        raise TransferError("The file has a header but no films.")
    return title, description, rows, notes, invalid


def _film_row(get, line):
    imdb_raw = get("imdbid", "const")
    tmdb_raw = get("tmdbid")
    movielens_raw = get("movieid", "movie_id")
    title = unescape_formula(get("name", "title"))
    if not (title or imdb_raw or tmdb_raw or movielens_raw):
        raise RowError("no film name or id")
    return FileRow(
        line=line,
        value=None,
        title=title,
        year=parse_year(get("year")),
        imdb_id=parse_imdb_id(imdb_raw) if imdb_raw else "",
        tmdb_id=parse_positive_int(tmdb_raw, "tmdbID") if tmdb_raw else None,
        movielens_id=parse_positive_int(movielens_raw, "movieId") if movielens_raw else None,
    )


def _safe(text):
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text
