"""Import a MovieLens data set (ml-latest-small, ml-latest, ml-32m) into the database.

The source is a zip file, a directory holding the CSV files, or a URL of a zip.
Movies and links are parsed in Python (tens of thousands of rows); ratings, which
can number 32 million, are streamed: PostgreSQL receives the file itself through
``COPY`` and validates it in SQL, SQLite gets batched inserts.  Everything runs in
one transaction, so a failure leaves the previous catalog as it was.
"""

import csv
import logging
import time
import zipfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

import requests
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.dispatch import Signal
from django.utils.text import slugify
from tqdm import tqdm

from catalog import text
from catalog.models import Genre, Movie, MovieTag
from catalog.page_cache import catalog_changed
from ratings.models import HALF_STARS, MovieLensRating

logger = logging.getLogger(__name__)

NO_GENRES = "(no genres listed)"
EXPECTED_HEADERS = {
    "movies.csv": ["movieId", "title", "genres"],
    "links.csv": ["movieId", "imdbId", "tmdbId"],
    "ratings.csv": ["userId", "movieId", "rating", "timestamp"],
    "tags.csv": ["userId", "movieId", "tag", "timestamp"],
}
COPY_CHUNK_BYTES = 1 << 20
SQLITE_BATCH_ROWS = 20_000
MOVIE_BATCH_ROWS = 2_000
VALID_RATINGS = frozenset(HALF_STARS)


class MovieLensImportError(Exception):
    """The source cannot be imported; the message says which file and line."""


@dataclass
class ImportReport:
    movies_created: int = 0
    movies_updated: int = 0
    ratings: int = 0
    users: int = 0
    genres: int = 0
    tags: int = 0
    seconds: dict = field(default_factory=dict)

    @contextmanager
    def timed(self, phase):
        started = time.perf_counter()
        yield
        self.seconds[phase] = time.perf_counter() - started
        logger.info("import %s: %.1f s", phase, self.seconds[phase])


# --- Reading the source -------------------------------------------------------


class MovieLensSource:
    """The CSV files of one data set, in a zip or a directory."""

    def __init__(self, path):
        self.path = Path(path)
        self._zip = None
        self._members = {}
        if self.path.is_dir():
            for name in EXPECTED_HEADERS:
                found = sorted(self.path.rglob(name))
                if found:
                    self._members[name] = found[0]
        elif self.path.is_file():
            try:
                self._zip = zipfile.ZipFile(self.path)
            except zipfile.BadZipFile as exc:
                raise MovieLensImportError(f"{self.path} is not a valid zip file ({exc}).") from exc
            for info in self._zip.infolist():
                name = PurePosixPath(info.filename).name
                if name in EXPECTED_HEADERS and name not in self._members:
                    self._members[name] = info
        else:
            raise MovieLensImportError(f"{self.path} does not exist.")
        missing = [name for name in ("movies.csv", "ratings.csv") if name not in self._members]
        if missing:
            raise MovieLensImportError(
                f"{self.path} does not look like a MovieLens data set: missing "
                + ", ".join(missing)
                + "."
            )

    def close(self):
        if self._zip is not None:
            self._zip.close()

    def has(self, name):
        return name in self._members

    def size(self, name):
        member = self._members[name]
        return member.file_size if self._zip else member.stat().st_size

    @contextmanager
    def open_binary(self, name):
        member = self._members[name]
        try:
            # Closed in the ``finally`` below, after the caller is done with it.
            stream = self._zip.open(member) if self._zip else open(member, "rb")  # noqa: SIM115
        except (zipfile.BadZipFile, OSError) as exc:
            raise MovieLensImportError(f"{name}: cannot be read ({exc}).") from exc
        try:
            yield stream
        except zipfile.BadZipFile as exc:
            raise MovieLensImportError(f"{name}: the zip file is corrupt ({exc}).") from exc
        finally:
            stream.close()

    @contextmanager
    def open_lines(self, name):
        """Decoded lines of ``name``; a line that is not UTF-8 is an error naming it."""
        with self.open_binary(name) as stream:
            yield _decode_lines(name, stream)


def _decode_lines(name, stream):
    # Decoding line by line (not with a TextIOWrapper, which decodes in blocks)
    # lets an encoding error name the line it is on.
    for number, raw_line in enumerate(stream, start=1):
        try:
            yield raw_line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MovieLensImportError(
                f"{name}, line {number}: not valid UTF-8 ({exc.reason})."
            ) from exc


