"""Writing a data set's films, genres and tags: an upsert that leaves TMDB data alone."""

from django.db import connection
from django.utils.text import slugify

from catalog import text
from catalog.models import Genre, Movie, MovieTag

MOVIE_BATCH_ROWS = 2_000


def save_movies(parsed_movies, links, report):
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


def stage(cursor, name, columns, rows):
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
        stage(
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
        stage(cursor, "movielens_genres_in", "movielens_id integer, genre_id bigint", genre_pairs)
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


def save_tags(tag_counts):
    """Replace every film's MovieLens tags with ``tag_counts``."""
    table = MovieTag._meta.db_table
    pk_by_movielens_id = dict(Movie.objects.values_list("movielens_id", "id"))
    search_texts = {tag: text.normalize(tag)[:100] for _, tag in tag_counts}
    rows = [
        (pk_by_movielens_id[movielens_id], tag, count, search_texts[tag])
        for (movielens_id, tag), count in tag_counts.items()
    ]
    columns = "movie_id, tag, count, search_text"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s)", rows)
