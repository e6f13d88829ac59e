"""Small builders for catalog rows in tests."""

import itertools

from catalog.models import Genre, Movie

_ids = itertools.count(1_000_000)


def make_genre(name="Drama"):
    genre, _ = Genre.objects.get_or_create(name=name, defaults={"slug": name.lower()})
    return genre


def make_movie(title=None, genres=(), **fields):
    movielens_id = fields.pop("movielens_id", next(_ids))
    title = title or f"Film {movielens_id}"
    fields.setdefault("year", 2000)
    fields.setdefault("movielens_title", f"{title} ({fields['year']})")
    movie = Movie.objects.create(movielens_id=movielens_id, title=title, **fields)
    if genres:
        movie.genres.set([make_genre(name) for name in genres])
    return movie