def resolve_source(source, download_dir, progress=True):
    """Return a local path for ``source``, downloading it when it is a URL."""
    source = str(source)
    if urlparse(source).scheme not in ("http", "https"):
        return Path(source).expanduser()
    download_dir = Path(download_dir)
    download_dir.mkdir(parents=True, exist_ok=True)
    target = download_dir / (PurePosixPath(urlparse(source).path).name or "movielens.zip")
    if target.is_file() and zipfile.is_zipfile(target):
        logger.info("Using the copy downloaded earlier: %s", target)
        return target
    partial = target.with_suffix(target.suffix + ".part")
    hint = (
        "When offline, set MOVIELENS_SOURCE (or pass SOURCE) to a local copy of the "
        "zip or its extracted folder."
    )
    try:
        with requests.get(source, stream=True, timeout=(10, 60)) as response:
            response.raise_for_status()
            total = int(response.headers.get("Content-Length") or 0) or None
            with (
                open(partial, "wb") as out,
                tqdm(
                    total=total,
                    unit="B",
                    unit_scale=True,
                    desc=f"Downloading {target.name}",
                    disable=not progress,
                ) as bar,
            ):
                for chunk in response.iter_content(COPY_CHUNK_BYTES):
                    out.write(chunk)
                    bar.update(len(chunk))
    except requests.RequestException as exc:
        partial.unlink(missing_ok=True)
        raise MovieLensImportError(f"Could not download {source}: {exc}. {hint}") from exc
    partial.replace(target)
    return target


# --- Parsing ------------------------------------------------------------------


def _check_header(name, header):
    expected = EXPECTED_HEADERS[name]
    if [column.strip().lstrip("\ufeff") for column in header] != expected:
        raise MovieLensImportError(
            f"{name}, line 1: expected the header {','.join(expected)!r}, "
            f"found {','.join(header)!r}."
        )


def _read_csv(source, name):
    """Yield ``(line_number, row)`` after checking the header; decode errors are ours."""
    with source.open_lines(name) as lines:
        reader = csv.reader(lines)
        try:
            _check_header(name, next(reader, []))
            for row in reader:
                yield reader.line_num, row
        except csv.Error as exc:
            raise MovieLensImportError(f"{name}, line {reader.line_num}: {exc}.") from exc


def _positive_int(name, line, value, what):
    try:
        number = int(value)
    except ValueError:
        raise MovieLensImportError(f"{name}, line {line}: {what} {value!r} is not a number.")
    if number <= 0:
        raise MovieLensImportError(f"{name}, line {line}: {what} {value!r} must be positive.")
    return number


def _expect_columns(name, line, row, count):
    if len(row) != count:
        raise MovieLensImportError(
            f"{name}, line {line}: expected {count} columns, found {len(row)}."
        )


def parse_movies(source):
    """Return ``{movielens_id: (raw_title, [genre names])}`` from movies.csv."""
    movies = {}
    for line, row in _read_csv(source, "movies.csv"):
        _expect_columns("movies.csv", line, row, 3)
        movie_id = _positive_int("movies.csv", line, row[0], "movieId")
        raw_title = row[1].strip()
        if not raw_title:
            raise MovieLensImportError(f"movies.csv, line {line}: the title is empty.")
        if movie_id in movies:
            raise MovieLensImportError(f"movies.csv, line {line}: movieId {movie_id} repeats.")
        genres = [] if row[2].strip() == NO_GENRES else [g.strip() for g in row[2].split("|")]
        movies[movie_id] = (raw_title, [g for g in genres if g])
    return movies


def parse_links(source, movie_ids):
    """Return ``{movielens_id: (imdb_id, tmdb_id)}``; a repeated tmdbId keeps its first film."""
    links = {}
    if not source.has("links.csv"):
        return links
    seen_tmdb = {}
    for line, row in _read_csv(source, "links.csv"):
        _expect_columns("links.csv", line, row, 3)
        movie_id = _positive_int("links.csv", line, row[0], "movieId")
        if movie_id not in movie_ids:
            raise MovieLensImportError(
                f"links.csv, line {line}: movieId {movie_id} is not in movies.csv."
            )
        imdb_id = ""
        if row[1].strip():
            imdb_id = f"tt{_positive_int('links.csv', line, row[1], 'imdbId'):07d}"
        tmdb_id = None
        if row[2].strip():
            tmdb_id = _positive_int("links.csv", line, row[2], "tmdbId")
            if tmdb_id in seen_tmdb:
                logger.warning(
                    "links.csv, line %s: tmdbId %s is already used by movieId %s; left empty.",
                    line,
                    tmdb_id,
                    seen_tmdb[tmdb_id],
                )
                tmdb_id = None
            else:
                seen_tmdb[tmdb_id] = movie_id
        links[movie_id] = (imdb_id, tmdb_id)
    return links


