"""The ratings of a MovieLens data set: the recommender's training corpus.

:func:`import_movielens` runs a whole import in one transaction, so a failure
leaves the previous catalog as it was: the catalog's films, genres and tags
(``catalog.movielens``), then ``ratings.csv``, which can hold 32 million rows
and is streamed: PostgreSQL receives the file itself through ``COPY`` and
validates it in SQL, SQLite gets batched inserts. Last, every film's figures
are recomputed (``ratings.aggregates``).
"""

import csv

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from tqdm import tqdm

from catalog.models import Movie
from catalog.movielens import parse, store
from catalog.movielens.report import MovieLensImportReport
from catalog.movielens.source import (
    MovieLensImportError,
    MovieLensSource,
    check_header,
    expect_columns,
    positive_int,
    read_csv,
    resolve_source,
)
from catalog.page_cache import catalog_changed
from ratings import aggregates
from ratings.models import HALF_STARS, MovieLensRating

COPY_CHUNK_BYTES = 1 << 20
SQLITE_BATCH_ROWS = 20_000
VALID_RATINGS = frozenset(HALF_STARS)


def iter_ratings(source, movie_ids):
    """Yield validated ``(user_id, movie_id, rating, timestamp)`` rows from ratings.csv."""
    name = "ratings.csv"
    for line, row in read_csv(source, name):
        expect_columns(name, line, row, 4)
        user_id = positive_int(name, line, row[0], "userId")
        movie_id = positive_int(name, line, row[1], "movieId")
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
                check_header("ratings.csv", next(csv.reader([header.decode("utf-8")])))
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
    """Import (or re-import) a MovieLens data set; return an :class:`MovieLensImportReport`."""
    source = source or settings.MOVIELENS_SOURCE
    local_path = resolve_source(source, settings.VAR_DIR / "downloads", progress=progress)
    dataset = MovieLensSource(local_path)
    report = MovieLensImportReport()
    try:
        with report.timed("parse movies"):
            parsed_movies = parse.parse_movies(dataset)
            links = parse.parse_links(dataset, parsed_movies.keys())
            movie_ids = frozenset(parsed_movies)
        with report.timed("parse tags"):
            tag_counts = parse.count_tags(dataset, movie_ids)
        with transaction.atomic():
            with report.timed("save movies"):
                store.save_movies(parsed_movies, links, report)
            with report.timed("save tags"):
                store.save_tags(tag_counts)
                report.tags = sum(tag_counts.values())
            with report.timed("load ratings"):
                if connection.vendor == "postgresql":
                    _load_ratings_postgresql(dataset, movie_ids, progress)
                else:
                    _load_ratings_sqlite(dataset, movie_ids, progress)
            with report.timed("aggregates"):
                report.ratings, report.users = store_movielens_histograms()
                aggregates.recompute_all()
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
