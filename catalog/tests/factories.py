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


def make_person(name, **fields):
    from catalog.models import Person

    return Person.objects.create(name=name, **fields)


def credit(person, movie, *, job="", character="", order=0):
    """``person`` directs (``job="Director"``), writes (another job) or plays ``character``."""
    from catalog.models import Credit

    if job:
        department = "Directing" if job == "Director" else "Writing"
        return Credit.objects.create(
            movie=movie, person=person, kind="crew", job=job, department=department, order=order
        )
    return Credit.objects.create(
        movie=movie, person=person, kind="cast", character=character, order=order
    )