def iter_ratings(source, movie_ids):
    """Yield validated ``(user_id, movie_id, rating, timestamp)`` rows from ratings.csv."""
    name = "ratings.csv"
    for line, row in _read_csv(source, name):
        _expect_columns(name, line, row, 4)
        user_id = _positive_int(name, line, row[0], "userId")
        movie_id = _positive_int(name, line, row[1], "movieId")
        try:
            rating = float(row[2])
        except ValueError:
            raise MovieLensImportError(f"{name}, line {line}: rating {row[2]!r} is not a number.")
        if rating not in VALID_RATINGS:
            raise MovieLensImportError(
                f"{name}, line {line}: rating {row[2]!r} must be 0.5 to 5 in half steps."
            )
        try:
            timestamp = int(row[3])
        except ValueError:
            raise MovieLensImportError(
                f"{name}, line {line}: timestamp {row[3]!r} is not a whole number."
            )
        if movie_id not in movie_ids:
            raise MovieLensImportError(
                f"{name}, line {line}: movieId {movie_id} is not in movies.csv."
            )
        yield user_id, movie_id, rating, timestamp


def count_tags(source, movie_ids):
    """``{(movielens_id, tag): number of users}`` from tags.csv (tags lower-cased)."""
    counts = Counter()
    if not source.has("tags.csv"):
        return counts
    name = "tags.csv"
    for line, row in _read_csv(source, name):
        _expect_columns(name, line, row, 4)
        movie_id = _positive_int(name, line, row[1], "movieId")
        if movie_id not in movie_ids:
            raise MovieLensImportError(
                f"{name}, line {line}: movieId {movie_id} is not in movies.csv."
            )
        tag = " ".join(row[2].split()).lower()[:100]
        if tag:
            counts[movie_id, tag] += 1
    return counts


# --- Writing ------------------------------------------------------------------


def _save_movies(parsed_movies, links, report):
    """Create or update movies and their genres; return nothing, fill ``report``."""
    genre_names = sorted({g for _, genres in parsed_movies.values() for g in genres})
    existing_genres = {g.name: g for g in Genre.objects.filter(name__in=genre_names)}
    Genre.objects.bulk_create(
        [
            Genre(name=name, slug=slugify(name))
            for name in genre_names
            if name not in existing_genres
        ]
    )
    genre_ids = dict(Genre.objects.filter(name__in=genre_names).values_list("name", "id"))
    report.genres = len(genre_ids)

    # TMDB's title stays the display title while the film keeps its TMDB id.
    tmdb_titles = {
        movielens_id: (tmdb_id, tmdb_title)
        for movielens_id, tmdb_id, tmdb_title in Movie.objects.values_list(
            "movielens_id", "tmdb_id", "tmdb_title"
        )
    }
    existing = tmdb_titles.keys()
    # A tmdb id moving from one film to another would trip the unique constraint
    # half-way through the upsert, so release the ids that change hands first.
    incoming_tmdb = {tmdb: mid for mid, (_, tmdb) in links.items() if tmdb}
    stale_owners = [
        movielens_id
        for movielens_id, tmdb_id in Movie.objects.filter(
            tmdb_id__in=list(incoming_tmdb)
        ).values_list("movielens_id", "tmdb_id")
        if incoming_tmdb[tmdb_id] != movielens_id
    ]
    Movie.objects.filter(movielens_id__in=stale_owners).update(tmdb_id=None)

    rows = []
    for movielens_id, (raw_title, _) in parsed_movies.items():
        _, year = text.split_title_year(raw_title)
        if year is not None and not 1870 <= year <= 2100:
            year = None
        imdb_id, tmdb_id = links.get(movielens_id, ("", None))
        known_tmdb_id, tmdb_title = tmdb_titles.get(movielens_id, (None, ""))
        title = text.known_title(raw_title, tmdb_title if known_tmdb_id == tmdb_id else "")
        search_text = text.search_text(title, raw_title)[:700]
        rows.append(
            (movielens_id, title[:300], raw_title[:300], year, imdb_id, tmdb_id, search_text)
        )
    genre_pairs = [
        (movielens_id, genre_ids[name])
        for movielens_id, (_, genres) in parsed_movies.items()
        for name in dict.fromkeys(genres)
    ]
    if connection.vendor == "postgresql":
        _upsert_movies_postgresql(rows, genre_pairs)
    else:
        _upsert_movies_orm(rows, genre_pairs)
    report.movies_created = len(parsed_movies.keys() - existing)
    report.movies_updated = len(parsed_movies.keys() & existing)


