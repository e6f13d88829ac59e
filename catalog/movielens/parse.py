"""Movies, links and tags of a MovieLens data set, validated in Python."""

import logging
from collections import Counter

from catalog.movielens.source import (
    MovieLensImportError,
    expect_columns,
    positive_int,
    read_csv,
)
from catalog.text import normalize_imdb_id

logger = logging.getLogger(__name__)

NO_GENRES = "(no genres listed)"


def parse_movies(source):
    """Return ``{movielens_id: (raw_title, [genre names])}`` from movies.csv."""
    movies = {}
    for line, row in read_csv(source, "movies.csv"):
        expect_columns("movies.csv", line, row, 3)
        movie_id = positive_int("movies.csv", line, row[0], "movieId")
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
    for line, row in read_csv(source, "links.csv"):
        expect_columns("links.csv", line, row, 3)
        movie_id = positive_int("links.csv", line, row[0], "movieId")
        if movie_id not in movie_ids:
            raise MovieLensImportError(
                f"links.csv, line {line}: movieId {movie_id} is not in movies.csv."
            )
        imdb_id = normalize_imdb_id(row[1])
        if row[1].strip() and not imdb_id:
            raise MovieLensImportError(
                f"links.csv, line {line}: imdbId {row[1]!r} is not an IMDb id."
            )
        tmdb_id = None
        if row[2].strip():
            tmdb_id = positive_int("links.csv", line, row[2], "tmdbId")
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


def count_tags(source, movie_ids):
    """``{(movielens_id, tag): number of users}`` from tags.csv (tags lower-cased)."""
    counts = Counter()
    if not source.has("tags.csv"):
        return counts
    name = "tags.csv"
    for line, row in read_csv(source, name):
        expect_columns(name, line, row, 4)
        movie_id = positive_int(name, line, row[1], "movieId")
        if movie_id not in movie_ids:
            raise MovieLensImportError(
                f"{name}, line {line}: movieId {movie_id} is not in movies.csv."
            )
        tag = " ".join(row[2].split()).lower()[:100]
        if tag:
            counts[movie_id, tag] += 1
    return counts
