"""Import a MovieLens data set (ml-latest-small, ml-latest, ml-32m) into the database.

The source is a zip file, a directory holding the CSV files, or a URL of a zip.
Movies and links are parsed in Python (tens of thousands of rows); ratings, which
can number 32 million, are streamed: PostgreSQL receives the file itself through
``COPY`` and validates it in SQL, SQLite gets batched inserts.  Everything runs in
one transaction, so a failure leaves the previous catalog as it was.
"""

import csv
import logging
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

import requests
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.text import slugify
from tqdm import tqdm

from catalog import text
from catalog.models import Genre, Movie
from ratings.models import HALF_STARS, MovieLensRating

logger = logging.getLogger(__name__)

NO_GENRES = "(no genres listed)"
EXPECTED_HEADERS = {
    "movies.csv": ["movieId", "title", "genres"],
    "links.csv": ["movieId", "imdbId", "tmdbId"],
    "ratings.csv": ["userId", "movieId", "rating", "timestamp"],
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

    existing = set(Movie.objects.values_list("movielens_id", flat=True))
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
        base_title, year = text.split_title_year(raw_title)
        title = text.display_title(base_title)
        if year is not None and not 1870 <= year <= 2100:
            year = None
        imdb_id, tmdb_id = links.get(movielens_id, ("", None))
        rows.append(
            Movie(
                movielens_id=movielens_id,
                title=title[:300],
                movielens_title=raw_title[:300],
                year=year,
                imdb_id=imdb_id,
                tmdb_id=tmdb_id,
                search_text=text.search_text(title, raw_title)[:700],
            )
        )
    Movie.objects.bulk_create(
        rows,
        batch_size=MOVIE_BATCH_ROWS,
        update_conflicts=True,
        unique_fields=["movielens_id"],
        update_fields=["title", "movielens_title", "year", "imdb_id", "tmdb_id", "search_text"],
    )
    report.movies_created = len(parsed_movies.keys() - existing)
    report.movies_updated = len(parsed_movies.keys() & existing)

    pk_by_movielens_id = dict(
        Movie.objects.filter(movielens_id__in=list(parsed_movies)).values_list("movielens_id", "id")
    )
    through = Movie.genres.through
    imported_pks = list(pk_by_movielens_id.values())
    for start in range(0, len(imported_pks), MOVIE_BATCH_ROWS):
        through.objects.filter(movie_id__in=imported_pks[start : start + MOVIE_BATCH_ROWS]).delete()
    through.objects.bulk_create(
        [
            through(movie_id=pk_by_movielens_id[movielens_id], genre_id=genre_ids[name])
            for movielens_id, (_, genres) in parsed_movies.items()
            for name in dict.fromkeys(genres)
        ],
        batch_size=10_000,
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
                cursor.executemany(insert, batch)
                bar.update(len(batch) * 22)
                batch.clear()
        if batch:
            cursor.executemany(insert, batch)
        bar.update(bar.total - bar.n)


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
        # Loading into a bare table and building the primary key and the foreign
        # key once afterwards is several times faster than checking each row.
        for name, _ in keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        cursor.execute(f"TRUNCATE {table}")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
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


def recompute_aggregates():
    """Refresh each movie's MovieLens rating count, mean, histogram and weighted score."""
    movies = Movie._meta.db_table
    ratings = MovieLensRating._meta.db_table
    if connection.vendor == "postgresql":
        counts = [f"COUNT(*) FILTER (WHERE rating = {value})" for value in HALF_STARS]
        array_function = "jsonb_build_array"
    else:
        counts = [f"SUM(rating = {value})" for value in HALF_STARS]
        array_function = "json_array"
    histogram_select = ", ".join(f"{count} AS h{i}" for i, count in enumerate(counts))
    histogram_array = ", ".join(f"agg.h{i}" for i in range(len(counts)))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), AVG(rating), COUNT(DISTINCT movielens_movie_id) FROM {ratings}"
        )
        total, global_mean, rated_movies = cursor.fetchone()
        # The prior weight is the average number of ratings per film, so the
        # score adapts from ml-latest-small (~10) to ml-32m (~370).
        prior = (total / rated_movies) if rated_movies else 1.0
        global_mean = global_mean or 0.0
        cursor.execute(
            f"UPDATE {movies} SET rating_count = 0, rating_mean = NULL, score = 0, "
            f"rating_histogram = {array_function}()"
        )
        cursor.execute(
            f"""
            UPDATE {movies} SET
                rating_count = agg.n,
                rating_mean = agg.mean,
                score = (agg.total + %s * %s) / (agg.n + %s),
                rating_histogram = {array_function}({histogram_array})
            FROM (
                SELECT movielens_movie_id AS movie, COUNT(*) AS n, AVG(rating) AS mean,
                       SUM(rating) AS total,
                       {histogram_select}
                FROM {ratings} GROUP BY movielens_movie_id
            ) AS agg
            WHERE {movies}.movielens_id = agg.movie
            """,
            [prior, global_mean, prior],
        )


# --- Entry point --------------------------------------------------------------


def import_movielens(source=None, progress=True):
    """Import (or re-import) a MovieLens data set; return an :class:`ImportReport`."""
    source = source or settings.MOVIELENS_SOURCE
    local_path = resolve_source(source, settings.VAR_DIR / "downloads", progress=progress)
    dataset = MovieLensSource(local_path)
    report = ImportReport()
    try:
        parsed_movies = parse_movies(dataset)
        links = parse_links(dataset, parsed_movies.keys())
        movie_ids = frozenset(parsed_movies)
        with transaction.atomic():
            _save_movies(parsed_movies, links, report)
            if connection.vendor == "postgresql":
                _load_ratings_postgresql(dataset, movie_ids, progress)
            else:
                _load_ratings_sqlite(dataset, movie_ids, progress)
            recompute_aggregates()
            with connection.cursor() as cursor:
                table = MovieLensRating._meta.db_table
                cursor.execute(f"SELECT COUNT(*), COUNT(DISTINCT movielens_user_id) FROM {table}")
                report.ratings, report.users = cursor.fetchone()
    finally:
        dataset.close()
    return report