# The columns the importer owns; everything else on Movie (TMDB data, staff
# curation, aggregates) is left alone when a film is updated.
IMPORTED_COLUMNS = (
    "movielens_id",
    "title",
    "movielens_title",
    "year",
    "imdb_id",
    "tmdb_id",
    "search_text",
)


def _upsert_movies_orm(rows, genre_pairs):
    Movie.objects.bulk_create(
        [Movie(**dict(zip(IMPORTED_COLUMNS, row, strict=True))) for row in rows],
        batch_size=MOVIE_BATCH_ROWS,
        update_conflicts=True,
        unique_fields=["movielens_id"],
        update_fields=list(IMPORTED_COLUMNS[1:]),
    )
    pk_by_movielens_id = dict(
        Movie.objects.filter(movielens_id__in=[row[0] for row in rows]).values_list(
            "movielens_id", "id"
        )
    )
    through = Movie.genres.through
    imported_pks = list(pk_by_movielens_id.values())
    for start in range(0, len(imported_pks), MOVIE_BATCH_ROWS):
        through.objects.filter(movie_id__in=imported_pks[start : start + MOVIE_BATCH_ROWS]).delete()
    through.objects.bulk_create(
        [through(movie_id=pk_by_movielens_id[mid], genre_id=gid) for mid, gid in genre_pairs],
        batch_size=10_000,
    )


def _stage(cursor, name, columns, rows):
    """``COPY`` ``rows`` into a fresh temporary table dropped at commit."""
    # Dropped first too: tests run several imports inside one transaction.
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMP TABLE {name} ({columns}) ON COMMIT DROP")
    with cursor.copy(f"COPY {name} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _upsert_movies_postgresql(rows, genre_pairs):
    """Stage the rows with ``COPY`` and merge them in two statements.

    Building an ``INSERT … ON CONFLICT`` for 87,585 films through the ORM takes
    half a minute of Python; this takes a couple of seconds.
    """
    table = Movie._meta.db_table
    through = Movie.genres.through._meta.db_table
    columns, values, params = [], [], []
    for model_field in Movie._meta.concrete_fields:
        if model_field.primary_key:
            continue
        columns.append(model_field.column)
        if model_field.column in IMPORTED_COLUMNS:
            values.append(f"s.{model_field.column}")
        elif getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            values.append("now()")
        else:
            values.append("%s")
            params.append(model_field.get_db_prep_save(model_field.get_default(), connection))
    changed = ", ".join(f"{column} = EXCLUDED.{column}" for column in IMPORTED_COLUMNS[1:])
    old = ", ".join(f"{table}.{column}" for column in IMPORTED_COLUMNS[1:])
    new = ", ".join(f"EXCLUDED.{column}" for column in IMPORTED_COLUMNS[1:])
    with connection.cursor() as cursor:
        _stage(
            cursor,
            "movielens_movies_in",
            "movielens_id integer, title text, movielens_title text, year smallint, "
            "imdb_id text, tmdb_id integer, search_text text",
            rows,
        )
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM movielens_movies_in s "
            f"ON CONFLICT (movielens_id) DO UPDATE SET {changed}, updated_at = now() "
            f"WHERE ({old}) IS DISTINCT FROM ({new})",
            params,
        )
        _stage(cursor, "movielens_genres_in", "movielens_id integer, genre_id bigint", genre_pairs)
        cursor.execute(
            f"DELETE FROM {through} t USING {table} m, movielens_movies_in s "
            "WHERE t.movie_id = m.id AND m.movielens_id = s.movielens_id AND NOT EXISTS ("
            "SELECT 1 FROM movielens_genres_in g "
            "WHERE g.movielens_id = m.movielens_id AND g.genre_id = t.genre_id)"
        )
        cursor.execute(
            f"INSERT INTO {through} (movie_id, genre_id) SELECT m.id, g.genre_id "
            f"FROM movielens_genres_in g JOIN {table} m ON m.movielens_id = g.movielens_id "
            "ON CONFLICT (movie_id, genre_id) DO NOTHING"
        )


