"""A film's community figures: MovieLens's ratings and the site's members' together.

Each film shows how many ratings it has, their mean, a histogram by half star
and a weighted score: the mean pulled toward the catalog's mean rating by a
prior weighing as much as the average film's number of ratings (about 10 on
ml-latest-small, 370 on ml-32m), so one five-star rating does not top the list.

``recompute_all`` rebuilds every film's figures after a MovieLens import (and
fixes the prior until the next one); ``refresh_films`` updates the films a
member just rated, re-rated or unrated. Both go through :func:`figures`.
MovieLens's ratings have no index by film, so the importer stores each film's
MovieLens histogram on the film and a refresh adds the members' ratings to it.
"""

import json
from dataclasses import asdict, dataclass

from django.db import connection, transaction
from django.db.models import Count

from catalog.models import Movie
from ratings.models import HALF_STARS, Rating, RatingPrior

FIGURE_FIELDS = ("rating_count", "rating_mean", "rating_histogram", "score")
WRITE_BATCH = 2_000


@dataclass(frozen=True)
class Prior:
    weight: float
    mean: float


# Before any MovieLens import: one rating's weight at the middle of the scale.
DEFAULT_PRIOR = Prior(weight=1.0, mean=2.75)


@dataclass(frozen=True)
class Figures:
    rating_count: int
    rating_mean: float | None
    rating_histogram: list
    score: float


def figures(histogram, prior):
    """The figures of a film whose ratings per half star are ``histogram``."""
    count = sum(histogram)
    if not count:
        return Figures(rating_count=0, rating_mean=None, rating_histogram=[], score=0.0)
    total = sum(n * stars for n, stars in zip(histogram, HALF_STARS, strict=True))
    return Figures(
        rating_count=count,
        rating_mean=total / count,
        rating_histogram=list(histogram),
        score=(total + prior.weight * prior.mean) / (count + prior.weight),
    )


def combined_histogram(movielens_histogram, member_histogram):
    """Per half star, MovieLens's count plus the members' (either may be missing)."""
    movielens_histogram = movielens_histogram or [0] * len(HALF_STARS)
    member_histogram = member_histogram or [0] * len(HALF_STARS)
    return [a + b for a, b in zip(movielens_histogram, member_histogram, strict=True)]


def member_histograms(movie_ids=None):
    """``{movie pk: ratings per half star}`` of the site's members (all films, or these)."""
    ratings = Rating.objects.order_by()
    if movie_ids is not None:
        ratings = ratings.filter(movie_id__in=movie_ids)
    histograms = {}
    for movie_id, value, count in (
        ratings.values("movie_id", "value")
        .annotate(count=Count("pk"))
        .values_list("movie_id", "value", "count")
    ):
        histogram = histograms.setdefault(movie_id, [0] * len(HALF_STARS))
        histogram[HALF_STARS.index(value)] += count
    return histograms


def refresh_films(movie_ids):
    """Recompute the figures of ``movie_ids`` from MovieLens's and members' ratings now."""
    movie_ids = sorted(set(movie_ids))
    if not movie_ids:
        return
    prior = current_prior()
    with transaction.atomic(savepoint=False):
        # Locked in id order, so two members rating the same film write in turn
        # and the last one counts both ratings.
        movies = list(
            Movie.objects.select_for_update()
            .filter(pk__in=movie_ids)
            .order_by("pk")
            .only("pk", "movielens_histogram")
        )
        members = member_histograms(movie_ids)
        for movie in movies:
            histogram = combined_histogram(movie.movielens_histogram, members.get(movie.pk))
            for name, value in asdict(figures(histogram, prior)).items():
                setattr(movie, name, value)
        Movie.objects.bulk_update(movies, FIGURE_FIELDS, batch_size=WRITE_BATCH)


def rating_changed(instance, **_signal_kwargs):
    """A member rated, re-rated or unrated a film (``post_save``/``post_delete``)."""
    refresh_films([instance.movie_id])


def recompute_all(**_signal_kwargs):
    """Recompute the prior and every film's figures (after a MovieLens import)."""
    members = member_histograms()
    films = []
    for movie_id, movielens_histogram in Movie.objects.values_list("pk", "movielens_histogram"):
        films.append((movie_id, combined_histogram(movielens_histogram, members.get(movie_id))))
    prior = _prior_of([histogram for _, histogram in films])
    RatingPrior.objects.update_or_create(pk=1, defaults=asdict(prior))
    rows = []
    for movie_id, histogram in films:
        result = figures(histogram, prior)
        rows.append(
            (
                movie_id,
                result.rating_count,
                result.rating_mean,
                json.dumps(result.rating_histogram),
                result.score,
            )
        )
    _write_figures(rows)


def current_prior():
    """The prior the last MovieLens import fixed (a default before any import)."""
    stored = RatingPrior.objects.filter(pk=1).values("weight", "mean").first()
    return Prior(**stored) if stored else DEFAULT_PRIOR


def _prior_of(histograms):
    rated = [histogram for histogram in histograms if any(histogram)]
    count = sum(sum(histogram) for histogram in rated)
    if not count:
        return DEFAULT_PRIOR
    total = sum(
        n * stars for histogram in rated for n, stars in zip(histogram, HALF_STARS, strict=True)
    )
    return Prior(weight=count / len(rated), mean=total / count)


def _write_figures(rows):
    """Write ``(pk, count, mean, histogram JSON, score)`` rows in a few statements."""
    table = Movie._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(
                f"UPDATE {table} SET rating_count = %s, rating_mean = %s, "
                f"rating_histogram = %s, score = %s WHERE id = %s",
                [(count, mean, histogram, score, pk) for pk, count, mean, histogram, score in rows],
            )
            return
        # 87,585 films at ml-32m: one COPY and one UPDATE instead of a statement each.
        cursor.execute("DROP TABLE IF EXISTS rating_figures_in")
        cursor.execute(
            "CREATE TEMP TABLE rating_figures_in (id bigint, rating_count integer, "
            "rating_mean double precision, rating_histogram jsonb, score double precision) "
            "ON COMMIT DROP"
        )
        with cursor.copy("COPY rating_figures_in FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"UPDATE {table} m SET rating_count = f.rating_count, rating_mean = f.rating_mean, "
            f"rating_histogram = f.rating_histogram, score = f.score "
            f"FROM rating_figures_in f WHERE m.id = f.id AND (m.rating_count, m.rating_mean, "
            f"m.rating_histogram, m.score) IS DISTINCT FROM "
            f"(f.rating_count, f.rating_mean, f.rating_histogram, f.score)"
        )
        cursor.execute("DROP TABLE rating_figures_in")