def _save_tags(tag_counts):
    """Replace every film's MovieLens tags with ``tag_counts``."""
    table = MovieTag._meta.db_table
    pk_by_movielens_id = dict(Movie.objects.values_list("movielens_id", "id"))
    rows = [
        (pk_by_movielens_id[movielens_id], tag, count)
        for (movielens_id, tag), count in tag_counts.items()
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} (movie_id, tag, count) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO {table} (movie_id, tag, count) VALUES (%s, %s, %s)", rows
            )


def _progress(source, name, progress):
    return tqdm(
        total=source.size(name),
        unit="B",
        unit_scale=True,
        desc=f"Loading {name}",
        disable=not progress,
    )


def _load_ratings_sqlite(source, movie_ids, progress):
    table = MovieLensRating._meta.db_table
    insert = (
        f"INSERT INTO {table} (movielens_user_id, movielens_movie_id, rating, timestamp) "
        "VALUES (%s, %s, %s, %s)"
    )
    with connection.cursor() as cursor, _progress(source, "ratings.csv", progress) as bar:
        cursor.execute(f"DELETE FROM {table}")
        batch = []
        for row in iter_ratings(source, movie_ids):
            batch.append(row)
            if len(batch) >= SQLITE_BATCH_ROWS:
                _insert_ratings_batch(cursor, insert, batch, source, movie_ids)
                bar.update(len(batch) * 22)
                batch.clear()
        if batch:
            _insert_ratings_batch(cursor, insert, batch, source, movie_ids)
        bar.update(bar.total - bar.n)


def _insert_ratings_batch(cursor, insert, batch, source, movie_ids):
    try:
        with transaction.atomic():
            cursor.executemany(insert, batch)
    except IntegrityError as exc:
        raise _explain_duplicate(source, movie_ids, exc) from exc


def _load_ratings_postgresql(source, movie_ids, progress):
    """``COPY`` ratings.csv into the table, then rebuild its keys in one pass each."""
    from psycopg import errors

    table = MovieLensRating._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('p', 'f') ORDER BY contype DESC",
            [table],
        )
        keys = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname "
            "NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [table, table],
        )
        indexes = cursor.fetchall()
        # Loading into a bare table and building each key and index once
        # afterwards is several times faster than maintaining them row by row.
        for name, _ in keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(f"TRUNCATE {table}")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        copy_sql = (
            f"COPY {table} (movielens_user_id, movielens_movie_id, rating, timestamp) "
            "FROM STDIN WITH (FORMAT csv)"
        )
        with (
            source.open_binary("ratings.csv") as stream,
            _progress(source, "ratings.csv", progress) as bar,
        ):
            header = stream.readline()
            try:
                _check_header("ratings.csv", next(csv.reader([header.decode("utf-8")])))
            except UnicodeDecodeError:
                raise MovieLensImportError("ratings.csv, line 1: not valid UTF-8.")
            bar.update(len(header))
            try:
                with transaction.atomic(), cursor.copy(copy_sql) as copy:
                    while chunk := stream.read(COPY_CHUNK_BYTES):
                        copy.write(chunk)
                        bar.update(len(chunk))
            except errors.Error as exc:
                raise _explain_rejected_ratings(source, movie_ids, exc) from exc
        cursor.execute(
            f"SELECT r.movielens_movie_id FROM {table} r LEFT JOIN {Movie._meta.db_table} m "
            "ON m.movielens_id = r.movielens_movie_id WHERE m.id IS NULL LIMIT 1"
        )
        if cursor.fetchone():
            raise _explain_rejected_ratings(source, movie_ids, None)
        for name, definition in keys:
            try:
                with transaction.atomic():
                    cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            except IntegrityError as exc:
                raise _explain_duplicate(source, movie_ids, exc) from exc
        for _, definition in indexes:
            cursor.execute(definition)


def _explain_rejected_ratings(source, movie_ids, database_error):
    """Turn a failed bulk load into an error naming the first bad line of the file."""
    try:
        for _ in iter_ratings(source, movie_ids):
            pass
    except MovieLensImportError as exc:
        return exc
    detail = getattr(getattr(database_error, "diag", None), "message_primary", None)
    return MovieLensImportError(f"ratings.csv could not be loaded: {detail or database_error}.")


def _explain_duplicate(source, movie_ids, database_error):
    seen = set()
    for line, row in enumerate(iter_ratings(source, movie_ids), start=2):
        pair = row[:2]
        if pair in seen:
            return MovieLensImportError(
                f"ratings.csv, line {line}: user {pair[0]} rated movie {pair[1]} twice."
            )
        seen.add(pair)
    return MovieLensImportError(f"ratings.csv has a repeated rating: {database_error}.")


# Sent inside the import's transaction once every film's MovieLens histogram is
# stored. The ratings app listens: it recomputes the figures films show, which
# count the site's members' ratings too (``ratings.aggregates``).
movielens_ratings_loaded = Signal()


def store_movielens_histograms():
    """Store each film's MovieLens ratings per half star in ``Movie.movielens_histogram``.

    Returns the number of ratings and of distinct MovieLens users.
    """
    movies = Movie._meta.db_table
    ratings = MovieLensRating._meta.db_table
    counts = ", ".join(
        f"COUNT(*) FILTER (WHERE rating = {value}) AS h{i}" for i, value in enumerate(HALF_STARS)
    )
    histogram = ", ".join(f"stats.h{i}" for i in range(len(HALF_STARS)))
    array_function = "jsonb_build_array" if connection.vendor == "postgresql" else "json_array"
    with connection.cursor() as cursor:
        # One pass over the ratings; everything after works on one row per film.
        cursor.execute("DROP TABLE IF EXISTS movielens_rating_stats")
        cursor.execute(
            f"CREATE TEMP TABLE movielens_rating_stats AS "
            f"SELECT movielens_movie_id AS movie, COUNT(*) AS n, {counts} "
            f"FROM {ratings} GROUP BY movielens_movie_id"
        )
        cursor.execute("SELECT SUM(n) FROM movielens_rating_stats")
        # PostgreSQL sums bigints into numerics; a plain number is enough here.
        total = int(cursor.fetchone()[0] or 0)
        cursor.execute(
            f"UPDATE {movies} SET movielens_histogram = {array_function}() "
            f"WHERE movielens_id NOT IN (SELECT movie FROM movielens_rating_stats)"
        )
        cursor.execute(
            f"UPDATE {movies} SET movielens_histogram = {array_function}({histogram}) "
            f"FROM movielens_rating_stats AS stats WHERE {movies}.movielens_id = stats.movie"
        )
        cursor.execute("DROP TABLE movielens_rating_stats")
        # Distinct users by hopping along the primary key's index, one probe per
        # user: far cheaper than COUNT(DISTINCT) over every rating.
        cursor.execute(
            f"WITH RECURSIVE users(id) AS ("
            f"SELECT MIN(movielens_user_id) FROM {ratings} UNION ALL "
            f"SELECT (SELECT MIN(movielens_user_id) FROM {ratings} r "
            f"WHERE r.movielens_user_id > users.id) FROM users WHERE users.id IS NOT NULL"
            f") SELECT COUNT(id) FROM users"
        )
        (users,) = cursor.fetchone()
    return total, users


# --- Entry point --------------------------------------------------------------


def import_movielens(source=None, progress=True):
    """Import (or re-import) a MovieLens data set; return an :class:`ImportReport`."""
    source = source or settings.MOVIELENS_SOURCE
    local_path = resolve_source(source, settings.VAR_DIR / "downloads", progress=progress)
    dataset = MovieLensSource(local_path)
    report = ImportReport()
    try:
        with report.timed("parse movies"):
            parsed_movies = parse_movies(dataset)
            links = parse_links(dataset, parsed_movies.keys())
            movie_ids = frozenset(parsed_movies)
        with report.timed("parse tags"):
            tag_counts = count_tags(dataset, movie_ids)
        with transaction.atomic():
            with report.timed("save movies"):
                _save_movies(parsed_movies, links, report)
            with report.timed("save tags"):
                _save_tags(tag_counts)
                report.tags = sum(tag_counts.values())
            with report.timed("load ratings"):
                if connection.vendor == "postgresql":
                    _load_ratings_postgresql(dataset, movie_ids, progress)
                else:
                    _load_ratings_sqlite(dataset, movie_ids, progress)
            with report.timed("aggregates"):
                report.ratings, report.users = store_movielens_histograms()
                movielens_ratings_loaded.send(sender=Movie)
            catalog_changed()
        if connection.vendor == "postgresql":
            # Fresh planner statistics, so the first pages after a bulk load
            # do not wait for autovacuum to notice the new rows.
            with report.timed("analyze"), connection.cursor() as cursor:
                for model in (Movie, Movie.genres.through, MovieLensRating):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
    finally:
        dataset.close()
    return report
